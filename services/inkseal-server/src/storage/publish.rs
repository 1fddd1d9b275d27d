//! Publication: when an offer is accepted, its documents go to the client's
//! storage.
//!
//! The projection queues every accepted offer (`rm_publication_queue`); the
//! [`Publisher`] claims them like the acceptance worker does (a lease, `FOR
//! UPDATE SKIP LOCKED` on PostgreSQL, resumed after a crash when the lease
//! runs out) and appends `DocumentsPublished` with a deterministic event id,
//! so two processes racing on one offer publish it once. It lists the
//! insurer's copy of the signed offer (the PDF with the agent's signature and
//! the insurer's seal) and the product's insurance terms, each with its name,
//! size and SHA-256, the link token's hash ([`super::link`]) and the expiry.
//! A rejected offer publishes nothing. The access code is not made here: it
//! is issued when the SMS goes out ([`super::issue_access_code`]).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use event_store::EventStore;
use offer_lifecycle::{
    Command, DocumentKind, DocumentName, Event, FileName, PublishedDocument, Sha256, StorageFolder,
};
use tracing::Instrument;

use crate::documents::Documents;
use crate::error::ServiceError;
use crate::metrics::Metrics;
use crate::offers::{BACKEND_ACTOR, Metadata, append_backend, backend_event_id, load};
use crate::shutdown::Shutdown;
use crate::work_queue::WorkQueue;

use super::link::LinkKey;

/// The signed offer's name in the storage's addresses.
pub const SIGNED_OFFER_NAME: &str = "nabidka";
/// The insurance terms' name in the storage's addresses.
pub const TERMS_NAME: &str = "podminky";

/// The insurance terms every client gets, stored once.
#[derive(Debug, Clone)]
pub struct Terms {
    /// SHA-256 of the PDF.
    pub sha256: Sha256,
    /// Its size.
    pub size: u64,
    /// Its file name.
    pub file_name: FileName,
}

impl Terms {
    /// Stores `pdf` (the insurer's own terms) or, when `None`, the FLEXI terms the server
    /// generates, in the document storage.
    pub async fn store(documents: &Documents, pdf: Option<Vec<u8>>) -> Result<Self, ServiceError> {
        let (bytes, file_name) = match pdf {
            Some(bytes) => (bytes, "Pojistné podmínky.pdf".to_owned()),
            None => (
                tokio::task::spawn_blocking(pdf_compose::terms::flexi_terms)
                    .await
                    .map_err(|e| ServiceError::Internal(e.to_string()))?
                    .map_err(|e| ServiceError::Internal(format!("insurance terms: {e}")))?,
                "Pojistné podmínky FLEXI.pdf".to_owned(),
            ),
        };
        if !bytes.starts_with(b"%PDF-") {
            return Err(ServiceError::InvalidArgument(
                "the insurance terms file is not a PDF".into(),
            ));
        }
        let size = bytes.len() as u64;
        let sha256 = documents.put_new_pdf(Bytes::from(bytes)).await?;
        Ok(Terms {
            sha256,
            size,
            file_name: FileName::new(file_name)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        })
    }
}

/// What publishing one offer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Published now.
    Now,
    /// Published before (by another worker, or an earlier attempt).
    Before,
    /// Rejected by the acceptance checks: nothing to hand over.
    Rejected,
}

/// The publication worker.
#[derive(Clone)]
pub struct Publisher {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// Document storage.
    pub documents: Documents,
    /// The key behind link tokens.
    pub link_key: LinkKey,
    /// The insurance terms.
    pub terms: Terms,
    /// How long a link stays valid.
    pub valid_for: chrono::Duration,
    /// The publication queue.
    pub queue: WorkQueue,
    /// Metrics.
    pub metrics: Metrics,
    /// Idle poll interval.
    pub poll: Duration,
}

