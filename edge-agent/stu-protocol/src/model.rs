//! Pad models: USB ids, and the capability table (screen, colour depth, tablet ranges, report
//! rate, encodings, encryption, supported reports) for the STU-300, STU-430 and STU-530.

use crate::ids::ReportId;
use crate::image::EncodingMode;
use crate::report::{Capability, Information};
use crate::unconfirmed;

/// Wacom's USB vendor id.
pub const WACOM_VENDOR_ID: u16 = 0x056A;

/// A pad model this crate drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Model {
    Stu300,
    Stu430,
    Stu530,
}

/// Every STU product id the reference knows, supported or not.
pub const KNOWN_PRODUCTS: [(u16, &str, Option<Model>); 8] = [
    (0x00A1, "STU-500", None),
    (0x00A2, "STU-300", Some(Model::Stu300)),
    (0x00A3, "STU-520A", None),
    (0x00A4, "STU-430", Some(Model::Stu430)),
    (0x00A5, "STU-530", Some(Model::Stu530)),
    (0x00A6, "STU-430V", None),
    (0x00A8, "STU-540", None),
    (0x00A9, "STU-541", None),
];

/// Product ids the SDK treats as STU pads.
pub const STU_PRODUCT_ID_RANGE: std::ops::RangeInclusive<u16> = 0x00A1..=0x00AF;

/// Colour depth of the LCD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourDepth {
    /// 1 bit per pixel, black on white.
    Mono,
    /// Up to 24 bits per pixel.
    Colour,
}

/// How pen data is encrypted on this model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptionScheme {
    /// v1: Diffie-Hellman (128-bit) + AES-128 (STU-300/500/520A).
    DhAes128,
    /// v2: RSA-wrapped AES key (STU-430/530/540).
    RsaAes,
}

/// `Capability.encodingFlag` bits.
pub mod encoding_flag {
    pub const ZLIB: u8 = 0x01;
    pub const MONO: u8 = 0x02;
    pub const RGB565: u8 = 0x04;
    pub const BGR24: u8 = 0x08;
}

/// Everything the host needs to know about one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capabilities {
    pub model: Model,
    /// Model name as in the Information report.
    pub name: &'static str,
    pub product_id: u16,
    pub screen_width: u16,
    pub screen_height: u16,
    pub colour: ColourDepth,
    pub tablet_max_x: u16,
    pub tablet_max_y: u16,
    pub tablet_max_pressure: u16,
    /// Tablet units per inch.
    pub resolution: u16,
    /// Pen reports per second over HID.
    pub report_rate: u8,
    /// Effective encodingFlag (after the SDK's per-PID substitution).
    pub encoding_flag: u8,
    /// What the pad itself puts in the Capability report (may read 0 for "unknown").
    pub reported_capability: Capability,
    /// Active area in millimetres (width, height).
    pub active_area_mm: (f32, f32),
    pub encryption: EncryptionScheme,
    /// Reports published in the pad's HID descriptor.
    pub reports: &'static [ReportId],
}

use ReportId as R;

const REPORTS_300: &[ReportId] = &[
    R::PenData,
    R::Status,
    R::Reset,
    R::Information,
    R::Capability,
    R::Uid,
    R::PenDataEncrypted,
    R::HostPublicKey,
    R::DevicePublicKey,
    R::StartCapture,
    R::EndCapture,
    R::DhPrime,
    R::DhBase,
    R::ClearScreen,
    R::InkingMode,
    R::InkThreshold,
    R::StartImageData,
    R::ImageDataBlock,
    R::EndImageData,
];
const REPORTS_430: &[ReportId] = &[
    R::PenData,
    R::Status,
    R::Reset,
    R::Information,
    R::Capability,
    R::Uid,
    R::Uid2,
    R::PenDataEncrypted,
    R::StartCapture,
    R::EndCapture,
    R::ClearScreen,
    R::InkingMode,
    R::InkThreshold,
    R::ClearScreenArea,
    R::StartImageDataArea,
    R::StartImageData,
    R::ImageDataBlock,
    R::EndImageData,
    R::HandwritingThicknessColor,
    R::HandwritingDisplayArea,
    R::HandwritingThicknessColor24,
    R::BootScreen,
    R::PenDataOptionMode,
    R::PenDataTimeCountSequenceEncrypted,
    R::PenDataTimeCountSequence,
    R::EncryptionCommand,
    R::EncryptionStatus,
];
const REPORTS_530: &[ReportId] = &[
    R::PenData,
    R::Status,
    R::Reset,
    R::Information,
    R::Capability,
    R::Uid,
    R::Uid2,
    R::PenDataEncrypted,
    R::StartCapture,
    R::EndCapture,
    R::ClearScreen,
    R::InkingMode,
    R::InkThreshold,
    R::ClearScreenArea,
    R::StartImageDataArea,
    R::StartImageData,
    R::ImageDataBlock,
    R::EndImageData,
    R::HandwritingThicknessColor,
    R::BackgroundColor,
    R::HandwritingDisplayArea,
    R::BacklightBrightness,
    R::ScreenContrast,
    R::HandwritingThicknessColor24,
    R::BackgroundColor24,
    R::BootScreen,
    R::PenDataOptionMode,
    R::PenDataTimeCountSequenceEncrypted,
    R::PenDataTimeCountSequence,
    R::EncryptionCommand,
    R::EncryptionStatus,
];

