//! The offer's events: the facts of its life, one stream per offer.
//!
//! Each event has a stable type name (its Rust name, e.g. `"FieldSigned"`) and a schema version; both
//! are stored beside the payload, and [`crate::schema`] upcasts old versions on read. Renaming an
//! event or a field, or changing a field's meaning, is a new schema version with an upcaster — never
//! an edit in place.
//!
//! Personal data is kept in dedicated fields so that it can be encrypted per client (crypto-shredding):
//! `client_name` and `contacts` in [`OfferModelled`], `new_contacts` in [`ContactCorrected`], and the
//! recipient `to` in [`EmailSent`] and [`SmsSent`]. No other field, and no free text written by the
//! system, carries the client's e-mail or phone.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::{Contacts, CzechMobile, Email};
use crate::field::{SignatureField, SignerRole};
use crate::hash::Sha256;
use crate::ids::{AgentId, DocumentName, FieldId, HelpDeskUser, MessageId, OfferId, OfferNumber};
use crate::pad::SignPad;
use crate::publication::{
    AccessCodeHash, AccessRefusal, Channels, ClientInfo, PublishedDocument, StorageFolder,
};
use crate::signature::SignatureQuality;
use crate::text::{PersonName, Reason, ServerReply};

/// The offer was modelled (or re-modelled before any signature) on the agent's PC: state 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferModelled {
    /// The offer (the stream).
    pub offer_id: OfferId,
    /// The agent who models it.
    pub agent_id: AgentId,
    /// The number printed on the offer.
    pub offer_number: OfferNumber,
    /// The client's name (personal data).
    pub client_name: Option<PersonName>,
    /// The client's contacts (personal data).
    pub contacts: Contacts,
    /// The signature fields, in the order of the document.
    pub fields: Vec<SignatureField>,
    /// SHA-256 of the offer document the signatures are bound to.
    pub document_sha256: Sha256,
    /// When it was modelled.
    pub modelled_at: DateTime<Utc>,
}

/// A signing session started on a pad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningStarted {
    /// The pad.
    pub pad: SignPad,
    /// When the session started.
    pub started_at: DateTime<Utc>,
}

/// A field was signed; the biometrics were encrypted at once into an envelope bound to the document,
/// the field and the role. Emitted by the edge agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSigned {
    /// The field.
    pub field_id: FieldId,
    /// Who signed.
    pub role: SignerRole,
    /// SHA-256 of the signature image placed in the field.
    pub signature_image_sha256: Sha256,
    /// SHA-256 of the encrypted biometric envelope (the reference to it).
    pub envelope_sha256: Sha256,
    /// What the edge agent measured.
    pub quality: SignatureQuality,
    /// When the signer pressed OK.
    pub signed_at: DateTime<Utc>,
}

/// The agent confirmed "save and send"; the signed offer is sealed as a PDF and can no longer change:
/// state 2. Emitted by the edge agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferSealed {
    /// SHA-256 of the sealed PDF.
    pub sealed_pdf_sha256: Sha256,
    /// When it was sealed.
    pub sealed_at: DateTime<Utc>,
}

/// The backend durably stored the sealed PDF: state 3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferReceived {
    /// SHA-256 of the PDF received (equal to the sealed one).
    pub pdf_sha256: Sha256,
    /// When it was stored.
    pub received_at: DateTime<Utc>,
}

/// The acceptance checks passed; the insurer accepted the offer for processing: state 4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferAccepted {
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
}

/// The acceptance checks failed; the offer stays in state 3, marked rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferRejected {
    /// Why.
    pub reason: Reason,
    /// When.
    pub rejected_at: DateTime<Utc>,
}

/// The signed offer and the insurance terms were put in the client's storage.
///
/// Version 2 lists the documents and no longer carries an access code: codes are issued separately
/// ([`AccessCodeIssued`]) when the SMS goes out. A version-1 event's code is read into
/// `access_code_hash`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsPublished {
    /// The storage folder.
    pub folder: StorageFolder,
    /// SHA-256 of the link token (the token itself is only in the e-mail).
    pub link_token_sha256: Sha256,
    /// The documents handed over (version 1 did not list them: empty).
    #[serde(default)]
    pub documents: Vec<PublishedDocument>,
    /// Version 1 only: the slow hash of the access code published with the documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_code_hash: Option<AccessCodeHash>,
    /// When the link expires.
    pub expires_at: DateTime<Utc>,
    /// When they were published.
    pub published_at: DateTime<Utc>,
}

