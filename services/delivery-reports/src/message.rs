//! [`parse`]: one message from the bounce mailbox → a [`Report`].

use mailparse::body::Body;
use mailparse::{MailHeaderMap, ParsedMail};

use crate::dsn::{self, DeliveryStatus};
use crate::heuristic;
use crate::text::{header_address, message_id_value, normalize_field_block, normalize_message};
use crate::{MAX_BOUNDARY_LINES, MAX_INPUT_BYTES, ParseError, Report};

/// How deep reports forwarded inside `message/rfc822` parts are looked for.
const MAX_NESTING: usize = 3;
/// Most forwarded messages opened per level.
const MAX_FORWARDED_PER_LEVEL: usize = 4;
/// Most MIME parts looked at per message (a message has at most one more
/// part than boundary lines).
const MAX_PARTS: usize = MAX_BOUNDARY_LINES + 1;

const DELIVERY_STATUS_TYPES: &[&str] =
    &["message/delivery-status", "message/global-delivery-status"];
const FORWARDED_TYPES: &[&str] = &["message/rfc822", "message/global"];
const ORIGINAL_TYPES: &[&str] = &[
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/rfc822-headers",
    "message/global-headers",
    "text/rfc822",
];
/// Headers naming the envelope recipient of the bounce, best first.
const ENVELOPE_HEADERS: &[&str] = &["X-Original-To", "Delivered-To", "Envelope-To", "To"];

/// Reads one whole message (RFC 5322 bytes, CRLF or LF line ends, an mbox
/// `From ` line tolerated) as a bounce mailbox receives it.
///
/// A delivery status notification (RFC 3464 `message/delivery-status` or
/// RFC 6533 `message/global-delivery-status`, also inside a forwarded
/// `message/rfc822`, up to three levels deep) gives one
/// [`crate::RecipientReport`] per per-recipient group. Without one, or when
/// its part has no per-recipient group, the message is read as an older
/// bounce ([`Report::heuristic`] is then `true`): the status code and the
/// diagnostic come from the bounce's text, and the recipient only from an
/// `X-Failed-Recipients` header (else the single recipient has no
/// address: use [`Report::to_address`] and its VERP id).
///
/// # Errors
///
/// [`ParseError::TooLarge`] over [`MAX_INPUT_BYTES`];
/// [`ParseError::TooManyParts`] over [`MAX_BOUNDARY_LINES`];
/// [`ParseError::Mime`] when `mailparse` cannot read the structure;
/// [`ParseError::NotADeliveryReport`] when nothing marks the message as a
/// bounce (an auto-reply, spam).
pub fn parse(raw: &[u8]) -> Result<Report, ParseError> {
    if raw.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let data = normalize_message(raw);
    let boundary_lines = count_boundary_lines(&data);
    if boundary_lines > MAX_BOUNDARY_LINES {
        return Err(ParseError::TooManyParts {
            lines: boundary_lines,
            max: MAX_BOUNDARY_LINES,
        });
    }
    let mail = mailparse::parse_mail(&data).map_err(|e| ParseError::Mime(e.to_string()))?;
    let parts = walk(&mail);

    let mut candidates = envelope_addresses(&mail);
    let found = find_report(&parts, 0, &mut candidates);
    let to_address = choose_to_address(&candidates);

    match found {
        Some(found) if !found.status.recipients.is_empty() => Ok(Report {
            envelope_id: found.status.envelope_id,
            reporting_mta: found.status.reporting_mta,
            arrival_date: found.status.arrival_date,
            original_message_id: found.original_message_id,
            recipients: found.status.recipients,
            heuristic: false,
            to_address,
        }),
        partial => {
            let guess = heuristic::guess(&mail, &parts, partial.is_some())
                .ok_or(ParseError::NotADeliveryReport)?;
            let (status, original_message_id) = match partial {
                Some(found) => (found.status, found.original_message_id),
                None => (DeliveryStatus::default(), None),
            };
            Ok(Report {
                envelope_id: status.envelope_id,
                reporting_mta: status.reporting_mta,
                arrival_date: status.arrival_date,
                original_message_id: original_message_id
                    .or_else(|| parts.iter().find_map(|p| original_message_id_of(p)))
                    .or(guess.original_message_id),
                recipients: guess.recipients,
                heuristic: true,
                to_address,
            })
        }
    }
}

