//! Property tests: arbitrary command sequences — mostly plausible, randomly interleaved, sometimes
//! wrong — never break the lifecycle's invariants, and the accepted events always rebuild the state.
//!
//! Each generated step is a small recipe `(kind, a, b)`. Most kinds name one command whose details
//! come from `a` and `b`; the "advance" kinds look at the current state and produce the command that
//! would move the offer on (now and then deliberately wrong), so that sequences reach the late states
//! (sealed, accepted, notified, effective) as well as the early ones.

mod common;

use std::collections::HashMap;

use common::*;
use offer_lifecycle::state::Decision;
use offer_lifecycle::*;
use proptest::prelude::*;

const EMAILS: [&str; 3] = [
    "jan.novak@example.cz",
    "jan.novak@example.com",
    "jiny@example.cz",
];
const MOBILES: [&str; 3] = ["603123456", "777000111", "736555123"];
const ADVANCE_KINDS: u8 = 16;
const KINDS: u8 = 40;

#[derive(Debug, Clone)]
struct World {
    fields: Vec<SignatureField>,
}

fn world() -> impl Strategy<Value = World> {
    prop::collection::vec(any::<bool>(), 0..4).prop_map(|roles| {
        let mut fields = vec![field("pole-0", SignerRole::Client, 1)];
        for (i, agent) in roles.into_iter().enumerate() {
            let role = if agent {
                SignerRole::Agent
            } else {
                SignerRole::Client
            };
            fields.push(field(&format!("pole-{}", i + 1), role, 1));
        }
        World { fields }
    })
}

fn steps() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    prop::collection::vec((0..KINDS, any::<u8>(), any::<u8>()), 0..90)
}

fn pick<T: Copy>(items: &[T], n: u8) -> T {
    items[usize::from(n) % items.len()]
}

fn contacts_variant(n: u8) -> Contacts {
    match n % 5 {
        0 => Contacts {
            email: None,
            mobile: Some(mobile(MOBILES[0])),
        },
        1 => Contacts {
            email: Some(email(EMAILS[0])),
            mobile: None,
        },
        _ => Contacts::complete(email(EMAILS[0]), mobile(MOBILES[0])),
    }
}

fn model(world: &World, a: u8, b: u8) -> Command {
    let mut command = model_offer_with(contacts_variant(b), world.fields.clone());
    if let Command::ModelOffer {
        document_sha256, ..
    } = &mut command
    {
        *document_sha256 = sha(1 + a % 2);
    }
    command
}

fn signature(world: &World, index: usize, role: SignerRole, variant: u8, time: i64) -> Command {
    let id = world
        .fields
        .get(index)
        .map_or_else(|| field_id("pole-neznamo"), |f| f.id.clone());
    let n = u8::try_from(index).unwrap_or(0);
    Command::SignField {
        field_id: id,
        role,
        signature_image_sha256: sha(100 + n * 4 + variant % 2),
        envelope_sha256: sha(150 + n * 4 + variant % 2),
        quality: quality(),
        signed_at: at(time),
    }
}

fn sign_next(world: &World, offer: &offer_lifecycle::Offer, b: u8, time: i64) -> Command {
    let index = offer.signatures.len();
    let role = world
        .fields
        .get(index)
        .map_or(SignerRole::Client, |f| f.role);
    let role = if b.is_multiple_of(10) {
        if role == SignerRole::Client {
            SignerRole::Agent
        } else {
            SignerRole::Client
        }
    } else {
        role
    };
    signature(world, index, role, 0, time)
}

fn email_sent_cmd(id: String, to: &str, time: i64) -> Command {
    Command::RecordEmailSent {
        message_id: message(&id),
        to: email(to),
        smtp_reply: None,
        sent_at: at(time),
    }
}

