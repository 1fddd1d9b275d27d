//! Writes laid-out pages as a PDF file with lopdf.
//!
//! Each font is subset to the glyphs the pages use (`subsetter`) and
//! embedded as a Type0 font with Identity-H encoding over a CIDFontType2
//! descendant: two-byte codes are the subset's glyph ids (`/CIDToGIDMap
//! /Identity`), `/W` gives every glyph's advance and a `/ToUnicode` CMap
//! maps each glyph back to its character, so text extraction returns the
//! exact Czech text. Streams are Flate-compressed.
//!
//! The output is deterministic: objects are numbered in a fixed order, no
//! clock is read, and the trailer's `/ID` is a hash of the document's own
//! content.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat, dictionary};
use subsetter::GlyphRemapper;

use crate::error::ComposeError;
use crate::font::{Font, FontId, Fonts};
use crate::layout::{Color, Mark, PAGE_HEIGHT, PAGE_WIDTH, Page, TextRun};

/// The document information the writer puts in `/Info` and the catalog.
pub(crate) struct Metadata<'a> {
    pub title: &'a str,
    pub author: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub keywords: Option<&'a str>,
    pub language: &'a str,
    /// A PDF date string (`D:…`).
    pub created: Option<String>,
}

const PRODUCER: &str = "inkseal pdf-compose";

/// One font as embedded: its subset and the glyph id mapping.
struct Embedded {
    id: FontId,
    /// Original glyph id → subset glyph id (= CID).
    remap: BTreeMap<u16, u16>,
    /// Subset glyph id → the character it stands for.
    unicode: BTreeMap<u16, char>,
    /// Subset glyph ids' advances, thousandths of an em, in CID order.
    widths: Vec<u16>,
    /// The subset TrueType file.
    file: Vec<u8>,
    /// `ABCDEF+DejaVuSans`.
    base_font: String,
}

/// Writes `pages` into a PDF.
pub(crate) fn write(
    fonts: &Fonts,
    pages: &[Page],
    meta: &Metadata<'_>,
) -> Result<Vec<u8>, ComposeError> {
    let embedded = embed_fonts(fonts, pages)?;
    let contents = pages
        .iter()
        .map(|page| content_stream(fonts, &embedded, page))
        .collect::<Result<Vec<_>, _>>()?;

    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.try_new_object_id()?;

    let mut font_resources = Dictionary::new();
    for font in &embedded {
        let id = add_font(&mut doc, fonts.get(font.id), font)?;
        font_resources.set(font.id.resource_name(), id);
    }
    let resources = doc.try_add_object(dictionary! { "Font" => font_resources })?;

    let mut kids = Vec::with_capacity(pages.len());
    for content in &contents {
        let mut stream = Stream::new(Dictionary::new(), content.clone());
        stream.compress()?;
        let content_id = doc.try_add_object(stream)?;
        let page_id = doc.try_add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), real(PAGE_WIDTH), real(PAGE_HEIGHT)],
            "Resources" => resources,
            "Contents" => content_id,
        })?;
        kids.push(Object::Reference(page_id));
    }
    let count = i64::try_from(kids.len()).map_err(|e| ComposeError::Pdf(e.to_string()))?;
    doc.set_object(
        pages_id,
        dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count },
    );

    let mut info = dictionary! {
        "Title" => text_string(meta.title),
        "Creator" => text_string(PRODUCER),
        "Producer" => text_string(PRODUCER),
    };
    for (key, value) in [
        ("Author", meta.author),
        ("Subject", meta.subject),
        ("Keywords", meta.keywords),
    ] {
        if let Some(value) = value {
            info.set(key, text_string(value));
        }
    }
    if let Some(date) = &meta.created {
        info.set("CreationDate", text_string(date));
        info.set("ModDate", text_string(date));
    }
    let info_id = doc.try_add_object(info)?;
    let catalog_id = doc.try_add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Lang" => text_string(meta.language),
        "ViewerPreferences" => dictionary! { "DisplayDocTitle" => true },
    })?;

    let id = document_id(meta, &contents, &embedded);
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    doc.trailer.set(
        "ID",
        vec![
            Object::String(id.to_vec(), StringFormat::Hexadecimal),
            Object::String(id.to_vec(), StringFormat::Hexadecimal),
        ],
    );
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// The text runs of every page.
fn runs(pages: &[Page]) -> impl Iterator<Item = &TextRun> {
    pages.iter().flat_map(|p| &p.marks).filter_map(|m| match m {
        Mark::Text(run) => Some(run),
        _ => None,
    })
}

