//! `decide`: check a command against the offer's state and say which events it produces.
//!
//! Pure: no I/O, no clock (times come in the commands), no randomness. A refused command returns a
//! [`LifecycleError`] and produces nothing.
//!
//! **Restating a fact produces nothing.** A command that repeats what the state already records —
//! the same signature for the same field, the same seal, the same delivery report, a correction to
//! the contacts the offer already has — returns `Ok` with no events, whatever its timestamp. Retries
//! from the edge agent's outbox, from a mail webhook or from a double click are therefore harmless.
//! A command that *contradicts* a recorded fact (another signature for a signed field, another seal,
//! a second rejection with another reason) is an error. Access records (storage opened, document
//! downloaded) and help-desk resend requests are occurrences rather than facts: each one is recorded.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::command::Command;
use crate::contact::{Contacts, CzechMobile, Email};
use crate::error::LifecycleError;
use crate::event::*;
use crate::field::{SignatureField, SignerRole};
use crate::hash::Sha256;
use crate::ids::{AgentId, FieldId, MessageId, OfferId, OfferNumber};
use crate::limits::{
    MAX_ACCESS_CODES, MAX_ACCESS_RECORDS, MAX_CONTACT_CORRECTIONS, MAX_MESSAGES_PER_CHANNEL,
    MAX_PUBLICATIONS, MAX_PUBLISHED_DOCUMENTS, MAX_RESEND_REQUESTS, MAX_SCHEDULES,
    MAX_SIGNATURE_FIELDS, MAX_WRONG_ACCESS_CODES,
};
use crate::pad::SignPad;
use crate::publication::{
    AccessCodeHash, AccessRefusal, Channels, ClientInfo, PublishedDocument, StorageFolder,
};
use crate::state::{Decision, DeliveryStatus, MessageOutcome, Offer, OfferState, SentMessage};
use crate::text::{PersonName, ServerReply};

type Decided = Result<Vec<Event>, LifecycleError>;

