//! Typed errors of sealing, signing and verifying. Each names what was wrong
//! with the input so the edge agent and the backend can report it plainly.

/// Why a PDF could not be sealed, signed or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The input is larger than the configured limit.
    #[error("PDF is {size} bytes, the limit is {max}")]
    InputTooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The input does not start with a `%PDF-` header.
    #[error("input is not a PDF (no %PDF- header)")]
    NotPdf,
    /// The input ends before its cross-reference information (cut off).
    #[error("PDF is truncated: {0}")]
    Truncated(&'static str),
    /// The PDF could not be parsed.
    #[error("PDF is broken: {0}")]
    Broken(String),
    /// Encrypted PDFs are not supported.
    #[error("encrypted PDFs are not supported")]
    Encrypted,
    /// A page number outside the document.
    #[error("page {page} does not exist, the document has {pages} pages")]
    PageOutOfRange {
        /// Requested page (1-based).
        page: u32,
        /// Pages in the document.
        pages: u32,
    },
    /// A rectangle with no area, or not finite.
    #[error("rectangle of {0} is empty or not finite")]
    InvalidRect(String),
    /// A field or attachment name that cannot be used.
    #[error("name {name:?} is invalid: {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A form field with this name already exists.
    #[error("a field named {0:?} already exists in the document")]
    DuplicateField(String),
    /// An embedded file with this name already exists.
    #[error("an attachment named {0:?} already exists in the document")]
    DuplicateAttachment(String),
    /// A configured bound was hit.
    #[error("{what}: {value} exceeds the limit of {max}")]
    Limit {
        /// What was counted.
        what: &'static str,
        /// The value.
        value: usize,
        /// The limit.
        max: usize,
    },
    /// A required structure is missing or has the wrong type.
    #[error("PDF structure is not supported: {0}")]
    Structure(String),
    /// The signer's certificate or key is unusable.
    #[error("signer is invalid: {0}")]
    Signer(String),
    /// Building or signing the CMS structure failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The CMS signature does not fit the reserved `/Contents` space.
    #[error("signature needs {needed} bytes, only {reserved} are reserved")]
    SignatureTooLarge {
        /// DER length of the CMS.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
}

impl From<lopdf::Error> for SealError {
    fn from(e: lopdf::Error) -> Self {
        match e {
            lopdf::Error::InvalidPassword
            | lopdf::Error::Decryption(_)
            | lopdf::Error::AlreadyEncrypted => SealError::Encrypted,
            other => SealError::Broken(other.to_string()),
        }
    }
}

/// Why a signature in a PDF does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The `/ByteRange` is malformed or does not fit the file.
    #[error("byte range {0:?} is invalid for this file")]
    ByteRange(Vec<i64>),
    /// The bytes excluded by the `/ByteRange` are not just the `/Contents` hex string.
    #[error("the gap in the byte range is not exactly the signature's /Contents")]
    Gap,
    /// The CMS structure could not be parsed or is not what PAdES needs.
    #[error("CMS signature is malformed: {0}")]
    Cms(String),
    /// An algorithm this verifier does not support.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The signer's certificate is not in the CMS.
    #[error("signer certificate is missing from the signature")]
    NoSignerCertificate,
    /// The signed bytes were changed after signing.
    #[error(
        "document digest does not match the signed message digest (the signed bytes were changed)"
    )]
    DigestMismatch,
    /// The RSA signature over the signed attributes is wrong.
    #[error("signature value does not verify with the signer certificate")]
    BadSignature,
}
