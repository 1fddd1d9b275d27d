//! The signing session, from the offer PDF to a sealed offer in the outbox (seed: "Pole postupně
//! aktivujte k podpisu … Po umístění všech podpisů se vás aplikace automaticky zeptá, zda chcete
//! nabídku uložit a odeslat do PČS").
//!
//! 1. Refuse to start without the client's valid e-mail and mobile phone.
//! 2. Record the modelled offer (state 1) in the outbox.
//! 3. Open and initialise the pad — any failure is the seed's init message.
//! 4. For each field in turn: prompt, capture until OK, quality check (a weak signature is refused
//!    on the pad and signed again), then at once: encrypt the time series into an envelope for
//!    the escrow authority and wipe the plaintext.
//! 5. Ask the host "save and send?"; on yes, seal the PDF and commit the sealed PDF with the
//!    session's events in one transaction (state 2). From then on the offer is immutable.
//!
//! Zrušit, a lost pad or a refusal to save leave the offer in state 1 with nothing sealed.
//! The offer's rules come from the pure `offer-lifecycle` decider; this module only runs them.

use std::time::{Duration, SystemTime};

use biometric_envelope::{Binding, EscrowPublicKey};
use chrono::Utc;
use offer_lifecycle::{Command, Event, OfferState, SignatureQuality, decide, evolve};
use pdf_seal::Signer;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tracing::{info, info_span, warn};

use crate::capture::{self, CaptureEvent, CaptureSettings, FieldOutcome};
use crate::config::Config;
use crate::error::EdgeError;
use crate::fields::OfferSpec;
use crate::outbox::{Outbox, StoredEvent};
use crate::pad::{Pad, PadLink};
use crate::quality::{self, Metrics, QualityThresholds};
use crate::screen::{Layout, Prompt};
use crate::seal::{self, SealedField};
use crate::wire::{self, Extra, Meta};
use crate::{messages, signature_image};

/// What the session tells the host application while it runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    /// The pad is initialised.
    PadReady {
        /// Model name.
        model: String,
        /// Serial number.
        serial: String,
        /// How the pen data is encrypted on the USB link.
        link_encryption: String,
    },
    /// A field is active on the pad.
    FieldStarted {
        /// The field.
        field_id: String,
        /// Its label.
        label: String,
        /// 0-based index.
        index: usize,
        /// Number of fields.
        total: usize,
    },
    /// Vymazat was pressed.
    FieldCleared {
        /// The field.
        field_id: String,
    },
    /// The signature was refused; the field is signed again.
    SignatureRefused {
        /// The field.
        field_id: String,
        /// The seed's message, as shown on the pad.
        message: String,
        /// Which threshold failed.
        reason: String,
    },
    /// The field is signed and its biometrics sealed in an envelope.
    FieldSigned {
        /// The field.
        field_id: String,
        /// What the quality check measured.
        metrics: Metrics,
    },
    /// The offer is sealed and committed to the outbox.
    Sealed {
        /// SHA-256 of the sealed PDF.
        sha256: String,
        /// Its size.
        size: usize,
    },
}

/// The host application's side of a session: it sees the progress and answers "save and send?".
pub trait Host {
    /// A progress report.
    fn progress(&mut self, progress: &Progress);
    /// Asks "Chcete nabídku uložit a odeslat do PČS?"; true = yes.
    fn confirm_save_and_send(&mut self, question: &str) -> bool;
}

/// What a session needs besides the offer and the pad.
pub struct Resources {
    /// The escrow authority's public key.
    pub escrow: EscrowPublicKey,
    /// The edge agent's PDF signer.
    pub signer: Signer,
    /// Quality thresholds.
    pub quality: QualityThresholds,
    /// Capture bounds and timings.
    pub capture: CaptureSettings,
    /// Most attempts at one field.
    pub max_attempts_per_field: u32,
    /// Largest offer PDF.
    pub max_pdf_bytes: u64,
}

impl Resources {
    /// Loads keys and settings from the configuration.
    pub fn from_config(config: &Config) -> Result<Resources, EdgeError> {
        let pem = seal::read_text(&config.escrow_public_key)?;
        let escrow = EscrowPublicKey::from_pem(&pem)
            .map_err(|e| EdgeError::Config(format!("escrow public key: {e}")))?;
        Ok(Resources {
            escrow,
            signer: seal::load_signer(config)?,
            quality: config.quality.clone(),
            capture: CaptureSettings {
                read_timeout: Duration::from_millis(config.pad.read_timeout_ms.max(1)),
                field_timeout: Duration::from_secs(config.pad.field_timeout_s.max(1)),
                max_points: config.pad.max_points_per_field,
            },
            max_attempts_per_field: config.pad.max_attempts_per_field.max(1),
            max_pdf_bytes: config.limits.max_offer_pdf_bytes,
        })
    }
}

/// A finished session.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The offer.
    pub offer_id: String,
    /// SHA-256 of the sealed PDF.
    pub sealed_sha256: String,
    /// Its size.
    pub sealed_size: usize,
    /// The state now (2).
    pub status: u8,
    /// Its text.
    pub status_text: String,
}

