//! The pad's screen (LCD pixels plus the ink the pad drew) and its rendering to PNG, so a
//! person can see what the client saw.

use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

/// Bound on ink points kept per screen (beyond it the pad stops drawing).
pub const MAX_INK_POINTS: usize = 500_000;

/// One ink stroke in LCD pixel coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct InkStroke {
    pub color: [u8; 3],
    /// Line width in LCD pixels.
    pub width: f32,
    pub points: Vec<(f32, f32)>,
}

/// What the LCD shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub width: u16,
    pub height: u16,
    /// RGB, rows top to bottom.
    pub pixels: Vec<[u8; 3]>,
    pub strokes: Vec<InkStroke>,
    ink_points: usize,
}

/// Rendering failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("scale must be 1..=8")]
    BadScale,
    #[error("png encoding failed: {0}")]
    Png(String),
}

impl Screen {
    /// A screen filled with `background`.
    pub fn new(width: u16, height: u16, background: [u8; 3]) -> Screen {
        Screen {
            width,
            height,
            pixels: vec![background; usize::from(width) * usize::from(height)],
            strokes: Vec::new(),
            ink_points: 0,
        }
    }

    /// Fills a rectangle (inclusive corners, clipped) and removes ink inside it.
    pub fn fill(&mut self, x1: u16, y1: u16, x2: u16, y2: u16, color: [u8; 3]) {
        for y in y1..=y2.min(self.height.saturating_sub(1)) {
            for x in x1..=x2.min(self.width.saturating_sub(1)) {
                self.pixels[usize::from(y) * usize::from(self.width) + usize::from(x)] = color;
            }
        }
        let inside = |&(x, y): &(f32, f32)| {
            x >= f32::from(x1)
                && x < f32::from(x2) + 1.0
                && y >= f32::from(y1)
                && y < f32::from(y2) + 1.0
        };
        for s in &mut self.strokes {
            s.points.retain(|p| !inside(p));
        }
        self.strokes.retain(|s| !s.points.is_empty());
        self.ink_points = self.strokes.iter().map(|s| s.points.len()).sum();
    }

    /// Writes decoded image pixels into a rectangle.
    pub fn blit(&mut self, x1: u16, y1: u16, width: u32, pixels: &[[u8; 3]]) {
        let x2 = (u32::from(x1) + width).saturating_sub(1) as u16;
        let rows = pixels.len() / width.max(1) as usize;
        let y2 = (usize::from(y1) + rows).saturating_sub(1) as u16;
        self.fill(x1, y1, x2, y2, [255; 3]);
        for (i, p) in pixels.iter().enumerate() {
            let x = usize::from(x1) + i % width as usize;
            let y = usize::from(y1) + i / width as usize;
            if x < usize::from(self.width) && y < usize::from(self.height) {
                self.pixels[y * usize::from(self.width) + x] = *p;
            }
        }
    }

    /// Starts a stroke.
    pub fn begin_stroke(&mut self, color: [u8; 3], width: f32, at: (f32, f32)) {
        if self.ink_points < MAX_INK_POINTS {
            self.ink_points += 1;
            self.strokes.push(InkStroke {
                color,
                width,
                points: vec![at],
            });
        }
    }

    /// Extends the current stroke.
    pub fn extend_stroke(&mut self, at: (f32, f32)) {
        if self.ink_points < MAX_INK_POINTS
            && let Some(s) = self.strokes.last_mut()
        {
            self.ink_points += 1;
            s.points.push(at);
        }
    }

    /// Number of ink points drawn.
    pub fn ink_points(&self) -> usize {
        self.ink_points
    }

    /// Renders to PNG at `scale` × the LCD resolution (pixels enlarged, ink anti-aliased).
    pub fn to_png(&self, scale: u32) -> Result<Vec<u8>, RenderError> {
        if !(1..=8).contains(&scale) {
            return Err(RenderError::BadScale);
        }
        let (w, h) = (
            u32::from(self.width) * scale,
            u32::from(self.height) * scale,
        );
        let mut pixmap = Pixmap::new(w, h).ok_or(RenderError::Png("empty screen".into()))?;
        let data = pixmap.data_mut();
        for y in 0..h {
            for x in 0..w {
                let src = self.pixels
                    [(y / scale) as usize * usize::from(self.width) + (x / scale) as usize];
                let at = ((y * w + x) * 4) as usize;
                data[at..at + 4].copy_from_slice(&[src[0], src[1], src[2], 255]);
            }
        }
        let t = Transform::from_scale(scale as f32, scale as f32);
        for s in &self.strokes {
            let mut paint = Paint::default();
            paint.set_color_rgba8(s.color[0], s.color[1], s.color[2], 255);
            paint.anti_alias = true;
            if s.points.len() == 1 {
                let (x, y) = s.points[0];
                if let Some(dot) = PathBuilder::from_circle(x, y, s.width / 2.0) {
                    pixmap.fill_path(&dot, &paint, FillRule::Winding, t, None);
                }
                continue;
            }
            let mut pb = PathBuilder::new();
            pb.move_to(s.points[0].0, s.points[0].1);
            for &(x, y) in &s.points[1..] {
                pb.line_to(x, y);
            }
            if let Some(path) = pb.finish() {
                let stroke = Stroke {
                    width: s.width,
                    line_cap: LineCap::Round,
                    line_join: LineJoin::Round,
                    ..Stroke::default()
                };
                pixmap.stroke_path(&path, &paint, &stroke, t, None);
            }
        }
        pixmap
            .encode_png()
            .map_err(|e| RenderError::Png(e.to_string()))
    }
}
