//! Pen scripts: what the simulated pen does over time, in millimetres on the tablet surface.
//!
//! # File format (`.pen`)
//! UTF-8 text, one event per line; `#` starts a comment; blank lines are ignored.
//!
//! ```text
//! # t_ms  x_mm   y_mm   pressure
//! 0       12.50  30.00  0.00      # pen hovers (in proximity, no pressure)
//! 5       12.62  30.10  0.35      # pressure is a fraction 0..1 of the model's maximum
//! 10      12.80  30.25  0.52
//! 250     up                      # pen leaves proximity
//! ```
//!
//! * `t_ms` — time in milliseconds from the start of the script, non-decreasing.
//! * `x_mm`, `y_mm` — position from the tablet's top-left corner.
//! * `pressure` — 0.0 (hovering) to 1.0 (full pressure).
//! * `t_ms up` — the pen leaves proximity until the next sample.
//!
//! Between two samples the pen moves linearly; the pad samples it at its report rate. After
//! the last line the pen is out of proximity. A script holds at most [`MAX_SCRIPT_POINTS`].

use std::fmt::Write as _;

use stu_protocol::{Model, Rect, Units};

use crate::signature::{SignatureSpec, generate_strokes};

/// Bound on events in one script.
pub const MAX_SCRIPT_POINTS: usize = 1_000_000;

/// Pen position and pressure at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PenState {
    pub x_mm: f64,
    pub y_mm: f64,
    /// 0..=1 of the model's maximum pressure.
    pub pressure: f64,
}

/// One script event: a sample, or the pen leaving proximity (`state == None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScriptEvent {
    pub t_ms: f64,
    pub state: Option<PenState>,
}

/// Why a script was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("line {line}: {reason}")]
    Syntax { line: usize, reason: String },
    #[error("line {line}: time goes backwards")]
    TimeBackwards { line: usize },
    #[error("script has more than {MAX_SCRIPT_POINTS} events")]
    TooLong,
    #[error("reading script: {0}")]
    Io(String),
}

/// A timed pen script.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PenScript {
    events: Vec<ScriptEvent>,
}

/// A rectangle on the tablet surface, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RectMm {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl RectMm {
    /// The part of the tablet under a rectangle of LCD pixels.
    pub fn from_pixels(model: Model, r: Rect) -> RectMm {
        let u = Units::new(model.capabilities());
        let (x1, y1) = u.pixel_to_mm(f64::from(r.x1), f64::from(r.y1));
        let (x2, y2) = u.pixel_to_mm(f64::from(r.x2) + 1.0, f64::from(r.y2) + 1.0);
        RectMm {
            x: x1,
            y: y1,
            width: x2 - x1,
            height: y2 - y1,
        }
    }
}

impl PenScript {
    /// A script from events (checked: times non-decreasing, finite values, bounded length).
    pub fn from_events(events: Vec<ScriptEvent>) -> Result<PenScript, ScriptError> {
        if events.len() > MAX_SCRIPT_POINTS {
            return Err(ScriptError::TooLong);
        }
        for (i, w) in events.windows(2).enumerate() {
            if w[1].t_ms < w[0].t_ms || !w[1].t_ms.is_finite() {
                return Err(ScriptError::TimeBackwards { line: i + 2 });
            }
        }
        Ok(PenScript { events })
    }

    /// An empty script (the pen never comes near).
    pub fn empty() -> PenScript {
        PenScript::default()
    }

    /// Starts a builder.
    pub fn builder(model: Model) -> ScriptBuilder {
        ScriptBuilder {
            model,
            events: Vec::new(),
            t_ms: 0.0,
        }
    }

    /// The events.
    pub fn events(&self) -> &[ScriptEvent] {
        &self.events
    }

    /// Time of the last event.
    pub fn duration_ms(&self) -> f64 {
        self.events.last().map_or(0.0, |e| e.t_ms)
    }

    /// Pen state at `t_ms` (`None` = out of proximity).
    pub fn state_at(&self, t_ms: f64) -> Option<PenState> {
        let i = self.events.partition_point(|e| e.t_ms <= t_ms);
        if i == 0 || i >= self.events.len() {
            // Before the first event, or at/after the last: the last event itself still counts
            // when exactly on it.
            if i == self.events.len() && i > 0 && self.events[i - 1].t_ms == t_ms {
                return self.events[i - 1].state;
            }
            return None;
        }
        let a = self.events[i - 1];
        let b = self.events[i];
        let sa = a.state?;
        match b.state {
            None => Some(sa),
            Some(sb) => {
                let span = b.t_ms - a.t_ms;
                let f = if span > 0.0 {
                    (t_ms - a.t_ms) / span
                } else {
                    0.0
                };
                Some(PenState {
                    x_mm: sa.x_mm + (sb.x_mm - sa.x_mm) * f,
                    y_mm: sa.y_mm + (sb.y_mm - sa.y_mm) * f,
                    pressure: sa.pressure + (sb.pressure - sa.pressure) * f,
                })
            }
        }
    }

