//! Sealing and opening envelopes: what the escrow authority can and cannot
//! get back, and what tampering or misuse looks like.

mod common;

use biometric_envelope::{Envelope, EnvelopeError, EscrowPublicKey, KeyError, SysRng, open, seal};
use common::*;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

const DOC_A: [u8; 32] = [0xA1; 32];
const DOC_B: [u8; 32] = [0xB2; 32];

fn sealed_for_doc_a() -> Envelope {
    let escrow = escrow_key().public_key();
    seal(
        &signature_trace(),
        &binding_for(DOC_A),
        &escrow,
        &mut SysRng,
    )
    .expect("seal")
}

#[test]
fn escrow_authority_gets_back_the_exact_trace_and_binding() {
    let envelope = sealed_for_doc_a();
    let bytes = envelope.to_bytes();
    let parsed = Envelope::from_bytes(&bytes).expect("parse");
    assert_eq!(parsed, envelope);
    let (series, binding) = open(&parsed, escrow_key(), &DOC_A).expect("open");
    assert_eq!(series, signature_trace());
    assert_eq!(binding, binding_for(DOC_A));
}

#[test]
fn binding_is_readable_without_the_key() {
    let envelope = Envelope::from_bytes(&sealed_for_doc_a().to_bytes()).unwrap();
    assert_eq!(envelope.binding(), &binding_for(DOC_A));
    assert_eq!(envelope.key_id(), escrow_key().key_id());
}

#[test]
fn sha256_names_the_container_bytes() {
    use sha2::Digest;
    let envelope = sealed_for_doc_a();
    let expected: [u8; 32] = sha2::Sha256::digest(envelope.to_bytes()).into();
    assert_eq!(envelope.sha256(), expected);
}

#[test]
fn every_seal_uses_a_fresh_key_and_nonce() {
    assert_ne!(sealed_for_doc_a().to_bytes(), sealed_for_doc_a().to_bytes());
}

#[test]
fn another_escrow_key_cannot_open_it() {
    let err = open(&sealed_for_doc_a(), other_key(), &DOC_A).unwrap_err();
    assert!(matches!(err, EnvelopeError::WrongKey { .. }), "{err}");
}

#[test]
fn another_key_behind_a_forged_key_id_cannot_unwrap_it() {
    let mut bytes = sealed_for_doc_a().to_bytes();
    bytes[7..39].copy_from_slice(other_key().key_id());
    let forged = Envelope::from_bytes(&bytes).unwrap();
    let err = open(&forged, other_key(), &DOC_A).unwrap_err();
    assert_eq!(err, EnvelopeError::KeyUnwrap);
}

#[test]
fn a_flipped_ciphertext_byte_is_detected() {
    let mut bytes = sealed_for_doc_a().to_bytes();
    let last = bytes.len() - 40;
    bytes[last] ^= 0x01;
    let err = open(&Envelope::from_bytes(&bytes).unwrap(), escrow_key(), &DOC_A).unwrap_err();
    assert_eq!(err, EnvelopeError::Tampered);
}

#[test]
fn a_flipped_binding_byte_is_detected() {
    let envelope = sealed_for_doc_a();
    let mut bytes = envelope.to_bytes();
    // Change one letter of the field id inside the readable binding.
    let needle = b"client_signature";
    let pos = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    bytes[pos] = b'C';
    let tampered = Envelope::from_bytes(&bytes).unwrap();
    assert_eq!(tampered.binding().field_id, "Client_signature");
    let err = open(&tampered, escrow_key(), &DOC_A).unwrap_err();
    assert_eq!(err, EnvelopeError::Tampered);
}

#[test]
fn a_binding_moved_to_another_document_is_detected() {
    let mut bytes = sealed_for_doc_a().to_bytes();
    let pos = bytes.windows(32).position(|w| w == DOC_A).unwrap();
    bytes[pos..pos + 32].copy_from_slice(&DOC_B);
    let moved = Envelope::from_bytes(&bytes).unwrap();
    assert_eq!(
        open(&moved, escrow_key(), &DOC_B).unwrap_err(),
        EnvelopeError::Tampered
    );
}

