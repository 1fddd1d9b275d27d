//! Encrypted, document-bound envelopes for handwritten-signature biometrics.
//!
//! A signature captured on a pad is a [`TimeSeries`] (x, y, pressure, time,
//! pen up/down, with the pad's ranges and resolution). The moment it is
//! complete it is [`seal`]ed for the escrow authority: AES-256-GCM under a
//! fresh key, that key wrapped with RSA-OAEP-SHA256 under the escrow public
//! key, and a [`Binding`] (document SHA-256, offer, field, signer role, pad
//! model and serial) in the authenticated data and inside the plaintext. Only
//! the escrow private key can [`open`] it, and opening fails unless the
//! caller names the document the envelope is bound to.
//!
//! The byte formats are versioned and documented in their modules:
//! [`time_series`] (the "19794-7-like" series), [`binding`] (the
//! associated data) and [`envelope`] (the container).
//!
//! Architecture invariant: this crate does no I/O. Plaintext biometrics are
//! never written, printed or logged by it: [`TimeSeries`] wipes its memory on
//! drop and its `Debug` shows only counts; every plaintext buffer is a
//! zeroizing one.
//!
//! ```no_run
//! use biometric_envelope::{Binding, EscrowPublicKey, TimeSeries, seal};
//! # fn demo(series: TimeSeries, binding: Binding, pem: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let escrow = EscrowPublicKey::from_pem(pem)?;
//! let envelope = seal(&series, &binding, &escrow, &mut biometric_envelope::SysRng)?;
//! let bytes = envelope.to_bytes(); // embed in the PDF, reference by envelope.sha256()
//! # let _ = bytes; Ok(()) }
//! ```

pub mod binding;
pub mod envelope;
pub mod keys;
mod reader;
pub mod sample;
pub mod time_series;

pub use binding::{Binding, BindingError};
pub use envelope::{Envelope, EnvelopeError, open, seal};
/// The operating system's cryptographic RNG, the usual `rng` for [`seal`].
pub use getrandom::SysRng;
pub use keys::{EscrowPrivateKey, EscrowPublicKey, KeyError, KeyId};
/// The RNG traits [`seal`] takes (`rand_core` 0.10, as used by `rsa`).
pub use rand_core;
pub use time_series::{ChannelInfo, MAX_SAMPLES, Sample, TimeSeries, TimeSeriesError};
