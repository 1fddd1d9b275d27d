//! The durable outbox on the agent's PC (SQLite): offers, their events (each with the exact
//! `EdgeEvent` bytes to send) and the sealed PDFs.
//!
//! Rules that make a crash harmless:
//! - An offer in state 1 holds only its `OfferModelled`; the signing session's events
//!   (`SigningStarted`, every `FieldSigned`, `OfferSealed`) and the sealed PDF are written in
//!   **one transaction** ([`Outbox::commit_sealed`]). A kill mid-signature or mid-seal leaves the
//!   offer in state 1, to be signed again; it never leaves a half-sealed offer.
//! - A sealed offer never changes; sync only marks events acknowledged and the PDF uploaded, and
//!   moves the backend's state forward (never back).
//! - Biometric plaintext is never stored: only the sealed PDF, whose envelopes are encrypted.
//!
//! The journal is WAL with `synchronous = FULL`, so a committed transaction survives a power cut.

use std::path::Path;

use chrono::Utc;
use offer_lifecycle::{Event, OfferStatus};
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::EdgeError;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS offers (
        offer_id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        offer_number TEXT NOT NULL,
        local_status INTEGER NOT NULL,
        backend_status INTEGER NOT NULL DEFAULT 0,
        rejection_reason TEXT,
        document_sha256 TEXT NOT NULL,
        sealed_sha256 TEXT,
        pdf_uploaded INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events (
        event_id TEXT PRIMARY KEY,
        offer_id TEXT NOT NULL REFERENCES offers(offer_id),
        stream_version INTEGER NOT NULL,
        type_name TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        payload TEXT NOT NULL,
        wire BLOB NOT NULL,
        acked INTEGER NOT NULL DEFAULT 0,
        recorded_at TEXT NOT NULL,
        UNIQUE (offer_id, stream_version))",
    "CREATE TABLE IF NOT EXISTS sealed_pdfs (
        offer_id TEXT PRIMARY KEY REFERENCES offers(offer_id),
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        bytes BLOB NOT NULL)",
];

/// An event ready to be stored: the lifecycle event and its wire bytes.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The idempotency key.
    pub event_id: uuid::Uuid,
    /// Position in the offer's stream.
    pub stream_version: u64,
    /// The event.
    pub event: Event,
    /// The encoded `EdgeEvent`.
    pub wire: Vec<u8>,
}

/// An event waiting for the backend's acknowledgement.
#[derive(Debug, Clone)]
pub struct PendingEvent {
    /// The idempotency key.
    pub event_id: String,
    /// The offer.
    pub offer_id: String,
    /// The encoded `EdgeEvent`.
    pub wire: Vec<u8>,
}

/// A sealed PDF waiting for upload.
#[derive(Debug, Clone)]
pub struct PendingUpload {
    /// The offer.
    pub offer_id: String,
    /// The agent.
    pub agent_id: String,
    /// SHA-256 of the PDF.
    pub sha256: [u8; 32],
    /// The PDF.
    pub bytes: Vec<u8>,
}

/// One offer as `status` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OfferRow {
    /// The offer.
    pub offer_id: String,
    /// Its number.
    pub offer_number: String,
    /// The agent.
    pub agent_id: String,
    /// The state (1–4): the local lifecycle's or the backend's, whichever is further.
    pub status: u8,
    /// The state's Czech text.
    pub status_text: String,
    /// Set when the backend's acceptance refused the offer.
    pub rejection_reason: Option<String>,
    /// Events not yet acknowledged by the backend.
    pub unsent_events: u32,
    /// Whether the sealed PDF has been uploaded.
    pub pdf_uploaded: bool,
    /// Last change.
    pub updated_at: String,
}

/// The state number → its lifecycle status.
pub fn status_of(n: u8) -> OfferStatus {
    match n {
        0 | 1 => OfferStatus::InProgress,
        2 => OfferStatus::SignedAwaitingSync,
        3 => OfferStatus::SentToInsurer,
        _ => OfferStatus::AcceptedForProcessing,
    }
}

/// The outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    pool: SqlitePool,
    max_offers: u64,
}

