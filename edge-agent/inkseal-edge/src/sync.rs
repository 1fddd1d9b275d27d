//! Synchronisation with the backend: the `EdgeSync` gRPC client over mutual TLS.
//!
//! One run ([`sync`]) does, for the sealed offers in the outbox:
//! 1. `SyncEvents`: every unacknowledged event, in stream order, exactly as stored (same event id,
//!    same bytes — the backend's idempotency makes a retry harmless); each `EventAck` marks its
//!    event sent and moves the offer's state forward.
//! 2. `UploadSealedPdf`: the sealed PDF of every offer whose events are all acknowledged, as a
//!    start message and chunks of at most 256 KiB; the receipt moves the state to 3.
//! 3. `GetOfferStatus`: for uploaded offers not yet accepted; state 4 when the backend accepted.
//!
//! The client certificate's Subject Common Name is the agent id (the backend checks it against
//! `agent_id` in every event). Transient failures (unreachable, timeouts, unavailable) are retried
//! with exponential backoff, at most `max_attempts` times per run; what was acknowledged stays
//! acknowledged, so the next run continues where this one stopped. Works offline: signing never
//! waits for the network.

use std::sync::Arc;
use std::time::Duration;

use inkseal_proto::limits::{
    MAX_EVENTS_PER_CALL, MAX_MESSAGE_BYTES, MAX_PDF_CHUNK_BYTES, MAX_STATUS_QUERY_IDS,
};
use inkseal_proto::v1 as pb;
use inkseal_proto::v1::edge_sync_client::EdgeSyncClient;
use serde::Serialize;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Status};
use tracing::{info, warn};

use crate::config::SyncSettings;
use crate::error::EdgeError;
use crate::outbox::Outbox;
use crate::wire;

/// Size of one upload chunk (the contract's maximum).
pub const CHUNK_BYTES: usize = MAX_PDF_CHUNK_BYTES;

/// What one sync run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Events the backend stored now.
    pub events_appended: u32,
    /// Events the backend had already (a retry).
    pub events_duplicate: u32,
    /// Sealed PDFs uploaded.
    pub pdfs_uploaded: u32,
    /// Offers whose state the backend reported.
    pub statuses_checked: u32,
    /// Attempts made.
    pub attempts: u32,
}

/// Why one attempt failed.
#[derive(Debug)]
enum AttemptError {
    /// Worth retrying (network, timeouts, unavailable backend).
    Transient(String),
    /// Retrying cannot help (refused, invalid, forbidden).
    Permanent(EdgeError),
}

impl From<Status> for AttemptError {
    fn from(s: Status) -> Self {
        match s.code() {
            Code::Unavailable
            | Code::DeadlineExceeded
            | Code::Unknown
            | Code::Aborted
            | Code::Internal
            | Code::Cancelled
            | Code::ResourceExhausted => {
                AttemptError::Transient(format!("{}: {}", s.code(), s.message()))
            }
            _ => AttemptError::Permanent(EdgeError::Refused(format!(
                "{}: {}",
                s.code(),
                s.message()
            ))),
        }
    }
}

impl From<EdgeError> for AttemptError {
    fn from(e: EdgeError) -> Self {
        AttemptError::Permanent(e)
    }
}

