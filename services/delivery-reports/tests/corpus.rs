//! The parser over real bounces (tests/corpus/, see its NOTICE).

use std::path::PathBuf;

use delivery_reports::{
    Action, MAX_FIELD_CHARS, MAX_RECIPIENTS, Outcome, ParseError, Report, Status, parse,
};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(name)).unwrap()
}

fn report(name: &str) -> Report {
    parse(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn st(class: u8, subject: u16, detail: u16) -> Option<Status> {
    Some(Status {
        class,
        subject,
        detail,
    })
}

fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 20);
    for &b in raw {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn check_bounds(name: &str, report: &Report) {
    assert!(!report.recipients.is_empty(), "{name}: no recipient");
    assert!(report.recipients.len() <= MAX_RECIPIENTS, "{name}");
    let mut texts = vec![
        &report.envelope_id,
        &report.reporting_mta,
        &report.arrival_date,
        &report.original_message_id,
        &report.to_address,
    ];
    for r in &report.recipients {
        texts.extend([
            &r.final_recipient,
            &r.original_recipient,
            &r.diagnostic,
            &r.remote_mta,
            &r.last_attempt_date,
        ]);
    }
    for text in texts.into_iter().flatten() {
        assert!(text.chars().count() <= MAX_FIELD_CHARS, "{name}: {text}");
        assert!(!text.is_empty(), "{name}: empty value");
    }
}

/// Whether the file has a `message/delivery-status` part with a `Status:`
/// field (a line starting with it, case ignored).
fn has_status_field(raw: &[u8]) -> bool {
    String::from_utf8_lossy(raw)
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("status:") && l.len() > 8)
}

#[test]
fn every_corpus_file() {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 35, "corpus has {} files", names.len());
    let (mut dsn_files, mut structured) = (0, 0);
    for name in &names {
        let raw = read(name);
        let result = parse(&raw);
        // CRLF line ends read exactly the same.
        assert_eq!(parse(&to_crlf(&raw)), result, "{name}: CRLF differs");
        if name == "qmail_08.txt" {
            // An auto-reply, not a bounce.
            assert_eq!(result, Err(ParseError::NotADeliveryReport));
            continue;
        }
        let report = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        check_bounds(name, &report);
        let is_dsn = String::from_utf8_lossy(&raw)
            .to_ascii_lowercase()
            .contains("delivery-status");
        if is_dsn {
            dsn_files += 1;
            if !report.heuristic {
                structured += 1;
            }
            if has_status_field(&raw) {
                assert!(
                    report.recipients.iter().all(|r| r.status.is_some()),
                    "{name}: a recipient without status"
                );
            }
        } else {
            assert!(report.heuristic, "{name}: pre-DSN bounce not heuristic");
        }
    }
    assert_eq!(dsn_files, 24);
    // Five "delivery-status" files have no per-recipient group (an empty
    // or misplaced part, or only the report-type parameter).
    assert_eq!(structured, 19);
}

#[test]
fn dsn_01_quota_on_a_sims_daemon() {
    let report = report("dsn_01.txt");
    assert!(!report.heuristic);
    assert_eq!(
        report.reporting_mta.as_deref(),
        Some("msg00.seamail.go.com")
    );
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("F1218V8zDv60gxapzha000001ae@hotmail.com")
    );
    let r = &report.recipients[..];
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].final_recipient.as_deref(),
        Some("userx@sims-ms-daemon")
    );
    assert_eq!(
        r[0].original_recipient.as_deref(),
        Some("userx@example.com")
    );
    assert_eq!(r[0].action, Action::Failed);
    assert_eq!(r[0].status, st(5, 0, 0));
    assert_eq!(r[0].kind, Outcome::HardBounce);
    assert_eq!(
        r[0].diagnostic.as_deref(),
        Some("5.0.0 (recipient reached disk quota)")
    );
}

#[test]
fn dsn_02_x400_failed_with_a_transient_status() {
    let report = report("dsn_02.txt");
    assert_eq!(
        report.envelope_id.as_deref(),
        Some("[/PRMD=UK.AC/ADMD= /C=GB/;<LNBBLJKPBEHFEDALKOLCMEEDIFAA.ti]")
    );
    assert_eq!(
        report.arrival_date.as_deref(),
        Some("Sat, 23 Dec 2000 21:44:56 +0000")
    );
    let r = &report.recipients[0];
    assert_eq!(r.original_recipient.as_deref(), Some("zzzzz@example.uk"));
    assert_eq!(
        r.final_recipient.as_deref(),
        Some("x400; /S=zzzzz/OU=example/PRMD=UK.AC/ADMD= /C=GB/")
    );
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.status, st(4, 4, 7));
    // Given up, but for a transient reason.
    assert_eq!(r.kind, Outcome::SoftBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some("Reason 1 (Unable-To-Transfer); Diagnostic 5 (Maximum-Time-Expired)")
    );
}