/// The command that would move the offer on from its current state (sometimes subtly wrong).
fn advance(world: &World, state: &OfferState, a: u8, b: u8, time: i64) -> Command {
    let Some(offer) = state.offer() else {
        return model(world, 0, if a.is_multiple_of(10) { 0 } else { 2 });
    };
    if !offer.is_sealed() {
        if offer.signing.is_none() {
            return Command::StartSigning {
                pad: pad("STU530-0001"),
                started_at: at(time),
            };
        }
        if offer.next_unsigned_field().is_some() {
            return sign_next(world, offer, b, time);
        }
        return Command::SealOffer {
            sealed_pdf_sha256: sha(2),
            sealed_at: at(time),
        };
    }
    if offer.receipt.is_none() {
        let hash = if b.is_multiple_of(10) {
            sha(66)
        } else {
            offer.seal.as_ref().map_or(sha(2), |s| s.sealed_pdf_sha256)
        };
        return Command::ReceiveOffer {
            pdf_sha256: hash,
            received_at: at(time),
        };
    }
    match &offer.decision {
        None if a.is_multiple_of(8) => {
            return Command::RejectOffer {
                reason: reason("Kontrola selhala."),
                rejected_at: at(time),
            };
        }
        None => {
            return Command::AcceptOffer {
                accepted_at: at(time),
            };
        }
        Some(Decision::Rejected { .. }) => return make_effective(time),
        Some(Decision::Accepted { .. }) => {}
    }
    if offer.publication.is_none() {
        return publish_cmd(0, time);
    }
    if offer.access.code_hash.is_none() {
        return issue_code(1, time);
    }
    if offer.schedule.is_none() {
        return Command::ScheduleNotification {
            channels: Channels::Both,
            due_at: at(time + 600),
            scheduled_at: at(time),
        };
    }
    let current = offer
        .contacts
        .email
        .as_ref()
        .map_or(EMAILS[0], |e| e.as_str());
    let fresh_id = format!("m{}", offer.emails.len());
    match offer.email_status {
        DeliveryStatus::NotSent | DeliveryStatus::Failed => email_sent_cmd(fresh_id, current, time),
        DeliveryStatus::AwaitingReport => {
            let last = offer
                .emails
                .last()
                .map_or_else(|| "m0".to_owned(), |m| m.message_id.to_string());
            if a.is_multiple_of(3) {
                email_bounced(&last, time)
            } else {
                email_delivered(&last, time)
            }
        }
        DeliveryStatus::Delivered if !offer.is_effective() => make_effective(time),
        DeliveryStatus::Delivered => opened(time),
    }
}

fn publish_cmd(variant: u8, time: i64) -> Command {
    Command::PublishDocuments {
        folder: ok(StorageFolder::new("2025/06/NAB-2025-0001")),
        link_token_sha256: sha(30 + variant % 2),
        documents: documents(),
        expires_at: at(time + 60 * 24 * 30),
        published_at: at(time),
    }
}

fn command(world: &World, state: &OfferState, (kind, a, b): (u8, u8, u8), time: i64) -> Command {
    if kind < ADVANCE_KINDS {
        return advance(world, state, a, b, time);
    }
    let correction_reason = reason("Klient požádal o opravu kontaktu.");
    match kind {
        16 => model(world, a, b),
        17 => Command::StartSigning {
            pad: pad(pick(&["STU530-0001", "STU430-0002"], a)),
            started_at: at(time),
        },
        18 => {
            let role = if b.is_multiple_of(2) {
                SignerRole::Client
            } else {
                SignerRole::Agent
            };
            signature(
                world,
                usize::from(a) % (world.fields.len() + 1),
                role,
                b / 2,
                time,
            )
        }
        19 => Command::SealOffer {
            sealed_pdf_sha256: sha(2 + a % 2),
            sealed_at: at(time),
        },
        20 => Command::ReceiveOffer {
            pdf_sha256: sha(2 + a % 3),
            received_at: at(time),
        },
        21 => Command::AcceptOffer {
            accepted_at: at(time),
        },
        22 => Command::RejectOffer {
            reason: reason(pick(&["Kontrola selhala.", "Chybí podpis."], a)),
            rejected_at: at(time),
        },
        23 => publish_cmd(a, time),
        24 => Command::ScheduleNotification {
            channels: pick(&[Channels::Email, Channels::Sms, Channels::Both], a),
            due_at: at(time + 600),
            scheduled_at: at(time),
        },
        25 => email_sent_cmd(format!("m{}", a % 4), pick(&EMAILS, b), time),
        26 => email_delivered(&format!("m{}", a % 4), time),
        27 => email_bounced(&format!("m{}", a % 4), time),
        28 => Command::RecordSmsSent {
            message_id: message(&format!("s{}", a % 4)),
            to: mobile(pick(&MOBILES, b)),
            gateway_reply: None,
            sent_at: at(time),
        },
        29 => Command::RecordSmsDelivered {
            message_id: message(&format!("s{}", a % 4)),
            delivered_at: at(time),
        },
        30 => Command::RecordSmsFailed {
            message_id: message(&format!("s{}", a % 4)),
            reason: reply("absent subscriber"),
            failed_at: at(time),
        },
        31 => opened(time),
        32 => downloaded(pick(&["nabidka", "podminky"], a), time),
        33 => Command::RequestResend {
            user: user(),
            reason: reason("Klientovi nedorazil e-mail."),
            channels: pick(&[Channels::Email, Channels::Sms, Channels::Both], a),
            requested_at: at(time),
        },
        34 => Command::CorrectContact {
            user: user(),
            reason: correction_reason,
            email: (a % 4 < 3).then(|| email(pick(&EMAILS, a))),
            mobile: (b % 4 < 3).then(|| mobile(pick(&MOBILES, b))),
            corrected_at: at(time),
        },
        35 if a < 64 => paper_withdrawal(),
        _ => make_effective(time),
    }
}

