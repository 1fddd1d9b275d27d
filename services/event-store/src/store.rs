//! The [`EventStore`] trait every adapter implements.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::{
    AppendResult, Capabilities, Direction, ExpectedVersion, NewEvent, RecordedEvent, StoreError,
};

/// Append-only streams with one dense global order. See the crate docs for
/// the promises every implementation keeps.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends `events` to `stream` if it is at `expected`. Appending events
    /// whose ids were all stored before, with the same content and in the
    /// same place, returns the original result with `duplicate: true`.
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError>;

    /// Reads up to `limit` events of one stream, starting at version `from`
    /// (inclusive) in the given direction. `Backward` from `u64::MAX` reads
    /// from the end.
    async fn read_stream(
        &self,
        stream: &str,
        from: u64,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Reads up to `limit` events of the global order with a position
    /// greater than or equal to `from` (positions start at 1).
    async fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The last version of a stream, `None` when it has no events.
    async fn stream_version(&self, stream: &str) -> Result<Option<u64>, StoreError>;

    /// The position of the last committed event (0 when the store is empty).
    async fn head_position(&self) -> Result<u64, StoreError>;

    /// Announces the last position committed by this process's writer; a
    /// wake-up for subscribers (writers in other processes are seen by polling).
    fn committed(&self) -> watch::Receiver<u64>;

    /// What this adapter promises.
    fn capabilities(&self) -> Capabilities;
}

#[async_trait]
impl<T: EventStore + ?Sized> EventStore for Arc<T> {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        (**self).append(stream, expected, events).await
    }
    async fn read_stream(
        &self,
        stream: &str,
        from: u64,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_stream(stream, from, direction, limit).await
    }
    async fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_all(from, limit).await
    }
    async fn stream_version(&self, stream: &str) -> Result<Option<u64>, StoreError> {
        (**self).stream_version(stream).await
    }
    async fn head_position(&self) -> Result<u64, StoreError> {
        (**self).head_position().await
    }
    fn committed(&self) -> watch::Receiver<u64> {
        (**self).committed()
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}
