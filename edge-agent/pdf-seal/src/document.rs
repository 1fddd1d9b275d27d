//! Reading an input PDF defensively: size bound, header, end-of-file marker,
//! encryption, then a full parse. Also the small lookups the update needs
//! (the last `startxref`, the kind of cross-reference section, pages).

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use crate::error::SealError;

/// A parsed input together with the facts an incremental update needs.
pub(crate) struct LoadedPdf<'a> {
    pub bytes: &'a [u8],
    pub doc: Document,
    /// Offset of the last cross-reference section (the new `/Prev`).
    pub startxref: usize,
    /// The last section is a cross-reference stream (PDF 1.5+), not a table.
    pub xref_stream: bool,
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Checks and parses `bytes` (at most `max_input_bytes` long).
pub(crate) fn load(bytes: &[u8], max_input_bytes: usize) -> Result<LoadedPdf<'_>, SealError> {
    if bytes.len() > max_input_bytes {
        return Err(SealError::InputTooLarge {
            size: bytes.len(),
            max: max_input_bytes,
        });
    }
    let head = &bytes[..bytes.len().min(1024)];
    if find_last(head, b"%PDF-").is_none() {
        return Err(SealError::NotPdf);
    }
    let tail_start = bytes.len().saturating_sub(2048);
    let tail = &bytes[tail_start..];
    let eof =
        find_last(tail, b"%%EOF").ok_or(SealError::Truncated("no %%EOF marker at the end"))?;
    let sx = find_last(&tail[..eof], b"startxref")
        .ok_or(SealError::Truncated("no startxref before %%EOF"))?;
    let number: String = tail[sx + 9..eof]
        .iter()
        .map(|&b| b as char)
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let startxref: usize = number
        .parse()
        .map_err(|_| SealError::Broken(format!("startxref value {number:?}")))?;
    if startxref >= bytes.len() {
        return Err(SealError::Truncated(
            "startxref points past the end of the file",
        ));
    }
    let xref_stream = !bytes[startxref..].starts_with(b"xref");

    // The parser is third-party code: a panic on hostile input becomes an error.
    let options = LoadOptions {
        max_decompressed_size: Some(max_input_bytes.saturating_mul(4)),
        ..LoadOptions::default()
    };
    let parsed = std::panic::catch_unwind(|| Document::load_mem_with_options(bytes, options))
        .map_err(|_| SealError::Broken("the PDF parser gave up on this input".into()))?;
    let doc = parsed?;
    if doc.trailer.has(b"Encrypt") || doc.was_encrypted() {
        return Err(SealError::Encrypted);
    }
    // An update must chain to readable cross-reference data; a repaired file
    // would have to be rewritten, which changes the bytes the signers signed.
    if doc.xref_recovery.is_some() {
        return Err(SealError::Broken(
            "cross-reference data is damaged (the file needs repair before it can be signed)"
                .into(),
        ));
    }
    Ok(LoadedPdf {
        bytes,
        doc,
        startxref,
        xref_stream,
    })
}

impl LoadedPdf<'_> {
    /// The catalog's object id.
    pub fn root_id(&self) -> Result<ObjectId, SealError> {
        match self.doc.trailer.get(b"Root") {
            Ok(Object::Reference(id)) => Ok(*id),
            _ => Err(SealError::Structure(
                "trailer has no /Root reference".into(),
            )),
        }
    }

    /// The first free object number.
    pub fn next_id(&self) -> u32 {
        let size = match self.doc.trailer.get(b"Size") {
            Ok(Object::Integer(n)) if *n > 0 => u32::try_from(*n).unwrap_or(u32::MAX),
            _ => 0,
        };
        size.max(self.doc.max_id.saturating_add(1))
    }

    /// Follows one reference (if any) to the object.
    pub fn resolve<'o>(&'o self, obj: &'o Object) -> Result<&'o Object, SealError> {
        match obj {
            Object::Reference(id) => self
                .doc
                .get_object(*id)
                .map_err(|e| SealError::Structure(format!("object {} {}: {e}", id.0, id.1))),
            other => Ok(other),
        }
    }

    /// The dictionary with `id`.
    pub fn dict(&self, id: ObjectId) -> Result<Dictionary, SealError> {
        match self.doc.get_object(id) {
            Ok(Object::Dictionary(d)) => Ok(d.clone()),
            Ok(_) => Err(SealError::Structure(format!(
                "object {} {} is not a dictionary",
                id.0, id.1
            ))),
            Err(e) => Err(SealError::Structure(format!(
                "object {} {}: {e}",
                id.0, id.1
            ))),
        }
    }
}
