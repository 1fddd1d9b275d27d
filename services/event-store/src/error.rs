//! The store's typed errors.

use std::sync::Arc;

use uuid::Uuid;

use crate::ExpectedVersion;

/// Everything an event-store call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The stream was not at the expected version; nothing was written.
    #[error("wrong expected version on stream {stream}: expected {expected}, actual {}", actual.map_or_else(|| "no stream".to_string(), |v| format!("version {v}")))]
    WrongExpectedVersion {
        stream: String,
        expected: ExpectedVersion,
        /// The stream's last version; `None` when it has no events.
        actual: Option<u64>,
    },
    /// An event id was stored before with other content, in another stream or
    /// at another place, or only part of a batch was stored before.
    #[error("event {event_id} conflicts with a stored event: {reason}")]
    IdempotencyConflict { event_id: Uuid, reason: String },
    /// The request breaks a bound or is malformed; nothing was written.
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// Stored data that cannot be read back (e.g. a negative version).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A queued append was dropped unanswered (the store is shutting down).
    #[error("the event store is closed")]
    Closed,
    /// The database failed. Shared by every request of a failed group commit.
    #[error("database error: {0}")]
    Database(Arc<sqlx::Error>),
    /// A schema migration failed.
    #[error("schema migration failed: {0}")]
    Migration(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(Arc::new(e))
    }
}
