//! Seals a signed offer as a PDF and reads sealed PDFs back.
//!
//! [`seal`] appends ONE incremental update to the offer PDF the clients
//! signed: each handwritten signature drawn as vector strokes (line width
//! from pen pressure) in its rectangle, the biometric envelopes embedded as
//! files (`/Names /EmbeddedFiles` and the catalog's `/AF`, relationship
//! `/Data`), and a signature field whose PAdES baseline signature (CMS
//! detached, SHA-256, `/SubFilter /ETSI.CAdES.detached`) covers the whole
//! file except its own `/Contents`. The original bytes stay a prefix of the
//! result, so the document hash the envelopes are bound to can always be
//! recomputed from the sealed file. [`sign_incremental`] adds a further
//! signature (the insurer's seal) the same way, leaving earlier ones valid.
//!
//! On the reading side, [`extract_signatures`] lists the signatures,
//! [`verify_cms_signature`] checks one cryptographically (no trust
//! decision), [`extract_attachments`] gets the envelopes back, and
//! [`revision_boundaries`] finds the original revision whose SHA-256 the
//! envelopes are bound to.
//!
//! [`sample`] builds the sample offer document the demo, tests and
//! benchmarks sign.
//!
//! Every input is bounded ([`Limits`]) and every failure is a typed
//! [`SealError`] or [`VerifyError`]: a broken, truncated, encrypted or
//! oversized PDF, or a page that does not exist, is reported, never a panic.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of pads,
//! envelopes' contents or the network; it takes bytes and gives bytes.

mod appearance;
mod cms_signature;
mod document;
mod error;
mod limits;
mod pdf_syntax;
pub mod sample;
mod seal;
mod signer;
mod verify;

pub use appearance::{PenPoint, PenStyle, Rect, VisibleSignature, strokes_from_pad};
pub use error::{SealError, VerifyError};
pub use limits::Limits;
pub use seal::{Attachment, SealRequest, SignatureOptions, seal, sign_incremental};
pub use signer::Signer;
pub use verify::{
    ExtractedAttachment, SignatureInfo, VerifiedSignature, extract_attachments,
    extract_attachments_with_limits, extract_signatures, extract_signatures_with_limits,
    revision_boundaries, verify_cms_signature,
};
