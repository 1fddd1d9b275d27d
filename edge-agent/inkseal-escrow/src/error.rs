//! The escrow tool's errors and their Czech messages.

/// Why the escrow tool failed.
#[derive(Debug, thiserror::Error)]
pub enum EscrowError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The key file is not a usable escrow key.
    #[error("key: {0}")]
    Key(String),
    /// The PDF could not be read.
    #[error("pdf: {0}")]
    Pdf(String),
    /// The PDF holds no envelope (or none for the named field).
    #[error("no envelope{0}")]
    NoEnvelope(String),
    /// The key is not the one the envelopes were sealed for.
    #[error("wrong key: {0}")]
    WrongKey(String),
    /// An envelope is not bound to this document (moved from another one) or was altered.
    #[error("binding: {0}")]
    NotBound(String),
    /// Another envelope failure.
    #[error("envelope: {0}")]
    Envelope(String),
}

impl EscrowError {
    /// The message the operator reads.
    pub fn user_message(&self) -> String {
        match self {
            EscrowError::Io { path, source } => format!("Soubor {path} nelze použít: {source}"),
            EscrowError::Key(d) => {
                format!("Soubor s klíčem není platný soukromý klíč autority (PKCS#8 PEM): {d}")
            }
            EscrowError::Pdf(d) => format!("PDF nelze přečíst: {d}"),
            EscrowError::NoEnvelope(d) => format!("V dokumentu není žádná obálka s biometrií{d}."),
            EscrowError::WrongKey(_) => {
                "Tento klíč nepatří k obálkám v dokumentu; biometrii jím nelze rozšifrovat."
                    .to_owned()
            }
            EscrowError::NotBound(d) => {
                format!("Obálka s biometrií nepatří k tomuto dokumentu nebo byla pozměněna: {d}")
            }
            EscrowError::Envelope(d) => format!("Obálku s biometrií nelze otevřít: {d}"),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            EscrowError::WrongKey(_) => 2,
            EscrowError::NotBound(_) => 3,
            _ => 1,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> EscrowError {
        EscrowError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
