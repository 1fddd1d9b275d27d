//! Test fixtures: a development PKI, a backend running in-process on loopback
//! with mutual TLS, edge-agent clients, and complete signed offers (an offer
//! PDF, two signatures with real encrypted biometric envelopes, the edge
//! agent's PDF seal, and the five events the edge agent sends).

#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Command as Process;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use biometric_envelope::{Binding, EscrowPrivateKey, TimeSeries};
use inkseal_proto::v1 as pb;
use inkseal_proto::v1::edge_sync_client::EdgeSyncClient;
use inkseal_proto::v1::help_desk_client::HelpDeskClient;
use inkseal_server::documents::{Documents, sha256_of};
use inkseal_server::metrics::Metrics;
use inkseal_server::pki::{DevPki, Issued};
use inkseal_server::read_model::ReadModel;
use inkseal_server::roles::Role;
use inkseal_server::server::{self, Components, Running};
use inkseal_server::signer_trust::SignerTrust;
use pdf_seal::sample::SampleOffer;
use pdf_seal::{
    Attachment, PenPoint, PenStyle, Rect, SealRequest, SignatureOptions, Signer, VisibleSignature,
};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

pub const AGENT: &str = "AGENT-1";
pub const OTHER_AGENT: &str = "AGENT-2";
pub const HELP_DESK_USER: &str = "jana.novakova";

/// One PKI per test binary (key generation takes a moment).
pub fn pki() -> &'static DevPki {
    static P: OnceLock<DevPki> = OnceLock::new();
    P.get_or_init(|| {
        let agents: Vec<String> = (0..64).map(|i| format!("BENCH-{i:02}")).collect();
        let mut names: Vec<&str> = vec![AGENT, OTHER_AGENT];
        names.extend(agents.iter().map(String::as_str));
        DevPki::generate(&names, &[HELP_DESK_USER]).unwrap()
    })
}

fn rsa_key() -> rsa::PrivateKey {
    rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap()
}

/// The escrow authority's key (the backend never sees the private half).
pub fn escrow() -> &'static EscrowPrivateKey {
    static K: OnceLock<EscrowPrivateKey> = OnceLock::new();
    K.get_or_init(|| EscrowPrivateKey::new(rsa_key()).unwrap())
}

/// Agent `agent_id`'s PDF signer: a document-signing certificate from the
/// test PKI (made once per agent and test binary).
pub fn agent_signer(agent_id: &str) -> Arc<Signer> {
    static S: OnceLock<Mutex<HashMap<String, Arc<Signer>>>> = OnceLock::new();
    let mut signers = S
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    signers
        .entry(agent_id.to_owned())
        .or_insert_with(|| {
            let issued = pki().issue_agent_signer(agent_id).unwrap();
            Arc::new(Signer::from_pem(&issued.cert_pem, &issued.key_pem).unwrap())
        })
        .clone()
}

/// A PDF signer whose certificate no authority issued.
pub fn self_issued_signer() -> Arc<Signer> {
    static S: OnceLock<Arc<Signer>> = OnceLock::new();
    S.get_or_init(|| Arc::new(Signer::self_issued_for_tests(AGENT, rsa_key()).unwrap()))
        .clone()
}

/// The authority acceptance trusts for agents' signatures: the test PKI's CA.
pub fn agent_trust() -> SignerTrust {
    SignerTrust::from_pem(&pki().ca.cert_pem).unwrap()
}

/// A backend under test.
pub struct Backend {
    pub running: Running,
    pub components: Components,
    pub dir: tempfile::TempDir,
}

/// Components on the embedded defaults under a fresh temporary folder.
pub async fn sqlite_components(roles: &[Role]) -> (Components, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = event_store::open(&format!(
        "sqlite:{}",
        dir.path().join("events.sqlite").display()
    ))
    .await
    .unwrap();
    let read_model = ReadModel::open_sqlite(&dir.path().join("read-model.sqlite"))
        .await
        .unwrap();
    let documents = Documents::local(&dir.path().join("documents")).unwrap();
    let mut c = components(store, read_model, documents, roles, "test-1");
    c.notifications.mail = Arc::new(inkseal_server::notify::mail::FolderMail {
        dir: dir.path().join("outbox/mail"),
    });
    c.notifications.sms = Arc::new(inkseal_server::notify::sms::FolderSms {
        dir: dir.path().join("outbox/sms"),
    });
    c.notifications.poll = Duration::from_millis(50);
    (c, dir)
}

