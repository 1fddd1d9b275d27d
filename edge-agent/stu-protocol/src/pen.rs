//! Pen data: the 6-byte pen sample, the input reports that carry it (plain and encrypted),
//! and a pen-down tracker that mirrors the pad's ink thresholds on the host.

use crate::error::ProtocolError;
use crate::ids::ReportId;
use crate::report::{EncryptionStatus, InkThreshold, be16, be32};

/// One pen sample as the pad measures it (tablet units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PenSample {
    /// Pen in proximity.
    pub rdy: bool,
    /// Switch bits (0..=7); non-zero = tip considered touching.
    pub sw: u8,
    /// 12-bit pressure (0..=4095; the model's maximum is lower).
    pub pressure: u16,
    pub x: u16,
    pub y: u16,
}

/// Highest value of the 12-bit pressure field.
pub const PRESSURE_FIELD_MAX: u16 = 0x0FFF;

impl PenSample {
    /// The sample the pad sends once when the pen leaves proximity.
    pub const OUT_OF_RANGE: PenSample = PenSample {
        rdy: false,
        sw: 0,
        pressure: 0,
        x: 0,
        y: 0,
    };

    /// Packs into the 6 wire bytes. Fails when `sw` > 7 or `pressure` > 4095.
    pub fn encode(&self) -> Result<[u8; 6], ProtocolError> {
        if self.sw > 7 {
            return Err(ProtocolError::bad(ReportId::PenData, "sw", self.sw));
        }
        if self.pressure > PRESSURE_FIELD_MAX {
            return Err(ProtocolError::bad(
                ReportId::PenData,
                "pressure",
                self.pressure,
            ));
        }
        let p = self.pressure.to_be_bytes();
        let x = self.x.to_be_bytes();
        let y = self.y.to_be_bytes();
        Ok([
            (u8::from(self.rdy) << 7) | (self.sw << 4) | p[0],
            p[1],
            x[0],
            x[1],
            y[0],
            y[1],
        ])
    }

    /// Unpacks 6 wire bytes (every bit pattern is a valid sample).
    pub fn decode(b: &[u8; 6]) -> PenSample {
        PenSample {
            rdy: b[0] & 0x80 != 0,
            sw: (b[0] >> 4) & 0x07,
            pressure: (u16::from(b[0] & 0x0F) << 8) | u16::from(b[1]),
            x: be16(b, 2),
            y: be16(b, 4),
        }
    }
}

/// Plaintext of a PenDataEncrypted (0x10) block: session id and two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedPenPair {
    pub session_id: u32,
    pub samples: [PenSample; 2],
}

impl EncryptedPenPair {
    /// Packs the 16 plaintext bytes.
    pub fn encode(&self) -> Result<[u8; 16], ProtocolError> {
        let mut out = [0u8; 16];
        out[0..4].copy_from_slice(&self.session_id.to_be_bytes());
        out[4..10].copy_from_slice(&self.samples[0].encode()?);
        out[10..16].copy_from_slice(&self.samples[1].encode()?);
        Ok(out)
    }
    /// Unpacks 16 plaintext bytes.
    pub fn decode(b: &[u8; 16]) -> EncryptedPenPair {
        EncryptedPenPair {
            session_id: be32(b, 0),
            samples: [
                PenSample::decode(&six(b, 4)),
                PenSample::decode(&six(b, 10)),
            ],
        }
    }
}

/// Plaintext of a PenDataTimeCountSequenceEncrypted (0x33) block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedTimedSample {
    pub sample: PenSample,
    pub time_count: u16,
    pub sequence: u16,
    pub session_id: u32,
}

impl EncryptedTimedSample {
    /// Packs the 16 plaintext bytes (sample, time, sequence, 2 padding bytes, session id).
    pub fn encode(&self) -> Result<[u8; 16], ProtocolError> {
        let mut out = [0u8; 16];
        out[0..6].copy_from_slice(&self.sample.encode()?);
        out[6..8].copy_from_slice(&self.time_count.to_be_bytes());
        out[8..10].copy_from_slice(&self.sequence.to_be_bytes());
        out[12..16].copy_from_slice(&self.session_id.to_be_bytes());
        Ok(out)
    }
    /// Unpacks 16 plaintext bytes.
    pub fn decode(b: &[u8; 16]) -> EncryptedTimedSample {
        EncryptedTimedSample {
            sample: PenSample::decode(&six(b, 0)),
            time_count: be16(b, 6),
            sequence: be16(b, 8),
            session_id: be32(b, 12),
        }
    }
}

fn six(b: &[u8], at: usize) -> [u8; 6] {
    let mut o = [0u8; 6];
    o.copy_from_slice(&b[at..at + 6]);
    o
}

/// An input report from the interrupt pipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputReport {
    /// 0x01: one plain sample.
    PenData(PenSample),
    /// 0x10: 16 bytes of AES ciphertext ([`EncryptedPenPair`] inside).
    PenDataEncrypted([u8; 16]),
    /// 0x34: sample, time count (ms, wraps) and sequence number (wraps).
    PenDataTimeCountSequence {
        sample: PenSample,
        time_count: u16,
        sequence: u16,
    },
    /// 0x33: 16 bytes of AES ciphertext ([`EncryptedTimedSample`] inside).
    PenDataTimeCountSequenceEncrypted([u8; 16]),
    /// 0x14: the pad's DH public key (v1 encryption).
    DevicePublicKey([u8; 16]),
    /// 0x50: encryption status (v2 encryption).
    EncryptionStatus(EncryptionStatus),
}