struct Stream {
    offer_id: String,
    agent_id: String,
    state: OfferState,
    next_version: u64,
    events: Vec<StoredEvent>,
}

impl Stream {
    fn apply(&mut self, command: &Command, extra: Extra) -> Result<(), EdgeError> {
        for event in decide(command, &self.state)? {
            self.state = evolve(std::mem::take(&mut self.state), &event);
            self.push(event, extra)?;
        }
        Ok(())
    }

    fn push(&mut self, event: Event, extra: Extra) -> Result<(), EdgeError> {
        let meta = Meta {
            event_id: uuid::Uuid::new_v4(),
            offer_id: self.offer_id.clone(),
            agent_id: self.agent_id.clone(),
            stream_version: self.next_version,
            occurred_at: Utc::now(),
        };
        let wire = wire::encode(&wire::edge_event(&meta, &event, &extra)?)?;
        self.events.push(StoredEvent {
            event_id: meta.event_id,
            stream_version: meta.stream_version,
            event,
            wire,
        });
        self.next_version += 1;
        Ok(())
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Runs a whole signing session. `open_pad` is called once the offer is recorded.
#[tracing::instrument(name = "signing_session", skip_all, fields(offer_id = %spec.offer_id))]
pub async fn run(
    outbox: &Outbox,
    resources: &Resources,
    spec: &OfferSpec,
    offer_pdf: &[u8],
    open_pad: impl FnOnce() -> Result<PadLink, EdgeError>,
    host: &mut dyn Host,
) -> Result<Outcome, EdgeError> {
    // 1. Contacts first: no pad is touched without them.
    let contacts = spec.contacts()?;
    if offer_pdf.len() as u64 > resources.max_pdf_bytes {
        return Err(EdgeError::Limit {
            what: "offer PDF bytes",
            max: resources.max_pdf_bytes as usize,
        });
    }
    let doc_sha = sha256(offer_pdf);
    if outbox
        .local_status(spec.offer_id.as_str())
        .await?
        .unwrap_or(1)
        >= 2
    {
        return Err(EdgeError::AlreadySealed(spec.offer_id.as_str().to_owned()));
    }
    // 2. The modelled offer, state 1.
    let mut stream = Stream {
        offer_id: spec.offer_id.as_str().to_owned(),
        agent_id: spec.agent_id.as_str().to_owned(),
        state: OfferState::default(),
        next_version: 0,
        events: Vec::new(),
    };
    stream.apply(
        &Command::ModelOffer {
            offer_id: spec.offer_id.clone(),
            agent_id: spec.agent_id.clone(),
            offer_number: spec.offer_number.clone(),
            client_name: spec.client_name.clone(),
            contacts,
            fields: spec.fields.iter().map(|f| f.field.clone()).collect(),
            document_sha256: offer_lifecycle::Sha256::from_bytes(doc_sha),
            modelled_at: Utc::now(),
        },
        Extra {
            size: offer_pdf.len() as u64,
            metrics: None,
        },
    )?;
    let modelled = stream
        .events
        .drain(..)
        .next()
        .ok_or_else(|| EdgeError::Lifecycle("no OfferModelled".into()))?;
    outbox
        .save_modelled(
            spec.offer_id.as_str(),
            spec.agent_id.as_str(),
            spec.offer_number.as_str(),
            &hex::encode(doc_sha),
            &modelled,
        )
        .await?;
    info!("offer recorded in state 1");

    // 3. The pad.
    let mut pad = Pad::init(open_pad()?)?;
    if let Err(e) = pad.encrypt_pen_data() {
        pad.close();
        return Err(e);
    }
    let caps = pad.identity().capabilities;
    host.progress(&Progress::PadReady {
        model: caps.name.to_owned(),
        serial: pad.serial_or_unknown(),
        link_encryption: pad.link_encryption().to_owned(),
    });
    info!(
        model = caps.name,
        "pad initialised; pen data encrypted on the USB link"
    );
    let result = sign_fields(&mut pad, resources, spec, doc_sha, &mut stream, host);
    pad.close();
    let fields = result?;

    // 5. Save and send.
    if !host.confirm_save_and_send(messages::SAVE_AND_SEND_QUESTION) {
        info!("save and send declined; the offer stays in state 1");
        return Err(EdgeError::SaveDeclined);
    }
    let sealed = seal::seal_offer(
        offer_pdf,
        spec.offer_number.as_str(),
        &fields,
        &resources.signer,
        SystemTime::now(),
    )?;
    drop(fields);
    let sealed_sha = sha256(&sealed);
    stream.apply(
        &Command::SealOffer {
            sealed_pdf_sha256: offer_lifecycle::Sha256::from_bytes(sealed_sha),
            sealed_at: Utc::now(),
        },
        Extra {
            size: sealed.len() as u64,
            metrics: None,
        },
    )?;
    outbox
        .commit_sealed(
            spec.offer_id.as_str(),
            &stream.events,
            &sealed,
            &hex::encode(sealed_sha),
        )
        .await?;
    info!(size = sealed.len(), "offer sealed and committed (state 2)");
    host.progress(&Progress::Sealed {
        sha256: hex::encode(sealed_sha),
        size: sealed.len(),
    });
    let status = offer_lifecycle::OfferStatus::SignedAwaitingSync;
    Ok(Outcome {
        offer_id: spec.offer_id.as_str().to_owned(),
        sealed_sha256: hex::encode(sealed_sha),
        sealed_size: sealed.len(),
        status: status.number(),
        status_text: status.text_cs().to_owned(),
    })
}

fn sign_fields(
    pad: &mut Pad,
    resources: &Resources,
    spec: &OfferSpec,
    doc_sha: [u8; 32],
    stream: &mut Stream,
    host: &mut dyn Host,
) -> Result<Vec<SealedField>, EdgeError> {
    let sign_pad = pad.sign_pad()?;
    let pad_model = wire::pad_model_name(sign_pad.model).to_owned();
    let pad_serial = sign_pad.serial.as_str().to_owned();
    stream.apply(
        &Command::StartSigning {
            pad: sign_pad,
            started_at: Utc::now(),
        },
        Extra::default(),
    )?;
    let caps = pad.identity().capabilities;
    let layout = Layout::for_caps(caps);
    let total = spec.fields.len();
    let mut out = Vec::with_capacity(total);
    for (index, field) in spec.fields.iter().enumerate() {
        let field_id = field.field.id.as_str().to_owned();
        let _span = info_span!("field", field_id = %field_id).entered();
        host.progress(&Progress::FieldStarted {
            field_id: field_id.clone(),
            label: field.label(),
            index,
            total,
        });
        let base = Prompt::for_field(&field.label(), &field.signer_name, index, total);
        let mut prompt = base.clone();
        let mut attempts = 0;
        let (series, metrics) = loop {
            attempts += 1;
            if attempts > resources.max_attempts_per_field {
                return Err(EdgeError::Limit {
                    what: "attempts at one signature",
                    max: resources.max_attempts_per_field as usize,
                });
            }
            let outcome =
                capture::capture_field(pad, &layout, &prompt, &resources.capture, |e| match e {
                    CaptureEvent::Cleared => host.progress(&Progress::FieldCleared {
                        field_id: field_id.clone(),
                    }),
                })?;
            let series = match outcome {
                FieldOutcome::Cancelled => {
                    info!("session cancelled on the pad");
                    return Err(EdgeError::Cancelled);
                }
                FieldOutcome::Signed(series) => series,
            };
            let metrics = quality::measure(&series);
            match quality::check(&metrics, &resources.quality) {
                Ok(()) => break (series, metrics),
                Err(reason) => {
                    drop(series);
                    warn!(%reason, "signature refused");
                    host.progress(&Progress::SignatureRefused {
                        field_id: field_id.clone(),
                        message: messages::SIGNATURE_INVALID.to_owned(),
                        reason: reason.to_string(),
                    });
                    prompt = base.clone().refused();
                }
            }
        };
        // At once: the envelope for the escrow authority, the drawing, the image hash; then the
        // plaintext is wiped (TimeSeries zeroizes on drop).
        let binding = Binding {
            document_sha256: doc_sha,
            offer_id: spec.offer_id.as_str().to_owned(),
            field_id: field_id.clone(),
            signer_role: field.field.role.code().to_owned(),
            pad_model: pad_model.clone(),
            pad_serial: pad_serial.clone(),
        };
        let envelope = biometric_envelope::seal(
            &series,
            &binding,
            &resources.escrow,
            &mut biometric_envelope::SysRng,
        )
        .map_err(|e| EdgeError::Envelope(e.to_string()))?;
        let (strokes, aspect) = signature_image::cropped_strokes(&series);
        let png = signature_image::render_png(&series).map_err(EdgeError::Seal)?;
        drop(series);
        let envelope_bytes = envelope.to_bytes();
        let quality = SignatureQuality::new(
            metrics.width_mm,
            metrics.pen_down_ms,
            metrics.samples,
            metrics.pressure_variation,
        )
        .map_err(|e| EdgeError::Lifecycle(e.to_string()))?;
        stream.apply(
            &Command::SignField {
                field_id: field.field.id.clone(),
                role: field.field.role,
                signature_image_sha256: offer_lifecycle::Sha256::from_bytes(sha256(&png)),
                envelope_sha256: offer_lifecycle::Sha256::from_bytes(envelope.sha256()),
                quality,
                signed_at: Utc::now(),
            },
            Extra {
                size: envelope_bytes.len() as u64,
                metrics: Some(metrics),
            },
        )?;
        info!(
            width_mm = metrics.width_mm,
            samples = metrics.samples,
            "field signed, biometrics sealed"
        );
        host.progress(&Progress::FieldSigned { field_id, metrics });
        out.push(SealedField {
            spec: field.clone(),
            strokes,
            aspect,
            envelope: envelope_bytes,
        });
    }
    Ok(out)
}
