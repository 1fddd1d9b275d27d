//! `evolve`: fold one event into the offer's state.
//!
//! Events are facts that [`crate::decide`] accepted (and [`crate::schema::decode`] validated on read),
//! so `evolve` never refuses one: it is total and deterministic, and replaying a stream always rebuilds
//! the same state. An event that cannot apply (anything before `OfferModelled`, a report for an unknown
//! message) leaves the state as it is.

use chrono::{DateTime, Utc};

use crate::event::Event;
use crate::publication::{AccessCodeHash, AccessRefusal};
use crate::state::{
    Decision, DeliveryStatus, MessageOutcome, Offer, OfferState, SentMessage, StorageAccess,
};

/// Applies one event to the state.
pub fn evolve(mut state: OfferState, event: &Event) -> OfferState {
    if let Event::OfferModelled(e) = event {
        state.offer = Some(match state.offer.take() {
            // Re-modelled before any signature: the document, its fields and contacts are replaced
            // and the signing starts over.
            Some(mut offer) => {
                offer.offer_number = e.offer_number.clone();
                offer.client_name = e.client_name.clone();
                offer.contacts = e.contacts.clone();
                offer.fields = e.fields.clone();
                offer.document_sha256 = e.document_sha256;
                offer.modelled_at = e.modelled_at;
                offer.signing = None;
                offer.signatures.clear();
                offer
            }
            None => Offer {
                offer_id: e.offer_id.clone(),
                agent_id: e.agent_id.clone(),
                offer_number: e.offer_number.clone(),
                client_name: e.client_name.clone(),
                contacts: e.contacts.clone(),
                fields: e.fields.clone(),
                document_sha256: e.document_sha256,
                modelled_at: e.modelled_at,
                signing: None,
                signatures: Vec::new(),
                seal: None,
                receipt: None,
                decision: None,
                publication: None,
                publications: 0,
                schedule: None,
                schedules: 0,
                emails: Vec::new(),
                email_status: DeliveryStatus::NotSent,
                sms: Vec::new(),
                sms_status: DeliveryStatus::NotSent,
                access: StorageAccess::default(),
                access_records: 0,
                last_opened_at: None,
                resend_requests: 0,
                contact_corrections: 0,
                withdrawal: None,
                effective_at: None,
            },
        });
        return state;
    }
    if let Some(offer) = state.offer.as_mut() {
        apply(offer, event);
    }
    state
}

/// Folds events, oldest first, into the state of an empty stream.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> OfferState {
    events.into_iter().fold(OfferState::default(), evolve)
}

