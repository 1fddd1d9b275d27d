//! Pad state (Status.statusCode) and command result codes (Status.lastResultCode).

use std::fmt;

/// The pad's state as reported in byte 1 of the Status report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StatusCode {
    /// Accepts commands; pen data flows.
    Ready = 0x00,
    /// Between StartImageData and EndImageData.
    Image = 0x01,
    /// After StartCapture: pen data is sent encrypted.
    Capture = 0x02,
    /// Computing encryption keys.
    Calculation = 0x03,
    /// Showing the boot image.
    ImageBoot = 0x04,
    /// Flash access (STU-540).
    RomBusy = 0x05,
    /// Resetting; nothing available.
    SystemReset = 0xFF,
}

impl StatusCode {
    /// Decodes the state byte; `None` for a value the reference does not list.
    pub fn from_u8(byte: u8) -> Option<StatusCode> {
        Some(match byte {
            0x00 => StatusCode::Ready,
            0x01 => StatusCode::Image,
            0x02 => StatusCode::Capture,
            0x03 => StatusCode::Calculation,
            0x04 => StatusCode::ImageBoot,
            0x05 => StatusCode::RomBusy,
            0xFF => StatusCode::SystemReset,
            _ => return None,
        })
    }
}

/// Result of the last command (Status.lastResultCode). Undocumented codes keep their raw value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    None,
    WrongReportId,
    WrongState,
    Crc,
    BadParameter,
    GraphicsWrongEncodingType,
    GraphicsImageTooLong,
    GraphicsZlibError,
    GraphicsWrongParameters,
    PadNotExist,
    RomSizeOverflow,
    RomInvalidParameter,
    RomErrorCrc,
    /// A code the reference does not name (e.g. 0x21..0x27 crypt errors, 0x80.. internal).
    Other(u8),
}

impl ErrorCode {
    /// Decodes the result byte.
    pub fn from_u8(byte: u8) -> ErrorCode {
        match byte {
            0x00 => ErrorCode::None,
            0x01 => ErrorCode::WrongReportId,
            0x02 => ErrorCode::WrongState,
            0x03 => ErrorCode::Crc,
            0x04 => ErrorCode::BadParameter,
            0x10 => ErrorCode::GraphicsWrongEncodingType,
            0x11 => ErrorCode::GraphicsImageTooLong,
            0x12 => ErrorCode::GraphicsZlibError,
            0x15 => ErrorCode::GraphicsWrongParameters,
            0x20 => ErrorCode::PadNotExist,
            0x33 => ErrorCode::RomSizeOverflow,
            0x34 => ErrorCode::RomInvalidParameter,
            0x35 => ErrorCode::RomErrorCrc,
            other => ErrorCode::Other(other),
        }
    }

    /// The wire byte.
    pub fn to_u8(self) -> u8 {
        match self {
            ErrorCode::None => 0x00,
            ErrorCode::WrongReportId => 0x01,
            ErrorCode::WrongState => 0x02,
            ErrorCode::Crc => 0x03,
            ErrorCode::BadParameter => 0x04,
            ErrorCode::GraphicsWrongEncodingType => 0x10,
            ErrorCode::GraphicsImageTooLong => 0x11,
            ErrorCode::GraphicsZlibError => 0x12,
            ErrorCode::GraphicsWrongParameters => 0x15,
            ErrorCode::PadNotExist => 0x20,
            ErrorCode::RomSizeOverflow => 0x33,
            ErrorCode::RomInvalidParameter => 0x34,
            ErrorCode::RomErrorCrc => 0x35,
            ErrorCode::Other(b) => b,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?} (0x{:02X})", self.to_u8())
    }
}