/// Decides what a command does to the offer: the events to append, none (a restated fact), or why
/// it is refused.
pub fn decide(command: &Command, state: &OfferState) -> Decided {
    if let Command::ModelOffer {
        offer_id,
        agent_id,
        offer_number,
        client_name,
        contacts,
        fields,
        document_sha256,
        modelled_at,
    } = command
    {
        let model = Model {
            offer_id,
            agent_id,
            offer_number,
            client_name,
            contacts,
            fields,
            document_sha256,
        };
        return model_offer(model, *modelled_at, state.offer());
    }
    let offer = state.offer().ok_or(LifecycleError::OfferNotModelled)?;
    match command {
        // Handled above, before the offer is required.
        Command::ModelOffer { .. } => Ok(Vec::new()),
        Command::StartSigning { pad, started_at } => start_signing(offer, pad, *started_at),
        Command::SignField {
            field_id,
            role,
            signature_image_sha256,
            envelope_sha256,
            quality,
            signed_at,
        } => sign_field(
            offer,
            FieldSigned {
                field_id: field_id.clone(),
                role: *role,
                signature_image_sha256: *signature_image_sha256,
                envelope_sha256: *envelope_sha256,
                quality: *quality,
                signed_at: *signed_at,
            },
        ),
        Command::SealOffer {
            sealed_pdf_sha256,
            sealed_at,
        } => seal_offer(offer, *sealed_pdf_sha256, *sealed_at),
        Command::ReceiveOffer {
            pdf_sha256,
            received_at,
        } => receive_offer(offer, *pdf_sha256, *received_at),
        Command::AcceptOffer { accepted_at } => accept_offer(offer, *accepted_at),
        Command::RejectOffer {
            reason,
            rejected_at,
        } => reject_offer(
            offer,
            OfferRejected {
                reason: reason.clone(),
                rejected_at: *rejected_at,
            },
        ),
        Command::PublishDocuments {
            folder,
            link_token_sha256,
            documents,
            expires_at,
            published_at,
        } => publish_documents(
            offer,
            folder,
            link_token_sha256,
            documents,
            *expires_at,
            *published_at,
        ),
        Command::IssueAccessCode {
            code_hash,
            expires_at,
            issued_at,
        } => issue_access_code(offer, code_hash, *expires_at, *issued_at),
        Command::RecordWrongAccessCode { client, at } => wrong_access_code(offer, client, *at),
        Command::RecordRefusedVisit { client, at } => refused_visit(offer, client, *at),
        Command::ScheduleNotification {
            channels,
            due_at,
            scheduled_at,
        } => schedule_notification(offer, *channels, *due_at, *scheduled_at),
        Command::RecordEmailSent {
            message_id,
            to,
            smtp_reply,
            sent_at,
        } => {
            let fresh = record_sent(
                offer,
                &offer.emails,
                message_id,
                to,
                smtp_reply,
                "odeslané e-maily",
            )?;
            Ok(emit_if(fresh, || EmailSent {
                message_id: message_id.clone(),
                to: to.clone(),
                smtp_reply: smtp_reply.clone(),
                sent_at: *sent_at,
            }))
        }
        Command::RecordEmailDelivered {
            message_id,
            report,
            delivered_at,
        } => {
            let fresh = record_outcome(&offer.emails, message_id, true)?;
            Ok(emit_if(fresh, || EmailDelivered {
                message_id: message_id.clone(),
                report: report.clone(),
                delivered_at: *delivered_at,
            }))
        }
        Command::RecordEmailDelayed {
            message_id,
            report,
            delayed_at,
        } => {
            if !offer.emails.iter().any(|m| &m.message_id == message_id) {
                return Err(LifecycleError::UnknownMessage {
                    message_id: message_id.to_string(),
                });
            }
            record_access(offer)?;
            Ok(vec![
                EmailDelayed {
                    message_id: message_id.clone(),
                    report: report.clone(),
                    delayed_at: *delayed_at,
                }
                .into(),
            ])
        }
        Command::RecordRepeat {
            channels,
            attempt,
            message_id,
            repeated_at,
        } => {
            require_published(offer)?;
            within(offer.schedules, MAX_SCHEDULES, "naplánovaná oznámení")?;
            Ok(vec![
                NotificationRepeated {
                    channels: *channels,
                    attempt: *attempt,
                    message_id: message_id.clone(),
                    repeated_at: *repeated_at,
                }
                .into(),
            ])
        }
        Command::SkipNotification {
            channels,
            reason,
            skipped_at,
        } => {
            if offer.schedule.is_none() {
                return Err(LifecycleError::NothingScheduled);
            }
            within(offer.schedules, MAX_SCHEDULES, "naplánovaná oznámení")?;
            Ok(vec![
                NotificationSkipped {
                    channels: *channels,
                    reason: reason.clone(),
                    skipped_at: *skipped_at,
                }
                .into(),
            ])
        }
        Command::RecordEmailBounced {
            message_id,
            reason,
            bounced_at,
        } => {
            let fresh = record_outcome(&offer.emails, message_id, false)?;
            Ok(emit_if(fresh, || EmailBounced {
                message_id: message_id.clone(),
                reason: reason.clone(),
                bounced_at: *bounced_at,
            }))
        }
        Command::RecordSmsSent {
            message_id,
            to,
            gateway_reply,
            sent_at,
        } => {
            let fresh = record_sent(
                offer,
                &offer.sms,
                message_id,
                to,
                gateway_reply,
                "odeslané SMS",
            )?;
            Ok(emit_if(fresh, || SmsSent {
                message_id: message_id.clone(),
                to: to.clone(),
                gateway_reply: gateway_reply.clone(),
                sent_at: *sent_at,
            }))
        }
        Command::RecordSmsDelivered {
            message_id,
            delivered_at,
        } => {
            let fresh = record_outcome(&offer.sms, message_id, true)?;
            Ok(emit_if(fresh, || SmsDelivered {
                message_id: message_id.clone(),
                delivered_at: *delivered_at,
            }))
        }
        Command::RecordSmsFailed {
            message_id,
            reason,
            failed_at,
        } => {
            let fresh = record_outcome(&offer.sms, message_id, false)?;
            Ok(emit_if(fresh, || SmsFailed {
                message_id: message_id.clone(),
                reason: reason.clone(),
                failed_at: *failed_at,
            }))
        }
        Command::RecordStorageOpened { client, opened_at } => {
            record_access(offer)?;
            require_open(offer, *opened_at)?;
            Ok(vec![
                StorageOpened {
                    opened_at: *opened_at,
                    client: client.clone(),
                }
                .into(),
            ])
        }
        Command::RecordDocumentDownloaded {
            document,
            client,
            bytes_sent,
            bytes_expected,
            downloaded_at,
        } => {
            record_access(offer)?;
            let published = offer.publication.as_ref().map_or(&[][..], |p| &p.documents);
            if !published.is_empty() && !published.iter().any(|d| &d.name == document) {
                return Err(LifecycleError::UnknownDocument {
                    document: document.to_string(),
                });
            }
            let completed = match (bytes_sent, bytes_expected) {
                (Some(sent), Some(expected)) => Some(sent >= expected),
                _ => None,
            };
            Ok(vec![
                DocumentDownloaded {
                    document: document.clone(),
                    downloaded_at: *downloaded_at,
                    client: client.clone(),
                    bytes_sent: *bytes_sent,
                    bytes_expected: *bytes_expected,
                    completed,
                }
                .into(),
            ])
        }
        Command::RequestResend {
            user,
            reason,
            channels,
            requested_at,
        } => {
            require_published(offer)?;
            within(
                offer.resend_requests,
                MAX_RESEND_REQUESTS,
                "žádosti o opětovné zaslání",
            )?;
            Ok(vec![
                NotificationResendRequested {
                    user: user.clone(),
                    reason: reason.clone(),
                    channels: *channels,
                    requested_at: *requested_at,
                }
                .into(),
            ])
        }
        Command::CorrectContact {
            user,
            reason,
            email,
            mobile,
            corrected_at,
        } => {
            let correction = ContactCorrected {
                user: user.clone(),
                reason: reason.clone(),
                new_contacts: Contacts {
                    email: email.clone(),
                    mobile: mobile.clone(),
                },
                corrected_at: *corrected_at,
            };
            correct_contact(offer, correction)
        }
        Command::RecordPaperWithdrawal {
            user,
            reason,
            received_on,
            recorded_at,
        } => record_withdrawal(
            offer,
            PaperWithdrawalRecorded {
                user: user.clone(),
                reason: reason.clone(),
                received_on: *received_on,
                recorded_at: *recorded_at,
            },
        ),
        Command::MakeEffective { effective_at } => make_effective(offer, *effective_at),
    }
}