/// A new access code for the storage was issued: it replaces any earlier code at once, lifts a lock
/// and moves the expiry. Only its slow hash is recorded; the code itself goes out by SMS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessCodeIssued {
    /// Slow hash (PHC string) of the code.
    pub code_hash: AccessCodeHash,
    /// When the link and this code expire.
    pub expires_at: DateTime<Utc>,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// A visit to the storage was turned away: a wrong code, a locked or an expired entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageAccessRefused {
    /// Why.
    pub refusal: AccessRefusal,
    /// Wrong codes still allowed before the entry locks.
    pub tries_left: u32,
    /// Who.
    pub client: ClientInfo,
    /// When.
    pub refused_at: DateTime<Utc>,
}

/// Too many wrong access codes: the storage is locked until the help desk sends a new code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageLocked {
    /// Wrong codes in a row that locked it.
    pub wrong_tries: u32,
    /// Who entered the last one.
    pub client: ClientInfo,
    /// When.
    pub locked_at: DateTime<Utc>,
}

/// The e-mail and/or SMS were scheduled (the morning after receipt, Prague time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationScheduled {
    /// Which channels.
    pub channels: Channels,
    /// When they are due.
    pub due_at: DateTime<Utc>,
    /// When they were scheduled.
    pub scheduled_at: DateTime<Utc>,
}

/// The mail server accepted the e-mail with the storage link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSent {
    /// The message id.
    pub message_id: MessageId,
    /// The recipient (personal data).
    pub to: Email,
    /// What the SMTP server answered.
    pub smtp_reply: Option<ServerReply>,
    /// When.
    pub sent_at: DateTime<Utc>,
}

/// A delivery report says the e-mail was delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailDelivered {
    /// The message id.
    pub message_id: MessageId,
    /// The report's text, if any.
    pub report: Option<ServerReply>,
    /// When.
    pub delivered_at: DateTime<Utc>,
}

/// A delivery report says the e-mail is delayed: the receiving side keeps trying. Not a bounce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailDelayed {
    /// The message id.
    pub message_id: MessageId,
    /// The report's text (status and diagnostic).
    pub report: ServerReply,
    /// When.
    pub delayed_at: DateTime<Utc>,
}

/// At the due time nothing was sent on these channels, for the reason given (the offer was
/// rejected, its documents are not published, a contact is missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSkipped {
    /// Which channels.
    pub channels: Channels,
    /// Why.
    pub reason: Reason,
    /// When.
    pub skipped_at: DateTime<Utc>,
}

/// A notification is sent again after an earlier attempt whose outcome was never recorded (the
/// process stopped between the peer's answer and its record): the peer may have the message
/// twice, under the same Message-ID / ENVID / reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationRepeated {
    /// Which channel.
    pub channels: Channels,
    /// Which attempt this is (2 = the first repeat).
    pub attempt: u32,
    /// The id the message carries again (the e-mail's Message-ID, the SMS's reference).
    pub message_id: MessageId,
    /// When.
    pub repeated_at: DateTime<Utc>,
}

/// The e-mail bounced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailBounced {
    /// The message id.
    pub message_id: MessageId,
    /// The bounce's reason, as the server gave it.
    pub reason: ServerReply,
    /// When.
    pub bounced_at: DateTime<Utc>,
}

/// The SMS gateway accepted the SMS with the access code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSent {
    /// The gateway's message id.
    pub message_id: MessageId,
    /// The recipient (personal data).
    pub to: CzechMobile,
    /// What the gateway answered.
    pub gateway_reply: Option<ServerReply>,
    /// When.
    pub sent_at: DateTime<Utc>,
}

/// A delivery receipt says the SMS was delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsDelivered {
    /// The gateway's message id.
    pub message_id: MessageId,
    /// When.
    pub delivered_at: DateTime<Utc>,
}

/// The SMS could not be delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFailed {
    /// The gateway's message id.
    pub message_id: MessageId,
    /// Why, as the gateway said.
    pub reason: ServerReply,
    /// When.
    pub failed_at: DateTime<Utc>,
}

/// The client opened the storage (link and code both correct).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageOpened {
    /// When.
    pub opened_at: DateTime<Utc>,
    /// Who (version 1 did not record it).
    #[serde(default)]
    pub client: Option<ClientInfo>,
}

/// The client downloaded a document from the storage, whole or in part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDownloaded {
    /// Which document.
    pub document: DocumentName,
    /// When.
    pub downloaded_at: DateTime<Utc>,
    /// Who (version 1 did not record it).
    #[serde(default)]
    pub client: Option<ClientInfo>,
    /// Bytes sent (version 1: unknown).
    #[serde(default)]
    pub bytes_sent: Option<u64>,
    /// Bytes the response was to carry: the document, or the requested range (version 1: unknown).
    #[serde(default)]
    pub bytes_expected: Option<u64>,
    /// Whether every expected byte was sent; `false` when the connection was cut off (version 1:
    /// unknown).
    #[serde(default)]
    pub completed: Option<bool>,
}

