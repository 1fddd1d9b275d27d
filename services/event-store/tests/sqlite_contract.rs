//! The contract suite against the embedded SQLite adapter, plus what only a
//! file on disk can show (durability of idempotency across a restart).

use std::sync::Arc;
use std::time::Duration;

use event_store::contract::Interferer;
use event_store::sqlite::{SqliteStore, connect_options};
use event_store::{EventStore, ExpectedVersion, NewEvent};
use sqlx::Connection;

/// A fresh store in a temporary folder; the folder lives as long as the test.
async fn fresh() -> Option<(Arc<dyn EventStore>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("events.db"))
        .await
        .unwrap();
    Some((Arc::new(store), dir))
}

/// A foreign connection that takes the write lock, inserts, waits and rolls back.
fn interferer(dir: &tempfile::TempDir) -> Option<Interferer> {
    let path = dir.path().join("events.db");
    Some(Arc::new(move |hold: Duration| {
        let path = path.clone();
        Box::pin(async move {
            let mut conn = sqlx::sqlite::SqliteConnection::connect_with(&connect_options(&path))
                .await
                .unwrap();
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
            sqlx::query("INSERT INTO es_events VALUES ((SELECT coalesce(max(position),0)+1 FROM es_events), 'ghost', 0, randomblob(16), 'Ghost', 1, x'', x'', 0)")
                .execute(&mut *tx)
                .await
                .unwrap();
            tokio::time::sleep(hold).await;
            tx.rollback().await.unwrap();
        })
    }))
}

event_store::contract_tests!(fresh(), interferer);

#[tokio::test]
async fn a_retry_after_a_restart_is_still_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let events: Vec<NewEvent> = (0..3).map(|i| NewEvent::new("E", 1, vec![i])).collect();
    let first = {
        let store = SqliteStore::open(&path).await.unwrap();
        store
            .append("offer", ExpectedVersion::NoStream, events.clone())
            .await
            .unwrap()
    };
    let store = SqliteStore::open(&path).await.unwrap();
    let again = store
        .append("offer", ExpectedVersion::NoStream, events)
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.first_position, first.first_position);
    assert_eq!(store.head_position().await.unwrap(), 3);
}

#[tokio::test]
async fn an_in_memory_database_is_refused_with_a_reason() {
    let err = SqliteStore::open(":memory:")
        .await
        .err()
        .expect("must refuse");
    assert!(err.to_string().contains("file path"), "{err}");
}