/// Whether a command states a fact (so repeating it must add nothing) rather than an occurrence.
fn is_fact(command: &Command) -> bool {
    !matches!(
        command,
        Command::RecordStorageOpened { .. }
            | Command::RecordDocumentDownloaded { .. }
            | Command::RecordWrongAccessCode { .. }
            | Command::RecordRefusedVisit { .. }
            | Command::RequestResend { .. }
    )
}

/// An oracle computed from the event log alone: is the latest delivery report for an e-mail to the
/// client's current address (since that address was set) a delivery?
fn email_delivered_per_log(log: &[Event]) -> bool {
    let mut current: Option<Email> = None;
    let mut recipients: HashMap<MessageId, Email> = HashMap::new();
    let mut last_report_delivered: Option<bool> = None;
    for event in log {
        match event {
            Event::OfferModelled(e) => {
                current = e.contacts.email.clone();
                last_report_delivered = None;
            }
            Event::ContactCorrected(e) => {
                if let Some(new) = &e.new_contacts.email
                    && current.as_ref() != Some(new)
                {
                    current = Some(new.clone());
                    last_report_delivered = None;
                }
            }
            Event::EmailSent(e) => {
                recipients.insert(e.message_id.clone(), e.to.clone());
            }
            Event::EmailDelivered(e)
                if current.is_some() && recipients.get(&e.message_id) == current.as_ref() =>
            {
                last_report_delivered = Some(true);
            }
            Event::EmailBounced(e)
                if current.is_some() && recipients.get(&e.message_id) == current.as_ref() =>
            {
                last_report_delivered = Some(false);
            }
            _ => {}
        }
    }
    last_report_delivered == Some(true)
}

