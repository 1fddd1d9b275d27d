//! Bounce and delivery webhooks of mail providers.
//!
//! Two shapes are read, told apart by the top-level JSON value:
//!
//! **Our generic shape** (an object with an `events` array), for any
//! provider or relay that an adapter translates:
//!
//! ```json
//! {"events": [{
//!     "type": "bounce",                 // "delivered" | "bounce" | "deferred" (required)
//!     "recipient": "klient@example.cz", // the address the e-mail went to
//!     "envelope_id": "NOTIF-123",       // the ENVID / VERP id the backend sent
//!     "message_id": "<abc@inkseal.cz>", // the Message-ID header (brackets optional)
//!     "bounce_type": "hard",            // "hard" | "soft", for "bounce"
//!     "status": "5.1.1",                // enhanced status (or SMTP reply) code
//!     "diagnostic": "550 5.1.1 no such user",
//!     "timestamp": 1767225600           // Unix seconds (number or digit string)
//! }]}
//! ```
//!
//! Every field but `type` is optional. A bounce without `bounce_type` is
//! soft for a 4.x status and hard otherwise; `deferred` is a soft bounce
//! that is still being retried (action delayed).
//!
//! **SendGrid's Event Webhook** (a top-level array): `delivered`,
//! `deferred`, `bounce` (`type` `bounce` → hard, `blocked` → soft) and
//! `dropped` (the provider never sent it: failed, hard) are read; `email`,
//! `status`, `reason` (or `response`), `smtp-id`, `sg_message_id`,
//! `timestamp`, and a custom argument `envelope_id` if the backend sent one.
//!
//! Events of other types (`processed`, `open`, `click`, … or unknown ones)
//! are skipped; an event that is not an object, or has a field of the wrong
//! JSON type, is a [`WebhookError::InvalidEvent`]. Bounded: body size, event
//! count, text length.

use serde_json::{Map, Value};
use thiserror::Error;

use crate::text::{clean, message_id_value};
use crate::types::{Action, Outcome, Status, classify};

/// Largest webhook body accepted (bytes).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Most events accepted in one body.
pub const MAX_EVENTS: usize = 10_000;

/// Which shape an event was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// Our generic `{"events": [...]}` shape.
    Generic,
    /// SendGrid's Event Webhook array.
    SendGrid,
}

/// One delivery event of a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The shape it came in.
    pub format: WebhookFormat,
    /// Delivered, failed (bounce, dropped) or delayed (deferred).
    pub action: Action,
    /// The outcome, as for a delivery report.
    pub kind: Outcome,
    /// The recipient's address.
    pub recipient: Option<String>,
    /// The envelope id (ENVID / VERP id) the backend sent, if the provider
    /// echoes it.
    pub envelope_id: Option<String>,
    /// The e-mail's `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
    /// The provider's own message id (SendGrid `sg_message_id`).
    pub provider_message_id: Option<String>,
    /// The status code, if one was given and readable.
    pub status: Option<Status>,
    /// The provider's diagnostic text.
    pub diagnostic: Option<String>,
    /// When it happened, in Unix seconds, as the provider says.
    pub timestamp: Option<i64>,
}

/// Why a webhook body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("webhook body of {size} bytes is larger than the {max} bytes accepted")]
    TooLarge {
        /// Size of the body in bytes.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The body is not JSON.
    #[error("webhook body is not JSON: {0}")]
    Json(String),
    /// The JSON is neither an `{"events": [...]}` object nor an array.
    #[error("webhook body is neither {{\"events\": [...]}} nor an array of events")]
    UnknownShape,
    /// More than [`MAX_EVENTS`] events.
    #[error("{count} events in one webhook body, at most {max} accepted")]
    TooManyEvents {
        /// Events in the body.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// One event is malformed.
    #[error("webhook event {index}: {reason}")]
    InvalidEvent {
        /// Position of the event in the body (from 0).
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Reads a webhook body (see the module documentation for the shapes).
///
/// # Errors
///
/// A [`WebhookError`] for an oversized body, invalid JSON, an unknown
/// shape, too many events or a malformed event; nothing is returned then.
pub fn parse_json(body: &[u8]) -> Result<Vec<WebhookEvent>, WebhookError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(WebhookError::TooLarge {
            size: body.len(),
            max: MAX_BODY_BYTES,
        });
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::Json(e.to_string()))?;
    let (format, events) = match &value {
        Value::Array(events) => (WebhookFormat::SendGrid, events),
        Value::Object(object) => match object.get("events") {
            Some(Value::Array(events)) => (WebhookFormat::Generic, events),
            _ => return Err(WebhookError::UnknownShape),
        },
        _ => return Err(WebhookError::UnknownShape),
    };
    if events.len() > MAX_EVENTS {
        return Err(WebhookError::TooManyEvents {
            count: events.len(),
            max: MAX_EVENTS,
        });
    }
    let mut out = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let invalid = |reason| WebhookError::InvalidEvent { index, reason };
        let Value::Object(event) = event else {
            return Err(invalid("not an object"));
        };
        let read = match format {
            WebhookFormat::Generic => generic(event),
            WebhookFormat::SendGrid => sendgrid(event),
        };
        if let Some(event) = read.map_err(invalid)? {
            out.push(event);
        }
    }
    Ok(out)
}

