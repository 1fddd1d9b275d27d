//! Ingest throughput and latency with 64 concurrent simulated edge agents.
//!
//! `cargo bench -p inkseal-server --bench ingest`
//!
//! The backend runs in this process on loopback with mutual TLS (roles
//! `ingest` and `projections`; acceptance is off so the figure is the ingest
//! path alone). 64 agents, each with its own client certificate and
//! connection, send complete offers at once: the five edge events in one
//! `SyncEvents` call, then the ~1 MB sealed PDF in 256 KiB chunks, which the
//! backend stores (fsync) and answers with state 3. Reported per store
//! (SQLite file; PostgreSQL when `INKSEAL_TEST_POSTGRES_URL` is set or a
//! server answers at `postgres://postgres@127.0.0.1:5432/test`):
//!
//! - offers/s over the whole run and p50/p99 latency of one offer
//!   (first event sent → upload receipt);
//! - the event store's own append rate measured in the same run (64 writers,
//!   5-event batches to their own streams, the shape of one offer's events);
//! - the process's peak memory (VmHWM) above what it held before the backend
//!   started (the pre-built offers are in that baseline; the peak mark is
//!   reset before each store's run).
//!
//! `BENCH_OFFERS_PER_AGENT` (default 8) sets how many offers each agent sends.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use event_store::postgres::PostgresStore;
use event_store::{EventStore, ExpectedVersion, NewEvent};
use inkseal_server::documents::Documents;
use inkseal_server::read_model::ReadModel;
use inkseal_server::roles::Role;

const AGENTS: usize = 64;
const PDF_PADDING: usize = 1024 * 1024 - 40 * 1024;

fn vm_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

struct Figures {
    store: &'static str,
    offers: usize,
    offers_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    store_events_per_s: f64,
    peak_mib: f64,
    peak_abs_mib: f64,
}

async fn run_ingest(backend: &Backend, offers: Vec<Vec<SignedOffer>>) -> (usize, f64, Vec<f64>) {
    let mut clients = Vec::new();
    for (i, _) in offers.iter().enumerate() {
        clients.push(backend.agent(&format!("BENCH-{i:02}")).await);
    }
    let total: usize = offers.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (mut client, list) in clients.into_iter().zip(offers) {
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for offer in list {
                let t = Instant::now();
                let receipt = send_offer(&mut client, &offer).await;
                assert_eq!(receipt.status, inkseal_proto::v1::OfferStatus::Sent as i32);
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    (total, total as f64 / elapsed, latencies)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// The store's own append rate: 64 writers, 5-event batches to their own streams.
async fn store_append_rate(store: Arc<dyn EventStore>, per_writer: usize) -> f64 {
    let payload = br#"{"field_id":"client_signature","role":"client","signature_image_sha256":"5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592"}"#;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..AGENTS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let stream = format!("bench-append-{w}-{}", uuid::Uuid::new_v4().simple());
            let mut expected = ExpectedVersion::NoStream;
            for _ in 0..per_writer {
                let events: Vec<NewEvent> = (0..5)
                    .map(|_| NewEvent::new("FieldSigned", 1, payload.to_vec()))
                    .collect();
                let r = store.append(&stream, expected, events).await.unwrap();
                expected = ExpectedVersion::Exact(r.last_version);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (AGENTS * per_writer * 5) as f64 / start.elapsed().as_secs_f64()
}

fn build_offers(tag: &str, per_agent: usize) -> Vec<Vec<SignedOffer>> {
    (0..AGENTS)
        .map(|a| {
            (0..per_agent)
                .map(|k| {
                    signed_offer(
                        &format!("BENCH-{tag}-{a:02}-{k:03}"),
                        &format!("BENCH-{a:02}"),
                        PDF_PADDING,
                    )
                })
                .collect()
        })
        .collect()
}

async fn measure(
    store_name: &'static str,
    backend: Backend,
    append_store: Arc<dyn EventStore>,
    per_agent: usize,
) -> Figures {
    let offers = build_offers(store_name, per_agent);
    let size = offers[0][0].sealed_pdf.len();
    eprintln!(
        "{store_name}: {} offers of {:.2} MB ready",
        AGENTS * per_agent,
        size as f64 / 1e6
    );
    // reset the peak-RSS mark (Linux: "5" to clear_refs), so each store's run is measured alone
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline = vm_kib("VmRSS:");
    let (n, rate, latencies) = run_ingest(&backend, offers).await;
    let peak = vm_kib("VmHWM:");
    let store_rate = store_append_rate(append_store, 20).await;
    backend.stop().await;
    Figures {
        store: store_name,
        offers: n,
        offers_per_s: rate,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        store_events_per_s: store_rate,
        peak_mib: peak.saturating_sub(baseline) as f64 / 1024.0,
        peak_abs_mib: peak as f64 / 1024.0,
    }
}

async fn postgres_url() -> Option<String> {
    let url = std::env::var("INKSEAL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    use sqlx::Connection;
    match sqlx::PgConnection::connect(&url).await {
        Ok(c) => {
            let _ = c.close().await;
            Some(url)
        }
        Err(e) => {
            eprintln!("PostgreSQL not reachable at {url} ({e}); its row is skipped");
            None
        }
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let per_agent: usize = std::env::var("BENCH_OFFERS_PER_AGENT").ok().and_then(|v| v.parse().ok()).unwrap_or(8);
        let roles = [Role::Ingest, Role::Projections];
        let _ = pki();
        let mut rows = Vec::new();

        // SQLite: the embedded default
        {
            let (c, dir) = sqlite_components(&roles).await;
            let append = event_store::open(&format!("sqlite:{}", dir.path().join("append-bench.sqlite").display())).await.unwrap();
            let backend = start(c, dir).await;
            rows.push(measure("SQLite", backend, append, per_agent).await);
        }

        // PostgreSQL
        if let Some(url) = postgres_url().await {
            let schema = format!("inkseal_bench_{}", uuid::Uuid::new_v4().simple());
            let store: Arc<dyn EventStore> = Arc::new(PostgresStore::connect_in_schema(&url, &schema).await.unwrap());
            let rm = ReadModel::open_postgres(&url, Some(&schema)).await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            let documents = Documents::local(&dir.path().join("documents")).unwrap();
            let backend = start(components(store.clone(), rm, documents, &roles, "bench"), dir).await;
            rows.push(measure("PostgreSQL", backend, store, per_agent).await);
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut c).await;
        }

        println!();
        println!("ingest: {AGENTS} concurrent agents, full offers (5 events + {:.1} MB sealed PDF), mTLS on loopback", (PDF_PADDING as f64 + 60e3) / 1e6);
        println!("| store | offers | offers/s | p50 ms | p99 ms | store append (events/s, 64 writers × 5-event batches) | backend peak memory (MiB above baseline) | process peak RSS (MiB, incl. the pre-built offers) |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in rows {
            println!(
                "| {} | {} | {:.1} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
                r.store, r.offers, r.offers_per_s, r.p50_ms, r.p99_ms, r.store_events_per_s, r.peak_mib, r.peak_abs_mib
            );
        }
    });
}
