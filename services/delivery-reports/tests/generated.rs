//! Reports of the shape the backend's DSN peer (and Postfix) sends, and
//! the lenient readings real MTAs need.

mod common;

use common::{Dsn, Rcpt};
use delivery_reports::{
    Action, MAX_FIELD_CHARS, MAX_INPUT_BYTES, MAX_RECIPIENTS, Outcome, ParseError, Status, parse,
};

fn st(class: u8, subject: u16, detail: u16) -> Option<Status> {
    Some(Status {
        class,
        subject,
        detail,
    })
}

#[test]
fn postfix_failure_report_with_returned_headers() {
    let raw = Dsn::new(vec![Rcpt::failed("klient@example.cz")]).build();
    let report = parse(&raw).unwrap();
    assert!(!report.heuristic);
    assert_eq!(report.envelope_id.as_deref(), Some("NOTIF-123"));
    assert_eq!(report.reporting_mta.as_deref(), Some("mx.test"));
    assert_eq!(
        report.arrival_date.as_deref(),
        Some("Thu, 1 Jan 2026 08:00:00 +0100 (CET)")
    );
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("notif-123.1767225600@inkseal.example.cz")
    );
    assert_eq!(
        report.to_address.as_deref(),
        Some("bounces+NOTIF-123@bounce.example.cz")
    );
    assert_eq!(report.verp_id("bounces"), Some("NOTIF-123"));
    assert_eq!(report.recipients.len(), 1);
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("klient@example.cz"));
    assert_eq!(r.original_recipient.as_deref(), Some("klient@example.cz"));
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.status, st(5, 1, 1));
    assert_eq!(r.kind, Outcome::HardBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some(
            "550 5.1.1 <klient@example.cz>: Recipient address rejected: User unknown in virtual mailbox table"
        )
    );
    assert_eq!(r.remote_mta.as_deref(), Some("mx.test"));
    assert_eq!(
        r.last_attempt_date.as_deref(),
        Some("Thu, 1 Jan 2026 08:04:59 +0100 (CET)")
    );
}

#[test]
fn crlf_and_lf_read_the_same() {
    let mut dsn = Dsn::new(vec![Rcpt::failed("klient@example.cz")]);
    let crlf = parse(&dsn.build()).unwrap();
    dsn.crlf = false;
    let lf = parse(&dsn.build()).unwrap();
    assert_eq!(crlf, lf);
}

#[test]
fn returned_whole_message() {
    let mut dsn = Dsn::new(vec![Rcpt::failed("klient@example.cz")]);
    dsn.full = true;
    let report = parse(&dsn.build()).unwrap();
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("notif-123.1767225600@inkseal.example.cz")
    );
    assert_eq!(report.recipients[0].kind, Outcome::HardBounce);
}

#[test]
fn delayed_report() {
    let report = parse(&Dsn::new(vec![Rcpt::delayed("klient@example.cz")]).build()).unwrap();
    let r = &report.recipients[0];
    assert_eq!(r.action, Action::Delayed);
    assert_eq!(r.status, st(4, 4, 7));
    assert_eq!(r.kind, Outcome::SoftBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some(
            "451 4.4.7 <klient@example.cz>: Message delivery delayed: remote server did not answer"
        )
    );
}

#[test]
fn delivered_report() {
    let report = parse(&Dsn::new(vec![Rcpt::delivered("klient@example.cz")]).build()).unwrap();
    let r = &report.recipients[0];
    assert_eq!(r.action, Action::Delivered);
    assert_eq!(r.status, st(2, 0, 0));
    assert_eq!(r.kind, Outcome::Delivered);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some("250 2.0.0 Ok: delivered to mailbox")
    );
}

#[test]
fn several_recipients_in_one_report() {
    let report = parse(
        &Dsn::new(vec![
            Rcpt::failed("a@example.cz"),
            Rcpt::delivered("b@example.cz"),
            Rcpt::delayed("c@example.cz"),
        ])
        .build(),
    )
    .unwrap();
    let kinds: Vec<_> = report
        .recipients
        .iter()
        .map(|r| (r.final_recipient.as_deref().unwrap(), r.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a@example.cz", Outcome::HardBounce),
            ("b@example.cz", Outcome::Delivered),
            ("c@example.cz", Outcome::SoftBounce),
        ]
    );
}

