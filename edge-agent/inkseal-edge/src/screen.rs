//! The prompt screen shown on the pad for one signature field, drawn for the pad's model: its
//! resolution and colour depth decide the layout, the text size and the colours.
//!
//! ```text
//! ┌──────────────────────────────────────────┐
//! │ Podpis klienta – Jana Nováková    (1/2)  │  header: the field's label and its signer
//! │ Podepište se prosím do rámečku.          │  instruction, or the refusal in red
//! │ ┌──────────────────────────────────────┐ │
//! │ │                                      │ │  signing area (a baseline near its bottom)
//! │ │  ________________________________    │ │
//! │ └──────────────────────────────────────┘ │
//! │ [ Vymazat ]   [ Zrušit ]   [   OK   ]    │  buttons, hit-tested in pixels
//! └──────────────────────────────────────────┘
//! ```
//!
//! Pen positions arrive in tablet units; [`Layout::hit`] takes LCD pixels (convert with
//! `stu_protocol::Units::tablet_to_pixel`).

use stu_protocol::image::encode_for_model;
use stu_protocol::{Bitmap, Capabilities, ColourDepth, EncodedImage, ImageError, Model, Pixels};

use crate::font;
use crate::messages;

/// A button on the pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Button {
    /// Vymazat: clear the field and sign it again.
    Clear,
    /// Zrušit: cancel the whole session.
    Cancel,
    /// OK: accept the signature.
    Ok,
}

impl Button {
    /// The label drawn on the pad.
    pub fn label(self) -> &'static str {
        match self {
            Button::Clear => messages::BUTTON_CLEAR,
            Button::Cancel => messages::BUTTON_CANCEL,
            Button::Ok => messages::BUTTON_OK,
        }
    }
}

/// A rectangle of LCD pixels, `x1..x2` × `y1..y2` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    /// Left.
    pub x1: u16,
    /// Top.
    pub y1: u16,
    /// Right (exclusive).
    pub x2: u16,
    /// Bottom (exclusive).
    pub y2: u16,
}

impl PixelRect {
    /// True when the pixel is inside.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        (self.x1..self.x2).contains(&x) && (self.y1..self.y2).contains(&y)
    }
    /// The centre pixel.
    pub fn centre(&self) -> (u16, u16) {
        ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)
    }
    /// As the protocol's inclusive rectangle.
    pub fn to_stu(&self) -> stu_protocol::Rect {
        stu_protocol::Rect {
            x1: self.x1,
            y1: self.y1,
            x2: self.x2 - 1,
            y2: self.y2 - 1,
        }
    }
    /// Shrinks by `m` pixels on every side.
    pub fn inset(&self, m: u16) -> PixelRect {
        PixelRect {
            x1: self.x1 + m,
            y1: self.y1 + m,
            x2: self.x2 - m,
            y2: self.y2 - m,
        }
    }
}

/// Where everything is on one model's screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Screen width in pixels.
    pub width: u16,
    /// Screen height in pixels.
    pub height: u16,
    /// Font scale of the header.
    pub text_scale: u32,
    /// Font scale of the button labels.
    pub button_scale: u32,
    /// Where the signature goes.
    pub signing_area: PixelRect,
    /// The buttons, left to right.
    pub buttons: [(Button, PixelRect); 3],
}

