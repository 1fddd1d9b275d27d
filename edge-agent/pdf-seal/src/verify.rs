//! Reading a sealed PDF back: its signatures (with their byte ranges and CMS),
//! an own cryptographic check of each, and the embedded files. Used by the
//! backend on receipt and by the escrow tool to get the envelopes out.

use lopdf::{Dictionary, Object};
use sha2::{Digest, Sha256};

use crate::cms_signature::{der_element_len, verify_digest};
use crate::document::{LoadedPdf, load};
use crate::error::{SealError, VerifyError};
use crate::limits::Limits;
use crate::pdf_syntax::decode_text_string;

/// One PDF signature as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The signature field's name (`/T`).
    pub field_name: String,
    /// `/ByteRange` as written: `[start1, len1, start2, len2]`.
    pub byte_range: Vec<i64>,
    /// The second range ends at the end of the file: nothing was appended
    /// after this signature.
    pub covers_whole_file: bool,
    /// `/SubFilter` (e.g. `ETSI.CAdES.detached`).
    pub sub_filter: String,
    /// `/M` as written (e.g. `D:20240615123456Z`).
    pub signing_time: Option<String>,
    /// `/Name`.
    pub signer_name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// The DER CMS from `/Contents`, without the zero padding.
    pub cms_der: Vec<u8>,
}

/// What [`verify_cms_signature`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The signer certificate (DER) that the signature verifies with. Whether
    /// it is trusted is the caller's decision.
    pub signer_certificate_der: Vec<u8>,
    /// The other certificates the signature carries (DER), unverified: candidates for
    /// the chain from the signer to an authority the caller trusts.
    pub other_certificates_der: Vec<Vec<u8>>,
    /// Its subject, RFC 4514.
    pub signer_subject: String,
    /// Same as [`SignatureInfo::covers_whole_file`].
    pub covers_whole_file: bool,
}

/// A file embedded in the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractedAttachment {
    /// Its file name.
    pub name: String,
    /// MIME type from the embedded file's `/Subtype`, if any.
    pub mime_type: Option<String>,
    /// Its bytes (decoded if the stream was compressed).
    pub bytes: Vec<u8>,
}

fn text(dict: &Dictionary, key: &[u8]) -> Option<String> {
    match dict.get(key) {
        Ok(Object::String(bytes, _)) => Some(decode_text_string(bytes)),
        _ => None,
    }
}

/// Lists the signatures of `pdf` in the order they were applied (by where
/// their byte range ends), with default [`Limits`].
pub fn extract_signatures(pdf: &[u8]) -> Result<Vec<SignatureInfo>, SealError> {
    extract_signatures_with_limits(pdf, &Limits::default())
}

/// [`extract_signatures`] with explicit bounds.
pub fn extract_signatures_with_limits(
    pdf: &[u8],
    limits: &Limits,
) -> Result<Vec<SignatureInfo>, SealError> {
    let loaded = load(pdf, limits.max_input_bytes)?;
    let Ok(Object::Reference(root)) = loaded.doc.trailer.get(b"Root") else {
        return Err(SealError::Structure(
            "trailer has no /Root reference".into(),
        ));
    };
    let catalog = loaded.dict(*root)?;
    let acroform = match catalog.get(b"AcroForm") {
        Ok(obj) => match loaded.resolve(obj)? {
            Object::Dictionary(d) => d.clone(),
            _ => return Ok(Vec::new()),
        },
        Err(_) => return Ok(Vec::new()),
    };
    let fields = match acroform.get(b"Fields") {
        Ok(obj) => match loaded.resolve(obj)? {
            Object::Array(items) => items.clone(),
            _ => Vec::new(),
        },
        Err(_) => Vec::new(),
    };
    let mut out = Vec::new();
    collect_signatures(&loaded, &fields, None, 0, &mut out)?;
    out.sort_by_key(|s: &SignatureInfo| {
        s.byte_range.get(2).copied().unwrap_or(0) + s.byte_range.get(3).copied().unwrap_or(0)
    });
    Ok(out)
}