fn czech_recipient() -> Rcpt {
    Rcpt {
        address: "jan.novák@příklad.cz".into(),
        orcpt: Some("utf-8; jan.nov\\x{E1}k@p\\x{159}\\x{ED}klad.cz".into()),
        action: "failed".into(),
        status: "5.1.1".into(),
        diagnostic: "smtp; 550 5.1.1 Poštovní schránka příjemce neexistuje (uživatel neznámý)"
            .into(),
    }
}

#[test]
fn global_delivery_status_with_czech_utf8() {
    let mut dsn = Dsn::new(vec![czech_recipient()]);
    dsn.global = true;
    let raw = dsn.build();
    assert!(std::str::from_utf8(&raw).is_ok());
    let report = parse(&raw).unwrap();
    assert!(!report.heuristic);
    assert_eq!(report.envelope_id.as_deref(), Some("NOTIF-123"));
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("jan.novák@příklad.cz"));
    assert_eq!(
        r.original_recipient.as_deref(),
        Some("jan.novák@příklad.cz")
    );
    assert_eq!(r.status, st(5, 1, 1));
    assert_eq!(r.kind, Outcome::HardBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some("550 5.1.1 Poštovní schránka příjemce neexistuje (uživatel neznámý)")
    );
}

/// Quoted-printable as a mail program writes it (every non-ASCII byte and
/// `=` escaped; lines are short here).
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b == b'\n' || (b.is_ascii() && b != b'=' && b != b'\r') {
            out.push(char::from(b));
        } else if b != b'\r' {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

#[test]
fn global_delivery_status_in_quoted_printable() {
    let mut dsn = Dsn::new(vec![czech_recipient()]);
    dsn.global = true;
    dsn.crlf = false;
    let raw = String::from_utf8(dsn.build()).unwrap();
    let (head, rest) = raw
        .split_once("Content-Type: message/global-delivery-status\n\n")
        .unwrap();
    let (fields, tail) = rest.split_once("\n--8F2A").unwrap();
    let encoded = format!(
        "{head}Content-Type: message/global-delivery-status\nContent-Transfer-Encoding: quoted-printable\n\n{}\n--8F2A{tail}",
        quoted_printable(fields)
    );
    assert!(quoted_printable(fields).is_ascii());
    let report = parse(encoded.as_bytes()).unwrap();
    assert_eq!(
        report.recipients[0].diagnostic.as_deref(),
        Some("550 5.1.1 Poštovní schránka příjemce neexistuje (uživatel neznámý)")
    );
}

#[test]
fn lenient_field_groups() {
    let raw = "From: MAILER-DAEMON@mx.example\r\n\
To: bounces+N-7@bounce.example.cz\r\n\
Subject: failure\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain\r\n\
\r\n\
Failed.\r\n\
--b1\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
reporting-mta: dns;mx.example\r\n\
ORIGINAL-ENVELOPE-ID: N-7\r\n\
final-recipient: rfc822;<a@example.cz>\r\n\
action: failure\r\n\
status: 553 sorry, mailbox\r\n\
\x20  name not allowed\r\n\
FINAL-RECIPIENT: RFC822; b@example.cz\r\n\
Action: Delayed (still trying)\r\n\
Status: 4.2.2\r\n\
diagnostic-code: SMTP; 452 4.2.2 Mailbox full\r\n\
\tover quota\r\n\
\r\n\
Original-Recipient: rfc822;c@example.cz\r\n\
Status: 2.0.0\r\n\
--b1--\r\n";
    let report = parse(raw.as_bytes()).unwrap();
    assert_eq!(report.envelope_id.as_deref(), Some("N-7"));
    assert_eq!(report.verp_id("bounces"), Some("N-7"));
    assert_eq!(report.recipients.len(), 3);
    let a = &report.recipients[0];
    assert_eq!(a.final_recipient.as_deref(), Some("a@example.cz"));
    assert_eq!(a.action, Action::Failed);
    assert_eq!(a.status, st(5, 0, 0));
    assert_eq!(a.kind, Outcome::HardBounce);
    assert_eq!(
        a.diagnostic.as_deref(),
        Some("553 sorry, mailbox name not allowed")
    );
    let b = &report.recipients[1];
    assert_eq!(b.action, Action::Delayed);
    assert_eq!(b.kind, Outcome::SoftBounce);
    assert_eq!(
        b.diagnostic.as_deref(),
        Some("452 4.2.2 Mailbox full over quota")
    );
    let c = &report.recipients[2];
    assert_eq!(c.final_recipient, None);
    assert_eq!(c.original_recipient.as_deref(), Some("c@example.cz"));
    assert_eq!(c.action, Action::Delivered);
    assert_eq!(c.kind, Outcome::Delivered);
}

#[test]
fn report_forwarded_inside_message_rfc822() {
    let mut inner = Dsn::new(vec![Rcpt::failed("klient@example.cz")]);
    inner.crlf = false;
    let inner = String::from_utf8(inner.build()).unwrap();
    let raw = format!(
        "From: postmaster@inkseal.example.cz\n\
To: bounce-box@inkseal.example.cz\n\
Subject: Fwd: Undelivered Mail Returned to Sender\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"outer\"\n\
\n\
--outer\n\
Content-Type: text/plain\n\
\n\
See the attached bounce.\n\
--outer\n\
Content-Type: message/rfc822\n\
\n\
{inner}\n\
--outer--\n"
    );
    let report = parse(raw.as_bytes()).unwrap();
    assert!(!report.heuristic);
    assert_eq!(report.envelope_id.as_deref(), Some("NOTIF-123"));
    // The VERP address of the forwarded bounce wins over the forwarder's.
    assert_eq!(report.verp_id("bounces"), Some("NOTIF-123"));
    assert_eq!(report.recipients[0].status, st(5, 1, 1));
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("notif-123.1767225600@inkseal.example.cz")
    );
}

