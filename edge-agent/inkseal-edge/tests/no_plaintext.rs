//! Biometric plaintext never reaches the outbox file or the logs: after whole sessions (one of
//! them with a refused signature and a Vymazat), the escrow key opens the envelopes, and no piece
//! of the decrypted time series — binary or as text — is found in the SQLite files or the log.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use inkseal_edge::screen::Button;
use inkseal_edge::session;
use sha2::{Digest, Sha256};
use stu_protocol::Model;

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn no_plaintext_biometrics_in_the_outbox_file_or_the_logs() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (dir, outbox, path) = outbox().await;
    let mut pdfs = Vec::new();
    for (i, model) in Model::ALL.into_iter().enumerate() {
        let offer_id = format!("OFF-scan-{i}");
        let script = Pen::new(model)
            .sign_narrow(61)
            .tap(Button::Ok)
            .sign(62)
            .tap(Button::Clear)
            .sign(63)
            .tap(Button::Ok)
            .sign(64)
            .tap(Button::Ok)
            .script();
        let pdf = offer_pdf(1);
        let mut host = RecordingHost::saying(true);
        session::run(
            &outbox,
            &resources(),
            &spec(&offer_id),
            &pdf,
            || Ok(sim_link(sim_pad(model, script))),
            &mut host,
        )
        .await
        .unwrap();
        pdfs.push((offer_id, pdf));
    }
    let _ = inkseal_edge::status::offers(&outbox, None).await.unwrap();

    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", path.display());
        if let Ok(bytes) = std::fs::read(&p) {
            stored.extend(bytes);
        }
    }
    let log = logs.0.lock().unwrap().clone();
    assert!(
        contains(&log, b"field signed, biometrics sealed"),
        "the session's logs were captured"
    );
    assert!(stored.len() > 10_000);

    let mut checked = 0;
    for (offer_id, pdf) in &pdfs {
        let sealed = outbox.sealed_pdf(offer_id).await.unwrap().unwrap();
        assert!(
            contains(&stored, &sealed[..64]),
            "the sealed PDF is in the outbox"
        );
        let doc: [u8; 32] = Sha256::digest(pdf).into();
        for a in pdf_seal::extract_attachments(&sealed).unwrap() {
            let env = biometric_envelope::Envelope::from_bytes(&a.bytes).unwrap();
            let (series, _) = biometric_envelope::open(&env, escrow_key(), &doc).unwrap();
            let encoded = series.encode().unwrap();
            // Binary: windows of the encoded samples.
            let body = &encoded[encoded.len() / 3..];
            for w in body.chunks(24).take(20) {
                assert!(!contains(&stored, w), "plaintext samples in the outbox");
                assert!(!contains(&log, w), "plaintext samples in the log");
            }
            // Text: three consecutive pen-down samples as numbers.
            let down: Vec<_> = series.samples.iter().filter(|s| s.pen_down).collect();
            for triple in down.windows(3).step_by(25) {
                let text: Vec<String> = triple
                    .iter()
                    .map(|s| format!("{} {} {}", s.x, s.y, s.pressure))
                    .collect();
                let csv: Vec<String> = triple
                    .iter()
                    .map(|s| format!("{},{},{}", s.x, s.y, s.pressure))
                    .collect();
                for needle in [text.join(" "), csv.join(","), csv.join("\n")] {
                    assert!(!contains(&stored, needle.as_bytes()));
                    assert!(!contains(&log, needle.as_bytes()));
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    drop(dir);
}