fn collect_signatures(
    pdf: &LoadedPdf<'_>,
    fields: &[Object],
    inherited_ft: Option<&[u8]>,
    depth: usize,
    out: &mut Vec<SignatureInfo>,
) -> Result<(), SealError> {
    if depth > 32 || out.len() > 1000 {
        return Err(SealError::Structure(
            "form field tree is too deep or too large".into(),
        ));
    }
    for field in fields {
        let Object::Dictionary(field) = pdf.resolve(field)? else {
            continue;
        };
        let ft = match field.get(b"FT") {
            Ok(Object::Name(n)) => Some(n.as_slice()),
            _ => inherited_ft,
        };
        if let Ok(kids) = field.get(b"Kids")
            && let Object::Array(kids) = pdf.resolve(kids)?
        {
            collect_signatures(pdf, kids, ft, depth + 1, out)?;
        }
        if ft != Some(b"Sig") {
            continue;
        }
        let Ok(v) = field.get(b"V") else { continue };
        let Object::Dictionary(sig) = pdf.resolve(v)? else {
            continue;
        };
        let byte_range = match sig.get(b"ByteRange") {
            Ok(obj) => match pdf.resolve(obj)? {
                Object::Array(items) => items
                    .iter()
                    .map(|i| if let Object::Integer(n) = i { *n } else { -1 })
                    .collect(),
                _ => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        let contents = match sig.get(b"Contents") {
            Ok(Object::String(bytes, _)) => bytes.clone(),
            _ => Vec::new(),
        };
        let cms_der = match der_element_len(&contents) {
            Some(len) => contents[..len].to_vec(),
            None => contents,
        };
        let covers_whole_file = byte_range.len() == 4
            && byte_range[2].checked_add(byte_range[3]) == Some(pdf.bytes.len() as i64);
        let sub_filter = match sig.get(b"SubFilter") {
            Ok(Object::Name(n)) => String::from_utf8_lossy(n).into_owned(),
            _ => String::new(),
        };
        out.push(SignatureInfo {
            field_name: text(field, b"T").unwrap_or_default(),
            byte_range,
            covers_whole_file,
            sub_filter,
            signing_time: text(sig, b"M"),
            signer_name: text(sig, b"Name"),
            reason: text(sig, b"Reason"),
            location: text(sig, b"Location"),
            cms_der,
        });
    }
    Ok(())
}

/// Checks one signature of `pdf` without any trust decision: the byte range
/// is well formed and leaves out exactly the `/Contents` hex string, the
/// SHA-256 of the covered bytes equals the CMS message-digest attribute, and
/// the RSA signature over the signed attributes verifies with the embedded
/// signer certificate.
pub fn verify_cms_signature(
    pdf: &[u8],
    signature: &SignatureInfo,
) -> Result<VerifiedSignature, VerifyError> {
    let bad_range = || VerifyError::ByteRange(signature.byte_range.clone());
    let r: Vec<usize> = signature
        .byte_range
        .iter()
        .map(|v| usize::try_from(*v).map_err(|_| bad_range()))
        .collect::<Result<_, _>>()?;
    let [start1, len1, start2, len2] = r[..] else {
        return Err(bad_range());
    };
    let end2 = start2.checked_add(len2).ok_or_else(bad_range)?;
    if start1 != 0 || len1 >= start2 || end2 > pdf.len() {
        return Err(bad_range());
    }
    let gap = &pdf[len1..start2];
    let hex_ok = gap.len() >= 2
        && gap[0] == b'<'
        && gap[gap.len() - 1] == b'>'
        && gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit);
    if !hex_ok {
        return Err(VerifyError::Gap);
    }
    let in_gap = hex::decode(&gap[1..gap.len() - 1]).map_err(|_| VerifyError::Gap)?;
    if !in_gap.starts_with(&signature.cms_der) {
        return Err(VerifyError::Gap);
    }
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..len1]);
    hasher.update(&pdf[start2..end2]);
    let digest: [u8; 32] = hasher.finalize().into();
    let (cert, others) = verify_digest(&signature.cms_der, &digest)?;
    let to_der = |c: &x509_cert::Certificate| {
        der::Encode::to_der(c).map_err(|e| VerifyError::Cms(e.to_string()))
    };
    Ok(VerifiedSignature {
        signer_certificate_der: to_der(&cert)?,
        other_certificates_der: others.iter().map(to_der).collect::<Result<_, _>>()?,
        signer_subject: cert.tbs_certificate().subject().to_string(),
        covers_whole_file: end2 == pdf.len(),
    })
}

