//! `open`: finds the envelopes embedded in a sealed PDF, finds the exact earlier revision each is
//! bound to (the signed offer is a prefix of the sealed file), decrypts with the escrow private
//! key, and exports. An envelope bound to another document, or altered, is refused.

use std::path::Path;

use biometric_envelope::{Envelope, EnvelopeError, EscrowPrivateKey};
use sha2::{Digest, Sha256};

use crate::error::EscrowError;
use crate::export::{self, Exported};

/// Largest PDF read (the backend's bound).
pub const MAX_PDF_BYTES: u64 = 50 * 1024 * 1024;

/// What was opened.
#[derive(Debug)]
pub struct Report {
    /// One entry per field.
    pub fields: Vec<Exported>,
    /// Whether the edge agent's PDF signature verifies (cryptographically, no trust decision).
    pub pdf_signature: Option<String>,
}

impl Report {
    /// A Czech summary for the operator.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        if let Some(sig) = &self.pdf_signature {
            s.push_str(&format!("Podpis PDF: {sig}\n"));
        }
        for f in &self.fields {
            s.push_str(&format!(
                "Pole {}: {} vzorků, obrázek SHA-256 {}\n",
                f.field_id, f.samples, f.png_sha256
            ));
            for p in &f.files {
                s.push_str(&format!("  {}\n", p.display()));
            }
        }
        s.trim_end().to_owned()
    }
}

/// Opens the envelopes of `pdf_path` with the key in `key_path` and writes the exports to `out`.
pub fn run(
    key_path: &Path,
    pdf_path: &Path,
    field: Option<&str>,
    out: &Path,
) -> Result<Report, EscrowError> {
    let pem = zeroize::Zeroizing::new(
        std::fs::read_to_string(key_path).map_err(|e| EscrowError::io(key_path, e))?,
    );
    let key =
        EscrowPrivateKey::from_pkcs8_pem(&pem).map_err(|e| EscrowError::Key(e.to_string()))?;
    let meta = std::fs::metadata(pdf_path).map_err(|e| EscrowError::io(pdf_path, e))?;
    if meta.len() > MAX_PDF_BYTES {
        return Err(EscrowError::Pdf(format!(
            "larger than {MAX_PDF_BYTES} bytes"
        )));
    }
    let pdf = std::fs::read(pdf_path).map_err(|e| EscrowError::io(pdf_path, e))?;
    let pdf_signature = pdf_seal::extract_signatures(&pdf).ok().and_then(|sigs| {
        sigs.iter()
            .find(|s| s.field_name == inkseal_edge::seal::SEAL_FIELD_NAME)
            .map(|s| match pdf_seal::verify_cms_signature(&pdf, s) {
                Ok(v) if v.covers_whole_file => {
                    format!("platný, pokrývá celý dokument ({})", v.signer_subject)
                }
                Ok(v) => format!("platný, ale nepokrývá celý dokument ({})", v.signer_subject),
                Err(e) => format!("NEPLATNÝ: {e}"),
            })
    });
    let attachments =
        pdf_seal::extract_attachments(&pdf).map_err(|e| EscrowError::Pdf(e.to_string()))?;
    let envelopes: Vec<Envelope> = attachments
        .iter()
        .filter(|a| a.name.ends_with(".ikbe"))
        .map(|a| {
            Envelope::from_bytes(&a.bytes)
                .map_err(|e| EscrowError::Envelope(format!("{}: {e}", a.name)))
        })
        .collect::<Result<_, _>>()?;
    let selected: Vec<&Envelope> = envelopes
        .iter()
        .filter(|e| field.is_none_or(|f| e.binding().field_id == f))
        .collect();
    if selected.is_empty() {
        return Err(EscrowError::NoEnvelope(
            field.map(|f| format!(" pro pole {f}")).unwrap_or_default(),
        ));
    }
    // The SHA-256 of every earlier revision: the one an envelope names must be among them.
    let revisions: Vec<[u8; 32]> = pdf_seal::revision_boundaries(&pdf)
        .into_iter()
        .map(|end| Sha256::digest(&pdf[..end]).into())
        .collect();
    std::fs::create_dir_all(out).map_err(|e| EscrowError::io(out, e))?;
    let mut fields = Vec::new();
    for envelope in selected {
        let bound = envelope.binding().document_sha256;
        if !revisions.contains(&bound) {
            return Err(EscrowError::NotBound(format!(
                "pole {}: dokument {} není revizí tohoto PDF",
                envelope.binding().field_id,
                hex::encode(bound)
            )));
        }
        let (series, binding) =
            biometric_envelope::open(envelope, &key, &bound).map_err(|e| match e {
                EnvelopeError::WrongKey { .. } | EnvelopeError::KeyUnwrap => {
                    EscrowError::WrongKey(e.to_string())
                }
                EnvelopeError::DocumentMismatch { .. }
                | EnvelopeError::InnerBindingMismatch
                | EnvelopeError::Tampered => EscrowError::NotBound(e.to_string()),
                other => EscrowError::Envelope(other.to_string()),
            })?;
        fields.push(export::write(out, &series, &binding)?);
    }
    Ok(Report {
        fields,
        pdf_signature,
    })
}
