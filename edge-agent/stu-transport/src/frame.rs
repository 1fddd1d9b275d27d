//! Framing of raw HID reports on the simulator socket.
//!
//! Every message, both ways, is one frame:
//!
//! ```text
//! +------+-----------------+-------------------+
//! | kind | length (u16 BE) | payload (length)  |
//! +------+-----------------+-------------------+
//! ```
//!
//! Host → pad kinds:
//! - `0x01` GetFeature: payload `[id, len_hi, len_lo]` (buffer length the host offers);
//! - `0x02` SetFeature: payload = the report bytes, id first;
//! - `0x03` ReadInput: payload = timeout in milliseconds, u32 BE.
//!
//! Pad → host kinds:
//! - `0x80` Hello (sent once on connect): `vid u16 BE, pid u16 BE, bcd u16 BE, serial (ASCII)`;
//! - `0x81` Feature: the report bytes returned by a GetFeature;
//! - `0x82` SetOk: empty;
//! - `0x83` Input: one input report;
//! - `0x84` NoInput: empty (the ReadInput timeout passed);
//! - `0x85` Rejected: `[id, reason (ASCII)]` — what hidapi reports as a failed transfer.
//!
//! Each request gets exactly one answer, in order. A closed connection is an unplugged pad.
//! Payloads are at most [`MAX_PAYLOAD`] bytes.

use std::io::{Read, Write};

use crate::error::TransportError;

/// Largest frame payload.
pub const MAX_PAYLOAD: usize = 1024;

/// Frame kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    GetFeature = 0x01,
    SetFeature = 0x02,
    ReadInput = 0x03,
    Hello = 0x80,
    Feature = 0x81,
    SetOk = 0x82,
    Input = 0x83,
    NoInput = 0x84,
    Rejected = 0x85,
}

impl Kind {
    /// Decodes a kind byte.
    pub fn from_u8(b: u8) -> Option<Kind> {
        Some(match b {
            0x01 => Kind::GetFeature,
            0x02 => Kind::SetFeature,
            0x03 => Kind::ReadInput,
            0x80 => Kind::Hello,
            0x81 => Kind::Feature,
            0x82 => Kind::SetOk,
            0x83 => Kind::Input,
            0x84 => Kind::NoInput,
            0x85 => Kind::Rejected,
            _ => return None,
        })
    }
}

/// One frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub kind: Kind,
    pub payload: Vec<u8>,
}

impl Frame {
    /// A frame; fails when the payload is longer than [`MAX_PAYLOAD`].
    pub fn new(kind: Kind, payload: Vec<u8>) -> Result<Frame, TransportError> {
        if payload.len() > MAX_PAYLOAD {
            return Err(TransportError::Framing("payload too long"));
        }
        Ok(Frame { kind, payload })
    }

    /// The frame's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + self.payload.len());
        out.push(self.kind as u8);
        out.extend_from_slice(&(self.payload.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Decodes one frame from the front of `buf`: `Ok(Some((frame, used)))`, `Ok(None)` when
    /// more bytes are needed.
    pub fn decode(buf: &[u8]) -> Result<Option<(Frame, usize)>, TransportError> {
        if buf.len() < 3 {
            return Ok(None);
        }
        let kind = Kind::from_u8(buf[0]).ok_or(TransportError::Framing("unknown frame kind"))?;
        let len = usize::from(u16::from_be_bytes([buf[1], buf[2]]));
        if len > MAX_PAYLOAD {
            return Err(TransportError::Framing("payload too long"));
        }
        if buf.len() < 3 + len {
            return Ok(None);
        }
        Ok(Some((
            Frame {
                kind,
                payload: buf[3..3 + len].to_vec(),
            },
            3 + len,
        )))
    }

    /// Writes the frame.
    pub fn write_to(&self, w: &mut impl Write) -> Result<(), TransportError> {
        w.write_all(&self.encode()).map_err(map_io)?;
        w.flush().map_err(map_io)
    }

    /// Reads exactly one frame (blocking, subject to the stream's read timeout).
    pub fn read_from(r: &mut impl Read) -> Result<Frame, TransportError> {
        let mut head = [0u8; 3];
        r.read_exact(&mut head).map_err(map_io)?;
        let kind = Kind::from_u8(head[0]).ok_or(TransportError::Framing("unknown frame kind"))?;
        let len = usize::from(u16::from_be_bytes([head[1], head[2]]));
        if len > MAX_PAYLOAD {
            return Err(TransportError::Framing("payload too long"));
        }
        let mut payload = vec![0u8; len];
        r.read_exact(&mut payload).map_err(map_io)?;
        Ok(Frame { kind, payload })
    }
}

/// I/O errors that mean "the other side is gone" become [`TransportError::Disconnected`].
pub fn map_io(e: std::io::Error) -> TransportError {
    use std::io::ErrorKind::*;
    match e.kind() {
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe | NotConnected => {
            TransportError::Disconnected
        }
        WouldBlock | TimedOut => TransportError::Timeout(std::time::Duration::ZERO),
        _ => TransportError::Io(e),
    }
}
