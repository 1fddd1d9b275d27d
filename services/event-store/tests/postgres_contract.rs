//! The contract suite against PostgreSQL, plus several stores (as several
//! backend processes would) appending to one database at once.
//!
//! The database URL comes from `INKSEAL_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`). Each test works in its own
//! schema. When the variable is unset or the server unreachable, the tests
//! fail under CI (`CI=true`) and elsewhere skip with a one-line notice.

use std::sync::Arc;
use std::time::Duration;

use event_store::contract::Interferer;
use event_store::postgres::PostgresStore;
use event_store::testing::TestSchema;
use event_store::{
    EventStore, ExpectedVersion, NewEvent, SubscriptionItem, SubscriptionOptions, subscribe_all,
};
use sqlx::AssertSqlSafe;
use sqlx::{Connection, PgConnection};

async fn schema() -> Option<TestSchema> {
    TestSchema::new().await
}

async fn fresh() -> Option<(Arc<dyn EventStore>, TestSchema)> {
    let s = schema().await?;
    let store = PostgresStore::connect_in_schema(&s.url, &s.name)
        .await
        .unwrap();
    Some((Arc::new(store), s))
}

/// A foreign transaction that appends through the same function (taking the
/// head lock), waits, and rolls back.
fn interferer(s: &TestSchema) -> Option<Interferer> {
    let (url, name) = (s.url.clone(), s.name.clone());
    Some(Arc::new(move |hold: Duration| {
        let (url, name) = (url.clone(), name.clone());
        Box::pin(async move {
            let mut conn = PgConnection::connect(&url).await.unwrap();
            sqlx::query(AssertSqlSafe(format!("SET search_path TO {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            let mut tx = conn.begin().await.unwrap();
            sqlx::query(
                "SELECT * FROM es_append_batch(ARRAY['ghost'], ARRAY[-1::bigint], ARRAY[1], ARRAY[gen_random_uuid()], ARRAY['Ghost'], ARRAY[1], ARRAY[''::bytea], ARRAY[''::bytea], now())",
            )
            .execute(&mut *tx)
            .await
            .unwrap();
            tokio::time::sleep(hold).await;
            tx.rollback().await.unwrap();
        })
    }))
}

event_store::contract_tests!(fresh(), interferer);

/// `n` stores on one schema, started at the same moment: what `n` backend
/// processes would be (a pool, a writer and migrations each).
async fn processes(s: &TestSchema, n: usize) -> Vec<Arc<dyn EventStore>> {
    futures::future::join_all((0..n).map(|_| PostgresStore::connect_in_schema(&s.url, &s.name)))
        .await
        .into_iter()
        .map(|r| Arc::new(r.unwrap()) as _)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_processes_sharing_one_database_keep_one_dense_order() {
    let Some(s) = schema().await else { return };
    let stores = processes(&s, 3).await;
    let mut sub = subscribe_all(
        stores[0].clone(),
        0,
        SubscriptionOptions {
            poll_interval: Duration::from_millis(10),
            ..Default::default()
        },
    );
    let mut tasks = Vec::new();
    for (p, store) in stores.iter().enumerate() {
        for w in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let stream = format!("p{p}-w{w}");
                for i in 0..20u8 {
                    store
                        .append(
                            &stream,
                            ExpectedVersion::Any,
                            vec![
                                NewEvent::new("E", 1, vec![i]),
                                NewEvent::new("E", 1, vec![i]),
                            ],
                        )
                        .await
                        .unwrap();
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let total = 3 * 4 * 20 * 2;
    let mut next = 1;
    while next <= total {
        match tokio::time::timeout(Duration::from_secs(30), sub.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            SubscriptionItem::Event(e) => {
                assert_eq!(e.position, next, "dense, gap-free order across processes");
                next += 1;
            }
            SubscriptionItem::CaughtUp { .. } => {}
        }
    }
    assert_eq!(stores[2].head_position().await.unwrap(), total);
}

/// One lone writer per process: each append takes the one-statement path
/// while the other processes hold or have just released the append lock, so
/// its snapshot can miss their commits. Whatever path decides it, every
/// append is answered with the positions and versions it really got, and the
/// order stays dense.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lone_writers_in_several_processes_get_true_answers() {
    let Some(s) = schema().await else { return };
    let stores = processes(&s, 3).await;
    let tasks: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(p, store)| {
            let store = store.clone();
            tokio::spawn(async move {
                let stream = format!("lone-{p}");
                let mut answers = Vec::new();
                let mut version = None;
                for i in 0..60u8 {
                    let events: Vec<_> = (0..3)
                        .map(|_| NewEvent::new("E", 1, vec![p as u8, i]))
                        .collect();
                    let ids: Vec<_> = events.iter().map(|e| e.id).collect();
                    let r = store
                        .append(&stream, ExpectedVersion::after(version), events)
                        .await
                        .unwrap();
                    assert!(!r.duplicate);
                    version = Some(r.last_version);
                    answers.push((r, ids));
                }
                answers
            })
        })
        .collect();
    let mut answered = 0;
    for t in tasks {
        for (r, ids) in t.await.unwrap() {
            let stored = stores[0].read_all(r.first_position, 3).await.unwrap();
            let got: Vec<_> = stored
                .iter()
                .map(|e| (e.id, e.position, e.version))
                .collect();
            let want: Vec<_> = ids
                .iter()
                .enumerate()
                .map(|(k, id)| (*id, r.first_position + k as u64, r.first_version + k as u64))
                .collect();
            assert_eq!(got, want, "an append's answer names the events it stored");
            answered += 3;
        }
    }
    let all = stores[1].read_all(1, 1000).await.unwrap();
    assert_eq!(all.len(), answered);
    for (k, e) in all.iter().enumerate() {
        assert_eq!(e.position, k as u64 + 1, "dense order");
    }
}