/// One event when `fresh`, none when the command restated a recorded fact.
fn emit_if<E: Into<Event>>(fresh: bool, event: impl FnOnce() -> E) -> Vec<Event> {
    if fresh {
        vec![event().into()]
    } else {
        Vec::new()
    }
}

/// The content of a `ModelOffer` command, timestamp aside.
struct Model<'a> {
    offer_id: &'a OfferId,
    agent_id: &'a AgentId,
    offer_number: &'a OfferNumber,
    client_name: &'a Option<PersonName>,
    contacts: &'a Contacts,
    fields: &'a [SignatureField],
    document_sha256: &'a Sha256,
}

fn model_offer(model: Model<'_>, modelled_at: DateTime<Utc>, offer: Option<&Offer>) -> Decided {
    if let Some(offer) = offer {
        if &offer.offer_id != model.offer_id {
            return Err(LifecycleError::OfferIdMismatch);
        }
        let restated = &offer.offer_number == model.offer_number
            && &offer.client_name == model.client_name
            && &offer.contacts == model.contacts
            && offer.fields == model.fields
            && &offer.document_sha256 == model.document_sha256;
        if restated && &offer.agent_id == model.agent_id {
            return Ok(Vec::new());
        }
        if offer.is_sealed() {
            return Err(LifecycleError::OfferSealed);
        }
        if &offer.agent_id != model.agent_id {
            return Err(LifecycleError::AgentMismatch);
        }
        if !offer.signatures.is_empty() {
            return Err(LifecycleError::AlreadyPartlySigned);
        }
    }
    check_fields(model.fields)?;
    Ok(vec![
        OfferModelled {
            offer_id: model.offer_id.clone(),
            agent_id: model.agent_id.clone(),
            offer_number: model.offer_number.clone(),
            client_name: model.client_name.clone(),
            contacts: model.contacts.clone(),
            fields: model.fields.to_vec(),
            document_sha256: *model.document_sha256,
            modelled_at,
        }
        .into(),
    ])
}

