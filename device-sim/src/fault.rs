//! Faults on demand: what goes wrong (unplug, stall, corrupt or short report, busy status,
//! failed image write) and when (pad time, after N input reports, on a given report id).
//!
//! Text form (CLI `--fault`, pad config): `KIND[:N]@TRIGGER` with
//! KIND = `unplug` | `stall` | `corrupt` | `short` | `busy:N` (N status polls) | `image-fail`,
//! TRIGGER = `t=MS` (pad time in ms) | `input=N` (after N input reports) | `report=0xID`
//! (when the host sends a get/set of that report). Examples: `unplug@t=1500`,
//! `busy:40@report=0x20`, `corrupt@input=10`, `image-fail@report=0x27`.

use crate::clock::SimTime;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The pad disappears: every later call fails as disconnected.
    Unplug,
    /// The pad stops answering: requests time out, no input arrives.
    Stall,
    /// The next report out (input or feature reply) has its id byte garbled.
    CorruptReport,
    /// The next report out is cut to half its length.
    ShortReport,
    /// The next `polls` Status replies say the pad is busy (Calculation); commands that need
    /// Ready are refused meanwhile.
    Busy { polls: u32 },
    /// The next image commit fails (GraphicsImageTooLong).
    FailImageWrite,
}

/// When a fault fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// At this pad time (µs).
    At(SimTime),
    /// Once this many input reports have been sent.
    AfterInputReports(u64),
    /// When the host sends a get or set of this report id.
    OnReport(u8),
}

/// A fault and its trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultPlan {
    pub fault: Fault,
    pub trigger: Trigger,
}

/// A fault description that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault {0:?}: expected KIND[:N]@(t=MS|input=N|report=0xID)")]
pub struct FaultParseError(pub String);

impl FaultPlan {
    /// A fault plan.
    pub fn new(fault: Fault, trigger: Trigger) -> FaultPlan {
        FaultPlan { fault, trigger }
    }

    /// Parses the text form described in the module docs.
    pub fn parse(s: &str) -> Result<FaultPlan, FaultParseError> {
        let err = || FaultParseError(s.to_string());
        let (kind, trigger) = s.split_once('@').ok_or_else(err)?;
        let (name, arg) = match kind.split_once(':') {
            Some((n, a)) => (n, Some(a.parse::<u32>().map_err(|_| err())?)),
            None => (kind, None),
        };
        let fault = match (name, arg) {
            ("unplug", None) => Fault::Unplug,
            ("stall", None) => Fault::Stall,
            ("corrupt", None) => Fault::CorruptReport,
            ("short", None) => Fault::ShortReport,
            ("busy", Some(n)) => Fault::Busy { polls: n },
            ("busy", None) => Fault::Busy { polls: 1000 },
            ("image-fail", None) => Fault::FailImageWrite,
            _ => return Err(err()),
        };
        let (key, value) = trigger.split_once('=').ok_or_else(err)?;
        let trigger = match key {
            "t" => Trigger::At(
                value
                    .parse::<u64>()
                    .map_err(|_| err())?
                    .saturating_mul(1000),
            ),
            "input" => Trigger::AfterInputReports(value.parse().map_err(|_| err())?),
            "report" => {
                let hex = value.trim_start_matches("0x").trim_start_matches("0X");
                Trigger::OnReport(u8::from_str_radix(hex, 16).map_err(|_| err())?)
            }
            _ => return Err(err()),
        };
        Ok(FaultPlan { fault, trigger })
    }
}
