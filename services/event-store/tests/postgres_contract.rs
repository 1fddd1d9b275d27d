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
use event_store::{
    EventStore, ExpectedVersion, NewEvent, SubscriptionItem, SubscriptionOptions, subscribe_all,
};
use sqlx::AssertSqlSafe;
use sqlx::{Connection, PgConnection};

const URL_VAR: &str = "INKSEAL_TEST_POSTGRES_URL";

/// The test database URL, or `None` (with a notice) where skipping is allowed.
async fn database_url() -> Option<String> {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let url = match std::env::var(URL_VAR) {
        Ok(url) => url,
        Err(_) if in_ci => panic!("{URL_VAR} is not set, and CI requires the PostgreSQL tests"),
        Err(_) => {
            eprintln!(
                "skipping PostgreSQL test: set {URL_VAR}=postgres://postgres@127.0.0.1:5432/test to run it"
            );
            return None;
        }
    };
    match PgConnection::connect(&url).await {
        Ok(c) => {
            let _ = c.close().await;
            Some(url)
        }
        Err(e) if in_ci => {
            panic!("PostgreSQL at {URL_VAR} is unreachable, and CI requires it: {e}")
        }
        Err(e) => {
            eprintln!("skipping PostgreSQL test: {URL_VAR} is unreachable ({e})");
            None
        }
    }
}

/// A test's own schema; dropped and recreated so every run starts empty.
struct Schema {
    url: String,
    name: String,
}

async fn schema() -> Option<Schema> {
    let url = database_url().await?;
    let name = format!("es_test_{}", uuid::Uuid::new_v4().simple());
    Some(Schema { url, name })
}

impl Drop for Schema {
    fn drop(&mut self) {
        let (url, name) = (self.url.clone(), self.name.clone());
        // best effort: drop the schema on a thread of its own (we may be inside a runtime)
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut c) = PgConnection::connect(&url).await {
                    let _ = sqlx::query(AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {name} CASCADE"
                    )))
                    .execute(&mut c)
                    .await;
                }
            });
        })
        .join();
    }
}

async fn fresh() -> Option<(Arc<dyn EventStore>, Schema)> {
    let s = schema().await?;
    let store = PostgresStore::connect_in_schema(&s.url, &s.name)
        .await
        .unwrap();
    Some((Arc::new(store), s))
}

/// A foreign transaction that appends through the same function (taking the
/// head lock), waits, and rolls back.
fn interferer(s: &Schema) -> Option<Interferer> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_processes_sharing_one_database_keep_one_dense_order() {
    let Some(s) = schema().await else { return };
    // Three stores = three backend processes: three pools, three writer tasks,
    // migrations started at the same moment.
    let stores = futures::future::join_all(
        (0..3).map(|_| PostgresStore::connect_in_schema(&s.url, &s.name)),
    )
    .await;
    let stores: Vec<Arc<dyn EventStore>> = stores
        .into_iter()
        .map(|r| Arc::new(r.unwrap()) as _)
        .collect();
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
