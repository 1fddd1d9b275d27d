//! The offer lifecycle: commands, events and state of one signed insurance offer, and the two pure
//! functions that run it — [`decide`] (may this command happen, and which events does it produce?) and
//! [`evolve()`] (what is the state after this event?).
//!
//! **Architecture invariant:** this crate does no I/O, reads no clock and draws no random numbers.
//! Storage, gRPC, mail and time are the callers' business; every rule here is a plain function of
//! its inputs, tested as such.
//!
//! # The offer's states
//!
//! The agent sees four states (seed, question 7), which only move forward; see [`OfferStatus`]:
//!
//! | # | [`OfferStatus::text_cs`] | reached by |
//! | --- | --- | --- |
//! | 1 | Nabídka je rozpracována, čeká na podpis | [`OfferModelled`](event::OfferModelled) |
//! | 2 | Nabídka podepsána, čeká na synchronizaci SmartClienta – již ji nelze editovat | [`OfferSealed`](event::OfferSealed) |
//! | 3 | Nabídka byla odeslána do PČS | [`OfferReceived`](event::OfferReceived) |
//! | 4 | PČS přijala nabídku do zpracování | [`OfferAccepted`](event::OfferAccepted) |
//!
//! A rejected offer ([`OfferRejected`](event::OfferRejected)) stays in state 3, marked rejected. For
//! state 2 the seed's full wording is used; the product brief shortens it to "čeká na synchronizaci".
//!
//! # Rules
//!
//! - Signing needs the client's e-mail and Czech mobile number, both valid ([`contact`]).
//! - Fields are signed in the order of the document, each by its role, each once; a biometric
//!   envelope belongs to one field.
//! - "Save and send" ([`Command::SealOffer`]) needs every field signed. After it, nothing changes the
//!   document or the signatures, and there is no cancel command: a withdrawal or change arrives on
//!   paper and the help desk records it.
//! - The backend's copy must be the sealed PDF (same SHA-256).
//! - While the latest e-mail to the client's current address is not delivered, the offer cannot be
//!   made effective ("Nabídku nelze zplatnit: klientovi se nepodařilo doručit e-mail."). A bounce
//!   blocks until a later delivery report; a help-desk correction of the e-mail address blocks until
//!   an e-mail to the new address is delivered.
//! - The client's storage opens only with the current access code: five wrong codes in a row lock
//!   it ([`StorageLocked`](event::StorageLocked)) until a new code is issued, which also moves the
//!   expiry; every wrong code and every visit to a locked or expired entry is recorded.
//! - Every help-desk action names the user and a non-empty reason.
//! - Every list and counter is bounded ([`limits`]).
//! - Restating a recorded fact produces no events; contradicting it is an error (see [`decide()`]).
//!
//! # Which commands each state allows
//!
//! ✓ allowed (subject to the condition); ✗ refused with a [`LifecycleError`]; *same* = only a
//! restatement of the recorded fact, which produces no events (anything else is refused); — the
//! offer does not exist yet ([`LifecycleError::OfferNotModelled`]).
//!
//! | command | no offer | 1 | 2 | 3 | 3, rejected | 4 |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | `ModelOffer` | ✓ | ✓ by the same agent while no field is signed | *same* | *same* | *same* | *same* |
//! | `StartSigning` | — | ✓ with e-mail and mobile | ✗ | ✗ | ✗ | ✗ |
//! | `SignField` | — | ✓ after `StartSigning`, next field, its role | *same* | *same* | *same* | *same* |
//! | `SealOffer` | — | ✓ all fields signed | *same* | *same* | *same* | *same* |
//! | `ReceiveOffer` | — | ✗ | ✓ PDF hash = sealed hash | *same* | *same* | *same* |
//! | `AcceptOffer` | — | ✗ | ✗ | ✓ | ✗ | *same* |
//! | `RejectOffer` | — | ✗ | ✗ | ✓ | *same* reason | ✗ |
//! | `PublishDocuments` | — | ✗ | ✗ | ✗ | ✗ | ✓ expiry after publication, ≥ 1 document |
//! | `IssueAccessCode` | — | ✗ | ✗ | ✗ | ✗ | ✓ once published |
//! | `RecordWrongAccessCode` | — | ✗ | ✗ | ✗ | ✗ | ✓ once a code is issued |
//! | `RecordRefusedVisit` | — | ✗ | ✗ | ✗ | ✗ | ✓ while locked or expired |
//! | `ScheduleNotification` | — | ✗ | ✗ | ✓ | ✓ | ✓ |
//! | `SkipNotification` | — | ✗ | ✗ | ✓ | ✓ | ✓ once scheduled |
//! | `RecordRepeat` | — | ✗ | ✗ | ✗ | ✗ | ✓ once published |
//! | `RecordEmailSent`, `RecordSmsSent` | — | ✗ | ✗ | ✗ | ✗ | ✓ once published |
//! | `RecordEmailDelivered` / `Delayed` / `Bounced`, `RecordSmsDelivered` / `Failed` | — | ✗ | ✗ | ✗ | ✗ | ✓ for a recorded message |
//! | `RecordStorageOpened` | — | ✗ | ✗ | ✗ | ✗ | ✓ with a code issued, neither locked nor expired |
//! | `RecordDocumentDownloaded` | — | ✗ | ✗ | ✗ | ✗ | ✓ a published document |
//! | `RequestResend` (help desk) | — | ✗ | ✗ | ✗ | ✗ | ✓ once published |
//! | `CorrectContact` (help desk) | — | ✗ (the agent edits the offer) | ✓ | ✓ | ✓ | ✓ |
//! | `RecordPaperWithdrawal` (help desk) | — | ✗ (nothing to withdraw) | ✓ once | ✓ once | ✓ once | ✓ once |
//! | `MakeEffective` | — | ✗ | ✗ | ✗ | ✗ | ✓ e-mail delivered, no withdrawal; then *same* |
//!
//! Once effective, an offer still takes the state-4 commands (notifications, access records,
//! help-desk actions); making it effective again is a restatement.
//!
//! # Stored form
//!
//! [`schema::encode`] and [`schema::decode`] turn events into `(type name, schema version, payload)`
//! and back, upcasting old versions on read.

pub mod command;
pub mod contact;
mod decide;
pub mod error;
pub mod event;
mod evolve;
pub mod field;
pub mod hash;
pub mod ids;
pub mod limits;
mod newtype;
pub mod pad;
pub mod publication;
pub mod schema;
pub mod signature;
pub mod state;
pub mod text;

pub use command::Command;
pub use contact::{Contacts, CzechMobile, Email};
pub use decide::decide;
pub use error::{LifecycleError, ValidationError};
pub use event::Event;
pub use evolve::{evolve, replay};
pub use field::{FieldRect, SignatureField, SignerRole};
pub use hash::Sha256;
pub use ids::{
    AgentId, DocumentName, FieldId, FirmwareVersion, HelpDeskUser, MessageId, OfferId, OfferNumber,
    PadSerial,
};
pub use pad::{PadModel, SignPad};
pub use publication::{
    AccessCodeHash, AccessRefusal, Channels, ClientInfo, DocumentKind, FileName, PublishedDocument,
    StorageFolder, UserAgent,
};
pub use schema::{EncodedEvent, SchemaError, decode, decode_slice, encode};
pub use signature::SignatureQuality;
pub use state::{DeliveryStatus, Offer, OfferState, OfferStatus, StorageAccess};
pub use text::{FieldLabel, PersonName, Reason, ServerReply};
