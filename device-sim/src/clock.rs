//! Simulated time: virtual (jumps straight to the next event — fastest, deterministic) or
//! scaled wall-clock time (1.0 = real time, 10.0 = ten times faster).

use std::time::{Duration, Instant};

/// Pad time in microseconds since the pad was powered up.
pub type SimTime = u64;

/// How simulated time relates to wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeMode {
    /// Time advances only when the host waits: a read with a timeout jumps to the next report.
    Virtual,
    /// Wall-clock time multiplied by this factor (> 0).
    Scaled(f64),
}

impl TimeMode {
    /// Real time.
    pub const REAL: TimeMode = TimeMode::Scaled(1.0);

    /// Parses "max"/"virtual" or a positive factor such as "1", "20".
    pub fn parse(s: &str) -> Option<TimeMode> {
        match s {
            "max" | "virtual" => Some(TimeMode::Virtual),
            other => other
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f > 0.0)
                .map(TimeMode::Scaled),
        }
    }
}

/// A pad's clock.
#[derive(Debug, Clone)]
pub struct Clock {
    mode: TimeMode,
    virtual_now: SimTime,
    start: Instant,
}

impl Clock {
    /// A clock at time 0.
    pub fn new(mode: TimeMode) -> Clock {
        Clock {
            mode,
            virtual_now: 0,
            start: Instant::now(),
        }
    }

    /// The mode.
    pub fn mode(&self) -> TimeMode {
        self.mode
    }

    /// Current pad time.
    pub fn now(&self) -> SimTime {
        match self.mode {
            TimeMode::Virtual => self.virtual_now,
            TimeMode::Scaled(f) => (self.start.elapsed().as_secs_f64() * f * 1e6) as SimTime,
        }
    }

    /// Lets time pass until `t` (virtual: jump; scaled: sleep the scaled difference).
    pub fn advance_to(&mut self, t: SimTime) {
        match self.mode {
            TimeMode::Virtual => self.virtual_now = self.virtual_now.max(t),
            TimeMode::Scaled(f) => {
                let now = self.now();
                if t > now {
                    std::thread::sleep(Duration::from_secs_f64((t - now) as f64 / 1e6 / f));
                }
            }
        }
    }

    /// Lets `d` of pad time pass.
    pub fn advance(&mut self, d: Duration) {
        let t = self.now().saturating_add(d.as_micros() as u64);
        self.advance_to(t);
    }
}