/// Lines starting with `--` in a message with LF line ends.
fn count_boundary_lines(data: &[u8]) -> usize {
    let first = usize::from(data.starts_with(b"--"));
    first + data.windows(3).filter(|w| w == b"\n--").count()
}

/// A delivery-status part and the returned message's id next to it.
struct Found {
    status: DeliveryStatus,
    original_message_id: Option<String>,
}

/// The parts of `mail` in document order (depth first, the message itself
/// first), at most [`MAX_PARTS`]. Forwarded messages are not opened.
pub(crate) fn walk<'m, 'a>(mail: &'m ParsedMail<'a>) -> Vec<&'m ParsedMail<'a>> {
    let mut out = Vec::new();
    let mut stack = vec![mail];
    while let Some(part) = stack.pop() {
        if out.len() >= MAX_PARTS {
            break;
        }
        out.push(part);
        stack.extend(part.subparts.iter().rev());
    }
    out
}

/// The first delivery-status part at the outermost level that has one.
fn find_report(
    parts: &[&ParsedMail<'_>],
    depth: usize,
    candidates: &mut Vec<String>,
) -> Option<Found> {
    for (i, part) in parts.iter().enumerate() {
        if DELIVERY_STATUS_TYPES.contains(&part.ctype.mimetype.as_str()) {
            let status = dsn::parse(&body_bytes(part));
            let original_message_id = parts
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .find_map(|p| original_message_id_of(p));
            return Some(Found {
                status,
                original_message_id,
            });
        }
    }
    if depth >= MAX_NESTING {
        return None;
    }
    let forwarded = parts
        .iter()
        .filter(|p| FORWARDED_TYPES.contains(&p.ctype.mimetype.as_str()))
        .take(MAX_FORWARDED_PER_LEVEL);
    for part in forwarded {
        let inner = normalize_message(&body_bytes(part));
        // A decoded (base64) forwarded message brings new lines: bound it
        // like the outer one.
        if count_boundary_lines(&inner) > MAX_BOUNDARY_LINES {
            continue;
        }
        let Ok(mail) = mailparse::parse_mail(&inner) else {
            continue;
        };
        let inner_parts = walk(&mail);
        if let Some(found) = find_report(&inner_parts, depth + 1, candidates) {
            candidates.extend(envelope_addresses(&mail));
            return Some(found);
        }
    }
    None
}

/// The body of a part with its transfer encoding removed (or as written,
/// when the encoding is broken).
pub(crate) fn body_bytes(part: &ParsedMail<'_>) -> Vec<u8> {
    part.get_body_raw()
        .unwrap_or_else(|_| match part.get_body_encoded() {
            Body::Base64(b) | Body::QuotedPrintable(b) => b.get_raw().to_vec(),
            Body::SevenBit(b) | Body::EightBit(b) => b.get_raw().to_vec(),
            Body::Binary(b) => b.get_raw().to_vec(),
        })
}

/// The `Message-ID` of a returned message or returned headers part.
fn original_message_id_of(part: &ParsedMail<'_>) -> Option<String> {
    if !ORIGINAL_TYPES.contains(&part.ctype.mimetype.as_str()) {
        return None;
    }
    let block = normalize_field_block(&normalize_message(&body_bytes(part)));
    let (headers, _) = mailparse::parse_headers(&block).ok()?;
    headers
        .get_first_value("Message-ID")
        .and_then(|v| message_id_value(&v))
}

/// The addresses of the envelope headers of `mail`, best first.
fn envelope_addresses(mail: &ParsedMail<'_>) -> Vec<String> {
    ENVELOPE_HEADERS
        .iter()
        .flat_map(|name| mail.headers.get_all_values(name))
        .filter_map(|value| header_address(&value))
        .take(16)
        .collect()
}

/// The first candidate that looks like a VERP address (`+` or `=` in the
/// local part), else the first one.
fn choose_to_address(candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .find(|a| {
            a.rsplit_once('@')
                .is_some_and(|(local, _)| local.contains(['+', '=']))
        })
        .or_else(|| candidates.first())
        .cloned()
}
