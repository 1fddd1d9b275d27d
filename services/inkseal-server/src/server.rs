//! Putting the roles together: open what the configuration names, start the
//! gRPC endpoint, the metrics endpoint, the projector and the acceptance
//! worker that this process runs, and stop them all on one trigger.
//!
//! The gRPC endpoint (mutual TLS) serves EdgeSync (role `ingest`), HelpDesk
//! (role `help-desk`), gRPC health checking and server reflection; every
//! service decodes at most [`inkseal_proto::limits::MAX_MESSAGE_BYTES`] per
//! message.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use event_store::EventStore;
use inkseal_proto::limits::MAX_MESSAGE_BYTES;
use inkseal_proto::v1::edge_sync_server::EdgeSyncServer;
use inkseal_proto::v1::help_desk_server::HelpDeskServer;
use pdf_seal::Signer;

use crate::signer_trust::SignerTrust;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Server, ServerTlsConfig};

use crate::acceptance::Worker;
use crate::config::Config;
use crate::config::{MailTransportKind, SmsGatewayKind, StorageConfig};
use crate::documents::Documents;
use crate::help_desk::HelpDeskService;
use crate::ingest::Ingest;
use crate::metrics::Metrics;
use crate::notify::mail::{FolderMail, MailTransport, SmtpMail};
use crate::notify::outbox::NotificationOutbox;
use crate::notify::schedule::Morning;
use crate::notify::sms::{FolderSms, SmsGateway};
use crate::notify::{Clock, Letterhead, Scheduler, Sender, SystemClock};
use crate::read_model::ReadModel;
use crate::roles::Role;
use crate::shutdown::{self, Trigger};
use crate::storage::access_code::CodeChecker;
use crate::storage::http::HttpLimits;
use crate::storage::link::LinkKey;
use crate::storage::pages::Contact;
use crate::storage::publish::{Publisher, Terms};
use crate::storage::site::{Site, SiteConfig};
use crate::work_queue::{Queue, WorkQueue};

/// How long a shutdown waits for the parts to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Everything the roles need, opened.
#[derive(Clone)]
pub struct Components {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// The read model.
    pub read_model: ReadModel,
    /// Document storage.
    pub documents: Documents,
    /// TLS for the gRPC endpoint (needed by `ingest` and `help-desk`).
    pub tls: Option<ServerTlsConfig>,
    /// The insurer's seal (needed by `acceptance`).
    pub seal: Option<Arc<Signer>>,
    /// The authorities that issue agents' document-signing certificates
    /// (needed by `acceptance`).
    pub agent_trust: Option<Arc<SignerTrust>>,
    /// Metrics.
    pub metrics: Metrics,
    /// The roles to run.
    pub roles: Vec<Role>,
    /// This process's name in claims.
    pub instance: String,
    /// Memory budget of uploads in flight (MiB).
    pub upload_budget_mib: u32,
    /// gRPC streams per connection.
    pub max_concurrent_streams: u32,
    /// Acceptance: idle poll, lease, attempts.
    pub acceptance_poll: Duration,
    /// Acceptance lease.
    pub acceptance_lease: Duration,
    /// Acceptance attempts per offer.
    pub acceptance_max_attempts: u32,
    /// How often the projector looks for other processes' writes.
    pub projection_poll: Duration,
    /// The data-directory lock held while the embedded store is open.
    pub data_dir_lock: Option<Arc<std::fs::File>>,
    /// The client's storage: publication and the site.
    pub storage: StorageParts,
    /// The next morning's e-mail and SMS.
    pub notifications: NotificationParts,
    /// Where the notification roles take "now" from.
    pub clock: Arc<dyn Clock>,
}

/// What the notification roles need.
#[derive(Clone)]
pub struct NotificationParts {
    /// When letters go out.
    pub morning: Morning,
    /// E-mail.
    pub mail: Arc<dyn MailTransport>,
    /// SMS.
    pub sms: Arc<dyn SmsGateway>,
    /// Addresses and contacts.
    pub letterhead: Letterhead,
    /// Attempts per notification and channel.
    pub max_attempts: u32,
    /// Idle poll.
    pub poll: Duration,
    /// Delivery receipts of the SMS gateway, taken by the process that starts the role.
    pub receipts:
        Arc<std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<crate::notify::smpp::Receipt>>>>,
    /// Where the callback listener puts the HTTP gateway's delivery reports.
    pub receipt_sender: tokio::sync::mpsc::Sender<crate::notify::smpp::Receipt>,
}