/// The storage link key every backend of a test binary shares (so several processes serve one
/// storage).
pub fn storage_key() -> inkseal_server::storage::link::LinkKey {
    inkseal_server::storage::link::LinkKey::from_bytes([0x5a; 32])
}

/// Components over the given store and read model.
pub fn components(
    store: Arc<dyn event_store::EventStore>,
    read_model: ReadModel,
    documents: Documents,
    roles: &[Role],
    instance: &str,
) -> Components {
    let p = pki();
    Components {
        store,
        read_model,
        documents,
        tls: Some(inkseal_server::tls::server_tls(
            &p.ca.cert_pem,
            &p.server.cert_pem,
            &p.server.key_pem,
        )),
        seal: Some(Arc::new(
            Signer::from_pem(&p.seal.cert_pem, &p.seal.key_pem).unwrap(),
        )),
        agent_trust: Some(Arc::new(agent_trust())),
        metrics: Metrics::new(),
        roles: roles.to_vec(),
        instance: instance.into(),
        upload_budget_mib: 512,
        max_concurrent_streams: 256,
        acceptance_poll: Duration::from_millis(50),
        acceptance_lease: Duration::from_secs(60),
        acceptance_max_attempts: 3,
        projection_poll: Duration::from_millis(50),
        data_dir_lock: None,
        storage: inkseal_server::server::StorageParts::new(
            inkseal_server::config::StorageConfig {
                poll_interval_ms: 50,
                code_tries_per_minute: 10_000,
                requests_per_minute: 100_000,
                ..Default::default()
            },
            storage_key(),
        ),
        notifications: inkseal_server::server::NotificationParts::from_config(
            &inkseal_server::config::Config {
                data_dir: std::env::temp_dir()
                    .join(format!("inkseal-test-{}", uuid::Uuid::new_v4().simple())),
                ..Default::default()
            },
        )
        .unwrap(),
        clock: Arc::new(inkseal_server::notify::SystemClock),
    }
}