impl Layout {
    /// The layout for a model's screen.
    pub fn for_caps(caps: &Capabilities) -> Layout {
        let (w, h) = (caps.screen_width, caps.screen_height);
        let (text_scale, button_scale) = match caps.model {
            Model::Stu300 => (1, 1),
            Model::Stu430 => (1, 2),
            _ => (2, 3),
        };
        let margin = (h / 60).max(2);
        let header_h = 2 * font::line_height(text_scale) as u16 + margin;
        let button_h = font::line_height(button_scale) as u16 + 2 * margin + 2;
        let button_top = h - margin - button_h;
        let signing_area = PixelRect {
            x1: margin,
            y1: header_h + margin,
            x2: w - margin,
            y2: button_top - margin,
        };
        let gap = margin * 2;
        let bw = (w - 2 * margin - 2 * gap) / 3;
        let mut buttons = [(Button::Clear, signing_area); 3];
        for (i, b) in [Button::Clear, Button::Cancel, Button::Ok]
            .into_iter()
            .enumerate()
        {
            let x1 = margin + i as u16 * (bw + gap);
            buttons[i] = (
                b,
                PixelRect {
                    x1,
                    y1: button_top,
                    x2: x1 + bw,
                    y2: button_top + button_h,
                },
            );
        }
        Layout {
            width: w,
            height: h,
            text_scale,
            button_scale,
            signing_area,
            buttons,
        }
    }

    /// Which button, if any, is at this pixel.
    pub fn hit(&self, x: u16, y: u16) -> Option<Button> {
        self.buttons
            .iter()
            .find(|(_, r)| r.contains(x, y))
            .map(|(b, _)| *b)
    }

    /// A button's rectangle.
    pub fn button(&self, b: Button) -> PixelRect {
        self.buttons
            .iter()
            .find(|(x, _)| *x == b)
            .map(|(_, r)| *r)
            .unwrap_or(self.signing_area)
    }
}

/// What the prompt says.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// First line: the field's label and its signer.
    pub title: String,
    /// Second line: the instruction, or why the last signature was refused.
    pub message: String,
    /// Draw the message as an error (red on colour pads).
    pub is_error: bool,
    /// "(1/2)": which field of how many.
    pub progress: String,
}

impl Prompt {
    /// The prompt for a field.
    pub fn for_field(label: &str, signer: &str, index: usize, total: usize) -> Prompt {
        Prompt {
            title: format!("{label} – {signer}"),
            message: messages::SIGN_HERE.to_owned(),
            is_error: false,
            progress: format!("({}/{})", index + 1, total),
        }
    }

    /// The same prompt, with the seed's refusal as its message.
    pub fn refused(mut self) -> Prompt {
        self.message = messages::SIGNATURE_INVALID.to_owned();
        self.is_error = true;
        self
    }
}

struct Canvas {
    w: u32,
    h: u32,
    rgb: Vec<u8>,
}

impl Canvas {
    fn set(&mut self, x: i64, y: i64, c: [u8; 3]) {
        if x >= 0 && y >= 0 && (x as u32) < self.w && (y as u32) < self.h {
            let i = (y as usize * self.w as usize + x as usize) * 3;
            self.rgb[i..i + 3].copy_from_slice(&c);
        }
    }
    fn fill(&mut self, r: PixelRect, c: [u8; 3]) {
        for y in r.y1..r.y2 {
            for x in r.x1..r.x2 {
                self.set(i64::from(x), i64::from(y), c);
            }
        }
    }
    fn outline(&mut self, r: PixelRect, t: u16, c: [u8; 3]) {
        self.fill(PixelRect { y2: r.y1 + t, ..r }, c);
        self.fill(PixelRect { y1: r.y2 - t, ..r }, c);
        self.fill(PixelRect { x2: r.x1 + t, ..r }, c);
        self.fill(PixelRect { x1: r.x2 - t, ..r }, c);
    }
    fn text(&mut self, s: &str, x: i64, y: i64, scale: u32, c: [u8; 3]) {
        font::draw_text(s, x, y, scale, |px, py| self.set(px, py, c));
    }
}

const WHITE: [u8; 3] = [255, 255, 255];
const BLACK: [u8; 3] = [0, 0, 0];