fn check_fields(fields: &[SignatureField]) -> Result<(), LifecycleError> {
    if fields.is_empty() {
        return Err(LifecycleError::NoSignatureFields);
    }
    if fields.len() > MAX_SIGNATURE_FIELDS {
        return Err(LifecycleError::TooManyFields {
            max: MAX_SIGNATURE_FIELDS,
        });
    }
    let mut seen: HashSet<&FieldId> = HashSet::with_capacity(fields.len());
    for field in fields {
        if !seen.insert(&field.id) {
            return Err(LifecycleError::DuplicateField(field.id.clone()));
        }
    }
    if !fields.iter().any(|f| f.role == SignerRole::Client) {
        return Err(LifecycleError::NoClientField);
    }
    Ok(())
}

fn start_signing(offer: &Offer, pad: &SignPad, started_at: DateTime<Utc>) -> Decided {
    if offer.is_sealed() {
        return Err(LifecycleError::OfferSealed);
    }
    if !offer.contacts.is_complete() {
        return Err(LifecycleError::ContactsMissing);
    }
    if offer.signing.as_ref().is_some_and(|s| &s.pad == pad) {
        return Ok(Vec::new());
    }
    Ok(vec![
        SigningStarted {
            pad: pad.clone(),
            started_at,
        }
        .into(),
    ])
}

/// The same signature, timestamp aside.
fn same_signature(a: &FieldSigned, b: &FieldSigned) -> bool {
    a.field_id == b.field_id
        && a.role == b.role
        && a.signature_image_sha256 == b.signature_image_sha256
        && a.envelope_sha256 == b.envelope_sha256
        && a.quality == b.quality
}

fn sign_field(offer: &Offer, signature: FieldSigned) -> Decided {
    if let Some(placed) = offer
        .signatures
        .iter()
        .find(|s| s.field_id == signature.field_id)
    {
        return if same_signature(placed, &signature) {
            Ok(Vec::new())
        } else if offer.is_sealed() {
            Err(LifecycleError::OfferSealed)
        } else {
            Err(LifecycleError::FieldAlreadySigned(signature.field_id))
        };
    }
    if offer.is_sealed() {
        return Err(LifecycleError::OfferSealed);
    }
    let Some(field) = offer.fields.iter().find(|f| f.id == signature.field_id) else {
        return Err(LifecycleError::UnknownField(signature.field_id));
    };
    if offer.signing.is_none() {
        return Err(LifecycleError::SigningNotStarted);
    }
    if let Some(next) = offer.next_unsigned_field()
        && next.id != signature.field_id
    {
        return Err(LifecycleError::FieldOutOfTurn {
            expected: next.id.clone(),
            got: signature.field_id,
        });
    }
    if field.role != signature.role {
        return Err(LifecycleError::WrongSigner {
            field: field.id.clone(),
            expected: field.role,
            got: signature.role,
        });
    }
    if offer
        .signatures
        .iter()
        .any(|s| s.envelope_sha256 == signature.envelope_sha256)
    {
        return Err(LifecycleError::EnvelopeReused);
    }
    Ok(vec![signature.into()])
}

fn seal_offer(offer: &Offer, sealed_pdf_sha256: Sha256, sealed_at: DateTime<Utc>) -> Decided {
    if let Some(seal) = &offer.seal {
        return if seal.sealed_pdf_sha256 == sealed_pdf_sha256 {
            Ok(Vec::new())
        } else {
            Err(LifecycleError::OfferSealed)
        };
    }
    if offer.signing.is_none() {
        return Err(LifecycleError::SigningNotStarted);
    }
    if !offer.all_fields_signed() {
        return Err(LifecycleError::UnsignedFields {
            remaining: offer.fields.len().saturating_sub(offer.signatures.len()),
            total: offer.fields.len(),
        });
    }
    Ok(vec![
        OfferSealed {
            sealed_pdf_sha256,
            sealed_at,
        }
        .into(),
    ])
}