/// Starts components on loopback (gRPC and metrics on free ports), with the SMS gateway's
/// callback listener on `callbacks` when given.
pub async fn start_with_callbacks(
    components: Components,
    dir: tempfile::TempDir,
    callbacks: tokio::net::TcpListener,
) -> Backend {
    let grpc = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let storage = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = server::start(
        components.clone(),
        server::Listeners {
            grpc: Some(grpc),
            storage: Some(storage),
            callbacks: Some(callbacks),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Backend {
        running,
        components,
        dir,
    }
}

/// Starts components on loopback (gRPC and metrics on free ports).
pub async fn start(components: Components, dir: tempfile::TempDir) -> Backend {
    let grpc = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let storage = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = server::start(
        components.clone(),
        server::Listeners {
            grpc: Some(grpc),
            metrics: Some(metrics),
            storage: Some(storage),
            bounces: Some(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()),
            callbacks: None,
        },
    )
    .await
    .unwrap();
    Backend {
        running,
        components,
        dir,
    }
}

/// A backend with every role on SQLite.
pub async fn sqlite_backend() -> Backend {
    let (c, dir) = sqlite_components(&Role::ALL).await;
    start(c, dir).await
}

/// One backend "process" on a shared PostgreSQL schema: its own store and read-model pools and
/// instance name, as a separate process would have.
pub async fn pg_process(
    schema: &event_store::testing::TestSchema,
    documents: &Documents,
    roles: &[Role],
    name: &str,
) -> Backend {
    let store: Arc<dyn event_store::EventStore> = Arc::new(
        event_store::postgres::PostgresStore::connect_in_schema(&schema.url, &schema.name)
            .await
            .unwrap(),
    );
    let rm = ReadModel::open_postgres(&schema.url, Some(&schema.name))
        .await
        .unwrap();
    start(
        components(store, rm, documents.clone(), roles, name),
        tempfile::tempdir().unwrap(),
    )
    .await
}

/// A backend with every role but the notifications (the tests that count an offer's events
/// must not race with the e-mail and SMS the help desk's actions trigger).
pub async fn sqlite_backend_without_notifications() -> Backend {
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Notifications)
        .collect();
    let (c, dir) = sqlite_components(&roles).await;
    start(c, dir).await
}

impl Backend {
    pub fn grpc_url(&self) -> String {
        format!("https://{}", self.running.grpc_addr.unwrap())
    }

    pub async fn channel(&self, issued: &Issued) -> Channel {
        channel(&self.grpc_url(), issued).await
    }

    pub async fn agent(&self, id: &str) -> EdgeSyncClient<Channel> {
        EdgeSyncClient::new(self.channel(pki().agent(id).unwrap()).await)
            .max_decoding_message_size(inkseal_proto::limits::MAX_MESSAGE_BYTES)
    }

    pub async fn help_desk(&self) -> HelpDeskClient<Channel> {
        HelpDeskClient::new(
            self.channel(pki().help_desk_user(HELP_DESK_USER).unwrap())
                .await,
        )
    }

    /// Events in the store.
    pub async fn head(&self) -> u64 {
        self.components.store.head_position().await.unwrap()
    }

    /// Waits until the projection has caught up with the store.
    pub async fn settle(&self) {
        let head = self.head().await;
        assert!(
            inkseal_server::projections::wait_for(
                &self.components.read_model,
                head,
                Duration::from_secs(20)
            )
            .await
            .unwrap(),
            "projection did not catch up"
        );
    }

    pub async fn stop(self) {
        self.running.shutdown().await.unwrap();
    }
}

/// An mTLS channel to `url` as the holder of `issued`.
pub async fn channel(url: &str, issued: &Issued) -> Channel {
    inkseal_server::tls::install_crypto_provider();
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&pki().ca.cert_pem))
        .identity(Identity::from_pem(&issued.cert_pem, &issued.key_pem))
        .domain_name("localhost");
    Channel::from_shared(url.to_owned())
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// A complete signed offer, as an edge agent would send it.
#[derive(Clone)]
pub struct SignedOffer {
    pub offer_id: String,
    pub agent_id: String,
    pub original_pdf: Vec<u8>,
    pub sealed_pdf: Vec<u8>,
    pub events: Vec<pb::EdgeEvent>,
}

fn ts(secs: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp {
        seconds: 1_718_454_896 + secs,
        nanos: 0,
    })
}

/// The sample offer `offer_id`, grown by `padding` bytes of filler.
pub fn offer_pdf(offer_id: &str, padding: usize) -> Vec<u8> {
    SampleOffer::flexi(offer_id).padding(padding).to_pdf()
}

fn trace(seed: u32) -> TimeSeries {
    biometric_envelope::sample::signature_trace(seed, 240)
}

fn strokes(seed: f32) -> Vec<Vec<PenPoint>> {
    vec![
        (0..120)
            .map(|i| {
                let t = i as f32 / 119.0;
                let a = t * std::f32::consts::TAU * (3.0 + seed);
                PenPoint {
                    x: 0.05 + 0.8 * t,
                    y: 0.45 + 0.2 * a.sin(),
                    pressure: 0.2 + 0.8 * (t * 3.1).sin().abs(),
                }
            })
            .collect(),
    ]
}

/// How a fixture offer differs from a good one.
#[derive(Clone, Default)]
pub struct Flaws {
    /// The client's envelope is bound to another document.
    pub envelope_for_other_document: bool,
    /// The PDF is signed with this instead of the agent's own signer.
    pub signed_by: Option<Arc<Signer>>,
}

/// A complete offer of `agent_id`, with `padding` extra bytes in the PDF.
pub fn signed_offer(offer_id: &str, agent_id: &str, padding: usize) -> SignedOffer {
    signed_offer_with(offer_id, agent_id, padding, Flaws::default())
}