#[test]
fn base64_encoded_parts() {
    // A forwarder that base64-encodes the attached bounce, whose
    // delivery-status part is itself base64.
    let mut inner = Dsn::new(vec![czech_recipient()]);
    inner.global = true;
    inner.crlf = false;
    let inner = String::from_utf8(inner.build()).unwrap();
    let (head, rest) = inner
        .split_once("Content-Type: message/global-delivery-status\n\n")
        .unwrap();
    let (fields, tail) = rest.split_once("\n--8F2A").unwrap();
    let inner = format!(
        "{head}Content-Type: message/global-delivery-status\nContent-Transfer-Encoding: base64\n\n{}\n--8F2A{tail}",
        common::base64(fields.as_bytes())
    );
    let raw = format!(
        "From: someone@example.cz\n\
To: bounces+NOTIF-5@bounce.example.cz\n\
Subject: Fwd: bounce\n\
Content-Type: multipart/mixed; boundary=\"outer\"\n\
\n\
--outer\n\
Content-Type: message/rfc822\n\
Content-Transfer-Encoding: base64\n\
\n\
{}\n\
--outer--\n",
        common::base64(inner.as_bytes())
    );
    let report = parse(raw.as_bytes()).unwrap();
    assert!(!report.heuristic);
    assert_eq!(report.verp_id("bounces"), Some("NOTIF-5"));
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("jan.novák@příklad.cz"));
    assert_eq!(
        r.diagnostic.as_deref(),
        Some("550 5.1.1 Poštovní schránka příjemce neexistuje (uživatel neznámý)")
    );
}

#[test]
fn mbox_from_line_and_x_original_to() {
    let mut dsn = Dsn::new(vec![Rcpt::failed("klient@example.cz")]);
    dsn.verp = "someone@example.cz".into();
    let mut raw = b"From MAILER-DAEMON Thu Jan  1 08:05:00 2026\r\nX-Original-To: bounces+NOTIF-9@bounce.example.cz\r\nDelivered-To: bounces@bounce.example.cz\r\n".to_vec();
    raw.extend(dsn.build());
    let report = parse(&raw).unwrap();
    assert_eq!(
        report.to_address.as_deref(),
        Some("bounces+NOTIF-9@bounce.example.cz")
    );
    assert_eq!(report.verp_id("BOUNCES"), Some("NOTIF-9"));
}

#[test]
fn at_most_100_recipients() {
    let many: Vec<Rcpt> = (0..150)
        .map(|i| Rcpt::failed(&format!("r{i}@example.cz")))
        .collect();
    let report = parse(&Dsn::new(many).build()).unwrap();
    assert_eq!(report.recipients.len(), MAX_RECIPIENTS);
    assert_eq!(
        report.recipients[99].final_recipient.as_deref(),
        Some("r99@example.cz")
    );
}