fn receive_offer(offer: &Offer, pdf_sha256: Sha256, received_at: DateTime<Utc>) -> Decided {
    let Some(seal) = &offer.seal else {
        return Err(LifecycleError::NotSealed);
    };
    if seal.sealed_pdf_sha256 != pdf_sha256 {
        return Err(LifecycleError::ReceivedPdfMismatch);
    }
    if offer.receipt.is_some() {
        return Ok(Vec::new());
    }
    Ok(vec![
        OfferReceived {
            pdf_sha256,
            received_at,
        }
        .into(),
    ])
}

fn accept_offer(offer: &Offer, accepted_at: DateTime<Utc>) -> Decided {
    if offer.receipt.is_none() {
        return Err(LifecycleError::NotReceived);
    }
    match &offer.decision {
        Some(Decision::Accepted { .. }) => Ok(Vec::new()),
        Some(Decision::Rejected { .. }) => Err(LifecycleError::Rejected),
        None => Ok(vec![OfferAccepted { accepted_at }.into()]),
    }
}

fn reject_offer(offer: &Offer, rejection: OfferRejected) -> Decided {
    if offer.receipt.is_none() {
        return Err(LifecycleError::NotReceived);
    }
    match &offer.decision {
        Some(Decision::Accepted { .. }) => Err(LifecycleError::AlreadyAccepted),
        Some(Decision::Rejected { reason, .. }) if reason == &rejection.reason => Ok(Vec::new()),
        Some(Decision::Rejected { .. }) => Err(LifecycleError::RejectedWithOtherReason),
        None => Ok(vec![rejection.into()]),
    }
}

fn require_accepted(offer: &Offer) -> Result<(), LifecycleError> {
    match &offer.decision {
        Some(Decision::Accepted { .. }) => Ok(()),
        Some(Decision::Rejected { .. }) => Err(LifecycleError::Rejected),
        None if offer.receipt.is_none() => Err(LifecycleError::NotReceived),
        None => Err(LifecycleError::NotAccepted),
    }
}

fn require_published(offer: &Offer) -> Result<(), LifecycleError> {
    require_accepted(offer)?;
    if offer.publication.is_none() {
        return Err(LifecycleError::DocumentsNotPublished);
    }
    Ok(())
}

fn within(count: u32, max: u32, what: &'static str) -> Result<(), LifecycleError> {
    if count >= max {
        return Err(LifecycleError::LimitReached {
            what,
            max: max as usize,
        });
    }
    Ok(())
}

fn publish_documents(
    offer: &Offer,
    folder: &StorageFolder,
    link_token_sha256: &Sha256,
    documents: &[PublishedDocument],
    expires_at: DateTime<Utc>,
    published_at: DateTime<Utc>,
) -> Decided {
    require_accepted(offer)?;
    if let Some(current) = &offer.publication
        && &current.folder == folder
        && &current.link_token_sha256 == link_token_sha256
        && current.documents == documents
        && current.expires_at == expires_at
    {
        return Ok(Vec::new());
    }
    if expires_at <= published_at {
        return Err(LifecycleError::ExpiryNotAfterPublication);
    }
    if documents.is_empty() {
        return Err(LifecycleError::NoDocuments);
    }
    if documents.len() > MAX_PUBLISHED_DOCUMENTS {
        return Err(LifecycleError::LimitReached {
            what: "dokumenty v úložišti",
            max: MAX_PUBLISHED_DOCUMENTS,
        });
    }
    let mut names = HashSet::new();
    if let Some(twice) = documents.iter().find(|d| !names.insert(&d.name)) {
        return Err(LifecycleError::DuplicateDocument {
            document: twice.name.to_string(),
        });
    }
    within(offer.publications, MAX_PUBLICATIONS, "zveřejnění dokumentů")?;
    Ok(vec![
        DocumentsPublished {
            folder: folder.clone(),
            link_token_sha256: *link_token_sha256,
            documents: documents.to_vec(),
            access_code_hash: None,
            expires_at,
            published_at,
        }
        .into(),
    ])
}

