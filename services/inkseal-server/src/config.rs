//! The server's one typed configuration.
//!
//! Loaded from an optional TOML file, then overridden by `INKSEAL_*`
//! environment variables (listed in [`ENV_VARS`]); `inkseal-server
//! --print-config` prints the result as TOML. The defaults run everything in
//! one process on one machine: an SQLite event store and read model and a
//! documents folder under the data directory (`./inkseal-data/`), certificates
//! made by `inkseal-server dev-certs` in `./inkseal-data/pki/`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::roles::Role;

/// Everything the binary can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the embedded defaults live (SQLite files, documents, dev certificates).
    pub data_dir: PathBuf,
    /// Roles this process runs; empty = all of them.
    pub roles: Vec<Role>,
    /// Event store URL: `postgres://…` to share one database between processes;
    /// unset = `sqlite:<data_dir>/events.sqlite`.
    pub database_url: Option<String>,
    /// PostgreSQL schema for the event store and the read model (unset = the server's default).
    pub database_schema: Option<String>,
    /// Name of this process in work-queue claims and logs (unset = host name and process id).
    pub instance_name: Option<String>,
    /// The gRPC endpoint (EdgeSync, HelpDesk, health, reflection).
    pub grpc: GrpcConfig,
    /// The HTTP endpoint with `/metrics` and `/healthz`.
    pub metrics: MetricsConfig,
    /// Certificates of the mutual-TLS endpoint.
    pub tls: TlsConfig,
    /// Where documents are stored.
    pub documents: DocumentsConfig,
    /// The acceptance worker.
    pub acceptance: AcceptanceConfig,
    /// The client's document storage: publication and the storage site.
    pub storage: StorageConfig,
    /// The next morning's e-mail and SMS.
    pub notifications: NotificationsConfig,
    /// Logs.
    pub log: LogConfig,
}

/// The gRPC endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrpcConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Memory all sealed-PDF uploads in flight may take together, in MiB; an
    /// upload that does not fit waits, one larger than the whole budget is refused.
    pub upload_budget_mib: u32,
    /// Concurrent gRPC streams per connection.
    pub max_concurrent_streams: u32,
}

/// The metrics endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address to listen on; unset = no metrics endpoint.
    pub listen: Option<SocketAddr>,
}

/// Certificates (PEM files). Relative paths are under `data_dir`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// CA that issues edge-agent and help-desk client certificates.
    pub client_ca: PathBuf,
    /// The server's certificate chain.
    pub server_cert: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
}

/// Document storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// `local` (a folder) or `s3` (S3-compatible storage; needs the `s3` cargo feature).
    pub backend: DocumentsBackend,
    /// The folder for `local`; relative paths are under `data_dir`.
    pub local_dir: PathBuf,
    /// Bucket for `s3`.
    pub s3_bucket: Option<String>,
    /// Region for `s3`.
    pub s3_region: Option<String>,
    /// Endpoint for S3-compatible servers (MinIO, Ceph…); unset = AWS.
    pub s3_endpoint: Option<String>,
    /// Allow plain HTTP to the endpoint (test servers only).
    pub s3_allow_http: bool,
}

/// Where documents are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentsBackend {
    /// A local folder.
    Local,
    /// S3-compatible object storage (credentials from the usual `AWS_*` variables).
    S3,
}

/// The acceptance worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AcceptanceConfig {
    /// The insurer's seal: certificate chain (PEM, signer first).
    pub seal_cert: PathBuf,
    /// The insurer's seal: PKCS#8 RSA private key (PEM).
    pub seal_key: PathBuf,
    /// The authorities (PEM certificates) that issue agents' document-signing
    /// certificates; an edge agent's PDF signature counts only with one of
    /// theirs naming the offer's agent.
    pub agent_signing_ca: PathBuf,
    /// Revocation lists (PEM `X509 CRL`) of those authorities: the certificates they name
    /// no longer count. Unset: no revocation check.
    pub agent_signing_crl: Option<PathBuf>,
    /// How often an idle worker looks for work, in milliseconds.
    pub poll_interval_ms: u64,
    /// How long a claim holds an offer before another process may take it, in seconds.
    pub lease_seconds: u64,
    /// How many times one offer is tried before it is left for an operator.
    pub max_attempts: u32,
}

/// Logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info,inkseal_server=debug`.
    pub filter: String,
}

