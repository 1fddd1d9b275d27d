//! A sample offer document: an A4 PDF shaped like the insurer's FLEXI offer
//! (a title, numbered clauses, labelled signature boxes), for the demo, the
//! tests and the benchmarks of every crate, so they all sign the same kind
//! of document. The standard PDF fonts carry no Czech letters, so its text is
//! ASCII.
//!
//! ```
//! use pdf_seal::sample::SampleOffer;
//! let pdf = SampleOffer::flexi("8800123456").pages(3).to_pdf();
//! assert!(pdf.starts_with(b"%PDF-1.7"));
//! ```

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// The client's signature box of [`SampleOffer::flexi`] on page 1, in PDF
/// points: (x, y, width, height) from the lower-left corner.
pub const CLIENT_BOX: (f32, f32, f32, f32) = (72.0, 90.0, 200.0, 60.0);
/// The agent's signature box of [`SampleOffer::flexi`] on page 1.
pub const AGENT_BOX: (f32, f32, f32, f32) = (330.0, 90.0, 200.0, 60.0);

/// Clauses that fit between the page header and the signature boxes.
const MAX_CLAUSES_PER_PAGE: u32 = 38;

/// A drawn, labelled rectangle where a signature goes.
#[derive(Debug, Clone)]
struct SignatureBox {
    page: u32,
    rect: (f32, f32, f32, f32),
    label: String,
}

/// Builds a sample offer PDF.
#[derive(Debug, Clone)]
pub struct SampleOffer {
    title: String,
    pages: u32,
    clauses_per_page: u32,
    boxes: Vec<SignatureBox>,
    padding: usize,
    xref_stream: bool,
}

impl SampleOffer {
    /// One page with `title` at its top, nothing else.
    pub fn new(title: impl Into<String>) -> Self {
        SampleOffer {
            title: title.into(),
            pages: 1,
            clauses_per_page: 0,
            boxes: Vec::new(),
            padding: 0,
            xref_stream: false,
        }
    }

    /// The FLEXI life-insurance offer `offer_number`: full pages of clauses
    /// and the client's and the agent's boxes on page 1 ([`CLIENT_BOX`],
    /// [`AGENT_BOX`]).
    pub fn flexi(offer_number: &str) -> Self {
        SampleOffer::new(format!(
            "Nabidka FLEXI zivotniho pojisteni c. {offer_number}"
        ))
        .clauses_per_page(MAX_CLAUSES_PER_PAGE)
        .signature_box(1, CLIENT_BOX, "Podpis klienta")
        .signature_box(1, AGENT_BOX, "Podpis poradce")
    }

    /// `n` pages (at least one).
    pub fn pages(mut self, n: u32) -> Self {
        self.pages = n.max(1);
        self
    }

    /// `n` numbered clauses on each page (at most 38, what fits above the
    /// signature boxes).
    pub fn clauses_per_page(mut self, n: u32) -> Self {
        self.clauses_per_page = n.min(MAX_CLAUSES_PER_PAGE);
        self
    }

    /// A labelled box drawn on `page` (1-based; boxes on pages the document
    /// does not have are not drawn).
    pub fn signature_box(
        mut self,
        page: u32,
        rect: (f32, f32, f32, f32),
        label: impl Into<String>,
    ) -> Self {
        self.boxes.push(SignatureBox {
            page,
            rect,
            label: label.into(),
        });
        self
    }

    /// About `bytes` more bytes of incompressible filler in an unused
    /// stream, for documents of a realistic size; the same builder always
    /// gives the same bytes.
    pub fn padding(mut self, bytes: usize) -> Self {
        self.padding = bytes;
        self
    }

    /// Saves with a cross-reference stream (PDF 1.5+) instead of a classic
    /// table.
    pub fn xref_stream(mut self, yes: bool) -> Self {
        self.xref_stream = yes;
        self
    }