impl NotificationParts {
    /// From the configuration (folders resolved under the data directory).
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let n = &config.notifications;
        let mail: Arc<dyn MailTransport> = match n.mail_transport {
            MailTransportKind::Folder => Arc::new(FolderMail {
                dir: config.resolve(&n.mail_folder),
            }),
            MailTransportKind::Smtp => Arc::new(SmtpMail {
                host: n.smtp_host.clone(),
                port: n.smtp_port,
                security: n.smtp_security,
                hello: n.smtp_hello.clone(),
                timeout: Duration::from_secs(30),
            }),
        };
        let (receipt_sender, receipts) =
            tokio::sync::mpsc::channel(crate::notify::smpp::RECEIPT_QUEUE);
        let sms: Arc<dyn SmsGateway> = match n.sms_gateway {
            SmsGatewayKind::Folder => Arc::new(FolderSms {
                dir: config.resolve(&n.sms_folder),
            }),
            SmsGatewayKind::Smpp => Arc::new(crate::notify::smpp::SmppGateway::with_receipts(
                n.smpp_host.clone(),
                n.smpp_port,
                n.smpp_system_id.clone(),
                n.smpp_password.clone(),
                n.sms_sender.clone(),
                receipt_sender.clone(),
            )),
            SmsGatewayKind::Http => Arc::new(crate::notify::http_sms::HttpGateway {
                url: n.http_gateway_url.clone(),
                user: n.http_gateway_user.clone(),
                password: n.http_gateway_password.clone(),
                sender: n.sms_sender.clone(),
                callback_url: n.callback_public_url.clone(),
                timeout: Duration::from_secs(30),
            }),
        };
        Ok(NotificationParts {
            morning: n.morning()?,
            mail,
            sms,
            letterhead: Letterhead {
                from: n.from.clone(),
                bounce_domain: n.bounce_domain.clone(),
                bounce_local: n.bounce_local.clone(),
                message_id_domain: n.message_id_domain.clone(),
                public_url: config.storage.public_url.clone(),
                contact_phone: config.storage.contact_phone.clone(),
                contact_email: config.storage.contact_email.clone(),
            },
            max_attempts: n.max_attempts,
            poll: Duration::from_millis(n.poll_interval_ms.max(10)),
            receipts: Arc::new(std::sync::Mutex::new(Some(receipts))),
            receipt_sender,
        })
    }
}

/// What the publication worker and the storage site need.
#[derive(Clone)]
pub struct StorageParts {
    /// The configuration section.
    pub config: StorageConfig,
    /// The secret behind link tokens and session cookies.
    pub link_key: LinkKey,
    /// Code checks (bounded).
    pub checker: CodeChecker,
    /// TLS for the site, when configured.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The insurer's own terms PDF (`None`: the generated FLEXI terms).
    pub terms_pdf: Option<Vec<u8>>,
}

impl StorageParts {
    /// Parts with `config` and `link_key`, no TLS, the generated terms.
    pub fn new(config: StorageConfig, link_key: LinkKey) -> Self {
        StorageParts {
            config,
            link_key,
            checker: CodeChecker::default(),
            tls: None,
            terms_pdf: None,
        }
    }

    /// How long a link and a code stay valid.
    pub fn valid_for(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.config.link_valid_days))
    }

    fn open(config: &Config, roles: &[Role]) -> anyhow::Result<Self> {
        let st = &config.storage;
        let link_key = LinkKey::load_or_create(&config.resolve(&st.link_key))?;
        let mut parts = StorageParts::new(st.clone(), link_key);
        if roles.contains(&Role::Storage)
            && let (Some(cert), Some(key)) = (&st.tls_cert, &st.tls_key)
        {
            parts.tls = Some(crate::storage::http::tls_from_files(
                &config.resolve(cert),
                &config.resolve(key),
            )?);
        }
        if roles.contains(&Role::Publication)
            && let Some(terms) = &st.terms_pdf
        {
            let path = config.resolve(terms);
            parts.terms_pdf =
                Some(std::fs::read(&path).with_context(|| {
                    format!("cannot read the insurance terms {}", path.display())
                })?);
        }
        Ok(parts)
    }
}

