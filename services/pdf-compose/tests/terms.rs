//! The FLEXI terms PDF: long enough, valid for qpdf, fonts embedded, Czech
//! text extractable exactly, the same bytes every time.

mod common;

use common::{page_count, pdffonts, pdftotext, qpdf_check, squash};
use pdf_compose::terms::{
    self, FLEXI_TERMS_CODE, FLEXI_TERMS_EFFECTIVE, FLEXI_TERMS_FILE_NAME, FLEXI_TERMS_NAME,
};

#[test]
fn the_terms_have_at_least_six_a4_pages() {
    let pdf = terms::flexi_terms().unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let pages = page_count(&pdf);
    assert!(pages >= 6, "{pages} pages");
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    for (_, page_id) in doc.get_pages() {
        let page = doc.get_dictionary(page_id).unwrap();
        let media_box = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let size: Vec<f32> = media_box.iter().map(|v| v.as_float().unwrap()).collect();
        assert_eq!(size, [0.0, 0.0, 595.28, 841.89]);
    }
}

#[test]
fn the_terms_are_small_because_the_fonts_are_subset() {
    let pdf = terms::flexi_terms().unwrap();
    // Each whole DejaVu font is over 700 kB; the subsets are a few tens.
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn the_terms_are_the_same_bytes_every_time() {
    assert_eq!(terms::flexi_terms().unwrap(), terms::flexi_terms().unwrap());
}

#[test]
fn the_terms_pass_qpdf_check() {
    qpdf_check(&terms::flexi_terms().unwrap());
}

#[test]
fn pdffonts_lists_both_fonts_embedded_subset_with_unicode_maps() {
    let Some(out) = pdffonts(&terms::flexi_terms().unwrap()) else {
        return;
    };
    let rows: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    for name in ["+DejaVuSans ", "+DejaVuSans-Bold "] {
        let row = rows
            .iter()
            .find(|r| r.contains(name))
            .unwrap_or_else(|| panic!("{name} missing:\n{out}"));
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type (2 words), encoding, emb, sub, uni, object id (2)
        assert_eq!(&cols[1..4], ["CID", "TrueType", "Identity-H"], "{row}");
        assert_eq!(&cols[4..7], ["yes", "yes", "yes"], "emb sub uni: {row}");
    }
}

#[test]
fn pdftotext_returns_the_czech_text_exactly() {
    let Some(text) = pdftotext(&terms::flexi_terms().unwrap()) else {
        return;
    };
    let text = squash(&text);
    for sentence in [
        FLEXI_TERMS_NAME,
        "Pojišťovna České spořitelny, a.s. (dále jen „pojistitel“ nebo „PČS“)",
        FLEXI_TERMS_CODE,
        FLEXI_TERMS_EFFECTIVE,
        "Článek 1 Úvodní ustanovení",
        "Článek 12 Biometrický podpis a úložiště dokumentů",
        "Přístupový kód k otevření dokumentu zašle pojistitel samostatně formou SMS na číslo \
         mobilního telefonu uvedené v pojistné smlouvě.",
        "e-mail obsahuje odkaz na dokument v úložišti.",
        "Spáchá-li pojištěný sebevraždu před uplynutím dvou let od uzavření pojistné smlouvy, \
         pojistitel pojistné plnění pro případ smrti neposkytne.",
        "obecným nařízením o ochraně osobních údajů (dále jen „GDPR“)",
        "Příloha č. 1 – Přehled důležitých lhůt",
        "ŽIVOTNÍ".to_lowercase().as_str(),
        "Strana 1 z ",
    ] {
        assert!(text.contains(sentence), "pdftotext lacks {sentence:?}");
    }
    let pages = page_count(&terms::flexi_terms().unwrap());
    assert!(text.contains(&format!("Strana {pages} z {pages}")));
}

#[test]
fn the_file_name_and_metadata() {
    assert_eq!(FLEXI_TERMS_FILE_NAME, "pojistne-podminky-FLEXI.pdf");
    let pdf = terms::flexi_terms().unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let title = info.get(b"Title").unwrap().as_str().unwrap();
    assert_eq!(&title[..2], [0xFE, 0xFF], "UTF-16BE with a byte order mark");
    let units: Vec<u16> = title[2..]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let title = String::from_utf16(&units).unwrap();
    assert_eq!(title, FLEXI_TERMS_NAME);
    assert!(doc.trailer.get(b"ID").is_ok());
}
