//! The client's document storage ("úložiště"): publication, the access code,
//! and the site the client opens with the link from the e-mail and the code
//! from the SMS.
//!
//! | module | what |
//! | --- | --- |
//! | [`publish`] | the worker that publishes an accepted offer's documents |
//! | [`access_code`] | the SMS code: alphabet, parsing, argon2id hash, bounded checks |
//! | [`link`] | the link token and the session cookie, from one secret key |
//! | [`site`] | the HTTP pages and downloads (role `storage`) |
//! | [`http`] | the listener: plain HTTP or TLS, bounded connections, timeouts |
//! | [`pages`] | the Czech pages (askama templates under `templates/storage/`) |
//! | [`states`] | offers' states for the site, read incrementally |
//!
//! The lock after five wrong codes is a fact in the offer's event stream:
//! each wrong try is appended with the stream's expected version, so tries
//! from several processes are counted one by one and the fifth locks the entry
//! for all of them (the lifecycle decides; [`crate::offers::append_backend`]
//! decides again after a concurrent write).

pub mod access_code;
pub mod http;
pub mod link;
pub mod pages;
pub mod publish;
pub mod site;
pub mod states;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use event_store::EventStore;
use offer_lifecycle::Command;
use uuid::Uuid;

use crate::error::ServiceError;
use crate::offers::{Metadata, append_backend};

use access_code::{AccessCode, CodeChecker};

/// Issues a new access code for an offer's storage: the old code stops working at once, a lock
/// is lifted, and the link's expiry moves to `now + valid_for`. Returns the plaintext code, which
/// the caller sends by SMS and forgets; only its hash is recorded (`AccessCodeIssued`), naming
/// `actor` (the backend, or the help-desk user who asked).
pub async fn issue_access_code(
    store: &Arc<dyn EventStore>,
    checker: &CodeChecker,
    offer_id: &str,
    actor: &str,
    valid_for: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<AccessCode, ServiceError> {
    let code = AccessCode::generate().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let code_hash = checker
        .hash(code.clone())
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let applied = append_backend(
        store,
        offer_id,
        &Metadata::actor(actor),
        |_| {
            Ok(Some(Command::IssueAccessCode {
                code_hash: code_hash.clone(),
                expires_at: now + valid_for,
                issued_at: now,
            }))
        },
        |_, _| Uuid::new_v4(),
    )
    .await?;
    if !applied.appended {
        return Err(ServiceError::Internal(
            "a fresh access code was not recorded".into(),
        ));
    }
    Ok(code)
}
