//! The document builder: Czech text in every kind of block comes back out
//! of `pdftotext` exactly; empty documents, very long words and bad input
//! are handled; output is deterministic.

mod common;

use common::{page_count, pdffonts, pdftotext, qpdf_check, squash};
use pdf_compose::{ComposeError, Document, HeadingLevel, ListStyle, Margins, PdfDate};

const CZECH: &str = "Příliš žluťoučký kůň úpěl ďábelské ódy – ěščřžýáíéúůťďňó \
                     ĚŠČŘŽÝÁÍÉÚŮŤĎŇÓ „uvozovky“ § 2831 občanského zákoníku.";

fn sample() -> Document {
    let mut doc = Document::new("Zkušební dokument – čeština");
    doc.author("Pojišťovna České spořitelny, a.s.")
        .creation_date(PdfDate::ymd(2026, 12, 1))
        .page_header("Záhlaví stránky: Pojišťovna České spořitelny, a.s.")
        .page_footer("Zápatí – kód ZK-01")
        .heading(HeadingLevel::H1, "Nadpis první úrovně: Žluťoučký kůň")
        .heading(HeadingLevel::H2, "Nadpis druhé úrovně: Ďábelské ódy")
        .paragraph(CZECH)
        .article("Úvodní ustanovení")
        .clause("První odstavec článku s textem: řeřicha, šťovík, čočka.")
        .clause("Druhý odstavec.")
        .list(ListStyle::Letters, ["písmeno á", "písmeno bé"])
        .list(ListStyle::Bullet, ["odrážka jedna", "odrážka dvě"])
        .table([
            ("Klíč č. 1", "Hodnota – „první“"),
            ("Účinnost", "1. 1. 2027"),
        ]);
    doc
}

#[test]
fn every_block_comes_back_out_of_pdftotext_exactly() {
    let pdf = sample().to_pdf().unwrap();
    qpdf_check(&pdf);
    let Some(text) = pdftotext(&pdf) else { return };
    let text = squash(&text);
    for expected in [
        CZECH,
        "Záhlaví stránky: Pojišťovna České spořitelny, a.s.",
        "Zápatí – kód ZK-01",
        "Strana 1 z 1",
        "Nadpis první úrovně: Žluťoučký kůň",
        "Nadpis druhé úrovně: Ďábelské ódy",
        "Článek 1 Úvodní ustanovení",
        "1.1 První odstavec článku s textem: řeřicha, šťovík, čočka.",
        "1.2 Druhý odstavec.",
        "a) písmeno á b) písmeno bé",
        "• odrážka jedna • odrážka dvě",
        "Klíč č. 1",
        "Hodnota – „první“",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    assert_eq!(sample().to_pdf().unwrap(), sample().to_pdf().unwrap());
    let mut other = sample();
    other.paragraph("jiný text");
    assert_ne!(sample().to_pdf().unwrap(), other.to_pdf().unwrap());
}

#[test]
fn without_a_date_the_pdf_has_none() {
    let pdf = Document::new("bez data").to_pdf().unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    assert!(info.get(b"CreationDate").is_err());
    assert!(info.get(b"ModDate").is_err());
}

#[test]
fn an_empty_document_is_one_page_with_its_footer() {
    let pdf = Document::new("").to_pdf().unwrap();
    assert_eq!(page_count(&pdf), 1);
    qpdf_check(&pdf);
    if let Some(text) = pdftotext(&pdf) {
        assert_eq!(squash(&text), "Strana 1 z 1");
    }
    // Empty blocks add nothing.
    let mut doc = Document::new("prázdné bloky");
    doc.paragraph("")
        .paragraph("   ")
        .heading(HeadingLevel::H2, "")
        .list(ListStyle::Bullet, Vec::<String>::new())
        .table(Vec::<(String, String)>::new())
        .page_break()
        .page_break();
    let pdf = doc.to_pdf().unwrap();
    assert_eq!(page_count(&pdf), 1);
    qpdf_check(&pdf);
}

#[test]
fn an_empty_clause_still_shows_its_number() {
    let mut doc = Document::new("t");
    doc.article("Článek bez textu").clause("");
    let pdf = doc.to_pdf().unwrap();
    if let Some(text) = pdftotext(&pdf) {
        assert!(squash(&text).contains("Článek 1 Článek bez textu 1.1"));
    }
}

#[test]
fn a_very_long_word_is_broken_across_lines_and_pages() {
    let word: String = "ěščřžýáíéúůťďňó".repeat(400);
    let mut doc = Document::new("dlouhé slovo");
    doc.paragraph(format!("Začátek {word} konec."))
        .table([(word.as_str(), word.as_str())])
        .clause(word.as_str());
    let pdf = doc.to_pdf().unwrap();
    assert!(page_count(&pdf) >= 2);
    qpdf_check(&pdf);
    if let Some(text) = pdftotext(&pdf) {
        // Without the page footers the word crosses.
        let joined: String = text
            .lines()
            .filter(|l| !l.starts_with("Strana "))
            .flat_map(str::split_whitespace)
            .collect();
        assert!(joined.contains(&format!("Začátek{word}konec.")));
        assert!(joined.matches(word.as_str()).count() >= 2);
    }
}

#[test]
fn many_pages_get_numbered() {
    let mut doc = Document::new("mnoho stran");
    doc.page_footer("zápatí");
    for i in 0..12 {
        doc.heading(HeadingLevel::H2, format!("Oddíl {i}"));
        doc.page_break();
    }
    let pdf = doc.to_pdf().unwrap();
    assert_eq!(page_count(&pdf), 12);
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains("Strana 12 z 12"));
        assert!(text.contains("Strana 7 z 12"));
    }
}

#[test]
fn fonts_are_embedded() {
    let Some(out) = pdffonts(&sample().to_pdf().unwrap()) else {
        return;
    };
    let embedded = out.lines().filter(|l| l.contains("CID TrueType")).count();
    assert_eq!(embedded, 2, "{out}");
    for line in out.lines().filter(|l| l.contains("CID TrueType")) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&cols[3..7], ["Identity-H", "yes", "yes", "yes"], "{line}");
    }
}

#[test]
fn a_character_without_a_glyph_is_a_typed_error() {
    let mut doc = Document::new("t");
    doc.paragraph("čínský znak 中");
    assert_eq!(
        doc.to_pdf(),
        Err(ComposeError::MissingGlyph {
            ch: '中',
            font: "DejaVuSans"
        })
    );
}

#[test]
fn margins_that_leave_no_room_are_refused() {
    for margins in [
        Margins {
            top: 10.0,
            ..Margins::default()
        },
        Margins {
            left: 300.0,
            right: 300.0,
            ..Margins::default()
        },
        Margins {
            bottom: f32::NAN,
            ..Margins::default()
        },
    ] {
        let mut doc = Document::new("t");
        doc.margins(margins).paragraph("text");
        assert!(matches!(doc.to_pdf(), Err(ComposeError::InvalidMargins(_))));
    }
}

#[test]
fn an_invalid_date_is_refused() {
    let mut doc = Document::new("t");
    doc.creation_date(PdfDate::ymd(2026, 2, 30));
    assert!(matches!(doc.to_pdf(), Err(ComposeError::InvalidDate(_))));
}