const STU300: Capabilities = Capabilities {
    model: Model::Stu300,
    name: "STU-300",
    product_id: 0x00A2,
    screen_width: 396,
    screen_height: 100,
    colour: ColourDepth::Mono,
    tablet_max_x: unconfirmed::STU300_TABLET_MAX.0,
    tablet_max_y: unconfirmed::STU300_TABLET_MAX.1,
    tablet_max_pressure: unconfirmed::STU300_MAX_PRESSURE,
    resolution: unconfirmed::DEFAULT_RESOLUTION_LPI,
    report_rate: 200,
    encoding_flag: encoding_flag::MONO,
    reported_capability: Capability {
        tablet_max_x: unconfirmed::STU300_TABLET_MAX.0,
        tablet_max_y: unconfirmed::STU300_TABLET_MAX.1,
        tablet_max_pressure: unconfirmed::STU300_MAX_PRESSURE,
        screen_width: 396,
        screen_height: 100,
        max_report_rate: 0,
        resolution: 0,
        encoding_flag: 0,
    },
    active_area_mm: (99.0, 25.0),
    encryption: EncryptionScheme::DhAes128,
    reports: REPORTS_300,
};

const STU430: Capabilities = Capabilities {
    model: Model::Stu430,
    name: "STU-430",
    product_id: 0x00A4,
    screen_width: 320,
    screen_height: 200,
    colour: ColourDepth::Mono,
    tablet_max_x: 9600,
    tablet_max_y: 6000,
    tablet_max_pressure: 1023,
    resolution: 2540,
    report_rate: 200,
    encoding_flag: encoding_flag::ZLIB | encoding_flag::MONO,
    reported_capability: Capability {
        tablet_max_x: 9600,
        tablet_max_y: 6000,
        tablet_max_pressure: 1023,
        screen_width: 320,
        screen_height: 200,
        max_report_rate: 200,
        resolution: 2540,
        encoding_flag: encoding_flag::ZLIB | encoding_flag::MONO,
    },
    active_area_mm: (96.0, 60.0),
    encryption: EncryptionScheme::RsaAes,
    reports: REPORTS_430,
};

const STU530: Capabilities = Capabilities {
    model: Model::Stu530,
    name: "STU-530",
    product_id: 0x00A5,
    screen_width: 800,
    screen_height: 480,
    colour: ColourDepth::Colour,
    tablet_max_x: unconfirmed::STU530_TABLET_MAX.0,
    tablet_max_y: unconfirmed::STU530_TABLET_MAX.1,
    tablet_max_pressure: unconfirmed::STU530_MAX_PRESSURE,
    resolution: 2540,
    report_rate: 200,
    encoding_flag: unconfirmed::STU530_ENCODING_FLAG,
    reported_capability: Capability {
        tablet_max_x: unconfirmed::STU530_TABLET_MAX.0,
        tablet_max_y: unconfirmed::STU530_TABLET_MAX.1,
        tablet_max_pressure: unconfirmed::STU530_MAX_PRESSURE,
        screen_width: 800,
        screen_height: 480,
        max_report_rate: 200,
        resolution: 2540,
        encoding_flag: unconfirmed::STU530_ENCODING_FLAG,
    },
    active_area_mm: (108.0, 65.0),
    encryption: EncryptionScheme::RsaAes,
    reports: REPORTS_530,
};