/// The listeners a process serves on (each optional).
#[derive(Debug, Default)]
pub struct Listeners {
    /// gRPC (roles `ingest`, `help-desk`).
    pub grpc: Option<TcpListener>,
    /// `/metrics` and `/healthz`.
    pub metrics: Option<TcpListener>,
    /// The storage site (role `storage`).
    pub storage: Option<TcpListener>,
    /// The bounce mailbox (role `notifications`, when configured).
    pub bounces: Option<TcpListener>,
    /// The HTTP gateway's delivery-report callbacks (role `notifications`, when configured).
    pub callbacks: Option<TcpListener>,
}

/// Opens the store, read model, documents, certificates and seal the configuration names.
pub async fn open(config: &Config) -> anyhow::Result<Components> {
    let roles = config.effective_roles();
    let mut lock = None;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let (store, read_model): (Arc<dyn EventStore>, ReadModel) = match &config.database_url {
        Some(url) if config.uses_postgres() => {
            let store: Arc<dyn EventStore> = match &config.database_schema {
                Some(schema) => Arc::new(
                    event_store::postgres::PostgresStore::connect_in_schema(url, schema).await?,
                ),
                None => Arc::new(event_store::postgres::PostgresStore::connect(url).await?),
            };
            (
                store,
                ReadModel::open_postgres(url, config.database_schema.as_deref()).await?,
            )
        }
        _ => {
            lock = Some(Arc::new(lock_data_dir(&config.data_dir)?));
            let store = event_store::open(&config.event_store_url()).await?;
            (
                store,
                ReadModel::open_sqlite(&config.data_dir.join("read-model.sqlite")).await?,
            )
        }
    };
    let documents = Documents::from_config(config)?;
    let needs_grpc = roles.contains(&Role::Ingest) || roles.contains(&Role::HelpDesk);
    let tls = if needs_grpc {
        Some(crate::tls::server_tls_from_files(
            &config.resolve(&config.tls.client_ca),
            &config.resolve(&config.tls.server_cert),
            &config.resolve(&config.tls.server_key),
        )?)
    } else {
        None
    };
    let (seal, agent_trust) = if roles.contains(&Role::Acceptance) {
        let cert = config.resolve(&config.acceptance.seal_cert);
        let key = config.resolve(&config.acceptance.seal_key);
        let authority = config.resolve(&config.acceptance.agent_signing_ca);
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p).with_context(|| {
                format!(
                    "cannot read {} (run `inkseal-server dev-certs` for development certificates)",
                    p.display()
                )
            })
        };
        let seal = Signer::from_pem(&read(&cert)?, &read(&key)?)
            .context("the insurer's seal cannot be used")?;
        let mut trust = SignerTrust::from_pem(&read(&authority)?)
            .with_context(|| format!("{}", authority.display()))?;
        if let Some(crl) = &config.acceptance.agent_signing_crl {
            let crl = config.resolve(crl);
            trust = trust
                .with_revocation_lists(&read(&crl)?)
                .with_context(|| format!("{}", crl.display()))?;
        }
        (Some(Arc::new(seal)), Some(Arc::new(trust)))
    } else {
        (None, None)
    };
    Ok(Components {
        store,
        read_model,
        documents,
        tls,
        seal,
        agent_trust,
        metrics: Metrics::new(),
        roles,
        instance: config.instance(),
        upload_budget_mib: config.grpc.upload_budget_mib,
        max_concurrent_streams: config.grpc.max_concurrent_streams,
        acceptance_poll: config.acceptance_poll(),
        acceptance_lease: Duration::from_secs(config.acceptance.lease_seconds),
        acceptance_max_attempts: config.acceptance.max_attempts,
        projection_poll: Duration::from_millis(250),
        data_dir_lock: lock,
        storage: StorageParts::open(config, &config.effective_roles())?,
        notifications: NotificationParts::from_config(config)?,
        clock: Arc::new(SystemClock),
    })
}

