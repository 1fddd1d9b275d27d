//! The values that cross the [`EventStore`](crate::EventStore) trait: events to
//! append, recorded events, expected versions, append results.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreError;

/// Bounds every adapter enforces before touching the database.
pub mod limits {
    /// Most events in one append.
    pub const MAX_EVENTS_PER_APPEND: usize = 1_000;
    /// Largest payload of one event (bytes).
    pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024 * 1024;
    /// Largest metadata of one event (bytes).
    pub const MAX_METADATA_BYTES: usize = 64 * 1024;
    /// Longest stream name (bytes).
    pub const MAX_STREAM_NAME_BYTES: usize = 200;
    /// Longest event type name (bytes).
    pub const MAX_EVENT_TYPE_BYTES: usize = 100;
    /// Most events one read returns.
    pub const MAX_READ_LIMIT: usize = 10_000;
    /// Append requests waiting to be written; further appends wait for room.
    pub const APPEND_QUEUE: usize = 1_024;
    /// Most append requests the writer puts into one transaction.
    pub const MAX_REQUESTS_PER_COMMIT: usize = 256;
    /// How long the writer waits for concurrent writers to join a commit,
    /// only when the previous commit showed concurrency.
    pub const GROUP_COMMIT_LINGER: std::time::Duration = std::time::Duration::from_micros(500);
}

/// An event to append. `id` is chosen by the client and is the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub id: Uuid,
    /// Type name, e.g. `OfferSealed`.
    pub event_type: String,
    /// Schema version of the payload; readers upcast older versions.
    pub schema_version: u16,
    /// The event body (JSON by convention; the store treats it as bytes).
    pub payload: Vec<u8>,
    /// Metadata (correlation, causation, actor), JSON by convention.
    pub metadata: Vec<u8>,
}

impl NewEvent {
    /// An event with a fresh random id and empty metadata.
    pub fn new(event_type: impl Into<String>, schema_version: u16, payload: Vec<u8>) -> Self {
        NewEvent {
            id: Uuid::new_v4(),
            event_type: event_type.into(),
            schema_version,
            payload,
            metadata: Vec::new(),
        }
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Position in the global order; starts at 1, dense, in commit order.
    pub position: u64,
    pub stream: String,
    /// Version within the stream; the first event of a stream is version 0.
    pub version: u64,
    pub id: Uuid,
    pub event_type: String,
    pub schema_version: u16,
    pub payload: Vec<u8>,
    pub metadata: Vec<u8>,
    pub recorded_at: DateTime<Utc>,
}

/// What the appender expects the stream to look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this version.
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream whose last version is `actual` satisfies this expectation.
    pub fn admits(self, actual: Option<u64>) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual.is_none(),
            ExpectedVersion::StreamExists => actual.is_some(),
            ExpectedVersion::Exact(v) => actual == Some(v),
        }
    }

    /// The expected version for a stream whose last version is `last`
    /// (`None`: the stream does not exist).
    pub fn after(last: Option<u64>) -> Self {
        match last {
            None => ExpectedVersion::NoStream,
            Some(v) => ExpectedVersion::Exact(v),
        }
    }
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::StreamExists => f.write_str("stream exists"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// The outcome of a successful append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendResult {
    /// Version of the first appended event.
    pub first_version: u64,
    /// Version of the last appended event: the stream's version afterwards.
    pub last_version: u64,
    /// Global position of the first appended event.
    pub first_position: u64,
    /// Global position of the last appended event.
    pub last_position: u64,
    /// True when every event had been stored before (a retry): nothing was written.
    pub duplicate: bool,
}

/// Reading direction for [`EventStore::read_stream`](crate::EventStore::read_stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// What an adapter promises; the contract suite gates its checks on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Global positions have no holes.
    pub dense_positions: bool,
    /// Event-id idempotency survives restarts (a unique index, not a cache).
    pub durable_idempotency: bool,
    /// Several processes may append to one store at once.
    pub multi_process: bool,
}

/// Checks a request against [`limits`] before any database work.
pub(crate) fn validate_append(stream: &str, events: &[NewEvent]) -> Result<(), StoreError> {
    use limits::*;
    let invalid = |m: String| Err(StoreError::InvalidInput(m));
    if stream.is_empty() || stream.len() > MAX_STREAM_NAME_BYTES {
        return invalid(format!(
            "stream name must have 1..={MAX_STREAM_NAME_BYTES} bytes"
        ));
    }
    if events.is_empty() {
        return invalid("an append needs at least one event".into());
    }
    if events.len() > MAX_EVENTS_PER_APPEND {
        return invalid(format!(
            "{} events in one append; at most {MAX_EVENTS_PER_APPEND}",
            events.len()
        ));
    }
    let mut ids = std::collections::HashSet::with_capacity(events.len());
    for e in events {
        if !ids.insert(e.id) {
            return invalid(format!("event id {} appears twice in one append", e.id));
        }
        if e.event_type.is_empty() || e.event_type.len() > MAX_EVENT_TYPE_BYTES {
            return invalid(format!(
                "event type must have 1..={MAX_EVENT_TYPE_BYTES} bytes"
            ));
        }
        if e.payload.len() > MAX_PAYLOAD_BYTES {
            return invalid(format!(
                "payload of event {} has {} bytes; at most {MAX_PAYLOAD_BYTES}",
                e.id,
                e.payload.len()
            ));
        }
        if e.metadata.len() > MAX_METADATA_BYTES {
            return invalid(format!(
                "metadata of event {} has {} bytes; at most {MAX_METADATA_BYTES}",
                e.id,
                e.metadata.len()
            ));
        }
    }
    Ok(())
}

/// A stored (signed) position or version as `u64`; negative means corrupt data.
pub(crate) fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative position or version {v}")))
}

/// A position or version as the databases store it.
pub(crate) fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::InvalidInput(format!("{v} is out of range")))
}
