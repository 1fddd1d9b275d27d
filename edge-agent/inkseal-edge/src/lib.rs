//! The edge agent: what runs on the insurance agent's PC.
//!
//! The host application (SmartClient) starts the `inkseal-edge` binary to get an offer signed on
//! a Wacom STU pad, to show the offers' states, and to synchronise the outbox with the backend.
//!
//! # Map
//! - [`messages`]: the user-facing Czech texts that the seed fixes word for word.
//! - [`config`]: the typed configuration (TOML file + `INKSEAL_EDGE_*` environment variables).
//! - [`fields`]: the FIELDS.toml format — the offer, its client and its signature fields.
//! - [`pad`]: opening a pad (`auto` = first USB pad, `sim://HOST:PORT` = simulator) and its init.
//! - [`font`] and [`screen`]: the prompt screen drawn for the pad's model, and its buttons.
//! - [`capture`]: pen points → one field's time series; Vymazat / Zrušit / OK.
//! - [`quality`]: the documented, configurable check that refuses a weak signature.
//! - [`signature_image`]: a signature's pen trace as PNG (its hash goes in `FieldSigned`).
//! - [`seal`]: envelopes + visible signatures + PAdES signature, via `pdf-seal`.
//! - [`outbox`]: the durable SQLite outbox (offers, their events, the sealed PDF).
//! - [`session`]: the signing session from start to sealed offer.
//! - [`wire`]: lifecycle events → `inkseal.v1.EdgeEvent` (built once, resent byte for byte).
//! - [`sync`]: the gRPC client (mutual TLS) that sends the outbox to the backend.
//! - [`status`]: the four states the agent sees.
//! - [`error`]: the error type and its Czech user message.
//! - [`cli`]: the `inkseal-edge` command line (`devices`, `sign`, `status`, `sync`, `--json`).
//!
//! *Architecture invariants:* biometric plaintext never reaches the disk, a log or the network —
//! a field's time series is sealed in an envelope the moment OK is accepted and its memory is
//! wiped; the outbox holds only envelopes. A sealed PDF and its `OfferSealed` event are written
//! in one transaction, so a crash never leaves a half-sealed offer.

pub mod capture;
pub mod cli;
pub mod config;
pub mod error;
pub mod fields;
pub mod font;
pub mod messages;
pub mod outbox;
pub mod pad;
pub mod quality;
pub mod screen;
pub mod seal;
pub mod session;
pub mod signature_image;
pub mod status;
pub mod sync;
pub mod wire;

pub use config::Config;
pub use error::EdgeError;
pub use fields::OfferSpec;