/// Takes an exclusive lock on `<data_dir>/inkseal.lock`: the embedded SQLite
/// store and read model are for one process (SQLite has one writer, and the
/// acceptance claims rely on it); several processes need PostgreSQL.
fn lock_data_dir(dir: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let path = dir.join("inkseal.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another inkseal-server process uses {} (the embedded SQLite store is for one process; run several processes on PostgreSQL)",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// A running server.
pub struct Running {
    /// Where the gRPC endpoint listens, if this process serves one.
    pub grpc_addr: Option<SocketAddr>,
    /// Where the metrics endpoint listens, if any.
    pub metrics_addr: Option<SocketAddr>,
    /// Where the storage site listens, if this process serves it.
    pub storage_addr: Option<SocketAddr>,
    /// Where the bounce mailbox listens, if this process runs one.
    pub bounces_addr: Option<SocketAddr>,
    /// Where the SMS gateway's callbacks are taken, if this process takes them.
    pub callbacks_addr: Option<SocketAddr>,
    trigger: Trigger,
    tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)>,
    /// Held until the server is dropped.
    _data_dir_lock: Option<Arc<std::fs::File>>,
}

impl Running {
    /// The shutdown trigger.
    pub fn trigger(&self) -> &Trigger {
        &self.trigger
    }

    /// Waits until any part stops (an error, or the trigger), and logs which and why. The part is
    /// taken out of the list, so [`Running::shutdown`] waits only for the others.
    pub async fn wait_any(&mut self) {
        if self.tasks.is_empty() {
            return;
        }
        let handles = self.tasks.iter_mut().map(|(_, h)| h);
        let (result, index, _) = futures::future::select_all(handles).await;
        let (name, _) = self.tasks.remove(index);
        match result {
            Ok(Ok(())) => tracing::warn!(part = name, "a part stopped"),
            Ok(Err(e)) => tracing::error!(
                part = name,
                error = format!("{e:#}"),
                "a part stopped with an error"
            ),
            Err(e) => tracing::error!(part = name, error = %e, "a part panicked"),
        }
    }

    /// Fires the trigger and waits (bounded) for every part to finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.trigger.fire();
        let mut first_error = None;
        for (name, handle) in self.tasks {
            match tokio::time::timeout(SHUTDOWN_GRACE, handle).await {
                Ok(Ok(Ok(()))) => tracing::debug!(part = name, "stopped"),
                Ok(Ok(Err(e))) => {
                    tracing::error!(part = name, error = %e, "stopped with an error");
                    first_error.get_or_insert(e.context(name));
                }
                Ok(Err(e)) => {
                    first_error.get_or_insert(anyhow::anyhow!("{name} panicked: {e}"));
                }
                Err(_) => {
                    first_error.get_or_insert(anyhow::anyhow!(
                        "{name} did not stop within {SHUTDOWN_GRACE:?}"
                    ));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// Starts the roles of `components` on the given listeners.
pub async fn start(c: Components, listeners: Listeners) -> anyhow::Result<Running> {
    let Listeners {
        grpc,
        metrics,
        storage,
        bounces,
        callbacks,
    } = listeners;
    crate::tls::install_crypto_provider();
    let (trigger, _) = shutdown::channel();
    let mut tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)> = Vec::new();
    let has = |r: Role| c.roles.contains(&r);

    if has(Role::Projections) {
        let (store, rm, m, sd, poll) = (
            c.store.clone(),
            c.read_model.clone(),
            c.metrics.clone(),
            trigger.subscribe(),
            c.projection_poll,
        );
        tasks.push((
            "projections",
            tokio::spawn(async move { Ok(crate::projections::run(store, rm, m, sd, poll).await?) }),
        ));
    }
    if has(Role::Acceptance) {
        let signer = c
            .seal
            .clone()
            .context("the acceptance role needs the insurer's seal")?;
        let agent_trust = c
            .agent_trust
            .clone()
            .context("the acceptance role needs the agents' document-signing authority")?;
        let worker = Worker {
            store: c.store.clone(),
            documents: c.documents.clone(),
            signer,
            agent_trust,
            queue: WorkQueue::new(
                c.read_model.clone(),
                Queue::Acceptance,
                c.instance.clone(),
                c.acceptance_lease,
                c.acceptance_max_attempts,
            ),
            metrics: c.metrics.clone(),
            poll: c.acceptance_poll,
        };
        let sd = trigger.subscribe();
        tasks.push((
            "acceptance",
            tokio::spawn(async move { Ok(worker.run(sd).await?) }),
        ));
    }

    if has(Role::Publication) {
        let parts = c.storage.clone();
        let (store, documents, rm, metrics, instance, sd) = (
            c.store.clone(),
            c.documents.clone(),
            c.read_model.clone(),
            c.metrics.clone(),
            c.instance.clone(),
            trigger.subscribe(),
        );
        let poll = Duration::from_millis(parts.config.poll_interval_ms.max(10));
        let lease = c.acceptance_lease;
        let attempts = c.acceptance_max_attempts;
        tasks.push((
            "publication",
            tokio::spawn(async move {
                let terms = Terms::store(&documents, parts.terms_pdf.clone()).await?;
                let publisher = Publisher {
                    store,
                    documents,
                    link_key: parts.link_key.clone(),
                    terms,
                    valid_for: parts.valid_for(),
                    queue: WorkQueue::new(rm, Queue::Publication, instance, lease, attempts),
                    metrics,
                    poll,
                };
                Ok(publisher.run(sd).await?)
            }),
        ));
    }

    let mut bounces_addr = None;
    let mut callbacks_addr = None;
    if has(Role::Notifications) {
        let n = c.notifications.clone();
        let scheduler = Scheduler {
            store: c.store.clone(),
            queue: WorkQueue::new(
                c.read_model.clone(),
                Queue::Schedule,
                c.instance.clone(),
                c.acceptance_lease,
                c.acceptance_max_attempts.max(5),
            ),
            morning: n.morning,
            clock: c.clock.clone(),
            poll: n.poll,
        };
        let sd = trigger.subscribe();
        tasks.push((
            "scheduler",
            tokio::spawn(async move { Ok(scheduler.run(sd).await?) }),
        ));
        let sender = Sender {
            store: c.store.clone(),
            outbox: NotificationOutbox::new(
                c.read_model.clone(),
                c.instance.clone(),
                c.acceptance_lease,
                n.max_attempts,
            ),
            mail: n.mail.clone(),
            sms: n.sms.clone(),
            link_key: c.storage.link_key.clone(),
            checker: c.storage.checker.clone(),
            valid_for: c.storage.valid_for(),
            letterhead: n.letterhead.clone(),
            clock: c.clock.clone(),
            metrics: c.metrics.clone(),
            poll: n.poll,
        };
        tracing::info!(mail = %n.mail.describe(), sms = %n.sms.describe(), "notifications ready");
        let receipts = n.receipts.lock().ok().and_then(|mut r| r.take());
        if let Some(receipts) = receipts {
            let (store, rm, metrics, sd) = (
                c.store.clone(),
                c.read_model.clone(),
                c.metrics.clone(),
                trigger.subscribe(),
            );
            // the task holds a sender itself, so the channel stays open while it runs
            let keep_open = n.receipt_sender.clone();
            tasks.push((
                "sms-receipts",
                tokio::spawn(async move {
                    let _keep_open = keep_open;
                    Ok(
                        crate::notify::smpp::record_receipts(receipts, store, rm, metrics, sd)
                            .await?,
                    )
                }),
            ));
        }
        let book = Arc::new(crate::notify::inbox::ReportBook {
            store: c.store.clone(),
            bounce_local: n.letterhead.bounce_local.clone(),
            message_id_domain: n.letterhead.message_id_domain.clone(),
            metrics: c.metrics.clone(),
        });
        if let Some(listener) = callbacks {
            callbacks_addr = Some(listener.local_addr()?);
            let router = crate::notify::http_sms::callbacks(n.receipt_sender.clone(), book.clone());
            let sd = trigger.subscribe();
            tracing::info!(addr = ?callbacks_addr, "SMS gateway callbacks listening");
            tasks.push((
                "sms-callbacks",
                // the same bounded listener as the storage site: a connection cap and
                // header timeouts, so a slow or hostile caller cannot hold it
                tokio::spawn(async move {
                    Ok(crate::storage::http::serve(
                        listener,
                        router,
                        None,
                        HttpLimits::default(),
                        sd,
                    )
                    .await?)
                }),
            ));
        }
        if let Some(listener) = bounces {
            bounces_addr = Some(listener.local_addr()?);
            let sd = trigger.subscribe();
            let hello = n.letterhead.bounce_domain.clone();
            tracing::info!(addr = ?bounces_addr, "bounce mailbox listening");
            tasks.push((
                "bounce-mailbox",
                tokio::spawn(async move {
                    Ok(crate::notify::inbox::serve(listener, book, hello, sd).await?)
                }),
            ));
        }
        let sd = trigger.subscribe();
        tasks.push((
            "notifications",
            tokio::spawn(async move { Ok(sender.run(sd).await?) }),
        ));
    }

    let mut storage_addr = None;
    if has(Role::Storage) {
        let listener = storage.context("the storage role needs a listener")?;
        storage_addr = Some(listener.local_addr()?);
        let parts = c.storage.clone();
        let st = &parts.config;
        let nonzero = |n: u32| std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN);
        let site = Site::new(SiteConfig {
            store: c.store.clone(),
            read_model: c.read_model.clone(),
            documents: c.documents.clone(),
            link_key: parts.link_key.clone(),
            checker: parts.checker.clone(),
            metrics: c.metrics.clone(),
            session_idle: Duration::from_secs(u64::from(st.session_idle_minutes) * 60),
            session_max: Duration::from_secs(u64::from(st.session_max_hours) * 3600),
            secure_cookies: parts.tls.is_some() || st.public_url.starts_with("https://"),
            code_tries_per_minute: nonzero(st.code_tries_per_minute),
            requests_per_minute: nonzero(st.requests_per_minute),
            trust_forwarded_for: st.trust_forwarded_for,
            contact: Contact {
                phone: st.contact_phone.clone(),
                email: st.contact_email.clone(),
            },
        });
        let limits = HttpLimits {
            max_connections: st.max_connections as usize,
            ..HttpLimits::default()
        };
        let router = site.router();
        let tls = parts.tls.clone();
        let sd = trigger.subscribe();
        let mut sweep_sd = trigger.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(60)) => site.sweep(),
                    _ = sweep_sd.wait() => return,
                }
            }
        });
        tracing::info!(addr = ?storage_addr, tls = tls.is_some(), "storage site listening");
        tasks.push((
            "storage",
            tokio::spawn(async move {
                Ok(crate::storage::http::serve(listener, router, tls, limits, sd).await?)
            }),
        ));
    }

    let mut grpc_addr = None;
    if has(Role::Ingest) || has(Role::HelpDesk) {
        let listener = grpc.context("the gRPC roles need a listener")?;
        grpc_addr = Some(listener.local_addr()?);
        let tls = c
            .tls
            .clone()
            .context("the gRPC roles need TLS certificates")?;
        let (reporter, health) = tonic_health::server::health_reporter();
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(inkseal_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        let ingest = has(Role::Ingest).then(|| {
            EdgeSyncServer::new(Ingest::new(
                c.store.clone(),
                c.documents.clone(),
                c.read_model.clone(),
                c.metrics.clone(),
                c.upload_budget_mib,
            ))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
        });
        let help_desk = has(Role::HelpDesk).then(|| {
            HelpDeskServer::new(HelpDeskService::new(c.store.clone(), c.read_model.clone()))
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES)
        });
        if ingest.is_some() {
            reporter.set_serving::<EdgeSyncServer<Ingest>>().await;
        }
        if help_desk.is_some() {
            reporter
                .set_serving::<HelpDeskServer<HelpDeskService>>()
                .await;
        }
        let router = Server::builder()
            .tls_config(tls)?
            .max_concurrent_streams(c.max_concurrent_streams)
            .add_service(health)
            .add_service(reflection)
            .add_optional_service(ingest)
            .add_optional_service(help_desk);
        let mut sd = trigger.subscribe();
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        tracing::info!(addr = ?grpc_addr, "gRPC endpoint listening (mutual TLS)");
        tasks.push((
            "grpc",
            tokio::spawn(async move {
                router
                    .serve_with_incoming_shutdown(incoming, async move { sd.wait().await })
                    .await?;
                drop(reporter);
                Ok(())
            }),
        ));
    }

    let mut metrics_addr = None;
    if let Some(listener) = metrics {
        metrics_addr = Some(listener.local_addr()?);
        let (m, sd) = (c.metrics.clone(), trigger.subscribe());
        tasks.push((
            "metrics",
            tokio::spawn(async move { Ok(crate::metrics::serve(listener, m, sd).await?) }),
        ));
    }
    tracing::info!(roles = ?c.roles, instance = %c.instance, "inkseal-server started");
    Ok(Running {
        grpc_addr,
        metrics_addr,
        storage_addr,
        bounces_addr,
        callbacks_addr,
        trigger,
        tasks,
        _data_dir_lock: c.data_dir_lock,
    })
}