pub fn signed_offer_with(
    offer_id: &str,
    agent_id: &str,
    padding: usize,
    flaws: Flaws,
) -> SignedOffer {
    let original = offer_pdf(offer_id, padding);
    let doc_sha = sha256_of(&original);
    let escrow = escrow().public_key();
    let fields = [
        (
            "client_signature",
            pb::SignerRole::Client,
            72.0f32,
            "client",
        ),
        ("agent_signature", pb::SignerRole::Agent, 330.0, "agent"),
    ];
    let mut envelopes = Vec::new();
    for (i, (field, _, _, role)) in fields.iter().enumerate() {
        let mut bound_to = *doc_sha.as_bytes();
        if flaws.envelope_for_other_document && i == 0 {
            bound_to[0] ^= 0xff;
        }
        let binding = Binding {
            document_sha256: bound_to,
            offer_id: offer_id.into(),
            field_id: (*field).into(),
            signer_role: (*role).into(),
            pad_model: "STU-530".into(),
            pad_serial: "5300A1B2C3".into(),
        };
        let env = biometric_envelope::seal(
            &trace(i as u32),
            &binding,
            &escrow,
            &mut biometric_envelope::SysRng,
        )
        .unwrap();
        envelopes.push(env.to_bytes());
    }
    let mut options = SignatureOptions::new("inkseal_edge_seal", SystemTime::now());
    options.signer_name = Some(format!("inkseal edge agent {agent_id}"));
    let request = SealRequest {
        original_pdf: original.clone(),
        signatures: fields
            .iter()
            .enumerate()
            .map(|(i, (field, _, x, _))| VisibleSignature {
                page: 1,
                rect: Rect {
                    x1: *x,
                    y1: 90.0,
                    x2: x + 200.0,
                    y2: 150.0,
                },
                name: (*field).into(),
                description: "Podpis".into(),
                strokes: strokes(i as f32 * 0.7),
                source_aspect: Some(1.6),
                pen: PenStyle::default(),
            })
            .collect(),
        attachments: fields
            .iter()
            .zip(&envelopes)
            .map(|((field, ..), bytes)| Attachment {
                name: format!("{field}.ikbe"),
                mime_type: "application/octet-stream".into(),
                description: "Encrypted biometric envelope".into(),
                bytes: bytes.clone(),
            })
            .collect(),
        options,
    };
    let signer = flaws
        .signed_by
        .clone()
        .unwrap_or_else(|| agent_signer(agent_id));
    let sealed = pdf_seal::seal(&request, &signer).unwrap();
    let sealed_sha = sha256_of(&sealed);

    let event = |v: u64, body: pb::edge_event::Body| pb::EdgeEvent {
        event_id: uuid::Uuid::new_v4().to_string(),
        offer_id: offer_id.into(),
        agent_id: agent_id.into(),
        stream_version: v,
        schema_version: 1,
        occurred_at: ts(v as i64),
        body: Some(body),
    };
    use pb::edge_event::Body;
    let mut events = vec![
        event(
            0,
            Body::OfferModelled(pb::OfferModelled {
                offer_number: format!("N{}", offer_id.replace('-', "")),
                client: Some(pb::ClientContacts {
                    name: "Jan Novák".into(),
                    email: "Jan.Novak@example.cz".into(),
                    mobile: "603 123 456".into(),
                }),
                fields: fields
                    .iter()
                    .map(|(f, role, x, _)| pb::SignatureField {
                        field_id: (*f).into(),
                        role: *role as i32,
                        page: 1,
                        rect: Some(pb::Rect {
                            x: *x,
                            y: 90.0,
                            width: 200.0,
                            height: 60.0,
                        }),
                        label: "Podpis".into(),
                    })
                    .collect(),
                document_sha256: doc_sha.as_bytes().to_vec(),
                document_size: original.len() as u64,
            }),
        ),
        event(
            1,
            Body::SigningStarted(pb::SigningStarted {
                pad_model: "STU-530".into(),
                pad_serial: "5300A1B2C3".into(),
                pad_firmware: "1.05".into(),
            }),
        ),
    ];
    for (i, ((f, role, ..), env)) in fields.iter().zip(&envelopes).enumerate() {
        events.push(event(
            2 + i as u64,
            Body::FieldSigned(pb::FieldSigned {
                field_id: (*f).into(),
                role: *role as i32,
                signature_image_sha256: sha256_of(f.as_bytes()).as_bytes().to_vec(),
                envelope_sha256: sha256_of(env).as_bytes().to_vec(),
                envelope_size: env.len() as u64,
                quality: Some(pb::SignatureQuality {
                    width_mm: 45.0,
                    height_mm: 12.0,
                    pen_down_ms: 1100,
                    samples: 220,
                    strokes: 2,
                    pressure_range: 0.6,
                }),
            }),
        ));
    }
    events.push(event(
        4,
        Body::OfferSealed(pb::OfferSealed {
            sealed_pdf_sha256: sealed_sha.as_bytes().to_vec(),
            sealed_pdf_size: sealed.len() as u64,
        }),
    ));
    SignedOffer {
        offer_id: offer_id.into(),
        agent_id: agent_id.into(),
        original_pdf: original,
        sealed_pdf: sealed,
        events,
    }
}

