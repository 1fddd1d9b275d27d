//! Synthetic signatures: seeded, reproducible handwriting-like strokes with realistic speed
//! (tens to a few hundred mm/s) and pressure (ramps at touch-down and lift, varying with speed).
//!
//! The model is the classic "coupled oscillations" view of cursive writing: the pen drifts
//! right while oscillating at about 4–6 letters per second; letter heights vary per cycle
//! (ascenders, a capital first letter), the writing is slanted, and an underline ends it.
//! The generator uses its own small PRNG so the same seed gives the same signature on every
//! platform and version.

use crate::rng::SimRng;
use crate::script::RectMm;

/// Parameters of a synthetic signature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignatureSpec {
    /// Same seed, same signature.
    pub seed: u64,
    /// Number of pen-down words (1..=4).
    pub words: u8,
    /// Finish with an underline stroke.
    pub underline: bool,
}

impl SignatureSpec {
    /// Two words and an underline.
    pub fn new(seed: u64) -> SignatureSpec {
        SignatureSpec {
            seed,
            words: 2,
            underline: true,
        }
    }
}

/// One generated pen-down stroke, sampled every `dt_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedStroke {
    /// Pen away before this stroke.
    pub gap_before_ms: f64,
    pub dt_ms: f64,
    /// (x_mm, y_mm, pressure 0..1); first and last few samples hover (pressure 0).
    pub points: Vec<(f64, f64, f64)>,
}

/// A stroke before fitting: pen-away gap (ms) and (x, y, pressure) samples.
type RawStroke = (f64, Vec<(f64, f64, f64)>);

const DT_MS: f64 = 5.0;
const HOVER_SAMPLES: usize = 3;

fn smoothstep(f: f64) -> f64 {
    f * f * (3.0 - 2.0 * f)
}

