//! The visible handwritten signature: pen strokes drawn as vector paths in a
//! Form XObject, line width following pen pressure. No raster image is
//! involved, so the drawing stays sharp at any zoom and small in the file.

use crate::error::SealError;
use crate::pdf_syntax::format_real;

/// A rectangle in PDF user space (points, origin bottom-left of the page).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x1: f32,
    /// Bottom edge.
    pub y1: f32,
    /// Right edge.
    pub x2: f32,
    /// Top edge.
    pub y2: f32,
}

impl Rect {
    /// Width in points.
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    /// Height in points.
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    pub(crate) fn validate(&self, what: &str) -> Result<(), SealError> {
        let finite = [self.x1, self.y1, self.x2, self.y2]
            .iter()
            .all(|v| v.is_finite());
        if !finite || self.width() <= 0.0 || self.height() <= 0.0 {
            return Err(SealError::InvalidRect(what.to_owned()));
        }
        Ok(())
    }
}

/// One pen point, normalised: `x` and `y` in `0..=1` across the signing area
/// with the origin at its top-left corner (y grows downwards, as on the pad),
/// `pressure` in `0..=1`. Values outside are clamped; non-finite values are an
/// error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PenPoint {
    /// Horizontal position, 0 = left edge, 1 = right edge.
    pub x: f32,
    /// Vertical position, 0 = top edge, 1 = bottom edge.
    pub y: f32,
    /// Pen pressure, 0 = none, 1 = the pad's maximum.
    pub pressure: f32,
}

/// How the pen is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PenStyle {
    /// Line width at zero pressure, in points.
    pub min_width: f32,
    /// Line width at full pressure, in points.
    pub max_width: f32,
    /// Ink colour, RGB in `0..=1`.
    pub rgb: [f32; 3],
}

impl Default for PenStyle {
    /// A ballpoint look: 0.4 to 2.4 pt, dark blue ink.
    fn default() -> Self {
        Self {
            min_width: 0.4,
            max_width: 2.4,
            rgb: [0.05, 0.1, 0.45],
        }
    }
}

/// A handwritten signature to show in a rectangle on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct VisibleSignature {
    /// Page number, 1-based.
    pub page: u32,
    /// Where on the page, in points.
    pub rect: Rect,
    /// Name of the signature field in the offer (e.g. `client_signature`);
    /// becomes the annotation's `/NM` and must be unique in the document.
    pub name: String,
    /// Human-readable description (e.g. "Podpis klienta"), the annotation's
    /// `/Contents`.
    pub description: String,
    /// Pen-down strokes in capture order.
    pub strokes: Vec<Vec<PenPoint>>,
    /// Width / height of the area the points were normalised from. When
    /// given, the drawing keeps these proportions and is centred in `rect`;
    /// when `None`, it fills `rect`.
    pub source_aspect: Option<f32>,
    /// Pen width range and colour.
    pub pen: PenStyle,
}