/// Subsets each font to the glyphs the pages use (fonts not used at all
/// are left out).
fn embed_fonts(fonts: &Fonts, pages: &[Page]) -> Result<Vec<Embedded>, ComposeError> {
    // Original glyph id → first character drawn with it, per font.
    let mut used: BTreeMap<FontId, BTreeMap<u16, char>> = BTreeMap::new();
    for run in runs(pages) {
        let font = fonts.get(run.font);
        let glyphs = used.entry(run.font).or_default();
        for ch in run.text.chars() {
            glyphs.entry(font.glyph(ch)?.gid).or_insert(ch);
        }
    }
    let mut out = Vec::new();
    for (id, glyphs) in used {
        let font = fonts.get(id);
        let gids: Vec<u16> = glyphs.keys().copied().collect();
        let remapper = GlyphRemapper::new_from_glyphs_sorted(&gids);
        let file =
            subsetter::subset(font.data, 0, &remapper).map_err(|e| ComposeError::Subset {
                font: font.name,
                reason: e.to_string(),
            })?;
        let mut remap = BTreeMap::new();
        let mut unicode = BTreeMap::new();
        for (&old, &ch) in &glyphs {
            let new = remapper.get(old).ok_or_else(|| ComposeError::Subset {
                font: font.name,
                reason: format!("glyph {old} missing from the subset"),
            })?;
            remap.insert(old, new);
            unicode.insert(new, ch);
        }
        let widths = remapper
            .remapped_gids()
            .map(|old| font.glyph_width(old))
            .collect();
        let base_font = format!("{}+{}", subset_tag(font.name, &gids), font.name);
        out.push(Embedded {
            id,
            remap,
            unicode,
            widths,
            file,
            base_font,
        });
    }
    Ok(out)
}

/// Six capital letters naming a subset (PDF 32000-1, 9.6.4), derived from
/// the font and its glyphs so the same subset always has the same tag.
fn subset_tag(name: &str, gids: &[u16]) -> String {
    let mut hash = Fnv::new(0);
    hash.write(name.as_bytes());
    for gid in gids {
        hash.write(&gid.to_be_bytes());
    }
    let mut value = hash.finish();
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (value % 26) as u8);
            value /= 26;
            letter
        })
        .collect()
}

/// Adds the Type0 font, its CIDFont, descriptor, font file and ToUnicode
/// CMap; returns the Type0 font's id.
fn add_font(
    doc: &mut lopdf::Document,
    font: &Font,
    embedded: &Embedded,
) -> Result<ObjectId, ComposeError> {
    let base_font = Object::Name(embedded.base_font.as_bytes().to_vec());
    let m = font.metrics();

    let length1 =
        i64::try_from(embedded.file.len()).map_err(|e| ComposeError::Pdf(e.to_string()))?;
    let mut file = Stream::new(dictionary! { "Length1" => length1 }, embedded.file.clone());
    file.compress()?;
    let file_id = doc.try_add_object(file)?;

    let descriptor_id = doc.try_add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => base_font.clone(),
        // Symbolic: the subset has no cmap; glyphs are addressed by CID.
        "Flags" => 4,
        "FontBBox" => m.bbox.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
        "ItalicAngle" => m.italic_angle,
        "Ascent" => m.ascent,
        "Descent" => m.descent,
        "CapHeight" => m.cap_height,
        "StemV" => m.stem_v,
        "FontFile2" => file_id,
    })?;

    let widths: Vec<Object> = embedded
        .widths
        .iter()
        .map(|&w| Object::Integer(i64::from(w)))
        .collect();
    let cid_font_id = doc.try_add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => base_font.clone(),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor_id,
        "DW" => 1000,
        "W" => vec![Object::Integer(0), Object::Array(widths)],
        "CIDToGIDMap" => "Identity",
    })?;

    let mut cmap = Stream::new(
        Dictionary::new(),
        to_unicode_cmap(&embedded.unicode).into_bytes(),
    );
    cmap.compress()?;
    let cmap_id = doc.try_add_object(cmap)?;

    Ok(doc.try_add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => base_font,
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font_id)],
        "ToUnicode" => cmap_id,
    })?)
}

