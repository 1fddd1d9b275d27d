//! Sync against a test EdgeSync server (tonic, mutual TLS with rcgen-made certificates) that
//! records what it receives and can be stopped and started to cut and restore the network.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use der::Decode;
use inkseal_edge::EdgeError;
use inkseal_edge::config::SyncSettings;
use inkseal_edge::screen::Button;
use inkseal_edge::session;
use inkseal_proto::limits::MAX_PDF_CHUNK_BYTES;
use inkseal_proto::v1 as pb;
use inkseal_proto::v1::edge_sync_server::{EdgeSync, EdgeSyncServer};
use sha2::{Digest, Sha256};
use stu_protocol::Model;
use tokio_stream::Stream;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic::{Request, Response, Status, Streaming};

const AGENT: &str = "agent-0042";

#[derive(Default)]
struct Recorded {
    events: Vec<pb::EdgeEvent>,
    pdfs: HashMap<String, Vec<u8>>,
    largest_chunk: usize,
    chunks: usize,
    /// Store this many events of the next call, then fail before any ack leaves (a lost answer).
    fail_after_storing: Option<usize>,
}

#[derive(Clone, Default)]
struct Backend(Arc<Mutex<Recorded>>);

fn peer_cn<T>(req: &Request<T>) -> Result<String, Status> {
    let certs = req
        .peer_certs()
        .ok_or_else(|| Status::unauthenticated("no client certificate"))?;
    let cert = x509_cert::Certificate::from_der(
        certs
            .first()
            .ok_or_else(|| Status::unauthenticated("empty chain"))?,
    )
    .map_err(|e| Status::unauthenticated(e.to_string()))?;
    let subject = cert.tbs_certificate().subject().to_string();
    subject
        .split(',')
        .find_map(|p| p.trim().strip_prefix("CN="))
        .map(str::to_owned)
        .ok_or_else(|| Status::unauthenticated("no CN"))
}

fn status_of(events: &[pb::EdgeEvent], pdfs: &HashMap<String, Vec<u8>>, offer: &str) -> i32 {
    if pdfs.contains_key(offer) {
        return pb::OfferStatus::Sent as i32;
    }
    let sealed = events.iter().any(|e| {
        e.offer_id == offer && matches!(e.body, Some(pb::edge_event::Body::OfferSealed(_)))
    });
    if sealed {
        pb::OfferStatus::SignedAwaitingSync as i32
    } else {
        pb::OfferStatus::InProgress as i32
    }
}

type AckStream = Pin<Box<dyn Stream<Item = Result<pb::EventAck, Status>> + Send>>;

#[tonic::async_trait]
impl EdgeSync for Backend {
    type SyncEventsStream = AckStream;

    async fn sync_events(
        &self,
        req: Request<Streaming<pb::EdgeEvent>>,
    ) -> Result<Response<AckStream>, Status> {
        let cn = peer_cn(&req)?;
        let mut inbound = req.into_inner();
        let mut acks = Vec::new();
        let mut stored_now = 0usize;
        while let Some(ev) = inbound.message().await? {
            if ev.agent_id != cn {
                return Err(Status::permission_denied(
                    "agent_id does not match the client certificate",
                ));
            }
            let mut rec = self.0.lock().unwrap();
            let outcome = if rec.events.iter().any(|e| e.event_id == ev.event_id) {
                pb::event_ack::Outcome::Duplicate
            } else {
                let version = rec
                    .events
                    .iter()
                    .filter(|e| e.offer_id == ev.offer_id)
                    .count() as u64;
                if ev.stream_version != version {
                    return Err(Status::failed_precondition("stream version gap"));
                }
                rec.events.push(ev.clone());
                stored_now += 1;
                pb::event_ack::Outcome::Appended
            };
            if rec.fail_after_storing.is_some_and(|n| stored_now >= n) {
                rec.fail_after_storing = None;
                return Err(Status::unavailable("connection lost"));
            }
            let status = status_of(&rec.events, &rec.pdfs, &ev.offer_id);
            acks.push(Ok(pb::EventAck {
                event_id: ev.event_id,
                offer_id: ev.offer_id,
                outcome: outcome as i32,
                position: rec.events.len() as u64,
                status,
            }));
        }
        Ok(Response::new(Box::pin(tokio_stream::iter(acks))))
    }

