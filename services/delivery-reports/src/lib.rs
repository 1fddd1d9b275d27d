//! Reads e-mail delivery reports, so the backend can record what happened to
//! each e-mail it sent.
//!
//! The backend sends every client e-mail with its own envelope sender (VERP,
//! `bounces+<id>@<bounce domain>`) and, where the server supports it, with
//! an `ENVID` and `NOTIFY=SUCCESS,FAILURE,DELAY`. What comes back ends up in
//! a bounce mailbox or arrives from a mail provider's webhook; this crate
//! turns either into plain data:
//!
//! * [`parse`] reads one whole message (RFC 5322 bytes) from the bounce
//!   mailbox: an RFC 3464 delivery status notification
//!   (`multipart/report; report-type=delivery-status` with a
//!   `message/delivery-status` part), its RFC 6533 UTF-8 form
//!   (`message/global-delivery-status`), also when it is forwarded inside a
//!   `message/rfc822`, or an older bounce without a delivery-status part
//!   (Postfix, qmail, Exim, Sendmail, Microsoft texts), which is read
//!   heuristically and marked so ([`Report::heuristic`]).
//! * [`verp_id`] takes the notification id back out of a VERP address.
//! * [`webhook::parse_json`] reads a provider's bounce/delivery webhook: a
//!   documented generic shape of our own, or SendGrid's event array.
//!
//! Every recipient's outcome is classified the same way ([`classify`]):
//! delivered, hard bounce (permanent, 5.x) or soft bounce (delayed or 4.x).
//!
//! Architecture invariant: no I/O, no clock, no randomness; bad input is a
//! typed error ([`ParseError`], [`webhook::WebhookError`]) and never a panic.
//! Everything is bounded: input size ([`MAX_INPUT_BYTES`]), MIME parts
//! ([`MAX_BOUNDARY_LINES`]), recipients per
//! report ([`MAX_RECIPIENTS`]), the length of every text value
//! ([`MAX_FIELD_CHARS`]) and the nesting of forwarded messages.

mod dsn;
mod error;
mod heuristic;
mod message;
mod status;
mod text;
mod types;
mod verp;
pub mod webhook;

pub use error::ParseError;
pub use message::parse;
pub use types::{Action, Outcome, RecipientReport, Report, Status, classify};
pub use verp::verp_id;

/// Largest message [`parse`] accepts (10 MiB); larger input is refused with
/// [`ParseError::TooLarge`].
pub const MAX_INPUT_BYTES: usize = 10 * 1024 * 1024;

/// Most lines starting with `--` (possible MIME boundaries) in a message
/// [`parse`] reads; more are refused with [`ParseError::TooManyParts`]. A
/// bounce has a handful; the limit keeps a hostile message of many tiny
/// parts from taking memory many times its size.
pub const MAX_BOUNDARY_LINES: usize = 10_000;

/// Most recipients kept from one report; further per-recipient groups are
/// ignored.
pub const MAX_RECIPIENTS: usize = 100;

/// Longest text value kept (in characters); longer values are cut there.
pub const MAX_FIELD_CHARS: usize = 1000;
