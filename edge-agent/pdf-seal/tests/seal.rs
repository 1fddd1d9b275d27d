//! Sealing an offer: the result passes independent verifiers (qpdf, poppler's
//! pdfsig), keeps the original bytes, carries the envelopes, and any change
//! after signing is detected.

mod common;

use common::*;
use pdf_seal::{
    SealError, SignatureOptions, VerifyError, extract_attachments, extract_signatures,
    revision_boundaries, seal, sign_incremental, verify_cms_signature,
};

#[test]
fn sealed_offer_passes_qpdf_and_pdfsig() {
    let original = offer_pdf(3, false);
    let sealed = seal(&seal_request(original.clone(), 3), edge_signer()).unwrap();

    assert!(
        sealed.starts_with(&original),
        "the original bytes must be a prefix of the sealed PDF"
    );
    let signatures = extract_signatures(&sealed).unwrap();
    assert_eq!(signatures.len(), 1);
    let sig = &signatures[0];
    assert_eq!(sig.field_name, "inkseal_edge_seal");
    assert_eq!(sig.sub_filter, "ETSI.CAdES.detached");
    assert_eq!(sig.signing_time.as_deref(), Some("D:20240615123456Z"));
    assert_eq!(
        sig.reason.as_deref(),
        Some("Nabídka podepsána klientem a poradcem")
    );
    assert!(sig.covers_whole_file);
    let verified = verify_cms_signature(&sealed, sig).unwrap();
    assert!(
        verified
            .signer_subject
            .contains("inkseal edge agent TEST-PC-01"),
        "{}",
        verified.signer_subject
    );
    assert_eq!(
        verified.signer_certificate_der,
        edge_signer().chain_der()[0]
    );

    // For a look at the drawing: PDF_SEAL_SAMPLE_DIR=<dir> keeps the sealed file.
    if let Ok(dir) = std::env::var("PDF_SEAL_SAMPLE_DIR") {
        std::fs::write(std::path::Path::new(&dir).join("sealed-offer.pdf"), &sealed).unwrap();
    }
    if let Some(out) = qpdf_check(&sealed) {
        eprintln!("qpdf --check:\n{out}");
    }
    if let Some(out) = pdfsig(&sealed) {
        eprintln!("pdfsig -nocert:\n{out}");
        assert!(out.contains("Signature #1"), "{out}");
        assert!(
            out.contains("Signature Validation: Signature is Valid."),
            "{out}"
        );
        assert!(out.contains("Total document signed"), "{out}");
        assert!(!out.contains("Signature #2"), "{out}");
    }
}

#[test]
fn envelopes_come_back_out_byte_for_byte() {
    let request = seal_request(offer_pdf(2, false), 2);
    let sealed = seal(&request, edge_signer()).unwrap();
    let attachments = extract_attachments(&sealed).unwrap();
    assert_eq!(attachments.len(), 2);
    for expected in &request.attachments {
        let found = attachments
            .iter()
            .find(|a| a.name == expected.name)
            .expect("attachment present");
        assert_eq!(found.bytes, expected.bytes);
        assert_eq!(found.mime_type.as_deref(), Some("application/octet-stream"));
    }
    let text = String::from_utf8_lossy(&sealed);
    assert!(text.contains("/AFRelationship /Data"));
    assert!(text.contains("/SigFlags 3"));
}

#[test]
fn changing_one_signed_byte_is_detected_by_pdfsig_and_by_us() {
    let original = offer_pdf(2, false);
    let mut sealed = seal(&seal_request(original, 2), edge_signer()).unwrap();
    // A letter in page 1's text, inside the first signed range.
    let pos = sealed.windows(5).position(|w| w == b"FLEXI").unwrap();
    sealed[pos] = b'f';

    let sig = &extract_signatures(&sealed).unwrap()[0];
    assert_eq!(
        verify_cms_signature(&sealed, sig).unwrap_err(),
        VerifyError::DigestMismatch
    );
    if let Some(out) = pdfsig(&sealed) {
        eprintln!("pdfsig -nocert after a one-byte change:\n{out}");
        assert!(!out.contains("Signature is Valid."), "{out}");
        assert!(
            out.contains("Signature Validation: Digest Mismatch."),
            "{out}"
        );
    }
}

