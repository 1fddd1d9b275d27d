//! The server's typed errors and how they become gRPC statuses.
//!
//! A [`ServiceError`] is what a gRPC handler fails with; [`ServiceError::status`]
//! picks the code and keeps the message, which is Czech wherever a person
//! (an agent, the help desk) reads it. Lifecycle refusals keep the
//! lifecycle's own Czech text.

use std::path::PathBuf;

use event_store::StoreError;
use offer_lifecycle::{LifecycleError, SchemaError, ValidationError};
use tonic::{Code, Status};

/// Configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML for [`crate::config::Config`].
    #[error("configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    /// An environment variable has a value that cannot be used.
    #[error("environment variable {var}={value:?} is not valid: {message}")]
    Env {
        var: String,
        value: String,
        message: String,
    },
    /// Values that do not fit together.
    #[error("configuration is not valid: {0}")]
    Invalid(String),
}

/// Why a gRPC call (or a worker step) failed. Nothing is half-done when one
/// is returned: every write is one event-store append or one document put.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No usable client certificate.
    #[error("{0}")]
    Unauthenticated(String),
    /// The certificate's identity may not do this (e.g. a forged agent id).
    #[error("{0}")]
    PermissionDenied(String),
    /// The request is malformed or breaks a bound.
    #[error("{0}")]
    InvalidArgument(String),
    /// A bound on size or concurrency was hit.
    #[error("{0}")]
    ResourceExhausted(String),
    /// The offer is not known.
    #[error("{0}")]
    NotFound(String),
    /// The offer's state does not allow this (out of order, not sealed, …).
    #[error("{0}")]
    FailedPrecondition(String),
    /// An id was used before for something else.
    #[error("{0}")]
    AlreadyExists(String),
    /// A concurrent writer changed the offer; retrying is safe.
    #[error("{0}")]
    Aborted(String),
    /// The event store failed.
    #[error("event store: {0}")]
    Store(#[from] StoreError),
    /// The document storage failed.
    #[error("document storage: {0}")]
    Documents(#[from] crate::documents::DocumentError),
    /// The read model failed.
    #[error("read model: {0}")]
    ReadModel(#[from] sqlx::Error),
    /// A stored event cannot be read back.
    #[error("stored event cannot be read: {0}")]
    Schema(#[from] SchemaError),
    /// Anything else that is our fault.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    /// The gRPC status for this error.
    pub fn status(&self) -> Status {
        let code = match self {
            ServiceError::Unauthenticated(_) => Code::Unauthenticated,
            ServiceError::PermissionDenied(_) => Code::PermissionDenied,
            ServiceError::InvalidArgument(_) => Code::InvalidArgument,
            ServiceError::ResourceExhausted(_) => Code::ResourceExhausted,
            ServiceError::NotFound(_) => Code::NotFound,
            ServiceError::FailedPrecondition(_) => Code::FailedPrecondition,
            ServiceError::AlreadyExists(_) => Code::AlreadyExists,
            ServiceError::Aborted(_) => Code::Aborted,
            ServiceError::Store(StoreError::InvalidInput(_)) => Code::InvalidArgument,
            ServiceError::Store(StoreError::WrongExpectedVersion { .. }) => Code::Aborted,
            ServiceError::Store(StoreError::IdempotencyConflict { .. }) => Code::AlreadyExists,
            ServiceError::Store(_) | ServiceError::Documents(_) | ServiceError::ReadModel(_) => {
                Code::Unavailable
            }
            ServiceError::Schema(_) | ServiceError::Internal(_) => Code::Internal,
        };
        Status::new(code, self.to_string())
    }

    /// An invalid value in a request, named in Czech.
    pub fn invalid(what: &str, error: impl std::fmt::Display) -> Self {
        ServiceError::InvalidArgument(format!("{what}: {error}"))
    }
}

impl From<ServiceError> for Status {
    fn from(e: ServiceError) -> Status {
        e.status()
    }
}

impl From<ValidationError> for ServiceError {
    fn from(e: ValidationError) -> Self {
        ServiceError::InvalidArgument(e.to_string())
    }
}

impl From<LifecycleError> for ServiceError {
    fn from(e: LifecycleError) -> Self {
        let text = e.to_string();
        match e {
            LifecycleError::Invalid(_) | LifecycleError::ReceivedPdfMismatch => {
                ServiceError::InvalidArgument(text)
            }
            LifecycleError::OfferNotModelled => ServiceError::NotFound(text),
            LifecycleError::AgentMismatch | LifecycleError::OfferIdMismatch => {
                ServiceError::PermissionDenied(text)
            }
            LifecycleError::TooManyFields { .. } | LifecycleError::LimitReached { .. } => {
                ServiceError::ResourceExhausted(text)
            }
            _ => ServiceError::FailedPrecondition(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_refusals_keep_their_czech_text_and_get_a_fitting_code() {
        let s = ServiceError::from(LifecycleError::OfferNotModelled).status();
        assert_eq!(s.code(), Code::NotFound);
        assert_eq!(
            s.message(),
            "Nabídka zatím neexistuje; nejdříve ji namodelujte."
        );
        let s = ServiceError::from(LifecycleError::ReceivedPdfMismatch).status();
        assert_eq!(s.code(), Code::InvalidArgument);
        let s = ServiceError::from(LifecycleError::OfferSealed).status();
        assert_eq!(s.code(), Code::FailedPrecondition);
    }
}
