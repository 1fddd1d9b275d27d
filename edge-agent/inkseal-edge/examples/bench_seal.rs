//! Benchmark: (1) a whole three-field signing session on a simulated STU-530 (in-process, virtual
//! time) and the process's peak memory after it; (2) sealing a 20-page offer with three
//! signatures, as a ratio to a plain lopdf load + save of the same file.
//!
//! `cargo run -p inkseal-edge --example bench_seal [--release]`

use std::time::{Duration, Instant, SystemTime};

use biometric_envelope::{Binding, EscrowPrivateKey, Sample, TimeSeries};
use device_sim::{PadConfig, PenScript, RectMm, SignatureSpec, SimTransport, TimeMode};
use inkseal_edge::capture::CaptureSettings;
use inkseal_edge::fields::OfferSpec;
use inkseal_edge::outbox::Outbox;
use inkseal_edge::pad::PadLink;
use inkseal_edge::quality::QualityThresholds;
use inkseal_edge::screen::{Button, Layout};
use inkseal_edge::seal::{SealedField, seal_offer};
use inkseal_edge::session::{self, Host, Progress, Resources};
use lopdf::Document;
use pdf_seal::Signer;
use pdf_seal::sample::SampleOffer;
use stu_protocol::{Model, Units};

const ITERATIONS: u32 = 20;

/// A third field, on page 19, after the sample's two on page 20.
const CONSENT_FIELD: &str = r#"
[[fields]]
id = "client_consent"
role = "client"
page = 19
rect = { x = 72, y = 200, width = 200, height = 60 }
label = "Souhlas klienta"
"#;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

struct Yes;
impl Host for Yes {
    fn progress(&mut self, _: &Progress) {}
    fn confirm_save_and_send(&mut self, _: &str) -> bool {
        true
    }
}

fn series(model: Model, seed: u64) -> TimeSeries {
    let caps = model.capabilities();
    let units = Units::new(caps);
    let mut samples = Vec::new();
    let mut t = 0u32;
    for s in device_sim::signature::generate_strokes(
        &SignatureSpec::new(seed),
        RectMm {
            x: 10.0,
            y: 15.0,
            width: 80.0,
            height: 35.0,
        },
    ) {
        t += (s.gap_before_ms * 1000.0) as u32;
        for (x, y, p) in s.points {
            let (tx, ty) = units.mm_to_tablet(x, y);
            samples.push(Sample {
                x: tx,
                y: ty,
                pressure: (p * f64::from(caps.tablet_max_pressure)) as u16,
                t_us: t,
                pen_down: p > 0.02,
            });
            t += 5000;
        }
    }
    let per_metre = (f64::from(caps.resolution) / 0.0254).round() as u32;
    TimeSeries {
        channels: biometric_envelope::ChannelInfo {
            max_x: caps.tablet_max_x,
            max_y: caps.tablet_max_y,
            max_pressure: caps.tablet_max_pressure,
            x_units_per_metre: per_metre,
            y_units_per_metre: per_metre,
            sample_rate_hz: 200,
        },
        samples,
    }
}

fn per_iter(f: impl Fn()) -> Duration {
    f();
    let t = Instant::now();
    for _ in 0..ITERATIONS {
        f();
    }
    t.elapsed() / ITERATIONS
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rss_start = vm_hwm_kib();
    let escrow =
        EscrowPrivateKey::new(rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap()).unwrap();
    let signer = Signer::self_issued_for_tests(
        "inkseal edge agent-0042",
        rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap(),
    )
    .unwrap();
    let pdf = SampleOffer::flexi("8800123456").pages(20).to_pdf();
    let spec = OfferSpec::parse(&format!(
        "{}{CONSENT_FIELD}",
        inkseal_edge::fields::sample_toml("OFF-BENCH", "8800123456", "agent-0042", 20)
    ))
    .unwrap();

    // (1) A whole session: three fields on a simulated STU-530.
    let model = Model::Stu530;
    let layout = Layout::for_caps(model.capabilities());
    let area = layout.signing_area.inset(4).to_stu();
    let (ox, oy) = layout.button(Button::Ok).centre();
    let mut b = PenScript::builder(model).pause(400.0);
    for seed in 1..=3 {
        b = b
            .signature_in_pixels(&SignatureSpec::new(seed), area)
            .pause(300.0)
            .tap_pixel(ox, oy)
            .pause(600.0);
    }
    let pad = SimTransport::new(
        PadConfig::new(model).script(b.build().unwrap()),
        TimeMode::Virtual,
    );
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.sqlite"), 100)
        .await
        .unwrap();
    let resources = Resources {
        escrow: escrow.public_key(),
        signer: signer.clone(),
        quality: QualityThresholds::default(),
        capture: CaptureSettings {
            read_timeout: Duration::from_millis(100),
            field_timeout: Duration::from_secs(60),
            max_points: 60_000,
        },
        max_attempts_per_field: 5,
        max_pdf_bytes: 50 << 20,
    };
    let t = Instant::now();
    let outcome = session::run(
        &outbox,
        &resources,
        &spec,
        &pdf,
        || Ok(PadLink::new(Box::new(pad), "SIM1")),
        &mut Yes,
    )
    .await
    .unwrap();
    let session_time = t.elapsed();
    let rss_session = vm_hwm_kib();

    // (2) Sealing vs a plain lopdf load + save.
    let fields: Vec<SealedField> = spec
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let s = series(model, 10 + i as u64);
            let binding = Binding {
                document_sha256: [7; 32],
                offer_id: "OFF-BENCH".into(),
                field_id: f.field.id.as_str().into(),
                signer_role: "klient".into(),
                pad_model: "STU-530".into(),
                pad_serial: "SIM1".into(),
            };
            let env = biometric_envelope::seal(
                &s,
                &binding,
                &escrow.public_key(),
                &mut biometric_envelope::SysRng,
            )
            .unwrap();
            let (strokes, aspect) = inkseal_edge::signature_image::cropped_strokes(&s);
            SealedField {
                spec: f.clone(),
                strokes,
                aspect,
                envelope: env.to_bytes(),
            }
        })
        .collect();
    let points: usize = fields
        .iter()
        .map(|f| f.strokes.iter().map(Vec::len).sum::<usize>())
        .sum();
    let seal_time = per_iter(|| {
        seal_offer(&pdf, "8800123456", &fields, &signer, SystemTime::now()).unwrap();
    });
    let lopdf_time = per_iter(|| {
        let mut doc = Document::load_mem(&pdf).unwrap();
        let mut out = Vec::with_capacity(pdf.len() * 2);
        doc.save_to(&mut out).unwrap();
    });
    let sealed = seal_offer(&pdf, "8800123456", &fields, &signer, SystemTime::now()).unwrap();
    println!(
        "offer PDF: 20 pages, {} bytes; sealed: {} bytes; 3 signatures, {points} pen points",
        pdf.len(),
        sealed.len()
    );
    println!(
        "session (3 fields, simulated STU-530, virtual pad time): {session_time:?}, sealed {} bytes",
        outcome.sealed_size
    );
    println!("peak RSS: {rss_start} KiB at start, {rss_session} KiB after the session");
    println!(
        "seal_offer: {seal_time:?} per run; lopdf load+save: {lopdf_time:?} per run; ratio {:.2}",
        seal_time.as_secs_f64() / lopdf_time.as_secs_f64()
    );
}
