//! The inkseal backend: one binary, every role.
//!
//! `inkseal-server serve` runs all roles in one process on the embedded
//! defaults (SQLite event store and read model, a local documents folder);
//! `--roles ingest,acceptance,…` runs some of them, so several processes can
//! share one PostgreSQL database.
//!
//! | module | role |
//! | --- | --- |
//! | [`config`] | the one typed configuration (TOML file + `INKSEAL_*`), `--print-config` |
//! | [`roles`] | the roles a process can run |
//! | [`pki`], [`tls`] | development certificates; mutual TLS and the caller's identity |
//! | [`mapping`] | proto events ⇄ lifecycle commands, statuses and summaries |
//! | [`offers`] | reading an offer's stream, appending decided events |
//! | [`documents`] | content-addressed document storage (`object_store`) |
//! | [`ingest`] | the EdgeSync gRPC service |
//! | [`acceptance`] | acceptance checks, the insurer's seal, the worker |
//! | [`signer_trust`] | whose PDF signature counts as the agent's |
//! | [`work_queue`] | claiming acceptance work with row locks |
//! | [`read_model`], [`projections`] | the read model and the subscription that feeds it |
//! | [`help_desk`] | the HelpDesk gRPC service |
//! | [`storage`] | the client's storage: publication, access codes, the storage site |
//! | [`notify`] | the next morning's e-mail and SMS: schedule, transports, outbox, sender |
//! | [`metrics`] | `/metrics` and `/healthz` |
//! | [`shutdown`] | graceful shutdown |
//! | [`failpoint`] | crash points the crash tests stop the binary at |
//! | [`server`] | putting the roles together |
//!
//! Architecture invariant: the backend never decrypts a biometric envelope (it
//! has no escrow key); it reads only the envelopes' public binding.

pub mod acceptance;
pub mod config;
pub mod documents;
pub mod error;
pub mod failpoint;
pub mod help_desk;
pub mod ingest;
pub mod mapping;
pub mod metrics;
pub mod notify;
pub mod offers;
pub mod pki;
pub mod projections;
pub mod read_model;
pub mod roles;
pub mod server;
pub mod shutdown;
pub mod signer_trust;
pub mod storage;
pub mod tls;
pub mod work_queue;
