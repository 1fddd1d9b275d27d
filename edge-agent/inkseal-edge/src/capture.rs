//! Capturing one signature field: the prompt on the pad, inking on, pen points turned into a
//! [`TimeSeries`] until OK. A stroke that starts on a button is a press of that button, not ink:
//! **Vymazat** wipes what was captured and shows the field again, **Zrušit** ends the session,
//! **OK** hands the signature over for the quality check.
//!
//! The samples live only in the `TimeSeries`, whose memory is wiped when it is dropped (and on
//! Vymazat); nothing here logs or stores them.

use std::time::Duration;

use biometric_envelope::{ChannelInfo, Sample, TimeSeries};
use stu_protocol::pen::DEFAULT_INK_THRESHOLD;
use stu_protocol::{PenPoint, PenTracker, PenTransition};
use zeroize::Zeroize;

use crate::error::EdgeError;
use crate::pad::Pad;
use crate::screen::{self, Button, Layout, Prompt};

/// Bounds and timings of one field's capture.
#[derive(Debug, Clone)]
pub struct CaptureSettings {
    /// One read of the pad's input waits at most this long.
    pub read_timeout: Duration,
    /// Without OK for this long (counted in read timeouts without input), the session stops.
    pub field_timeout: Duration,
    /// Most pen points kept for one field.
    pub max_points: usize,
}

/// How a field's capture ended.
#[derive(Debug)]
pub enum FieldOutcome {
    /// OK was pressed; the signature (not yet quality-checked).
    Signed(TimeSeries),
    /// Zrušit was pressed.
    Cancelled,
}

/// What the signer did during a capture, for the session's progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureEvent {
    /// Vymazat was pressed: the field starts again.
    Cleared,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stroke {
    None,
    Ink,
    Press(Button),
    Outside,
}

/// Pad time in µs from the pad's 16-bit millisecond counter (unwrapped), or from the sample
/// count at the nominal rate when the pad sends no time.
struct PadClock {
    last_tc: Option<u16>,
    now_us: u64,
    period_us: u64,
}

impl PadClock {
    fn tick(&mut self, p: &PenPoint) -> u64 {
        match (p.time_count, self.last_tc) {
            (Some(tc), Some(last)) => self.now_us += u64::from(tc.wrapping_sub(last)) * 1000,
            (Some(_), None) => {}
            (None, _) => self.now_us += self.period_us,
        }
        if p.time_count.is_some() {
            self.last_tc = p.time_count;
        }
        self.now_us
    }
}

/// Shows `prompt` and captures the field until OK or Zrušit.
pub fn capture_field(
    pad: &mut Pad,
    layout: &Layout,
    prompt: &Prompt,
    settings: &CaptureSettings,
    mut on_event: impl FnMut(CaptureEvent),
) -> Result<FieldOutcome, EdgeError> {
    let caps = pad.identity().capabilities;
    let units = pad.units();
    let channels: ChannelInfo = pad.channel_info();
    let lost = |e: stu_transport::DriveError| EdgeError::PadLost(e.to_string());
    let image = screen::encode(caps, layout, &screen::render(layout, caps, prompt))
        .map_err(|e| EdgeError::PadLost(e.to_string()))?;
    pad.show(image.clone()).map_err(lost)?;
    pad.set_inking(true).map_err(lost)?;

    let mut series = TimeSeries {
        channels,
        samples: Vec::new(),
    };
    let mut tracker = PenTracker::new(DEFAULT_INK_THRESHOLD);
    let mut clock = PadClock {
        last_tc: None,
        now_us: 0,
        period_us: 1_000_000 / u64::from(caps.report_rate.max(1)),
    };
    let mut t0: Option<u64> = None;
    let mut stroke = Stroke::None;
    let idle_limit =
        (settings.field_timeout.as_millis() / settings.read_timeout.as_millis().max(1)).max(1);
    let mut idle = 0u128;
    loop {
        let Some(point) = pad.read_point(settings.read_timeout).map_err(lost)? else {
            idle += 1;
            if idle >= idle_limit {
                return Err(EdgeError::FieldTimeout(settings.field_timeout.as_secs()));
            }
            continue;
        };
        idle = 0;
        let t = clock.tick(&point);
        let s = point.sample;
        let (px, py) = units.tablet_to_pixel(s.x, s.y);
        let transition = tracker.update(&s);
        let started = t0.is_some();
        let mut record = |down: bool, series: &mut TimeSeries| -> Result<(), EdgeError> {
            if series.samples.len() >= settings.max_points {
                return Err(EdgeError::Limit {
                    what: "pen points of one signature",
                    max: settings.max_points,
                });
            }
            let start = *t0.get_or_insert(t);
            let t_us = u32::try_from(t - start).unwrap_or(u32::MAX);
            series.samples.push(Sample {
                x: s.x,
                y: s.y,
                pressure: s.pressure,
                t_us,
                pen_down: down,
            });
            Ok(())
        };
        match transition {
            PenTransition::Down => {
                stroke = match layout.hit(px, py) {
                    Some(b) => Stroke::Press(b),
                    None if layout.signing_area.contains(px, py) => Stroke::Ink,
                    None => Stroke::Outside,
                };
                if stroke == Stroke::Ink {
                    record(true, &mut series)?;
                }
            }
            PenTransition::Move => {
                if stroke == Stroke::Ink {
                    record(true, &mut series)?;
                }
            }
            PenTransition::Lift => {
                let ended = stroke;
                stroke = Stroke::None;
                match ended {
                    Stroke::Ink => {
                        if s.rdy {
                            record(false, &mut series)?;
                        }
                    }
                    Stroke::Press(Button::Ok) => return Ok(FieldOutcome::Signed(series)),
                    Stroke::Press(Button::Cancel) => return Ok(FieldOutcome::Cancelled),
                    Stroke::Press(Button::Clear) => {
                        series.samples.zeroize();
                        t0 = None;
                        on_event(CaptureEvent::Cleared);
                        pad.show(image.clone()).map_err(lost)?;
                        pad.set_inking(true).map_err(lost)?;
                    }
                    Stroke::None | Stroke::Outside => {}
                }
            }
            PenTransition::Up => {
                // Hovering over the signing area after the first stroke: part of the series.
                if s.rdy && started && layout.signing_area.contains(px, py) {
                    record(false, &mut series)?;
                }
            }
        }
    }
}