/// The client's document storage. Relative paths are under `data_dir`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Address the storage site listens on (role `storage`); unset = none in this process.
    pub listen: Option<SocketAddr>,
    /// The site's address as clients reach it: the links in e-mails start with it.
    pub public_url: String,
    /// TLS certificate chain (PEM) of the site; unset = plain HTTP (only behind a TLS proxy).
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) of the site.
    pub tls_key: Option<PathBuf>,
    /// The secret behind link tokens and session cookies (created if missing; processes that
    /// serve one storage share it).
    pub link_key: PathBuf,
    /// Days a link and its access code stay valid (from publication, and from each new code).
    pub link_valid_days: u32,
    /// Minutes without a request after which the client must enter the code again.
    pub session_idle_minutes: u32,
    /// Hours after which a session ends however active.
    pub session_max_hours: u32,
    /// Access codes one IP address may try per minute.
    pub code_tries_per_minute: u32,
    /// Requests one IP address may make per minute.
    pub requests_per_minute: u32,
    /// Connections the site holds at once.
    pub max_connections: u32,
    /// The insurance terms handed to every client (PDF); unset = the FLEXI terms the server
    /// generates.
    pub terms_pdf: Option<PathBuf>,
    /// Take the client's address from the last `X-Forwarded-For` entry (only behind a proxy
    /// that sets it).
    pub trust_forwarded_for: bool,
    /// The client line shown on the pages.
    pub contact_phone: String,
    /// The support e-mail shown on the pages.
    pub contact_email: String,
    /// How often the publication worker looks for work when idle (ms).
    pub poll_interval_ms: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_url: "http://127.0.0.1:8080".into(),
            tls_cert: None,
            tls_key: None,
            link_key: PathBuf::from("storage-link.key"),
            link_valid_days: 30,
            session_idle_minutes: 15,
            session_max_hours: 12,
            code_tries_per_minute: 10,
            requests_per_minute: 600,
            max_connections: 1024,
            terms_pdf: None,
            trust_forwarded_for: false,
            contact_phone: "958 888 888".into(),
            contact_email: "podpora@pojistovnacs.cz".into(),
            poll_interval_ms: 500,
        }
    }
}

/// Where e-mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// A folder of `.eml` files (nothing leaves the machine).
    Folder,
    /// An SMTP server.
    Smtp,
}

/// Where SMS go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsGatewayKind {
    /// A folder of JSON files (nothing leaves the machine).
    Folder,
    /// An SMSC over SMPP 3.4.
    Smpp,
    /// An HTTP gateway (Kannel's `sendsms` interface) with delivery-report callbacks.
    Http,
}

/// The next morning's e-mail and SMS. Relative paths are under `data_dir`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Local time (Europe/Prague) the e-mail and SMS go out the day after receipt, `HH:MM`.
    pub send_at: String,
    /// Send only on business days (no weekends, no Czech public holidays).
    pub business_days_only: bool,
    /// `folder` (default) or `smtp`.
    pub mail_transport: MailTransportKind,
    /// The folder of `.eml` files.
    pub mail_folder: PathBuf,
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP server port.
    pub smtp_port: u16,
    /// `plain`, `starttls` or `tls`.
    pub smtp_security: crate::notify::mail::SmtpSecurity,
    /// The name the server is greeted with (EHLO).
    pub smtp_hello: String,
    /// `From:` of the e-mail.
    pub from: String,
    /// Domain of the per-notification envelope senders (`bounces+<id>@<domain>`); its MX is the
    /// backend's bounce receiver.
    pub bounce_domain: String,
    /// Local part of the envelope senders before `+`.
    pub bounce_local: String,
    /// Where the bounce mailbox (an SMTP receiver for delivery reports) listens; unset = none.
    pub bounce_listen: Option<SocketAddr>,
    /// Domain of Message-IDs.
    pub message_id_domain: String,
    /// `folder` (default) or `smpp`.
    pub sms_gateway: SmsGatewayKind,
    /// SMSC host (SMPP).
    pub smpp_host: String,
    /// SMSC port (SMPP).
    pub smpp_port: u16,
    /// SMPP `system_id`.
    pub smpp_system_id: String,
    /// SMPP password.
    pub smpp_password: String,
    /// The alphanumeric sender of the SMS (at most 11 characters, no diacritics).
    pub sms_sender: String,
    /// The HTTP gateway's send address (`http://host:port/cgi-bin/sendsms`).
    pub http_gateway_url: String,
    /// The HTTP gateway's user.
    pub http_gateway_user: String,
    /// The HTTP gateway's password.
    pub http_gateway_password: String,
    /// Where the callback listener (the HTTP gateway's delivery reports) listens; unset = none.
    pub callback_listen: Option<SocketAddr>,
    /// The callback listener's address as the gateway reaches it (`http://host:port`).
    pub callback_public_url: String,
    /// The folder of SMS JSON files.
    pub sms_folder: PathBuf,
    /// Attempts per notification and channel before it is given up (and recorded as such).
    pub max_attempts: u32,
    /// How often the sender looks for due notifications (ms); retries back off from it.
    pub poll_interval_ms: u64,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        NotificationsConfig {
            send_at: "08:00".into(),
            business_days_only: false,
            mail_transport: MailTransportKind::Folder,
            mail_folder: PathBuf::from("outbox/mail"),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            smtp_security: crate::notify::mail::SmtpSecurity::Starttls,
            smtp_hello: "inkseal.localhost".into(),
            from: "Pojišťovna České spořitelny <dokumenty@pojistovnacs.cz>".into(),
            bounce_domain: "bounce.pojistovnacs.cz".into(),
            bounce_local: "bounces".into(),
            bounce_listen: None,
            message_id_domain: "inkseal.pojistovnacs.cz".into(),
            sms_gateway: SmsGatewayKind::Folder,
            smpp_host: "127.0.0.1".into(),
            smpp_port: 2775,
            smpp_system_id: "inkseal".into(),
            smpp_password: String::new(),
            sms_sender: "PCS".into(),
            http_gateway_url: "http://127.0.0.1:13013/cgi-bin/sendsms".into(),
            http_gateway_user: "inkseal".into(),
            http_gateway_password: String::new(),
            callback_listen: None,
            callback_public_url: "http://127.0.0.1:8090".into(),
            sms_folder: PathBuf::from("outbox/sms"),
            max_attempts: 8,
            poll_interval_ms: 1000,
        }
    }
}

