//! Typed errors of composing a PDF. Each one names what in the input (or in
//! an embedded font) could not be turned into a page.

/// Why a document could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// An embedded font could not be parsed.
    #[error("font {font} could not be read")]
    FontUnreadable {
        /// The font's name.
        font: &'static str,
    },
    /// The text has a character the font has no glyph for (an emoji, a
    /// control character, a script DejaVu Sans does not cover).
    #[error("character {ch:?} (U+{code:04X}) has no glyph in {font}", code = u32::from(*ch))]
    MissingGlyph {
        /// The character.
        ch: char,
        /// The font's name.
        font: &'static str,
    },
    /// The font subsetter refused the font.
    #[error("font {font} could not be subset: {reason}")]
    Subset {
        /// The font's name.
        font: &'static str,
        /// The subsetter's reason.
        reason: String,
    },
    /// The margins leave no room for text, or are not finite.
    #[error("margins {0} leave no room for text on an A4 page")]
    InvalidMargins(String),
    /// A creation date that is not a calendar date.
    #[error("creation date {0} is not a valid date")]
    InvalidDate(String),
    /// The document would have more pages than the limit.
    #[error("document would have more than {max} pages")]
    TooManyPages {
        /// The limit ([`crate::MAX_PAGES`]).
        max: usize,
    },
    /// The PDF writer failed.
    #[error("PDF could not be written: {0}")]
    Pdf(String),
}

impl From<lopdf::Error> for ComposeError {
    fn from(e: lopdf::Error) -> Self {
        ComposeError::Pdf(e.to_string())
    }
}

impl From<std::io::Error> for ComposeError {
    fn from(e: std::io::Error) -> Self {
        ComposeError::Pdf(e.to_string())
    }
}
