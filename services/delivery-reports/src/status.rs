//! Status codes: the `Status` field, and codes found in free text.

use crate::types::Status;

/// SMTP reply codes accepted when scanning free text (a bare three-digit
/// number is only taken for a status when it is a known failure reply).
const SMTP_FAILURE_REPLIES: &[u16] = &[
    421, 432, 450, 451, 452, 454, 455, 458, 501, 502, 503, 504, 521, 523, 530, 534, 535, 538, 541,
    550, 551, 552, 553, 554, 555, 556,
];

impl Status {
    /// Reads a `Status` field value: an enhanced code (`5.1.1`, optionally
    /// followed by a comment), or, as some MTAs write, an SMTP reply code
    /// (`553 …`), which becomes `5.0.0`. A leading `#` is ignored.
    pub fn parse(value: &str) -> Option<Status> {
        parse_field(value).map(|(status, _)| status)
    }
}

/// Reads a `Status` field value and returns the status and the text after
/// the code (its comment, if any).
pub(crate) fn parse_field(value: &str) -> Option<(Status, &str)> {
    let trimmed = value.trim_start();
    let trimmed = trimmed.strip_prefix('#').unwrap_or(trimmed);
    let bytes = trimmed.as_bytes();
    if let Some((status, end)) = enhanced_at(bytes, 0) {
        return Some((status, trimmed.get(end..).unwrap_or("")));
    }
    if let Some((status, end)) = smtp_at(bytes, 0) {
        return Some((status, trimmed.get(end..).unwrap_or("")));
    }
    None
}

/// The first enhanced status code in `text` whose class is in `classes`,
/// with its byte offset; else the first known SMTP failure reply code
/// (as `x.0.0`) whose class is in `classes`.
pub(crate) fn find_in_text(text: &str, classes: &[u8]) -> Option<(Status, usize)> {
    find_enhanced(text, classes).or_else(|| find_smtp(text, classes))
}

/// The first enhanced status code in `text` whose class is in `classes`.
pub(crate) fn find_enhanced(text: &str, classes: &[u8]) -> Option<(Status, usize)> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'2' | b'4' | b'5') || !boundary_before(bytes, i) {
            continue;
        }
        if let Some((status, _)) = enhanced_at(bytes, i)
            && classes.contains(&status.class)
        {
            return Some((status, i));
        }
    }
    None
}

fn find_smtp(text: &str, classes: &[u8]) -> Option<(Status, usize)> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'4' | b'5') || !boundary_before(bytes, i) {
            continue;
        }
        let Some(code) = three_digits(bytes, i) else {
            continue;
        };
        let after = bytes.get(i + 3).copied();
        let separated = matches!(
            after,
            None | Some(b' ' | b'-' | b':' | b'\t' | b'\n' | b'\r')
        );
        if separated && SMTP_FAILURE_REPLIES.contains(&code) {
            let status = smtp_status(code);
            if classes.contains(&status.class) {
                return Some((status, i));
            }
        }
    }
    None
}

/// True when position `i` does not continue a word or a number.
fn boundary_before(bytes: &[u8], i: usize) -> bool {
    match i.checked_sub(1).and_then(|j| bytes.get(j)) {
        None => true,
        Some(b) => !(b.is_ascii_alphanumeric() || *b == b'.' || *b == b'_'),
    }
}

/// An enhanced code starting exactly at `i`: `[245].d{1,3}.d{1,3}`, not
/// followed by a further digit or `.digit` (a version number).
fn enhanced_at(bytes: &[u8], i: usize) -> Option<(Status, usize)> {
    let class = match bytes.get(i)? {
        b'2' => 2u8,
        b'4' => 4,
        b'5' => 5,
        _ => return None,
    };
    if bytes.get(i + 1) != Some(&b'.') {
        return None;
    }
    let (subject, after_subject) = digits(bytes, i + 2)?;
    if bytes.get(after_subject) != Some(&b'.') {
        return None;
    }
    let (detail, end) = digits(bytes, after_subject + 1)?;
    let continues = match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(b'.') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    if continues {
        return None;
    }
    Some((
        Status {
            class,
            subject,
            detail,
        },
        end,
    ))
}