fn apply(offer: &mut Offer, event: &Event) {
    match event {
        Event::OfferModelled(_) => {}
        Event::SigningStarted(e) => offer.signing = Some(e.clone()),
        Event::FieldSigned(e) => offer.signatures.push(e.clone()),
        Event::OfferSealed(e) => offer.seal = Some(e.clone()),
        Event::OfferReceived(e) => offer.receipt = Some(e.clone()),
        Event::OfferAccepted(e) => {
            offer.decision = Some(Decision::Accepted {
                accepted_at: e.accepted_at,
            })
        }
        Event::OfferRejected(e) => {
            offer.decision = Some(Decision::Rejected {
                reason: e.reason.clone(),
                rejected_at: e.rejected_at,
            })
        }
        Event::DocumentsPublished(e) => {
            offer.publication = Some(e.clone());
            offer.publications = offer.publications.saturating_add(1);
            offer.access.expires_at = Some(e.expires_at);
            if let Some(code_hash) = &e.access_code_hash {
                new_code(&mut offer.access, code_hash, e.expires_at);
            }
        }
        Event::AccessCodeIssued(e) => new_code(&mut offer.access, &e.code_hash, e.expires_at),
        Event::StorageAccessRefused(e) => {
            offer.access_records = offer.access_records.saturating_add(1);
            if e.refusal == AccessRefusal::WrongCode {
                offer.access.wrong_tries = offer.access.wrong_tries.saturating_add(1);
            }
        }
        Event::StorageLocked(e) => offer.access.locked_at = Some(e.locked_at),
        Event::EmailDelayed(_) => {
            offer.access_records = offer.access_records.saturating_add(1);
        }
        Event::NotificationSkipped(_) | Event::NotificationRepeated(_) => {
            offer.schedules = offer.schedules.saturating_add(1)
        }
        Event::NotificationScheduled(e) => {
            offer.schedule = Some(e.clone());
            offer.schedules = offer.schedules.saturating_add(1);
        }
        Event::EmailSent(e) => {
            if offer.contacts.email.as_ref() == Some(&e.to) {
                offer.email_status = after_send(offer.email_status);
            }
            offer.emails.push(SentMessage {
                message_id: e.message_id.clone(),
                to: e.to.clone(),
                reply: e.smtp_reply.clone(),
                sent_at: e.sent_at,
                outcome: None,
            });
        }
        Event::EmailDelivered(e) => {
            let outcome = MessageOutcome::Delivered { at: e.delivered_at };
            let current = offer.contacts.email.clone();
            if report(&mut offer.emails, &e.message_id, current.as_ref(), outcome) {
                offer.email_status = DeliveryStatus::Delivered;
            }
        }
        Event::EmailBounced(e) => {
            let outcome = MessageOutcome::Failed {
                reason: e.reason.clone(),
                at: e.bounced_at,
            };
            let current = offer.contacts.email.clone();
            if report(&mut offer.emails, &e.message_id, current.as_ref(), outcome) {
                offer.email_status = DeliveryStatus::Failed;
            }
        }
        Event::SmsSent(e) => {
            if offer.contacts.mobile.as_ref() == Some(&e.to) {
                offer.sms_status = after_send(offer.sms_status);
            }
            offer.sms.push(SentMessage {
                message_id: e.message_id.clone(),
                to: e.to.clone(),
                reply: e.gateway_reply.clone(),
                sent_at: e.sent_at,
                outcome: None,
            });
        }
        Event::SmsDelivered(e) => {
            let outcome = MessageOutcome::Delivered { at: e.delivered_at };
            let current = offer.contacts.mobile.clone();
            if report(&mut offer.sms, &e.message_id, current.as_ref(), outcome) {
                offer.sms_status = DeliveryStatus::Delivered;
            }
        }
        Event::SmsFailed(e) => {
            let outcome = MessageOutcome::Failed {
                reason: e.reason.clone(),
                at: e.failed_at,
            };
            let current = offer.contacts.mobile.clone();
            if report(&mut offer.sms, &e.message_id, current.as_ref(), outcome) {
                offer.sms_status = DeliveryStatus::Failed;
            }
        }
        Event::StorageOpened(e) => {
            offer.access_records = offer.access_records.saturating_add(1);
            offer.last_opened_at = Some(e.opened_at);
        }
        Event::DocumentDownloaded(_) => {
            offer.access_records = offer.access_records.saturating_add(1);
        }
        Event::NotificationResendRequested(_) => {
            offer.resend_requests = offer.resend_requests.saturating_add(1);
        }
        Event::ContactCorrected(e) => {
            offer.contact_corrections = offer.contact_corrections.saturating_add(1);
            if let Some(email) = &e.new_contacts.email
                && offer.contacts.email.as_ref() != Some(email)
            {
                offer.contacts.email = Some(email.clone());
                offer.email_status = DeliveryStatus::NotSent;
            }
            if let Some(mobile) = &e.new_contacts.mobile
                && offer.contacts.mobile.as_ref() != Some(mobile)
            {
                offer.contacts.mobile = Some(mobile.clone());
                offer.sms_status = DeliveryStatus::NotSent;
            }
        }
        Event::PaperWithdrawalRecorded(e) => offer.withdrawal = Some(e.clone()),
        Event::OfferMadeEffective(e) => offer.effective_at = Some(e.effective_at),
    }
}

/// A new access code replaces the old one, clears the wrong tries and the lock, and moves the expiry.
fn new_code(access: &mut StorageAccess, code_hash: &AccessCodeHash, expires_at: DateTime<Utc>) {
    access.code_hash = Some(code_hash.clone());
    access.codes_issued = access.codes_issued.saturating_add(1);
    access.expires_at = Some(expires_at);
    access.wrong_tries = 0;
    access.locked_at = None;
}

/// A new message to the current address: a delivered status stays (the client has the link), anything
/// else now waits for the report.
fn after_send(status: DeliveryStatus) -> DeliveryStatus {
    match status {
        DeliveryStatus::Delivered => DeliveryStatus::Delivered,
        _ => DeliveryStatus::AwaitingReport,
    }
}

/// Records a delivery report on its message; true when the message went to the current address, so
/// the report decides the channel's status.
fn report<To: PartialEq>(
    messages: &mut [SentMessage<To>],
    message_id: &crate::ids::MessageId,
    current: Option<&To>,
    outcome: MessageOutcome,
) -> bool {
    match messages.iter_mut().find(|m| &m.message_id == message_id) {
        Some(message) => {
            message.outcome = Some(outcome);
            current == Some(&message.to)
        }
        None => false,
    }
}