#[test]
fn dsn_03_no_blank_line_action_failure_and_an_smtp_code_status() {
    let report = report("dsn_03.txt");
    assert!(!report.heuristic);
    assert_eq!(report.reporting_mta.as_deref(), Some("pigeon.net7.be"));
    let r = &report.recipients[..];
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].final_recipient.as_deref(), Some("userx@example.be"));
    assert_eq!(r[0].action, Action::Failed);
    assert_eq!(r[0].status, st(5, 0, 0));
    assert_eq!(r[0].kind, Outcome::HardBounce);
    assert_eq!(
        r[0].diagnostic.as_deref(),
        Some("553 Exceeded maximum inbound message size")
    );
}

#[test]
fn dsn_04_envelope_id_and_lower_case_field_names() {
    let report = report("dsn_04.txt");
    assert_eq!(
        report.envelope_id.as_deref(),
        Some("0GFP00202Q2DR3@mailhub.unibas.ch")
    );
    let r = &report.recipients[0];
    assert_eq!(
        r.final_recipient.as_deref(),
        Some("HAASM@yogi.urz.example.ch")
    );
    assert_eq!(r.original_recipient.as_deref(), Some("userx@example.ch"));
    assert_eq!(r.status, st(5, 0, 0));
    assert_eq!(r.kind, Outcome::HardBounce);
}

#[test]
fn dsn_05_delayed() {
    let report = report("dsn_05.txt");
    assert_eq!(report.reporting_mta.as_deref(), Some("cuk.atlas.cz"));
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("userx@example.cz"));
    assert_eq!(r.action, Action::Delayed);
    assert_eq!(r.status, st(4, 4, 1));
    assert_eq!(r.kind, Outcome::SoftBounce);
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("pfchbtkf3j0p7prf0sp45vi21fro3bs7ad@4ax.com")
    );
}

#[test]
fn dsn_10_postfix_folded_diagnostic() {
    let r = &report("dsn_10.txt").recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("anne.person@dom.ain"));
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.status, st(5, 0, 0));
    assert_eq!(r.kind, Outcome::HardBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some(
            "host mx.dom.ain[192.168.1.100] said: 550 {mx001-rz3} <anne.person@dom.ain>... User unknown or not available - Empfaenger unbekannt oder nicht erreichbar (in reply to RCPT TO command)"
        )
    );
}

#[test]
fn dsn_11_eleven_recipient_groups() {
    let report = report("dsn_11.txt");
    assert_eq!(report.recipients.len(), 11);
    for r in &report.recipients {
        assert_eq!(r.final_recipient.as_deref(), Some("joem@example.com"));
        assert_eq!(r.status, st(5, 1, 1));
        assert_eq!(r.kind, Outcome::HardBounce);
        assert_eq!(
            r.last_attempt_date.as_deref(),
            Some("Sat, 26 Oct 2002 22:00:26 +0900 (JST)")
        );
    }
}

#[test]
fn dsn_12_action_with_a_comment() {
    let report = report("dsn_12.txt");
    assert_eq!(
        report.envelope_id.as_deref(),
        Some("mailman.6301.1139723231.1568.wed_ride@grizz.org")
    );
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("userx@example.jp"));
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.status, st(5, 1, 1));
}

#[test]
fn dsn_14_status_only_in_the_diagnostic() {
    let r = &report("dsn_14.txt").recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("userx@example.com.dk"));
    assert_eq!(r.status, st(5, 1, 1));
    assert_eq!(r.kind, Outcome::HardBounce);
    assert_eq!(r.diagnostic.as_deref(), Some("550 5.1.1 User unknown"));
    assert_eq!(r.remote_mta.as_deref(), Some("MRT; 10.0.0.103"));
}

#[test]
fn dsn_15_report_inside_message_rfc822() {
    let report = report("dsn_15.txt");
    assert!(!report.heuristic);
    assert_eq!(
        report.reporting_mta.as_deref(),
        Some("cccclyna01.ccc.coopcam.com")
    );
    assert_eq!(
        report.original_message_id.as_deref(),
        Some("mailman.4360.1149475419.1567.gpc-talk@grizz.org")
    );
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("userx@example.com"));
    assert_eq!(r.status, st(5, 1, 1));
}

