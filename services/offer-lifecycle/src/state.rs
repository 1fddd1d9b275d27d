//! The offer's state: everything [`crate::decide`] needs, rebuilt from the events by
//! [`crate::evolve()`].
//!
//! The state is a read model of facts. Build it only by folding events with `evolve` (or
//! [`crate::replay`]); its fields are public for reading.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::contact::{Contacts, CzechMobile, Email};
use crate::event::{
    DocumentsPublished, FieldSigned, NotificationScheduled, OfferReceived, OfferSealed,
    PaperWithdrawalRecorded, SigningStarted,
};
use crate::field::SignatureField;
use crate::hash::Sha256;
use crate::ids::{AgentId, MessageId, OfferId, OfferNumber};
use crate::limits::MAX_WRONG_ACCESS_CODES;
use crate::publication::AccessCodeHash;
use crate::text::{PersonName, Reason, ServerReply};

/// The state the agent sees in SmartClient's DOKUMENTY tab (seed, question 7). The four states only
/// move forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OfferStatus {
    /// 1 — modelled, not yet signed; editable.
    InProgress = 1,
    /// 2 — signed and sealed on the PC; can no longer change; waiting for synchronisation.
    SignedAwaitingSync = 2,
    /// 3 — the insurer (PČS) received it.
    SentToInsurer = 3,
    /// 4 — the insurer accepted it for processing.
    AcceptedForProcessing = 4,
}

impl OfferStatus {
    /// The state's number as the seed counts them (1–4).
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The exact Czech text the agent sees. State 2 uses the seed's wording ("čeká na synchronizaci
    /// SmartClienta"), which the product brief shortens; where the two differ the seed wins.
    pub fn text_cs(self) -> &'static str {
        match self {
            Self::InProgress => "Nabídka je rozpracována, čeká na podpis",
            Self::SignedAwaitingSync => {
                "Nabídka podepsána, čeká na synchronizaci SmartClienta – již ji nelze editovat"
            }
            Self::SentToInsurer => "Nabídka byla odeslána do PČS",
            Self::AcceptedForProcessing => "PČS přijala nabídku do zpracování",
        }
    }
}

impl fmt::Display for OfferStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {}", self.number(), self.text_cs())
    }
}

/// The outcome of the acceptance checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Accepted for processing (state 4).
    Accepted {
        /// When.
        accepted_at: DateTime<Utc>,
    },
    /// Rejected (the offer stays in state 3).
    Rejected {
        /// Why.
        reason: Reason,
        /// When.
        rejected_at: DateTime<Utc>,
    },
}

/// What became of one sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOutcome {
    /// Delivered.
    Delivered {
        /// When.
        at: DateTime<Utc>,
    },
    /// Bounced (e-mail) or failed (SMS).
    Failed {
        /// Why, as the server said.
        reason: ServerReply,
        /// When.
        at: DateTime<Utc>,
    },
}

/// One e-mail or SMS sent to the client. The latest report wins: a message may bounce after a relay
/// reported it delivered, or be delivered after a temporary failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage<To> {
    /// The message id.
    pub message_id: MessageId,
    /// The recipient.
    pub to: To,
    /// What the server answered when it accepted the message.
    pub reply: Option<ServerReply>,
    /// When.
    pub sent_at: DateTime<Utc>,
    /// The latest delivery report.
    pub outcome: Option<MessageOutcome>,
}

/// Delivery to the client's *current* address (or number) on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeliveryStatus {
    /// Nothing sent to the current address yet (also after the help desk corrected it).
    #[default]
    NotSent,
    /// Sent, no report yet (or sent again after a failure).
    AwaitingReport,
    /// The latest report for the current address says delivered.
    Delivered,
    /// The latest report for the current address says bounced or failed.
    Failed,
}

/// The client's entry to the storage: the current access code, the wrong tries since it was issued,
/// the lock and the expiry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StorageAccess {
    /// Slow hash of the current code (`None`: no code issued yet).
    pub code_hash: Option<AccessCodeHash>,
    /// Codes issued so far (the current one included).
    pub codes_issued: u32,
    /// When the link and the current code expire.
    pub expires_at: Option<DateTime<Utc>>,
    /// Wrong codes entered since the current code was issued.
    pub wrong_tries: u32,
    /// When too many wrong codes locked the entry (lifted by a new code).
    pub locked_at: Option<DateTime<Utc>>,
}

