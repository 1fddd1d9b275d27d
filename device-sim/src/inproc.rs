//! The in-process transport: a [`SimPad`] and its [`Clock`] behind the
//! `stu_transport::Transport` trait, so host code drives the simulator exactly as a USB pad.

use std::time::Duration;

use stu_transport::{Transport, TransportError};

use crate::clock::{Clock, SimTime, TimeMode};
use crate::pad::{PadConfig, PadError, SimPad};

/// How long a stalled pad keeps the host waiting before the transport reports a timeout.
pub const STALL_TIMEOUT: Duration = Duration::from_millis(500);

/// A simulated pad reachable in-process.
#[derive(Debug)]
pub struct SimTransport {
    pad: SimPad,
    clock: Clock,
}

impl SimTransport {
    /// A pad from its configuration, on a clock of the given mode.
    pub fn new(config: PadConfig, time: TimeMode) -> SimTransport {
        SimTransport {
            pad: SimPad::new(config),
            clock: Clock::new(time),
        }
    }

    /// The pad (screen, counters, state).
    pub fn pad(&self) -> &SimPad {
        &self.pad
    }
    /// The pad, mutable (inject faults, play a script).
    pub fn pad_mut(&mut self) -> &mut SimPad {
        &mut self.pad
    }
    /// Current pad time.
    pub fn now(&self) -> SimTime {
        self.clock.now()
    }
    /// Plays a script starting now.
    pub fn play(&mut self, script: crate::script::PenScript) {
        let now = self.clock.now();
        self.pad.play(script, now);
    }

    fn map(&mut self, e: PadError) -> TransportError {
        match e {
            PadError::Unplugged => TransportError::Disconnected,
            PadError::Stalled => {
                self.clock.advance(STALL_TIMEOUT);
                TransportError::Timeout(STALL_TIMEOUT)
            }
            PadError::Rejected { id, reason } => TransportError::Rejected {
                id,
                reason: reason.to_string(),
            },
        }
    }
}

impl Transport for SimTransport {
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError> {
        let now = self.clock.now();
        self.pad.get_feature(id, len, now).map_err(|e| self.map(e))
    }

    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError> {
        let now = self.clock.now();
        self.pad.set_feature(report, now).map_err(|e| self.map(e))
    }

    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        let deadline = self.clock.now().saturating_add(timeout.as_micros() as u64);
        loop {
            let now = self.clock.now();
            match self.pad.next_input(now) {
                Ok(Some(r)) => return Ok(Some(r)),
                Ok(None) => {}
                Err(PadError::Stalled) => {
                    self.clock.advance_to(deadline);
                    return Ok(None);
                }
                Err(e) => return Err(self.map(e)),
            }
            if now >= deadline {
                return Ok(None);
            }
            let next = self
                .pad
                .next_event_time()
                .unwrap_or(deadline)
                .clamp(now + 1, deadline);
            self.clock.advance_to(next);
        }
    }

    fn wait(&mut self, duration: Duration) {
        self.clock.advance(duration);
    }
}