/// Draws the prompt as 24-bit RGB, rows top to bottom.
pub fn render(layout: &Layout, caps: &Capabilities, prompt: &Prompt) -> Vec<u8> {
    let colour = caps.colour == ColourDepth::Colour;
    let (w, h) = (u32::from(layout.width), u32::from(layout.height));
    let mut c = Canvas {
        w,
        h,
        rgb: vec![255; (w * h * 3) as usize],
    };
    let ink = if colour { [10, 30, 110] } else { BLACK };
    let error = if colour { [200, 0, 0] } else { BLACK };
    let s = layout.text_scale;
    let m = i64::from(layout.signing_area.x1);
    let progress_w = font::text_width(&prompt.progress, s);
    let title_room = w.saturating_sub(progress_w + 3 * m as u32);
    c.text(&font::fit(&prompt.title, title_room, s), m, 1, s, ink);
    c.text(&prompt.progress, i64::from(w - progress_w) - m, 1, s, ink);
    let msg_y = 1 + i64::from(font::line_height(s));
    let msg = font::fit(&prompt.message, w - 2 * m as u32, s);
    c.text(&msg, m, msg_y, s, if prompt.is_error { error } else { ink });
    let t = if layout.height >= 200 { 2 } else { 1 };
    let area = layout.signing_area;
    c.outline(area, t, if colour { [120, 120, 140] } else { BLACK });
    let base_y = area.y2 - (area.y2 - area.y1) / 4;
    let base = PixelRect {
        x1: area.x1 + (area.x2 - area.x1) / 12,
        y1: base_y,
        x2: area.x2 - (area.x2 - area.x1) / 12,
        y2: base_y + 1,
    };
    if colour {
        c.fill(base, [160, 160, 170]);
    } else {
        for x in (base.x1..base.x2).step_by(3) {
            c.set(i64::from(x), i64::from(base_y), BLACK);
        }
    }
    for (b, r) in layout.buttons {
        let (fill, text) = match (colour, b) {
            (true, Button::Clear) => ([90, 100, 120], WHITE),
            (true, Button::Cancel) => ([180, 40, 40], WHITE),
            (true, Button::Ok) => ([30, 140, 60], WHITE),
            (false, _) => (WHITE, BLACK),
        };
        c.fill(r, fill);
        c.outline(r, t, BLACK);
        let bs = layout.button_scale;
        let tw = font::text_width(b.label(), bs) as i64;
        let th = (font::line_height(bs) - 2 * bs) as i64;
        let x = i64::from(r.x1) + (i64::from(r.x2 - r.x1) - tw) / 2;
        let y = i64::from(r.y1) + (i64::from(r.y2 - r.y1) - th) / 2 - i64::from(bs);
        c.text(b.label(), x, y, bs, text);
    }
    c.rgb
}

/// Encodes a rendered screen in the model's wire format (mono or colour, zlib where supported).
pub fn encode(
    caps: &Capabilities,
    layout: &Layout,
    rgb: &[u8],
) -> Result<EncodedImage, ImageError> {
    let bitmap = Bitmap {
        width: u32::from(layout.width),
        height: u32::from(layout.height),
        pixels: Pixels::Rgb8(rgb),
    };
    encode_for_model(caps, &bitmap, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_gets_a_layout_that_fits_its_screen() {
        for model in Model::ALL {
            let caps = model.capabilities();
            let l = Layout::for_caps(caps);
            assert!(l.signing_area.y2 <= l.buttons[0].1.y1);
            assert!(l.buttons[2].1.x2 <= caps.screen_width);
            assert!(l.buttons[2].1.y2 <= caps.screen_height);
            for (b, r) in l.buttons {
                let (x, y) = r.centre();
                assert_eq!(l.hit(x, y), Some(b));
            }
            let (x, y) = l.signing_area.centre();
            assert_eq!(l.hit(x, y), None);
            let rgb = render(
                &l,
                caps,
                &Prompt::for_field("Podpis klienta", "Jana Nováková", 0, 2).refused(),
            );
            assert_eq!(
                rgb.len(),
                usize::from(caps.screen_width) * usize::from(caps.screen_height) * 3
            );
            encode(caps, &l, &rgb).unwrap();
        }
    }
}