    /// Parses the text format.
    pub fn parse(text: &str) -> Result<PenScript, ScriptError> {
        let mut events = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            if events.len() >= MAX_SCRIPT_POINTS {
                return Err(ScriptError::TooLong);
            }
            let syntax = |reason: &str| ScriptError::Syntax {
                line,
                reason: reason.to_string(),
            };
            let fields: Vec<&str> = content.split_whitespace().collect();
            let num = |s: &str| {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| syntax("not a number"))
            };
            let t_ms = num(fields[0])?;
            if t_ms < 0.0 {
                return Err(syntax("negative time"));
            }
            let state = match fields.as_slice() {
                [_, "up"] => None,
                [_, x, y, p] => {
                    let p = num(p)?;
                    if !(0.0..=1.0).contains(&p) {
                        return Err(syntax("pressure must be within 0..1"));
                    }
                    Some(PenState {
                        x_mm: num(x)?,
                        y_mm: num(y)?,
                        pressure: p,
                    })
                }
                _ => return Err(syntax("expected `t_ms x_mm y_mm pressure` or `t_ms up`")),
            };
            if let Some(prev) = events.last().map(|e: &ScriptEvent| e.t_ms)
                && t_ms < prev
            {
                return Err(ScriptError::TimeBackwards { line });
            }
            events.push(ScriptEvent { t_ms, state });
        }
        Ok(PenScript { events })
    }

    /// Reads a script file.
    pub fn load(path: &std::path::Path) -> Result<PenScript, ScriptError> {
        let meta = std::fs::metadata(path).map_err(|e| ScriptError::Io(e.to_string()))?;
        if meta.len() > 64 * 1024 * 1024 {
            return Err(ScriptError::TooLong);
        }
        PenScript::parse(
            &std::fs::read_to_string(path).map_err(|e| ScriptError::Io(e.to_string()))?,
        )
    }

    /// Writes the text format.
    pub fn to_text(&self) -> String {
        let mut out = String::from("# t_ms x_mm y_mm pressure\n");
        for e in &self.events {
            match e.state {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "{:.1} {:.3} {:.3} {:.3}",
                        e.t_ms, s.x_mm, s.y_mm, s.pressure
                    );
                }
                None => {
                    let _ = writeln!(out, "{:.1} up", e.t_ms);
                }
            }
        }
        out
    }
}

/// Builds a script step by step: signatures, taps, pauses.
#[derive(Debug, Clone)]
pub struct ScriptBuilder {
    model: Model,
    events: Vec<ScriptEvent>,
    t_ms: f64,
}

impl ScriptBuilder {
    fn lift(&mut self) {
        if matches!(self.events.last(), Some(ScriptEvent { state: Some(_), .. })) {
            self.events.push(ScriptEvent {
                t_ms: self.t_ms,
                state: None,
            });
        }
    }

    /// The pen stays away for `ms`.
    pub fn pause(mut self, ms: f64) -> ScriptBuilder {
        self.lift();
        self.t_ms += ms.max(0.0);
        self
    }

    /// One stroke of (x_mm, y_mm, pressure) samples, `dt_ms` apart, followed by a lift.
    pub fn stroke(mut self, points: &[(f64, f64, f64)], dt_ms: f64) -> ScriptBuilder {
        for &(x, y, p) in points {
            self.events.push(ScriptEvent {
                t_ms: self.t_ms,
                state: Some(PenState {
                    x_mm: x,
                    y_mm: y,
                    pressure: p.clamp(0.0, 1.0),
                }),
            });
            self.t_ms += dt_ms;
        }
        self.lift();
        self
    }

    /// A synthetic signature (seeded, reproducible) inside `area`.
    pub fn signature(mut self, spec: &SignatureSpec, area: RectMm) -> ScriptBuilder {
        for stroke in generate_strokes(spec, area) {
            self.t_ms += stroke.gap_before_ms;
            self = self.stroke(&stroke.points, stroke.dt_ms);
        }
        self
    }

    /// A synthetic signature inside a rectangle of LCD pixels.
    pub fn signature_in_pixels(self, spec: &SignatureSpec, area: Rect) -> ScriptBuilder {
        let mm = RectMm::from_pixels(self.model, area);
        self.signature(spec, mm)
    }

    /// A tap at (x_mm, y_mm): hover 20 ms, press 80 ms, lift.
    pub fn tap_mm(mut self, x: f64, y: f64) -> ScriptBuilder {
        let mut pts = Vec::new();
        for i in 0..4 {
            pts.push((x, y, 0.0 * f64::from(i)));
        }
        for p in [
            0.2, 0.45, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.45, 0.2,
        ] {
            pts.push((x, y, p));
        }
        for _ in 0..3 {
            pts.push((x, y, 0.0));
        }
        self = self.stroke(&pts, 5.0);
        self
    }

    /// A tap at an LCD pixel (e.g. the middle of a button the host drew).
    pub fn tap_pixel(self, px: u16, py: u16) -> ScriptBuilder {
        let u = Units::new(self.model.capabilities());
        let (x, y) = u.pixel_to_mm(f64::from(px) + 0.5, f64::from(py) + 0.5);
        self.tap_mm(x, y)
    }

    /// The script (bounded; the builder never produces times going backwards).
    pub fn build(self) -> Result<PenScript, ScriptError> {
        PenScript::from_events(self.events)
    }
}