/// The pause before attempt `n` (1-based, n ≥ 2): initial × 2^(n−2), at most `max`.
pub fn backoff(settings: &SyncSettings, attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(2).min(20);
    let ms = settings
        .initial_backoff_ms
        .saturating_mul(1u64 << exp)
        .min(settings.max_backoff_ms);
    Duration::from_millis(ms)
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, EdgeError> {
    std::fs::read(path).map_err(|e| EdgeError::io(path, e))
}

/// Builds the (lazily connecting) TLS endpoint from the settings.
pub fn endpoint(settings: &SyncSettings) -> Result<Endpoint, EdgeError> {
    let ca = Certificate::from_pem(read(&settings.ca_certificate)?);
    let identity = Identity::from_pem(
        read(&settings.client_certificate)?,
        read(&settings.client_key)?,
    );
    let tls = ClientTlsConfig::new()
        .ca_certificate(ca)
        .identity(identity)
        .domain_name(settings.domain_name.clone());
    Channel::from_shared(settings.endpoint.clone())
        .map_err(|e| EdgeError::Config(format!("sync.endpoint: {e}")))?
        .tls_config(tls)
        .map_err(|e| EdgeError::Config(format!("TLS: {e}")))
        .map(|e| {
            e.connect_timeout(Duration::from_secs(settings.connect_timeout_s.max(1)))
                .timeout(Duration::from_secs(settings.request_timeout_s.max(1)))
        })
}

/// Runs one synchronisation with bounded retries.
#[tracing::instrument(name = "sync", skip_all)]
pub async fn sync(outbox: &Outbox, settings: &SyncSettings) -> Result<SyncReport, EdgeError> {
    let endpoint = endpoint(settings)?;
    let mut report = SyncReport::default();
    if !outbox.has_sync_work().await? {
        return Ok(report);
    }
    let max = settings.max_attempts.max(1);
    let mut last = String::new();
    for attempt in 1..=max {
        if attempt > 1 {
            let pause = backoff(settings, attempt);
            info!(attempt, ?pause, "retrying sync");
            tokio::time::sleep(pause).await;
        }
        report.attempts = attempt;
        match attempt_once(&endpoint, outbox, &mut report).await {
            Ok(()) => return Ok(report),
            Err(AttemptError::Permanent(e)) => return Err(e),
            Err(AttemptError::Transient(why)) => {
                warn!(attempt, %why, "sync attempt failed");
                last = why;
            }
        }
    }
    Err(EdgeError::Offline(format!("{max} attempts: {last}")))
}

async fn attempt_once(
    endpoint: &Endpoint,
    outbox: &Outbox,
    report: &mut SyncReport,
) -> Result<(), AttemptError> {
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| AttemptError::Transient(format!("connect: {e}")))?;
    let mut client = EdgeSyncClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);

    // 1. Events, in bounded batches.
    loop {
        let pending = outbox.pending_events(MAX_EVENTS_PER_CALL).await?;
        if pending.is_empty() {
            break;
        }
        let events = pending
            .iter()
            .map(|p| wire::decode(&p.wire))
            .collect::<Result<Vec<_>, _>>()?;
        let mut acks = client
            .sync_events(tokio_stream::iter(events))
            .await?
            .into_inner();
        let mut received = 0usize;
        while let Some(ack) = acks.message().await? {
            let Some(expected) = pending.get(received) else {
                return Err(AttemptError::Permanent(EdgeError::Refused(
                    "more acknowledgements than events".into(),
                )));
            };
            if ack.event_id != expected.event_id {
                return Err(AttemptError::Permanent(EdgeError::Refused(format!(
                    "acknowledgement for {} where {} was expected",
                    ack.event_id, expected.event_id
                ))));
            }
            match pb::event_ack::Outcome::try_from(ack.outcome) {
                Ok(pb::event_ack::Outcome::Duplicate) => report.events_duplicate += 1,
                _ => report.events_appended += 1,
            }
            outbox
                .mark_acked(&ack.event_id, status_number(ack.status))
                .await?;
            received += 1;
        }
        if received < pending.len() {
            return Err(AttemptError::Transient(format!(
                "{} of {} events acknowledged",
                received,
                pending.len()
            )));
        }
    }

    // 2. Sealed PDFs.
    for upload in outbox.pending_uploads().await? {
        let size = upload.bytes.len() as u64;
        if size > inkseal_proto::limits::MAX_PDF_BYTES {
            return Err(EdgeError::Limit {
                what: "sealed PDF bytes",
                max: inkseal_proto::limits::MAX_PDF_BYTES as usize,
            }
            .into());
        }
        let bytes = Arc::new(upload.bytes);
        let chunks = bytes.len().div_ceil(CHUNK_BYTES);
        let start = pb::PdfChunk {
            part: Some(pb::pdf_chunk::Part::Start(pb::PdfUploadStart {
                offer_id: upload.offer_id.clone(),
                agent_id: upload.agent_id.clone(),
                sha256: upload.sha256.to_vec(),
                size,
            })),
        };
        let data = Arc::clone(&bytes);
        let body = tokio_stream::iter(std::iter::once(start).chain((0..chunks).map(move |i| {
            let end = ((i + 1) * CHUNK_BYTES).min(data.len());
            pb::PdfChunk {
                part: Some(pb::pdf_chunk::Part::Data(
                    data[i * CHUNK_BYTES..end].to_vec(),
                )),
            }
        })));
        let receipt = client.upload_sealed_pdf(body).await?.into_inner();
        if receipt.sha256 != upload.sha256 || receipt.size != size {
            return Err(AttemptError::Permanent(EdgeError::Refused(
                "upload receipt does not match the sealed PDF".into(),
            )));
        }
        outbox
            .mark_uploaded(&upload.offer_id, status_number(receipt.status))
            .await?;
        report.pdfs_uploaded += 1;
        info!(offer_id = %upload.offer_id, size, chunks, "sealed PDF uploaded");
    }

    // 3. The backend's states of uploaded offers.
    let waiting = outbox.awaiting_acceptance(MAX_STATUS_QUERY_IDS).await?;
    if !waiting.is_empty() {
        let reply = client
            .get_offer_status(pb::OfferStatusRequest { offer_ids: waiting })
            .await?
            .into_inner();
        for entry in reply.offers {
            let n = status_number(entry.status);
            if n == 0 {
                continue;
            }
            let rejection =
                (!entry.rejection_reason.is_empty()).then_some(entry.rejection_reason.as_str());
            outbox
                .set_backend_status(&entry.offer_id, n, rejection)
                .await?;
            report.statuses_checked += 1;
        }
    }
    Ok(())
}

/// The wire status → 0 (unknown) or 1–4.
fn status_number(s: i32) -> u8 {
    u8::try_from(s).ok().filter(|n| *n <= 4).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_initial_pause_and_is_capped() {
        let s = SyncSettings {
            initial_backoff_ms: 250,
            max_backoff_ms: 8_000,
            ..SyncSettings::default()
        };
        let pauses: Vec<u64> = (2..=9).map(|n| backoff(&s, n).as_millis() as u64).collect();
        assert_eq!(pauses, [250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(backoff(&s, u32::MAX), Duration::from_millis(8_000));
    }
}