#[test]
fn an_envelope_for_document_a_does_not_open_for_document_b() {
    let err = open(&sealed_for_doc_a(), escrow_key(), &DOC_B).unwrap_err();
    match &err {
        EnvelopeError::DocumentMismatch { expected, bound } => {
            assert_eq!(expected, &hex::encode(DOC_B));
            assert_eq!(bound, &hex::encode(DOC_A));
        }
        other => panic!("expected a binding error, got {other}"),
    }
    assert!(err.to_string().contains("bound to document"));
}

#[test]
fn ciphertext_does_not_contain_the_plaintext_samples() {
    let bytes = sealed_for_doc_a().to_bytes();
    let plain = signature_trace().encode().unwrap();
    // Any 16-byte window of the encoded samples (past the header).
    for window in plain[27..].chunks(16).filter(|c| c.len() == 16) {
        assert!(
            !bytes.windows(16).any(|w| w == window),
            "plaintext sample bytes leaked"
        );
    }
    assert!(
        !bytes.windows(4).any(|w| w == b"IKTS"),
        "time-series magic visible"
    );
}

#[test]
fn debug_output_never_shows_samples() {
    let series = signature_trace();
    let text = format!("{series:?}");
    assert!(text.contains("240 samples"), "{text}");
    assert!(!text.contains("pressure: 3"), "{text}");
    let text = format!("{:?}", sealed_for_doc_a());
    assert!(text.contains("ciphertext_len"), "{text}");
}

#[test]
fn a_trace_over_the_sample_limit_is_refused_before_encryption() {
    let mut series = signature_trace();
    let last = *series.samples.last().unwrap();
    series
        .samples
        .resize(biometric_envelope::MAX_SAMPLES + 1, last);
    let err = seal(
        &series,
        &binding_for(DOC_A),
        &escrow_key().public_key(),
        &mut SysRng,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("exceed the limit of 100000"),
        "{err}"
    );
}

#[test]
fn an_empty_offer_id_is_refused() {
    let mut binding = binding_for(DOC_A);
    binding.offer_id.clear();
    let err = seal(
        &signature_trace(),
        &binding,
        &escrow_key().public_key(),
        &mut SysRng,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("offer_id must not be empty"),
        "{err}"
    );
}

#[test]
fn escrow_public_key_loads_from_spki_pem_and_from_a_certificate() {
    let private = escrow_key();
    let spki_pem = private
        .rsa()
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let from_spki = EscrowPublicKey::from_pem(&spki_pem).unwrap();
    assert_eq!(from_spki.key_id(), private.key_id());

    let pkcs8 = private.rsa().to_pkcs8_pem(LineEnding::LF).unwrap();
    let key_pair = rcgen::KeyPair::from_pem_and_sign_algo(&pkcs8, &rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["escrow.inkseal.test".to_owned()])
        .unwrap()
        .self_signed(&key_pair)
        .unwrap();
    let from_cert = EscrowPublicKey::from_pem(&cert.pem()).unwrap();
    assert_eq!(from_cert.key_id(), private.key_id());

    let reloaded = biometric_envelope::EscrowPrivateKey::from_pkcs8_pem(&pkcs8).unwrap();
    assert_eq!(reloaded.key_id(), private.key_id());
    let (series, _) = open(&sealed_for_doc_a(), &reloaded, &DOC_A).unwrap();
    assert_eq!(series.samples.len(), 240);
}

#[test]
fn a_private_key_pem_is_not_a_public_key() {
    let pkcs8 = escrow_key().rsa().to_pkcs8_pem(LineEnding::LF).unwrap();
    assert_eq!(
        EscrowPublicKey::from_pem(&pkcs8).unwrap_err(),
        KeyError::UnexpectedLabel("PRIVATE KEY".into())
    );
    assert!(matches!(
        EscrowPublicKey::from_pem("not a pem"),
        Err(KeyError::Pem(_))
    ));
}

#[test]
fn a_small_rsa_key_is_refused() {
    let small = rsa::PrivateKey::new(&mut SysRng, 1024).unwrap();
    assert_eq!(
        biometric_envelope::EscrowPrivateKey::new(small).unwrap_err(),
        KeyError::KeySize(1024)
    );
}