    async fn upload_sealed_pdf(
        &self,
        req: Request<Streaming<pb::PdfChunk>>,
    ) -> Result<Response<pb::PdfUploadReceipt>, Status> {
        let cn = peer_cn(&req)?;
        let mut inbound = req.into_inner();
        let Some(pb::PdfChunk {
            part: Some(pb::pdf_chunk::Part::Start(start)),
        }) = inbound.message().await?
        else {
            return Err(Status::invalid_argument("start first"));
        };
        if start.agent_id != cn {
            return Err(Status::permission_denied("agent"));
        }
        let mut data = Vec::new();
        while let Some(chunk) = inbound.message().await? {
            let Some(pb::pdf_chunk::Part::Data(d)) = chunk.part else {
                return Err(Status::invalid_argument("start twice"));
            };
            if d.len() > MAX_PDF_CHUNK_BYTES {
                return Err(Status::invalid_argument("chunk too large"));
            }
            let mut rec = self.0.lock().unwrap();
            rec.largest_chunk = rec.largest_chunk.max(d.len());
            rec.chunks += 1;
            data.extend_from_slice(&d);
        }
        let sha: [u8; 32] = Sha256::digest(&data).into();
        if sha.to_vec() != start.sha256 || data.len() as u64 != start.size {
            return Err(Status::invalid_argument("truncated upload"));
        }
        let mut rec = self.0.lock().unwrap();
        let sealed_matches = rec.events.iter().any(|e| {
            e.offer_id == start.offer_id
                && matches!(&e.body, Some(pb::edge_event::Body::OfferSealed(s)) if s.sealed_pdf_sha256 == start.sha256)
        });
        if !sealed_matches {
            return Err(Status::failed_precondition("no matching OfferSealed"));
        }
        let already_stored = rec.pdfs.insert(start.offer_id.clone(), data).is_some();
        Ok(Response::new(pb::PdfUploadReceipt {
            offer_id: start.offer_id,
            sha256: sha.to_vec(),
            size: start.size,
            already_stored,
            status: pb::OfferStatus::Sent as i32,
        }))
    }

    async fn get_offer_status(
        &self,
        req: Request<pb::OfferStatusRequest>,
    ) -> Result<Response<pb::OfferStatusReply>, Status> {
        let rec = self.0.lock().unwrap();
        let offers = req
            .into_inner()
            .offer_ids
            .into_iter()
            .map(|id| {
                let accepted = rec.pdfs.contains_key(&id);
                pb::OfferStatusEntry {
                    status: if accepted {
                        pb::OfferStatus::Accepted as i32
                    } else {
                        status_of(&rec.events, &rec.pdfs, &id)
                    },
                    status_text: String::new(),
                    offer_id: id,
                    rejection_reason: String::new(),
                    updated_at: None,
                }
            })
            .collect();
        Ok(Response::new(pb::OfferStatusReply { offers }))
    }
}

struct Pki {
    ca_pem: String,
    server: (String, String),
}

fn make_pki(dir: &Path, client_cn: &str) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "inkseal test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_params
        .distinguished_name
        .push(DnType::CommonName, client_cn);
    let client_cert = client_params.signed_by(&client_key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("agent.pem"), client_cert.pem()).unwrap();
    std::fs::write(dir.join("agent-key.pem"), client_key.serialize_pem()).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server: (server_cert.pem(), server_key.serialize_pem()),
    }
}

struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(backend: &Backend, pki: &Pki, addr: SocketAddr) -> Running {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let tls = ServerTlsConfig::new()
        .identity(Identity::from_pem(&pki.server.0, &pki.server.1))
        .client_ca_root(Certificate::from_pem(&pki.ca_pem));
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let svc = EdgeSyncServer::new(backend.clone());
    let task = tokio::spawn(async move {
        Server::builder()
            .tls_config(tls)
            .unwrap()
            .add_service(svc)
            .serve_with_incoming_shutdown(
                tonic::transport::server::TcpIncoming::from(listener),
                async {
                    let _ = rx.await;
                },
            )
            .await
            .unwrap();
    });
    Running { stop, task }
}

