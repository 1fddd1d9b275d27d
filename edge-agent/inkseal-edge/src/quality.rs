//! The signature quality check: a signature with too few characteristics is refused with the
//! seed's "Podpis není platný. Podepište se znovu, prosím." and signed again.
//!
//! No vendor publishes its thresholds; the seed gives one ("musí být např. širší než 1 cm"). The
//! defaults, all configurable under `[quality]`:
//!
//! | key | default | why |
//! | --- | --- | --- |
//! | `min_width_mm` | 10.0 | the seed: wider than 1 cm |
//! | `min_pen_down_ms` | 500 | half a second of writing |
//! | `min_pen_down_samples` | 100 | ≈ 0.5 s at the pads' 200 points/s |
//! | `min_pressure_variation` | 0.02 | the pressure must vary (std. dev. of pressure / pad maximum) |
//!
//! Every refusal records which threshold failed ([`Rejection`]).

use biometric_envelope::TimeSeries;
use serde::{Deserialize, Serialize};

/// The thresholds a signature must reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityThresholds {
    /// Minimum width of the signature's bounding box, in mm. Default 10.
    pub min_width_mm: f64,
    /// Minimum total pen-down time, in ms. Default 500.
    pub min_pen_down_ms: u32,
    /// Minimum number of pen-down samples. Default 100.
    pub min_pen_down_samples: u32,
    /// Minimum standard deviation of the normalised pressure (0..1). Default 0.02.
    pub min_pressure_variation: f64,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        QualityThresholds {
            min_width_mm: 10.0,
            min_pen_down_ms: 500,
            min_pen_down_samples: 100,
            min_pressure_variation: 0.02,
        }
    }
}

/// What was measured on a signature (no biometric values, only aggregates).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Width of the pen-down bounding box, mm.
    pub width_mm: f64,
    /// Height of the pen-down bounding box, mm.
    pub height_mm: f64,
    /// Total pen-down time, ms.
    pub pen_down_ms: u32,
    /// Pen-down samples.
    pub samples: u32,
    /// Pen-down strokes.
    pub strokes: u32,
    /// Standard deviation of the normalised pressure.
    pub pressure_variation: f64,
    /// Range of the normalised pressure (max − min).
    pub pressure_range: f64,
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// Nothing was written.
    #[error("podpis je prázdný")]
    Empty,
    /// Narrower than the minimum width.
    #[error("podpis je úzký: {width_mm:.1} mm, nejméně {min_mm:.1} mm")]
    TooNarrow {
        /// Measured.
        width_mm: f64,
        /// Required.
        min_mm: f64,
    },
    /// Written too briefly.
    #[error("podpis je krátký: {pen_down_ms} ms, nejméně {min_ms} ms")]
    TooShort {
        /// Measured.
        pen_down_ms: u32,
        /// Required.
        min_ms: u32,
    },
    /// Too few pen-down samples.
    #[error("podpis má málo bodů: {samples}, nejméně {min}")]
    TooFewSamples {
        /// Measured.
        samples: u32,
        /// Required.
        min: u32,
    },
    /// The pressure hardly varies.
    #[error("přítlak pera se nemění: {variation:.3}, nejméně {min:.3}")]
    FlatPressure {
        /// Measured.
        variation: f64,
        /// Required.
        min: f64,
    },
}

