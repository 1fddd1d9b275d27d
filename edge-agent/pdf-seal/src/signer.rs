//! Who signs: an X.509 certificate chain and the RSA private key of its first
//! certificate. The edge agent signs with its own certificate, the backend
//! later with the insurer's seal.

use der::{Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use x509_cert::Certificate;

use crate::error::SealError;

/// A certificate chain (signer first) and the signer's RSA private key.
#[derive(Clone)]
pub struct Signer {
    chain: Vec<Certificate>,
    chain_der: Vec<Vec<u8>>,
    key: rsa::PrivateKey,
}

/// Never prints the key.
impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Builds a signer from DER certificates (signer first, then its issuers)
    /// and the signer's key; fails if the key does not match the certificate.
    pub fn new(chain_der: Vec<Vec<u8>>, key: rsa::PrivateKey) -> Result<Self, SealError> {
        if chain_der.is_empty() {
            return Err(SealError::Signer("certificate chain is empty".into()));
        }
        let chain = chain_der
            .iter()
            .map(|der| {
                Certificate::from_der(der)
                    .map_err(|e| SealError::Signer(format!("certificate: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cert_spki = chain[0]
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| SealError::Signer(e.to_string()))?;
        let key_spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| SealError::Signer(e.to_string()))?;
        if cert_spki != key_spki.as_bytes() {
            return Err(SealError::Signer(
                "private key does not match the signer certificate".into(),
            ));
        }
        Ok(Self {
            chain,
            chain_der,
            key,
        })
    }

    /// Builds a signer from a PEM certificate chain (signer first) and an
    /// unencrypted PKCS#8 `PRIVATE KEY` PEM.
    pub fn from_pem(chain_pem: &str, key_pkcs8_pem: &str) -> Result<Self, SealError> {
        let chain = Certificate::load_pem_chain(chain_pem.as_bytes())
            .map_err(|e| SealError::Signer(format!("certificate PEM: {e}")))?;
        let chain_der = chain
            .iter()
            .map(|c| c.to_der().map_err(|e| SealError::Signer(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let key = rsa::PrivateKey::from_pkcs8_pem(key_pkcs8_pem)
            .map_err(|e| SealError::Signer(format!("key PEM: {e}")))?;
        Self::new(chain_der, key)
    }

    /// A self-issued certificate for `common_name` over `key`, for tests and
    /// demos only: verifiers accept its signatures only when told to skip
    /// trust checks (e.g. `pdfsig -nocert`).
    pub fn self_issued_for_tests(
        common_name: &str,
        key: rsa::PrivateKey,
    ) -> Result<Self, SealError> {
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| SealError::Signer(e.to_string()))?;
        let key_pair = rcgen::KeyPair::from_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| SealError::Signer(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| SealError::Signer(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "inkseal test");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::ContentCommitment,
        ];
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| SealError::Signer(e.to_string()))?;
        Self::new(vec![cert.der().to_vec()], key)
    }

    /// The signer certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }

    /// The chain as DER, signer first.
    pub fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain_der
    }

    /// The signer certificate's subject, as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.chain[0].tbs_certificate().subject().to_string()
    }

    pub(crate) fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    pub(crate) fn key(&self) -> &rsa::PrivateKey {
        &self.key
    }
}