#[test]
fn dsn_17_delayed_over_quota_with_original_recipient() {
    let r = &report("dsn_17.txt").recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("xxx@example.fi"));
    assert_eq!(r.original_recipient.as_deref(), Some("userx@example.fi"));
    assert_eq!(r.action, Action::Delayed);
    assert_eq!(r.status, st(4, 3, 0));
    assert_eq!(r.kind, Outcome::SoftBounce);
    assert_eq!(
        r.diagnostic.as_deref(),
        Some("Quota exceeded message delivery failed to /mail/mbx/p/5/kb3543/INBOX")
    );
}

#[test]
fn dsn_18_action_error() {
    let r = &report("dsn_18.txt").recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("email@replaced.net"));
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.kind, Outcome::HardBounce);
}

#[test]
fn simple_42_gmail_block_to_a_verp_address() {
    let report = report("simple_42.txt");
    assert!(!report.heuristic);
    assert_eq!(
        report.to_address.as_deref(),
        Some("python-dev-bounces+python=david...@python.org")
    );
    // "python=david..." has a '=', outside the id alphabet.
    assert_eq!(report.verp_id("python-dev-bounces"), None);
    let r = &report.recipients[0];
    assert_eq!(r.final_recipient.as_deref(), Some("david...@gmail.com"));
    assert_eq!(r.status, st(5, 0, 0));
    assert_eq!(r.remote_mta.as_deref(), Some("gmail-smtp-in.l.google.com"));
    assert!(
        r.diagnostic
            .as_deref()
            .unwrap()
            .starts_with("550-5.7.1 [94.136.40.141 12] Our system has detected")
    );
}

#[test]
fn pre_dsn_bounces() {
    let exim = report("exim_01.txt");
    assert!(exim.heuristic);
    assert_eq!(exim.recipients.len(), 1);
    assert_eq!(
        exim.recipients[0].final_recipient.as_deref(),
        Some("userx@its.example.nl")
    );
    assert_eq!(exim.recipients[0].status, st(5, 1, 1));
    assert_eq!(exim.recipients[0].kind, Outcome::HardBounce);
    assert_eq!(
        exim.original_message_id.as_deref(),
        Some("19990920022322.A19735@stereo.rotzorg.org")
    );

    let postfix = report("postfix_01.txt");
    assert!(postfix.heuristic);
    assert_eq!(postfix.recipients[0].final_recipient, None);
    assert_eq!(postfix.recipients[0].status, st(5, 1, 1));
    assert_eq!(
        postfix.recipients[0].diagnostic.as_deref(),
        Some(
            "<xxxxx@local.ie>: host mail.local.ie[195.7.46.14] said: 550 5.1.1 <xxxxx@local.ie>... User unknown"
        )
    );

    let sendmail = report("sendmail_01.txt");
    assert_eq!(sendmail.recipients[0].status, st(5, 0, 0));
    assert_eq!(sendmail.recipients[0].kind, Outcome::HardBounce);

    let yahoo = report("yahoo_13.txt");
    assert!(yahoo.heuristic);
    assert_eq!(yahoo.recipients[0].status, st(5, 1, 1));
    assert_eq!(
        yahoo.original_message_id.as_deref(),
        Some("130907fb-848c-d154-8e59-ed1e08319fcf@yahoo.com")
    );

    let qmail = report("qmail_01.txt");
    assert_eq!(qmail.recipients[0].status, None);
    assert_eq!(qmail.recipients[0].action, Action::Failed);
    assert_eq!(qmail.recipients[0].kind, Outcome::HardBounce);

    let warning = report("simple_40.txt");
    assert_eq!(
        warning.to_address.as_deref(),
        Some("mailman-users-bounces+user=example.com@python.org")
    );
    assert_eq!(warning.recipients[0].action, Action::Delayed);
    assert_eq!(warning.recipients[0].kind, Outcome::SoftBounce);

    for delayed in ["simple_03.txt", "simple_21.txt", "simple_28.txt"] {
        assert_eq!(
            report(delayed).recipients[0].kind,
            Outcome::SoftBounce,
            "{delayed}"
        );
    }
    for failed in [
        "simple_17.txt",
        "qmail_07.txt",
        "microsoft_01.txt",
        "postfix_02.txt",
    ] {
        assert_eq!(
            report(failed).recipients[0].kind,
            Outcome::HardBounce,
            "{failed}"
        );
    }
}

#[test]
fn delivery_status_parts_without_recipient_groups_fall_back_to_the_text() {
    // A delivery-status part with only the per-message group.
    let report = report("netscape_01.txt");
    assert!(report.heuristic);
    assert_eq!(report.reporting_mta.as_deref(), Some("nsmail.corel.com"));
    assert_eq!(report.recipients[0].action, Action::Failed);
}
