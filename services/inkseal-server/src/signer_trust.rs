//! Whose PDF signature counts as an agent's.
//!
//! A signature that verifies proves only that *some* key signed the file.
//! For the sealed offer to stand as the agent's, its certificate must be
//! issued by an authority the insurer trusts for agents' document signing
//! (the `acceptance.agent_signing_ca` file, one or more PEM certificates), be
//! valid at acceptance, carry the document-signing purpose (extended key
//! usage id-kp-documentSigning, RFC 9336), and name in its Common Name the
//! agent the offer belongs to, and not be named in a configured revocation
//! list (`acceptance.agent_signing_crl`). Path building, signature and
//! revocation checks are rustls-webpki's; self-issued certificates are never
//! trusted.

use std::time::{SystemTime, UNIX_EPOCH};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyUsage, OwnedCertRevocationList,
    RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy, anchor_from_trusted_cert,
};
use x509_cert::Certificate as X509;
use x509_cert::der::Decode;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::ext::pkix::ExtendedKeyUsage;

/// id-kp-documentSigning as an object identifier.
const ID_KP_DOCUMENT_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36");

/// id-kp-documentSigning (1.3.6.1.5.5.7.3.36), the OID's content octets.
pub const EKU_DOCUMENT_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24];
/// At most this many certificates a signature carries are tried as intermediates.
const MAX_INTERMEDIATES: usize = 8;
/// The same OID as rcgen writes it.
pub const EKU_DOCUMENT_SIGNING_ARCS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 36];

/// Why a signer certificate is not an agent's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Distrust {
    /// No trusted authority issued it, it expired, or it is not for signing documents.
    #[error("{0}")]
    Untrusted(String),
    /// It is a trusted agent certificate, but of someone else.
    #[error("certificate names {named:?}")]
    OtherAgent {
        /// The Common Name it carries (or an empty string).
        named: String,
    },
}

/// Loading the trust list failed.
#[derive(Debug, thiserror::Error)]
#[error("the agents' document-signing authority cannot be used: {0}")]
pub struct TrustListError(String);

/// The authorities that issue agents' document-signing certificates, and their
/// revocation lists.
#[derive(Debug)]
pub struct SignerTrust {
    anchors: Vec<TrustAnchor<'static>>,
    revoked: Vec<CertRevocationList<'static>>,
}

impl SignerTrust {
    /// From one or more PEM certificates.
    pub fn from_pem(pem: &str) -> Result<Self, TrustListError> {
        let ders = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TrustListError(e.to_string()))?;
        if ders.is_empty() {
            return Err(TrustListError("no CERTIFICATE in the file".into()));
        }
        let anchors = ders
            .iter()
            .map(|der| {
                anchor_from_trusted_cert(der)
                    .map(|a| a.to_owned())
                    .map_err(|e| TrustListError(format!("{e:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(SignerTrust {
            anchors,
            revoked: Vec::new(),
        })
    }

    /// Also refuses the certificates that these revocation lists (PEM `X509 CRL`, one or
    /// more, signed by a trusted authority) name. A certificate whose authority has no list
    /// here is not checked for revocation; an outdated list still counts.
    pub fn with_revocation_lists(mut self, pem: &str) -> Result<Self, TrustListError> {
        let ders = CertificateRevocationListDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TrustListError(e.to_string()))?;
        if ders.is_empty() {
            return Err(TrustListError("no X509 CRL in the file".into()));
        }
        for der in ders {
            let crl = OwnedCertRevocationList::from_der(&der)
                .map_err(|e| TrustListError(format!("revocation list: {e:?}")))?;
            self.revoked.push(crl.into());
        }
        Ok(self)
    }

    /// Checks that `cert_der` is a trusted document-signing certificate of
    /// `agent_id`, valid at `at`; `carried` are the other certificates the
    /// signature brought, used only as intermediates towards a trusted authority.
    pub fn check(
        &self,
        cert_der: &[u8],
        carried: &[Vec<u8>],
        agent_id: &str,
        at: SystemTime,
    ) -> Result<(), Distrust> {
        let der = CertificateDer::from(cert_der);
        let cert = EndEntityCert::try_from(&der).map_err(|e| Distrust::Untrusted(describe(&e)))?;
        let secs = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        let lists: Vec<&CertRevocationList<'static>> = self.revoked.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&lists).ok().map(|b| {
            b.with_depth(RevocationCheckDepth::EndEntity)
                .with_status_policy(UnknownStatusPolicy::Allow)
                .with_expiration_policy(ExpirationPolicy::Ignore)
                .build()
        });
        let intermediates: Vec<CertificateDer<'_>> = carried
            .iter()
            .take(MAX_INTERMEDIATES)
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        cert.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            &intermediates,
            UnixTime::since_unix_epoch(secs),
            // issuing authorities on the path may leave the purpose out; the agent's own
            // certificate must name it (checked below)
            KeyUsage::required_if_present(EKU_DOCUMENT_SIGNING),
            revocation,
            None,
        )
        .map_err(|e| Distrust::Untrusted(describe(&e)))?;
        let parsed = X509::from_der(cert_der).map_err(|e| Distrust::Untrusted(e.to_string()))?;
        let for_documents = parsed
            .tbs_certificate()
            .get_extension::<ExtendedKeyUsage>()
            .ok()
            .flatten()
            .is_some_and(|(_, eku)| eku.0.contains(&ID_KP_DOCUMENT_SIGNING));
        if !for_documents {
            return Err(Distrust::Untrusted(
                "certifikát není určen k podepisování dokumentů".into(),
            ));
        }
        let named = parsed
            .tbs_certificate()
            .subject()
            .common_name()
            .ok()
            .flatten()
            .map(String::from)
            .unwrap_or_default();
        if named != agent_id {
            return Err(Distrust::OtherAgent { named });
        }
        Ok(())
    }
}