impl Model {
    /// All supported models.
    pub const ALL: [Model; 3] = [Model::Stu300, Model::Stu430, Model::Stu530];

    /// The capability table row.
    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            Model::Stu300 => &STU300,
            Model::Stu430 => &STU430,
            Model::Stu530 => &STU530,
        }
    }

    /// Model from a USB product id (`None` for unknown or unsupported pads).
    pub fn from_product_id(pid: u16) -> Option<Model> {
        KNOWN_PRODUCTS
            .iter()
            .find(|(p, _, _)| *p == pid)
            .and_then(|(_, _, m)| *m)
    }

    /// Model from the Information report's model name ("STU-430" …). "STU-430V" is not the 430.
    pub fn from_name(name: &str) -> Option<Model> {
        Model::ALL
            .into_iter()
            .find(|m| m.capabilities().name == name)
    }

    /// The Information reply the simulator gives for this model.
    pub fn information(self) -> Information {
        let caps = self.capabilities();
        let (_, major, minor) = unconfirmed::FIRMWARE
            .iter()
            .copied()
            .find(|(n, _, _)| *n == caps.name)
            .unwrap_or((caps.name, 1, 0));
        Information {
            model_name: caps.name.to_string(),
            firmware_major: major,
            firmware_minor: minor,
            secure_ic: u8::from(self == Model::Stu300),
            secure_ic_version: [0; 4],
        }
    }
}

impl Capabilities {
    /// True when the model's descriptor publishes this report.
    pub fn supports(&self, id: ReportId) -> bool {
        self.reports.contains(&id)
    }

    /// True when the model accepts this encoding mode over HID (never the bulk modes).
    pub fn accepts_mode(&self, mode: EncodingMode) -> bool {
        let f = self.encoding_flag;
        let zlib = f & encoding_flag::ZLIB != 0;
        match mode {
            EncodingMode::Mono => f & encoding_flag::MONO != 0,
            EncodingMode::MonoZlib => f & encoding_flag::MONO != 0 && zlib,
            EncodingMode::Rgb565 => f & encoding_flag::RGB565 != 0,
            EncodingMode::Bgr24 => f & encoding_flag::BGR24 != 0,
            EncodingMode::Rgb565Zlib => {
                unconfirmed::COLOUR_ZLIB_ACCEPTED && f & encoding_flag::RGB565 != 0 && zlib
            }
            EncodingMode::Bgr24Zlib => {
                unconfirmed::COLOUR_ZLIB_ACCEPTED && f & encoding_flag::BGR24 != 0 && zlib
            }
            EncodingMode::MonoBulk | EncodingMode::Rgb565Bulk | EncodingMode::Bgr24Bulk => false,
        }
    }

    /// The deepest raw mode the model takes (24 > 16 > 1 bit), as the SDK demo picks.
    pub fn preferred_mode(&self, zlib: bool) -> EncodingMode {
        let f = self.encoding_flag;
        let use_zlib = zlib && f & encoding_flag::ZLIB != 0;
        if f & encoding_flag::BGR24 != 0 {
            if use_zlib {
                EncodingMode::Bgr24Zlib
            } else {
                EncodingMode::Bgr24
            }
        } else if f & encoding_flag::RGB565 != 0 {
            if use_zlib {
                EncodingMode::Rgb565Zlib
            } else {
                EncodingMode::Rgb565
            }
        } else if use_zlib {
            EncodingMode::MonoZlib
        } else {
            EncodingMode::Mono
        }
    }
}

/// The encodingFlag the host should use: the pad's own if it names a depth, else the SDK's
/// per-product substitution (530/540/541 → 0x0F, 520A → 0x06, others → 0x02).
pub fn effective_encoding_flag(reported: u8, product_id: u16) -> u8 {
    use encoding_flag::*;
    if reported & (MONO | RGB565 | BGR24) != 0 {
        return reported;
    }
    match product_id {
        0x00A5 | 0x00A8 | 0x00A9 => 0x0F,
        0x00A3 => 0x06,
        _ => MONO,
    }
}