/// Measures a captured signature.
pub fn measure(series: &TimeSeries) -> Metrics {
    let ch = &series.channels;
    let ux = f64::from(ch.x_units_per_metre.max(1)) / 1000.0;
    let uy = f64::from(ch.y_units_per_metre.max(1)) / 1000.0;
    let maxp = f64::from(ch.max_pressure.max(1));
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (u16::MAX, 0u16, u16::MAX, 0u16);
    let (mut n, mut strokes, mut down_us) = (0u32, 0u32, 0u64);
    let (mut sum, mut sum2, mut pmin, mut pmax) = (0.0f64, 0.0f64, f64::MAX, 0.0f64);
    let mut prev: Option<(bool, u32)> = None;
    let period_us = 1_000_000 / u64::from(ch.sample_rate_hz.max(1));
    for s in &series.samples {
        if s.pen_down {
            n += 1;
            min_x = min_x.min(s.x);
            max_x = max_x.max(s.x);
            min_y = min_y.min(s.y);
            max_y = max_y.max(s.y);
            let p = f64::from(s.pressure) / maxp;
            sum += p;
            sum2 += p * p;
            pmin = pmin.min(p);
            pmax = pmax.max(p);
            match prev {
                Some((true, t)) => {
                    down_us += u64::from(s.t_us.saturating_sub(t)).min(period_us * 4)
                }
                _ => {
                    strokes += 1;
                    down_us += period_us;
                }
            }
        }
        prev = Some((s.pen_down, s.t_us));
    }
    if n == 0 {
        return Metrics {
            width_mm: 0.0,
            height_mm: 0.0,
            pen_down_ms: 0,
            samples: 0,
            strokes: 0,
            pressure_variation: 0.0,
            pressure_range: 0.0,
        };
    }
    let mean = sum / f64::from(n);
    let variance = (sum2 / f64::from(n) - mean * mean).max(0.0);
    Metrics {
        width_mm: f64::from(max_x - min_x) / ux,
        height_mm: f64::from(max_y - min_y) / uy,
        pen_down_ms: u32::try_from(down_us / 1000).unwrap_or(u32::MAX),
        samples: n,
        strokes,
        pressure_variation: variance.sqrt().min(1.0),
        pressure_range: (pmax - pmin).clamp(0.0, 1.0),
    }
}

/// Checks the metrics against the thresholds; the first failed threshold is the reason.
pub fn check(m: &Metrics, t: &QualityThresholds) -> Result<(), Rejection> {
    if m.samples == 0 {
        return Err(Rejection::Empty);
    }
    if m.width_mm < t.min_width_mm {
        return Err(Rejection::TooNarrow {
            width_mm: m.width_mm,
            min_mm: t.min_width_mm,
        });
    }
    if m.pen_down_ms < t.min_pen_down_ms {
        return Err(Rejection::TooShort {
            pen_down_ms: m.pen_down_ms,
            min_ms: t.min_pen_down_ms,
        });
    }
    if m.samples < t.min_pen_down_samples {
        return Err(Rejection::TooFewSamples {
            samples: m.samples,
            min: t.min_pen_down_samples,
        });
    }
    if m.pressure_variation < t.min_pressure_variation {
        return Err(Rejection::FlatPressure {
            variation: m.pressure_variation,
            min: t.min_pressure_variation,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use biometric_envelope::{ChannelInfo, Sample};

    fn series(width_units: u16, n: u32) -> TimeSeries {
        let channels = ChannelInfo {
            max_x: 9600,
            max_y: 6000,
            max_pressure: 1023,
            x_units_per_metre: 100_000,
            y_units_per_metre: 100_000,
            sample_rate_hz: 200,
        };
        let samples = (0..n)
            .map(|i| Sample {
                x: 1000 + (u32::from(width_units) * i / n.max(1)) as u16,
                y: 3000 + (i % 50) as u16 * 10,
                pressure: 200 + (i % 40) as u16 * 15,
                t_us: i * 5000,
                pen_down: true,
            })
            .collect();
        TimeSeries { channels, samples }
    }

    #[test]
    fn a_signature_narrower_than_one_centimetre_is_refused() {
        let m = measure(&series(900, 300));
        assert!(m.width_mm < 10.0);
        assert!(matches!(
            check(&m, &QualityThresholds::default()),
            Err(Rejection::TooNarrow { .. })
        ));
    }

    #[test]
    fn a_wide_long_signature_with_varying_pressure_passes() {
        let m = measure(&series(4000, 300));
        assert!(m.width_mm > 39.0 && m.width_mm < 41.0, "{m:?}");
        assert_eq!(m.samples, 300);
        assert!(m.pen_down_ms >= 1490);
        check(&m, &QualityThresholds::default()).unwrap();
    }

    #[test]
    fn a_short_scribble_is_refused() {
        let m = measure(&series(4000, 40));
        assert!(matches!(
            check(&m, &QualityThresholds::default()),
            Err(Rejection::TooShort { .. })
        ));
    }
}
