//! Acceptance: the checks a received offer must pass, the insurer's seal, and
//! the worker that runs them.
//!
//! [`check`] is pure: given the offer's state and the stored PDF it says
//! whether the PDF is the sealed one, parses, carries the edge agent's valid
//! PDF signature over the whole file — made with a document-signing
//! certificate that a trusted authority issued to the offer's agent
//! ([`crate::signer_trust`]) — still contains the exact document the
//! signatures are bound to, and holds for every signature field a well-formed
//! biometric envelope bound to this document, offer, field and role. The
//! envelopes stay encrypted: the backend has no escrow key and reads only
//! their public binding. A failed check is a [`Rejection`] whose Czech text
//! the help desk reads.
//!
//! [`Worker`] claims received offers ([`crate::work_queue`]), checks them,
//! seals accepted PDFs with the insurer's certificate as a second PDF
//! signature (an incremental update, so the agent's signature stays valid),
//! stores the sealed PDF, and appends `OfferAccepted` (state 4) or
//! `OfferRejected` with a deterministic event id.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use biometric_envelope::Envelope;
use bytes::Bytes;
use event_store::EventStore;
use offer_lifecycle::{Command, Event, Offer, Reason};
use pdf_seal::{SignatureOptions, Signer};
use tracing::Instrument;

use crate::documents::{Documents, sha256_of};
use crate::error::ServiceError;
use crate::mapping::role_text;
use crate::metrics::Metrics;
use crate::offers::{BACKEND_ACTOR, Metadata, append_backend, backend_event_id};
use crate::shutdown::Shutdown;
use crate::signer_trust::{Distrust, SignerTrust};
use crate::work_queue::WorkQueue;

/// Name of the insurer's signature field in the sealed PDF.
pub const INSURER_SEAL_FIELD: &str = "inkseal_insurer_seal";

/// Why an offer was not accepted. The text is what the help desk reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("Přijaté PDF není to, které poradce podepsal a uložil (otisk SHA-256 nesouhlasí).")]
    HashMismatch,
    #[error("PDF nabídky nelze přečíst: {0}")]
    Unreadable(String),
    #[error("PDF nabídky nemá elektronický podpis poradcovy aplikace.")]
    NoSignature,
    #[error("Elektronický podpis PDF nepokrývá celý dokument (po podpisu bylo něco připojeno).")]
    NotWholeDocument,
    #[error("Elektronický podpis PDF není platný: {0}")]
    InvalidSignature(String),
    #[error("Elektronický podpis PDF nelze přijmout jako podpis poradce: {0}.")]
    UntrustedSigner(String),
    #[error("Elektronický podpis PDF nepatří poradci {agent}, ale {named}.")]
    SignerNotTheAgent { agent: String, named: String },
    #[error("PDF neobsahuje původní dokument nabídky, ke kterému se podpisy vážou.")]
    OriginalMissing,
    #[error("Podpisové pole {0} není podepsané.")]
    FieldUnsigned(String),
    #[error("V PDF chybí biometrický záznam podpisu pole {0}.")]
    EnvelopeMissing(String),
    #[error("Biometrický záznam podpisu pole {field} je poškozený: {detail}")]
    EnvelopeMalformed { field: String, detail: String },
    #[error(
        "Biometrický záznam podpisu pole {0} patří k jinému dokumentu, nabídce, poli nebo podepisujícímu."
    )]
    EnvelopeBoundElsewhere(String),
}

impl Rejection {
    /// The rejection as the lifecycle's reason (bounded).
    pub fn reason(&self) -> Reason {
        let text: String = self
            .to_string()
            .chars()
            .take(offer_lifecycle::limits::MAX_REASON_CHARS)
            .collect();
        Reason::new(text).unwrap_or_else(|_| {
            Reason::new("Nabídka neprošla kontrolou.").expect("static reason is valid")
        })
    }
}

fn short(e: impl std::fmt::Display) -> String {
    e.to_string().chars().take(300).collect()
}

