//! The client's storage: downloads per second, the cost of one code check,
//! and how fast one address may try codes.
//!
//! `cargo bench -p inkseal-server --bench storage`
//!
//! The backend runs in this process on loopback (SQLite, every role). 32
//! offers with ~1 MB signed PDFs are published, each gets an access code, and
//! a session is opened per offer. Then, in the same run:
//!
//! - **storage downloads/s**: 16 clients, each on its own kept-alive
//!   connection, download the signed offers for `BENCH_SECONDS` (default 5)
//!   through the whole path: token lookup, the offer's state, the session
//!   cookie, the streamed document, the `DocumentDownloaded` record;
//! - **plain static files/s**: the same clients fetch the same files from the
//!   document folder through tower-http's `ServeDir` (no checks, no record);
//! - the ratio of the two (goal ≥ 0.8);
//! - **one code check** (argon2id, m = 19 MiB, t = 2, p = 1): mean time of
//!   one check, and checks per second with the site's bound of 4 at once;
//! - **code tries of one address** under the default limit (10 a minute,
//!   5 at once): how many of 40 tries sent at once get an answer other than
//!   429.

#[path = "../tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use inkseal_server::roles::Role;
use inkseal_server::storage::access_code::{AccessCode, CodeChecker};

const OFFERS: usize = 32;
const CLIENTS: usize = 16;
const PDF_PADDING: usize = 1024 * 1024 - 40 * 1024;

/// Downloads `paths` round-robin from `addr` with `CLIENTS` kept-alive connections for `secs`;
/// returns (downloads, bytes).
async fn hammer(addr: SocketAddr, paths: Vec<(String, String)>, secs: f64) -> (usize, u64) {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let paths = paths.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(conn);
            let (mut n, mut bytes) = (0usize, 0u64);
            let mut i = c;
            while Instant::now() < deadline {
                let (path, cookie) = &paths[i % paths.len()];
                i += CLIENTS;
                let mut request = axum::http::Request::get(path.as_str()).header("host", "bench");
                if !cookie.is_empty() {
                    request = request.header("cookie", cookie.as_str());
                }
                let response = sender
                    .send_request(request.body(axum::body::Body::empty()).unwrap())
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "{path}");
                let body =
                    axum::body::to_bytes(axum::body::Body::new(response.into_body()), usize::MAX)
                        .await
                        .unwrap();
                bytes += body.len() as u64;
                n += 1;
            }
            (n, bytes)
        }));
    }
    let mut total = (0, 0);
    for t in tasks {
        let (n, b) = t.await.unwrap();
        total.0 += n;
        total.1 += b;
    }
    total
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let secs: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5.0);
    let (c, dir) = sqlite_components(&Role::ALL).await;
    let documents_dir = dir.path().join("documents");
    let b = start(c, dir).await;
    let addr = b.storage_addr();

    eprintln!("publishing {OFFERS} offers of ~1 MB …");
    let mut client = b.agent(AGENT).await;
    let offers: Vec<_> = (0..OFFERS)
        .map(|i| signed_offer(&format!("NAB-BENCH-{i:03}"), AGENT, PDF_PADDING))
        .collect();
    for offer in &offers {
        send_offer(&mut client, offer).await;
    }
    let mut storage_paths = Vec::new();
    let mut static_paths = Vec::new();
    let mut size = 0;
    for offer in &offers {
        let token = b.wait_published(&offer.offer_id).await;
        let code = b.issue_code(&offer.offer_id).await;
        let cookie = post_code(addr, &token, &code)
            .await
            .session_cookie()
            .unwrap();
        let copy = b.insurer_copy(&offer.offer_id).await;
        size = copy.len();
        let sha = inkseal_server::documents::sha256_of(&copy).to_hex();
        storage_paths.push((format!("/u/{token}/dokumenty/nabidka"), cookie));
        static_paths.push((format!("/sha256/{sha}.pdf"), String::new()));
    }

    // the plain static-file handler over the same folder
    let serve_dir =
        axum::Router::new().fallback_service(tower_http::services::ServeDir::new(&documents_dir));
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_addr = plain.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(plain, serve_dir).await.unwrap() });

    // warm up both, then measure alternately
    hammer(addr, storage_paths.clone(), 0.5).await;
    hammer(plain_addr, static_paths.clone(), 0.5).await;
    let (plain_n, plain_bytes) = hammer(plain_addr, static_paths.clone(), secs).await;
    let (storage_n, storage_bytes) = hammer(addr, storage_paths.clone(), secs).await;
    let plain_rate = plain_n as f64 / secs;
    let storage_rate = storage_n as f64 / secs;

    // one code check, alone and with the site's bound of 4 at once
    let code = AccessCode::generate().unwrap();
    let hash = code.hash().unwrap();
    let other = AccessCode::parse("23456789").unwrap();
    let t = Instant::now();
    const CHECKS: u32 = 20;
    for _ in 0..CHECKS {
        assert!(!other.matches(&hash).unwrap());
    }
    let one_check_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(CHECKS);
    let checker = CodeChecker::default();
    let t = Instant::now();
    let mut checks = Vec::new();
    for _ in 0..40 {
        let (checker, other, hash) = (checker.clone(), other.clone(), hash.clone());
        checks.push(tokio::spawn(async move {
            checker.matches(other, hash).await.unwrap()
        }));
    }
    for c in checks {
        assert!(!c.await.unwrap());
    }
    let checks_per_s = 40.0 / t.elapsed().as_secs_f64();

    // one address trying codes under the default limit
    let (mut limited, dir) = sqlite_components(&Role::ALL).await;
    limited.storage.config.code_tries_per_minute = 10;
    let lb = start(limited, dir).await;
    let offer = signed_offer("NAB-BENCH-RATE", AGENT, 0);
    let token = lb.publish(&offer).await;
    lb.issue_code(&offer.offer_id).await;
    // enough new codes that the lock does not end the run; each try is well-formed and wrong
    let t = Instant::now();
    let mut answered = 0;
    let mut refused = 0;
    let mut tries = Vec::new();
    for _ in 0..40 {
        let (addr, token) = (lb.storage_addr(), token.clone());
        tries.push(tokio::spawn(async move {
            post_code(addr, &token, "ZZZZ ZZZZ").await.status
        }));
    }
    for t in tries {
        match t.await.unwrap() {
            429 => refused += 1,
            _ => answered += 1,
        }
    }
    let tries_secs = t.elapsed().as_secs_f64();

    println!(
        "storage downloads of the {size}-byte signed offer, {CLIENTS} clients, {secs} s each:"
    );
    println!(
        "  storage (code, cookie, stream, record): {storage_rate:8.1} downloads/s  {:7.1} MB/s",
        storage_bytes as f64 / secs / 1e6
    );
    println!(
        "  plain ServeDir, same files:             {plain_rate:8.1} downloads/s  {:7.1} MB/s",
        plain_bytes as f64 / secs / 1e6
    );
    println!(
        "  ratio storage / plain: {:.2} (goal >= 0.8)",
        storage_rate / plain_rate
    );
    println!(
        "one code check (argon2id m=19 MiB t=2 p=1): {one_check_ms:.1} ms; {checks_per_s:.1} checks/s with 4 at once"
    );
    println!(
        "one address, 40 code tries at once under the default limit (10/min, 5 at once): {answered} answered, {refused} refused with 429 in {tries_secs:.2} s"
    );
    lb.stop().await;
    b.stop().await;
}
