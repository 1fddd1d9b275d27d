//! What an envelope is bound to: the exact document revision, the offer, the
//! signature field, the signer's role and the pad. Its canonical bytes are the
//! envelope's associated data (authenticated, not encrypted) and are repeated
//! inside the encrypted plaintext.
//!
//! # Canonical bytes, version 1 (integers big-endian)
//!
//! | size | field |
//! | ---: | --- |
//! | 4 | magic `IKBD` |
//! | 1 | version, `1` |
//! | 32 | SHA-256 of the document revision being signed |
//! | 2 + n | offer id: u16 length, UTF-8 |
//! | 2 + n | field id: u16 length, UTF-8 |
//! | 2 + n | signer role: u16 length, UTF-8 |
//! | 2 + n | pad model: u16 length, UTF-8 |
//! | 2 + n | pad serial: u16 length, UTF-8 |
//!
//! Each text is at most [`MAX_BINDING_TEXT`] bytes; offer id, field id and
//! signer role must not be empty. Nothing may follow the last field.

use crate::reader::{Reader, Truncated};

/// Longest text field of a binding, in bytes.
pub const MAX_BINDING_TEXT: usize = 256;
/// Magic that opens the canonical binding bytes.
pub const BINDING_MAGIC: [u8; 4] = *b"IKBD";
/// Current version of the binding bytes.
pub const BINDING_VERSION: u8 = 1;

/// The context a signature's biometrics belong to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Binding {
    /// SHA-256 of the exact document revision the signature is given on.
    pub document_sha256: [u8; 32],
    /// The offer's id.
    pub offer_id: String,
    /// The signature field's id within the document.
    pub field_id: String,
    /// Who signs in this field (e.g. `client`, `agent`).
    pub signer_role: String,
    /// Pad model (e.g. `STU-530`).
    pub pad_model: String,
    /// Pad serial number.
    pub pad_serial: String,
}

/// Why binding bytes could not be produced or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// The input ended early.
    #[error("binding is truncated while reading {0}")]
    Truncated(&'static str),
    /// The input does not start with `IKBD`.
    #[error("not a binding (bad magic)")]
    BadMagic,
    /// A version this crate does not know.
    #[error("unsupported binding version {0}")]
    UnsupportedVersion(u8),
    /// A text field is longer than [`MAX_BINDING_TEXT`].
    #[error("binding field {field} is {len} bytes, the limit is {max}")]
    FieldTooLong {
        /// Field name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A mandatory text field is empty.
    #[error("binding field {0} must not be empty")]
    EmptyField(&'static str),
    /// A text field is not UTF-8.
    #[error("binding field {0} is not valid UTF-8")]
    NotUtf8(&'static str),
    /// Bytes after the last field.
    #[error("{0} trailing bytes after the binding")]
    TrailingBytes(usize),
}

impl From<Truncated> for BindingError {
    fn from(t: Truncated) -> Self {
        Self::Truncated(t.0)
    }
}

impl Binding {
    fn texts(&self) -> [(&'static str, &str, bool); 5] {
        [
            ("offer_id", &self.offer_id, true),
            ("field_id", &self.field_id, true),
            ("signer_role", &self.signer_role, true),
            ("pad_model", &self.pad_model, false),
            ("pad_serial", &self.pad_serial, false),
        ]
    }

    /// Checks the length limits and mandatory fields.
    pub fn validate(&self) -> Result<(), BindingError> {
        for (field, text, mandatory) in self.texts() {
            if text.len() > MAX_BINDING_TEXT {
                return Err(BindingError::FieldTooLong {
                    field,
                    len: text.len(),
                    max: MAX_BINDING_TEXT,
                });
            }
            if mandatory && text.is_empty() {
                return Err(BindingError::EmptyField(field));
            }
        }
        Ok(())
    }

    /// The canonical bytes (see the module documentation).
    pub fn to_bytes(&self) -> Result<Vec<u8>, BindingError> {
        self.validate()?;
        let mut out =
            Vec::with_capacity(37 + self.texts().iter().map(|t| 2 + t.1.len()).sum::<usize>());
        out.extend_from_slice(&BINDING_MAGIC);
        out.push(BINDING_VERSION);
        out.extend_from_slice(&self.document_sha256);
        for (_, text, _) in self.texts() {
            // validate() bounded the length to MAX_BINDING_TEXT.
            out.extend_from_slice(&(text.len() as u16).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        Ok(out)
    }

    /// Reads canonical bytes back; the whole input must be one binding.
    pub fn from_bytes(input: &[u8]) -> Result<Self, BindingError> {
        let mut r = Reader::new(input);
        let binding = Self::read(&mut r)?;
        if r.remaining() != 0 {
            return Err(BindingError::TrailingBytes(r.remaining()));
        }
        Ok(binding)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, BindingError> {
        if r.array::<4>("binding magic")? != BINDING_MAGIC {
            return Err(BindingError::BadMagic);
        }
        let version = r.u8("binding version")?;
        if version != BINDING_VERSION {
            return Err(BindingError::UnsupportedVersion(version));
        }
        let document_sha256 = r.array::<32>("document hash")?;
        let mut text = |field: &'static str| -> Result<String, BindingError> {
            let len = r.u16(field)? as usize;
            if len > MAX_BINDING_TEXT {
                return Err(BindingError::FieldTooLong {
                    field,
                    len,
                    max: MAX_BINDING_TEXT,
                });
            }
            let bytes = r.take(len, field)?;
            String::from_utf8(bytes.to_vec()).map_err(|_| BindingError::NotUtf8(field))
        };
        let binding = Binding {
            document_sha256,
            offer_id: text("offer_id")?,
            field_id: text("field_id")?,
            signer_role: text("signer_role")?,
            pad_model: text("pad_model")?,
            pad_serial: text("pad_serial")?,
        };
        binding.validate()?;
        Ok(binding)
    }
}
