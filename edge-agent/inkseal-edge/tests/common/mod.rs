//! Test fixtures: keys made once per test binary, a generated offer PDF, FIELDS.toml texts,
//! pen scripts that sign inside the drawn signing area and tap the drawn buttons, a host that
//! records what the session reported, and runners for the independent PDF verifiers.

#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use biometric_envelope::EscrowPrivateKey;
use device_sim::{PadConfig, PenScript, ScriptBuilder, SignatureSpec, SimTransport, TimeMode};
use inkseal_edge::EdgeError;
use inkseal_edge::capture::CaptureSettings;
use inkseal_edge::fields::OfferSpec;
use inkseal_edge::outbox::Outbox;
use inkseal_edge::pad::PadLink;
use inkseal_edge::quality::QualityThresholds;
use inkseal_edge::screen::{Button, Layout, PixelRect};
use inkseal_edge::session::{self, Host, Outcome, Progress, Resources};
use pdf_seal::Signer;
use pdf_seal::sample::SampleOffer;
use stu_protocol::{Model, Units};

fn rsa_key() -> rsa::PrivateKey {
    rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("RSA key generation")
}

/// The escrow authority's key pair.
pub fn escrow_key() -> &'static EscrowPrivateKey {
    static KEY: OnceLock<EscrowPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| EscrowPrivateKey::new(rsa_key()).unwrap())
}

/// The edge agent's PDF signer (self-issued test certificate).
pub fn edge_signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| Signer::self_issued_for_tests("inkseal edge agent-0042", rsa_key()).unwrap())
}

/// Session resources with the documented defaults.
pub fn resources() -> Resources {
    Resources {
        escrow: escrow_key().public_key(),
        signer: edge_signer().clone(),
        quality: QualityThresholds::default(),
        capture: CaptureSettings {
            read_timeout: Duration::from_millis(100),
            field_timeout: Duration::from_secs(120),
            max_points: 60_000,
        },
        max_attempts_per_field: 10,
        max_pdf_bytes: 50 * 1024 * 1024,
    }
}

/// The sample offer of `pages` pages.
pub fn offer_pdf(pages: u32) -> Vec<u8> {
    SampleOffer::flexi("8800123456").pages(pages).to_pdf()
}

/// FIELDS.toml of an offer with a client and an agent field on `page`.
pub fn fields_toml(offer_id: &str, page: u32) -> String {
    inkseal_edge::fields::sample_toml(
        offer_id,
        &format!("8800{}", offer_id.len()),
        "agent-0042",
        page,
    )
}

/// The offer spec of [`fields_toml`].
pub fn spec(offer_id: &str) -> OfferSpec {
    OfferSpec::parse(&fields_toml(offer_id, 1)).unwrap()
}

/// Pen scripts drawn against the layout the edge agent shows on `model`.
pub struct Pen {
    pub model: Model,
    pub layout: Layout,
    builder: ScriptBuilder,
}

impl Pen {
    pub fn new(model: Model) -> Pen {
        Pen {
            model,
            layout: Layout::for_caps(model.capabilities()),
            builder: PenScript::builder(model).pause(400.0),
        }
    }

    fn area(&self) -> PixelRect {
        self.layout.signing_area.inset(4)
    }

    /// A good signature filling the signing area.
    pub fn sign(mut self, seed: u64) -> Pen {
        let rect = self.area().to_stu();
        self.builder = self
            .builder
            .signature_in_pixels(&SignatureSpec::new(seed), rect)
            .pause(300.0);
        self
    }

    /// A signature about 7 mm wide: narrower than 1 cm.
    pub fn sign_narrow(mut self, seed: u64) -> Pen {
        let units = Units::new(self.model.capabilities());
        let (w, _) = units.mm_to_pixel(7.0, 0.0);
        let a = self.area();
        let rect = PixelRect {
            x1: a.x1 + 10,
            y1: a.y1,
            x2: a.x1 + 10 + w as u16,
            y2: a.y2,
        }
        .to_stu();
        self.builder = self
            .builder
            .signature_in_pixels(&SignatureSpec::new(seed), rect)
            .pause(300.0);
        self
    }

    /// A tap in the middle of a button.
    pub fn tap(mut self, b: Button) -> Pen {
        let (x, y) = self.layout.button(b).centre();
        self.builder = self.builder.tap_pixel(x, y).pause(600.0);
        self
    }

    pub fn script(self) -> PenScript {
        self.builder.build().unwrap()
    }
}

/// A simulated pad of `model` in virtual time playing `script`.
pub fn sim_pad(model: Model, script: PenScript) -> SimTransport {
    SimTransport::new(
        PadConfig::new(model).serial("SIM00042").script(script),
        TimeMode::Virtual,
    )
}

/// Runs a session of the one-page sample offer `offer_id` (FIELDS of [`spec`]) on a simulated
/// `model` pad playing `script`.
pub async fn sign_on_sim(
    outbox: &Outbox,
    offer_id: &str,
    model: Model,
    script: PenScript,
    host: &mut RecordingHost,
) -> Result<Outcome, EdgeError> {
    session::run(
        outbox,
        &resources(),
        &spec(offer_id),
        &offer_pdf(1),
        || Ok(sim_link(sim_pad(model, script))),
        host,
    )
    .await
}

/// A link to a simulated pad.
pub fn sim_link(pad: SimTransport) -> PadLink {
    PadLink::new(Box::new(pad), "SIM00042")
}

/// A host that records the session's reports and answers "save and send" with `answer`.
#[derive(Default)]
pub struct RecordingHost {
    pub answer: bool,
    pub progress: Vec<Progress>,
    pub asked: Vec<String>,
}

impl RecordingHost {
    pub fn saying(answer: bool) -> RecordingHost {
        RecordingHost {
            answer,
            ..RecordingHost::default()
        }
    }
    pub fn refusals(&self) -> Vec<String> {
        self.progress
            .iter()
            .filter_map(|p| match p {
                Progress::SignatureRefused { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }
    pub fn count(&self, f: impl Fn(&Progress) -> bool) -> usize {
        self.progress.iter().filter(|p| f(p)).count()
    }
}

impl Host for RecordingHost {
    fn progress(&mut self, p: &Progress) {
        self.progress.push(p.clone());
    }
    fn confirm_save_and_send(&mut self, question: &str) -> bool {
        self.asked.push(question.to_owned());
        self.answer
    }
}

/// A fresh outbox in a temporary directory.
pub async fn outbox() -> (tempfile::TempDir, Outbox, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let outbox = Outbox::open(&path, 1000).await.unwrap();
    (dir, outbox, path)
}

/// Runs an external verifier; `None` when it is not installed (a failure when CI=true).
pub fn tool(name: &str, args: &[&str]) -> Option<std::process::Output> {
    match std::process::Command::new(name).args(args).output() {
        Ok(o) => Some(o),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{name} is required in CI")
        }
        Err(_) => {
            eprintln!("notice: {name} is not installed; skipping its check");
            None
        }
    }
}
