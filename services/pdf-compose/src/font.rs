//! The two fonts the crate embeds (DejaVu Sans and DejaVu Sans Bold, shipped
//! in `fonts/` with their licence): character-to-glyph lookup and advance
//! widths.
//!
//! Widths are kept in thousandths of an em, rounded, because that is the unit
//! of the PDF `/W` array: the layout measures text with exactly the widths a
//! viewer advances by, so measured and drawn lines never disagree.

use ttf_parser::{Face, GlyphId};

use crate::error::ComposeError;

/// DejaVu Sans (version 2.37), see `fonts/LICENSE`.
const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold (version 2.37), see `fonts/LICENSE`.
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the two fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FontId {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

impl FontId {
    /// The font's name in a page's `/Resources`.
    pub(crate) fn resource_name(self) -> &'static str {
        match self {
            FontId::Regular => "F1",
            FontId::Bold => "F2",
        }
    }
}

/// One glyph of a character: its id in the whole font and its advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glyph {
    /// Glyph id in the original (not subset) font.
    pub gid: u16,
    /// Advance width in thousandths of an em.
    pub width: u16,
}

/// Font-wide metrics for the PDF font descriptor, in thousandths of an em.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metrics {
    pub bbox: [i64; 4],
    pub ascent: i64,
    pub descent: i64,
    pub cap_height: i64,
    pub italic_angle: i64,
    pub stem_v: i64,
}

/// A parsed embedded font.
pub(crate) struct Font {
    /// PostScript name, e.g. `DejaVuSans-Bold`.
    pub name: &'static str,
    /// The whole TrueType file.
    pub data: &'static [u8],
    face: Face<'static>,
    units_per_em: f32,
    bold: bool,
}

impl Font {
    fn load(name: &'static str, data: &'static [u8], bold: bool) -> Result<Font, ComposeError> {
        let face = Face::parse(data, 0).map_err(|_| ComposeError::FontUnreadable { font: name })?;
        let units_per_em = f32::from(face.units_per_em());
        if units_per_em <= 0.0 {
            return Err(ComposeError::FontUnreadable { font: name });
        }
        Ok(Font {
            name,
            data,
            face,
            units_per_em,
            bold,
        })
    }

    /// Font units to thousandths of an em.
    fn to_1000(&self, units: f32) -> i64 {
        (units * 1000.0 / self.units_per_em).round() as i64
    }

    /// The glyph of `ch`; a character the font cannot draw (no glyph, or a
    /// control character) is an error rather than a blank box, since a
    /// missing letter would change what a legal text says.
    pub(crate) fn glyph(&self, ch: char) -> Result<Glyph, ComposeError> {
        let missing = ComposeError::MissingGlyph {
            ch,
            font: self.name,
        };
        if ch.is_control() {
            return Err(missing);
        }
        let gid = match self.face.glyph_index(ch) {
            Some(GlyphId(0)) | None => return Err(missing),
            Some(g) => g,
        };
        Ok(Glyph {
            gid: gid.0,
            width: self.glyph_width(gid.0),
        })
    }

    /// Advance width of glyph `gid` in thousandths of an em.
    pub(crate) fn glyph_width(&self, gid: u16) -> u16 {
        let advance = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        u16::try_from(self.to_1000(f32::from(advance)).max(0)).unwrap_or(u16::MAX)
    }

    /// Width of `text` in thousandths of an em.
    pub(crate) fn text_units(&self, text: &str) -> Result<u32, ComposeError> {
        text.chars().try_fold(0u32, |sum, ch| {
            Ok(sum.saturating_add(u32::from(self.glyph(ch)?.width)))
        })
    }

    /// Width of `text` at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> Result<f32, ComposeError> {
        Ok(self.text_units(text)? as f32 * size / 1000.0)
    }

    /// Metrics for the font descriptor.
    pub(crate) fn metrics(&self) -> Metrics {
        let b = self.face.global_bounding_box();
        let ascent = self.to_1000(f32::from(self.face.ascender()));
        Metrics {
            bbox: [
                self.to_1000(f32::from(b.x_min)),
                self.to_1000(f32::from(b.y_min)),
                self.to_1000(f32::from(b.x_max)),
                self.to_1000(f32::from(b.y_max)),
            ],
            ascent,
            descent: self.to_1000(f32::from(self.face.descender())),
            cap_height: self
                .face
                .capital_height()
                .map_or(ascent, |h| self.to_1000(f32::from(h))),
            italic_angle: self.face.italic_angle().round() as i64,
            // The font file has no stem width; these are the usual estimates
            // for a regular and a bold sans serif.
            stem_v: if self.bold { 140 } else { 80 },
        }
    }
}

/// Both fonts, parsed once per composed document.
pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    /// Parses the embedded fonts.
    pub(crate) fn load() -> Result<Fonts, ComposeError> {
        Ok(Fonts {
            regular: Font::load("DejaVuSans", REGULAR_TTF, false)?,
            bold: Font::load("DejaVuSans-Bold", BOLD_TTF, true)?,
        })
    }

    /// One of the fonts.
    pub(crate) fn get(&self, id: FontId) -> &Font {
        match id {
            FontId::Regular => &self.regular,
            FontId::Bold => &self.bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_czech_letter_has_a_glyph_in_both_fonts() {
        let fonts = Fonts::load().unwrap();
        let czech = "ěščřžýáíéúůťďňóĚŠČŘŽÝÁÍÉÚŮŤĎŇÓ„“–§\u{a0}•…";
        for id in [FontId::Regular, FontId::Bold] {
            for ch in czech.chars() {
                let g = fonts.get(id).glyph(ch).unwrap();
                assert!(g.gid > 0 && g.width > 0, "{ch} in {id:?}");
            }
        }
    }

    #[test]
    fn a_cjk_or_a_control_character_is_a_typed_error() {
        let fonts = Fonts::load().unwrap();
        for ch in ['中', '\u{7}'] {
            assert_eq!(
                fonts.get(FontId::Regular).glyph(ch),
                Err(ComposeError::MissingGlyph {
                    ch,
                    font: "DejaVuSans"
                })
            );
        }
    }
}
