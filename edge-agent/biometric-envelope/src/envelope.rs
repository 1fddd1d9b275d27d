//! The sealed envelope: one signature's time series, encrypted at once for the
//! escrow authority and bound to one document revision, field and signer.
//!
//! # Construction
//!
//! 1. A fresh 256-bit AES key and a 96-bit nonce come from the caller's
//!    cryptographic RNG.
//! 2. The plaintext is `u16 length ‖ binding bytes ‖ encoded time series`
//!    (see [`crate::binding`] and [`crate::time_series`]); it lives only in a
//!    buffer that is wiped when sealing ends, and is never logged or written.
//! 3. AES-256-GCM encrypts it with associated data = the container header up
//!    to and including the key id (bytes 0..39 below) ‖ binding bytes. So the
//!    binding, the algorithms and the key id are authenticated though readable.
//! 4. The AES key is wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256, empty
//!    label) under the escrow public key.
//!
//! # Container, version 1 (integers big-endian)
//!
//! | offset | size | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `IKBE` |
//! | 4 | 1 | container version, `1` |
//! | 5 | 1 | key wrap: `1` = RSA-OAEP-SHA256 |
//! | 6 | 1 | content encryption: `1` = AES-256-GCM (12-byte nonce, 16-byte tag) |
//! | 7 | 32 | key id: SHA-256 of the escrow public key's SubjectPublicKeyInfo DER |
//! | 39 | 2 | wrapped key length `k` (at most [`MAX_WRAPPED_KEY`]) |
//! | 41 | `k` | wrapped AES key |
//! | | 12 | nonce |
//! | | 2 | binding length `a` (at most [`MAX_AAD`]) |
//! | | `a` | binding bytes (readable without the key) |
//! | | 4 | ciphertext length `c` (at most [`MAX_CIPHERTEXT`]) |
//! | | `c` | ciphertext followed by the GCM tag |
//!
//! Nothing may follow the ciphertext.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::binding::{Binding, BindingError};
use crate::keys::{EscrowPrivateKey, EscrowPublicKey, KeyId};
use crate::reader::{Reader, Truncated};
use crate::time_series::{MAX_SAMPLES, TimeSeries, TimeSeriesError};

/// Magic that opens an envelope.
pub const ENVELOPE_MAGIC: [u8; 4] = *b"IKBE";
/// Current container version.
pub const ENVELOPE_VERSION: u8 = 1;
/// Key wrap algorithm id: RSA-OAEP with SHA-256 and MGF1-SHA-256.
pub const KEY_WRAP_RSA_OAEP_SHA256: u8 = 1;
/// Content encryption algorithm id: AES-256-GCM.
pub const CONTENT_AES_256_GCM: u8 = 1;
/// Largest wrapped key accepted (an 8192-bit RSA modulus).
pub const MAX_WRAPPED_KEY: usize = 1024;
/// Largest binding accepted in an envelope.
pub const MAX_AAD: usize = 2048;
/// Largest ciphertext accepted: the largest plaintext (length prefix, binding,
/// a time series of [`MAX_SAMPLES`]) plus the tag, rounded up.
pub const MAX_CIPHERTEXT: usize = 2 + MAX_AAD + 27 + MAX_SAMPLES * 11 + TAG_LEN + 1024;