impl NotificationsConfig {
    /// `send_at` and `business_days_only` as a rule.
    pub fn morning(&self) -> Result<crate::notify::schedule::Morning, ConfigError> {
        let at = chrono::NaiveTime::parse_from_str(&self.send_at, "%H:%M").map_err(|e| {
            ConfigError::Invalid(format!(
                "notifications.send_at {:?}: {e} (expected HH:MM)",
                self.send_at
            ))
        })?;
        Ok(crate::notify::schedule::Morning {
            at,
            business_days_only: self.business_days_only,
        })
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("inkseal-data"),
            roles: Vec::new(),
            database_url: None,
            database_schema: None,
            instance_name: None,
            grpc: GrpcConfig::default(),
            metrics: MetricsConfig::default(),
            tls: TlsConfig::default(),
            documents: DocumentsConfig::default(),
            acceptance: AcceptanceConfig::default(),
            storage: StorageConfig::default(),
            notifications: NotificationsConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for GrpcConfig {
    fn default() -> Self {
        GrpcConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            upload_budget_mib: 512,
            max_concurrent_streams: 128,
        }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
        }
    }
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            client_ca: PathBuf::from("pki/ca.pem"),
            server_cert: PathBuf::from("pki/server.pem"),
            server_key: PathBuf::from("pki/server.key"),
        }
    }
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig {
            backend: DocumentsBackend::Local,
            local_dir: PathBuf::from("documents"),
            s3_bucket: None,
            s3_region: None,
            s3_endpoint: None,
            s3_allow_http: false,
        }
    }
}

impl Default for AcceptanceConfig {
    fn default() -> Self {
        AcceptanceConfig {
            seal_cert: PathBuf::from("pki/seal.pem"),
            seal_key: PathBuf::from("pki/seal.key"),
            agent_signing_ca: PathBuf::from("pki/ca.pem"),
            agent_signing_crl: None,
            poll_interval_ms: 500,
            lease_seconds: 120,
            max_attempts: 5,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            filter: "info".into(),
        }
    }
}

