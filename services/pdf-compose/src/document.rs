//! The document builder: what a caller adds (headings, paragraphs, numbered
//! articles and clauses, lists, key/value tables, page breaks) and the
//! document's metadata. [`Document::to_pdf`] lays it out and writes it.

use crate::error::ComposeError;
use crate::font::Fonts;
use crate::layout::{self, Furniture};
use crate::writer::{self, Metadata};

/// The most pages one document may have; more is [`ComposeError::TooManyPages`].
pub const MAX_PAGES: usize = 2000;

/// Page margins in PDF points (1/72 inch). Top and bottom hold the page
/// header and footer, so they must be at least 40 pt; left and right at
/// least 10 pt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// Above the text.
    pub top: f32,
    /// Right of the text.
    pub right: f32,
    /// Below the text.
    pub bottom: f32,
    /// Left of the text.
    pub left: f32,
}

impl Default for Margins {
    /// 25 mm top, 22 mm bottom, 21 mm left and right.
    fn default() -> Self {
        Margins {
            top: 72.0,
            right: 60.0,
            bottom: 64.0,
            left: 60.0,
        }
    }
}

/// A heading's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadingLevel {
    /// The document's title.
    H1,
    /// A section.
    H2,
}

/// How list items are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    /// `•`
    Bullet,
    /// `a)`, `b)`, `c)` …
    Letters,
}

/// A calendar date (and time, UTC) for the document's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfDate {
    /// Year, 1000–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

impl PdfDate {
    /// Midnight UTC of a date.
    pub fn ymd(year: u16, month: u8, day: u8) -> PdfDate {
        PdfDate {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
        }
    }

    /// The PDF date string `D:YYYYMMDDHHmm00Z`, or an error for a date
    /// that does not exist.
    pub(crate) fn to_pdf_string(self) -> Result<String, ComposeError> {
        let leap = self.year.is_multiple_of(4)
            && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400));
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        let valid = (1000..=9999).contains(&self.year)
            && (1..=days).contains(&self.day)
            && self.hour < 24
            && self.minute < 60;
        if !valid {
            return Err(ComposeError::InvalidDate(format!("{self:?}")));
        }
        Ok(format!(
            "D:{:04}{:02}{:02}{:02}{:02}00Z",
            self.year, self.month, self.day, self.hour, self.minute
        ))
    }
}

/// One piece of the document's flow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Heading(HeadingLevel, String),
    Paragraph(String),
    Article {
        number: u32,
        title: String,
    },
    Clause {
        number: String,
        text: String,
    },
    List {
        style: ListStyle,
        items: Vec<String>,
    },
    Table(Vec<(String, String)>),
    PageBreak,
}

/// A text document on A4 pages, built block by block.
///
/// ```
/// use pdf_compose::{Document, HeadingLevel, ListStyle};
///
/// let mut doc = Document::new("Pojistné podmínky");
/// doc.page_header("Pojišťovna – ukázka")
///     .page_footer("VPP 01/2027")
///     .heading(HeadingLevel::H1, "Pojistné podmínky")
///     .article("Úvodní ustanovení")
///     .clause("Pojištění se řídí občanským zákoníkem.")
///     .list(ListStyle::Letters, ["smrt", "dožití"]);
/// let pdf = doc.to_pdf().unwrap();
/// assert!(pdf.starts_with(b"%PDF-1.7"));
/// ```
///
/// Text is Unicode; every character must have a glyph in DejaVu Sans
/// (Latin, Greek, Cyrillic and common symbols), otherwise
/// [`ComposeError::MissingGlyph`]. Spaces and tabs separate words, `\n`
/// breaks a line. The same document always gives the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    title: String,
    author: Option<String>,
    subject: Option<String>,
    keywords: Option<String>,
    language: String,
    created: Option<PdfDate>,
    header: Option<String>,
    footer: Option<String>,
    margins: Margins,
    blocks: Vec<Block>,
    article: u32,
    clause: u32,
}