impl Outbox {
    /// Opens (creating if needed) the outbox file.
    pub async fn open(path: &Path, max_offers: u64) -> Result<Outbox, EdgeError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        for stmt in SCHEMA {
            sqlx::query(*stmt).execute(&pool).await?;
        }
        Ok(Outbox { pool, max_offers })
    }

    /// Closes the pool (checkpoints the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The offer's stored events, in stream order.
    pub async fn events(&self, offer_id: &str) -> Result<Vec<Event>, EdgeError> {
        let rows = sqlx::query(
            "SELECT type_name, schema_version, payload FROM events WHERE offer_id = ? ORDER BY stream_version",
        )
        .bind(offer_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.get("type_name");
                let version: i64 = r.get("schema_version");
                let payload: String = r.get("payload");
                offer_lifecycle::decode_slice(&name, version as u16, payload.as_bytes())
                    .map_err(|e| EdgeError::Outbox(e.to_string()))
            })
            .collect()
    }

    /// The local state of an offer (1 or 2), if it is known.
    pub async fn local_status(&self, offer_id: &str) -> Result<Option<u8>, EdgeError> {
        let row = sqlx::query("SELECT local_status FROM offers WHERE offer_id = ?")
            .bind(offer_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get::<i64, _>(0) as u8))
    }

    /// Records a modelled offer (state 1) with its `OfferModelled` at version 0. An offer still in
    /// state 1 is re-modelled (its unsealed local events are replaced; none were ever sent).
    pub async fn save_modelled(
        &self,
        offer_id: &str,
        agent_id: &str,
        offer_number: &str,
        document_sha256: &str,
        event: &StoredEvent,
    ) -> Result<(), EdgeError> {
        let mut tx = self.pool.begin().await?;
        let existing = sqlx::query("SELECT local_status FROM offers WHERE offer_id = ?")
            .bind(offer_id)
            .fetch_optional(&mut *tx)
            .await?;
        let now = Utc::now().to_rfc3339();
        match existing {
            Some(r) if r.get::<i64, _>(0) >= 2 => {
                return Err(EdgeError::AlreadySealed(offer_id.to_owned()));
            }
            Some(_) => {
                sqlx::query("DELETE FROM events WHERE offer_id = ?")
                    .bind(offer_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE offers SET agent_id = ?, offer_number = ?, document_sha256 = ?, updated_at = ? WHERE offer_id = ?",
                )
                .bind(agent_id)
                .bind(offer_number)
                .bind(document_sha256)
                .bind(&now)
                .bind(offer_id)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                let count: i64 = sqlx::query("SELECT COUNT(*) FROM offers")
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
                if count as u64 >= self.max_offers {
                    return Err(EdgeError::Limit {
                        what: "offers in the outbox",
                        max: self.max_offers as usize,
                    });
                }
                sqlx::query(
                    "INSERT INTO offers (offer_id, agent_id, offer_number, local_status, document_sha256, created_at, updated_at)
                     VALUES (?, ?, ?, 1, ?, ?, ?)",
                )
                .bind(offer_id)
                .bind(agent_id)
                .bind(offer_number)
                .bind(document_sha256)
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        insert_event(&mut tx, offer_id, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Commits a sealed offer: its session events, the sealed PDF and state 2, all or nothing.
    pub async fn commit_sealed(
        &self,
        offer_id: &str,
        events: &[StoredEvent],
        sealed_pdf: &[u8],
        sealed_sha256: &str,
    ) -> Result<(), EdgeError> {
        let mut tx = self.pool.begin().await?;
        let status = sqlx::query("SELECT local_status FROM offers WHERE offer_id = ?")
            .bind(offer_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.get::<i64, _>(0));
        match status {
            None => {
                return Err(EdgeError::Outbox(format!(
                    "offer {offer_id} is not in the outbox"
                )));
            }
            Some(s) if s >= 2 => return Err(EdgeError::AlreadySealed(offer_id.to_owned())),
            Some(_) => {}
        }
        for e in events {
            insert_event(&mut tx, offer_id, e).await?;
        }
        sqlx::query("INSERT INTO sealed_pdfs (offer_id, sha256, size, bytes) VALUES (?, ?, ?, ?)")
            .bind(offer_id)
            .bind(sealed_sha256)
            .bind(sealed_pdf.len() as i64)
            .bind(sealed_pdf)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE offers SET local_status = 2, sealed_sha256 = ?, updated_at = ? WHERE offer_id = ?")
            .bind(sealed_sha256)
            .bind(Utc::now().to_rfc3339())
            .bind(offer_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The sealed PDF of an offer.
    pub async fn sealed_pdf(&self, offer_id: &str) -> Result<Option<Vec<u8>>, EdgeError> {
        Ok(
            sqlx::query("SELECT bytes FROM sealed_pdfs WHERE offer_id = ?")
                .bind(offer_id)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.get::<Vec<u8>, _>(0)),
        )
    }

    /// Events of sealed offers not yet acknowledged, in stream order, at most `limit`.
    pub async fn pending_events(&self, limit: usize) -> Result<Vec<PendingEvent>, EdgeError> {
        let rows = sqlx::query(
            "SELECT e.event_id, e.offer_id, e.wire FROM events e JOIN offers o ON o.offer_id = e.offer_id
             WHERE o.local_status >= 2 AND e.acked = 0 ORDER BY e.offer_id, e.stream_version LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| PendingEvent {
                event_id: r.get(0),
                offer_id: r.get(1),
                wire: r.get(2),
            })
            .collect())
    }

    /// Marks an event acknowledged and moves the offer's backend state forward.
    pub async fn mark_acked(&self, event_id: &str, backend_status: u8) -> Result<(), EdgeError> {
        let mut tx = self.pool.begin().await?;
        let offer: Option<String> =
            sqlx::query("UPDATE events SET acked = 1 WHERE event_id = ? RETURNING offer_id")
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get(0));
        if let Some(offer_id) = offer {
            advance(&mut tx, &offer_id, backend_status, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sealed PDFs whose events are all acknowledged but which are not uploaded yet.
    pub async fn pending_uploads(&self) -> Result<Vec<PendingUpload>, EdgeError> {
        let rows = sqlx::query(
            "SELECT o.offer_id, o.agent_id, p.sha256, p.bytes FROM offers o JOIN sealed_pdfs p ON p.offer_id = o.offer_id
             WHERE o.local_status >= 2 AND o.pdf_uploaded = 0
               AND NOT EXISTS (SELECT 1 FROM events e WHERE e.offer_id = o.offer_id AND e.acked = 0)
             ORDER BY o.offer_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let hex_sha: String = r.get(2);
                let mut sha256 = [0u8; 32];
                hex::decode_to_slice(&hex_sha, &mut sha256)
                    .map_err(|e| EdgeError::Outbox(e.to_string()))?;
                Ok(PendingUpload {
                    offer_id: r.get(0),
                    agent_id: r.get(1),
                    sha256,
                    bytes: r.get(3),
                })
            })
            .collect()
    }

    /// Marks a sealed PDF uploaded and moves the backend state forward.
    pub async fn mark_uploaded(&self, offer_id: &str, backend_status: u8) -> Result<(), EdgeError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE offers SET pdf_uploaded = 1 WHERE offer_id = ?")
            .bind(offer_id)
            .execute(&mut *tx)
            .await?;
        advance(&mut tx, offer_id, backend_status.max(3), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uploaded offers the backend has not yet accepted (their state may still move to 4).
    pub async fn awaiting_acceptance(&self, limit: usize) -> Result<Vec<String>, EdgeError> {
        let rows = sqlx::query(
            "SELECT offer_id FROM offers WHERE pdf_uploaded = 1 AND backend_status < 4 AND rejection_reason IS NULL
             ORDER BY offer_id LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Records the backend's state of an offer (forward only) and a rejection reason.
    pub async fn set_backend_status(
        &self,
        offer_id: &str,
        status: u8,
        rejection: Option<&str>,
    ) -> Result<(), EdgeError> {
        let mut tx = self.pool.begin().await?;
        advance(&mut tx, offer_id, status, rejection).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether sync has anything to do: unacknowledged events of sealed offers, sealed PDFs not
    /// uploaded, or uploaded offers not yet accepted.
    pub async fn has_sync_work(&self) -> Result<bool, EdgeError> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM offers o WHERE o.local_status >= 2 AND (o.pdf_uploaded = 0
                OR (o.backend_status < 4 AND o.rejection_reason IS NULL)
                OR EXISTS (SELECT 1 FROM events e WHERE e.offer_id = o.offer_id AND e.acked = 0))",
        )
        .fetch_one(&self.pool)
        .await?
        .get(0);
        Ok(n > 0)
    }

    /// Every offer, newest change first, at most `limit`.
    pub async fn list(&self, limit: usize) -> Result<Vec<OfferRow>, EdgeError> {
        let rows = sqlx::query(
            "SELECT o.offer_id, o.offer_number, o.agent_id, o.local_status, o.backend_status, o.rejection_reason,
                    o.pdf_uploaded, o.updated_at,
                    (SELECT COUNT(*) FROM events e WHERE e.offer_id = o.offer_id AND e.acked = 0 AND o.local_status >= 2)
             FROM offers o ORDER BY o.updated_at DESC, o.offer_id LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let local: i64 = r.get(3);
                let backend: i64 = r.get(4);
                let n = local.max(backend).clamp(1, 4) as u8;
                OfferRow {
                    offer_id: r.get(0),
                    offer_number: r.get(1),
                    agent_id: r.get(2),
                    status: n,
                    status_text: status_of(n).text_cs().to_owned(),
                    rejection_reason: r.get(5),
                    unsent_events: r.get::<i64, _>(8) as u32,
                    pdf_uploaded: r.get::<i64, _>(6) != 0,
                    updated_at: r.get(7),
                }
            })
            .collect())
    }
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    offer_id: &str,
    e: &StoredEvent,
) -> Result<(), EdgeError> {
    let encoded =
        offer_lifecycle::encode(&e.event).map_err(|x| EdgeError::Outbox(x.to_string()))?;
    let payload =
        serde_json::to_string(&encoded.payload).map_err(|x| EdgeError::Outbox(x.to_string()))?;
    sqlx::query(
        "INSERT INTO events (event_id, offer_id, stream_version, type_name, schema_version, payload, wire, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.event_id.hyphenated().to_string())
    .bind(offer_id)
    .bind(e.stream_version as i64)
    .bind(encoded.type_name)
    .bind(i64::from(encoded.schema_version))
    .bind(payload)
    .bind(&e.wire)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn advance(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    offer_id: &str,
    status: u8,
    rejection: Option<&str>,
) -> Result<(), EdgeError> {
    sqlx::query(
        "UPDATE offers SET backend_status = MAX(backend_status, ?),
                rejection_reason = COALESCE(?, rejection_reason), updated_at = ? WHERE offer_id = ?",
    )
    .bind(i64::from(status.min(4)))
    .bind(rejection)
    .bind(Utc::now().to_rfc3339())
    .bind(offer_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
