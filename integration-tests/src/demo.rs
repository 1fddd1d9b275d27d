//! The whole-system run behind `inkseal-demo` and the whole-system tests:
//!
//! 1. makes the keys a real installation gets from elsewhere: the escrow
//!    authority's key pair, a development PKI for mutual TLS and the
//!    insurer's seal, and the edge agent's PDF-signing certificate;
//! 2. starts `inkseal-server` in this process (SQLite event store, documents
//!    in a local folder, gRPC with mutual TLS on loopback);
//! 3. runs the edge agent's signing session on a simulated STU pad: the
//!    client signs, the agent first signs too narrowly (refused with the
//!    seed's message) and then properly, the agent confirms "save and send";
//! 4. synchronises the outbox to the backend and waits until the backend
//!    accepts the offer (state 4) and adds the insurer's seal;
//! 5. the backend publishes the insurer's copy and the insurance terms to the
//!    client's storage; an access code is issued (as the next morning's SMS
//!    will carry it) and the client opens the storage with the link and the
//!    code and downloads the signed offer, which must equal the insurer's copy;
//! 6. opens the biometric envelopes with the escrow key, as the escrow
//!    authority would in a court dispute, and shows the help desk's timeline.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use biometric_envelope::EscrowPrivateKey;
use inkseal_edge::config::SyncSettings;
use inkseal_edge::fields::OfferSpec;
use inkseal_edge::outbox::Outbox;
use inkseal_edge::pad::PadLink;
use inkseal_edge::quality::QualityThresholds;
use inkseal_edge::screen::Button;
use inkseal_edge::session::{self, Host, Progress, Resources};
use inkseal_server::config::Config;
use inkseal_server::documents::Documents;
use inkseal_server::pki::DevPki;
use inkseal_server::read_model::ReadModel;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256};
use stu_protocol::Model;

use crate::offer::{fields_toml, offer_pdf};
use crate::pen::{Pen, SharedPad};

const AGENT_ID: &str = "agent-0042";
const HELP_DESK_USER: &str = "helpdesk-demo";
const OFFER_ID: &str = "OFF-2026-000123";
const OFFER_NUMBER: &str = "8800123456";
/// The one file with `extension` in `dir`.
fn only_file(dir: &Path, extension: &str) -> anyhow::Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{} is missing", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    if found.len() != 1 {
        bail!(
            "expected one .{extension} in {}, found {}",
            dir.display(),
            found.len()
        );
    }
    Ok(found.remove(0))
}

/// Prints when the run is verbose.
macro_rules! say {
    ($verbose:expr, $($arg:tt)*) => {
        if $verbose {
            println!($($arg)*);
        }
    };
}

/// Marks a folder as this program's output, so a rerun may replace it.
const MARKER: &str = ".inkseal-demo";

fn fresh_dir(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let nonempty = std::fs::read_dir(out)?.next().is_some();
        if nonempty && !out.join(MARKER).exists() {
            bail!(
                "{} exists and was not written by inkseal-demo; choose another --out",
                out.display()
            );
        }
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    std::fs::write(
        out.join(MARKER),
        "written by inkseal-demo; replaced on every run\n",
    )?;
    Ok(())
}

fn rsa_key() -> anyhow::Result<rsa::PrivateKey> {
    Ok(rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)?)
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder for everything the run writes; replaced on every run.
    pub out: PathBuf,
    /// Pad model to simulate.
    pub pad: Model,
    /// Seed of the synthetic signatures.
    pub seed: u64,
    /// Print the steps (the demo) or stay quiet (tests).
    pub verbose: bool,
}

/// What the run ended with, for a test to check.
#[derive(Debug, Clone)]
pub struct Report {
    /// The agent-visible state the edge agent shows at the end (4 = accepted).
    pub final_status: u8,
    /// Signatures in the insurer's copy that verify (ours and the insurer's seal).
    pub valid_signatures: usize,
    /// Whether the insurer's copy keeps the edge agent's sealed bytes as a prefix.
    pub insurer_copy_extends_sealed: bool,
    /// Biometric envelopes the escrow key opened, bound to the offer's document.
    pub envelopes_opened: usize,
    /// Event types of the help desk's timeline, in order.
    pub timeline: Vec<String>,
    /// Times the pad refused a signature with the seed's message.
    pub refusals: usize,
    /// Whether what the client downloaded from the storage with the link and the code is the
    /// insurer's copy, byte for byte.
    pub storage_download_matches: bool,
}