/// An SMTP reply code starting exactly at `i` (`[245]dd` not followed by a
/// digit or `.`), as `x.0.0`.
fn smtp_at(bytes: &[u8], i: usize) -> Option<(Status, usize)> {
    let code = three_digits(bytes, i)?;
    if !matches!(code / 100, 2 | 4 | 5) {
        return None;
    }
    if bytes
        .get(i + 3)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.')
    {
        return None;
    }
    Some((smtp_status(code), i + 3))
}

fn smtp_status(code: u16) -> Status {
    Status {
        // code / 100 is a single digit for three-digit codes.
        class: u8::try_from(code / 100).unwrap_or(0),
        subject: 0,
        detail: 0,
    }
}

/// Exactly three ASCII digits at `i`, not followed by a fourth.
fn three_digits(bytes: &[u8], i: usize) -> Option<u16> {
    let slice = bytes.get(i..i + 3)?;
    if !slice.iter().all(u8::is_ascii_digit) || bytes.get(i + 3).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(
        slice
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')),
    )
}

/// One to three ASCII digits at `i` (not four): their value and the end.
fn digits(bytes: &[u8], i: usize) -> Option<(u16, usize)> {
    let mut value = 0u16;
    let mut end = i;
    while let Some(b) = bytes.get(end).filter(|b| b.is_ascii_digit()) {
        if end - i == 3 {
            return None;
        }
        value = value * 10 + u16::from(b - b'0');
        end += 1;
    }
    (end > i).then_some((value, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(class: u8, subject: u16, detail: u16) -> Status {
        Status {
            class,
            subject,
            detail,
        }
    }

    #[test]
    fn status_fields() {
        assert_eq!(Status::parse("5.1.1"), Some(st(5, 1, 1)));
        assert_eq!(Status::parse(" 4.4.7 (delayed)"), Some(st(4, 4, 7)));
        assert_eq!(Status::parse("2.0.0"), Some(st(2, 0, 0)));
        assert_eq!(Status::parse("#5.1.1"), Some(st(5, 1, 1)));
        assert_eq!(Status::parse("5.7.999"), Some(st(5, 7, 999)));
        assert_eq!(
            Status::parse("553 Exceeded maximum inbound message size"),
            Some(st(5, 0, 0))
        );
        assert_eq!(Status::parse("550"), Some(st(5, 0, 0)));
        assert_eq!(Status::parse("5.1.1000"), None);
        assert_eq!(Status::parse("3.1.1"), None);
        assert_eq!(Status::parse("5.1"), None);
        assert_eq!(Status::parse("failed"), None);
        assert_eq!(Status::parse(""), None);
        assert_eq!(Status::parse("5.1.1.2"), None);
        let (_, rest) = parse_field("5.0.0 (recipient reached disk quota)").unwrap();
        assert_eq!(rest, " (recipient reached disk quota)");
    }

    #[test]
    fn codes_in_text() {
        let all = &[2, 4, 5];
        assert_eq!(
            find_in_text("said: 550-5.7.1 blocked", all).map(|x| x.0),
            Some(st(5, 7, 1))
        );
        assert_eq!(
            find_in_text("Postfix 2.5.1 said 550 nope", &[4, 5]).map(|x| x.0),
            Some(st(5, 0, 0))
        );
        // Version numbers and addresses are not codes.
        assert_eq!(find_in_text("sendmail 8.12.11/8.12.11", all), None);
        assert_eq!(
            find_in_text("Internet Mail Service (5.5.2650.21)", all),
            None
        );
        assert_eq!(find_in_text("host 192.168.5.1.1", all), None);
        assert_eq!(find_in_text("v2.4.1", all), None);
        // Bare numbers are codes only when they are known failure replies.
        assert_eq!(find_in_text("quota of 512 MB", all), None);
        assert_eq!(find_in_text("quota of 500 MB", all), None);
        assert_eq!(find_in_text("reply 552 quota", all), Some((st(5, 0, 0), 6)));
        assert_eq!(find_in_text("call 123 456", all), None);
        assert_eq!(find_in_text("5.1.1.", all).map(|x| x.0), Some(st(5, 1, 1)));
        assert_eq!(
            find_in_text("#5.1.1 not found", all).map(|x| x.0),
            Some(st(5, 1, 1))
        );
    }
}
