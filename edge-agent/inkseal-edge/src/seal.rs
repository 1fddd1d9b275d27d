//! Sealing the signed offer with `pdf-seal`: every field's signature drawn in its rectangle, the
//! encrypted biometric envelopes embedded (`<field>.ikbe`), and the edge agent's PAdES signature
//! over the whole file, as one incremental update. The original bytes stay a prefix of the
//! result, so the document hash the envelopes are bound to can be recomputed from it.

use std::path::Path;
use std::time::SystemTime;

use pdf_seal::{
    Attachment, PenPoint, PenStyle, SealRequest, SignatureOptions, Signer, VisibleSignature,
};

use crate::config::Config;
use crate::error::EdgeError;
use crate::fields::FieldSpec;

/// Name of the edge agent's PDF signature field.
pub const SEAL_FIELD_NAME: &str = "inkseal_edge_seal";

/// MIME type of an embedded envelope.
pub const ENVELOPE_MIME: &str = "application/x-inkseal-biometric-envelope";

/// File name of a field's envelope inside the PDF.
pub fn envelope_file_name(field_id: &str) -> String {
    format!("{field_id}.ikbe")
}

/// One signed field, ready to be sealed (no plaintext biometrics: strokes for the drawing and the
/// encrypted envelope).
#[derive(Debug, Clone)]
pub struct SealedField {
    /// The field.
    pub spec: FieldSpec,
    /// The normalised pen-down strokes to draw.
    pub strokes: Vec<Vec<PenPoint>>,
    /// Width/height of the area the strokes are normalised to.
    pub aspect: f32,
    /// The encrypted envelope's bytes.
    pub envelope: Vec<u8>,
}

/// Loads the edge agent's signing certificate and key from the configured files.
pub fn load_signer(config: &Config) -> Result<Signer, EdgeError> {
    let cert = read_text(&config.signing_certificate)?;
    let key = read_text(&config.signing_key)?;
    Signer::from_pem(&cert, &key)
        .map_err(|e| EdgeError::Config(format!("signing certificate: {e}")))
}

pub(crate) fn read_text(path: &Path) -> Result<String, EdgeError> {
    std::fs::read_to_string(path).map_err(|e| EdgeError::io(path, e))
}

/// Seals the offer.
pub fn seal_offer(
    original_pdf: &[u8],
    offer_number: &str,
    fields: &[SealedField],
    signer: &Signer,
    signing_time: SystemTime,
) -> Result<Vec<u8>, EdgeError> {
    let signatures = fields
        .iter()
        .map(|f| VisibleSignature {
            page: u32::from(f.spec.field.rect.page()),
            rect: f.spec.pdf_rect(),
            name: f.spec.field.id.as_str().to_owned(),
            description: format!("{} – {}", f.spec.label(), f.spec.signer_name),
            strokes: f.strokes.clone(),
            source_aspect: Some(f.aspect),
            pen: PenStyle::default(),
        })
        .collect();
    let attachments = fields
        .iter()
        .map(|f| Attachment {
            name: envelope_file_name(f.spec.field.id.as_str()),
            mime_type: ENVELOPE_MIME.to_owned(),
            description: format!("Šifrovaná biometrie podpisu: {}", f.spec.label()),
            bytes: f.envelope.clone(),
        })
        .collect();
    let mut options = SignatureOptions::new(SEAL_FIELD_NAME, signing_time);
    options.signer_name = Some(signer.subject());
    options.reason = Some(format!(
        "Nabídka {offer_number} podepsána klientem a poradcem"
    ));
    let request = SealRequest {
        original_pdf: original_pdf.to_vec(),
        signatures,
        attachments,
        options,
    };
    pdf_seal::seal(&request, signer).map_err(|e| EdgeError::Seal(e.to_string()))
}