impl Document {
    /// An empty document; `title` is its metadata title (what a viewer
    /// shows in its title bar), not text on the page.
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            author: None,
            subject: None,
            keywords: None,
            language: "cs-CZ".to_string(),
            created: None,
            header: None,
            footer: None,
            margins: Margins::default(),
            blocks: Vec::new(),
            article: 0,
            clause: 0,
        }
    }

    /// The metadata author (e.g. the insurer).
    pub fn author(&mut self, author: impl Into<String>) -> &mut Self {
        self.author = Some(author.into());
        self
    }

    /// The metadata subject.
    pub fn subject(&mut self, subject: impl Into<String>) -> &mut Self {
        self.subject = Some(subject.into());
        self
    }

    /// The metadata keywords.
    pub fn keywords(&mut self, keywords: impl Into<String>) -> &mut Self {
        self.keywords = Some(keywords.into());
        self
    }

    /// The document's language tag (`/Lang`), `cs-CZ` unless set.
    pub fn language(&mut self, tag: impl Into<String>) -> &mut Self {
        self.language = tag.into();
        self
    }

    /// The creation date in the metadata. Without one the PDF has no date,
    /// so the output depends on nothing but the document.
    pub fn creation_date(&mut self, date: PdfDate) -> &mut Self {
        self.created = Some(date);
        self
    }

    /// A line of small text at the top of every page, above a rule.
    pub fn page_header(&mut self, text: impl Into<String>) -> &mut Self {
        self.header = Some(text.into());
        self
    }

    /// Small text at the bottom left of every page; the bottom right always
    /// says "Strana N z M".
    pub fn page_footer(&mut self, text: impl Into<String>) -> &mut Self {
        self.footer = Some(text.into());
        self
    }

    /// The page margins ([`Margins::default`] unless set).
    pub fn margins(&mut self, margins: Margins) -> &mut Self {
        self.margins = margins;
        self
    }

    /// A heading.
    pub fn heading(&mut self, level: HeadingLevel, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Heading(level, text.into()));
        self
    }

    /// A paragraph of body text, wrapped at spaces.
    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// The next article: "Článek N" and `title` centred on two lines.
    /// Articles are numbered 1, 2, 3 …; clauses after it are N.1, N.2 …
    pub fn article(&mut self, title: impl Into<String>) -> &mut Self {
        self.article = self.article.saturating_add(1);
        self.clause = 0;
        self.blocks.push(Block::Article {
            number: self.article,
            title: title.into(),
        });
        self
    }

    /// The next numbered clause of the current article ("3.1", "3.2" …;
    /// before any article just "1", "2" …), its text indented after the
    /// number.
    pub fn clause(&mut self, text: impl Into<String>) -> &mut Self {
        self.clause = self.clause.saturating_add(1);
        let number = if self.article == 0 {
            self.clause.to_string()
        } else {
            format!("{}.{}", self.article, self.clause)
        };
        self.blocks.push(Block::Clause {
            number,
            text: text.into(),
        });
        self
    }

    /// A list, indented to the clauses' text.
    pub fn list<I, S>(&mut self, style: ListStyle, items: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let items: Vec<String> = items.into_iter().map(Into::into).collect();
        if !items.is_empty() {
            self.blocks.push(Block::List { style, items });
        }
        self
    }

    /// A two-column table: keys (bold, shaded) on the left, values on the
    /// right, both wrapped.
    pub fn table<I, K, V>(&mut self, rows: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let rows: Vec<(String, String)> = rows
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        if !rows.is_empty() {
            self.blocks.push(Block::Table(rows));
        }
        self
    }

    /// Continue on a new page (nothing when already at the top of one).
    pub fn page_break(&mut self) -> &mut Self {
        self.blocks.push(Block::PageBreak);
        self
    }

    /// The PDF: A4 pages (at least one), DejaVu Sans subset and embedded,
    /// text extractable. Same document, same bytes.
    pub fn to_pdf(&self) -> Result<Vec<u8>, ComposeError> {
        let fonts = Fonts::load()?;
        let furniture = Furniture {
            header: self.header.as_deref(),
            footer: self.footer.as_deref(),
        };
        let pages = layout::compose(&fonts, &self.blocks, self.margins, &furniture, MAX_PAGES)?;
        let metadata = Metadata {
            title: &self.title,
            author: self.author.as_deref(),
            subject: self.subject.as_deref(),
            keywords: self.keywords.as_deref(),
            language: &self.language,
            created: self.created.map(PdfDate::to_pdf_string).transpose()?,
        };
        writer::write(&fonts, &pages, &metadata)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_are_numbered_within_their_article() {
        let mut doc = Document::new("t");
        doc.clause("a")
            .article("A")
            .clause("b")
            .clause("c")
            .article("B")
            .clause("d");
        let numbers: Vec<_> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Clause { number, .. } => Some(number.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, ["1", "1.1", "1.2", "2.1"]);
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            PdfDate::ymd(2027, 1, 1).to_pdf_string().unwrap(),
            "D:20270101000000Z"
        );
        assert!(PdfDate::ymd(2027, 2, 29).to_pdf_string().is_err());
        assert!(PdfDate::ymd(2028, 2, 29).to_pdf_string().is_ok());
        assert!(PdfDate::ymd(2027, 13, 1).to_pdf_string().is_err());
    }
}
