//! Reading a bounce that has no usable delivery-status part: old Postfix,
//! qmail, Exim, Sendmail and Microsoft bounces, and other texts.
//!
//! Only what can be found reliably is taken: the status code in the
//! bounce's own text (an enhanced code of class 4 or 5, else a known SMTP
//! failure reply code), the text around it as the diagnostic, the failed
//! addresses of an `X-Failed-Recipients` header (Exim), and the returned
//! message's `Message-ID`. Free-text addresses are not guessed at: the
//! report's `to_address` (the VERP address) identifies the e-mail.

use mailparse::{MailHeaderMap, ParsedMail};

use crate::MAX_RECIPIENTS;
use crate::message::body_bytes;
use crate::status::{find_enhanced, find_in_text};
use crate::text::{clean, header_address, message_id_value};
use crate::types::{Action, RecipientReport, Status, classify};

/// How much of the bounce's text is looked at (bytes).
const MAX_NOTICE_BYTES: usize = 64 * 1024;

/// Lines (after leading dashes, stars and spaces) at which the returned
/// message starts: the notice ends there.
const RETURNED_MESSAGE_MARKERS: &[&str] = &[
    "below this line is a copy of the message",
    "this is a copy of the message",
    "original message",
    "message header follows",
    "message headers follow",
    "unsent message follows",
    "the header of the original message",
];

const PERMANENT_WORDS: &[&str] = &[
    "permanent",
    "fatal error",
    "given up",
    "gave up",
    "giving up",
];

const DELAY_WORDS: &[&str] = &[
    "not yet been delivered",
    "has been delayed",
    "delivery attempts will continue",
    "will continue to attempt",
    "will continue trying",
    "will keep trying",
    "will be retried",
    "will retry",
    "still trying",
    "warning message only",
    "just a warning",
];

const DELAY_SUBJECT_WORDS: &[&str] = &["delay", "not yet been delivered", "warning: message"];

const BOUNCE_SUBJECT_WORDS: &[&str] = &[
    "undeliver",
    "delivery fail",
    "delivery status",
    "delivery notification",
    "delivery warning",
    "delivery problem",
    "delivery report",
    "returned mail",
    "returning message",
    "failure notice",
    "failed mail",
    "mail failed",
    "mail delivery",
    "not delivered",
    "could not be delivered",
    "non-delivery",
    "nondeliver",
    "delayed",
    "bounce",
    "rejected mail",
];

const DAEMON_SENDER_WORDS: &[&str] = &["mailer-daemon", "postmaster", "mail delivery", "mdaemon"];

/// What the text of a bounce gives.
pub(crate) struct Guess {
    pub recipients: Vec<RecipientReport>,
    pub original_message_id: Option<String>,
}

