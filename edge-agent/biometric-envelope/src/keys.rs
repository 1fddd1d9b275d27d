//! The escrow authority's keys: its public key (from an SPKI or X.509
//! certificate PEM), used by everyone who seals envelopes, and its private key
//! (PKCS#8 PEM), used only by the escrow tool to open them.
//!
//! A key is named by its key id: the SHA-256 of the public key's
//! SubjectPublicKeyInfo DER. An envelope carries the id of the key it was
//! sealed for, so a wrong key is reported as such before any decryption.

use der::{Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

/// Smallest RSA modulus accepted for the escrow key, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted for the escrow key, in bits.
pub const MAX_RSA_BITS: usize = 8192;

/// Why a key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not PEM, or PEM with a label this crate does not read.
    #[error("key PEM is invalid: {0}")]
    Pem(String),
    /// The PEM label is neither `PUBLIC KEY` nor `CERTIFICATE` (public) or
    /// `PRIVATE KEY` (private).
    #[error("unexpected PEM label {0:?}")]
    UnexpectedLabel(String),
    /// The DER inside is not an RSA key of the expected kind.
    #[error("not an RSA key: {0}")]
    NotRsa(String),
    /// The certificate could not be parsed.
    #[error("certificate is invalid: {0}")]
    Certificate(String),
    /// Modulus below [`MIN_RSA_BITS`] or above [`MAX_RSA_BITS`].
    #[error("RSA key has {0} bits, accepted are {MIN_RSA_BITS} to {MAX_RSA_BITS}")]
    KeySize(usize),
}

/// SHA-256 of a SubjectPublicKeyInfo DER: how envelopes name their key.
pub type KeyId = [u8; 32];

fn check_size(key: &rsa::PublicKey) -> Result<(), KeyError> {
    let bits = key.size() * 8;
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(KeyError::KeySize(bits));
    }
    Ok(())
}

fn key_id_of(key: &rsa::PublicKey) -> Result<KeyId, KeyError> {
    let der = key
        .to_public_key_der()
        .map_err(|e| KeyError::NotRsa(e.to_string()))?;
    Ok(Sha256::digest(der.as_bytes()).into())
}

/// The escrow authority's public key, ready to seal envelopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscrowPublicKey {
    key: rsa::PublicKey,
    key_id: KeyId,
}

impl EscrowPublicKey {
    /// Wraps an RSA public key.
    pub fn new(key: rsa::PublicKey) -> Result<Self, KeyError> {
        check_size(&key)?;
        let key_id = key_id_of(&key)?;
        Ok(Self { key, key_id })
    }

    /// Reads a SubjectPublicKeyInfo DER.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = rsa::PublicKey::from_public_key_der(der)
            .map_err(|e| KeyError::NotRsa(e.to_string()))?;
        Self::new(key)
    }

    /// Reads an X.509 certificate DER and takes its subject public key.
    pub fn from_certificate_der(der: &[u8]) -> Result<Self, KeyError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        Self::from_spki_der(&spki)
    }

    /// Reads a PEM holding either a `PUBLIC KEY` (SPKI) or a `CERTIFICATE`.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, doc) =
            der::Document::from_pem(pem).map_err(|e| KeyError::Pem(e.to_string()))?;
        match label {
            "PUBLIC KEY" => Self::from_spki_der(doc.as_bytes()),
            "CERTIFICATE" => Self::from_certificate_der(doc.as_bytes()),
            other => Err(KeyError::UnexpectedLabel(other.to_owned())),
        }
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The RSA key.
    pub fn rsa(&self) -> &rsa::PublicKey {
        &self.key
    }
}

/// The escrow authority's private key. Only the escrow tool holds it.
#[derive(Clone)]
pub struct EscrowPrivateKey {
    key: rsa::PrivateKey,
    key_id: KeyId,
}

/// Never prints key material.
impl std::fmt::Debug for EscrowPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EscrowPrivateKey")
            .field("key_id", &hex::encode(self.key_id))
            .finish_non_exhaustive()
    }
}

impl EscrowPrivateKey {
    /// Wraps an RSA private key.
    pub fn new(key: rsa::PrivateKey) -> Result<Self, KeyError> {
        check_size(key.as_public_key())?;
        let key_id = key_id_of(key.as_public_key())?;
        Ok(Self { key, key_id })
    }

    /// Reads an unencrypted PKCS#8 `PRIVATE KEY` PEM.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let key =
            rsa::PrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::NotRsa(e.to_string()))?;
        Self::new(key)
    }

    /// Reads an unencrypted PKCS#8 DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let key =
            rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| KeyError::NotRsa(e.to_string()))?;
        Self::new(key)
    }

    /// The matching public key.
    pub fn public_key(&self) -> EscrowPublicKey {
        EscrowPublicKey {
            key: self.key.to_public_key(),
            key_id: self.key_id,
        }
    }

    /// SHA-256 of the public key's SubjectPublicKeyInfo DER.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The RSA key.
    pub fn rsa(&self) -> &rsa::PrivateKey {
        &self.key
    }
}