/// Every environment variable read, with what it sets.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("INKSEAL_DATA_DIR", "data_dir"),
    ("INKSEAL_ROLES", "roles (comma-separated)"),
    ("INKSEAL_DATABASE_URL", "database_url"),
    ("INKSEAL_DATABASE_SCHEMA", "database_schema"),
    ("INKSEAL_INSTANCE_NAME", "instance_name"),
    ("INKSEAL_GRPC_LISTEN", "grpc.listen"),
    ("INKSEAL_GRPC_UPLOAD_BUDGET_MIB", "grpc.upload_budget_mib"),
    (
        "INKSEAL_METRICS_LISTEN",
        "metrics.listen (\"off\" disables)",
    ),
    ("INKSEAL_TLS_CLIENT_CA", "tls.client_ca"),
    ("INKSEAL_TLS_SERVER_CERT", "tls.server_cert"),
    ("INKSEAL_TLS_SERVER_KEY", "tls.server_key"),
    ("INKSEAL_DOCUMENTS_BACKEND", "documents.backend"),
    ("INKSEAL_DOCUMENTS_LOCAL_DIR", "documents.local_dir"),
    ("INKSEAL_DOCUMENTS_S3_BUCKET", "documents.s3_bucket"),
    ("INKSEAL_DOCUMENTS_S3_REGION", "documents.s3_region"),
    ("INKSEAL_DOCUMENTS_S3_ENDPOINT", "documents.s3_endpoint"),
    ("INKSEAL_ACCEPTANCE_SEAL_CERT", "acceptance.seal_cert"),
    ("INKSEAL_ACCEPTANCE_SEAL_KEY", "acceptance.seal_key"),
    (
        "INKSEAL_ACCEPTANCE_AGENT_SIGNING_CA",
        "acceptance.agent_signing_ca",
    ),
    (
        "INKSEAL_ACCEPTANCE_AGENT_SIGNING_CRL",
        "acceptance.agent_signing_crl",
    ),
    (
        "INKSEAL_STORAGE_LISTEN",
        "storage.listen (\"off\" disables)",
    ),
    ("INKSEAL_STORAGE_PUBLIC_URL", "storage.public_url"),
    ("INKSEAL_STORAGE_TLS_CERT", "storage.tls_cert"),
    ("INKSEAL_STORAGE_TLS_KEY", "storage.tls_key"),
    ("INKSEAL_STORAGE_LINK_KEY", "storage.link_key"),
    ("INKSEAL_STORAGE_LINK_VALID_DAYS", "storage.link_valid_days"),
    (
        "INKSEAL_STORAGE_SESSION_IDLE_MINUTES",
        "storage.session_idle_minutes",
    ),
    (
        "INKSEAL_STORAGE_SESSION_MAX_HOURS",
        "storage.session_max_hours",
    ),
    (
        "INKSEAL_STORAGE_CODE_TRIES_PER_MINUTE",
        "storage.code_tries_per_minute",
    ),
    (
        "INKSEAL_STORAGE_REQUESTS_PER_MINUTE",
        "storage.requests_per_minute",
    ),
    ("INKSEAL_STORAGE_MAX_CONNECTIONS", "storage.max_connections"),
    ("INKSEAL_STORAGE_TERMS_PDF", "storage.terms_pdf"),
    (
        "INKSEAL_STORAGE_TRUST_FORWARDED_FOR",
        "storage.trust_forwarded_for (true|false)",
    ),
    ("INKSEAL_STORAGE_CONTACT_PHONE", "storage.contact_phone"),
    ("INKSEAL_STORAGE_CONTACT_EMAIL", "storage.contact_email"),
    (
        "INKSEAL_NOTIFICATIONS_SEND_AT",
        "notifications.send_at (HH:MM)",
    ),
    (
        "INKSEAL_NOTIFICATIONS_BUSINESS_DAYS_ONLY",
        "notifications.business_days_only (true|false)",
    ),
    (
        "INKSEAL_NOTIFICATIONS_MAIL_TRANSPORT",
        "notifications.mail_transport (folder|smtp)",
    ),
    (
        "INKSEAL_NOTIFICATIONS_MAIL_FOLDER",
        "notifications.mail_folder",
    ),
    ("INKSEAL_NOTIFICATIONS_SMTP_HOST", "notifications.smtp_host"),
    ("INKSEAL_NOTIFICATIONS_SMTP_PORT", "notifications.smtp_port"),
    (
        "INKSEAL_NOTIFICATIONS_SMTP_SECURITY",
        "notifications.smtp_security (plain|starttls|tls)",
    ),
    (
        "INKSEAL_NOTIFICATIONS_SMTP_HELLO",
        "notifications.smtp_hello",
    ),
    ("INKSEAL_NOTIFICATIONS_FROM", "notifications.from"),
    (
        "INKSEAL_NOTIFICATIONS_BOUNCE_DOMAIN",
        "notifications.bounce_domain",
    ),
    (
        "INKSEAL_NOTIFICATIONS_BOUNCE_LOCAL",
        "notifications.bounce_local",
    ),
    (
        "INKSEAL_NOTIFICATIONS_MESSAGE_ID_DOMAIN",
        "notifications.message_id_domain",
    ),
    (
        "INKSEAL_NOTIFICATIONS_SMS_GATEWAY",
        "notifications.sms_gateway (folder)",
    ),
    (
        "INKSEAL_NOTIFICATIONS_SMS_FOLDER",
        "notifications.sms_folder",
    ),
    (
        "INKSEAL_NOTIFICATIONS_MAX_ATTEMPTS",
        "notifications.max_attempts",
    ),
    (
        "INKSEAL_NOTIFICATIONS_POLL_INTERVAL_MS",
        "notifications.poll_interval_ms",
    ),
    ("INKSEAL_LOG_FORMAT", "log.format (text|json)"),
    ("INKSEAL_LOG_FILTER", "log.filter"),
];

/// An environment value as TOML reads it (`true`, `25`), or else as a string.
fn env_value<T: serde::de::DeserializeOwned>(var: &str, v: &str) -> Result<T, ConfigError> {
    #[derive(Deserialize)]
    struct W<T> {
        x: T,
    }
    if let Ok(w) = toml::from_str::<W<T>>(&format!("x = {v}")) {
        return Ok(w.x);
    }
    toml::from_str::<W<T>>(&format!("x = {}", toml::Value::String(v.to_owned())))
        .map(|w| w.x)
        .map_err(|e| ConfigError::Env {
            var: var.to_owned(),
            value: v.to_owned(),
            message: e.message().to_owned(),
        })
}