/// Runs one whole simulated signing session through the backend.
pub async fn run(args: Options) -> anyhow::Result<Report> {
    let out = args.out.clone();
    let verbose = args.verbose;
    let step = |n: u32, text: &str| {
        if verbose {
            say!(verbose, "\n[{n}] {text}");
        }
    };
    fresh_dir(&out)?;
    let backend_dir = out.join("backend");
    let edge_dir = out.join("edge");
    let escrow_dir = out.join("escrow");
    for d in [&backend_dir, &edge_dir, &escrow_dir] {
        std::fs::create_dir_all(d)?;
    }

    step(
        1,
        "Keys: escrow authority, development PKI (mutual TLS, insurer's seal), edge agent's PDF certificate",
    );
    let escrow_rsa = rsa_key()?;
    // The demo hands the escrow authority its key as a file, so that
    // `inkseal-escrow open` can be tried on the results.
    let escrow_key_path = escrow_dir.join("escrow-private.pem");
    std::fs::write(
        &escrow_key_path,
        escrow_rsa.to_pkcs8_pem(LineEnding::LF)?.as_bytes(),
    )?;
    let escrow = EscrowPrivateKey::new(escrow_rsa)?;
    let pki = DevPki::generate(&[AGENT_ID], &[HELP_DESK_USER])?;
    let pki_dir = backend_dir.join("pki"); // where the default configuration looks
    pki.write(&pki_dir)?;
    let agent_tls = pki.agent(AGENT_ID).context("agent certificate")?;
    // the agent's document-signing certificate, from the authority acceptance trusts
    let signing = pki.issue_agent_signer(AGENT_ID)?;
    DevPki::write_agent_signer(&pki_dir, AGENT_ID, &signing)?;
    let edge_signer = pdf_seal::Signer::from_pem(&signing.cert_pem, &signing.key_pem)?;
    say!(
        verbose,
        "    escrow key id {}…, held only by the escrow authority",
        &hex::encode(escrow.key_id())[..16]
    );

    step(
        2,
        "Backend: inkseal-server on loopback (SQLite event store, local document folder, mutual TLS)",
    );
    // certificates, keys and folders at their default places under the data dir
    let mut config = Config {
        data_dir: backend_dir.clone(),
        ..Config::default()
    };
    config.acceptance.poll_interval_ms = 100;
    config.notifications.poll_interval_ms = 100;
    let storage_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let storage_addr = storage_listener.local_addr()?;
    config.storage.public_url = format!("http://{storage_addr}");
    let mut components = inkseal_server::server::open(&config).await?;
    // the notifications' clock: the run moves it to the next morning
    let clock = std::sync::Arc::new(inkseal_server::notify::ManualClock::new(chrono::Utc::now()));
    components.clock = clock.clone();
    let read_model = components.read_model.clone();
    let documents = components.documents.clone();
    let store = components.store.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let server = inkseal_server::server::start(
        components,
        inkseal_server::server::Listeners {
            grpc: Some(listener),
            storage: Some(storage_listener),
            ..Default::default()
        },
    )
    .await?;
    say!(verbose, "    listening on https://localhost:{port}");

    step(
        3,
        &format!(
            "Edge agent: signing session on a simulated {} pad",
            model_name(args.pad)
        ),
    );
    let offer = offer_pdf(OFFER_NUMBER, 3);
    let offer_path = edge_dir.join("offer.pdf");
    std::fs::write(&offer_path, &offer)?;
    let spec = OfferSpec::parse(&fields_toml(OFFER_ID, OFFER_NUMBER, AGENT_ID))?;
    let outbox = Outbox::open(&edge_dir.join("outbox.sqlite"), 1_000).await?;
    let resources = Resources {
        escrow: escrow.public_key(),
        signer: edge_signer,
        quality: QualityThresholds::default(),
        capture: inkseal_edge::capture::CaptureSettings {
            read_timeout: Duration::from_millis(100),
            field_timeout: Duration::from_secs(120),
            max_points: 60_000,
        },
        max_attempts_per_field: 5,
        max_pdf_bytes: 50 * 1024 * 1024,
    };
    let script = Pen::new(args.pad)
        .sign(args.seed)
        .tap(Button::Ok)
        .sign_narrow(args.seed + 1, 7.0)
        .tap(Button::Ok)
        .sign(args.seed + 2)
        .tap(Button::Ok)
        .script()?;
    let serial = format!("SIM-{}-0001", model_name(args.pad));
    let pad = SharedPad::new(args.pad, &serial, script);
    let pad_for_session = pad.clone();
    let mut host = PrintingHost {
        verbose,
        refusals: 0,
        pad: pad.clone(),
        dir: edge_dir.clone(),
        screens: Vec::new(),
    };
    let outcome = session::run(
        &outbox,
        &resources,
        &spec,
        &offer,
        move || Ok(PadLink::new(Box::new(pad_for_session), serial)),
        &mut host,
    )
    .await?;
    let sealed = outbox
        .sealed_pdf(OFFER_ID)
        .await?
        .context("the sealed PDF is in the outbox")?;
    let sealed_path = edge_dir.join("sealed-offer.pdf");
    std::fs::write(&sealed_path, &sealed)?;
    say!(
        verbose,
        "    state {}: {}",
        outcome.status,
        outcome.status_text
    );

    step(
        4,
        "Sync: events and the sealed PDF to the backend over mutual TLS; waiting for acceptance",
    );
    let ca = pki_dir.join("ca.pem");
    let cert = edge_dir.join("agent.pem");
    let key = edge_dir.join("agent-key.pem");
    std::fs::write(&cert, &agent_tls.cert_pem)?;
    std::fs::write(&key, &agent_tls.key_pem)?;
    let settings = SyncSettings {
        endpoint: format!("https://localhost:{port}"),
        domain_name: "localhost".into(),
        ca_certificate: ca,
        client_certificate: cert,
        client_key: key,
        ..SyncSettings::default()
    };
    let mut last_status = 0;
    for _ in 0..100 {
        inkseal_edge::sync::sync(&outbox, &settings).await?;
        let rows = outbox.list(10).await?;
        let row = rows
            .iter()
            .find(|r| r.offer_id == OFFER_ID)
            .context("offer in the outbox")?;
        if row.status != last_status {
            say!(verbose, "    state {}: {}", row.status, row.status_text);
            last_status = row.status;
        }
        if let Some(reason) = &row.rejection_reason {
            bail!("the backend rejected the offer: {reason}");
        }
        if row.status >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if last_status < 4 {
        bail!("the backend did not accept the offer in time (state {last_status})");
    }

    step(
        5,
        "The next morning: the e-mail with the link, the SMS with the code, the storage",
    );
    let insurer_copy = insurer_copy(&read_model, &documents).await?;
    let mut published = false;
    for _ in 0..300 {
        let stream = inkseal_server::offers::load(store.as_ref(), OFFER_ID).await?;
        if stream
            .state
            .offer()
            .is_some_and(|o| o.publication.is_some())
        {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !published {
        bail!("the backend did not publish the documents in time");
    }
    inkseal_server::projections::wait_for(
        &read_model,
        store.head_position().await?,
        Duration::from_secs(30),
    )
    .await?;
    say!(
        verbose,
        "    published: the signed offer with the insurer's seal, and the FLEXI insurance terms"
    );
    let mut due = None;
    for _ in 0..300 {
        let stream = inkseal_server::offers::load(store.as_ref(), OFFER_ID).await?;
        due = stream
            .state
            .offer()
            .and_then(|o| o.schedule.as_ref())
            .map(|s| s.due_at);
        if due.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let due = due.context("the notification was not scheduled")?;
    say!(
        verbose,
        "    e-mail and SMS scheduled for {} (Europe/Prague); the run moves its clock there",
        inkseal_server::mapping::prague(due)
    );
    clock.set(due + chrono::Duration::minutes(1));
    let mut sent = false;
    for _ in 0..300 {
        let stream = inkseal_server::offers::load(store.as_ref(), OFFER_ID).await?;
        if stream
            .state
            .offer()
            .is_some_and(|o| !o.emails.is_empty() && !o.sms.is_empty())
        {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !sent {
        bail!("the e-mail and the SMS did not go out");
    }
    let client_dir = out.join("client");
    std::fs::create_dir_all(&client_dir)?;
    let eml = only_file(&backend_dir.join("outbox/mail"), "eml")?;
    let eml_path = client_dir.join("e-mail.eml");
    std::fs::copy(&eml, &eml_path)?;
    let sms = only_file(&backend_dir.join("outbox/sms"), "json")?;
    let sms_path = client_dir.join("sms.json");
    std::fs::copy(&sms, &sms_path)?;
    let (subject, link) = crate::client::link_in_email(&std::fs::read(&eml)?)?;
    let sms_text = crate::client::sms_text(&std::fs::read(&sms)?)?;
    let code = crate::client::code_in_sms(&sms_text)?;
    say!(verbose, "    e-mail \"{subject}\"");
    say!(verbose, "      link: {link}");
    say!(verbose, "    SMS: \"{sms_text}\"");
    let link_path = link
        .find("/u/")
        .map(|i| link[i..].to_owned())
        .context("the e-mail's link has no storage path")?;
    let (file_name, downloaded) =
        crate::client::download_with_code(storage_addr, &link_path, &code, "nabidka").await?;
    let downloaded_path = client_dir.join(&file_name);
    std::fs::write(&downloaded_path, &downloaded)?;
    let download_matches = insurer_copy.as_deref() == Some(&downloaded[..]);
    say!(
        verbose,
        "    the client entered the code and downloaded \"{file_name}\" ({} bytes): {}",
        downloaded.len(),
        if download_matches {
            "identical to the insurer's copy"
        } else {
            "DIFFERENT from the insurer's copy"
        }
    );
    for _ in 0..100 {
        let stream = inkseal_server::offers::load(store.as_ref(), OFFER_ID).await?;
        if stream
            .events
            .iter()
            .any(|e| matches!(e, offer_lifecycle::Event::DocumentDownloaded(_)))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    inkseal_server::projections::wait_for(
        &read_model,
        store.head_position().await?,
        Duration::from_secs(30),
    )
    .await?;

    step(6, "What each party has");
    let extends_sealed = insurer_copy
        .as_ref()
        .is_some_and(|copy| copy.len() > sealed.len() && copy.starts_with(&sealed));
    let insurer_path = backend_dir.join("offer-with-insurer-seal.pdf");
    if let Some(bytes) = &insurer_copy {
        std::fs::write(&insurer_path, bytes)?;
    }
    let signatures = pdf_seal::extract_signatures(insurer_copy.as_deref().unwrap_or(&sealed))?;
    say!(
        verbose,
        "    PDF signatures in the insurer's copy: {}",
        signatures.len()
    );
    let mut valid_signatures = 0;
    for info in &signatures {
        match pdf_seal::verify_cms_signature(insurer_copy.as_deref().unwrap_or(&sealed), info) {
            Ok(v) => {
                valid_signatures += 1;
                let scope = if v.covers_whole_file {
                    "covers the whole file"
                } else {
                    "covers the revision it signed"
                };
                say!(verbose, "      - valid, {scope}: {}", v.signer_subject);
            }
            Err(e) => say!(verbose, "      - INVALID: {e}"),
        }
    }
    if insurer_copy.is_some() {
        pdfsig_summary(&insurer_path, verbose);
    }
    let original_sha: [u8; 32] = Sha256::digest(&offer).into();
    let mut opened = 0;
    for attachment in pdf_seal::extract_attachments(&sealed)? {
        let Ok(envelope) = biometric_envelope::Envelope::from_bytes(&attachment.bytes) else {
            continue;
        };
        let (series, binding) = biometric_envelope::open(&envelope, &escrow, &original_sha)?;
        say!(
            verbose,
            "    escrow opened {}: {} pen samples of {} ({}), bound to document {}…",
            attachment.name,
            series.samples.len(),
            binding.field_id,
            binding.signer_role,
            &hex::encode(binding.document_sha256)[..16]
        );
        opened += 1;
    }
    if opened == 0 {
        bail!("no biometric envelope found in the sealed PDF");
    }
    say!(verbose, "\n    The help desk's timeline of {OFFER_ID}:");
    let mut timeline = Vec::new();
    for e in read_model.timeline(OFFER_ID, 0, 100).await? {
        say!(
            verbose,
            "      {:>2}  {:<20} {:<12} {}",
            e.stream_version,
            e.event_type,
            e.actor,
            e.summary
        );
        timeline.push(e.event_type);
    }

    server.shutdown().await?;
    outbox.close().await;

    say!(verbose, "\nResults in {}:", out.display());
    say!(
        verbose,
        "  {}  the offer the agent modelled",
        offer_path.display()
    );
    say!(
        verbose,
        "  {}  sealed on the agent's PC (signatures, envelopes, PAdES signature)",
        sealed_path.display()
    );
    if insurer_copy.is_some() {
        say!(
            verbose,
            "  {}  with the insurer's seal (second signature)",
            insurer_path.display()
        );
    }
    for screen in &host.screens {
        say!(verbose, "  {}  what the pad showed", screen.display());
    }
    say!(
        verbose,
        "  {}  the e-mail the client received (open it in a mail program)",
        eml_path.display()
    );
    say!(
        verbose,
        "  {}  the SMS the client received",
        sms_path.display()
    );
    say!(
        verbose,
        "  {}  what the client downloaded from the storage",
        downloaded_path.display()
    );
    say!(
        verbose,
        "  {}  the escrow authority's private key (kept apart in real life)",
        escrow_key_path.display()
    );
    say!(verbose, "\nTry:");
    say!(verbose, "  pdfsig -nocert {}", insurer_path.display());
    say!(
        verbose,
        "  cargo run -p inkseal-escrow -- open --key {} --pdf {} --out {}",
        escrow_key_path.display(),
        sealed_path.display(),
        escrow_dir.display()
    );
    say!(
        verbose,
        "\nThe e-mail and the SMS went to folders (the embedded default); point notifications.* at an SMTP\n\
         server to send them for real (see the README)."
    );
    Ok(Report {
        final_status: last_status,
        valid_signatures,
        insurer_copy_extends_sealed: extends_sealed,
        envelopes_opened: opened,
        timeline,
        refusals: host.refusals,
        storage_download_matches: download_matches,
    })
}

/// What poppler's `pdfsig` (an independent verifier) says, when it is installed.
fn pdfsig_summary(pdf: &Path, verbose: bool) {
    match std::process::Command::new("pdfsig")
        .arg("-nocert")
        .arg(pdf)
        .output()
    {
        Ok(out) => {
            say!(verbose, "    pdfsig -nocert says:");
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let l = line.trim();
                if l.starts_with("Signature #")
                    || l.contains("Signature Validation")
                    || l.contains("document signed")
                {
                    say!(verbose, "      {l}");
                }
            }
        }
        Err(_) => say!(
            verbose,
            "    (install poppler-utils to have pdfsig check the signatures independently)"
        ),
    }
}

/// The model's name as the pad reports it.
pub fn model_name(m: Model) -> &'static str {
    match m {
        Model::Stu300 => "STU-300",
        Model::Stu430 => "STU-430",
        _ => "STU-530",
    }
}

/// The insurer-sealed copy, as the backend recorded and stored it.
async fn insurer_copy(
    read_model: &ReadModel,
    documents: &Documents,
) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(sha) = read_model
        .offer(OFFER_ID)
        .await?
        .and_then(|row| row.insurer_sealed_pdf)
    else {
        return Ok(None);
    };
    let sha = offer_lifecycle::Sha256::from_str(&sha)
        .map_err(|e| anyhow::anyhow!("stored hash {sha}: {e}"))?;
    Ok(documents.get_pdf(&sha).await?.map(|bytes| bytes.to_vec()))
}

/// The host application's part: show progress, answer "save and send?" with
/// yes; and, for the person watching the demo, save what the pad shows when
/// each field is signed.
struct PrintingHost {
    verbose: bool,
    refusals: usize,
    pad: SharedPad,
    dir: PathBuf,
    screens: Vec<PathBuf>,
}

impl PrintingHost {
    fn snapshot(&mut self, name: &str) {
        let path = self.dir.join(format!("pad-{name}.png"));
        if let Ok(png) = self.pad.screen_png(2)
            && std::fs::write(&path, png).is_ok()
        {
            self.screens.push(path);
        }
    }
}

impl Host for PrintingHost {
    fn progress(&mut self, progress: &Progress) {
        let verbose = self.verbose;
        if matches!(progress, Progress::SignatureRefused { .. }) {
            self.refusals += 1;
        }
        match progress {
            Progress::SignatureRefused { field_id, .. } => {
                self.snapshot(&format!("{field_id}-refused"))
            }
            Progress::FieldSigned { field_id, .. } => self.snapshot(field_id),
            _ => {}
        }
        match progress {
            Progress::PadReady {
                model,
                serial,
                link_encryption,
            } => {
                say!(
                    verbose,
                    "    pad ready: {model}, serial {serial}; pen data on USB encrypted: {link_encryption}"
                )
            }
            Progress::FieldStarted {
                label,
                index,
                total,
                ..
            } => {
                say!(verbose, "    field {}/{}: {label}", index + 1, total)
            }
            Progress::FieldCleared { field_id } => say!(verbose, "    {field_id}: Vymazat"),
            Progress::SignatureRefused {
                message, reason, ..
            } => say!(verbose, "    pad and agent see: {message} ({reason})"),
            Progress::FieldSigned { field_id, metrics } => {
                say!(
                    verbose,
                    "    {field_id} signed: {:.1} × {:.1} mm, {} samples in {} strokes, {:.2} s pen down; biometrics sealed for the escrow authority",
                    metrics.width_mm,
                    metrics.height_mm,
                    metrics.samples,
                    metrics.strokes,
                    f64::from(metrics.pen_down_ms) / 1000.0
                )
            }
            Progress::Sealed { sha256, size } => say!(
                verbose,
                "    sealed: {size} bytes, SHA-256 {}…",
                &sha256[..16]
            ),
        }
    }

    fn confirm_save_and_send(&mut self, question: &str) -> bool {
        let verbose = self.verbose;
        say!(verbose, "    {question} -> ano");
        true
    }
}