impl Running {
    async fn cut(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

fn settings(dir: &Path, addr: SocketAddr) -> SyncSettings {
    SyncSettings {
        endpoint: format!("https://{addr}"),
        domain_name: "localhost".into(),
        ca_certificate: dir.join("ca.pem"),
        client_certificate: dir.join("agent.pem"),
        client_key: dir.join("agent-key.pem"),
        max_attempts: 4,
        initial_backoff_ms: 20,
        max_backoff_ms: 100,
        connect_timeout_s: 2,
        request_timeout_s: 10,
    }
}

async fn sealed_offer(
    outbox: &inkseal_edge::outbox::Outbox,
    model: Model,
    offer_id: &str,
    pages: u32,
) {
    let script = Pen::new(model)
        .sign(51)
        .tap(Button::Ok)
        .sign(52)
        .tap(Button::Ok)
        .script();
    let mut host = RecordingHost::saying(true);
    session::run(
        outbox,
        &resources(),
        &spec(offer_id),
        &offer_pdf(pages),
        || Ok(sim_link(sim_pad(model, script))),
        &mut host,
    )
    .await
    .unwrap();
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_works_offline_then_catches_up_when_the_network_is_restored() {
    let (dir, outbox, _) = outbox().await;
    let pki = make_pki(dir.path(), AGENT);
    let addr = free_addr();
    let cfg = settings(dir.path(), addr);
    sealed_offer(&outbox, Model::Stu430, "OFF-sync-a", 1).await;
    sealed_offer(&outbox, Model::Stu300, "OFF-sync-b", 160).await;

    // Network cut: bounded retries, then a clear "offline" error; the offers wait in state 2.
    let t = std::time::Instant::now();
    let err = inkseal_edge::sync::sync(&outbox, &cfg).await.unwrap_err();
    assert!(matches!(err, EdgeError::Offline(_)), "{err}");
    assert!(t.elapsed() < Duration::from_secs(20));
    assert!(err.user_message().contains("čekají na synchronizaci"));
    let rows = inkseal_edge::status::offers(&outbox, None).await.unwrap();
    assert!(rows.iter().all(|r| r.status == 2 && r.unsent_events == 5));

    // Restored, but the first call is cut after the backend stored 3 events (their acks lost).
    let backend = Backend::default();
    backend.0.lock().unwrap().fail_after_storing = Some(3);
    let server = start(&backend, &pki, addr).await;
    let report = inkseal_edge::sync::sync(&outbox, &cfg).await.unwrap();
    assert_eq!(report.attempts, 2);
    assert_eq!(report.events_duplicate, 3);
    assert_eq!(report.events_appended, 7);
    assert_eq!(report.pdfs_uploaded, 2);
    assert_eq!(report.statuses_checked, 2);
    let mut local_pdfs = HashMap::new();
    for offer in ["OFF-sync-a", "OFF-sync-b"] {
        local_pdfs.insert(offer, outbox.sealed_pdf(offer).await.unwrap().unwrap());
    }
    {
        let rec = backend.0.lock().unwrap();
        assert_eq!(rec.events.len(), 10, "each event stored once");
        for offer in ["OFF-sync-a", "OFF-sync-b"] {
            let types: Vec<_> = rec
                .events
                .iter()
                .filter(|e| e.offer_id == offer)
                .map(|e| {
                    (
                        e.stream_version,
                        e.body.as_ref().map(std::mem::discriminant),
                    )
                })
                .collect();
            assert_eq!(types.len(), 5);
            assert!(types.iter().enumerate().all(|(i, (v, _))| *v == i as u64));
            assert_eq!(rec.pdfs[offer], local_pdfs[offer]);
        }
        assert!(rec.largest_chunk <= MAX_PDF_CHUNK_BYTES);
        assert!(rec.chunks >= 3, "the large offer travels in several chunks");
    }
    let rows = inkseal_edge::status::offers(&outbox, None).await.unwrap();
    for r in &rows {
        assert_eq!(r.status, 4, "{r:?}");
        assert_eq!(r.status_text, "PČS přijala nabídku do zpracování");
        assert_eq!(r.unsent_events, 0);
    }

    // Nothing left to do: a later run sends nothing, even with the network cut again.
    server.cut().await;
    let report = inkseal_edge::sync::sync(&outbox, &cfg).await.unwrap();
    assert_eq!(
        report.events_appended + report.events_duplicate + report.pdfs_uploaded,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backend_refuses_events_of_another_agent_than_the_certificates() {
    let (dir, outbox, _) = outbox().await;
    let pki = make_pki(dir.path(), "agent-9999");
    let addr = free_addr();
    sealed_offer(&outbox, Model::Stu530, "OFF-forged", 1).await;
    let backend = Backend::default();
    let server = start(&backend, &pki, addr).await;
    let err = inkseal_edge::sync::sync(&outbox, &settings(dir.path(), addr))
        .await
        .unwrap_err();
    assert!(matches!(err, EdgeError::Refused(_)), "{err}");
    assert!(backend.0.lock().unwrap().events.is_empty());
    assert_eq!(
        inkseal_edge::status::offers(&outbox, None).await.unwrap()[0].status,
        2
    );
    server.cut().await;
}