/// Splits raw pad samples `(x, y, pressure, pen_down)` into normalised
/// pen-down strokes, and gives the aspect ratio to keep (pad units assumed
/// square). `max_*` are the pad's ranges.
pub fn strokes_from_pad<I>(
    samples: I,
    max_x: u16,
    max_y: u16,
    max_pressure: u16,
) -> (Vec<Vec<PenPoint>>, f32)
where
    I: IntoIterator<Item = (u16, u16, u16, bool)>,
{
    let (mx, my, mp) = (
        f32::from(max_x.max(1)),
        f32::from(max_y.max(1)),
        f32::from(max_pressure.max(1)),
    );
    let mut strokes: Vec<Vec<PenPoint>> = Vec::new();
    let mut current: Vec<PenPoint> = Vec::new();
    for (x, y, pressure, pen_down) in samples {
        if pen_down {
            current.push(PenPoint {
                x: f32::from(x) / mx,
                y: f32::from(y) / my,
                pressure: f32::from(pressure) / mp,
            });
        } else if !current.is_empty() {
            strokes.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        strokes.push(current);
    }
    (strokes, mx / my)
}

impl VisibleSignature {
    /// Total pen points over all strokes.
    pub fn point_count(&self) -> usize {
        self.strokes.iter().map(Vec::len).sum()
    }

    pub(crate) fn validate(&self, max_points: usize) -> Result<(), SealError> {
        self.rect.validate(&self.name)?;
        let points = self.point_count();
        if points > max_points {
            return Err(SealError::Limit {
                what: "pen points in one signature",
                value: points,
                max: max_points,
            });
        }
        let all_finite = self
            .strokes
            .iter()
            .flatten()
            .all(|p| p.x.is_finite() && p.y.is_finite() && p.pressure.is_finite());
        let pen_ok = [self.pen.min_width, self.pen.max_width]
            .iter()
            .all(|w| w.is_finite() && *w >= 0.0)
            && self.pen.rgb.iter().all(|c| c.is_finite());
        let aspect_ok = self.source_aspect.is_none_or(|a| a.is_finite() && a > 0.0);
        if !all_finite || !pen_ok || !aspect_ok {
            return Err(SealError::InvalidName {
                name: self.name.clone(),
                reason: "pen data contains non-finite values",
            });
        }
        Ok(())
    }

    /// Content stream of the appearance XObject, whose `/BBox` is
    /// `[0 0 width height]` of the rect.
    pub(crate) fn content_stream(&self) -> Vec<u8> {
        let (w, h) = (f64::from(self.rect.width()), f64::from(self.rect.height()));
        // Drawing area inside the box, keeping the source proportions.
        let (mut dw, mut dh) = (w, h);
        if let Some(aspect) = self.source_aspect {
            let aspect = f64::from(aspect);
            if w / h > aspect {
                dw = h * aspect;
            } else {
                dh = w / aspect;
            }
        }
        // Half the widest line as a margin, so strokes at the edge are not clipped.
        let margin = f64::from(self.pen.max_width.max(self.pen.min_width)) / 2.0;
        let (ox, oy) = ((w - dw) / 2.0 + margin, (h - dh) / 2.0 + margin);
        let (sw, sh) = ((dw - 2.0 * margin).max(0.0), (dh - 2.0 * margin).max(0.0));
        let pos = |p: &PenPoint| {
            let x = ox + f64::from(p.x.clamp(0.0, 1.0)) * sw;
            let y = oy + (1.0 - f64::from(p.y.clamp(0.0, 1.0))) * sh;
            (format_real(x), format_real(y))
        };
        let width = |pressure: f32| {
            let p = f64::from(pressure.clamp(0.0, 1.0));
            let (lo, hi) = (f64::from(self.pen.min_width), f64::from(self.pen.max_width));
            // Quantised to 0.05 pt so runs of similar pressure share one path.
            ((lo + (hi - lo) * p) * 20.0).round() / 20.0
        };

        let [r, g, b] = self
            .pen
            .rgb
            .map(|c| format_real(f64::from(c.clamp(0.0, 1.0))));
        let mut s = format!("q\n1 J 1 j\n{r} {g} {b} RG\n");
        for stroke in &self.strokes {
            match stroke.as_slice() {
                [] => {}
                [only] => {
                    let (x, y) = pos(only);
                    s.push_str(&format!(
                        "{} w {x} {y} m {x} {y} l S\n",
                        format_real(width(only.pressure))
                    ));
                }
                [first, rest @ ..] => {
                    let mut current: Option<f64> = None;
                    let mut prev = first;
                    for p in rest {
                        let w_seg = width((prev.pressure + p.pressure) / 2.0);
                        if current != Some(w_seg) {
                            if current.is_some() {
                                s.push_str(" S\n");
                            }
                            let (x, y) = pos(prev);
                            s.push_str(&format!("{} w {x} {y} m", format_real(w_seg)));
                            current = Some(w_seg);
                        }
                        let (x, y) = pos(p);
                        s.push_str(&format!(" {x} {y} l"));
                        prev = p;
                    }
                    s.push_str(" S\n");
                }
            }
        }
        s.push_str("Q\n");
        s.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(strokes: Vec<Vec<PenPoint>>) -> VisibleSignature {
        VisibleSignature {
            page: 1,
            rect: Rect {
                x1: 0.0,
                y1: 0.0,
                x2: 200.0,
                y2: 60.0,
            },
            name: "client_signature".into(),
            description: "Podpis klienta".into(),
            strokes,
            source_aspect: None,
            pen: PenStyle::default(),
        }
    }

    #[test]
    fn pressure_changes_the_line_width() {
        let light = PenPoint {
            x: 0.0,
            y: 0.5,
            pressure: 0.0,
        };
        let mid = PenPoint {
            x: 0.5,
            y: 0.5,
            pressure: 0.0,
        };
        let heavy = PenPoint {
            x: 1.0,
            y: 0.5,
            pressure: 1.0,
        };
        let text = String::from_utf8(sig(vec![vec![light, mid, heavy]]).content_stream()).unwrap();
        assert!(text.contains("0.4 w"), "{text}");
        assert!(text.contains("1.4 w"), "{text}");
        assert!(text.contains("0.05 0.1 0.45 RG"), "{text}");
        // Every operator is its own token.
        for token in text.split_whitespace() {
            assert!(
                token.parse::<f64>().is_ok()
                    || ["q", "Q", "J", "j", "RG", "w", "m", "l", "S"].contains(&token),
                "{token:?} in {text}"
            );
        }
    }

    #[test]
    fn pad_samples_split_into_pen_down_strokes() {
        let samples = [
            (0, 0, 10, true),
            (10, 10, 20, true),
            (20, 20, 0, false),
            (30, 30, 5, true),
        ];
        let (strokes, aspect) = strokes_from_pad(samples, 100, 50, 100);
        assert_eq!(strokes.len(), 2);
        assert_eq!(strokes[0].len(), 2);
        assert_eq!(
            strokes[1][0],
            PenPoint {
                x: 0.3,
                y: 0.6,
                pressure: 0.05
            }
        );
        assert_eq!(aspect, 2.0);
    }

    #[test]
    fn non_finite_points_are_refused() {
        let bad = sig(vec![vec![PenPoint {
            x: f32::NAN,
            y: 0.0,
            pressure: 0.0,
        }]]);
        assert!(bad.validate(10).is_err());
        let many = sig(vec![vec![
            PenPoint {
                x: 0.0,
                y: 0.0,
                pressure: 0.0
            };
            11
        ]]);
        assert!(matches!(many.validate(10), Err(SealError::Limit { .. })));
    }
}
