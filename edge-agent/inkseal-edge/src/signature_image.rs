//! A signature's pen trace as drawings: the normalised strokes `pdf-seal` draws in the field's
//! rectangle, and a PNG of the same strokes. The PNG's SHA-256 is the `signature_image_sha256` of
//! the `FieldSigned` event; the escrow tool renders the decrypted trace with the same function,
//! so the hash can be recomputed from the envelope.

use biometric_envelope::TimeSeries;
use pdf_seal::PenPoint;
use tiny_skia::{LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

/// Width of the rendered PNG in pixels.
pub const PNG_WIDTH: u32 = 600;
/// Largest PNG height in pixels (very tall signatures are scaled down).
pub const PNG_MAX_HEIGHT: u32 = 600;

/// Pen-down strokes normalised to the signature's own bounding box (plus a 5 % margin), and the
/// width/height ratio of that box (pad units are square).
pub fn cropped_strokes(series: &TimeSeries) -> (Vec<Vec<PenPoint>>, f32) {
    let down = series.samples.iter().filter(|s| s.pen_down);
    let (mut x0, mut x1, mut y0, mut y1) = (u16::MAX, 0u16, u16::MAX, 0u16);
    for s in down {
        x0 = x0.min(s.x);
        x1 = x1.max(s.x);
        y0 = y0.min(s.y);
        y1 = y1.max(s.y);
    }
    if x0 > x1 {
        return (Vec::new(), 1.0);
    }
    let w = f32::from(x1 - x0).max(1.0);
    let h = f32::from(y1 - y0).max(1.0);
    let margin = 0.05 * w.max(h);
    let (bw, bh) = (w + 2.0 * margin, h + 2.0 * margin);
    let maxp = f32::from(series.channels.max_pressure.max(1));
    let mut strokes: Vec<Vec<PenPoint>> = Vec::new();
    let mut current = Vec::new();
    for s in &series.samples {
        if s.pen_down {
            current.push(PenPoint {
                x: (f32::from(s.x - x0) + margin) / bw,
                y: (f32::from(s.y - y0) + margin) / bh,
                pressure: (f32::from(s.pressure) / maxp).clamp(0.0, 1.0),
            });
        } else if !current.is_empty() {
            strokes.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        strokes.push(current);
    }
    (strokes, bw / bh)
}

/// Renders the signature as a PNG: dark ink on white, line width following pressure.
pub fn render_png(series: &TimeSeries) -> Result<Vec<u8>, String> {
    let (strokes, aspect) = cropped_strokes(series);
    let w = PNG_WIDTH;
    let h = ((w as f32 / aspect.max(0.01)).round() as u32).clamp(40, PNG_MAX_HEIGHT);
    let mut pixmap = Pixmap::new(w, h).ok_or("empty image")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let mut paint = Paint::default();
    paint.set_color_rgba8(12, 25, 115, 255);
    paint.anti_alias = true;
    for stroke in &strokes {
        for pair in stroke.windows(2) {
            let mut pb = PathBuilder::new();
            pb.move_to(pair[0].x * w as f32, pair[0].y * h as f32);
            pb.line_to(pair[1].x * w as f32 + 0.01, pair[1].y * h as f32);
            let Some(path) = pb.finish() else { continue };
            let p = (pair[0].pressure + pair[1].pressure) / 2.0;
            let st = Stroke {
                width: 1.0 + 3.0 * p,
                line_cap: LineCap::Round,
                line_join: LineJoin::Round,
                ..Stroke::default()
            };
            pixmap.stroke_path(&path, &paint, &st, Transform::identity(), None);
        }
    }
    pixmap.encode_png().map_err(|e| e.to_string())
}