/// Generates the strokes of a signature that fits inside `area`.
pub fn generate_strokes(spec: &SignatureSpec, area: RectMm) -> Vec<GeneratedStroke> {
    let mut rng = SimRng::new(spec.seed ^ 0x5EED_5EED_5EED_5EED);
    let words = spec.words.clamp(1, 4) as usize;
    // Work in a nominal frame (mm) and fit to the area at the end.
    let letter_h = 8.0;
    let slant = rng.range(0.15, 0.35);
    let freq = rng.range(4.0, 5.5); // letters per second
    let base_pressure = rng.range(0.45, 0.65);
    let mut strokes: Vec<RawStroke> = Vec::new();
    let mut x_cursor = 0.0;
    for w in 0..words {
        let letters = (rng.range(4.0, 9.0)) as usize;
        let spacing = rng.range(4.5, 6.5);
        let duration = letters as f64 / freq;
        let n = (duration * 1000.0 / DT_MS) as usize;
        let amps: Vec<f64> = (0..=letters + 1)
            .map(|k| {
                if k == 0 && w == 0 {
                    rng.range(1.6, 2.0)
                } else {
                    let roll = rng.range(0.0, 1.0);
                    if roll < 0.25 {
                        rng.range(1.5, 2.0) // ascender
                    } else if roll < 0.35 {
                        rng.range(-0.9, -0.6) // descender
                    } else {
                        rng.range(0.45, 0.8)
                    }
                }
            })
            .collect();
        let phase_x = rng.range(-0.5, 0.5);
        let loop_x = spacing * rng.range(0.4, 0.6);
        let wobble_f = rng.range(0.5, 1.5);
        let mut pts = Vec::with_capacity(n + 2 * HOVER_SAMPLES);
        for i in 0..=n {
            let t = i as f64 * DT_MS / 1000.0;
            let theta = std::f64::consts::TAU * freq * t;
            let k = (theta / std::f64::consts::TAU) as usize;
            let f = smoothstep(theta / std::f64::consts::TAU - k as f64);
            let amp = amps[k.min(letters)] * (1.0 - f) + amps[(k + 1).min(letters + 1)] * f;
            let height = letter_h * amp * (0.5 - 0.5 * theta.cos());
            let y = -height + 0.6 * (wobble_f * t * 3.0).sin();
            let x = x_cursor
                + spacing * letters as f64 * (t / duration)
                + loop_x * (theta + phase_x).sin()
                - loop_x * phase_x.sin()
                + slant * height;
            pts.push((x, y));
        }
        // Pressure: ramp in/out, lower when fast.
        let speeds: Vec<f64> = pts
            .windows(2)
            .map(|p| ((p[1].0 - p[0].0).hypot(p[1].1 - p[0].1)) / (DT_MS / 1000.0))
            .collect();
        let mean_speed = speeds.iter().sum::<f64>() / speeds.len().max(1) as f64;
        let last = pts.len() - 1;
        let with_p: Vec<(f64, f64, f64)> = pts
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| {
                let s = speeds
                    .get(i.min(speeds.len().saturating_sub(1)))
                    .copied()
                    .unwrap_or(mean_speed);
                let ramp_in = ((i as f64 * DT_MS) / 30.0).min(1.0);
                let ramp_out = (((last - i) as f64 * DT_MS) / 40.0).min(1.0);
                let p = base_pressure
                    - 0.15 * ((s - mean_speed) / mean_speed.max(1.0)).clamp(-1.0, 1.0)
                    + 0.05 * (i as f64 * 0.07).sin();
                (x, y, (p * ramp_in * ramp_out).clamp(0.03, 0.95))
            })
            .collect();
        let gap = if w == 0 { 0.0 } else { rng.range(120.0, 260.0) };
        strokes.push((gap, with_p));
        x_cursor += spacing * letters as f64 + rng.range(5.0, 9.0);
    }
    if spec.underline {
        let x0 = rng.range(-2.0, 3.0);
        let x1 = x_cursor * rng.range(0.8, 1.0);
        let y0 = letter_h * 0.35;
        let bow = rng.range(-1.5, 1.5);
        let length = (x1 - x0).abs().max(1.0);
        let speed = rng.range(150.0, 260.0); // mm/s: an underline is quick
        let n = ((length / speed) * 1000.0 / DT_MS).max(8.0) as usize;
        let pts: Vec<(f64, f64, f64)> = (0..=n)
            .map(|i| {
                let f = i as f64 / n as f64;
                let x = x0 + (x1 - x0) * smoothstep(f);
                let y = y0 + bow * (std::f64::consts::PI * f).sin() + 0.8 * f;
                let p = (base_pressure * (1.0 - 0.7 * f)) * (f * 8.0).min(1.0);
                (x, y, p.clamp(0.03, 0.95))
            })
            .collect();
        strokes.push((rng.range(150.0, 300.0), pts));
    }
    fit(strokes, area)
}

/// Scales (uniformly) and moves the strokes into `area` with a 5 % margin, then adds the
/// hover samples around each stroke.
fn fit(strokes: Vec<RawStroke>, area: RectMm) -> Vec<GeneratedStroke> {
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (_, s) in &strokes {
        for &(x, y, _) in s {
            min_x = min_x.min(x);
            max_x = max_x.max(x);
            min_y = min_y.min(y);
            max_y = max_y.max(y);
        }
    }
    let (w, h) = ((max_x - min_x).max(1e-6), (max_y - min_y).max(1e-6));
    let (aw, ah) = (area.width * 0.9, area.height * 0.9);
    let scale = (aw / w).min(ah / h);
    let ox = area.x + (area.width - w * scale) / 2.0;
    let oy = area.y + (area.height - h * scale) / 2.0;
    strokes
        .into_iter()
        .map(|(gap, s)| {
            let mapped: Vec<(f64, f64, f64)> = s
                .iter()
                .map(|&(x, y, p)| (ox + (x - min_x) * scale, oy + (y - min_y) * scale, p))
                .collect();
            let first = mapped[0];
            let last = mapped[mapped.len() - 1];
            let mut points = Vec::with_capacity(mapped.len() + 2 * HOVER_SAMPLES);
            points.extend(std::iter::repeat_n((first.0, first.1, 0.0), HOVER_SAMPLES));
            points.extend(mapped);
            points.extend(std::iter::repeat_n((last.0, last.1, 0.0), HOVER_SAMPLES));
            GeneratedStroke {
                gap_before_ms: gap,
                dt_ms: DT_MS,
                points,
            }
        })
        .collect()
}
