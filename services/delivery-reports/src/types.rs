//! The data a delivery report is read into.

use std::fmt;

use crate::verp::verp_id;

/// One delivery report: one message from the bounce mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// `Original-Envelope-Id` of the per-message group: the `ENVID` the
    /// backend sent with `MAIL FROM`, as the reporting MTA wrote it.
    pub envelope_id: Option<String>,
    /// `Reporting-MTA`, without a `dns;` type (other types are kept, e.g.
    /// `x400; …`).
    pub reporting_mta: Option<String>,
    /// `Arrival-Date` of the per-message group, as written (not parsed: the
    /// crate has no clock and keeps no time zone rules).
    pub arrival_date: Option<String>,
    /// `Message-ID` of the returned message (from an attached
    /// `message/rfc822`, `text/rfc822-headers` or their RFC 6533 forms, or,
    /// in a heuristic report, from the returned headers in the text),
    /// without the angle brackets.
    pub original_message_id: Option<String>,
    /// One entry per per-recipient group (at most [`crate::MAX_RECIPIENTS`];
    /// further groups are ignored); never empty in a report
    /// [`crate::parse`] returns. A heuristic report has one entry per
    /// `X-Failed-Recipients` address, else a single entry without an
    /// address.
    pub recipients: Vec<RecipientReport>,
    /// `true` when the report was not read from a delivery-status part with
    /// per-recipient groups but guessed from a bounce's text: the status and
    /// diagnostic come from the text, the recipient only from an
    /// `X-Failed-Recipients` header.
    pub heuristic: bool,
    /// The address the report was delivered to (the envelope recipient of
    /// the bounce, normally the VERP address `bounces+<id>@<domain>`): of
    /// the `X-Original-To`, `Delivered-To`, `Envelope-To` and `To` headers
    /// (in that order, then those of a forwarded report), the first address
    /// with a `+` or `=` in its local part, else the first address.
    pub to_address: Option<String>,
}

impl Report {
    /// The VERP id of [`Report::to_address`] for the given local-part prefix
    /// (see [`crate::verp_id`]).
    pub fn verp_id(&self, local_prefix: &str) -> Option<&str> {
        self.to_address
            .as_deref()
            .and_then(|address| verp_id(address, local_prefix))
    }
}

/// What a report says about one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientReport {
    /// `Final-Recipient`: the address (for `rfc822;` and `utf-8;` types,
    /// without the type and angle brackets; other types are kept whole, e.g.
    /// `x400; /S=…`).
    pub final_recipient: Option<String>,
    /// `Original-Recipient` (the `ORCPT` the backend sent), read like
    /// [`RecipientReport::final_recipient`].
    pub original_recipient: Option<String>,
    /// `Action`, read leniently (`failure`, `error` → failed; case ignored);
    /// missing or unknown → derived from the status class, else failed.
    pub action: Action,
    /// `Status` (an enhanced status code; an SMTP reply code such as `553`
    /// becomes `5.0.0`); when the field is missing, the first code in the
    /// `Diagnostic-Code`.
    pub status: Option<Status>,
    /// The outcome: [`classify`] of `action` and `status`.
    pub kind: Outcome,
    /// `Diagnostic-Code` without its type (`smtp;`), whitespace collapsed;
    /// without one, the comment after the status code (`5.0.0 (quota)`).
    pub diagnostic: Option<String>,
    /// `Remote-MTA`, without a `dns;` type.
    pub remote_mta: Option<String>,
    /// `Last-Attempt-Date`, as written.
    pub last_attempt_date: Option<String>,
}

/// The `Action` of a per-recipient group (RFC 3464 section 2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The message was delivered to the recipient's mailbox.
    Delivered,
    /// The message could not be delivered; the MTA has given up.
    Failed,
    /// Delivery is delayed; the MTA keeps trying.
    Delayed,
    /// Relayed to a system that sends no further reports.
    Relayed,
    /// Delivered and forwarded to further recipients (an alias or list).
    Expanded,
}

impl Action {
    /// Reads an `Action` value leniently: the first word, case ignored;
    /// `failed`, `failure`, `fail`, `error`, `bounced` and `undeliverable`
    /// are failures, `delayed` and `delay` delays.
    pub fn parse(value: &str) -> Option<Action> {
        let word: String = value
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        match word.as_str() {
            "delivered" => Some(Action::Delivered),
            "failed" | "failure" | "fail" | "error" | "bounced" | "bounce" | "undeliverable" => {
                Some(Action::Failed)
            }
            "delayed" | "delay" | "deferred" => Some(Action::Delayed),
            "relayed" => Some(Action::Relayed),
            "expanded" => Some(Action::Expanded),
            _ => None,
        }
    }

    /// The action a status class implies (2 → delivered, 4 → delayed,
    /// 5 → failed).
    pub fn from_status(status: Status) -> Option<Action> {
        match status.class {
            2 => Some(Action::Delivered),
            4 => Some(Action::Delayed),
            5 => Some(Action::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Delivered => "delivered",
            Action::Failed => "failed",
            Action::Delayed => "delayed",
            Action::Relayed => "relayed",
            Action::Expanded => "expanded",
        })
    }
}

/// An enhanced mail system status code (RFC 3463): `class.subject.detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent
    /// failure).
    pub class: u8,
    /// The subject (0–999), e.g. 1 for addressing.
    pub subject: u16,
    /// The detail (0–999), e.g. 1 in `5.1.1` (no such mailbox).
    pub detail: u16,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// What happened to the e-mail for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Delivered (or relayed/expanded onwards).
    Delivered,
    /// A permanent failure (5.x, or failed without a transient status): the
    /// address will not work as it is.
    HardBounce,
    /// Delayed (the MTA keeps trying), or given up on for a transient reason
    /// (4.x).
    SoftBounce,
}

/// Classifies one recipient.
///
/// The action says whether delivery is over; the status class refines a
/// failure:
///
/// | action | status | outcome |
/// |---|---|---|
/// | delivered, relayed, expanded | any | [`Outcome::Delivered`] |
/// | delayed | any | [`Outcome::SoftBounce`] |
/// | failed | 4.x | [`Outcome::SoftBounce`] (gave up on a transient failure) |
/// | failed | 5.x, 2.x or none | [`Outcome::HardBounce`] |
///
/// (A report without a usable `Action` already has one derived from its
/// status class: 2.x delivered, 4.x delayed, 5.x failed.)
pub fn classify(action: Action, status: Option<Status>) -> Outcome {
    match action {
        Action::Delivered | Action::Relayed | Action::Expanded => Outcome::Delivered,
        Action::Delayed => Outcome::SoftBounce,
        Action::Failed => match status {
            Some(Status { class: 4, .. }) => Outcome::SoftBounce,
            _ => Outcome::HardBounce,
        },
    }
}
