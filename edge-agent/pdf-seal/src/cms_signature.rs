//! The PAdES baseline (B-B) CMS signature: SignedData, detached, SHA-256,
//! signed attributes content-type, message-digest and ESS
//! signing-certificate-v2, no signing-time (the time is the signature
//! dictionary's `/M`), the signer's chain included. Also the matching
//! verifier used by [`crate::verify_cms_signature`].

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use crate::error::{SealError, VerifyError};
use crate::signer::Signer;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

/// DER tag-length-value with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// ESS `SigningCertificateV2` (RFC 5035) naming the signer certificate by its
/// SHA-256 (the default hash algorithm, so omitted) and issuer/serial.
fn signing_certificate_v2(cert: &Certificate, cert_der: &[u8]) -> Result<Attribute, SealError> {
    let err = |e: der::Error| SealError::Signing(format!("signing-certificate-v2: {e}"));
    let tbs = cert.tbs_certificate();
    let issuer = tbs.issuer().to_der().map_err(err)?;
    let serial = tbs.serial_number().to_der().map_err(err)?;
    let general_names = tlv(0x30, &tlv(0xA4, &issuer)); // GeneralNames { directoryName [4] }
    let issuer_serial = tlv(0x30, &[general_names, serial].concat());
    let hash = tlv(0x04, &Sha256::digest(cert_der));
    let ess_cert_id = tlv(0x30, &[hash, issuer_serial].concat());
    let value = tlv(0x30, &tlv(0x30, &ess_cert_id)); // SigningCertificateV2 { certs SEQUENCE OF }
    let mut values = SetOfVec::new();
    values
        .insert(Any::from_der(&value).map_err(err)?)
        .map_err(err)?;
    Ok(Attribute {
        oid: ID_AA_SIGNING_CERTIFICATE_V2,
        values,
    })
}

/// Builds the DER CMS for a document whose byte-range SHA-256 is `digest`.
pub(crate) fn sign_digest(signer: &Signer, digest: &[u8; 32]) -> Result<Vec<u8>, SealError> {
    let err = |e: &dyn std::fmt::Display| SealError::Signing(e.to_string());
    let cert = signer.certificate();
    let content = EncapsulatedContentInfo {
        econtent_type: ID_DATA,
        econtent: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate().issuer().clone(),
        serial_number: cert.tbs_certificate().serial_number().clone(),
    });
    let mut signer_info =
        SignerInfoBuilder::new(sid, sha256_alg(), &content, Some(digest)).map_err(|e| err(&e))?;
    signer_info
        .add_signed_attribute(signing_certificate_v2(cert, &signer.chain_der()[0])?)
        .map_err(|e| err(&e))?;

    let signing_key = SigningKey::<Sha256>::new(signer.key().clone());
    let mut builder = SignedDataBuilder::new(&content);
    builder
        .add_digest_algorithm(sha256_alg())
        .map_err(|e| err(&e))?;
    for cert in signer.chain() {
        builder
            .add_certificate(CertificateChoices::Certificate(cert.clone()))
            .map_err(|e| err(&e))?;
    }
    builder
        .add_signer_info::<_, Signature>(signer_info, &signing_key)
        .map_err(|e| err(&e))?;
    let content_info = builder.build().map_err(|e| err(&e))?;
    content_info.to_der().map_err(|e| err(&e))
}

/// Length of the DER element at the start of `bytes` (the `/Contents` hex
/// string is zero-padded after it).
pub(crate) fn der_element_len(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7F) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let len = bytes
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, 2 + n)
    };
    let total = header.checked_add(len)?;
    (total <= bytes.len()).then_some(total)
}