    /// The document's bytes.
    pub fn to_pdf(&self) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
        );
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
        let kids: Vec<Object> = (1..=self.pages)
            .map(|n| {
                let content = Content {
                    operations: self.page_operations(n),
                };
                let bytes = content
                    .encode()
                    .expect("content of plain operations encodes");
                let content_id = doc.add_object(Stream::new(dictionary! {}, bytes));
                doc.add_object(dictionary! {
                    "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => i64::from(self.pages),
                "Resources" => resources,
            }),
        );
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
        if self.padding > 0 {
            let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ self.title.len() as u64;
            let filler: Vec<u8> = (0..self.padding)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let filler_id = doc.add_object(Stream::new(dictionary! {}, filler));
            catalog.set("PieceInfo", dictionary! { "InksealPadding" => filler_id });
        }
        let catalog_id = doc.add_object(catalog);
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        if self.xref_stream {
            doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceStream;
            doc.save_modern(&mut out)
        } else {
            doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
            doc.save_to(&mut out)
        }
        .expect("writing to memory cannot fail");
        out
    }

    fn page_operations(&self, n: u32) -> Vec<Operation> {
        let mut ops = Vec::new();
        let mut text = |size: i64, x: f32, y: f32, s: &str| {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec!["F1".into(), size.into()]));
            ops.push(Operation::new("Td", vec![x.into(), y.into()]));
            ops.push(Operation::new("Tj", vec![Object::string_literal(s)]));
            ops.push(Operation::new("ET", vec![]));
        };
        text(18, 72.0, 770.0, &self.title);
        text(10, 72.0, 750.0, &format!("Strana {n} z {}", self.pages));
        for line in 0..self.clauses_per_page {
            text(
                9,
                72.0,
                720.0 - line as f32 * 14.0,
                &format!(
                    "Clanek {n}.{}: pojistitel a pojistnik se dohodli na podminkach pojisteni.",
                    line + 1
                ),
            );
        }
        for b in self.boxes.iter().filter(|b| b.page == n) {
            let (x, y, ..) = b.rect;
            text(8, x, y - 12.0, &b.label);
        }
        for b in self.boxes.iter().filter(|b| b.page == n) {
            let (x, y, w, h) = b.rect;
            ops.push(Operation::new("G", vec![0.6f32.into()]));
            ops.push(Operation::new(
                "re",
                vec![x.into(), y.into(), w.into(), h.into()],
            ));
            ops.push(Operation::new("S", vec![]));
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_offer_has_its_pages_and_text() {
        let pdf = SampleOffer::flexi("8800123456").pages(3).to_pdf();
        let doc = Document::load_mem(&pdf).unwrap();
        assert_eq!(doc.get_pages().len(), 3);
        let first = doc.extract_text(&[1]).unwrap();
        assert!(first.contains("8800123456"), "{first}");
        assert!(first.contains("Podpis klienta"), "{first}");
        assert!(!doc.extract_text(&[2]).unwrap().contains("Podpis klienta"));
    }

    #[test]
    fn padding_and_xref_streams_are_as_asked_and_repeatable() {
        let plain = SampleOffer::new("(Offer) \\ 1").to_pdf();
        let padded = SampleOffer::new("(Offer) \\ 1").padding(100_000);
        assert_eq!(padded.to_pdf(), padded.to_pdf());
        assert!(padded.to_pdf().len() >= plain.len() + 100_000);
        let modern = SampleOffer::new("(Offer) \\ 1").xref_stream(true).to_pdf();
        let classic_table = |pdf: &[u8]| pdf.windows(5).any(|w| w == b"\nxref");
        assert!(classic_table(&plain));
        assert!(
            !classic_table(&modern),
            "a cross-reference stream, no table"
        );
        Document::load_mem(&modern).unwrap();
        let text = Document::load_mem(&plain)
            .unwrap()
            .extract_text(&[1])
            .unwrap();
        assert!(
            text.contains("(Offer) \\ 1"),
            "escaped title reads back: {text}"
        );
    }
}
