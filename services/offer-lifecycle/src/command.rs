//! Commands: what someone asks the offer to do.
//!
//! A command carries everything [`crate::decide`] needs, including the time it happened (the lifecycle
//! has no clock). Values inside are already validated types, so a command cannot hold a malformed
//! e-mail, an empty help-desk reason or an uppercase hash; what remains to check is whether the
//! offer's state allows it. Which commands each state allows is tabled in the crate documentation.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::{Contacts, CzechMobile, Email};
use crate::field::{SignatureField, SignerRole};
use crate::hash::Sha256;
use crate::ids::{AgentId, DocumentName, FieldId, HelpDeskUser, MessageId, OfferId, OfferNumber};
use crate::pad::SignPad;
use crate::publication::{AccessCodeHash, Channels, ClientInfo, PublishedDocument, StorageFolder};
use crate::signature::SignatureQuality;
use crate::text::{PersonName, Reason, ServerReply};

/// A request to the offer. See the crate documentation for the states that allow each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Model the offer, or re-model it while no field is signed. → [`crate::event::OfferModelled`]
    ModelOffer {
        /// The offer (the stream).
        offer_id: OfferId,
        /// The agent who models it.
        agent_id: AgentId,
        /// The number printed on the offer.
        offer_number: OfferNumber,
        /// The client's name.
        client_name: Option<PersonName>,
        /// The client's contacts; signing needs both.
        contacts: Contacts,
        /// The signature fields, in the order of the document.
        fields: Vec<SignatureField>,
        /// SHA-256 of the document.
        document_sha256: Sha256,
        /// When.
        modelled_at: DateTime<Utc>,
    },
    /// Start signing on a pad (again, if the pad changed). → [`crate::event::SigningStarted`]
    StartSigning {
        /// The pad.
        pad: SignPad,
        /// When.
        started_at: DateTime<Utc>,
    },
    /// Place a signature in the next unsigned field. → [`crate::event::FieldSigned`]
    SignField {
        /// The field.
        field_id: FieldId,
        /// Who signs.
        role: SignerRole,
        /// SHA-256 of the signature image.
        signature_image_sha256: Sha256,
        /// SHA-256 of the encrypted biometric envelope.
        envelope_sha256: Sha256,
        /// The measured quality.
        quality: SignatureQuality,
        /// When.
        signed_at: DateTime<Utc>,
    },
    /// "Save and send": seal the fully signed offer. → [`crate::event::OfferSealed`]
    SealOffer {
        /// SHA-256 of the sealed PDF.
        sealed_pdf_sha256: Sha256,
        /// When.
        sealed_at: DateTime<Utc>,
    },
    /// The backend stored the sealed PDF. → [`crate::event::OfferReceived`]
    ReceiveOffer {
        /// SHA-256 of the PDF received; must equal the sealed one.
        pdf_sha256: Sha256,
        /// When.
        received_at: DateTime<Utc>,
    },
    /// The acceptance checks passed. → [`crate::event::OfferAccepted`]
    AcceptOffer {
        /// When.
        accepted_at: DateTime<Utc>,
    },
    /// The acceptance checks failed. → [`crate::event::OfferRejected`]
    RejectOffer {
        /// Why.
        reason: Reason,
        /// When.
        rejected_at: DateTime<Utc>,
    },
    /// Put the documents in the client's storage. → [`crate::event::DocumentsPublished`]
    PublishDocuments {
        /// The folder.
        folder: StorageFolder,
        /// SHA-256 of the link token.
        link_token_sha256: Sha256,
        /// The documents handed over (at least one, names unique).
        documents: Vec<PublishedDocument>,
        /// When the link expires; after `published_at`.
        expires_at: DateTime<Utc>,
        /// When.
        published_at: DateTime<Utc>,
    },
    /// Issue a new access code: it replaces the old one at once, lifts a lock and moves the expiry.
    /// → [`crate::event::AccessCodeIssued`]
    IssueAccessCode {
        /// Slow hash of the new code.
        code_hash: AccessCodeHash,
        /// When link and code expire; after `issued_at`.
        expires_at: DateTime<Utc>,
        /// When.
        issued_at: DateTime<Utc>,
    },
    /// A well-formed but wrong access code was entered. → [`crate::event::StorageAccessRefused`]
    /// (wrong code, or locked or expired when the entry already is), and
    /// [`crate::event::StorageLocked`] with the try that reaches the limit.
    RecordWrongAccessCode {
        /// Who.
        client: ClientInfo,
        /// When.
        at: DateTime<Utc>,
    },
    /// A visit to a locked or expired entry. → [`crate::event::StorageAccessRefused`]
    RecordRefusedVisit {
        /// Who.
        client: ClientInfo,
        /// When.
        at: DateTime<Utc>,
    },
    /// Schedule the e-mail and/or SMS. → [`crate::event::NotificationScheduled`]
    ScheduleNotification {
        /// Which channels.
        channels: Channels,
        /// When they are due.
        due_at: DateTime<Utc>,
        /// When scheduled.
        scheduled_at: DateTime<Utc>,
    },
    /// The mail server accepted the e-mail. → [`crate::event::EmailSent`]
    RecordEmailSent {
        /// The message id.
        message_id: MessageId,
        /// The recipient.
        to: Email,
        /// The SMTP reply.
        smtp_reply: Option<ServerReply>,
        /// When.
        sent_at: DateTime<Utc>,
    },
    /// A report says the e-mail was delivered. → [`crate::event::EmailDelivered`]
    RecordEmailDelivered {
        /// The message id.
        message_id: MessageId,
        /// The report's text.
        report: Option<ServerReply>,
        /// When.
        delivered_at: DateTime<Utc>,
    },
    /// A report says delivery of the e-mail is delayed (the server keeps trying).
    /// → [`crate::event::EmailDelayed`]
    RecordEmailDelayed {
        /// The message id.
        message_id: MessageId,
        /// The report's text.
        report: ServerReply,
        /// When.
        delayed_at: DateTime<Utc>,
    },
    /// Nothing is sent at the due time, and why (the offer was rejected, its documents are not
    /// published, the contact is missing). → [`crate::event::NotificationSkipped`]
    SkipNotification {
        /// Which channels are skipped.
        channels: Channels,
        /// Why.
        reason: Reason,
        /// When.
        skipped_at: DateTime<Utc>,
    },
    /// A notification goes out again after an attempt whose outcome was not recorded.
    /// → [`crate::event::NotificationRepeated`]
    RecordRepeat {
        /// Which channel.
        channels: Channels,
        /// Which attempt.
        attempt: u32,
        /// The id the message carries again.
        message_id: MessageId,
        /// When.
        repeated_at: DateTime<Utc>,
    },
    /// The e-mail bounced. → [`crate::event::EmailBounced`]
    RecordEmailBounced {
        /// The message id.
        message_id: MessageId,
        /// The bounce reason.
        reason: ServerReply,
        /// When.
        bounced_at: DateTime<Utc>,
    },
    /// The gateway accepted the SMS. → [`crate::event::SmsSent`]
    RecordSmsSent {
        /// The gateway's message id.
        message_id: MessageId,
        /// The recipient.
        to: CzechMobile,
        /// The gateway's reply.
        gateway_reply: Option<ServerReply>,
        /// When.
        sent_at: DateTime<Utc>,
    },
    /// A receipt says the SMS was delivered. → [`crate::event::SmsDelivered`]
    RecordSmsDelivered {
        /// The gateway's message id.
        message_id: MessageId,
        /// When.
        delivered_at: DateTime<Utc>,
    },
    /// The SMS failed. → [`crate::event::SmsFailed`]
    RecordSmsFailed {
        /// The gateway's message id.
        message_id: MessageId,
        /// Why.
        reason: ServerReply,
        /// When.
        failed_at: DateTime<Utc>,
    },
    /// The client opened the storage with the right code. → [`crate::event::StorageOpened`]
    RecordStorageOpened {
        /// Who (`None`: not known).
        client: Option<ClientInfo>,
        /// When.
        opened_at: DateTime<Utc>,
    },
    /// The client downloaded a document, whole or in part. → [`crate::event::DocumentDownloaded`]
    RecordDocumentDownloaded {
        /// Which document (one of the published ones).
        document: DocumentName,
        /// Who (`None`: not known).
        client: Option<ClientInfo>,
        /// Bytes sent.
        bytes_sent: Option<u64>,
        /// Bytes the response was to carry.
        bytes_expected: Option<u64>,
        /// When.
        downloaded_at: DateTime<Utc>,
    },
    /// Help desk: send the e-mail and/or SMS again. → [`crate::event::NotificationResendRequested`]
    RequestResend {
        /// Who asks.
        user: HelpDeskUser,
        /// Why.
        reason: Reason,
        /// Which channels.
        channels: Channels,
        /// When.
        requested_at: DateTime<Utc>,
    },
    /// Help desk: correct the client's e-mail and/or mobile (where notifications go; never the
    /// document). → [`crate::event::ContactCorrected`]
    CorrectContact {
        /// Who corrects.
        user: HelpDeskUser,
        /// Why.
        reason: Reason,
        /// The new e-mail, if it changes.
        email: Option<Email>,
        /// The new mobile, if it changes.
        mobile: Option<CzechMobile>,
        /// When.
        corrected_at: DateTime<Utc>,
    },
    /// Help desk: a paper withdrawal or change request arrived. →
    /// [`crate::event::PaperWithdrawalRecorded`]
    RecordPaperWithdrawal {
        /// Who records it.
        user: HelpDeskUser,
        /// Why / what the paper says.
        reason: Reason,
        /// The day the paper arrived.
        received_on: NaiveDate,
        /// When.
        recorded_at: DateTime<Utc>,
    },
    /// Make the offer effective ("zplatnit"). → [`crate::event::OfferMadeEffective`]
    MakeEffective {
        /// When.
        effective_at: DateTime<Utc>,
    },
}
