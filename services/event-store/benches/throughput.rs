//! Event-store throughput against a plain-SQL baseline, per adapter.
//!
//! `cargo bench -p event-store --bench throughput`
//!
//! For each adapter (SQLite in a temporary file; PostgreSQL when
//! `INKSEAL_TEST_POSTGRES_URL` is set or a server answers at
//! `postgres://postgres@127.0.0.1:5432/test`) it measures:
//!
//! - append throughput (events/s) with 1 and 16 concurrent writers, each
//!   appending 10-event batches to its own stream with an exact expected
//!   version;
//! - `read_all` throughput (events/s), pages of 1000;
//! - on PostgreSQL also: three stores on one database (three backend
//!   processes), one lone writer each, against three plain-SQL writers: what
//!   the one cross-process append lock costs (no target);
//!
//! and beside each the same rows written and read with plain SQL (one
//! multi-row INSERT per batch in its own transaction; a paged SELECT) through
//! the same driver with the same durability settings, in a table with the same
//! columns and indexes. Ratios are store / baseline (targets: append ≥ 0.8,
//! read ≥ 0.7).
//!
//! `BENCH_BATCHES` sets the batches per writer (default 300 for one writer;
//! 16 writers do a quarter of that each, at least 40).

use std::sync::Arc;
use std::time::{Duration, Instant};

use event_store::postgres::PostgresStore;
use event_store::sqlite::{SqliteStore, connect_options};
use event_store::{EventStore, ExpectedVersion, NewEvent};
use sqlx::AssertSqlSafe;
use sqlx::{Connection, PgPool, SqlitePool};

const BATCH: usize = 10;
/// Alternating rounds per measurement.
const ROUNDS: usize = 6;
const PAYLOAD: &[u8] = br#"{"offer_id":"OF-2026-000123","field_id":"client","signature_image_sha256":"5d41402abc4b2a76b9719d911017c592","quality":{"width_mm":42.5,"pen_down_ms":1830,"samples":366}}"#;

fn events() -> Vec<NewEvent> {
    (0..BATCH)
        .map(|_| NewEvent::new("FieldSigned", 1, PAYLOAD.to_vec()))
        .collect()
}

fn rate(events: usize, d: Duration) -> f64 {
    events as f64 / d.as_secs_f64()
}

struct Row {
    adapter: &'static str,
    what: String,
    store: f64,
    baseline: f64,
}

async fn store_appends(
    store: Arc<dyn EventStore>,
    writers: usize,
    batches: usize,
    tag: &str,
) -> f64 {
    processes_appends(&vec![store; writers], batches, tag).await
}

