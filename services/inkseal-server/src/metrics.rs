//! Prometheus metrics and the small HTTP server that serves them.
//!
//! `GET /metrics` answers in the Prometheus/OpenMetrics text format
//! (`prometheus-client`), `GET /healthz` answers `ok`. The server listens on
//! its own port, apart from the mutual-TLS gRPC endpoint, so a scraper needs
//! no client certificate.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::shutdown::Shutdown;

type Labels = Vec<(&'static str, &'static str)>;

/// Every metric the server keeps.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    /// Edge events by outcome (`appended`, `duplicate`, `refused`).
    pub ingest_events: Family<Labels, Counter>,
    /// Sealed-PDF uploads by outcome (`stored`, `already_stored`, `refused`).
    pub uploads: Family<Labels, Counter>,
    /// Bytes of sealed PDFs received.
    pub upload_bytes: Counter,
    /// Seconds per sealed-PDF upload call.
    pub upload_seconds: Histogram,
    /// Acceptance decisions (`accepted`, `rejected`, `failed`).
    pub acceptance: Family<Labels, Counter>,
    /// The read model's checkpoint (global position).
    pub projection_position: Gauge<i64, AtomicI64>,
    /// Publications (`published`, `before`).
    pub publications: Family<Labels, Counter>,
    /// Storage-site requests by outcome (`page`, `opened`, `wrong_code`, `malformed_code`,
    /// `locked`, `expired`, `unknown`, `rate_limited`, `download`, `refused`, `error`).
    pub storage_requests: Family<Labels, Counter>,
    /// Bytes of documents the storage site sent.
    pub storage_bytes: Counter,
    /// Storage-site visits that could not be recorded (a per-offer bound was reached).
    pub storage_unrecorded: Counter,
    /// Notifications by outcome (`notification_email_accepted`, `…_refused`, `…_skipped`, …).
    pub notifications: Family<Labels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("inkseal");
        let ingest_events = Family::<Labels, Counter>::default();
        let uploads = Family::<Labels, Counter>::default();
        let upload_bytes = Counter::default();
        let upload_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let acceptance = Family::<Labels, Counter>::default();
        let projection_position = Gauge::<i64, AtomicI64>::default();
        let publications = Family::<Labels, Counter>::default();
        let storage_requests = Family::<Labels, Counter>::default();
        let storage_bytes = Counter::default();
        let storage_unrecorded = Counter::default();
        let notifications = Family::<Labels, Counter>::default();
        registry.register(
            "notifications",
            "Notifications to clients, by outcome",
            notifications.clone(),
        );
        registry.register(
            "publications",
            "Documents published to clients' storage, by outcome",
            publications.clone(),
        );
        registry.register(
            "storage_requests",
            "Storage-site requests, by outcome",
            storage_requests.clone(),
        );
        registry.register(
            "storage_bytes",
            "Bytes of documents the storage site sent",
            storage_bytes.clone(),
        );
        registry.register(
            "storage_unrecorded",
            "Storage visits not recorded because a per-offer bound was reached",
            storage_unrecorded.clone(),
        );
        registry.register(
            "ingest_events",
            "Edge events received, by outcome",
            ingest_events.clone(),
        );
        registry.register("uploads", "Sealed-PDF uploads, by outcome", uploads.clone());
        registry.register(
            "upload_bytes",
            "Bytes of sealed PDFs received",
            upload_bytes.clone(),
        );
        registry.register(
            "upload_seconds",
            "Duration of sealed-PDF upload calls",
            upload_seconds.clone(),
        );
        registry.register(
            "acceptance_decisions",
            "Acceptance outcomes",
            acceptance.clone(),
        );
        registry.register(
            "projection_position",
            "Global position the read model has applied",
            projection_position.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            ingest_events,
            uploads,
            upload_bytes,
            upload_seconds,
            acceptance,
            projection_position,
            publications,
            storage_requests,
            storage_bytes,
            storage_unrecorded,
            notifications,
        }
    }

    /// Counts one notification outcome.
    pub fn notification(&self, outcome: &'static str) {
        self.notifications
            .get_or_create(&vec![("outcome", outcome)])
            .inc();
    }

    /// Counts one publication outcome.
    pub fn publication(&self, outcome: &'static str) {
        self.publications
            .get_or_create(&vec![("outcome", outcome)])
            .inc();
    }

    /// Counts one storage-site request outcome.
    pub fn storage(&self, outcome: &'static str) {
        self.storage_requests
            .get_or_create(&vec![("outcome", outcome)])
            .inc();
    }

    /// Counts one edge event.
    pub fn event(&self, outcome: &'static str) {
        self.ingest_events
            .get_or_create(&vec![("outcome", outcome)])
            .inc();
    }

    /// Counts one upload.
    pub fn upload(&self, outcome: &'static str) {
        self.uploads
            .get_or_create(&vec![("outcome", outcome)])
            .inc();
    }

    /// Counts one acceptance outcome.
    pub fn decision(&self, outcome: &'static str) {
        self.acceptance
            .get_or_create(&vec![("decision", outcome)])
            .inc();
    }

    /// The metrics in the text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        out
    }
}

async fn metrics(State(m): State<Metrics>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.render(),
    )
}

async fn healthz() -> &'static str {
    "ok"
}

/// The HTTP router: `/metrics` and `/healthz`.
pub fn router(metrics: Metrics) -> Router {
    Router::new()
        .route("/metrics", get(self::metrics))
        .route("/healthz", get(healthz))
        .with_state(metrics)
}

/// Serves the router on `listener` until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Metrics,
    mut shutdown: Shutdown,
) -> std::io::Result<()> {
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    tracing::info!(?addr, "metrics endpoint listening");
    axum::serve(listener, router(metrics))
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await
}