fn issue_access_code(
    offer: &Offer,
    code_hash: &AccessCodeHash,
    expires_at: DateTime<Utc>,
    issued_at: DateTime<Utc>,
) -> Decided {
    require_published(offer)?;
    if offer.access.code_hash.as_ref() == Some(code_hash)
        && offer.access.expires_at == Some(expires_at)
    {
        return Ok(Vec::new());
    }
    if expires_at <= issued_at {
        return Err(LifecycleError::ExpiryNotAfterPublication);
    }
    within(
        offer.access.codes_issued,
        MAX_ACCESS_CODES,
        "přístupové kódy",
    )?;
    Ok(vec![
        AccessCodeIssued {
            code_hash: code_hash.clone(),
            expires_at,
            issued_at,
        }
        .into(),
    ])
}

/// The refusal a visit at `at` meets before any code is checked: locked first (a new code lifts
/// it), then expired.
fn standing_refusal(offer: &Offer, at: DateTime<Utc>) -> Option<AccessRefusal> {
    if offer.access.is_locked() {
        Some(AccessRefusal::Locked)
    } else if offer.access.is_expired(at) {
        Some(AccessRefusal::Expired)
    } else {
        None
    }
}

fn refusal(
    refusal: AccessRefusal,
    client: &ClientInfo,
    at: DateTime<Utc>,
    tries_left: u32,
) -> Event {
    StorageAccessRefused {
        refusal,
        tries_left,
        client: client.clone(),
        refused_at: at,
    }
    .into()
}

fn wrong_access_code(offer: &Offer, client: &ClientInfo, at: DateTime<Utc>) -> Decided {
    record_access(offer)?;
    if offer.access.code_hash.is_none() {
        return Err(LifecycleError::NoAccessCode);
    }
    if let Some(standing) = standing_refusal(offer, at) {
        return Ok(vec![refusal(
            standing,
            client,
            at,
            offer.access.tries_left(),
        )]);
    }
    let tries = offer.access.wrong_tries.saturating_add(1);
    let tries_left = MAX_WRONG_ACCESS_CODES.saturating_sub(tries);
    let mut events = vec![refusal(AccessRefusal::WrongCode, client, at, tries_left)];
    if tries_left == 0 {
        events.push(
            StorageLocked {
                wrong_tries: tries,
                client: client.clone(),
                locked_at: at,
            }
            .into(),
        );
    }
    Ok(events)
}

fn refused_visit(offer: &Offer, client: &ClientInfo, at: DateTime<Utc>) -> Decided {
    record_access(offer)?;
    match standing_refusal(offer, at) {
        Some(standing) => Ok(vec![refusal(
            standing,
            client,
            at,
            offer.access.tries_left(),
        )]),
        None => Err(LifecycleError::StorageOpen),
    }
}

/// The storage can be opened at `at`: a code was issued, the entry is neither locked nor expired.
fn require_open(offer: &Offer, at: DateTime<Utc>) -> Result<(), LifecycleError> {
    if offer.access.code_hash.is_none() {
        return Err(LifecycleError::NoAccessCode);
    }
    match standing_refusal(offer, at) {
        Some(AccessRefusal::Locked) => Err(LifecycleError::StorageLocked),
        Some(_) => Err(LifecycleError::StorageExpired),
        None => Ok(()),
    }
}

fn schedule_notification(
    offer: &Offer,
    channels: Channels,
    due_at: DateTime<Utc>,
    scheduled_at: DateTime<Utc>,
) -> Decided {
    if offer.receipt.is_none() {
        return Err(LifecycleError::NotReceived);
    }
    if offer
        .schedule
        .as_ref()
        .is_some_and(|s| s.channels == channels && s.due_at == due_at)
    {
        return Ok(Vec::new());
    }
    within(offer.schedules, MAX_SCHEDULES, "naplánovaná oznámení")?;
    Ok(vec![
        NotificationScheduled {
            channels,
            due_at,
            scheduled_at,
        }
        .into(),
    ])
}