impl InputReport {
    /// The report id.
    pub fn id(&self) -> ReportId {
        match self {
            InputReport::PenData(_) => ReportId::PenData,
            InputReport::PenDataEncrypted(_) => ReportId::PenDataEncrypted,
            InputReport::PenDataTimeCountSequence { .. } => ReportId::PenDataTimeCountSequence,
            InputReport::PenDataTimeCountSequenceEncrypted(_) => {
                ReportId::PenDataTimeCountSequenceEncrypted
            }
            InputReport::DevicePublicKey(_) => ReportId::DevicePublicKey,
            InputReport::EncryptionStatus(_) => ReportId::EncryptionStatus,
        }
    }

    /// Encodes to the exact input report bytes.
    pub fn encode(&self) -> Result<Vec<u8>, ProtocolError> {
        let id = self.id();
        let mut b = vec![0u8; id.len()];
        b[0] = id as u8;
        match self {
            InputReport::PenData(s) => b[1..7].copy_from_slice(&s.encode()?),
            InputReport::PenDataEncrypted(c)
            | InputReport::PenDataTimeCountSequenceEncrypted(c)
            | InputReport::DevicePublicKey(c) => b[1..17].copy_from_slice(c),
            InputReport::PenDataTimeCountSequence {
                sample,
                time_count,
                sequence,
            } => {
                b[1..7].copy_from_slice(&sample.encode()?);
                b[7..9].copy_from_slice(&time_count.to_be_bytes());
                b[9..11].copy_from_slice(&sequence.to_be_bytes());
            }
            InputReport::EncryptionStatus(s) => {
                return crate::report::FeatureReport::EncryptionStatus(*s).encode();
            }
        }
        Ok(b)
    }

    /// Decodes an input report (id at byte 0, exact length).
    pub fn decode(b: &[u8]) -> Result<InputReport, ProtocolError> {
        let first = *b.first().ok_or(ProtocolError::Empty)?;
        let id = ReportId::from_u8(first)?;
        if !id.direction().input {
            return Err(ProtocolError::WrongDirection(first));
        }
        id.check(b)?;
        let block = |at: usize| {
            let mut o = [0u8; 16];
            o.copy_from_slice(&b[at..at + 16]);
            o
        };
        Ok(match id {
            ReportId::PenData => InputReport::PenData(PenSample::decode(&six(b, 1))),
            ReportId::PenDataEncrypted => InputReport::PenDataEncrypted(block(1)),
            ReportId::PenDataTimeCountSequence => InputReport::PenDataTimeCountSequence {
                sample: PenSample::decode(&six(b, 1)),
                time_count: be16(b, 7),
                sequence: be16(b, 9),
            },
            ReportId::PenDataTimeCountSequenceEncrypted => {
                InputReport::PenDataTimeCountSequenceEncrypted(block(1))
            }
            ReportId::DevicePublicKey => InputReport::DevicePublicKey(block(1)),
            ReportId::EncryptionStatus => {
                InputReport::EncryptionStatus(EncryptionStatus::decode_body(b))
            }
            _ => return Err(ProtocolError::WrongDirection(first)),
        })
    }
}

/// What a pen sample means for the ink, after the on/off pressure hysteresis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PenTransition {
    /// Pen out of proximity, or hovering.
    Up,
    /// Pen just touched (pressure reached the on-mark).
    Down,
    /// Pen stays down and moves.
    Move,
    /// Pen just lifted (pressure under the off-mark, or left proximity).
    Lift,
}

/// Host-side mirror of the pad's inking rule: down when rdy and pressure ≥ on-mark; stays down
/// until pressure < off-mark or the pen leaves proximity.
#[derive(Debug, Clone, Copy)]
pub struct PenTracker {
    threshold: InkThreshold,
    down: bool,
}

impl PenTracker {
    /// A tracker with the given thresholds (the pad default is on 21, off 16).
    pub fn new(threshold: InkThreshold) -> PenTracker {
        PenTracker {
            threshold,
            down: false,
        }
    }
    /// True while the pen is down.
    pub fn is_down(&self) -> bool {
        self.down
    }
    /// Feeds one sample.
    pub fn update(&mut self, s: &PenSample) -> PenTransition {
        let was = self.down;
        self.down = if !s.rdy {
            false
        } else if was {
            s.pressure >= self.threshold.off_pressure
        } else {
            s.pressure >= self.threshold.on_pressure
        };
        match (was, self.down) {
            (false, false) => PenTransition::Up,
            (false, true) => PenTransition::Down,
            (true, true) => PenTransition::Move,
            (true, false) => PenTransition::Lift,
        }
    }
}

/// The pad's default ink thresholds.
pub const DEFAULT_INK_THRESHOLD: InkThreshold = InkThreshold {
    on_pressure: 21,
    off_pressure: 16,
};