/// Reads `mail` as a bounce without per-recipient groups (its text is the
/// first `text/plain` part that is not blank); `None` when
/// nothing marks it as a bounce (`has_report_part` says a delivery-status
/// part was there, which does).
pub(crate) fn guess(
    mail: &ParsedMail<'_>,
    parts: &[&ParsedMail<'_>],
    has_report_part: bool,
) -> Option<Guess> {
    let full_text = parts
        .iter()
        .filter(|p| p.ctype.mimetype == "text/plain")
        .map(|p| text_of(p))
        .find(|text| !text.trim().is_empty())
        .unwrap_or_default();
    let notice = notice_part(&full_text);
    let subject = mail
        .headers
        .get_first_value("Subject")
        .unwrap_or_default()
        .to_lowercase();
    let from = mail
        .headers
        .get_first_value("From")
        .unwrap_or_default()
        .to_lowercase();
    let failed: Vec<String> = mail
        .headers
        .get_all_values("X-Failed-Recipients")
        .iter()
        .flat_map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|a| header_address(&a))
        .take(MAX_RECIPIENTS)
        .collect();

    let evidence = has_report_part
        || !failed.is_empty()
        || find_enhanced(notice, &[4, 5]).is_some()
        || DAEMON_SENDER_WORDS.iter().any(|w| from.contains(w))
        || BOUNCE_SUBJECT_WORDS.iter().any(|w| subject.contains(w));
    if !evidence {
        return None;
    }

    let found = find_in_text(notice, &[4, 5]);
    let status = found.map(|(status, _)| status);
    let diagnostic = match found {
        Some((_, offset)) => clean(paragraph_around(notice, offset)),
        None => clean(notice),
    };
    let lower = notice.to_lowercase();
    let permanent = matches!(status, Some(Status { class: 5, .. }))
        || PERMANENT_WORDS.iter().any(|w| lower.contains(w));
    let delayed = DELAY_WORDS.iter().any(|w| lower.contains(w))
        || DELAY_SUBJECT_WORDS.iter().any(|w| subject.contains(w));
    let action = if !permanent && delayed {
        Action::Delayed
    } else {
        Action::Failed
    };
    let recipient = |final_recipient: Option<String>| RecipientReport {
        final_recipient,
        original_recipient: None,
        action,
        status,
        kind: classify(action, status),
        diagnostic: diagnostic.clone(),
        remote_mta: None,
        last_attempt_date: None,
    };
    let recipients = if failed.is_empty() {
        vec![recipient(None)]
    } else {
        failed.into_iter().map(|a| recipient(Some(a))).collect()
    };
    Some(Guess {
        recipients,
        original_message_id: returned_message_id(&full_text),
    })
}

/// The decoded text of a part, at most [`MAX_NOTICE_BYTES`].
fn text_of(part: &ParsedMail<'_>) -> String {
    let mut text = part
        .get_body()
        .unwrap_or_else(|_| String::from_utf8_lossy(&body_bytes(part)).into_owned());
    if text.len() > MAX_NOTICE_BYTES {
        let mut end = MAX_NOTICE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    text
}

/// The text up to the line where the returned message starts.
fn notice_part(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let stripped = line
            .trim_start_matches(|c: char| c == '-' || c == '*' || c == '=' || c.is_whitespace())
            .to_lowercase();
        if RETURNED_MESSAGE_MARKERS
            .iter()
            .any(|m| stripped.starts_with(m))
        {
            return text.get(..offset).unwrap_or(text);
        }
        offset += line.len();
    }
    text
}

/// The paragraph (lines between blank lines) around byte `offset`.
fn paragraph_around(text: &str, offset: usize) -> &str {
    let before = text.get(..offset).unwrap_or_default();
    let start = before.rfind("\n\n").map_or(0, |p| p + 2);
    let after = text.get(offset..).unwrap_or_default();
    let end = after.find("\n\n").map_or(text.len(), |p| offset + p);
    text.get(start..end).unwrap_or_default()
}

/// The `Message-ID` of returned headers quoted in the text (a line
/// starting with `Message-ID:`, possibly folded).
fn returned_message_id(text: &str) -> Option<String> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.eq_ignore_ascii_case("message-id") {
            continue;
        }
        if !value.trim().is_empty() {
            return message_id_value(value);
        }
        return lines
            .next()
            .filter(|next| next.starts_with([' ', '\t']))
            .and_then(message_id_value);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_ends_where_the_returned_message_starts() {
        let text = "Sorry.\n\n<a@x>: 550 5.1.1 no such user\n\n--- Below this line is a copy of the message.\n\nMessage-ID: <m@x>\n";
        assert_eq!(
            notice_part(text),
            "Sorry.\n\n<a@x>: 550 5.1.1 no such user\n\n"
        );
        assert_eq!(returned_message_id(text).as_deref(), Some("m@x"));
        let offset = text.find("550").unwrap();
        assert_eq!(
            paragraph_around(text, offset),
            "<a@x>: 550 5.1.1 no such user"
        );
    }

    #[test]
    fn folded_message_id() {
        assert_eq!(
            returned_message_id("To: x\nMessage-ID:\n <folded@x>\n").as_deref(),
            Some("folded@x")
        );
    }
}