#[test]
fn long_values_are_cut() {
    let mut r = Rcpt::failed("klient@example.cz");
    r.diagnostic = format!("smtp; 550 5.1.1 {}", "ž".repeat(5000));
    let report = parse(&Dsn::new(vec![r]).build()).unwrap();
    let diagnostic = report.recipients[0].diagnostic.as_deref().unwrap();
    assert_eq!(diagnostic.chars().count(), MAX_FIELD_CHARS);
    assert!(diagnostic.starts_with("550 5.1.1 žž"));
}

#[test]
fn size_limit() {
    let raw = Dsn::new(vec![Rcpt::failed("klient@example.cz")]).build();
    // Padding in the preamble keeps the report readable.
    let split = raw.windows(4).position(|w| w == b"--8F").unwrap();
    let mut padded = raw[..split].to_vec();
    let pad = MAX_INPUT_BYTES - raw.len();
    padded.extend(std::iter::repeat_n(b'x', pad - 2));
    padded.extend(b"\r\n");
    padded.extend(&raw[split..]);
    assert_eq!(padded.len(), MAX_INPUT_BYTES);
    assert_eq!(parse(&padded).unwrap().recipients.len(), 1);
    padded.push(b'\n');
    assert_eq!(
        parse(&padded),
        Err(ParseError::TooLarge {
            size: MAX_INPUT_BYTES + 1,
            max: MAX_INPUT_BYTES
        })
    );
}

#[test]
fn pre_dsn_exim_bounce_to_a_verp_address() {
    let raw = "Return-path: <>\n\
X-Failed-Recipients: klient@example.cz\n\
From: Mail Delivery System <Mailer-Daemon@mx.example.cz>\n\
To: bounces+NOTIF-42@bounce.example.cz\n\
Subject: Mail delivery failed: returning message to sender\n\
\n\
This message was created automatically by mail delivery software.\n\
\n\
A message that you sent could not be delivered to one or more of its\n\
recipients. This is a permanent error. The following address(es) failed:\n\
\n\
  klient@example.cz\n\
    host mx.example.cz [192.0.2.1]\n\
    SMTP error from remote mail server after RCPT TO:<klient@example.cz>:\n\
    550 5.1.1 <klient@example.cz>: Recipient address rejected\n\
\n\
------ This is a copy of the message, including all the headers. ------\n\
\n\
Message-ID: <notif-42@inkseal.example.cz>\n\
Subject: 550 5.7.1 not this one\n";
    let report = parse(raw.as_bytes()).unwrap();
    assert!(report.heuristic);
    assert_eq!(report.verp_id("bounces"), Some("NOTIF-42"));
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("notif-42@inkseal.example.cz")
    );
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("klient@example.cz"));
    assert_eq!(r.status, st(5, 1, 1));
    assert_eq!(r.kind, Outcome::HardBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some(
            "klient@example.cz host mx.example.cz [192.0.2.1] SMTP error from remote mail server after RCPT TO:<klient@example.cz>: 550 5.1.1 <klient@example.cz>: Recipient address rejected"
        )
    );
}

#[test]
fn pre_dsn_delay_warning() {
    let raw = "From: Mail Delivery System <MAILER-DAEMON@mx.example.cz>\n\
To: bounces=NOTIF-43@bounce.example.cz\n\
Subject: Warning: message 1abc-0001 delayed 24 hours\n\
\n\
A message that you sent has not yet been delivered to one or more of its\n\
recipients after more than 24 hours on the queue.\n\
\n\
  klient@example.cz\n\
    host mx.example.cz: 451 4.4.1 no answer from host\n\
\n\
Delivery attempts will continue for some time.\n";
    let report = parse(raw.as_bytes()).unwrap();
    assert!(report.heuristic);
    assert_eq!(report.verp_id("bounces"), Some("NOTIF-43"));
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient, None);
    assert_eq!(r.action, Action::Delayed);
    assert_eq!(r.status, st(4, 4, 1));
    assert_eq!(r.kind, Outcome::SoftBounce);
}

#[test]
fn not_a_report() {
    let auto_reply = b"From: Jan Novak <jan@example.cz>\nTo: bounces+NOTIF-1@bounce.example.cz\nSubject: Automaticka odpoved: Vase nabidka\n\nJsem na dovolene do 15. ledna.\n";
    assert_eq!(parse(auto_reply), Err(ParseError::NotADeliveryReport));
    assert_eq!(parse(b""), Err(ParseError::NotADeliveryReport));
    assert_eq!(parse(b"\r\n\r\n"), Err(ParseError::NotADeliveryReport));
}