/// Sends events in one `SyncEvents` call; the acks, or the status that ended the call.
pub async fn sync(
    client: &mut EdgeSyncClient<Channel>,
    events: Vec<pb::EdgeEvent>,
) -> (Vec<pb::EventAck>, Option<tonic::Status>) {
    let response = match client.sync_events(tokio_stream::iter(events)).await {
        Ok(r) => r,
        Err(status) => return (Vec::new(), Some(status)),
    };
    let mut inbound = response.into_inner();
    let mut acks = Vec::new();
    loop {
        match inbound.message().await {
            Ok(Some(ack)) => acks.push(ack),
            Ok(None) => return (acks, None),
            Err(status) => return (acks, Some(status)),
        }
    }
}

/// The chunks of an upload: the start message, then the data in 256 KiB pieces.
pub fn upload_chunks(
    offer: &SignedOffer,
    agent_id: &str,
    sha: &[u8],
    size: u64,
    data: &[u8],
) -> Vec<pb::PdfChunk> {
    let mut chunks = vec![pb::PdfChunk {
        part: Some(pb::pdf_chunk::Part::Start(pb::PdfUploadStart {
            offer_id: offer.offer_id.clone(),
            agent_id: agent_id.into(),
            sha256: sha.to_vec(),
            size,
        })),
    }];
    chunks.extend(
        data.chunks(inkseal_proto::limits::MAX_PDF_CHUNK_BYTES)
            .map(|c| pb::PdfChunk {
                part: Some(pb::pdf_chunk::Part::Data(c.to_vec())),
            }),
    );
    chunks
}

/// Uploads the offer's sealed PDF.
pub async fn upload(
    client: &mut EdgeSyncClient<Channel>,
    offer: &SignedOffer,
) -> Result<pb::PdfUploadReceipt, tonic::Status> {
    let sha = sha256_of(&offer.sealed_pdf);
    let chunks = upload_chunks(
        offer,
        &offer.agent_id,
        sha.as_bytes(),
        offer.sealed_pdf.len() as u64,
        &offer.sealed_pdf,
    );
    client
        .upload_sealed_pdf(tokio_stream::iter(chunks))
        .await
        .map(|r| r.into_inner())
}

/// Sends the whole offer: events, then the PDF.
pub async fn send_offer(
    client: &mut EdgeSyncClient<Channel>,
    offer: &SignedOffer,
) -> pb::PdfUploadReceipt {
    let (acks, status) = sync(client, offer.events.clone()).await;
    assert!(status.is_none(), "sync refused: {status:?}");
    assert_eq!(acks.len(), offer.events.len());
    upload(client, offer).await.expect("upload")
}

/// Whether `tool` can run; fails under CI when it cannot, else prints a notice.
pub fn tool_available(tool: &str) -> bool {
    if Process::new(tool).arg("-v").output().is_ok() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{tool} is required in CI (apt-get install poppler-utils qpdf)");
    }
    eprintln!("notice: {tool} is not installed; skipping the independent check");
    false
}