/// Checks a detached CMS signature against the SHA-256 of the signed bytes:
/// the message-digest attribute must equal `digest`, the content-type must be
/// id-data, and the RSA PKCS#1 v1.5 signature over the signed attributes must
/// verify with the certificate the signer identifier names. Returns that
/// certificate, and the other certificates the message carries (unverified:
/// candidates for the chain to a trusted authority).
pub(crate) fn verify_digest(
    cms_der: &[u8],
    digest: &[u8; 32],
) -> Result<(Certificate, Vec<Certificate>), VerifyError> {
    let cms_err = |e: &dyn std::fmt::Display| VerifyError::Cms(e.to_string());
    let content_info = ContentInfo::from_der(cms_der).map_err(|e| cms_err(&e))?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(VerifyError::Cms(format!(
            "content type {} is not signed-data",
            content_info.content_type
        )));
    }
    let signed_data: SignedData = content_info.content.decode_as().map_err(|e| cms_err(&e))?;
    if signed_data.encap_content_info.econtent.is_some() {
        return Err(VerifyError::Cms("signature is not detached".into()));
    }
    let mut signer_infos = signed_data.signer_infos.0.iter();
    let (Some(signer_info), None) = (signer_infos.next(), signer_infos.next()) else {
        return Err(VerifyError::Cms("expected exactly one signer".into()));
    };
    if signer_info.digest_alg.oid != ID_SHA256 {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "digest {}",
            signer_info.digest_alg.oid
        )));
    }
    let sig_alg = signer_info.signature_algorithm.oid;
    if sig_alg != RSA_ENCRYPTION && sig_alg != SHA256_WITH_RSA {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "signature {sig_alg}"
        )));
    }
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| VerifyError::Cms("no signed attributes".into()))?;
    let single_value = |oid: ObjectIdentifier| -> Result<&Any, VerifyError> {
        let attr = attrs
            .iter()
            .find(|a| a.oid == oid)
            .ok_or_else(|| VerifyError::Cms(format!("signed attribute {oid} is missing")))?;
        match (attr.values.len(), attr.values.get(0)) {
            (1, Some(value)) => Ok(value),
            _ => Err(VerifyError::Cms(format!(
                "signed attribute {oid} must have one value"
            ))),
        }
    };
    let content_type: ObjectIdentifier = single_value(ID_CONTENT_TYPE)?
        .decode_as()
        .map_err(|e| cms_err(&e))?;
    if content_type != ID_DATA {
        return Err(VerifyError::Cms(
            "content-type attribute is not id-data".into(),
        ));
    }
    let message_digest: OctetString = single_value(ID_MESSAGE_DIGEST)?
        .decode_as()
        .map_err(|e| cms_err(&e))?;
    if message_digest.as_bytes() != digest {
        return Err(VerifyError::DigestMismatch);
    }

    let SignerIdentifier::IssuerAndSerialNumber(ias) = &signer_info.sid else {
        return Err(VerifyError::Cms(
            "signer identified by key id is not supported".into(),
        ));
    };
    let carried: Vec<&Certificate> = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let is_signer = |c: &Certificate| {
        c.tbs_certificate().issuer() == &ias.issuer
            && c.tbs_certificate().serial_number() == &ias.serial_number
    };
    let cert = carried
        .iter()
        .find(|c| is_signer(c))
        .map(|c| (*c).clone())
        .ok_or(VerifyError::NoSignerCertificate)?;
    let others: Vec<Certificate> = carried
        .into_iter()
        .filter(|c| !is_signer(c))
        .cloned()
        .collect();
    let spki_der = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| cms_err(&e))?;
    let public_key = rsa::PublicKey::from_public_key_der(&spki_der)
        .map_err(|e| VerifyError::UnsupportedAlgorithm(format!("signer key: {e}")))?;
    let signed_attrs_der = attrs.to_der().map_err(|e| cms_err(&e))?;
    let signature = Signature::try_from(signer_info.signature.as_bytes())
        .map_err(|_| VerifyError::BadSignature)?;
    VerifyingKey::<Sha256>::new(public_key)
        .verify(&signed_attrs_der, &signature)
        .map_err(|_| VerifyError::BadSignature)?;
    Ok((cert, others))
}
