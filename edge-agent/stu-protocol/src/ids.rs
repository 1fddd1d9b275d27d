//! Report ids of the STU-300/430/530 and each report's fixed HID length (id byte included).

use crate::error::ProtocolError;

/// Every report id that the STU-300, STU-430 or STU-530 publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ReportId {
    PenData = 0x01,
    Status = 0x03,
    Reset = 0x04,
    Information = 0x08,
    Capability = 0x09,
    Uid = 0x0A,
    Uid2 = 0x0B,
    PenDataEncrypted = 0x10,
    HostPublicKey = 0x13,
    DevicePublicKey = 0x14,
    StartCapture = 0x15,
    EndCapture = 0x16,
    DhPrime = 0x1A,
    DhBase = 0x1B,
    ClearScreen = 0x20,
    InkingMode = 0x21,
    InkThreshold = 0x22,
    ClearScreenArea = 0x23,
    StartImageDataArea = 0x24,
    StartImageData = 0x25,
    ImageDataBlock = 0x26,
    EndImageData = 0x27,
    HandwritingThicknessColor = 0x28,
    BackgroundColor = 0x29,
    HandwritingDisplayArea = 0x2A,
    BacklightBrightness = 0x2B,
    ScreenContrast = 0x2C,
    HandwritingThicknessColor24 = 0x2D,
    BackgroundColor24 = 0x2E,
    BootScreen = 0x2F,
    PenDataOptionMode = 0x32,
    PenDataTimeCountSequenceEncrypted = 0x33,
    PenDataTimeCountSequence = 0x34,
    EncryptionCommand = 0x40,
    EncryptionStatus = 0x50,
}

/// How a report travels: pad → host on the interrupt pipe, or as a feature report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Direction {
    /// Arrives as an input report.
    pub input: bool,
    /// Can be read with GET_REPORT(Feature).
    pub get: bool,
    /// Can be written with SET_REPORT(Feature).
    pub set: bool,
}

const fn dir(input: bool, get: bool, set: bool) -> Direction {
    Direction { input, get, set }
}

impl ReportId {
    /// All ids, in numeric order.
    pub const ALL: [ReportId; 35] = [
        ReportId::PenData,
        ReportId::Status,
        ReportId::Reset,
        ReportId::Information,
        ReportId::Capability,
        ReportId::Uid,
        ReportId::Uid2,
        ReportId::PenDataEncrypted,
        ReportId::HostPublicKey,
        ReportId::DevicePublicKey,
        ReportId::StartCapture,
        ReportId::EndCapture,
        ReportId::DhPrime,
        ReportId::DhBase,
        ReportId::ClearScreen,
        ReportId::InkingMode,
        ReportId::InkThreshold,
        ReportId::ClearScreenArea,
        ReportId::StartImageDataArea,
        ReportId::StartImageData,
        ReportId::ImageDataBlock,
        ReportId::EndImageData,
        ReportId::HandwritingThicknessColor,
        ReportId::BackgroundColor,
        ReportId::HandwritingDisplayArea,
        ReportId::BacklightBrightness,
        ReportId::ScreenContrast,
        ReportId::HandwritingThicknessColor24,
        ReportId::BackgroundColor24,
        ReportId::BootScreen,
        ReportId::PenDataOptionMode,
        ReportId::PenDataTimeCountSequenceEncrypted,
        ReportId::PenDataTimeCountSequence,
        ReportId::EncryptionCommand,
        ReportId::EncryptionStatus,
    ];

    /// Looks an id byte up.
    pub fn from_u8(byte: u8) -> Result<ReportId, ProtocolError> {
        ReportId::ALL
            .iter()
            .copied()
            .find(|id| *id as u8 == byte)
            .ok_or(ProtocolError::UnknownId(byte))
    }

    /// Total HID report length in bytes, id byte included (HID, not serial, lengths).
    #[allow(clippy::len_without_is_empty)] // a report length, not a container
    pub const fn len(self) -> usize {
        use ReportId::*;
        match self {
            PenData => 7,
            Status => 5,
            Reset => 2,
            Information => 17,
            Capability => 17,
            Uid => 5,
            Uid2 => 11,
            PenDataEncrypted => 17,
            HostPublicKey => 17,
            DevicePublicKey => 17,
            StartCapture => 5,
            EndCapture => 2,
            DhPrime => 17,
            DhBase => 3,
            ClearScreen => 2,
            InkingMode => 2,
            InkThreshold => 5,
            ClearScreenArea => 11,
            StartImageDataArea => 11,
            StartImageData => 2,
            ImageDataBlock => 256,
            EndImageData => 2,
            HandwritingThicknessColor => 4,
            BackgroundColor => 3,
            HandwritingDisplayArea => 9,
            BacklightBrightness => 3,
            ScreenContrast => 3,
            HandwritingThicknessColor24 => 5,
            BackgroundColor24 => 4,
            BootScreen => 2,
            PenDataOptionMode => 2,
            PenDataTimeCountSequenceEncrypted => 17,
            PenDataTimeCountSequence => 11,
            EncryptionCommand => 68,
            EncryptionStatus => 17,
        }
    }

    /// Which ways the report travels.
    pub const fn direction(self) -> Direction {
        use ReportId::*;
        match self {
            PenData
            | PenDataEncrypted
            | PenDataTimeCountSequence
            | PenDataTimeCountSequenceEncrypted => dir(true, false, false),
            Status | Information | Capability | Uid2 => dir(false, true, false),
            Reset | StartCapture | EndCapture | ClearScreen | ClearScreenArea
            | StartImageDataArea | StartImageData | ImageDataBlock | EndImageData => {
                dir(false, false, true)
            }
            DevicePublicKey | EncryptionStatus => dir(true, true, false),
            Uid
            | HostPublicKey
            | DhPrime
            | DhBase
            | InkingMode
            | InkThreshold
            | HandwritingThicknessColor
            | BackgroundColor
            | HandwritingDisplayArea
            | BacklightBrightness
            | ScreenContrast
            | HandwritingThicknessColor24
            | BackgroundColor24
            | BootScreen
            | PenDataOptionMode
            | EncryptionCommand => dir(false, true, true),
        }
    }

    /// Checks that `bytes` starts with this id and has this report's length.
    pub fn check(self, bytes: &[u8]) -> Result<(), ProtocolError> {
        let first = *bytes.first().ok_or(ProtocolError::Empty)?;
        if first != self as u8 {
            return Err(ProtocolError::WrongId {
                expected: self as u8,
                found: first,
            });
        }
        if bytes.len() != self.len() {
            return Err(ProtocolError::WrongLength {
                id: first,
                expected: self.len(),
                found: bytes.len(),
            });
        }
        Ok(())
    }
}
