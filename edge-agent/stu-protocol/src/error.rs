//! Typed errors of the protocol crate: malformed reports, bad images and driver failures.
//!
//! Every decoder returns [`ProtocolError`] for bytes it cannot accept; nothing in this
//! crate panics on input that came from a pad or a host.

use crate::ids::ReportId;
use crate::status::{ErrorCode, StatusCode};

/// A report could not be decoded (or a value cannot be encoded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The buffer holds no bytes at all.
    #[error("empty report")]
    Empty,
    /// Byte 0 names a report this crate does not know.
    #[error("unknown report id 0x{0:02X}")]
    UnknownId(u8),
    /// Byte 0 names a different report than the one asked for.
    #[error("report id 0x{found:02X} where 0x{expected:02X} was expected")]
    WrongId { expected: u8, found: u8 },
    /// The report is known but is not of the expected kind (e.g. a feature id read as input).
    #[error("report 0x{0:02X} is not valid in this direction")]
    WrongDirection(u8),
    /// The buffer length differs from the report's fixed length.
    #[error("report 0x{id:02X} has {found} bytes, expected {expected}")]
    WrongLength {
        id: u8,
        expected: usize,
        found: usize,
    },
    /// A field holds a value outside its documented range.
    #[error("report 0x{id:02X}: field `{field}` has invalid value {value}")]
    BadValue {
        id: u8,
        field: &'static str,
        value: u32,
    },
}

impl ProtocolError {
    pub(crate) fn bad(id: ReportId, field: &'static str, value: impl Into<u32>) -> Self {
        ProtocolError::BadValue {
            id: id as u8,
            field,
            value: value.into(),
        }
    }
}

/// A bitmap could not be encoded for, or decoded from, a pad's screen format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The bitmap's dimensions do not match the screen (or the area written).
    #[error("bitmap is {width}x{height}, expected {expected_width}x{expected_height}")]
    WrongSize {
        width: u32,
        height: u32,
        expected_width: u32,
        expected_height: u32,
    },
    /// The pixel buffer length does not match width × height × bytes per pixel.
    #[error("pixel buffer has {found} bytes, expected {expected}")]
    WrongBufferLength { expected: usize, found: usize },
    /// The model does not accept this encoding mode.
    #[error("encoding mode 0x{0:02X} is not accepted by this model")]
    ModeNotSupported(u8),
    /// The encoded data is longer than the screen can hold.
    #[error("image data is too long ({found} bytes, at most {limit})")]
    TooLong { found: usize, limit: usize },
    /// The encoded data is shorter than the screen needs.
    #[error("image data is too short ({found} bytes, expected {expected})")]
    TooShort { found: usize, expected: usize },
    /// zlib data could not be inflated.
    #[error("zlib data could not be inflated")]
    Zlib,
    /// A rectangle lies outside the screen or has its corners swapped.
    #[error("rectangle is outside the screen or inverted")]
    BadArea,
}

/// The sans-IO driver met a condition that ends the current operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    /// A reply or input report was malformed.
    #[error("malformed report: {0}")]
    Protocol(#[from] ProtocolError),
    /// The pad reported a failure for the last command (Status.lastResultCode ≠ 0).
    #[error("pad refused command 0x{command:02X}: {code}")]
    Device { command: u8, code: ErrorCode },
    /// The pad stayed busy (not Ready) for every allowed status poll.
    #[error("pad stayed busy in state {state:?} after {polls} status polls")]
    Busy { state: StatusCode, polls: u32 },
    /// The pad's Information names a model this crate does not drive.
    #[error("unsupported pad model {0:?}")]
    UnsupportedModel(String),
    /// An operation needs the pad's identity, but `begin_init` has not completed.
    #[error("pad not initialised: run the init sequence first")]
    NotInitialised,
    /// A reply arrived while no request was outstanding, or of the wrong kind.
    #[error("unexpected reply: {0}")]
    UnexpectedReply(&'static str),
    /// An image could not be prepared or was refused.
    #[error("image: {0}")]
    Image(#[from] ImageError),
    /// The bounded queue of planned actions or decoded pen points is full.
    #[error("bounded {0} queue is full")]
    QueueFull(&'static str),
    /// A pen report carried coordinates beyond the model's range.
    #[error("pen sample out of range: x={x} y={y} pressure={pressure}")]
    PenOutOfRange { x: u16, y: u16, pressure: u16 },
    /// An encrypted pen report arrived but no session key is installed.
    #[error("encrypted pen data but no session key is installed")]
    NoSessionKey,
    /// Encrypted pen data was required, but the pad sent plaintext pen data while capturing.
    #[error("the pad sent plaintext pen data although encryption is on")]
    PlaintextPenData,
    /// Encrypted pen data was required, and this many pen reports in a row belonged to no
    /// current capture (plaintext, or another session's id).
    #[error("{0} pen reports in a row belong to no current encrypted capture")]
    StalePenData(u32),
    /// A decrypted pen report carries another capture session's id.
    #[error("encrypted pen data for session 0x{found:08X}, expected 0x{expected:08X}")]
    SessionMismatch { expected: u32, found: u32 },
    /// The encryption handshake failed.
    #[error("encryption handshake: {0}")]
    Encryption(&'static str),
}