/// The embedded files of `pdf` (from `/Names /EmbeddedFiles`), with default
/// [`Limits`].
pub fn extract_attachments(pdf: &[u8]) -> Result<Vec<ExtractedAttachment>, SealError> {
    extract_attachments_with_limits(pdf, &Limits::default())
}

/// [`extract_attachments`] with explicit bounds.
pub fn extract_attachments_with_limits(
    pdf: &[u8],
    limits: &Limits,
) -> Result<Vec<ExtractedAttachment>, SealError> {
    let loaded = load(pdf, limits.max_input_bytes)?;
    let Ok(Object::Reference(root)) = loaded.doc.trailer.get(b"Root") else {
        return Err(SealError::Structure(
            "trailer has no /Root reference".into(),
        ));
    };
    let catalog = loaded.dict(*root)?;
    let Ok(names) = catalog.get(b"Names") else {
        return Ok(Vec::new());
    };
    let Object::Dictionary(names) = loaded.resolve(names)? else {
        return Ok(Vec::new());
    };
    let Ok(tree) = names.get(b"EmbeddedFiles") else {
        return Ok(Vec::new());
    };
    let Object::Dictionary(tree) = loaded.resolve(tree)? else {
        return Ok(Vec::new());
    };
    let entries = crate::seal::name_tree_entries(&loaded, tree)?;
    if entries.len() > limits.max_attachments.max(1) * 16 {
        return Err(SealError::Limit {
            what: "embedded files",
            value: entries.len(),
            max: limits.max_attachments * 16,
        });
    }
    let mut out = Vec::new();
    for (key, value) in entries {
        let Object::Dictionary(spec) = loaded.resolve(&value)? else {
            continue;
        };
        let name = text(spec, b"UF")
            .or_else(|| text(spec, b"F"))
            .unwrap_or_else(|| decode_text_string(&key));
        let Ok(ef) = spec.get(b"EF") else { continue };
        let Object::Dictionary(ef) = loaded.resolve(ef)? else {
            continue;
        };
        let Some(stream_ref) = ef.get(b"UF").ok().or_else(|| ef.get(b"F").ok()) else {
            continue;
        };
        let Object::Stream(stream) = loaded.resolve(stream_ref)? else {
            continue;
        };
        let bytes = stream
            .get_plain_content_with_limit(limits.max_attachment_bytes)
            .map_err(|e| SealError::Broken(format!("embedded file {name:?}: {e}")))?;
        let mime_type = match stream.dict.get(b"Subtype") {
            Ok(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
            _ => None,
        };
        out.push(ExtractedAttachment {
            name,
            mime_type,
            bytes,
        });
    }
    Ok(out)
}

/// Offsets where an earlier revision of `pdf` may end: after each `%%EOF`
/// marker, and after the end-of-line that follows it. The exact bytes the
/// signers signed are a prefix of a sealed PDF ending at one of these, so the
/// backend finds the revision an envelope is bound to by comparing the
/// SHA-256 of these prefixes with the envelope's document hash. (A `%%EOF`
/// inside binary data only adds a candidate that matches nothing.)
pub fn revision_boundaries(pdf: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    for (at, _) in pdf.windows(5).enumerate().filter(|(_, w)| *w == b"%%EOF") {
        let end = at + 5;
        out.push(end);
        let eol = pdf[end..]
            .iter()
            .take(2)
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let eol = if eol == 2 && pdf[end] == b'\n' {
            1
        } else {
            eol
        };
        if eol > 0 {
            out.push(end + eol);
        }
    }
    out
}