/// Whether a sent message is new (true), restated (false), or conflicts (error).
fn record_sent<To: PartialEq>(
    offer: &Offer,
    messages: &[SentMessage<To>],
    message_id: &MessageId,
    to: &To,
    reply: &Option<ServerReply>,
    what: &'static str,
) -> Result<bool, LifecycleError> {
    require_published(offer)?;
    if let Some(known) = messages.iter().find(|m| &m.message_id == message_id) {
        return if &known.to == to && &known.reply == reply {
            Ok(false)
        } else {
            Err(LifecycleError::MessageConflict {
                message_id: message_id.to_string(),
            })
        };
    }
    if messages.len() >= MAX_MESSAGES_PER_CHANNEL {
        return Err(LifecycleError::LimitReached {
            what,
            max: MAX_MESSAGES_PER_CHANNEL,
        });
    }
    Ok(true)
}

/// Whether a delivery report changes the message's outcome (true) or restates it (false). The latest
/// report wins, so a bounce may follow a delivery and the other way round.
fn record_outcome<To>(
    messages: &[SentMessage<To>],
    message_id: &MessageId,
    delivered: bool,
) -> Result<bool, LifecycleError> {
    let Some(message) = messages.iter().find(|m| &m.message_id == message_id) else {
        return Err(LifecycleError::UnknownMessage {
            message_id: message_id.to_string(),
        });
    };
    let restated = matches!(
        (&message.outcome, delivered),
        (Some(MessageOutcome::Delivered { .. }), true)
            | (Some(MessageOutcome::Failed { .. }), false)
    );
    Ok(!restated)
}

fn record_access(offer: &Offer) -> Result<(), LifecycleError> {
    require_published(offer)?;
    within(
        offer.access_records,
        MAX_ACCESS_RECORDS,
        "záznamy o přístupu do úložiště",
    )
}

fn correct_contact(offer: &Offer, correction: ContactCorrected) -> Decided {
    if !offer.is_sealed() {
        return Err(LifecycleError::OfferStillEditable);
    }
    let Contacts { email, mobile } = &correction.new_contacts;
    if email.is_none() && mobile.is_none() {
        return Err(LifecycleError::NothingToCorrect);
    }
    let unchanged = |new: &Option<Email>, current: &Option<Email>| new.is_none() || new == current;
    let unchanged_mobile =
        |new: &Option<CzechMobile>, current: &Option<CzechMobile>| new.is_none() || new == current;
    if unchanged(email, &offer.contacts.email) && unchanged_mobile(mobile, &offer.contacts.mobile) {
        return Ok(Vec::new());
    }
    within(
        offer.contact_corrections,
        MAX_CONTACT_CORRECTIONS,
        "opravy kontaktů",
    )?;
    Ok(vec![correction.into()])
}

fn record_withdrawal(offer: &Offer, withdrawal: PaperWithdrawalRecorded) -> Decided {
    if !offer.is_sealed() {
        return Err(LifecycleError::NothingToWithdraw);
    }
    match &offer.withdrawal {
        Some(recorded)
            if recorded.user == withdrawal.user
                && recorded.reason == withdrawal.reason
                && recorded.received_on == withdrawal.received_on =>
        {
            Ok(Vec::new())
        }
        Some(_) => Err(LifecycleError::WithdrawalAlreadyRecorded),
        None => Ok(vec![withdrawal.into()]),
    }
}

fn make_effective(offer: &Offer, effective_at: DateTime<Utc>) -> Decided {
    if offer.is_effective() {
        return Ok(Vec::new());
    }
    require_accepted(offer)?;
    if offer.withdrawal.is_some() {
        return Err(LifecycleError::Withdrawn);
    }
    if offer.email_status != DeliveryStatus::Delivered {
        return Err(LifecycleError::EmailNotDelivered);
    }
    Ok(vec![OfferMadeEffective { effective_at }.into()])
}
