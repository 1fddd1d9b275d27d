//! Property tests: no input makes the parser panic, and every report
//! respects the bounds.

mod common;

use common::{Dsn, Rcpt};
use delivery_reports::{MAX_FIELD_CHARS, MAX_RECIPIENTS, Report, parse, verp_id, webhook};
use proptest::prelude::*;
use std::sync::OnceLock;

fn check_bounds(report: &Report) {
    assert!(!report.recipients.is_empty());
    assert!(report.recipients.len() <= MAX_RECIPIENTS);
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
        assert!(!text.is_empty());
        assert!(text.chars().count() <= MAX_FIELD_CHARS);
    }
}

/// The real bounces of tests/corpus/.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    })
}

fn valid_report() -> Vec<u8> {
    let mut dsn = Dsn::new(vec![
        Rcpt::failed("klient@example.cz"),
        Rcpt::delayed("b@example.cz"),
    ]);
    dsn.full = true;
    dsn.build()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to the syntax, more often than chance gives them.
    let interesting = prop_oneof![
        any::<u8>(),
        Just(b'\r'),
        Just(b'\n'),
        Just(b' '),
        Just(b':'),
        Just(b';'),
        Just(b'-'),
        Just(b'='),
        Just(b'"'),
        Just(0xC5),
    ];
    prop_oneof![
        (any::<usize>(), interesting.clone()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), prop::collection::vec(interesting, 1..40))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..400, any::<usize>())
            .prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at)),
    ]
}

fn apply(raw: &mut Vec<u8>, m: &Mutation) {
    let len = raw.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            if let Some(x) = raw.get_mut(i % len) {
                *x = *b;
            }
        }
        Mutation::Insert(i, v) => {
            let at = i % (raw.len() + 1);
            raw.splice(at..at, v.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i % len;
            let end = (at + n).min(raw.len());
            if at < end {
                raw.drain(at..end);
            }
        }
        Mutation::Duplicate(i, n, to) => {
            let at = i % len;
            let end = (at + n).min(raw.len());
            let slice = raw.get(at..end).unwrap_or_default().to_vec();
            let to = to % (raw.len() + 1);
            raw.splice(to..to, slice);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(report) = parse(&raw) {
            check_bounds(&report);
        }
    }

    #[test]
    fn mutated_reports_never_panic(mutations in prop::collection::vec(mutation(), 1..12)) {
        let mut raw = valid_report();
        for m in &mutations {
            apply(&mut raw, m);
        }
        if let Ok(report) = parse(&raw) {
            check_bounds(&report);
        }
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        index in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..12),
    ) {
        let files = corpus();
        let mut raw = files[index % files.len()].clone();
        for m in &mutations {
            apply(&mut raw, m);
        }
        if let Ok(report) = parse(&raw) {
            check_bounds(&report);
        }
    }

    #[test]
    fn arbitrary_text_in_fields_never_panics(
        action in "\\PC{0,30}",
        status in "[0-9. a-z#-]{0,20}",
        diagnostic in "\\PC{0,200}",
        address in "\\PC{0,60}",
    ) {
        let dsn = Dsn::new(vec![Rcpt {
            address: address.clone(),
            orcpt: Some(format!("rfc822; {address}")),
            action,
            status,
            diagnostic,
        }]);
        let report = parse(&dsn.build());
        prop_assert!(report.is_ok());
        if let Ok(report) = report {
            check_bounds(&report);
        }
    }

    #[test]
    fn verp_ids_are_from_the_alphabet(address in "\\PC{0,80}") {
        if let Some(id) = verp_id(&address, "bounces") {
            prop_assert!(!id.is_empty() && id.len() <= 64);
            prop_assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
        }
    }

    #[test]
    fn webhook_bytes_never_panic(raw in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = webhook::parse_json(&raw);
    }

    #[test]
    fn webhook_events_never_panic(
        kind in prop_oneof![Just("delivered"), Just("bounce"), Just("deferred"), Just("dropped"), Just("x")],
        status in prop_oneof![Just("\"5.1.1\""), Just("550"), Just("null"), Just("[]")],
        text in "\\PC{0,50}",
    ) {
        let text = text.replace(['\\', '"'], "");
        let generic = format!(r#"{{"events":[{{"type":"{kind}","recipient":"{text}","status":{status},"diagnostic":"{text}"}}]}}"#);
        let sendgrid = format!(r#"[{{"event":"{kind}","email":"{text}","status":{status},"reason":"{text}","type":"blocked"}}]"#);
        for body in [generic, sendgrid] {
            if let Ok(events) = webhook::parse_json(body.as_bytes()) {
                for e in events {
                    prop_assert!(e.diagnostic.is_none_or(|d| d.chars().count() <= MAX_FIELD_CHARS));
                }
            }
        }
    }
}
