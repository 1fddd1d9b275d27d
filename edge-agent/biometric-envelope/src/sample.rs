//! A synthetic signature trace for demos, tests and benchmarks: two pen-down
//! strokes with a short lift between them, pressure rising and falling, on an
//! STU-530-like channel description. No real person's biometrics are ever
//! generated here.

use crate::{ChannelInfo, Sample, TimeSeries};

/// An STU-530-like channel description: 0.01 mm units, 1024 pressure levels, 200 Hz.
pub fn stu530_channels() -> ChannelInfo {
    ChannelInfo {
        max_x: 9600,
        max_y: 7200,
        max_pressure: 1023,
        x_units_per_metre: 100_000,
        y_units_per_metre: 100_000,
        sample_rate_hz: 200,
    }
}

/// A signature-like trace of `samples` samples at 200 Hz (240 make 1.2 s); `seed` shifts
/// its curve, so traces of different seeds differ. The pen is lifted for the middle
/// twelfth of the samples.
pub fn signature_trace(seed: u32, samples: u32) -> TimeSeries {
    let lift = samples * 11 / 24..samples * 13 / 24;
    let samples = (0..samples)
        .map(|i| {
            let phase = f64::from(i.wrapping_add(seed)) / 12.0;
            let pen_down = !lift.contains(&i);
            Sample {
                x: (1500.0 + f64::from(i) * 20.0).min(9600.0) as u16,
                y: (3600.0 + 900.0 * phase.sin()) as u16,
                pressure: if pen_down {
                    (300.0 + 250.0 * (phase / 2.0).cos().abs()) as u16
                } else {
                    0
                },
                t_us: i.saturating_mul(5_000),
                pen_down,
            }
        })
        .collect();
    TimeSeries {
        channels: stu530_channels(),
        samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_trace_has_its_length_a_lift_and_valid_samples() {
        let t = signature_trace(7, 240);
        assert_eq!(t.samples.len(), 240);
        assert_eq!(t.samples.iter().filter(|s| !s.pen_down).count(), 20);
        assert!(t.samples.iter().all(|s| s.x <= 9600 && s.pressure <= 1023));
        assert!(t.samples != signature_trace(8, 240).samples);
        t.validate().unwrap();
    }
}