impl Publisher {
    /// Claims and publishes offers until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) -> Result<(), ServiceError> {
        self.queue
            .drain(self.poll, shutdown, |claim| {
                let span = tracing::info_span!("publication", offer_id = %claim.offer_id, attempt = claim.attempt);
                let this = &self;
                async move {
                    match this.publish(&claim.offer_id).await {
                        Ok(outcome) => {
                            tracing::info!(?outcome, "documents published");
                            if let Err(e) = this.queue.complete(&claim.offer_id).await {
                                tracing::warn!(error = %e, "cannot mark the offer published; the projection will");
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "publication failed; the offer will be retried");
                            let backoff =
                                this.poll * 2u32.saturating_pow(claim.attempt.clamp(0, 8) as u32);
                            let _ = this.queue.release(&claim.offer_id, &e.to_string(), backoff).await;
                        }
                    }
                }
                .instrument(span)
            })
            .await;
        Ok(())
    }

    /// Publishes one accepted offer's documents (idempotent).
    pub async fn publish(&self, offer_id: &str) -> Result<Published, ServiceError> {
        let stream = load(self.store.as_ref(), offer_id).await?;
        let offer = stream
            .state
            .offer()
            .ok_or_else(|| ServiceError::NotFound(format!("Nabídka {offer_id} neexistuje.")))?;
        if offer.is_rejected() {
            return Ok(Published::Rejected);
        }
        if offer.publication.is_some() {
            return Ok(Published::Before);
        }
        let accepted = stream
            .recorded
            .iter()
            .zip(&stream.events)
            .find_map(|(r, e)| match e {
                Event::OfferAccepted(a) => Some((r, a.accepted_at)),
                _ => None,
            });
        let Some((recorded, accepted_at)) = accepted else {
            return Err(ServiceError::FailedPrecondition(
                "PČS ještě nepřijala nabídku do zpracování.".into(),
            ));
        };
        let insurer_copy: Sha256 = Metadata::parse(&recorded.metadata)
            .insurer_sealed_pdf_sha256
            .as_deref()
            .and_then(|h| h.parse().ok())
            .ok_or_else(|| {
                ServiceError::Internal("OfferAccepted names no insurer-sealed PDF".into())
            })?;
        let size = self
            .documents
            .size_of(&insurer_copy)
            .await?
            .ok_or_else(|| {
                ServiceError::Internal(format!(
                    "the insurer's copy {} is missing from the document storage",
                    insurer_copy.to_hex()
                ))
            })?;
        let invalid = |e: offer_lifecycle::ValidationError| ServiceError::Internal(e.to_string());
        let documents = vec![
            PublishedDocument {
                name: DocumentName::new(SIGNED_OFFER_NAME).map_err(invalid)?,
                kind: DocumentKind::SignedOffer,
                file_name: FileName::new(format!("Nabídka {} – podepsaná.pdf", offer.offer_number))
                    .map_err(invalid)?,
                size,
                sha256: insurer_copy,
            },
            PublishedDocument {
                name: DocumentName::new(TERMS_NAME).map_err(invalid)?,
                kind: DocumentKind::InsuranceTerms,
                file_name: self.terms.file_name.clone(),
                size: self.terms.size,
                sha256: self.terms.sha256,
            },
        ];
        let number = offer.publications + 1;
        let token = self.link_key.token(offer_id, number);
        let folder = StorageFolder::new(format!("{}/{offer_id}", accepted_at.format("%Y/%m")))
            .map_err(invalid)?;
        let now = Utc::now();
        let cause = format!("publication-{number}");
        let applied = append_backend(
            &self.store,
            offer_id,
            &Metadata::actor(BACKEND_ACTOR),
            |s| {
                Ok(s.state
                    .offer()
                    .is_some_and(|o| o.publication.is_none())
                    .then(|| Command::PublishDocuments {
                        folder: folder.clone(),
                        link_token_sha256: token.sha256(),
                        documents: documents.clone(),
                        expires_at: now + self.valid_for,
                        published_at: now,
                    }))
            },
            |e: &Event, _| backend_event_id(offer_id, e.type_name(), &cause),
        )
        .await?;
        self.metrics.publication(if applied.appended {
            "published"
        } else {
            "before"
        });
        Ok(if applied.appended {
            Published::Now
        } else {
            Published::Before
        })
    }
}
