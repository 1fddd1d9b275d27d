//! The storage site's pages, in Czech: askama templates under
//! `templates/storage/` (compiled in, escaped by default), one struct each.
//!
//! Every page shows the client line and the support e-mail ([`Frame`]); a page
//! that refuses says what to do next.

use askama::Template;
use offer_lifecycle::DocumentKind;

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The page's title.
    pub title: String,
    /// The client line as people read it.
    pub phone: String,
    /// The client line for a `tel:` link.
    pub phone_tel: String,
    /// The support e-mail.
    pub email: String,
}

/// The insurer's contacts shown on every page.
#[derive(Debug, Clone)]
pub struct Contact {
    /// The client line (`958 888 888`).
    pub phone: String,
    /// The support e-mail.
    pub email: String,
}

impl Contact {
    /// The client line as a page shows it: kept on one line (non-breaking spaces).
    pub fn phone_text(&self) -> String {
        self.phone.replace(' ', "\u{a0}")
    }

    /// A frame with `title`.
    pub fn frame(&self, title: &str) -> Frame {
        let digits: String = self.phone.chars().filter(char::is_ascii_digit).collect();
        let phone_tel = if digits.len() == 9 {
            format!("+420{digits}")
        } else {
            digits
        };
        Frame {
            title: title.to_owned(),
            phone: self.phone_text(),
            phone_tel,
            email: self.email.clone(),
        }
    }
}

/// The page that asks for the access code.
#[derive(Template)]
#[template(path = "storage/code.html")]
pub struct CodePage {
    /// Around it.
    pub frame: Frame,
    /// Where the form posts.
    pub action: String,
    /// Why the last code was not accepted.
    pub error: Option<String>,
    /// Until when link and code are valid.
    pub expires: String,
}

/// One document on the documents page.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    /// What the client reads as its title.
    pub title: String,
    /// What it is.
    pub description: String,
    /// The file name it downloads as.
    pub file_name: String,
    /// Its size, as people read it.
    pub size: String,
    /// SHA-256.
    pub sha256: String,
    /// Where it downloads from.
    pub href: String,
}

impl DocumentRow {
    /// Title and description of a kind of document.
    pub fn texts(kind: DocumentKind) -> (&'static str, &'static str) {
        match kind {
            DocumentKind::SignedOffer => (
                "Podepsaná nabídka",
                "Nabídka s vaším vlastnoručním podpisem a podpisem poradce, opatřená elektronickou pečetí pojišťovny.",
            ),
            DocumentKind::InsuranceTerms => (
                "Pojistné podmínky",
                "Všeobecné pojistné podmínky, které jsou součástí vaší pojistné smlouvy.",
            ),
        }
    }
}

/// The documents, after the right code.
#[derive(Template)]
#[template(path = "storage/documents.html")]
pub struct DocumentsPage {
    /// Around it.
    pub frame: Frame,
    /// The offer's number.
    pub offer_number: String,
    /// When the client signed.
    pub signed: String,
    /// When the insurer accepted it.
    pub accepted: String,
    /// Until when the storage is open.
    pub expires: String,
    /// The documents.
    pub documents: Vec<DocumentRow>,
    /// Where the logout form posts.
    pub logout: String,
}

/// A page that says something and what to do.
#[derive(Template)]
#[template(path = "storage/notice.html")]
pub struct NoticePage {
    /// Around it (its title is the heading).
    pub frame: Frame,
    /// What it says.
    pub paragraphs: Vec<String>,
    /// A link back to the code form, if that helps.
    pub back: Option<String>,
}

/// Sizes as Czech readers write them: `1,2 MB`, `850 kB`, `312 B`.
pub fn size_cs(bytes: u64) -> String {
    const KB: f64 = 1000.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / (KB * KB)).replace('.', ",")
    } else if b >= KB {
        format!("{:.0} kB", b / KB)
    } else {
        format!("{bytes} B")
    }
}

/// "Zbývají 3 pokusy": Czech plural of the tries left.
pub fn tries_left_cs(n: u32) -> String {
    match n {
        1 => "Zbývá 1 pokus".to_owned(),
        2..=4 => format!("Zbývají {n} pokusy"),
        _ => format!("Zbývá {n} pokusů"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_tries_read_as_czech() {
        assert_eq!(size_cs(1_048_576), "1,0 MB");
        assert_eq!(size_cs(250_400), "250 kB");
        assert_eq!(size_cs(12), "12 B");
        assert_eq!(tries_left_cs(4), "Zbývají 4 pokusy");
        assert_eq!(tries_left_cs(1), "Zbývá 1 pokus");
        assert_eq!(tries_left_cs(5), "Zbývá 5 pokusů");
    }

    #[test]
    fn pages_escape_what_they_show() {
        let contact = Contact {
            phone: "958 888 888".into(),
            email: "podpora@pojistovnacs.cz".into(),
        };
        let page = NoticePage {
            frame: contact.frame("Úložiště"),
            paragraphs: vec!["<script>alert(1)</script>".into()],
            back: None,
        };
        let html = page.render().unwrap();
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
        assert!(html.contains("tel:+420958888888"));
        assert!(html.contains("lang=\"cs\""));
    }
}