/// webpki's error in words an operator can act on.
fn describe(e: &webpki::Error) -> String {
    match e {
        // An authority of the same name whose key did not sign it is not
        // the trusted one either.
        webpki::Error::UnknownIssuer | webpki::Error::InvalidSignatureForPublicKey => {
            "certifikát nevydala autorita, které pojišťovna pro podpisy poradců důvěřuje".into()
        }
        webpki::Error::CertExpired { .. } => "platnost certifikátu skončila".into(),
        webpki::Error::CertRevoked => "certifikát byl odvolán".into(),
        webpki::Error::CertNotValidYet { .. } => "certifikát ještě neplatí".into(),
        webpki::Error::RequiredEkuNotFoundContext(_) => {
            "certifikát není určen k podepisování dokumentů".into()
        }
        other => format!("certifikát nelze ověřit ({other:?})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::DevPki;

    fn der(pem: &str) -> Vec<u8> {
        CertificateDer::from_pem_slice(pem.as_bytes())
            .unwrap()
            .to_vec()
    }

    #[test]
    fn only_the_named_agents_certificate_from_the_trusted_authority_counts() {
        let pki = DevPki::generate(&["AGENT-7"], &[]).unwrap();
        let trust = SignerTrust::from_pem(&pki.ca.cert_pem).unwrap();
        let signer = pki.issue_agent_signer("AGENT-7").unwrap();
        let cert = der(&signer.cert_pem);
        let now = SystemTime::now();
        assert_eq!(trust.check(&cert, &[], "AGENT-7", now), Ok(()));
        assert_eq!(
            trust.check(&cert, &[], "AGENT-8", now),
            Err(Distrust::OtherAgent {
                named: "AGENT-7".into()
            })
        );
        // the agent's TLS certificate is from the same authority, but not for documents
        let tls = der(&pki.agent("AGENT-7").unwrap().cert_pem);
        assert!(matches!(
            trust.check(&tls, &[], "AGENT-7", now),
            Err(Distrust::Untrusted(why)) if why.contains("podepisování dokumentů")
        ));
        // another authority's certificate for the same name
        let elsewhere = DevPki::generate(&[], &[]).unwrap();
        let foreign = der(&elsewhere.issue_agent_signer("AGENT-7").unwrap().cert_pem);
        assert!(matches!(
            trust.check(&foreign, &[], "AGENT-7", now),
            Err(Distrust::Untrusted(why)) if why.contains("nevydala")
        ));
        assert!(matches!(
            trust.check(b"not a certificate", &[], "AGENT-7", now),
            Err(Distrust::Untrusted(_))
        ));
        // validity is judged at the time given (when the backend received the offer)
        assert!(matches!(
            trust.check(&cert, &[], "AGENT-7", UNIX_EPOCH),
            Err(Distrust::Untrusted(why)) if why.contains("ještě neplatí")
        ));
    }

    #[test]
    fn a_revoked_agent_certificate_no_longer_counts() {
        let pki = DevPki::generate(&["AGENT-7"], &[]).unwrap();
        let (old, new) = (
            pki.issue_agent_signer("AGENT-7").unwrap(),
            pki.issue_agent_signer("AGENT-7").unwrap(),
        );
        let crl = pki.revocation_list(&[&old]).unwrap();
        let trust = SignerTrust::from_pem(&pki.ca.cert_pem)
            .unwrap()
            .with_revocation_lists(&crl)
            .unwrap();
        let now = SystemTime::now();
        assert!(matches!(
            trust.check(&der(&old.cert_pem), &[], "AGENT-7", now),
            Err(Distrust::Untrusted(why)) if why.contains("odvolán")
        ));
        assert_eq!(
            trust.check(&der(&new.cert_pem), &[], "AGENT-7", now),
            Ok(())
        );
        // a list that is not a revocation list is refused with a reason
        assert!(
            SignerTrust::from_pem(&pki.ca.cert_pem)
                .unwrap()
                .with_revocation_lists(&pki.ca.cert_pem)
                .is_err()
        );
    }

    #[test]
    fn an_issuing_intermediate_the_signature_carries_links_the_agent_to_the_root() {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
            KeyPair, KeyUsagePurpose,
        };
        let ca = |cn: &str| {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name.push(DnType::CommonName, cn);
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            p
        };
        let root_key = KeyPair::generate().unwrap();
        let root_params = ca("insurer root");
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);
        let mid_key = KeyPair::generate().unwrap();
        let mid_params = ca("insurer agents' issuing CA");
        let mid = mid_params.signed_by(&mid_key, &root_issuer).unwrap();
        let mid_issuer = Issuer::new(mid_params, mid_key);
        let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, "AGENT-9");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(
            EKU_DOCUMENT_SIGNING_ARCS.to_vec(),
        )];
        let leaf = leaf
            .signed_by(&KeyPair::generate().unwrap(), &mid_issuer)
            .unwrap();

        let trust = SignerTrust::from_pem(&root.pem()).unwrap();
        let now = SystemTime::now();
        assert!(matches!(
            trust.check(leaf.der(), &[], "AGENT-9", now),
            Err(Distrust::Untrusted(_))
        ));
        assert_eq!(
            trust.check(leaf.der(), &[mid.der().to_vec()], "AGENT-9", now),
            Ok(())
        );
    }

    #[test]
    fn a_trust_list_without_certificates_is_refused() {
        assert!(SignerTrust::from_pem("").is_err());
        assert!(
            SignerTrust::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
    }
}