/// Checks a received offer's PDF; the agent's certificate must be valid at `at` (when the
/// backend received the offer). Pure: no I/O.
pub fn check(
    offer: &Offer,
    pdf: &[u8],
    trust: &SignerTrust,
    at: SystemTime,
) -> Result<(), Rejection> {
    let sealed = offer.seal.as_ref().ok_or(Rejection::HashMismatch)?;
    if sha256_of(pdf) != sealed.sealed_pdf_sha256 {
        return Err(Rejection::HashMismatch);
    }
    let signatures =
        pdf_seal::extract_signatures(pdf).map_err(|e| Rejection::Unreadable(short(e)))?;
    let last = signatures.last().ok_or(Rejection::NoSignature)?;
    if !last.covers_whole_file {
        return Err(Rejection::NotWholeDocument);
    }
    for signature in &signatures {
        let verified = pdf_seal::verify_cms_signature(pdf, signature)
            .map_err(|e| Rejection::InvalidSignature(short(e)))?;
        // Before acceptance, every signature in the file is the agent's.
        trust
            .check(
                &verified.signer_certificate_der,
                &verified.other_certificates_der,
                offer.agent_id.as_str(),
                at,
            )
            .map_err(|d| match d {
                Distrust::Untrusted(why) => Rejection::UntrustedSigner(short(why)),
                Distrust::OtherAgent { named } => Rejection::SignerNotTheAgent {
                    agent: offer.agent_id.as_str().to_owned(),
                    named: if named.is_empty() {
                        "certifikátu bez jména".into()
                    } else {
                        short(named)
                    },
                },
            })?;
    }
    let original_found = pdf_seal::revision_boundaries(pdf)
        .into_iter()
        .any(|end| sha256_of(&pdf[..end]) == offer.document_sha256);
    if !original_found {
        return Err(Rejection::OriginalMissing);
    }
    let attachments =
        pdf_seal::extract_attachments(pdf).map_err(|e| Rejection::Unreadable(short(e)))?;
    for (index, field) in offer.fields.iter().enumerate() {
        let name = field.id.as_str().to_owned();
        let signed = offer
            .signatures
            .get(index)
            .filter(|s| s.field_id == field.id)
            .ok_or_else(|| Rejection::FieldUnsigned(name.clone()))?;
        let bytes = attachments
            .iter()
            .find(|a| sha256_of(&a.bytes) == signed.envelope_sha256)
            .map(|a| &a.bytes)
            .ok_or_else(|| Rejection::EnvelopeMissing(name.clone()))?;
        let envelope = Envelope::from_bytes(bytes).map_err(|e| Rejection::EnvelopeMalformed {
            field: name.clone(),
            detail: short(e),
        })?;
        let binding = envelope.binding();
        let bound_here = binding.document_sha256 == *offer.document_sha256.as_bytes()
            && binding.offer_id == offer.offer_id.as_str()
            && binding.field_id == field.id.as_str()
            && binding.signer_role == role_text(signed.role);
        if !bound_here {
            return Err(Rejection::EnvelopeBoundElsewhere(name));
        }
    }
    Ok(())
}

/// Adds the insurer's seal to an accepted PDF as a further PDF signature.
pub fn insurer_seal(
    pdf: &[u8],
    signer: &Signer,
    at: SystemTime,
) -> Result<Vec<u8>, pdf_seal::SealError> {
    let mut options = SignatureOptions::new(INSURER_SEAL_FIELD, at);
    options.signer_name = Some(signer.subject());
    options.reason = Some("PČS přijala nabídku do zpracování".into());
    pdf_seal::sign_incremental(pdf, signer, &options)
}

/// What became of one claimed offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted; the insurer-sealed PDF's SHA-256.
    Accepted(String),
    /// Rejected, with the reason.
    Rejected(String),
    /// Decided before (by another worker, or an earlier attempt).
    AlreadyDecided,
}

/// The acceptance worker.
#[derive(Clone)]
pub struct Worker {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// Document storage.
    pub documents: Documents,
    /// The insurer's seal.
    pub signer: Arc<Signer>,
    /// The authorities that issue agents' document-signing certificates.
    pub agent_trust: Arc<SignerTrust>,
    /// The work queue.
    pub queue: WorkQueue,
    /// Metrics.
    pub metrics: Metrics,
    /// Idle poll interval.
    pub poll: Duration,
}

