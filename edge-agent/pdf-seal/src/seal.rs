//! Sealing: one incremental update that adds the visible handwritten
//! signatures, the embedded envelopes and a signature field, then the PAdES
//! signature over everything before and after its `/Contents`.
//!
//! The update is written by hand after the original bytes: the changed
//! objects (catalog, pages, form) under their old numbers, the new objects,
//! a cross-reference section of the same kind as the original's last one
//! (table or stream) and a trailer whose `/Prev` points at the original's.
//! So the original bytes stay a prefix of the output, and an already signed
//! input stays valid: [`sign_incremental`] on a sealed PDF adds a second
//! signature that covers the first.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};

use crate::appearance::VisibleSignature;
use crate::cms_signature::sign_digest;
use crate::document::{LoadedPdf, load};
use crate::error::SealError;
use crate::limits::Limits;
use crate::pdf_syntax::{
    decode_text_string, pdf_date, text_string, write_dictionary, write_object,
};
use crate::signer::Signer;

/// A file to embed (a biometric envelope, typically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name shown by viewers and used as the name-tree key; unique in
    /// the document (e.g. `client_signature.ikbe`).
    pub name: String,
    /// MIME type (e.g. `application/octet-stream`).
    pub mime_type: String,
    /// Description shown by viewers.
    pub description: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Everything about the signature itself.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureOptions {
    /// Name of the new signature field; unique, no `.` (e.g. `inkseal_edge_seal`).
    pub field_name: String,
    /// `/Name`: who signs (usually the certificate holder).
    pub signer_name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/M`: the claimed signing time (the CMS carries no signing-time).
    pub signing_time: SystemTime,
    /// Bounds.
    pub limits: Limits,
}

impl SignatureOptions {
    /// Options with only the field name and time set, default limits.
    pub fn new(field_name: impl Into<String>, signing_time: SystemTime) -> Self {
        Self {
            field_name: field_name.into(),
            signer_name: None,
            reason: None,
            location: None,
            contact_info: None,
            signing_time,
            limits: Limits::default(),
        }
    }
}

/// What the edge agent seals: the offer PDF, the handwritten signatures to
/// show, the envelopes to embed, and the signature options.
#[derive(Debug, Clone, PartialEq)]
pub struct SealRequest {
    /// The exact bytes the signers signed (their envelopes bind its SHA-256).
    pub original_pdf: Vec<u8>,
    /// Handwritten signatures to draw.
    pub signatures: Vec<VisibleSignature>,
    /// Files to embed (the biometric envelopes).
    pub attachments: Vec<Attachment>,
    /// The PDF signature.
    pub options: SignatureOptions,
}

/// Seals an offer: draws the handwritten signatures, embeds the
/// attachments, and signs, all in one incremental update appended to
/// `request.original_pdf`.
pub fn seal(request: &SealRequest, signer: &Signer) -> Result<Vec<u8>, SealError> {
    update_and_sign(
        &request.original_pdf,
        &request.signatures,
        &request.attachments,
        &request.options,
        signer,
    )
}

/// Adds one more (invisible) signature to `pdf` as an incremental update.
/// Works on unsigned and already signed PDFs alike; earlier signatures stay
/// valid because their bytes are untouched.
pub fn sign_incremental(
    pdf: &[u8],
    signer: &Signer,
    options: &SignatureOptions,
) -> Result<Vec<u8>, SealError> {
    update_and_sign(pdf, &[], &[], options, signer)
}

const MAX_NAME_LEN: usize = 127;
const MAX_TREE_DEPTH: usize = 32;
const MAX_TREE_ENTRIES: usize = 10_000;

fn check_name(name: &str, allow_dot: bool) -> Result<(), SealError> {
    let bad = |reason| {
        Err(SealError::InvalidName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("longer than 127 bytes");
    }
    if !allow_dot && name.contains('.') {
        return bad("field names cannot contain '.'");
    }
    if name.chars().any(char::is_control) {
        return bad("contains control characters");
    }
    Ok(())
}

fn validate_request(
    visible: &[VisibleSignature],
    attachments: &[Attachment],
    options: &SignatureOptions,
) -> Result<(), SealError> {
    let limits = &options.limits;
    check_name(&options.field_name, false)?;
    if visible.len() > limits.max_visible_signatures {
        return Err(SealError::Limit {
            what: "visible signatures",
            value: visible.len(),
            max: limits.max_visible_signatures,
        });
    }
    if attachments.len() > limits.max_attachments {
        return Err(SealError::Limit {
            what: "attachments",
            value: attachments.len(),
            max: limits.max_attachments,
        });
    }
    let mut names = BTreeSet::new();
    for sig in visible {
        check_name(&sig.name, true)?;
        if !names.insert(sig.name.as_str()) {
            return Err(SealError::InvalidName {
                name: sig.name.clone(),
                reason: "used twice in the request",
            });
        }
        sig.validate(limits.max_points_per_signature)?;
    }
    let mut names = BTreeSet::new();
    for a in attachments {
        check_name(&a.name, true)?;
        if !names.insert(a.name.as_str()) {
            return Err(SealError::DuplicateAttachment(a.name.clone()));
        }
        if a.bytes.len() > limits.max_attachment_bytes {
            return Err(SealError::Limit {
                what: "attachment bytes",
                value: a.bytes.len(),
                max: limits.max_attachment_bytes,
            });
        }
        if a.mime_type.is_empty()
            || !a.mime_type.is_ascii()
            || a.mime_type.contains(char::is_whitespace)
        {
            return Err(SealError::InvalidName {
                name: a.mime_type.clone(),
                reason: "not a MIME type",
            });
        }
    }
    Ok(())
}

/// New and changed objects of the update, written in object-number order.
struct Update {
    next: u32,
    objects: BTreeMap<ObjectId, Vec<u8>>,
}

impl Update {
    fn alloc(&mut self) -> ObjectId {
        let id = (self.next, 0);
        self.next += 1;
        id
    }

    fn put(&mut self, id: ObjectId, obj: &Object) {
        let mut body = Vec::new();
        write_object(&mut body, obj);
        self.objects.insert(id, body);
    }
}

fn rect_array(r: &crate::appearance::Rect) -> Object {
    Object::Array(
        [r.x1, r.y1, r.x2, r.y2]
            .into_iter()
            .map(Object::Real)
            .collect(),
    )
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// An array held inline in `dict[key]` or as an indirect object. Returns
/// its items and, when indirect, the id to rewrite it under.
fn array_entry(
    pdf: &LoadedPdf<'_>,
    dict: &Dictionary,
    key: &[u8],
) -> Result<(Vec<Object>, Option<ObjectId>), SealError> {
    match dict.get(key) {
        Err(_) | Ok(Object::Null) => Ok((Vec::new(), None)),
        Ok(Object::Array(items)) => Ok((items.clone(), None)),
        Ok(Object::Reference(id)) => match pdf.resolve(&Object::Reference(*id))? {
            Object::Array(items) => Ok((items.clone(), Some(*id))),
            _ => Err(SealError::Structure(format!(
                "/{} is not an array",
                String::from_utf8_lossy(key)
            ))),
        },
        Ok(_) => Err(SealError::Structure(format!(
            "/{} is not an array",
            String::from_utf8_lossy(key)
        ))),
    }
}

/// A dictionary held inline in `dict[key]` or as an indirect object.
fn dict_entry(
    pdf: &LoadedPdf<'_>,
    dict: &Dictionary,
    key: &[u8],
) -> Result<(Option<Dictionary>, Option<ObjectId>), SealError> {
    match dict.get(key) {
        Err(_) | Ok(Object::Null) => Ok((None, None)),
        Ok(Object::Dictionary(d)) => Ok((Some(d.clone()), None)),
        Ok(Object::Reference(id)) => Ok((Some(pdf.dict(*id)?), Some(*id))),
        Ok(_) => Err(SealError::Structure(format!(
            "/{} is not a dictionary",
            String::from_utf8_lossy(key)
        ))),
    }
}

/// Partial names (`/T`) of the form's fields, walking `/Kids`.
fn existing_field_names(pdf: &LoadedPdf<'_>, fields: &[Object]) -> BTreeSet<String> {
    fn walk(
        pdf: &LoadedPdf<'_>,
        items: &[Object],
        depth: usize,
        seen: &mut usize,
        out: &mut BTreeSet<String>,
    ) {
        if depth > MAX_TREE_DEPTH {
            return;
        }
        for item in items {
            *seen += 1;
            if *seen > MAX_TREE_ENTRIES {
                return;
            }
            let Ok(Object::Dictionary(field)) = pdf.resolve(item) else {
                continue;
            };
            if let Ok(Object::String(t, _)) = field.get(b"T") {
                out.insert(decode_text_string(t));
            }
            if let Ok(Object::Array(kids)) = field
                .get(b"Kids")
                .and_then(|k| pdf.doc.dereference(k).map(|(_, o)| o))
            {
                walk(pdf, kids, depth + 1, seen, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(pdf, fields, 0, &mut 0, &mut out);
    out
}

/// All `(key, value)` pairs of a name tree, flattened.
pub(crate) fn name_tree_entries(
    pdf: &LoadedPdf<'_>,
    node: &Dictionary,
) -> Result<Vec<(Vec<u8>, Object)>, SealError> {
    fn walk(
        pdf: &LoadedPdf<'_>,
        node: &Dictionary,
        depth: usize,
        out: &mut Vec<(Vec<u8>, Object)>,
    ) -> Result<(), SealError> {
        if depth > MAX_TREE_DEPTH || out.len() > MAX_TREE_ENTRIES {
            return Err(SealError::Structure(
                "embedded-files name tree is too deep or too large".into(),
            ));
        }
        if let Ok(names) = node.get(b"Names") {
            let Object::Array(items) = pdf.resolve(names)? else {
                return Err(SealError::Structure(
                    "name tree /Names is not an array".into(),
                ));
            };
            for pair in items.chunks(2) {
                if let [Object::String(key, _), value] = pair {
                    out.push((key.clone(), value.clone()));
                }
            }
        }
        if let Ok(kids) = node.get(b"Kids") {
            let Object::Array(kids) = pdf.resolve(kids)? else {
                return Err(SealError::Structure(
                    "name tree /Kids is not an array".into(),
                ));
            };
            for kid in kids {
                if let Object::Dictionary(kid) = pdf.resolve(kid)? {
                    walk(pdf, kid, depth + 1, out)?;
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(pdf, node, 0, &mut out)?;
    Ok(out)
}

const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

fn update_and_sign(
    original: &[u8],
    visible: &[VisibleSignature],
    attachments: &[Attachment],
    options: &SignatureOptions,
    signer: &Signer,
) -> Result<Vec<u8>, SealError> {
    validate_request(visible, attachments, options)?;
    let pdf = load(original, options.limits.max_input_bytes)?;
    let pages = pdf.doc.get_pages();
    let page_count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    let page_id = |page: u32| {
        pages.get(&page).copied().ok_or(SealError::PageOutOfRange {
            page,
            pages: page_count,
        })
    };
    let first_page = page_id(1)?;
    for sig in visible {
        page_id(sig.page)?;
    }

    let root_id = pdf.root_id()?;
    let mut catalog = pdf.dict(root_id)?;
    let mut update = Update {
        next: pdf.next_id(),
        objects: BTreeMap::new(),
    };
    let date = pdf_date(options.signing_time);
    let date_obj = Object::String(date.clone().into_bytes(), StringFormat::Literal);

    // Visible handwritten signatures: an appearance XObject and a locked,
    // printable stamp annotation each.
    let mut new_annots: BTreeMap<ObjectId, Vec<Object>> = BTreeMap::new();
    for sig in visible {
        let page = page_id(sig.page)?;
        let xobject_id = update.alloc();
        let annot_id = update.alloc();
        let mut xdict = Dictionary::new();
        xdict.set("Type", name("XObject"));
        xdict.set("Subtype", name("Form"));
        xdict.set(
            "BBox",
            Object::Array(vec![
                0.into(),
                0.into(),
                Object::Real(sig.rect.width()),
                Object::Real(sig.rect.height()),
            ]),
        );
        xdict.set("Resources", Object::Dictionary(Dictionary::new()));
        update.put(
            xobject_id,
            &Object::Stream(Stream::new(xdict, sig.content_stream())),
        );

        let mut annot = Dictionary::new();
        annot.set("Type", name("Annot"));
        annot.set("Subtype", name("Stamp"));
        annot.set("Rect", rect_array(&sig.rect));
        annot.set("P", Object::Reference(page));
        annot.set("F", Object::Integer(4 | 128)); // Print, Locked
        annot.set("NM", text_string(&sig.name));
        annot.set("Contents", text_string(&sig.description));
        annot.set("M", date_obj.clone());
        let mut ap = Dictionary::new();
        ap.set("N", Object::Reference(xobject_id));
        annot.set("AP", Object::Dictionary(ap));
        update.put(annot_id, &Object::Dictionary(annot));
        new_annots
            .entry(page)
            .or_default()
            .push(Object::Reference(annot_id));
    }

    // Embedded files, in the name tree and in the catalog's /AF.
    if !attachments.is_empty() {
        let (names_dict, names_id) = dict_entry(&pdf, &catalog, b"Names")?;
        let mut names_dict = names_dict.unwrap_or_default();
        let (tree, _) = dict_entry(&pdf, &names_dict, b"EmbeddedFiles")?;
        let mut entries = match &tree {
            Some(node) => name_tree_entries(&pdf, node)?,
            None => Vec::new(),
        };
        let (mut af, af_id) = array_entry(&pdf, &catalog, b"AF")?;
        for a in attachments {
            let key = match text_string(&a.name) {
                Object::String(bytes, _) => bytes,
                _ => a.name.as_bytes().to_vec(),
            };
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(SealError::DuplicateAttachment(a.name.clone()));
            }
            let file_id = update.alloc();
            let spec_id = update.alloc();
            let mut params = Dictionary::new();
            params.set("Size", Object::Integer(a.bytes.len() as i64));
            params.set("ModDate", date_obj.clone());
            let mut fdict = Dictionary::new();
            fdict.set("Type", name("EmbeddedFile"));
            fdict.set("Subtype", name(&a.mime_type));
            fdict.set("Params", Object::Dictionary(params));
            update.put(
                file_id,
                &Object::Stream(Stream::new(fdict, a.bytes.clone())),
            );

            let mut ef = Dictionary::new();
            ef.set("F", Object::Reference(file_id));
            ef.set("UF", Object::Reference(file_id));
            let mut spec = Dictionary::new();
            spec.set("Type", name("Filespec"));
            spec.set("F", text_string(&a.name));
            spec.set("UF", text_string(&a.name));
            spec.set("Desc", text_string(&a.description));
            spec.set("EF", Object::Dictionary(ef));
            spec.set("AFRelationship", name("Data"));
            update.put(spec_id, &Object::Dictionary(spec));
            entries.push((key, Object::Reference(spec_id)));
            af.push(Object::Reference(spec_id));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let flat: Vec<Object> = entries
            .into_iter()
            .flat_map(|(k, v)| [Object::String(k, StringFormat::Hexadecimal), v])
            .collect();
        let mut tree = Dictionary::new();
        tree.set("Names", Object::Array(flat));
        names_dict.set("EmbeddedFiles", Object::Dictionary(tree));
        match names_id {
            Some(id) => update.put(id, &Object::Dictionary(names_dict)),
            None => catalog.set("Names", Object::Dictionary(names_dict)),
        }
        match af_id {
            Some(id) => update.put(id, &Object::Array(af)),
            None => catalog.set("AF", Object::Array(af)),
        }
    }

    // The signature field: a merged field and invisible widget on page 1.
    let (acroform, acroform_id) = dict_entry(&pdf, &catalog, b"AcroForm")?;
    let mut acroform = acroform.unwrap_or_default();
    let (mut fields, fields_id) = array_entry(&pdf, &acroform, b"Fields")?;
    if existing_field_names(&pdf, &fields).contains(&options.field_name) {
        return Err(SealError::DuplicateField(options.field_name.clone()));
    }
    let field_id = update.alloc();
    let sig_id = update.alloc();
    let mut field = Dictionary::new();
    field.set("Type", name("Annot"));
    field.set("Subtype", name("Widget"));
    field.set("FT", name("Sig"));
    field.set("T", text_string(&options.field_name));
    field.set("V", Object::Reference(sig_id));
    field.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    field.set("F", Object::Integer(4 | 128)); // Print, Locked
    field.set("P", Object::Reference(first_page));
    update.put(field_id, &Object::Dictionary(field));
    new_annots
        .entry(first_page)
        .or_default()
        .push(Object::Reference(field_id));
    fields.push(Object::Reference(field_id));
    match fields_id {
        Some(id) => update.put(id, &Object::Array(fields)),
        None => acroform.set("Fields", Object::Array(fields)),
    }
    acroform.set("SigFlags", Object::Integer(3));
    match acroform_id {
        Some(id) => update.put(id, &Object::Dictionary(acroform)),
        None => catalog.set("AcroForm", Object::Dictionary(acroform)),
    }

    // Pages that gained annotations.
    for (page, annots) in new_annots {
        let mut page_dict = pdf.dict(page)?;
        let (mut items, annots_id) = array_entry(&pdf, &page_dict, b"Annots")?;
        items.extend(annots);
        match annots_id {
            Some(id) => update.put(id, &Object::Array(items)),
            None => {
                page_dict.set("Annots", Object::Array(items));
                update.put(page, &Object::Dictionary(page_dict));
            }
        }
    }
    update.put(root_id, &Object::Dictionary(catalog));

    // The signature dictionary, with fixed-width placeholders.
    let reserve = options.limits.signature_reserve_bytes;
    let mut sig_dict = Dictionary::new();
    sig_dict.set("M", date_obj);
    for (key, value) in [
        ("Name", &options.signer_name),
        ("Reason", &options.reason),
        ("Location", &options.location),
        ("ContactInfo", &options.contact_info),
    ] {
        if let Some(text) = value {
            sig_dict.set(key, text_string(text));
        }
    }
    let mut sig_body = format!(
        "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange {BYTE_RANGE_PLACEHOLDER} /Contents <"
    )
    .into_bytes();
    sig_body.resize(sig_body.len() + 2 * reserve, b'0');
    sig_body.extend_from_slice(b"> ");
    let mut rest = Vec::new();
    write_dictionary(&mut rest, &sig_dict);
    // Drop the inner "<<" and keep the closing ">>".
    sig_body.extend_from_slice(&rest[2..]);
    update.objects.insert(sig_id, sig_body);

    let mut out = write_update(&pdf, update)?;
    sign_placeholder(&mut out, original.len(), reserve, signer)?;
    Ok(out)
}

/// Appends the objects, the cross-reference section and the trailer.
fn write_update(pdf: &LoadedPdf<'_>, mut update: Update) -> Result<Vec<u8>, SealError> {
    let xref_stream_id = pdf.xref_stream.then(|| update.alloc());
    let size = update.next;
    let mut out = Vec::with_capacity(
        pdf.bytes.len() + update.objects.values().map(|o| o.len() + 32).sum::<usize>() + 4096,
    );
    out.extend_from_slice(pdf.bytes);
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<ObjectId, usize> = BTreeMap::new();
    for (id, body) in &update.objects {
        offsets.insert(*id, out.len());
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }

    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(size)));
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(value) = pdf.doc.trailer.get(key) {
            trailer.set(key.to_vec(), value.clone());
        }
    }
    trailer.set("Prev", Object::Integer(pdf.startxref as i64));

    let xref_offset = out.len();
    match xref_stream_id {
        None => {
            out.extend_from_slice(b"xref\n");
            let mut entries = offsets.iter();
            for (first, count) in runs(offsets.keys().map(|id| id.0)) {
                out.extend_from_slice(format!("{first} {count}\n").as_bytes());
                for (id, offset) in entries.by_ref().take(count as usize) {
                    out.extend_from_slice(format!("{offset:010} {:05} n\r\n", id.1).as_bytes());
                }
            }
            out.extend_from_slice(b"trailer\n");
            write_dictionary(&mut out, &trailer);
            out.push(b'\n');
        }
        Some(xref_id) => {
            offsets.insert(xref_id, xref_offset);
            let mut data = Vec::with_capacity(offsets.len() * 7);
            let mut index = Vec::new();
            for run in runs(offsets.keys().map(|id| id.0)) {
                index.push(Object::Integer(i64::from(run.0)));
                index.push(Object::Integer(i64::from(run.1)));
            }
            for (id, offset) in &offsets {
                let offset = u32::try_from(*offset)
                    .map_err(|_| SealError::Structure("file too large".into()))?;
                data.push(1);
                data.extend_from_slice(&offset.to_be_bytes());
                data.extend_from_slice(&id.1.to_be_bytes());
            }
            trailer.set("Type", name("XRef"));
            trailer.set("W", Object::Array(vec![1.into(), 4.into(), 2.into()]));
            trailer.set("Index", Object::Array(index));
            out.extend_from_slice(format!("{} 0 obj\n", xref_id.0).as_bytes());
            write_object(&mut out, &Object::Stream(Stream::new(trailer, data)));
            out.extend_from_slice(b"\nendobj\n");
        }
    }
    out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
    Ok(out)
}

/// Contiguous runs `(first, count)` of sorted object numbers.
fn runs(numbers: impl Iterator<Item = u32>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for n in numbers {
        match out.last_mut() {
            Some((first, count)) if *first + *count == n => *count += 1,
            _ => out.push((n, 1)),
        }
    }
    out
}

/// Fills `/ByteRange`, hashes the covered bytes, and writes the CMS into the
/// `/Contents` placeholder of the update that starts at `update_start`.
fn sign_placeholder(
    out: &mut [u8],
    update_start: usize,
    reserve: usize,
    signer: &Signer,
) -> Result<(), SealError> {
    let marker = format!("/ByteRange {BYTE_RANGE_PLACEHOLDER} /Contents <");
    let rel = out[update_start..]
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())
        .ok_or_else(|| SealError::Signing("signature placeholder not found".into()))?;
    let range_at = update_start + rel + "/ByteRange ".len();
    let contents_start = update_start + rel + marker.len() - 1; // at '<'
    let contents_end = contents_start + 2 * reserve + 2; // after '>'
    let total = out.len();
    let range = format!(
        "[0 {contents_start} {contents_end} {}]",
        total - contents_end
    );
    if range.len() > BYTE_RANGE_PLACEHOLDER.len() {
        return Err(SealError::Signing(
            "byte range does not fit its placeholder".into(),
        ));
    }
    let padded = format!("{range:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    out[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_start]);
    hasher.update(&out[contents_end..]);
    let digest: [u8; 32] = hasher.finalize().into();
    let cms = sign_digest(signer, &digest)?;
    if cms.len() > reserve {
        return Err(SealError::SignatureTooLarge {
            needed: cms.len(),
            reserved: reserve,
        });
    }
    let hex = hex::encode_upper(&cms);
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(())
}
