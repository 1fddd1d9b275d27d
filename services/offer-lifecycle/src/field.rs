//! Signature fields: where on the offer document each signature goes and who signs it.
//!
//! The fields are ordered as in the document; the seed's signing application activates them one after
//! another ("Pole postupně aktivujte k podpisu"), so the order is part of the offer.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::FieldId;
use crate::limits::{MAX_PAGES, MAX_PDF_COORDINATE};
use crate::text::FieldLabel;

/// Who signs a field. New roles (a second insured person, a legal guardian) may be added; match on it
/// with a wildcard arm outside this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignerRole {
    /// The client (klient), the policyholder who signs the offer.
    Client,
    /// The insurance agent (poradce) who brokered the offer.
    Agent,
}

impl SignerRole {
    /// The stable machine name (`client`, `agent`), as in the stored events;
    /// the form biometric envelopes bind to, whatever the language of the screens.
    pub fn code(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Agent => "agent",
        }
    }
}

impl fmt::Display for SignerRole {
    /// The role in Czech, as the error messages use it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Client => "klient",
            Self::Agent => "poradce",
        })
    }
}

/// A field's place on the document: a page (from 1) and a rectangle in PDF points (1/72 inch), origin
/// at the page's lower left corner as in PDF.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawRect")]
pub struct FieldRect {
    page: u16,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

#[derive(Deserialize)]
struct RawRect {
    page: u16,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl TryFrom<RawRect> for FieldRect {
    type Error = ValidationError;
    fn try_from(raw: RawRect) -> Result<Self, Self::Error> {
        Self::new(raw.page, raw.x, raw.y, raw.width, raw.height)
    }
}

impl FieldRect {
    /// Checks that the page is within 1..=[`MAX_PAGES`] and the rectangle is finite, not empty and
    /// inside the PDF coordinate limit.
    pub fn new(
        page: u16,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    ) -> Result<Self, ValidationError> {
        if !(1..=MAX_PAGES).contains(&page) {
            return Err(ValidationError::OutOfRange {
                what: "strana podpisového pole",
                range: "1 až 10000",
            });
        }
        let within = |v: f64| v.is_finite() && (0.0..=MAX_PDF_COORDINATE).contains(&v);
        let ok = within(x)
            && within(y)
            && within(width)
            && within(height)
            && width > 0.0
            && height > 0.0
            && within(x + width)
            && within(y + height);
        if !ok {
            return Err(ValidationError::OutOfRange {
                what: "umístění podpisového pole",
                range: "kladný obdélník do 14400 bodů",
            });
        }
        Ok(Self {
            page,
            x,
            y,
            width,
            height,
        })
    }

    /// The page, counted from 1.
    pub fn page(&self) -> u16 {
        self.page
    }

    /// The lower left corner, in points.
    pub fn origin(&self) -> (f64, f64) {
        (self.x, self.y)
    }

    /// Width and height, in points.
    pub fn size(&self) -> (f64, f64) {
        (self.width, self.height)
    }
}

/// One signature field of the offer document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureField {
    /// The field's identifier, unique within the offer.
    pub id: FieldId,
    /// Who signs it.
    pub role: SignerRole,
    /// Where it is.
    pub rect: FieldRect,
    /// What the signing application shows for it.
    pub label: Option<FieldLabel>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_must_lie_on_a_page_inside_the_pdf_limits() {
        assert!(FieldRect::new(1, 72.0, 72.0, 200.0, 50.0).is_ok());
        assert!(FieldRect::new(0, 72.0, 72.0, 200.0, 50.0).is_err());
        assert!(FieldRect::new(1, 72.0, 72.0, 0.0, 50.0).is_err());
        assert!(FieldRect::new(1, f64::NAN, 72.0, 10.0, 50.0).is_err());
        assert!(FieldRect::new(1, 14_390.0, 72.0, 20.0, 50.0).is_err());
        let forged = r#"{"page":1,"x":-5.0,"y":0.0,"width":10.0,"height":10.0}"#;
        assert!(serde_json::from_str::<FieldRect>(forged).is_err());
    }
}
