//! The edge agent's error type. Every failure is typed here and turned into a Czech message for
//! the agent by [`EdgeError::user_message`] at the CLI edge; `Display` is the technical detail for
//! logs (it never carries biometric values).

use crate::messages;

/// Why an edge-agent operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    /// The configuration file or an environment variable is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// FIELDS.toml is unreadable or invalid.
    #[error("fields file: {0}")]
    Fields(String),
    /// The client's e-mail or mobile phone is missing or invalid.
    #[error("client contacts missing or invalid: {0}")]
    ContactsMissing(String),
    /// No pad, or the pad failed to initialise.
    #[error("pad initialisation failed: {0}")]
    PadInit(String),
    /// The pad was lost after init (unplugged, stopped answering).
    #[error("pad lost during the session: {0}")]
    PadLost(String),
    /// No OK on the pad within the field timeout.
    #[error("no OK within {0} s")]
    FieldTimeout(u64),
    /// The signer pressed Zrušit on the pad.
    #[error("session cancelled on the pad")]
    Cancelled,
    /// The agent did not confirm "save and send".
    #[error("save and send declined")]
    SaveDeclined,
    /// The offer is already signed and sealed: it can no longer change.
    #[error("offer {0} is already sealed")]
    AlreadySealed(String),
    /// The lifecycle refused a step.
    #[error("lifecycle: {0}")]
    Lifecycle(String),
    /// Sealing the PDF failed.
    #[error("sealing: {0}")]
    Seal(String),
    /// Encrypting biometrics failed.
    #[error("biometric envelope: {0}")]
    Envelope(String),
    /// The local outbox failed.
    #[error("outbox: {0}")]
    Outbox(String),
    /// The backend could not be reached (after the bounded retries).
    #[error("backend unreachable: {0}")]
    Offline(String),
    /// The backend refused what was sent.
    #[error("backend refused: {0}")]
    Refused(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A bound was hit.
    #[error("{what} exceeds the limit of {max}")]
    Limit {
        /// What.
        what: &'static str,
        /// The bound.
        max: usize,
    },
}

impl EdgeError {
    /// A short machine-readable code for the host application's JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            EdgeError::Config(_) => "config",
            EdgeError::Fields(_) => "fields",
            EdgeError::ContactsMissing(_) => "contacts_missing",
            EdgeError::PadInit(_) => "pad_init",
            EdgeError::PadLost(_) => "pad_lost",
            EdgeError::FieldTimeout(_) => "field_timeout",
            EdgeError::Cancelled => "cancelled",
            EdgeError::SaveDeclined => "save_declined",
            EdgeError::AlreadySealed(_) => "already_sealed",
            EdgeError::Lifecycle(_) => "lifecycle",
            EdgeError::Seal(_) => "seal",
            EdgeError::Envelope(_) => "envelope",
            EdgeError::Outbox(_) => "outbox",
            EdgeError::Offline(_) => "offline",
            EdgeError::Refused(_) => "refused",
            EdgeError::Io { .. } => "io",
            EdgeError::Limit { .. } => "limit",
        }
    }

    /// The message the agent reads, in Czech.
    pub fn user_message(&self) -> String {
        match self {
            EdgeError::Config(d) => format!("Chybná konfigurace podpisové aplikace: {d}"),
            EdgeError::Fields(d) => format!("Chybný popis podpisových polí nabídky: {d}"),
            EdgeError::ContactsMissing(d) => format!("{} ({d})", messages::CONTACTS_MISSING),
            EdgeError::PadInit(_) => messages::PAD_INIT_FAILED.to_owned(),
            EdgeError::PadLost(_) => messages::PAD_LOST.to_owned(),
            EdgeError::FieldTimeout(s) => format!(
                "Podpis nebyl do {s} s potvrzen tlačítkem OK. Podepisování bylo ukončeno, nabídka zůstává rozpracovaná."
            ),
            EdgeError::Cancelled => messages::SESSION_CANCELLED.to_owned(),
            EdgeError::SaveDeclined => messages::SAVE_DECLINED.to_owned(),
            EdgeError::AlreadySealed(id) => {
                format!("Nabídka {id} je již podepsána a nelze ji editovat; bude odeslána do PČS.")
            }
            EdgeError::Lifecycle(d) => format!("Operaci s nabídkou nelze provést: {d}"),
            EdgeError::Seal(d) => format!("Podepsanou nabídku se nepodařilo uložit do PDF: {d}"),
            EdgeError::Envelope(d) => format!("Biometrii podpisu se nepodařilo zašifrovat: {d}"),
            EdgeError::Outbox(d) => format!("Chyba místního úložiště nabídek: {d}"),
            EdgeError::Offline(_) => messages::BACKEND_UNREACHABLE.to_owned(),
            EdgeError::Refused(d) => format!("Server PČS nabídku odmítl: {d}"),
            EdgeError::Io { path, source } => format!("Soubor {path} nelze použít: {source}"),
            EdgeError::Limit { what, max } => format!("Překročen limit ({what}: nejvýše {max})."),
        }
    }

    /// The process exit code for the CLI.
    pub fn exit_code(&self) -> u8 {
        match self {
            EdgeError::Cancelled | EdgeError::SaveDeclined | EdgeError::FieldTimeout(_) => 3,
            EdgeError::PadInit(_) | EdgeError::PadLost(_) => 4,
            EdgeError::ContactsMissing(_) => 5,
            EdgeError::Offline(_) => 6,
            _ => 1,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> EdgeError {
        EdgeError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

impl From<sqlx::Error> for EdgeError {
    fn from(e: sqlx::Error) -> Self {
        EdgeError::Outbox(e.to_string())
    }
}

impl From<offer_lifecycle::LifecycleError> for EdgeError {
    fn from(e: offer_lifecycle::LifecycleError) -> Self {
        EdgeError::Lifecycle(e.to_string())
    }
}