#[test]
fn a_byte_changed_in_the_update_is_detected_too() {
    let mut sealed = seal(&seal_request(offer_pdf(1, false), 1), edge_signer()).unwrap();
    let sig = extract_signatures(&sealed).unwrap().remove(0);
    // The agent's annotation text lies in the update, not in the original bytes.
    let pos = sealed
        .windows(16)
        .rposition(|w| w == b"(Podpis poradce)")
        .expect("annotation text");
    assert!(pos > offer_pdf(1, false).len());
    sealed[pos + 1] = b'X';
    assert_eq!(
        verify_cms_signature(&sealed, &sig).unwrap_err(),
        VerifyError::DigestMismatch
    );
}

#[test]
fn insurer_seal_over_the_sealed_offer_keeps_both_signatures_valid() {
    let sealed = seal(&seal_request(offer_pdf(3, false), 3), edge_signer()).unwrap();
    let mut options = SignatureOptions::new("insurer_seal", signing_time());
    options.reason = Some("Přijato do zpracování".into());
    let twice = sign_incremental(&sealed, insurer_signer(), &options).unwrap();
    assert!(twice.starts_with(&sealed));

    let signatures = extract_signatures(&twice).unwrap();
    assert_eq!(
        signatures
            .iter()
            .map(|s| s.field_name.as_str())
            .collect::<Vec<_>>(),
        ["inkseal_edge_seal", "insurer_seal"]
    );
    assert!(!signatures[0].covers_whole_file);
    assert!(signatures[1].covers_whole_file);
    for sig in &signatures {
        verify_cms_signature(&twice, sig).unwrap();
    }
    assert_eq!(extract_attachments(&twice).unwrap().len(), 2);

    qpdf_check(&twice);
    if let Some(out) = pdfsig(&twice) {
        eprintln!("pdfsig -nocert with two signatures:\n{out}");
        assert!(out.contains("Signature #2"), "{out}");
        assert_eq!(
            out.matches("Signature Validation: Signature is Valid.")
                .count(),
            2,
            "{out}"
        );
    }
}

#[test]
fn a_pdf_with_cross_reference_streams_is_sealed_with_one_too() {
    let original = offer_pdf(2, true);
    assert!(
        !original.windows(5).any(|w| w == b"\nxref"),
        "fixture should use an xref stream"
    );
    let sealed = seal(&seal_request(original.clone(), 2), edge_signer()).unwrap();
    assert!(sealed.starts_with(&original));
    let sig = &extract_signatures(&sealed).unwrap()[0];
    verify_cms_signature(&sealed, sig).unwrap();
    assert_eq!(extract_attachments(&sealed).unwrap().len(), 2);
    qpdf_check(&sealed);
    if let Some(out) = pdfsig(&sealed) {
        assert!(
            out.contains("Signature Validation: Signature is Valid."),
            "{out}"
        );
    }
    let twice = sign_incremental(
        &sealed,
        insurer_signer(),
        &SignatureOptions::new("insurer_seal", signing_time()),
    )
    .unwrap();
    qpdf_check(&twice);
    if let Some(out) = pdfsig(&twice) {
        assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    }
}

#[test]
fn the_same_field_name_cannot_be_signed_twice() {
    let sealed = seal(&seal_request(offer_pdf(1, false), 1), edge_signer()).unwrap();
    let err = err(sign_incremental(
        &sealed,
        insurer_signer(),
        &SignatureOptions::new("inkseal_edge_seal", signing_time()),
    ));
    assert_eq!(err, SealError::DuplicateField("inkseal_edge_seal".into()));
}

#[test]
fn envelopes_cannot_be_embedded_twice_under_one_name() {
    let request = seal_request(offer_pdf(1, false), 1);
    let sealed = seal(&request, edge_signer()).unwrap();
    let mut again = request.clone();
    again.original_pdf = sealed;
    again.signatures.clear();
    again.options.field_name = "second".into();
    assert_eq!(
        err(seal(&again, edge_signer())),
        SealError::DuplicateAttachment("client_signature.ikbe".into())
    );
}

#[test]
fn the_signed_original_is_found_among_the_revisions() {
    use sha2::{Digest, Sha256};
    let original = offer_pdf(2, false);
    let document_sha256: [u8; 32] = Sha256::digest(&original).into();
    let sealed = seal(&seal_request(original.clone(), 2), edge_signer()).unwrap();
    let twice = sign_incremental(
        &sealed,
        insurer_signer(),
        &SignatureOptions::new("insurer_seal", signing_time()),
    )
    .unwrap();
    let found = revision_boundaries(&twice)
        .into_iter()
        .find(|&end| <[u8; 32]>::from(Sha256::digest(&twice[..end])) == document_sha256);
    assert_eq!(found, Some(original.len()));
    assert!(revision_boundaries(&twice).contains(&sealed.len()));
}