/// The `/ToUnicode` CMap: each CID (two bytes) to its character in UTF-16BE.
fn to_unicode_cmap(unicode: &BTreeMap<u16, char>) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = unicode.iter().collect();
    // At most 100 entries per bfchar section (PDF 32000-1, 9.10.3).
    for chunk in entries.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (cid, ch) in chunk {
            let mut utf16 = [0u16; 2];
            let hex: String = ch
                .encode_utf16(&mut utf16)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(out, "<{cid:04X}> <{hex}>");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// The page's content stream (uncompressed).
fn content_stream(
    fonts: &Fonts,
    embedded: &[Embedded],
    page: &Page,
) -> Result<Vec<u8>, ComposeError> {
    let mut out = String::new();
    for mark in &page.marks {
        match mark {
            Mark::Fill { x, y, w, h, color } => {
                let _ = writeln!(
                    out,
                    "q {} rg {} {} {} {} re f Q",
                    rgb(*color),
                    num(*x),
                    num(y - h),
                    num(*w),
                    num(*h)
                );
            }
            Mark::Rule {
                x1,
                x2,
                y,
                width,
                color,
            } => {
                let _ = writeln!(
                    out,
                    "q {} w {} RG {} {} m {} {} l S Q",
                    num(*width),
                    rgb(*color),
                    num(*x1),
                    num(*y),
                    num(*x2),
                    num(*y)
                );
            }
            Mark::Text(run) => {
                let font = fonts.get(run.font);
                let remap = embedded
                    .iter()
                    .find(|e| e.id == run.font)
                    .map(|e| &e.remap)
                    .ok_or_else(|| ComposeError::Pdf(format!("font {} not embedded", font.name)))?;
                let mut hex = String::with_capacity(run.text.len() * 4);
                for ch in run.text.chars() {
                    let gid = font.glyph(ch)?.gid;
                    let cid = remap.get(&gid).ok_or_else(|| {
                        ComposeError::Pdf(format!("glyph {gid} of {} not in its subset", font.name))
                    })?;
                    let _ = write!(hex, "{cid:04X}");
                }
                let _ = writeln!(
                    out,
                    "BT /{} {} Tf {} rg {} {} Td <{}> Tj ET",
                    run.font.resource_name(),
                    num(run.size),
                    rgb(run.color),
                    num(run.x),
                    num(run.y),
                    hex
                );
            }
        }
    }
    Ok(out.into_bytes())
}

fn rgb(c: Color) -> String {
    format!("{} {} {}", num(c.0), num(c.1), num(c.2))
}

/// A number for a content stream: at most three decimals, no trailing zeros.
fn num(v: f32) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn real(v: f32) -> Object {
    Object::Real(v)
}

/// A PDF text string: literal when ASCII, else UTF-16BE with a byte order
/// mark (PDF 32000-1, 7.9.2.2).
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// The file identifier: 16 bytes hashed from the metadata, the page
/// contents and the fonts, so the same document always has the same `/ID`.
fn document_id(meta: &Metadata<'_>, contents: &[Vec<u8>], embedded: &[Embedded]) -> [u8; 16] {
    let mut a = Fnv::new(0);
    let mut b = Fnv::new(0x5851_f42d_4c95_7f2d);
    let mut feed = |bytes: &[u8]| {
        a.write(&(bytes.len() as u64).to_be_bytes());
        a.write(bytes);
        b.write(bytes);
        b.write(&(bytes.len() as u64).to_be_bytes());
    };
    for field in [
        Some(meta.title),
        meta.author,
        meta.subject,
        meta.keywords,
        Some(meta.language),
        meta.created.as_deref(),
    ] {
        feed(field.unwrap_or("\u{0}").as_bytes());
    }
    for content in contents {
        feed(content);
    }
    for font in embedded {
        feed(&font.file);
    }
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&a.finish().to_be_bytes());
    id[8..].copy_from_slice(&b.finish().to_be_bytes());
    id
}

/// 64-bit FNV-1a, seeded; not cryptographic, only a stable fingerprint.
struct Fnv(u64);

impl Fnv {
    fn new(seed: u64) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325 ^ seed)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(9.5), "9.5");
        assert_eq!(num(0.1234), "0.123");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(841.89), "841.89");
    }

    #[test]
    fn text_strings_are_utf16_when_not_ascii() {
        assert_eq!(text_string("abc"), Object::string_literal("abc"));
        assert_eq!(
            text_string("č"),
            Object::String(vec![0xFE, 0xFF, 0x01, 0x0D], StringFormat::Hexadecimal)
        );
    }

    #[test]
    fn the_cmap_maps_cids_to_utf16() {
        let cmap = to_unicode_cmap(&BTreeMap::from([(1, 'Č'), (2, '\u{1F600}')]));
        assert!(cmap.contains("2 beginbfchar\n<0001> <010C>\n<0002> <D83DDE00>\n"));
    }

    #[test]
    fn subset_tags_are_six_capitals_and_stable() {
        let tag = subset_tag("DejaVuSans", &[1, 2, 3]);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(tag, subset_tag("DejaVuSans", &[1, 2, 3]));
        assert_ne!(tag, subset_tag("DejaVuSans", &[1, 2, 4]));
    }
}