/// One writer per entry of `stores`, all at once, each to its own stream (a
/// store listed once per writer is one process; several stores are several
/// processes).
async fn processes_appends(stores: &[Arc<dyn EventStore>], batches: usize, tag: &str) -> f64 {
    let start = Instant::now();
    let tasks: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(w, store)| {
            let store = store.clone();
            let stream = format!("bench-{tag}-{w}");
            tokio::spawn(async move {
                let mut v = None;
                for _ in 0..batches {
                    let r = store
                        .append(&stream, ExpectedVersion::after(v), events())
                        .await
                        .unwrap();
                    v = Some(r.last_version);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    rate(stores.len() * batches * BATCH, start.elapsed())
}

async fn store_read_all(store: &dyn EventStore) -> f64 {
    let start = Instant::now();
    let (mut from, mut n) = (1u64, 0usize);
    loop {
        let page = store.read_all(from, 1000).await.unwrap();
        if page.is_empty() {
            break;
        }
        n += page.len();
        from = page.last().unwrap().position + 1;
    }
    rate(n, start.elapsed())
}

// ---- plain SQL baselines -------------------------------------------------

async fn sqlite_baseline_appends(
    pool: &SqlitePool,
    writers: usize,
    batches: usize,
    tag: &str,
) -> f64 {
    let start = Instant::now();
    let values = ["(?,?,?,?,?,?,?,?)"; BATCH].join(",");
    let sql = Arc::new(format!(
        "INSERT INTO plain_events (stream, version, event_id, event_type, schema_version, payload, metadata, recorded_at) VALUES {values}"
    ));
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (pool, sql) = (pool.clone(), sql.clone());
            let stream = format!("plain-{tag}-{w}");
            tokio::spawn(async move {
                let mut version = 0i64;
                for _ in 0..batches {
                    let mut tx = pool.begin().await.unwrap();
                    let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                    for e in events() {
                        q = q
                            .bind(&stream)
                            .bind(version)
                            .bind(e.id.as_bytes().to_vec())
                            .bind(e.event_type)
                            .bind(1i64)
                            .bind(e.payload)
                            .bind(e.metadata)
                            .bind(chrono::Utc::now().timestamp_micros());
                        version += 1;
                    }
                    q.execute(&mut *tx).await.unwrap();
                    tx.commit().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    rate(writers * batches * BATCH, start.elapsed())
}

async fn sqlite_baseline_read(pool: &SqlitePool) -> f64 {
    let start = Instant::now();
    let (mut from, mut n) = (0i64, 0usize);
    loop {
        type R = (
            i64,
            String,
            i64,
            Vec<u8>,
            String,
            i64,
            Vec<u8>,
            Vec<u8>,
            i64,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT position, stream, version, event_id, event_type, schema_version, payload, metadata, recorded_at FROM plain_events WHERE position > ? ORDER BY position LIMIT 1000",
        )
        .bind(from)
        .fetch_all(pool)
        .await
        .unwrap();
        let Some(last) = rows.last() else { break };
        from = last.0;
        n += rows.len();
    }
    rate(n, start.elapsed())
}

async fn pg_baseline_appends(pool: &PgPool, writers: usize, batches: usize, tag: &str) -> f64 {
    let start = Instant::now();
    let values: Vec<String> = (0..BATCH)
        .map(|i| {
            let b = i * 8;
            format!(
                "(${},${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            )
        })
        .collect();
    let sql = Arc::new(format!(
        "INSERT INTO plain_events (stream, version, event_id, event_type, schema_version, payload, metadata, recorded_at) VALUES {}",
        values.join(",")
    ));
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (pool, sql) = (pool.clone(), sql.clone());
            let stream = format!("plain-{tag}-{w}");
            tokio::spawn(async move {
                let mut version = 0i64;
                for _ in 0..batches {
                    // one statement = one transaction (autocommit), like the store's one call
                    let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                    for e in events() {
                        q = q
                            .bind(&stream)
                            .bind(version)
                            .bind(e.id)
                            .bind(e.event_type)
                            .bind(1i32)
                            .bind(e.payload)
                            .bind(e.metadata)
                            .bind(chrono::Utc::now());
                        version += 1;
                    }
                    q.execute(&pool).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    rate(writers * batches * BATCH, start.elapsed())
}

async fn pg_baseline_read(pool: &PgPool) -> f64 {
    let start = Instant::now();
    let (mut from, mut n) = (0i64, 0usize);
    loop {
        type R = (
            i64,
            String,
            i64,
            uuid::Uuid,
            String,
            i32,
            Vec<u8>,
            Vec<u8>,
            chrono::DateTime<chrono::Utc>,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT position, stream, version, event_id, event_type, schema_version, payload, metadata, recorded_at FROM plain_events WHERE position > $1 ORDER BY position LIMIT 1000",
        )
        .bind(from)
        .fetch_all(pool)
        .await
        .unwrap();
        let Some(last) = rows.last() else { break };
        from = last.0;
        n += rows.len();
    }
    rate(n, start.elapsed())
}

// ---- per adapter -----------------------------------------------------------

async fn bench_sqlite(batches: usize, rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(
        SqliteStore::open(dir.path().join("events.db"))
            .await
            .unwrap(),
    );
    let opts = connect_options(&dir.path().join("plain.db"));
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(16)
        .connect_with(opts)
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE plain_events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL, event_id BLOB NOT NULL UNIQUE, event_type TEXT NOT NULL, schema_version INTEGER NOT NULL, payload BLOB NOT NULL, metadata BLOB NOT NULL, recorded_at INTEGER NOT NULL, UNIQUE (stream, version))",
    )
    .execute(&pool)
    .await
    .unwrap();
    run_adapter(
        "sqlite",
        store,
        batches,
        rows,
        |w, b, tag| {
            let pool = pool.clone();
            Box::pin(async move { sqlite_baseline_appends(&pool, w, b, &tag).await })
        },
        || {
            let pool = pool.clone();
            Box::pin(async move { sqlite_baseline_read(&pool).await })
        },
    )
    .await;
}

async fn bench_postgres(url: &str, batches: usize, rows: &mut Vec<Row>) {
    let schema = format!("es_bench_{}", std::process::id());
    let store = PostgresStore::connect_in_schema(url, &schema)
        .await
        .unwrap();
    let pool = store.pool().clone();
    sqlx::raw_sql(
        "CREATE TABLE plain_events (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL, event_id uuid NOT NULL UNIQUE, event_type text NOT NULL, schema_version integer NOT NULL, payload bytea NOT NULL, metadata bytea NOT NULL, recorded_at timestamptz NOT NULL, tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(), UNIQUE (stream, version))",
    )
    .execute(&pool)
    .await
    .unwrap();
    let store: Arc<dyn EventStore> = Arc::new(store);
    let store_for_processes = store.clone();
    run_adapter(
        "postgres",
        store,
        batches,
        rows,
        |w, b, tag| {
            let pool = pool.clone();
            Box::pin(async move { pg_baseline_appends(&pool, w, b, &tag).await })
        },
        || {
            let pool = pool.clone();
            Box::pin(async move { pg_baseline_read(&pool).await })
        },
    )
    .await;
    // Several backend processes, one lone writer each: their appends contend
    // for the one append lock across processes.
    const PROCESSES: usize = 3;
    let mut processes: Vec<Arc<dyn EventStore>> = vec![store_for_processes.clone()];
    for _ in 1..PROCESSES {
        processes.push(Arc::new(
            PostgresStore::connect_in_schema(url, &schema)
                .await
                .unwrap(),
        ));
    }
    let per_round = (batches / ROUNDS).max(1);
    let (mut s_time, mut b_time) = (0.0f64, 0.0f64);
    for round in 0..ROUNDS {
        let events = (PROCESSES * per_round * BATCH) as f64;
        let tag = format!("p{PROCESSES}r{round}");
        s_time += events / processes_appends(&processes, per_round, &tag).await;
        b_time += events / pg_baseline_appends(&pool, PROCESSES, per_round, &tag).await;
    }
    let total = (ROUNDS * PROCESSES * per_round * BATCH) as f64;
    let (st, bt) = (total / s_time, total / b_time);
    eprintln!(
        "  postgres: append, {PROCESSES} processes x 1 writer: store {st:.0} ev/s, plain SQL {bt:.0} ev/s"
    );
    rows.push(Row {
        adapter: "postgres",
        what: format!("append, {PROCESSES} processes"),
        store: st,
        baseline: bt,
    });
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&mut c)
        .await
        .unwrap();
}

type Fut = std::pin::Pin<Box<dyn std::future::Future<Output = f64>>>;

async fn run_adapter(
    adapter: &'static str,
    store: Arc<dyn EventStore>,
    batches: usize,
    rows: &mut Vec<Row>,
    baseline_append: impl Fn(usize, usize, String) -> Fut,
    baseline_read: impl Fn() -> Fut,
) {
    // warm up both paths (connections, statement caches, file growth)
    store_appends(store.clone(), 1, 20, "warm").await;
    baseline_append(1, 20, "warm".into()).await;
    for (writers, per_writer) in [(1, batches), (16, (batches / 4).max(40))] {
        // Alternate store and baseline in several short rounds, so that
        // drifts of the disk's flush time and of other load hit both alike;
        // each figure is total events / total time over its rounds.
        let per_round = (per_writer / ROUNDS).max(1);
        let (mut s_time, mut b_time) = (0.0f64, 0.0f64);
        for round in 0..ROUNDS {
            let tag = format!("w{writers}r{round}");
            let events = (writers * per_round * BATCH) as f64;
            s_time += events / store_appends(store.clone(), writers, per_round, &tag).await;
            b_time += events / baseline_append(writers, per_round, tag).await;
        }
        let total = (ROUNDS * writers * per_round * BATCH) as f64;
        let (s, b) = (total / s_time, total / b_time);
        eprintln!(
            "  {adapter}: append, {writers} writer(s): store {s:.0} ev/s, plain SQL {b:.0} ev/s"
        );
        rows.push(Row {
            adapter,
            what: format!("append, {writers:>2} writer(s)"),
            store: s,
            baseline: b,
        });
    }
    let (mut s, mut b) = (0.0, 0.0);
    for _ in 0..3 {
        b += baseline_read().await / 3.0;
        s += store_read_all(store.as_ref()).await / 3.0;
    }
    eprintln!("  {adapter}: read_all: store {s:.0} ev/s, plain SQL {b:.0} ev/s");
    rows.push(Row {
        adapter,
        what: "read_all".into(),
        store: s,
        baseline: b,
    });
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; we take no other arguments.
    let batches: usize = std::env::var("BENCH_BATCHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut rows = Vec::new();
    eprintln!(
        "event-store throughput ({BATCH}-event batches, {} B payloads)",
        PAYLOAD.len()
    );
    bench_sqlite(batches, &mut rows).await;
    let url = std::env::var("INKSEAL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match sqlx::PgConnection::connect(&url).await {
        Ok(c) => {
            let _ = c.close().await;
            bench_postgres(&url, batches, &mut rows).await;
        }
        Err(e) => eprintln!("PostgreSQL not measured ({url} unreachable: {e})"),
    }
    println!();
    println!("| adapter  | measure               | store ev/s | plain SQL ev/s | ratio | target |");
    println!("|----------|-----------------------|-----------:|---------------:|------:|-------:|");
    for r in &rows {
        let ratio = r.store / r.baseline;
        let target = if r.what.contains("processes") {
            // no target: it shows what the one cross-process append lock costs
            "   —     ".to_owned()
        } else {
            let t = if r.what.starts_with("append") {
                0.8
            } else {
                0.7
            };
            format!("{t:.1} {:<6}", if ratio >= t { "ok" } else { "MISSED" })
        };
        println!(
            "| {:<8} | {:<21} | {:>10.0} | {:>14.0} | {:>5.2} | {target} |",
            r.adapter, r.what, r.store, r.baseline, ratio,
        );
    }
    println!();
    println!(
        "\"processes\": one lone writer in each of several stores on one database, as several backend\n\
         processes would be. Across processes every append waits for the one append lock (dense,\n\
         commit-ordered positions); within a process group commit shares it."
    );
}
