//! Conversions between tablet units, LCD pixels and millimetres for one model.
//!
//! Tablet → pixel follows the SDK demo: `px = x · screenWidth / tabletMaxX`. Tablet units are
//! `resolution` per inch (2540 lpi ⇒ 0.01 mm per unit).

use crate::model::Capabilities;

/// Millimetres per inch.
const MM_PER_INCH: f64 = 25.4;

/// Unit conversions for one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Units {
    max_x: u16,
    max_y: u16,
    width: u16,
    height: u16,
    units_per_mm: f64,
}

impl Units {
    /// Conversions for a capability row.
    pub fn new(caps: &Capabilities) -> Units {
        Units {
            max_x: caps.tablet_max_x.max(1),
            max_y: caps.tablet_max_y.max(1),
            width: caps.screen_width.max(1),
            height: caps.screen_height.max(1),
            units_per_mm: f64::from(caps.resolution.max(1)) / MM_PER_INCH,
        }
    }

    /// Tablet units → LCD pixel (integer, clamped to the screen).
    pub fn tablet_to_pixel(&self, x: u16, y: u16) -> (u16, u16) {
        let px = u32::from(x) * u32::from(self.width) / u32::from(self.max_x);
        let py = u32::from(y) * u32::from(self.height) / u32::from(self.max_y);
        (
            px.min(u32::from(self.width) - 1) as u16,
            py.min(u32::from(self.height) - 1) as u16,
        )
    }

    /// Tablet units → LCD pixels (fractional, for drawing).
    pub fn tablet_to_pixel_f(&self, x: u16, y: u16) -> (f32, f32) {
        (
            (f64::from(x) * f64::from(self.width) / f64::from(self.max_x)) as f32,
            (f64::from(y) * f64::from(self.height) / f64::from(self.max_y)) as f32,
        )
    }

    /// LCD pixel (its centre) → tablet units.
    pub fn pixel_to_tablet(&self, px: f64, py: f64) -> (u16, u16) {
        let x = (px * f64::from(self.max_x) / f64::from(self.width)).round();
        let y = (py * f64::from(self.max_y) / f64::from(self.height)).round();
        (clamp_u16(x, self.max_x), clamp_u16(y, self.max_y))
    }

    /// Tablet units → millimetres.
    pub fn tablet_to_mm(&self, x: u16, y: u16) -> (f64, f64) {
        (
            f64::from(x) / self.units_per_mm,
            f64::from(y) / self.units_per_mm,
        )
    }

    /// Millimetres → tablet units (clamped to the tablet range).
    pub fn mm_to_tablet(&self, x_mm: f64, y_mm: f64) -> (u16, u16) {
        (
            clamp_u16((x_mm * self.units_per_mm).round(), self.max_x),
            clamp_u16((y_mm * self.units_per_mm).round(), self.max_y),
        )
    }

    /// LCD pixels → millimetres.
    pub fn pixel_to_mm(&self, px: f64, py: f64) -> (f64, f64) {
        (
            px * f64::from(self.max_x) / f64::from(self.width) / self.units_per_mm,
            py * f64::from(self.max_y) / f64::from(self.height) / self.units_per_mm,
        )
    }

    /// Millimetres → LCD pixels (fractional).
    pub fn mm_to_pixel(&self, x_mm: f64, y_mm: f64) -> (f64, f64) {
        (
            x_mm * self.units_per_mm * f64::from(self.width) / f64::from(self.max_x),
            y_mm * self.units_per_mm * f64::from(self.height) / f64::from(self.max_y),
        )
    }

    /// Tablet size in millimetres.
    pub fn tablet_size_mm(&self) -> (f64, f64) {
        self.tablet_to_mm(self.max_x, self.max_y)
    }
}

fn clamp_u16(v: f64, max: u16) -> u16 {
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= f64::from(max) {
        max
    } else {
        v as u16
    }
}
