//! The offer event store: append-only streams with one global order.
//!
//! One trait, [`EventStore`], and two adapters behind it:
//!
//! - [`sqlite::SqliteStore`]: the embedded default (one file, WAL mode), used
//!   when no database URL is configured;
//! - [`postgres::PostgresStore`]: what several backend processes share.
//!
//! Promises every adapter keeps (checked by the one [`contract`] suite):
//!
//! - `append` checks an [`ExpectedVersion`] (optimistic concurrency) and fails
//!   with [`StoreError::WrongExpectedVersion`] carrying the actual version;
//! - event ids are idempotency keys: appending the same events again returns
//!   the original [`AppendResult`] and writes nothing, durably (a unique index,
//!   not a cache);
//! - global positions start at 1, are dense (no holes) and follow commit
//!   order, so a reader that has seen position `p` has seen everything below
//!   `p`: a subscriber never skips an event, however many writers commit at
//!   once;
//! - appends wait in a bounded queue; one leader at a time puts every waiting
//!   request into one transaction (group commit), answering each with its own
//!   result; a lone writer appends with no hand-over between tasks.
//!
//! [`open`] picks the adapter from a URL.

mod append_plan;
pub mod contract;
mod error;
mod group_commit;
mod migrate;
mod model;
pub mod postgres;
pub mod sqlite;
mod store;
mod subscription;
pub mod testing;

pub use error::StoreError;
pub use model::{
    AppendResult, Capabilities, Direction, ExpectedVersion, NewEvent, RecordedEvent, limits,
};
pub use store::EventStore;
pub use subscription::{Subscription, SubscriptionItem, SubscriptionOptions, subscribe_all};

use std::sync::Arc;

/// Opens the store a URL names: `sqlite:PATH` (or a bare file path) for the
/// embedded adapter, `postgres://…` / `postgresql://…` for PostgreSQL.
/// Schema migrations are applied before this returns.
pub async fn open(url: &str) -> Result<Arc<dyn EventStore>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::connect(url).await?))
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Ok(Arc::new(sqlite::SqliteStore::open(path).await?))
    }
}
