//! Composes text PDFs in Czech, and the product's insurance terms.
//!
//! [`Document`] builds an A4 document block by block: headings, paragraphs,
//! numbered articles and clauses ("Článek 3", "3.1 …"), bullet and lettered
//! lists, two-column key/value tables, page breaks, a header line and a
//! footer with "Strana N z M" on every page. Text is wrapped at spaces with
//! the Czech rules for one-letter words and dashes.
//!
//! The text is set in DejaVu Sans and DejaVu Sans Bold, shipped in the
//! crate (`fonts/`, with their licence) and embedded in every PDF as a
//! subset holding only the glyphs used (Type0 / CIDFontType2, Identity-H,
//! `/W` widths and a `/ToUnicode` CMap), so any viewer shows the diacritics
//! and text extraction (`pdftotext`, copy and paste, search) returns the
//! exact Czech text.
//!
//! [`terms`] builds the document the insurer publishes with every FLEXI
//! offer: the general insurance terms of the FLEXI life insurance.
//!
//! Architecture invariant: no I/O, no clock, no randomness; the same
//! document always gives the same bytes. Every failure is a typed
//! [`ComposeError`].

mod document;
mod error;
mod font;
mod layout;
pub mod terms;
mod writer;

pub use document::{Document, HeadingLevel, ListStyle, MAX_PAGES, Margins, PdfDate};
pub use error::ComposeError;
