//! The pen's biometrics cross the USB cable only encrypted: every pen report the pad sends
//! during a whole session — both fields, a refused signature, Vymazat — is ciphertext, on
//! each model.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use inkseal_edge::pad::PadLink;
use inkseal_edge::screen::Button;
use inkseal_edge::session::{self, Progress};
use stu_protocol::{Model, ReportId};
use stu_transport::{Transport, TransportError};

/// Passes everything through to the simulated pad and keeps the id of every input report.
struct Wiretap<T> {
    inner: T,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl<T: Transport> Transport for Wiretap<T> {
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError> {
        self.inner.get_feature(id, len)
    }
    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError> {
        self.inner.set_feature(report)
    }
    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        let report = self.inner.read_input(timeout)?;
        if let Some(r) = &report {
            self.seen.lock().unwrap().push(r[0]);
        }
        Ok(report)
    }
    fn wait(&mut self, duration: Duration) {
        self.inner.wait(duration)
    }
}

#[tokio::test]
async fn every_pen_report_on_the_usb_link_is_encrypted_on_every_model() {
    let (_dir, outbox, _) = outbox().await;
    for (i, model) in Model::ALL.into_iter().enumerate() {
        let script = Pen::new(model)
            .sign_narrow(81)
            .tap(Button::Ok)
            .sign(82)
            .tap(Button::Clear)
            .sign(83)
            .tap(Button::Ok)
            .sign(84)
            .tap(Button::Ok)
            .script();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let tap = Wiretap {
            inner: sim_pad(model, script),
            seen: seen.clone(),
        };
        let mut host = RecordingHost::saying(true);
        let outcome = session::run(
            &outbox,
            &resources(),
            &spec(&format!("OFF-usb-{i}")),
            &offer_pdf(1),
            || Ok(PadLink::new(Box::new(tap), "SIM00042")),
            &mut host,
        )
        .await
        .unwrap();
        assert_eq!(outcome.status, 2, "{model:?}: signed and saved");
        let announced: Vec<&str> = host
            .progress
            .iter()
            .filter_map(|p| match p {
                Progress::PadReady {
                    link_encryption, ..
                } => Some(link_encryption.as_str()),
                _ => None,
            })
            .collect();
        let expected = if model == Model::Stu300 {
            "AES-128 / Diffie-Hellman"
        } else {
            "AES-256 / RSA-2048"
        };
        assert_eq!(announced, [expected], "{model:?}: the host is told");

        let seen = seen.lock().unwrap();
        let count = |id: ReportId| seen.iter().filter(|&&r| r == id as u8).count();
        let encrypted =
            count(ReportId::PenDataEncrypted) + count(ReportId::PenDataTimeCountSequenceEncrypted);
        let plain = count(ReportId::PenData) + count(ReportId::PenDataTimeCountSequence);
        assert!(
            encrypted > 500,
            "{model:?}: {encrypted} encrypted pen reports"
        );
        assert_eq!(plain, 0, "{model:?}: plaintext pen reports on the link");
    }
}