/// `pdfsig -nocert` on `pdf`, or `None` when skipped.
pub fn pdfsig(pdf: &[u8]) -> Option<String> {
    if !tool_available("pdfsig") {
        return None;
    }
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let out = Process::new("pdfsig")
        .arg("-nocert")
        .arg(file.path())
        .output()
        .unwrap();
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// `qpdf --check` passes on `pdf` (or is skipped).
pub fn qpdf_check(pdf: &[u8]) {
    if !tool_available("qpdf") {
        return;
    }
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let out = Process::new("qpdf")
        .arg("--check")
        .arg(file.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "qpdf --check failed: {text}");
}

/// The offer as the backend's lifecycle sees it after `offer`'s events.
pub fn lifecycle_offer(offer: &SignedOffer) -> offer_lifecycle::Offer {
    let mut state = offer_lifecycle::OfferState::default();
    for e in &offer.events {
        let cmd = inkseal_server::mapping::edge_event(e).unwrap().command;
        for ev in offer_lifecycle::decide(&cmd, &state).unwrap() {
            state = offer_lifecycle::evolve(state, &ev);
        }
    }
    state.offer().unwrap().clone()
}

// --- the client's storage ------------------------------------------------------

/// One HTTP response as a test reads it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: bytes::Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The session cookie this response sets (`name=value`), if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("inkseal_storage=") && !v.contains("Max-Age=0"))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }
}

/// Sends one HTTP/1.1 request to `addr` (a fresh connection each time) and reads the whole reply.
pub async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("user-agent", "inkseal-tests/1.0");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request.body(axum::body::Body::from(body.to_vec())).unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(axum::body::Body::new(response.into_body()), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

/// Posts the code form.
pub async fn post_code(addr: std::net::SocketAddr, token: &str, code: &str) -> Reply {
    let body = format!("kod={}", code.replace(' ', "+"));
    http(
        addr,
        "POST",
        &format!("/u/{token}"),
        &[("content-type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
    .await
}

impl Backend {
    pub fn storage_addr(&self) -> std::net::SocketAddr {
        self.running
            .storage_addr
            .expect("this backend serves the storage")
    }

    /// The event types of an offer's stream, in order.
    pub async fn event_types(&self, offer_id: &str) -> Vec<String> {
        self.components
            .store
            .read_stream(
                &format!("offer-{offer_id}"),
                0,
                event_store::Direction::Forward,
                10_000,
            )
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }

    /// The offer's decoded events.
    pub async fn events(&self, offer_id: &str) -> Vec<offer_lifecycle::Event> {
        inkseal_server::offers::load(self.components.store.as_ref(), offer_id)
            .await
            .unwrap()
            .events
    }

    /// Sends `offer` and waits (up to a minute) until its documents are published and the
    /// storage entry is projected; returns the link token.
    pub async fn publish(&self, offer: &SignedOffer) -> String {
        let mut client = self.agent(&offer.agent_id).await;
        send_offer(&mut client, offer).await;
        self.wait_published(&offer.offer_id).await
    }

    /// Waits (up to a minute) until the offer's documents are published and projected.
    pub async fn wait_published(&self, offer_id: &str) -> String {
        for _ in 0..600 {
            if self
                .event_types(offer_id)
                .await
                .iter()
                .any(|t| t == "DocumentsPublished")
            {
                self.settle().await;
                return storage_key().token(offer_id, 1).as_str().to_owned();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("offer {offer_id} was not published within a minute");
    }

    /// Issues a new access code (valid for `days`, from `days_ago`), as the SMS sender will.
    pub async fn issue_code_at(
        &self,
        offer_id: &str,
        issued: chrono::DateTime<chrono::Utc>,
        days: i64,
    ) -> String {
        let code = inkseal_server::storage::issue_access_code(
            &self.components.store,
            &self.components.storage.checker,
            offer_id,
            "backend",
            chrono::Duration::days(days),
            issued,
        )
        .await
        .unwrap();
        code.grouped()
    }

    /// Issues a new access code valid for 30 days from now.
    pub async fn issue_code(&self, offer_id: &str) -> String {
        self.issue_code_at(offer_id, chrono::Utc::now(), 30).await
    }

    /// The insurer's copy of the offer (what the client must receive).
    pub async fn insurer_copy(&self, offer_id: &str) -> bytes::Bytes {
        let rm = &self.components.read_model;
        let row = rm
            .offer(offer_id)
            .await
            .unwrap()
            .expect("offer in the read model");
        let sha: offer_lifecycle::Sha256 = row
            .insurer_sealed_pdf
            .expect("accepted offer has the insurer's copy")
            .parse()
            .unwrap();
        self.components
            .documents
            .get_pdf(&sha)
            .await
            .unwrap()
            .unwrap()
    }
}
