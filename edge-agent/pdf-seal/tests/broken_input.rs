//! Bad input gets a clear, typed error and never a panic: not a PDF, cut
//! off, damaged, encrypted, too large, a page that does not exist, a
//! signature that does not fit its reserve.

mod common;

use common::*;
use pdf_seal::{
    Limits, SealError, extract_attachments, extract_signatures, seal, sign_incremental,
};

#[test]
fn a_file_that_is_not_a_pdf_is_refused() {
    let request = seal_request(b"PK\x03\x04 this is a zip file".to_vec(), 1);
    assert_eq!(err(seal(&request, edge_signer())), SealError::NotPdf);
    assert_eq!(err(extract_signatures(b"")), SealError::NotPdf);
}

#[test]
fn a_truncated_pdf_is_refused() {
    let pdf = offer_pdf(2, false);
    for cut in [pdf.len() / 2, pdf.len() - 10, 9] {
        let err = err(seal(&seal_request(pdf[..cut].to_vec(), 1), edge_signer()));
        assert!(
            matches!(err, SealError::Truncated(_)),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn a_pdf_with_damaged_cross_references_is_refused() {
    let mut pdf = offer_pdf(2, false);
    let at = pdf.windows(9).rposition(|w| w == b"startxref").unwrap() + 10;
    pdf[at] = b'1'; // startxref now points to the wrong place
    pdf[at + 1] = b'7';
    let err = err(seal(&seal_request(pdf, 1), edge_signer()));
    assert!(
        matches!(err, SealError::Broken(_) | SealError::Truncated(_)),
        "{err}"
    );
}

#[test]
fn an_encrypted_pdf_is_refused() {
    let mut pdf = offer_pdf(1, false);
    // Declare standard-handler encryption in the trailer.
    let trailer = pdf.windows(7).rposition(|w| w == b"trailer").unwrap();
    let dict = pdf[trailer..].windows(2).position(|w| w == b"<<").unwrap() + trailer + 2;
    let encrypt = b"/Encrypt <</Filter /Standard /V 2 /R 3 /Length 128 /P -4 \
        /O <0000000000000000000000000000000000000000000000000000000000000000> \
        /U <0000000000000000000000000000000000000000000000000000000000000000>>> ";
    pdf.splice(dict..dict, encrypt.iter().copied());
    // The xref offsets are now off by the insertion only after the trailer,
    // so the objects still read.
    let err = err(seal(&seal_request(pdf, 1), edge_signer()));
    assert_eq!(err, SealError::Encrypted);
}

#[test]
fn an_oversized_pdf_is_refused_before_parsing() {
    let mut request = seal_request(offer_pdf(1, false), 1);
    request.options.limits = Limits {
        max_input_bytes: 100,
        ..Limits::default()
    };
    let size = request.original_pdf.len();
    assert_eq!(
        err(seal(&request, edge_signer())),
        SealError::InputTooLarge { size, max: 100 }
    );
}

#[test]
fn a_signature_on_a_page_that_does_not_exist_is_refused() {
    let request = seal_request(offer_pdf(2, false), 3);
    assert_eq!(
        err(seal(&request, edge_signer())),
        SealError::PageOutOfRange { page: 3, pages: 2 }
    );
}

#[test]
fn an_empty_signature_rectangle_is_refused() {
    let mut request = seal_request(offer_pdf(1, false), 1);
    request.signatures[0].rect.x2 = request.signatures[0].rect.x1;
    assert!(matches!(
        err(seal(&request, edge_signer())),
        SealError::InvalidRect(_)
    ));
}

#[test]
fn too_many_pen_points_are_refused() {
    let mut request = seal_request(offer_pdf(1, false), 1);
    request.options.limits.max_points_per_signature = 100;
    assert!(matches!(
        err(seal(&request, edge_signer())),
        SealError::Limit {
            what: "pen points in one signature",
            ..
        }
    ));
}

#[test]
fn a_field_name_with_a_dot_is_refused() {
    let mut request = seal_request(offer_pdf(1, false), 1);
    request.options.field_name = "edge.seal".into();
    assert!(matches!(
        err(seal(&request, edge_signer())),
        SealError::InvalidName { .. }
    ));
}

#[test]
fn a_signature_larger_than_its_reserve_is_refused() {
    let mut request = seal_request(offer_pdf(1, false), 1);
    request.options.limits.signature_reserve_bytes = 256;
    assert!(matches!(
        err(seal(&request, edge_signer())),
        SealError::SignatureTooLarge { reserved: 256, .. }
    ));
}

#[test]
fn garbage_after_a_pdf_header_never_panics() {
    let pdf = offer_pdf(1, false);
    for i in (0..pdf.len()).step_by(97) {
        let mut broken = pdf.clone();
        broken[i] ^= 0xFF;
        let _ = sign_incremental(
            &broken,
            edge_signer(),
            &pdf_seal::SignatureOptions::new("s", signing_time()),
        );
        let _ = extract_signatures(&broken);
        let _ = extract_attachments(&broken);
    }
    let mut junk = b"%PDF-1.7\n".to_vec();
    junk.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    junk.extend_from_slice(b"\nstartxref\n9\n%%EOF\n");
    assert!(seal(&seal_request(junk, 1), edge_signer()).is_err());
}

#[test]
fn a_pdf_encrypted_by_qpdf_is_refused() {
    let plain = offer_pdf(1, false);
    if !tool_available("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&input, &plain).unwrap();
    let status = std::process::Command::new("qpdf")
        .args(["--encrypt", "", "owner-secret", "256", "--"])
        .arg(&input)
        .arg(&output)
        .status()
        .unwrap();
    assert!(status.success());
    let encrypted = std::fs::read(&output).unwrap();
    assert_eq!(
        err(seal(&seal_request(encrypted.clone(), 1), edge_signer())),
        SealError::Encrypted
    );
    assert_eq!(err(extract_attachments(&encrypted)), SealError::Encrypted);
}