impl StorageAccess {
    /// Whether the link and code have expired at `at`.
    pub fn is_expired(&self, at: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| at >= e)
    }

    /// Whether too many wrong codes locked the entry.
    pub fn is_locked(&self) -> bool {
        self.locked_at.is_some()
    }

    /// Wrong codes still allowed before the entry locks.
    pub fn tries_left(&self) -> u32 {
        MAX_WRONG_ACCESS_CODES.saturating_sub(self.wrong_tries)
    }
}

/// An offer that exists: modelled, possibly signed, sealed, received, accepted and so on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Offer {
    /// The offer.
    pub offer_id: OfferId,
    /// The agent who modelled it.
    pub agent_id: AgentId,
    /// The number printed on it.
    pub offer_number: OfferNumber,
    /// The client's name.
    pub client_name: Option<PersonName>,
    /// The client's current contacts (as modelled, then as corrected by the help desk).
    pub contacts: Contacts,
    /// The signature fields, in document order.
    pub fields: Vec<SignatureField>,
    /// SHA-256 of the document.
    pub document_sha256: Sha256,
    /// When it was (last) modelled.
    pub modelled_at: DateTime<Utc>,
    /// The current signing session, if signing started.
    pub signing: Option<SigningStarted>,
    /// The placed signatures, in document order: always a prefix of `fields`.
    pub signatures: Vec<FieldSigned>,
    /// The seal, once the agent confirmed "save and send".
    pub seal: Option<OfferSealed>,
    /// The backend's receipt.
    pub receipt: Option<OfferReceived>,
    /// The acceptance checks' outcome.
    pub decision: Option<Decision>,
    /// The latest publication to the client's storage.
    pub publication: Option<DocumentsPublished>,
    /// How many publications there were.
    pub publications: u32,
    /// The latest notification schedule.
    pub schedule: Option<NotificationScheduled>,
    /// How many schedules there were.
    pub schedules: u32,
    /// E-mails sent, oldest first.
    pub emails: Vec<SentMessage<Email>>,
    /// Delivery of the e-mail to the current address.
    pub email_status: DeliveryStatus,
    /// SMS sent, oldest first.
    pub sms: Vec<SentMessage<CzechMobile>>,
    /// Delivery of the SMS to the current number.
    pub sms_status: DeliveryStatus,
    /// The storage's access code, tries and lock.
    pub access: StorageAccess,
    /// Storage visits recorded: openings, downloads, refused visits.
    pub access_records: u32,
    /// When the client last opened the storage.
    pub last_opened_at: Option<DateTime<Utc>>,
    /// Help-desk resend requests.
    pub resend_requests: u32,
    /// Help-desk contact corrections.
    pub contact_corrections: u32,
    /// The paper withdrawal, if one arrived.
    pub withdrawal: Option<PaperWithdrawalRecorded>,
    /// When the offer was made effective.
    pub effective_at: Option<DateTime<Utc>>,
}

impl Offer {
    /// The state the agent sees.
    pub fn status(&self) -> OfferStatus {
        match (&self.decision, &self.receipt, &self.seal) {
            (Some(Decision::Accepted { .. }), _, _) => OfferStatus::AcceptedForProcessing,
            (_, Some(_), _) => OfferStatus::SentToInsurer,
            (_, _, Some(_)) => OfferStatus::SignedAwaitingSync,
            _ => OfferStatus::InProgress,
        }
    }

    /// The next field to sign, if any remains.
    pub fn next_unsigned_field(&self) -> Option<&SignatureField> {
        self.fields.get(self.signatures.len())
    }

    /// Whether every field is signed.
    pub fn all_fields_signed(&self) -> bool {
        self.signatures.len() == self.fields.len()
    }

    /// Whether the offer is sealed (state 2 or later): document and signatures are final.
    pub fn is_sealed(&self) -> bool {
        self.seal.is_some()
    }

    /// Whether the acceptance checks rejected the offer.
    pub fn is_rejected(&self) -> bool {
        matches!(self.decision, Some(Decision::Rejected { .. }))
    }

    /// Whether the offer was made effective.
    pub fn is_effective(&self) -> bool {
        self.effective_at.is_some()
    }
}

/// The state of one offer stream: empty until the offer is modelled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferState {
    pub(crate) offer: Option<Offer>,
}

impl OfferState {
    /// The offer, once modelled.
    pub fn offer(&self) -> Option<&Offer> {
        self.offer.as_ref()
    }

    /// The state the agent sees; `None` before the offer is modelled.
    pub fn status(&self) -> Option<OfferStatus> {
        self.offer.as_ref().map(Offer::status)
    }
}