/// A listen address from the environment: `off` or empty turns the listener off.
fn env_listen(var: &str, v: &str) -> Result<Option<SocketAddr>, ConfigError> {
    if v == "off" || v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|e: std::net::AddrParseError| ConfigError::Env {
            var: var.to_owned(),
            value: v.to_owned(),
            message: e.to_string(),
        })
}

impl Config {
    /// Reads `file` (if given), then applies the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                    path: path.to_owned(),
                    source: e,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.to_owned(),
                    message: e.to_string(),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Applies `INKSEAL_*` overrides from `get` (the process environment in production).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |var: &str, value: &str, why: String| ConfigError::Env {
            var: var.to_owned(),
            value: value.to_owned(),
            message: why,
        };
        let path = |v: String| PathBuf::from(v);
        let addr = |var: &str, v: &str| {
            v.parse::<SocketAddr>()
                .map_err(|e| bad(var, v, e.to_string()))
        };
        if let Some(v) = get("INKSEAL_DATA_DIR") {
            self.data_dir = path(v);
        }
        if let Some(v) = get("INKSEAL_ROLES") {
            self.roles = Role::parse_list(&v).map_err(|e| bad("INKSEAL_ROLES", &v, e))?;
        }
        if let Some(v) = get("INKSEAL_DATABASE_URL") {
            self.database_url = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = get("INKSEAL_DATABASE_SCHEMA") {
            self.database_schema = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = get("INKSEAL_INSTANCE_NAME") {
            self.instance_name = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = get("INKSEAL_GRPC_LISTEN") {
            self.grpc.listen = addr("INKSEAL_GRPC_LISTEN", &v)?;
        }
        if let Some(v) = get("INKSEAL_GRPC_UPLOAD_BUDGET_MIB") {
            self.grpc.upload_budget_mib = v.parse().map_err(|e: std::num::ParseIntError| {
                bad("INKSEAL_GRPC_UPLOAD_BUDGET_MIB", &v, e.to_string())
            })?;
        }
        if let Some(v) = get("INKSEAL_METRICS_LISTEN") {
            self.metrics.listen = if v == "off" || v.is_empty() {
                None
            } else {
                Some(addr("INKSEAL_METRICS_LISTEN", &v)?)
            };
        }
        if let Some(v) = get("INKSEAL_TLS_CLIENT_CA") {
            self.tls.client_ca = path(v);
        }
        if let Some(v) = get("INKSEAL_TLS_SERVER_CERT") {
            self.tls.server_cert = path(v);
        }
        if let Some(v) = get("INKSEAL_TLS_SERVER_KEY") {
            self.tls.server_key = path(v);
        }
        if let Some(v) = get("INKSEAL_DOCUMENTS_BACKEND") {
            self.documents.backend = match v.as_str() {
                "local" => DocumentsBackend::Local,
                "s3" => DocumentsBackend::S3,
                _ => {
                    return Err(bad(
                        "INKSEAL_DOCUMENTS_BACKEND",
                        &v,
                        "expected local or s3".into(),
                    ));
                }
            };
        }
        if let Some(v) = get("INKSEAL_DOCUMENTS_LOCAL_DIR") {
            self.documents.local_dir = path(v);
        }
        if let Some(v) = get("INKSEAL_DOCUMENTS_S3_BUCKET") {
            self.documents.s3_bucket = Some(v);
        }
        if let Some(v) = get("INKSEAL_DOCUMENTS_S3_REGION") {
            self.documents.s3_region = Some(v);
        }
        if let Some(v) = get("INKSEAL_DOCUMENTS_S3_ENDPOINT") {
            self.documents.s3_endpoint = Some(v);
        }
        if let Some(v) = get("INKSEAL_ACCEPTANCE_SEAL_CERT") {
            self.acceptance.seal_cert = path(v);
        }
        if let Some(v) = get("INKSEAL_ACCEPTANCE_SEAL_KEY") {
            self.acceptance.seal_key = path(v);
        }
        if let Some(v) = get("INKSEAL_ACCEPTANCE_AGENT_SIGNING_CA") {
            self.acceptance.agent_signing_ca = path(v);
        }
        if let Some(v) = get("INKSEAL_ACCEPTANCE_AGENT_SIGNING_CRL") {
            self.acceptance.agent_signing_crl = Some(path(v));
        }
        self.apply_storage_env(&get)?;
        self.apply_notifications_env(&get)?;
        if let Some(v) = get("INKSEAL_LOG_FORMAT") {
            self.log.format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(bad(
                        "INKSEAL_LOG_FORMAT",
                        &v,
                        "expected text or json".into(),
                    ));
                }
            };
        }
        if let Some(v) = get("INKSEAL_LOG_FILTER") {
            self.log.filter = v;
        }
        Ok(())
    }