fn generic(event: &Map<String, Value>) -> Result<Option<WebhookEvent>, &'static str> {
    let kind = string(event, "type")?.ok_or("no \"type\"")?;
    let status = status(event)?;
    let (action, outcome) = match kind.to_ascii_lowercase().as_str() {
        "delivered" => (Action::Delivered, Outcome::Delivered),
        "deferred" => (Action::Delayed, Outcome::SoftBounce),
        "bounce" => {
            let bounce_type = string(event, "bounce_type")?.map(|t| t.to_ascii_lowercase());
            let outcome = match bounce_type.as_deref() {
                Some("hard") => Outcome::HardBounce,
                Some("soft") => Outcome::SoftBounce,
                None => classify(Action::Failed, status),
                Some(_) => return Err("\"bounce_type\" is neither \"hard\" nor \"soft\""),
            };
            (Action::Failed, outcome)
        }
        _ => return Ok(None),
    };
    Ok(Some(WebhookEvent {
        format: WebhookFormat::Generic,
        action,
        kind: outcome,
        recipient: string(event, "recipient")?.and_then(|s| clean(&s)),
        envelope_id: string(event, "envelope_id")?.and_then(|s| clean(&s)),
        message_id: string(event, "message_id")?.and_then(|s| message_id_value(&s)),
        provider_message_id: None,
        status,
        diagnostic: string(event, "diagnostic")?.and_then(|s| clean(&s)),
        timestamp: timestamp(event)?,
    }))
}

fn sendgrid(event: &Map<String, Value>) -> Result<Option<WebhookEvent>, &'static str> {
    let kind = string(event, "event")?.ok_or("no \"event\"")?;
    let status = status(event)?;
    let (action, outcome) = match kind.to_ascii_lowercase().as_str() {
        "delivered" => (Action::Delivered, Outcome::Delivered),
        "deferred" => (Action::Delayed, Outcome::SoftBounce),
        "dropped" => (Action::Failed, Outcome::HardBounce),
        "bounce" => {
            let outcome = match string(event, "type")?
                .map(|t| t.to_ascii_lowercase())
                .as_deref()
            {
                Some("blocked") => Outcome::SoftBounce,
                Some("bounce") => Outcome::HardBounce,
                _ => classify(Action::Failed, status),
            };
            (Action::Failed, outcome)
        }
        _ => return Ok(None),
    };
    let diagnostic = match string(event, "reason")? {
        Some(reason) => Some(reason),
        None => string(event, "response")?,
    };
    Ok(Some(WebhookEvent {
        format: WebhookFormat::SendGrid,
        action,
        kind: outcome,
        recipient: string(event, "email")?.and_then(|s| clean(&s)),
        envelope_id: string(event, "envelope_id")?.and_then(|s| clean(&s)),
        message_id: string(event, "smtp-id")?.and_then(|s| message_id_value(&s)),
        provider_message_id: string(event, "sg_message_id")?.and_then(|s| clean(&s)),
        status,
        diagnostic: diagnostic.and_then(|s| clean(&s)),
        timestamp: timestamp(event)?,
    }))
}

/// A string field (absent or `null` → `None`; another type is an error).
fn string(event: &Map<String, Value>, key: &'static str) -> Result<Option<String>, &'static str> {
    match event.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(match key {
            "type" => "\"type\" is not a string",
            "event" => "\"event\" is not a string",
            "recipient" => "\"recipient\" is not a string",
            "email" => "\"email\" is not a string",
            "envelope_id" => "\"envelope_id\" is not a string",
            "message_id" => "\"message_id\" is not a string",
            "smtp-id" => "\"smtp-id\" is not a string",
            "sg_message_id" => "\"sg_message_id\" is not a string",
            "bounce_type" => "\"bounce_type\" is not a string",
            "diagnostic" => "\"diagnostic\" is not a string",
            "reason" => "\"reason\" is not a string",
            "response" => "\"response\" is not a string",
            _ => "a text field is not a string",
        }),
    }
}

/// `status`: a string (`"5.1.1"`, `"550"`) or a number (`550`); an
/// unreadable code gives `None`.
fn status(event: &Map<String, Value>) -> Result<Option<Status>, &'static str> {
    match event.get("status") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Status::parse(s)),
        Some(Value::Number(n)) => Ok(Status::parse(&n.to_string())),
        Some(_) => Err("\"status\" is neither a string nor a number"),
    }
}

/// `timestamp`: Unix seconds as an integer or a string of digits.
fn timestamp(event: &Map<String, Value>) -> Result<Option<i64>, &'static str> {
    match event.get("timestamp") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or("\"timestamp\" is not a whole number of seconds"),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| "\"timestamp\" is not a whole number of seconds"),
        Some(_) => Err("\"timestamp\" is not a whole number of seconds"),
    }
}