const HEADER_AD_LEN: usize = 39;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why sealing, parsing or opening an envelope failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The input ended early.
    #[error("envelope is truncated while reading {0}")]
    Truncated(&'static str),
    /// The input does not start with `IKBE`.
    #[error("not a biometric envelope (bad magic)")]
    BadMagic,
    /// A container version this crate does not know.
    #[error("unsupported envelope version {0}")]
    UnsupportedVersion(u8),
    /// An algorithm id this crate does not know.
    #[error("unsupported envelope algorithms: key wrap {key_wrap}, content {content}")]
    UnsupportedAlgorithm {
        /// Key wrap id as read.
        key_wrap: u8,
        /// Content encryption id as read.
        content: u8,
    },
    /// A length field above its bound.
    #[error("envelope {field} is {len} bytes, the limit is {max}")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its declared length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Bytes after the ciphertext.
    #[error("{0} trailing bytes after the envelope")]
    TrailingBytes(usize),
    /// The binding is invalid.
    #[error("envelope binding: {0}")]
    Binding(#[from] BindingError),
    /// The time series is invalid (when sealing) or the decrypted plaintext
    /// does not hold a valid one (when opening).
    #[error("time series: {0}")]
    TimeSeries(#[from] TimeSeriesError),
    /// The random number generator failed.
    #[error("random number generator failed")]
    Rng,
    /// RSA-OAEP refused to wrap the key.
    #[error("wrapping the content key failed: {0}")]
    KeyWrap(String),
    /// The envelope was sealed for another escrow key.
    #[error("envelope is sealed for escrow key {envelope_key_id}, the given key is {given_key_id}")]
    WrongKey {
        /// Key id in the envelope (hex).
        envelope_key_id: String,
        /// Key id of the key given (hex).
        given_key_id: String,
    },
    /// The wrapped key did not decrypt: tampered, or a key with a forged id.
    #[error("content key could not be unwrapped (wrong escrow key or tampered envelope)")]
    KeyUnwrap,
    /// GCM authentication failed: ciphertext, nonce, header or binding changed.
    #[error("envelope failed authentication (tampered ciphertext, nonce, header or binding)")]
    Tampered,
    /// Authentic envelope, but bound to another document.
    #[error("envelope is bound to document {bound}, not to {expected}")]
    DocumentMismatch {
        /// SHA-256 the caller expected (hex).
        expected: String,
        /// SHA-256 in the binding (hex).
        bound: String,
    },
    /// The binding inside the plaintext differs from the readable one.
    #[error("binding inside the encrypted data differs from the envelope's binding")]
    InnerBindingMismatch,
    /// The decrypted plaintext is not laid out as expected.
    #[error("decrypted plaintext is malformed: {0}")]
    Plaintext(&'static str),
}

impl From<Truncated> for EnvelopeError {
    fn from(t: Truncated) -> Self {
        Self::Truncated(t.0)
    }
}

/// A sealed biometric envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    key_id: KeyId,
    wrapped_key: Vec<u8>,
    nonce: [u8; NONCE_LEN],
    binding: Binding,
    binding_bytes: Vec<u8>,
    ciphertext: Vec<u8>,
}

fn header_ad(key_id: &KeyId, binding_bytes: &[u8]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(HEADER_AD_LEN + binding_bytes.len());
    ad.extend_from_slice(&ENVELOPE_MAGIC);
    ad.push(ENVELOPE_VERSION);
    ad.push(KEY_WRAP_RSA_OAEP_SHA256);
    ad.push(CONTENT_AES_256_GCM);
    ad.extend_from_slice(key_id);
    ad.extend_from_slice(binding_bytes);
    ad
}

/// Encrypts `series` for the escrow authority, bound by `binding`.
///
/// The plaintext exists only inside this call, in a buffer wiped before it
/// returns. `rng` must be a cryptographic RNG (e.g. `getrandom::SysRng`).
pub fn seal<R>(
    series: &TimeSeries,
    binding: &Binding,
    escrow_key: &EscrowPublicKey,
    rng: &mut R,
) -> Result<Envelope, EnvelopeError>
where
    R: rand_core::TryCryptoRng + ?Sized,
{
    let binding_bytes = binding.to_bytes()?;
    if binding_bytes.len() > MAX_AAD {
        return Err(EnvelopeError::TooLong {
            field: "binding",
            len: binding_bytes.len(),
            max: MAX_AAD,
        });
    }
    // Reserve the tag too, so encryption in place never reallocates and
    // leaves a stray plaintext copy behind.
    let capacity = 2 + binding_bytes.len() + series.encoded_len() + TAG_LEN;
    let mut buffer = Zeroizing::new(Vec::with_capacity(capacity));
    // MAX_AAD fits a u16.
    buffer.extend_from_slice(&(binding_bytes.len() as u16).to_be_bytes());
    buffer.extend_from_slice(&binding_bytes);
    series.encode_into(&mut buffer)?;

    let mut content_key = Zeroizing::new([0u8; 32]);
    rng.try_fill_bytes(content_key.as_mut())
        .map_err(|_| EnvelopeError::Rng)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.try_fill_bytes(&mut nonce)
        .map_err(|_| EnvelopeError::Rng)?;

    let key_id = *escrow_key.key_id();
    let ad = header_ad(&key_id, &binding_bytes);
    let cipher = Aes256Gcm::new(&(*content_key).into());
    cipher
        .encrypt_in_place(&Nonce::from(nonce), &ad, &mut *buffer)
        .map_err(|_| EnvelopeError::Plaintext("time series too large to encrypt"))?;
    let ciphertext = buffer.to_vec();

    let wrapped_key = escrow_key
        .rsa()
        .oaep_encrypt_with_rng::<Sha256, _>(rng, content_key.as_ref())
        .map_err(|e| EnvelopeError::KeyWrap(e.to_string()))?;
    if wrapped_key.len() > MAX_WRAPPED_KEY {
        return Err(EnvelopeError::TooLong {
            field: "wrapped key",
            len: wrapped_key.len(),
            max: MAX_WRAPPED_KEY,
        });
    }
    Ok(Envelope {
        key_id,
        wrapped_key,
        nonce,
        binding: binding.clone(),
        binding_bytes,
        ciphertext,
    })
}

/// Decrypts an envelope with the escrow private key and checks that it is
/// bound to the document whose SHA-256 is `expected_document_sha256`.
///
/// Fails with [`EnvelopeError::WrongKey`] for another escrow key,
/// [`EnvelopeError::Tampered`] or [`EnvelopeError::KeyUnwrap`] when any byte
/// changed, and [`EnvelopeError::DocumentMismatch`] when the envelope is
/// authentic but belongs to another document.
pub fn open(
    envelope: &Envelope,
    private_key: &EscrowPrivateKey,
    expected_document_sha256: &[u8; 32],
) -> Result<(TimeSeries, Binding), EnvelopeError> {
    if envelope.key_id != *private_key.key_id() {
        return Err(EnvelopeError::WrongKey {
            envelope_key_id: hex::encode(envelope.key_id),
            given_key_id: hex::encode(private_key.key_id()),
        });
    }
    let content_key = Zeroizing::new(
        private_key
            .rsa()
            .oaep_decrypt::<Sha256>(&envelope.wrapped_key)
            .map_err(|_| EnvelopeError::KeyUnwrap)?,
    );
    let key: [u8; 32] = content_key
        .as_slice()
        .try_into()
        .map_err(|_| EnvelopeError::KeyUnwrap)?;
    let key = Zeroizing::new(key);

    let ad = header_ad(&envelope.key_id, &envelope.binding_bytes);
    let mut buffer = Zeroizing::new(envelope.ciphertext.clone());
    Aes256Gcm::new(&(*key).into())
        .decrypt_in_place(&Nonce::from(envelope.nonce), &ad, &mut *buffer)
        .map_err(|_| EnvelopeError::Tampered)?;

    if envelope.binding.document_sha256 != *expected_document_sha256 {
        return Err(EnvelopeError::DocumentMismatch {
            expected: hex::encode(expected_document_sha256),
            bound: hex::encode(envelope.binding.document_sha256),
        });
    }

    let mut r = Reader::new(&buffer);
    let inner_len = r
        .u16("inner binding length")
        .map_err(|_| EnvelopeError::Plaintext("no binding"))? as usize;
    let inner = r
        .take(inner_len, "inner binding")
        .map_err(|_| EnvelopeError::Plaintext("binding truncated"))?;
    if inner != envelope.binding_bytes.as_slice() {
        return Err(EnvelopeError::InnerBindingMismatch);
    }
    let series_bytes = r.take(r.remaining(), "time series")?;
    let series = TimeSeries::decode(series_bytes)?;
    Ok((series, envelope.binding.clone()))
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("key_id", &hex::encode(self.key_id))
            .field("binding", &self.binding)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

impl Envelope {
    /// The binding, readable without any key (it is authenticated data).
    pub fn binding(&self) -> &Binding {
        &self.binding
    }

    /// Id of the escrow key the envelope is sealed for.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// Length of the encrypted payload (ciphertext and tag) in bytes.
    pub fn ciphertext_len(&self) -> usize {
        self.ciphertext.len()
    }

    /// The container bytes (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            HEADER_AD_LEN
                + 2
                + self.wrapped_key.len()
                + NONCE_LEN
                + 2
                + self.binding_bytes.len()
                + 4
                + self.ciphertext.len(),
        );
        out.extend_from_slice(&ENVELOPE_MAGIC);
        out.push(ENVELOPE_VERSION);
        out.push(KEY_WRAP_RSA_OAEP_SHA256);
        out.push(CONTENT_AES_256_GCM);
        out.extend_from_slice(&self.key_id);
        // Lengths were bounded when the envelope was sealed or parsed.
        out.extend_from_slice(&(self.wrapped_key.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.wrapped_key);
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&(self.binding_bytes.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.binding_bytes);
        out.extend_from_slice(&(self.ciphertext.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// SHA-256 of [`to_bytes`](Self::to_bytes): how events and the sealed PDF
    /// refer to this envelope.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }

    /// Parses container bytes. Checks structure and bounds only; authenticity
    /// is checked by [`open`].
    pub fn from_bytes(input: &[u8]) -> Result<Self, EnvelopeError> {
        let mut r = Reader::new(input);
        if r.array::<4>("magic")? != ENVELOPE_MAGIC {
            return Err(EnvelopeError::BadMagic);
        }
        let version = r.u8("version")?;
        if version != ENVELOPE_VERSION {
            return Err(EnvelopeError::UnsupportedVersion(version));
        }
        let key_wrap = r.u8("key wrap algorithm")?;
        let content = r.u8("content algorithm")?;
        if key_wrap != KEY_WRAP_RSA_OAEP_SHA256 || content != CONTENT_AES_256_GCM {
            return Err(EnvelopeError::UnsupportedAlgorithm { key_wrap, content });
        }
        let key_id = r.array::<32>("key id")?;
        let wrapped_len = r.u16("wrapped key length")? as usize;
        if wrapped_len > MAX_WRAPPED_KEY {
            return Err(EnvelopeError::TooLong {
                field: "wrapped key",
                len: wrapped_len,
                max: MAX_WRAPPED_KEY,
            });
        }
        let wrapped_key = r.take(wrapped_len, "wrapped key")?.to_vec();
        let nonce = r.array::<NONCE_LEN>("nonce")?;
        let aad_len = r.u16("binding length")? as usize;
        if aad_len > MAX_AAD {
            return Err(EnvelopeError::TooLong {
                field: "binding",
                len: aad_len,
                max: MAX_AAD,
            });
        }
        let binding_bytes = r.take(aad_len, "binding")?.to_vec();
        let binding = Binding::from_bytes(&binding_bytes)?;
        let ct_len = r.u32("ciphertext length")? as usize;
        if ct_len > MAX_CIPHERTEXT {
            return Err(EnvelopeError::TooLong {
                field: "ciphertext",
                len: ct_len,
                max: MAX_CIPHERTEXT,
            });
        }
        if ct_len < TAG_LEN {
            return Err(EnvelopeError::Truncated("ciphertext tag"));
        }
        let ciphertext = r.take(ct_len, "ciphertext")?.to_vec();
        if r.remaining() != 0 {
            return Err(EnvelopeError::TrailingBytes(r.remaining()));
        }
        Ok(Envelope {
            key_id,
            wrapped_key,
            nonce,
            binding,
            binding_bytes,
            ciphertext,
        })
    }
}