impl Worker {
    /// Claims and decides offers until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) -> Result<(), ServiceError> {
        self.queue
            .drain(self.poll, shutdown, |claim| {
                let span = tracing::info_span!("acceptance", offer_id = %claim.offer_id, attempt = claim.attempt);
                let this = &self;
                async move {
                    this.process(&claim.offer_id, claim.attempt)
                        .instrument(span)
                        .await
                }
            })
            .await;
        Ok(())
    }

    async fn process(&self, offer_id: &str, attempt: i64) {
        match self.decide(offer_id).await {
            Ok(outcome) => {
                tracing::info!(?outcome, "offer decided");
                if let Err(e) = self.queue.complete(offer_id).await {
                    tracing::warn!(error = %e, "cannot mark the offer done; the projection will");
                }
            }
            Err(e) => {
                self.metrics.decision("failed");
                tracing::warn!(error = %e, "acceptance failed; the offer will be retried");
                let backoff = self.poll * 2u32.saturating_pow(attempt.clamp(0, 8) as u32);
                let _ = self.queue.release(offer_id, &e.to_string(), backoff).await;
            }
        }
    }

    /// Checks one offer and records the decision.
    pub async fn decide(&self, offer_id: &str) -> Result<Outcome, ServiceError> {
        let stream = crate::offers::load(self.store.as_ref(), offer_id).await?;
        let Some(offer) = stream.state.offer().cloned() else {
            return Err(ServiceError::NotFound(format!(
                "Nabídka {offer_id} neexistuje."
            )));
        };
        if offer.decision.is_some() {
            return Ok(Outcome::AlreadyDecided);
        }
        let receipt = offer.receipt.clone().ok_or_else(|| {
            ServiceError::FailedPrecondition("Nabídka ještě nebyla odeslána do PČS.".into())
        })?;
        let pdf = self
            .documents
            .get_pdf(&receipt.pdf_sha256)
            .await?
            .ok_or_else(|| {
                ServiceError::Internal(format!(
                    "PDF {} chybí v úložišti dokumentů",
                    receipt.pdf_sha256.to_hex()
                ))
            })?;
        let signer = self.signer.clone();
        let trust = self.agent_trust.clone();
        let checked_offer = offer.clone();
        let verdict = tokio::task::spawn_blocking(
            move || -> Result<Result<Vec<u8>, Rejection>, ServiceError> {
                let now = SystemTime::now();
                // The signer's certificate must have been valid when the backend received
                // the offer (its own clock, recorded in OfferReceived): a retry or a backlog
                // after the certificate expired does not turn a good offer bad.
                let received = SystemTime::from(receipt.received_at);
                if let Err(rejection) = check(&checked_offer, &pdf, &trust, received) {
                    return Ok(Err(rejection));
                }
                let sealed = insurer_seal(&pdf, &signer, now)
                    .map_err(|e| ServiceError::Internal(format!("insurer seal failed: {e}")))?;
                Ok(Ok(sealed))
            },
        )
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
        let now = chrono::Utc::now();
        match verdict {
            Ok(sealed) => {
                let sha = self.documents.put_new_pdf(Bytes::from(sealed)).await?;
                let mut metadata = Metadata::actor(BACKEND_ACTOR);
                metadata.insurer_sealed_pdf_sha256 = Some(sha.to_hex());
                let applied = append_backend(
                    &self.store,
                    offer_id,
                    &metadata,
                    |s| {
                        Ok((s.state.offer().is_some_and(|o| o.decision.is_none()))
                            .then_some(Command::AcceptOffer { accepted_at: now }))
                    },
                    |e: &Event, _| backend_event_id(offer_id, e.type_name(), "acceptance"),
                )
                .await?;
                if !applied.appended {
                    return Ok(Outcome::AlreadyDecided);
                }
                self.metrics.decision("accepted");
                Ok(Outcome::Accepted(sha.to_hex()))
            }
            Err(rejection) => {
                let reason = rejection.reason();
                let applied = append_backend(
                    &self.store,
                    offer_id,
                    &Metadata::actor(BACKEND_ACTOR),
                    |s| {
                        Ok(
                            (s.state.offer().is_some_and(|o| o.decision.is_none())).then(|| {
                                Command::RejectOffer {
                                    reason: reason.clone(),
                                    rejected_at: now,
                                }
                            }),
                        )
                    },
                    |e: &Event, _| backend_event_id(offer_id, e.type_name(), "acceptance"),
                )
                .await?;
                if !applied.appended {
                    return Ok(Outcome::AlreadyDecided);
                }
                self.metrics.decision("rejected");
                Ok(Outcome::Rejected(reason.to_string()))
            }
        }
    }
}