/// Help desk: the e-mail and/or SMS are to be sent again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationResendRequested {
    /// Who asked.
    pub user: HelpDeskUser,
    /// Why.
    pub reason: Reason,
    /// Which channels.
    pub channels: Channels,
    /// When.
    pub requested_at: DateTime<Utc>,
}

/// Help desk: the client's e-mail and/or mobile were corrected on the client's request. This changes
/// where notifications go, never the signed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactCorrected {
    /// Who corrected it.
    pub user: HelpDeskUser,
    /// Why.
    pub reason: Reason,
    /// The corrected contacts; a missing one is unchanged (personal data).
    pub new_contacts: Contacts,
    /// When.
    pub corrected_at: DateTime<Utc>,
}

/// Help desk: a paper withdrawal or change request signed by the client arrived (the only way to
/// withdraw or change a digitally signed offer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperWithdrawalRecorded {
    /// Who recorded it.
    pub user: HelpDeskUser,
    /// Why / what the paper says.
    pub reason: Reason,
    /// The day the paper arrived.
    pub received_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// The offer was made effective ("zplatnit").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferMadeEffective {
    /// When.
    pub effective_at: DateTime<Utc>,
}

/// Declares [`Event`] from the payload types and their current schema versions.
macro_rules! events {
    ($($name:ident = $version:literal),* $(,)?) => {
        /// One fact of an offer's life. Serialised (for transport or debugging) as the payload's
        /// fields plus `"type"`; the stored form is [`crate::schema::encode`].
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum Event {
            $(
                #[doc = concat!("See [`", stringify!($name), "`].")]
                $name($name),
            )*
        }

        impl Event {
            /// Every event type with its current schema version.
            pub const TYPES: &'static [(&'static str, u16)] = &[$((stringify!($name), $version)),*];

            /// The stable type name stored with the event.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$name(_) => stringify!($name),)*
                }
            }

            /// The schema version this build writes for the event's type.
            pub fn schema_version(&self) -> u16 {
                match self {
                    $(Self::$name(_) => $version,)*
                }
            }

            /// The payload alone, without the type tag.
            pub(crate) fn to_payload(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    $(Self::$name(payload) => serde_json::to_value(payload),)*
                }
            }

            /// Reads a current-version payload of the named type; `None` for an unknown type.
            pub(crate) fn from_payload(
                type_name: &str,
                payload: serde_json::Value,
            ) -> Option<Result<Self, serde_json::Error>> {
                match type_name {
                    $(stringify!($name) => Some(serde_json::from_value::<$name>(payload).map(Self::$name)),)*
                    _ => None,
                }
            }
        }

        $(
            impl From<$name> for Event {
                fn from(payload: $name) -> Self {
                    Self::$name(payload)
                }
            }
        )*
    };
}

events! {
    OfferModelled = 2,
    SigningStarted = 1,
    FieldSigned = 1,
    OfferSealed = 1,
    OfferReceived = 1,
    OfferAccepted = 1,
    OfferRejected = 1,
    DocumentsPublished = 2,
    AccessCodeIssued = 1,
    NotificationScheduled = 1,
    EmailSent = 1,
    EmailDelivered = 1,
    EmailDelayed = 1,
    EmailBounced = 1,
    NotificationSkipped = 1,
    NotificationRepeated = 1,
    SmsSent = 1,
    SmsDelivered = 1,
    SmsFailed = 1,
    StorageOpened = 2,
    DocumentDownloaded = 2,
    StorageAccessRefused = 1,
    StorageLocked = 1,
    NotificationResendRequested = 1,
    ContactCorrected = 1,
    PaperWithdrawalRecorded = 1,
    OfferMadeEffective = 1,
}

impl Event {
    /// For a help-desk action, the user who did it and the reason they gave. Every help-desk event
    /// carries both; the types make an empty user or reason impossible.
    pub fn help_desk_actor(&self) -> Option<(&HelpDeskUser, &Reason)> {
        match self {
            Self::NotificationResendRequested(e) => Some((&e.user, &e.reason)),
            Self::ContactCorrected(e) => Some((&e.user, &e.reason)),
            Self::PaperWithdrawalRecorded(e) => Some((&e.user, &e.reason)),
            _ => None,
        }
    }
}
