//! Fixtures for the sealing tests: signer keys made once per test binary, a
//! small multi-page offer PDF made with lopdf, pen traces, and runners for
//! the independent verifiers (`qpdf`, poppler's `pdfsig`).

#![allow(dead_code)]

use std::io::Write;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pdf_seal::sample::SampleOffer;
use pdf_seal::{
    Attachment, PenPoint, PenStyle, Rect, SealRequest, SignatureOptions, Signer, VisibleSignature,
};

fn key() -> rsa::PrivateKey {
    rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("RSA key generation")
}

/// The edge agent's signer (self-issued test certificate).
pub fn edge_signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| Signer::self_issued_for_tests("inkseal edge agent TEST-PC-01", key()).unwrap())
}

/// The insurer's seal (self-issued test certificate).
pub fn insurer_signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| Signer::self_issued_for_tests("Pojišťovna test seal", key()).unwrap())
}

/// 2024-06-15 12:34:56 UTC.
pub fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_718_454_896)
}

/// The sample offer of `pages` pages, saved with a cross-reference stream
/// when `modern`, else with a classic table.
pub fn offer_pdf(pages: u32, modern: bool) -> Vec<u8> {
    SampleOffer::flexi("8800123456")
        .pages(pages)
        .xref_stream(modern)
        .to_pdf()
}

/// A handwriting-like trace: two pen-down strokes (a looping name and an
/// underline), pressure rising and falling along each.
pub fn handwriting(seed: f32) -> Vec<Vec<PenPoint>> {
    let n = 160;
    let name: Vec<PenPoint> = (0..n)
        .map(|i| {
            let t = i as f32 / (n - 1) as f32;
            let a = t * std::f32::consts::TAU * (3.0 + seed);
            PenPoint {
                x: 0.05 + 0.8 * t + 0.06 * a.cos(),
                y: 0.45 - 0.25 * (a * 0.5).sin() * (1.0 - t * 0.4) + 0.08 * a.sin(),
                pressure: 0.15 + 0.85 * (t * std::f32::consts::PI).sin(),
            }
        })
        .collect();
    let underline: Vec<PenPoint> = (0..40)
        .map(|i| {
            let t = i as f32 / 39.0;
            PenPoint {
                x: 0.1 + 0.8 * t,
                y: 0.85 - 0.05 * t,
                pressure: 1.0 - t,
            }
        })
        .collect();
    vec![name, underline]
}

pub fn visible(page: u32, x: f32, name: &str, description: &str, seed: f32) -> VisibleSignature {
    VisibleSignature {
        page,
        rect: Rect {
            x1: x,
            y1: 90.0,
            x2: x + 200.0,
            y2: 150.0,
        },
        name: name.into(),
        description: description.into(),
        strokes: handwriting(seed),
        source_aspect: Some(1.6),
        pen: PenStyle::default(),
    }
}

/// The request the edge agent would send: two signatures on the last page,
/// two envelopes.
pub fn seal_request(original: Vec<u8>, pages: u32) -> SealRequest {
    let mut options = SignatureOptions::new("inkseal_edge_seal", signing_time());
    options.signer_name = Some("inkseal edge agent TEST-PC-01".into());
    options.reason = Some("Nabídka podepsána klientem a poradcem".into());
    options.location = Some("Praha".into());
    SealRequest {
        original_pdf: original,
        signatures: vec![
            visible(pages, 72.0, "client_signature", "Podpis klienta", 0.0),
            visible(pages, 330.0, "agent_signature", "Podpis poradce", 0.7),
        ],
        attachments: vec![
            Attachment {
                name: "client_signature.ikbe".into(),
                mime_type: "application/octet-stream".into(),
                description: "Encrypted biometric envelope, client".into(),
                bytes: (0..3000u32).map(|i| (i * 7 % 251) as u8).collect(),
            },
            Attachment {
                name: "agent_signature.ikbe".into(),
                mime_type: "application/octet-stream".into(),
                description: "Encrypted biometric envelope, agent".into(),
                bytes: (0..2500u32).map(|i| (i * 13 % 253) as u8).collect(),
            },
        ],
        options,
    }
}

/// Whether `tool` is installed. When it is not: fails under `CI=true`,
/// otherwise prints a one-line notice so the caller can skip.
pub fn tool_available(tool: &str) -> bool {
    if Command::new(tool).arg("--version").output().is_ok()
        || Command::new(tool).arg("-v").output().is_ok()
    {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{tool} is required in CI but is not installed (apt-get install qpdf poppler-utils)"
        );
    }
    eprintln!("notice: {tool} not installed, skipping the independent check");
    false
}

/// Runs an external verifier on `pdf`; `None` (with a one-line notice) when
/// the tool is not installed, unless `CI=true`, where a missing tool fails.
pub fn run_tool(tool: &str, args: &[&str], pdf: &[u8]) -> Option<(bool, String)> {
    if !tool_available(tool) {
        return None;
    }
    let mut file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    file.write_all(pdf).unwrap();
    file.flush().unwrap();
    let output = Command::new(tool)
        .args(args)
        .arg(file.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some((output.status.success(), text))
}

/// `qpdf --check`: passes, or `None` when skipped.
pub fn qpdf_check(pdf: &[u8]) -> Option<String> {
    let (ok, text) = run_tool("qpdf", &["--check"], pdf)?;
    assert!(ok, "qpdf --check failed:\n{text}");
    assert!(
        text.contains("No syntax or stream encoding errors found"),
        "{text}"
    );
    Some(text)
}

/// `pdfsig -nocert` output, or `None` when skipped.
pub fn pdfsig(pdf: &[u8]) -> Option<String> {
    run_tool("pdfsig", &["-nocert"], pdf).map(|(_, text)| text)
}

/// The error of a result that must have failed (without printing a whole
/// PDF when it did not).
pub fn err<T>(result: Result<T, pdf_seal::SealError>) -> pdf_seal::SealError {
    match result {
        Ok(_) => panic!("expected an error, got a result"),
        Err(e) => e,
    }
}