    fn apply_storage_env(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let st = &mut self.storage;
        if let Some(v) = get("INKSEAL_STORAGE_LISTEN") {
            st.listen = env_listen("INKSEAL_STORAGE_LISTEN", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_PUBLIC_URL") {
            st.public_url = v;
        }
        if let Some(v) = get("INKSEAL_STORAGE_TLS_CERT") {
            st.tls_cert = Some(PathBuf::from(v)).filter(|p| !p.as_os_str().is_empty());
        }
        if let Some(v) = get("INKSEAL_STORAGE_TLS_KEY") {
            st.tls_key = Some(PathBuf::from(v)).filter(|p| !p.as_os_str().is_empty());
        }
        if let Some(v) = get("INKSEAL_STORAGE_LINK_KEY") {
            st.link_key = PathBuf::from(v);
        }
        if let Some(v) = get("INKSEAL_STORAGE_LINK_VALID_DAYS") {
            st.link_valid_days = env_value("INKSEAL_STORAGE_LINK_VALID_DAYS", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_SESSION_IDLE_MINUTES") {
            st.session_idle_minutes = env_value("INKSEAL_STORAGE_SESSION_IDLE_MINUTES", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_SESSION_MAX_HOURS") {
            st.session_max_hours = env_value("INKSEAL_STORAGE_SESSION_MAX_HOURS", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_CODE_TRIES_PER_MINUTE") {
            st.code_tries_per_minute = env_value("INKSEAL_STORAGE_CODE_TRIES_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_REQUESTS_PER_MINUTE") {
            st.requests_per_minute = env_value("INKSEAL_STORAGE_REQUESTS_PER_MINUTE", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_MAX_CONNECTIONS") {
            st.max_connections = env_value("INKSEAL_STORAGE_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_TERMS_PDF") {
            st.terms_pdf = Some(PathBuf::from(v)).filter(|p| !p.as_os_str().is_empty());
        }
        if let Some(v) = get("INKSEAL_STORAGE_TRUST_FORWARDED_FOR") {
            st.trust_forwarded_for = env_value("INKSEAL_STORAGE_TRUST_FORWARDED_FOR", &v)?;
        }
        if let Some(v) = get("INKSEAL_STORAGE_CONTACT_PHONE") {
            st.contact_phone = v;
        }
        if let Some(v) = get("INKSEAL_STORAGE_CONTACT_EMAIL") {
            st.contact_email = v;
        }
        Ok(())
    }

    fn apply_notifications_env(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let n = &mut self.notifications;
        macro_rules! set {
            ($var:literal, $field:expr) => {
                if let Some(v) = get($var) {
                    $field = env_value($var, &v)?;
                }
            };
        }
        set!("INKSEAL_NOTIFICATIONS_SEND_AT", n.send_at);
        set!(
            "INKSEAL_NOTIFICATIONS_BUSINESS_DAYS_ONLY",
            n.business_days_only
        );
        set!("INKSEAL_NOTIFICATIONS_MAIL_TRANSPORT", n.mail_transport);
        set!("INKSEAL_NOTIFICATIONS_MAIL_FOLDER", n.mail_folder);
        set!("INKSEAL_NOTIFICATIONS_SMTP_HOST", n.smtp_host);
        set!("INKSEAL_NOTIFICATIONS_SMTP_PORT", n.smtp_port);
        set!("INKSEAL_NOTIFICATIONS_SMTP_SECURITY", n.smtp_security);
        set!("INKSEAL_NOTIFICATIONS_SMTP_HELLO", n.smtp_hello);
        set!("INKSEAL_NOTIFICATIONS_FROM", n.from);
        set!("INKSEAL_NOTIFICATIONS_BOUNCE_DOMAIN", n.bounce_domain);
        set!("INKSEAL_NOTIFICATIONS_BOUNCE_LOCAL", n.bounce_local);
        if let Some(v) = get("INKSEAL_NOTIFICATIONS_BOUNCE_LISTEN") {
            n.bounce_listen = env_listen("INKSEAL_NOTIFICATIONS_BOUNCE_LISTEN", &v)?;
        }
        set!(
            "INKSEAL_NOTIFICATIONS_MESSAGE_ID_DOMAIN",
            n.message_id_domain
        );
        set!("INKSEAL_NOTIFICATIONS_SMS_GATEWAY", n.sms_gateway);
        set!("INKSEAL_NOTIFICATIONS_SMS_FOLDER", n.sms_folder);
        set!("INKSEAL_NOTIFICATIONS_SMPP_HOST", n.smpp_host);
        set!("INKSEAL_NOTIFICATIONS_SMPP_PORT", n.smpp_port);
        set!("INKSEAL_NOTIFICATIONS_SMPP_SYSTEM_ID", n.smpp_system_id);
        set!("INKSEAL_NOTIFICATIONS_SMPP_PASSWORD", n.smpp_password);
        set!("INKSEAL_NOTIFICATIONS_SMS_SENDER", n.sms_sender);
        set!("INKSEAL_NOTIFICATIONS_HTTP_GATEWAY_URL", n.http_gateway_url);
        set!(
            "INKSEAL_NOTIFICATIONS_HTTP_GATEWAY_USER",
            n.http_gateway_user
        );
        set!(
            "INKSEAL_NOTIFICATIONS_HTTP_GATEWAY_PASSWORD",
            n.http_gateway_password
        );
        set!(
            "INKSEAL_NOTIFICATIONS_CALLBACK_PUBLIC_URL",
            n.callback_public_url
        );
        if let Some(v) = get("INKSEAL_NOTIFICATIONS_CALLBACK_LISTEN") {
            n.callback_listen = env_listen("INKSEAL_NOTIFICATIONS_CALLBACK_LISTEN", &v)?;
        }
        set!("INKSEAL_NOTIFICATIONS_MAX_ATTEMPTS", n.max_attempts);
        set!("INKSEAL_NOTIFICATIONS_POLL_INTERVAL_MS", n.poll_interval_ms);
        Ok(())
    }

    /// Checks what the types cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        if self.grpc.upload_budget_mib == 0 {
            return invalid("grpc.upload_budget_mib must be at least 1");
        }
        if self.acceptance.lease_seconds == 0 || self.acceptance.max_attempts == 0 {
            return invalid(
                "acceptance.lease_seconds and acceptance.max_attempts must be at least 1",
            );
        }
        if self.database_schema.is_some() && !self.uses_postgres() {
            return invalid("database_schema needs a postgres:// database_url");
        }
        self.notifications.morning()?;
        if self.notifications.max_attempts == 0 {
            return invalid("notifications.max_attempts must be at least 1");
        }
        let st = &self.storage;
        if st.link_valid_days == 0
            || st.session_idle_minutes == 0
            || st.session_max_hours == 0
            || st.code_tries_per_minute == 0
            || st.requests_per_minute == 0
            || st.max_connections == 0
        {
            return invalid(
                "storage.link_valid_days, session_idle_minutes, session_max_hours, code_tries_per_minute, requests_per_minute and max_connections must be at least 1",
            );
        }
        if st.tls_cert.is_some() != st.tls_key.is_some() {
            return invalid("storage.tls_cert and storage.tls_key go together");
        }
        if !(st.public_url.starts_with("http://") || st.public_url.starts_with("https://")) {
            return invalid("storage.public_url must start with http:// or https://");
        }
        if self.documents.backend == DocumentsBackend::S3 && self.documents.s3_bucket.is_none() {
            return invalid("documents.backend = \"s3\" needs documents.s3_bucket");
        }
        Ok(())
    }

    /// Whether the event store is PostgreSQL (several processes may share it).
    pub fn uses_postgres(&self) -> bool {
        self.database_url
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
    }

    /// The roles to run (all when none are named).
    pub fn effective_roles(&self) -> Vec<Role> {
        if self.roles.is_empty() {
            Role::ALL.to_vec()
        } else {
            self.roles.clone()
        }
    }

    /// A path from the configuration, resolved against `data_dir` when relative.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_owned()
        } else {
            self.data_dir.join(path)
        }
    }

    /// The event store URL in effect.
    pub fn event_store_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite:{}", self.data_dir.join("events.sqlite").display()),
        }
    }

    /// The acceptance worker's idle poll interval.
    pub fn acceptance_poll(&self) -> Duration {
        Duration::from_millis(self.acceptance.poll_interval_ms.max(10))
    }

    /// This process's name in claims and logs.
    pub fn instance(&self) -> String {
        self.instance_name.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_owned())
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "inkseal".into());
            format!("{host}-{}", std::process::id())
        })
    }

    /// The configuration as TOML, as `--print-config` shows it.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot print configuration: {e}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_run_everything_on_sqlite_under_the_data_dir() {
        let c = Config::default();
        assert_eq!(c.event_store_url(), "sqlite:inkseal-data/events.sqlite");
        assert_eq!(c.effective_roles(), Role::ALL.to_vec());
        assert_eq!(
            c.resolve(&c.documents.local_dir),
            PathBuf::from("inkseal-data/documents")
        );
        assert!(!c.uses_postgres());
    }

    #[test]
    fn printed_config_reads_back_the_same() {
        let c = Config::default();
        let back: Config = toml::from_str(&c.to_toml()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c: Config =
            toml::from_str("roles = [\"ingest\"]\n[grpc]\nlisten = \"0.0.0.0:1\"\n").unwrap();
        c.apply_env(|name| match name {
            "INKSEAL_ROLES" => Some("acceptance,projections".into()),
            "INKSEAL_DATABASE_URL" => Some("postgres://db/x".into()),
            "INKSEAL_METRICS_LISTEN" => Some("off".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.roles, vec![Role::Acceptance, Role::Projections]);
        assert!(c.uses_postgres());
        assert_eq!(c.metrics.listen, None);
        assert_eq!(c.grpc.listen, "0.0.0.0:1".parse().unwrap());
    }

    #[test]
    fn a_bad_environment_value_is_a_clear_error() {
        let mut c = Config::default();
        let e = c
            .apply_env(|n| (n == "INKSEAL_ROLES").then(|| "ingest,cooking".into()))
            .unwrap_err();
        assert!(e.to_string().contains("INKSEAL_ROLES"), "{e}");
        assert!(toml::from_str::<Config>("colour = 1").is_err());
    }

    #[test]
    fn every_storage_key_can_be_set_from_the_environment() {
        let values = [
            ("INKSEAL_STORAGE_LISTEN", "127.0.0.1:8443"),
            ("INKSEAL_STORAGE_PUBLIC_URL", "https://dokumenty.example.cz"),
            ("INKSEAL_STORAGE_TLS_CERT", "tls/storage.pem"),
            ("INKSEAL_STORAGE_TLS_KEY", "tls/storage.key"),
            ("INKSEAL_STORAGE_LINK_KEY", "/etc/inkseal/link.key"),
            ("INKSEAL_STORAGE_LINK_VALID_DAYS", "45"),
            ("INKSEAL_STORAGE_SESSION_IDLE_MINUTES", "5"),
            ("INKSEAL_STORAGE_SESSION_MAX_HOURS", "2"),
            ("INKSEAL_STORAGE_CODE_TRIES_PER_MINUTE", "3"),
            ("INKSEAL_STORAGE_REQUESTS_PER_MINUTE", "60"),
            ("INKSEAL_STORAGE_MAX_CONNECTIONS", "64"),
            ("INKSEAL_STORAGE_TERMS_PDF", "vpp.pdf"),
            ("INKSEAL_STORAGE_TRUST_FORWARDED_FOR", "true"),
            ("INKSEAL_STORAGE_CONTACT_PHONE", "800 123 456"),
            ("INKSEAL_STORAGE_CONTACT_EMAIL", "klient@example.cz"),
        ];
        for (var, _) in values {
            assert!(
                ENV_VARS.iter().any(|(v, _)| *v == var),
                "{var} is documented"
            );
        }
        let storage_vars = ENV_VARS
            .iter()
            .filter(|(v, _)| v.starts_with("INKSEAL_STORAGE_"))
            .count();
        assert_eq!(
            storage_vars,
            values.len(),
            "every documented variable is tested"
        );
        let mut c = Config::default();
        c.apply_env(|n| {
            values
                .iter()
                .find(|(v, _)| *v == n)
                .map(|(_, x)| (*x).to_owned())
        })
        .unwrap();
        c.validate().unwrap();
        let st = &c.storage;
        assert_eq!(st.listen, Some("127.0.0.1:8443".parse().unwrap()));
        assert_eq!(st.public_url, "https://dokumenty.example.cz");
        assert_eq!(st.tls_cert, Some(PathBuf::from("tls/storage.pem")));
        assert_eq!(st.tls_key, Some(PathBuf::from("tls/storage.key")));
        assert_eq!(st.link_key, PathBuf::from("/etc/inkseal/link.key"));
        assert_eq!(
            (
                st.link_valid_days,
                st.session_idle_minutes,
                st.session_max_hours
            ),
            (45, 5, 2)
        );
        assert_eq!(
            (
                st.code_tries_per_minute,
                st.requests_per_minute,
                st.max_connections
            ),
            (3, 60, 64)
        );
        assert_eq!(st.terms_pdf, Some(PathBuf::from("vpp.pdf")));
        assert!(st.trust_forwarded_for);
        assert_eq!(
            (st.contact_phone.as_str(), st.contact_email.as_str()),
            ("800 123 456", "klient@example.cz")
        );
        let mut off = Config::default();
        off.apply_env(|n| (n == "INKSEAL_STORAGE_LISTEN").then(|| "off".into()))
            .unwrap();
        assert_eq!(off.storage.listen, None);
        let mut bad = Config::default();
        bad.storage.tls_cert = Some(PathBuf::from("only-a-cert.pem"));
        assert!(
            bad.validate().is_err(),
            "a certificate without its key is refused"
        );
    }
}