fn check_step(
    before: &OfferState,
    after: &OfferState,
    command: &Command,
    new_events: &[Event],
    log: &[Event],
) -> Result<(), TestCaseError> {
    // The four states only move forward.
    prop_assert!(
        before.status() <= after.status(),
        "status went back: {:?} -> {:?}",
        before.status(),
        after.status()
    );

    if let (Some(old), Some(new)) = (before.offer(), after.offer()) {
        // After sealing, the document, its fields and the signatures never change.
        if old.is_sealed() {
            prop_assert_eq!(&old.document_sha256, &new.document_sha256);
            prop_assert_eq!(&old.fields, &new.fields);
            prop_assert_eq!(&old.signatures, &new.signatures);
            prop_assert_eq!(&old.seal, &new.seal);
        }
        // Once effective, always effective; once decided, the decision stays.
        if old.is_effective() {
            prop_assert_eq!(old.effective_at, new.effective_at);
        }
        if old.decision.is_some() {
            prop_assert_eq!(&old.decision, &new.decision);
        }
    }

    if let Some(offer) = after.offer() {
        // Signatures fill the fields in document order, each by its role.
        prop_assert!(offer.signatures.len() <= offer.fields.len());
        for (signature, field) in offer.signatures.iter().zip(&offer.fields) {
            prop_assert_eq!(&signature.field_id, &field.id);
            prop_assert_eq!(signature.role, field.role);
        }
        if offer.is_sealed() {
            prop_assert!(offer.all_fields_signed());
        }
        if offer.is_effective() {
            prop_assert_eq!(offer.status(), OfferStatus::AcceptedForProcessing);
        }
    }

    let position = log.len() - new_events.len();
    for (i, event) in new_events.iter().enumerate() {
        // Effective only if the latest report for the current address is a delivery.
        if let Event::OfferMadeEffective(_) = event {
            prop_assert!(
                email_delivered_per_log(&log[..position + i]),
                "made effective without a delivered e-mail"
            );
            prop_assert!(
                !log[..position + i]
                    .iter()
                    .any(|e| matches!(e, Event::PaperWithdrawalRecorded(_)))
            );
        }
        // Every help-desk event names a user and a reason, in its stored form too.
        let stored = encode(event).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some((user, reason)) = event.help_desk_actor() {
            prop_assert!(!user.as_str().is_empty() && !reason.as_str().trim().is_empty());
            prop_assert!(
                stored.payload["user"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty())
            );
            prop_assert!(
                stored.payload["reason"]
                    .as_str()
                    .is_some_and(|s| !s.trim().is_empty())
            );
        }
        // Every event round-trips through its stored form.
        let back = decode(stored.type_name, stored.schema_version, stored.payload);
        prop_assert_eq!(back.as_ref(), Ok(event));
    }

    // Replaying the accepted events rebuilds exactly the same state.
    prop_assert_eq!(&replay(log), after);

    // An accepted fact, stated again, adds nothing.
    if !new_events.is_empty() && is_fact(command) {
        prop_assert_eq!(
            decide(command, after),
            Ok(vec![]),
            "restating {:?}",
            command
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_command_sequences_keep_every_invariant(world in world(), steps in steps()) {
        let mut state = OfferState::default();
        let mut log: Vec<Event> = Vec::new();
        for (index, step) in steps.into_iter().enumerate() {
            let time = i64::try_from(index).unwrap_or(0) * 7;
            let command = command(&world, &state, step, time);
            let before = state.clone();
            match decide(&command, &state) {
                Ok(events) => {
                    for event in &events {
                        state = evolve(state, event);
                    }
                    log.extend(events.iter().cloned());
                    check_step(&before, &state, &command, &events, &log)?;
                }
                Err(error) => {
                    // A refusal is a readable Czech sentence and changes nothing.
                    prop_assert!(!error.to_string().is_empty());
                }
            }
        }
        // The stored form of the whole stream rebuilds the same state.
        let mut decoded = Vec::with_capacity(log.len());
        for event in &log {
            let stored = encode(event).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let bytes = stored.payload_bytes().map_err(|e| TestCaseError::fail(e.to_string()))?;
            decoded.push(decode_slice(stored.type_name, stored.schema_version, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?);
        }
        prop_assert_eq!(replay(&decoded), state);
    }
}

/// The generator is worth its name only if it reaches the late states; this guards it.
#[test]
fn the_generated_sequences_reach_every_state_and_the_effective_offer() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut reached_effective = 0;
    let mut reached_rejected = 0;
    for _ in 0..200 {
        let (world, steps) = match (world(), steps()).new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(error) => panic!("{error}"),
        };
        let mut state = OfferState::default();
        for (index, step) in steps.into_iter().enumerate() {
            let command = command(&world, &state, step, i64::try_from(index).unwrap_or(0) * 7);
            if let Ok(events) = decide(&command, &state) {
                for event in &events {
                    state = evolve(state, event);
                }
            }
        }
        if state
            .offer()
            .is_some_and(offer_lifecycle::Offer::is_effective)
        {
            reached_effective += 1;
        }
        if state
            .offer()
            .is_some_and(offer_lifecycle::Offer::is_rejected)
        {
            reached_rejected += 1;
        }
    }
    assert!(
        reached_effective >= 10,
        "only {reached_effective} of 200 sequences made the offer effective"
    );
    assert!(
        reached_rejected >= 3,
        "only {reached_rejected} of 200 sequences were rejected"
    );
}
