//! A placed signature: which field, who signed, the hashes that bind it to the evidence, and the
//! quality metrics the edge agent measured.
//!
//! The quality thresholds that refuse a poor signature ("Podpis není platný. Podepište se znovu,
//! prosím." — e.g. narrower than 1 cm) are configuration of the edge agent, which shows the message on
//! the pad. The lifecycle records the metrics so the decision can be audited, and checks only that
//! they are plausible numbers.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::limits::{MAX_PEN_DOWN_MS, MAX_PEN_SAMPLES, MAX_SIGNATURE_WIDTH_MM};

/// What the edge agent measured on a signature.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawQuality")]
pub struct SignatureQuality {
    width_mm: f64,
    pen_down_ms: u32,
    samples: u32,
    pressure_variation: f64,
}

#[derive(Deserialize)]
struct RawQuality {
    width_mm: f64,
    pen_down_ms: u32,
    samples: u32,
    pressure_variation: f64,
}

impl TryFrom<RawQuality> for SignatureQuality {
    type Error = ValidationError;
    fn try_from(raw: RawQuality) -> Result<Self, Self::Error> {
        Self::new(
            raw.width_mm,
            raw.pen_down_ms,
            raw.samples,
            raw.pressure_variation,
        )
    }
}

impl SignatureQuality {
    /// Checks the metrics are plausible: a positive finite width up to [`MAX_SIGNATURE_WIDTH_MM`],
    /// pen-down time up to [`MAX_PEN_DOWN_MS`], 1 to [`MAX_PEN_SAMPLES`] samples, and a pressure
    /// variation (standard deviation of the normalised pressure) between 0 and 1.
    pub fn new(
        width_mm: f64,
        pen_down_ms: u32,
        samples: u32,
        pressure_variation: f64,
    ) -> Result<Self, ValidationError> {
        if !(width_mm.is_finite() && width_mm > 0.0 && width_mm <= MAX_SIGNATURE_WIDTH_MM) {
            return Err(ValidationError::OutOfRange {
                what: "šířka podpisu",
                range: "více než 0 a nejvýše 1000 mm",
            });
        }
        if pen_down_ms > MAX_PEN_DOWN_MS {
            return Err(ValidationError::OutOfRange {
                what: "doba psaní podpisu",
                range: "nejvýše 10 minut",
            });
        }
        if !(1..=MAX_PEN_SAMPLES).contains(&samples) {
            return Err(ValidationError::OutOfRange {
                what: "počet vzorků podpisu",
                range: "1 až 1000000",
            });
        }
        if !(pressure_variation.is_finite() && (0.0..=1.0).contains(&pressure_variation)) {
            return Err(ValidationError::OutOfRange {
                what: "proměnlivost přítlaku",
                range: "0 až 1",
            });
        }
        Ok(Self {
            width_mm,
            pen_down_ms,
            samples,
            pressure_variation,
        })
    }

    /// Width of the signature's bounding box, in millimetres.
    pub fn width_mm(&self) -> f64 {
        self.width_mm
    }

    /// Time the pen was down, in milliseconds.
    pub fn pen_down_ms(&self) -> u32 {
        self.pen_down_ms
    }

    /// Pen samples captured.
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// Standard deviation of the normalised pen pressure (0 to 1).
    pub fn pressure_variation(&self) -> f64 {
        self.pressure_variation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implausible_metrics_are_refused_even_when_read_from_a_stored_event() {
        assert!(SignatureQuality::new(42.0, 1_800, 360, 0.12).is_ok());
        assert!(SignatureQuality::new(0.0, 1_800, 360, 0.12).is_err());
        assert!(SignatureQuality::new(f64::INFINITY, 1_800, 360, 0.12).is_err());
        assert!(SignatureQuality::new(42.0, 1_800, 0, 0.12).is_err());
        assert!(SignatureQuality::new(42.0, 1_800, 360, 1.5).is_err());
        let forged = r#"{"width_mm":42.0,"pen_down_ms":1,"samples":1,"pressure_variation":-1.0}"#;
        assert!(serde_json::from_str::<SignatureQuality>(forged).is_err());
    }
}
