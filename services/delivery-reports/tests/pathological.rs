//! Hostile inputs at the size limit: they end in a report or a typed error,
//! without panicking, in bounded time and memory.

use std::time::{Duration, Instant};

use delivery_reports::{MAX_BOUNDARY_LINES, MAX_INPUT_BYTES, MAX_RECIPIENTS, ParseError, parse};

fn timed(name: &str, raw: &[u8]) -> Result<delivery_reports::Report, ParseError> {
    assert!(raw.len() <= MAX_INPUT_BYTES, "{name}: {} bytes", raw.len());
    let start = Instant::now();
    let result = parse(raw);
    let took = start.elapsed();
    eprintln!("{name}: {took:?}");
    assert!(took < Duration::from_secs(20), "{name} took {took:?}");
    result
}

fn fill(head: &str, unit: &str, tail: &str) -> Vec<u8> {
    let room = MAX_INPUT_BYTES - head.len() - tail.len();
    let mut out = head.as_bytes().to_vec();
    out.extend(
        unit.as_bytes()
            .iter()
            .cycle()
            .take(room / unit.len() * unit.len()),
    );
    out.extend(tail.as_bytes());
    out
}

const REPORT_HEAD: &str = "From: MAILER-DAEMON@mx.test\nTo: bounces+N-1@b.example.cz\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test\n\n";

#[test]
fn many_recipient_groups() {
    let raw = fill(
        REPORT_HEAD,
        "Final-Recipient: rfc822; a@example.cz\nAction: failed\nStatus: 5.1.1\n\n",
        "--b--\n",
    );
    let report = timed("many recipient groups", &raw).unwrap();
    assert_eq!(report.recipients.len(), MAX_RECIPIENTS);
}

#[test]
fn many_per_message_fields() {
    let raw = fill(
        REPORT_HEAD,
        "X-Thing: 1\n",
        "\nFinal-Recipient: rfc822; a@x\nStatus: 5.0.0\n--b--\n",
    );
    let report = timed("many per-message fields", &raw).unwrap();
    assert_eq!(report.recipients.len(), 1);
}

#[test]
fn one_huge_field() {
    let raw = fill(
        &format!(
            "{REPORT_HEAD}Final-Recipient: rfc822; a@x\nStatus: 5.0.0\nDiagnostic-Code: smtp; "
        ),
        "x ",
        "\n--b--\n",
    );
    let report = timed("one huge field", &raw).unwrap();
    assert_eq!(
        report.recipients[0]
            .diagnostic
            .as_ref()
            .map(|d| d.chars().count()),
        Some(delivery_reports::MAX_FIELD_CHARS)
    );
}

#[test]
fn many_empty_mime_parts() {
    let raw = fill(
        "From: MAILER-DAEMON@mx.test\nContent-Type: multipart/mixed; boundary=b\n\n",
        "--b\n\n",
        "--b--\n",
    );
    assert!(matches!(
        timed("many empty MIME parts", &raw),
        Err(ParseError::TooManyParts {
            max: MAX_BOUNDARY_LINES,
            ..
        })
    ));
    // At the limit, the parts are read.
    let mut raw = b"From: MAILER-DAEMON@mx.test\nSubject: Undelivered\nContent-Type: multipart/mixed; boundary=b\n\n".to_vec();
    for _ in 0..MAX_BOUNDARY_LINES - 2 {
        raw.extend(b"--b\n\n");
    }
    raw.extend(b"--b\nContent-Type: text/plain\n\n550 5.1.1 no such user\n--b--\n");
    let report = timed("parts at the limit", &raw).unwrap();
    assert_eq!(
        report.recipients[0]
            .status
            .map(|s| s.to_string())
            .as_deref(),
        Some("5.1.1")
    );
}

#[test]
fn deeply_nested_multiparts() {
    let mut raw = String::from("From: MAILER-DAEMON@mx.test\n");
    for i in 0..5000 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n"
        ));
    }
    raw.push_str(
        "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@x\nStatus: 5.1.1\n",
    );
    let _ = timed("deeply nested multiparts", raw.as_bytes());
}

#[test]
fn deeply_nested_forwarded_messages() {
    let mut raw = String::new();
    for _ in 0..20_000 {
        raw.push_str("Content-Type: message/rfc822\n\n");
    }
    raw.push_str(
        "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@x\nStatus: 5.1.1\n",
    );
    // Deeper than the three levels looked into: not found.
    let _ = timed("deeply nested forwarded messages", raw.as_bytes());
}

#[test]
fn one_line_without_end() {
    let raw = fill("Subject: ", "a", "");
    assert_eq!(timed("one line", &raw), Err(ParseError::NotADeliveryReport));
}

#[test]
fn text_full_of_almost_codes() {
    let raw = fill(
        "From: MAILER-DAEMON@mx.test\nSubject: Undelivered Mail\n\n",
        "5.5.5.5 555x 4.4 ",
        "",
    );
    let report = timed("almost codes", &raw).unwrap();
    assert_eq!(report.recipients[0].status, None);
}

#[test]
fn bare_carriage_returns() {
    let raw = fill(
        "From: MAILER-DAEMON@mx.test\rSubject: failure notice\r\r",
        "550 5.1.1 x\r",
        "",
    );
    let report = timed("bare CRs", &raw).unwrap();
    assert_eq!(
        report.recipients[0]
            .status
            .map(|s| s.to_string())
            .as_deref(),
        Some("5.1.1")
    );
}
