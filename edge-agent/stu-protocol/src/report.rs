//! Feature reports (GET/SET_REPORT Feature): one typed value per report, encoded to and decoded
//! from the exact HID bytes (id byte first, fixed length, mixed endianness as the pad uses it).

use crate::error::ProtocolError;
use crate::ids::ReportId;
use crate::image::EncodingMode;
use crate::status::{ErrorCode, StatusCode};
use crate::unconfirmed;

/// A rectangle in LCD pixels, corners inclusive, little-endian on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    pub x1: u16,
    pub y1: u16,
    pub x2: u16,
    pub y2: u16,
}

impl Rect {
    /// Width in pixels (inclusive corners).
    pub fn width(&self) -> u32 {
        u32::from(self.x2) - u32::from(self.x1) + 1
    }
    /// Height in pixels (inclusive corners).
    pub fn height(&self) -> u32 {
        u32::from(self.y2) - u32::from(self.y1) + 1
    }
    /// True when (x, y) lies inside.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        (self.x1..=self.x2).contains(&x) && (self.y1..=self.y2).contains(&y)
    }
    fn encode(&self, out: &mut [u8]) {
        out[0..2].copy_from_slice(&self.x1.to_le_bytes());
        out[2..4].copy_from_slice(&self.y1.to_le_bytes());
        out[4..6].copy_from_slice(&self.x2.to_le_bytes());
        out[6..8].copy_from_slice(&self.y2.to_le_bytes());
    }
    fn decode(id: ReportId, b: &[u8]) -> Result<Rect, ProtocolError> {
        let r = Rect {
            x1: le16(b, 0),
            y1: le16(b, 2),
            x2: le16(b, 4),
            y2: le16(b, 6),
        };
        if r.x2 < r.x1 {
            return Err(ProtocolError::bad(id, "rect.x2", r.x2));
        }
        if r.y2 < r.y1 {
            return Err(ProtocolError::bad(id, "rect.y2", r.y2));
        }
        Ok(r)
    }
}

/// 24-bit colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rgb24 {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// Status (0x03, get).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub state: StatusCode,
    pub last_result: ErrorCode,
    /// Reserved; little-endian.
    pub status_word: u16,
}

/// Information (0x08, get).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Information {
    /// ASCII, at most 9 characters (NUL padding is stripped when decoding).
    pub model_name: String,
    pub firmware_major: u8,
    pub firmware_minor: u8,
    pub secure_ic: u8,
    pub secure_ic_version: [u8; 4],
}

/// Capability (0x09, get). Bytes 11..14 read 0 on the STU-300 ("unknown").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    pub tablet_max_x: u16,
    pub tablet_max_y: u16,
    pub tablet_max_pressure: u16,
    pub screen_width: u16,
    pub screen_height: u16,
    pub max_report_rate: u8,
    pub resolution: u16,
    pub encoding_flag: u8,
}

/// Reset (0x04) kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetKind {
    Software = 0,
    Hardware = 1,
}

/// EndImageData (0x27) action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndImageAction {
    Commit = 0,
    Abandon = 1,
}

/// PenDataOptionMode (0x32) values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PenDataOption {
    None = 0,
    TimeCount = 1,
    SequenceNumber = 2,
    TimeCountSequence = 3,
}

/// InkThreshold (0x22): pressure marks for ink on/off, 0..=0x3FF, little-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InkThreshold {
    pub on_pressure: u16,
    pub off_pressure: u16,
}

/// Largest payload of one HID ImageDataBlock (256 − id − 2 length bytes).
pub const IMAGE_BLOCK_PAYLOAD: usize = 253;

/// EncryptionCommand (0x40) command numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptionCommandCode {
    SetEncryptionType = 0x01,
    SetParameterBlock = 0x02,
    GetStatusBlock = 0x03,
    GetParameterBlock = 0x04,
    GenerateSymmetricKey = 0x05,
}

/// EncryptionCommand (0x40, get/set, 68 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionCommand {
    pub command: EncryptionCommandCode,
    pub parameter: u8,
    pub length_or_index: u8,
    pub data: [u8; 64],
}

/// EncryptionStatus (0x50, get or input, 17 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptionStatus {
    pub symmetric_key_type: u8,
    /// Bits 7–6 of byte 2.
    pub padding_type: u8,
    /// Bits 5–0 of byte 2.
    pub asymmetric_key_type: u8,
    pub status_e: u8,
    pub status_n: u8,
    pub status_c: u8,
    pub last_result: u8,
    pub aes: bool,
    pub sha1: bool,
    pub rng: bool,
}

/// RSA parameter status "Ready" (status_e / status_n / status_c).
pub const RSA_STATUS_READY: u8 = 0x00;
/// RSA parameter status "Calculating".
pub const RSA_STATUS_CALCULATING: u8 = 0xFA;
/// RSA parameter status "NotReady".
pub const RSA_STATUS_NOT_READY: u8 = 0xFF;

/// One feature report with its typed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureReport {
    Status(Status),
    Reset(ResetKind),
    Information(Information),
    Capability(Capability),
    Uid(u32),
    /// ASCII hardware id, 10 bytes.
    Uid2([u8; 10]),
    /// 128-bit DH public key, big-endian.
    HostPublicKey([u8; 16]),
    DevicePublicKey([u8; 16]),
    StartCapture {
        session_id: u32,
    },
    EndCapture,
    DhPrime([u8; 16]),
    DhBase([u8; 2]),
    ClearScreen,
    InkingMode(bool),
    InkThreshold(InkThreshold),
    ClearScreenArea(Rect),
    StartImageDataArea {
        mode: EncodingMode,
        area: Rect,
    },
    StartImageData(EncodingMode),
    /// Payload of 1..=253 bytes.
    ImageDataBlock(Vec<u8>),
    EndImageData(EndImageAction),
    HandwritingThicknessColor {
        color565: u16,
        thickness: u8,
    },
    BackgroundColor {
        color565: u16,
    },
    HandwritingDisplayArea(Rect),
    BacklightBrightness(u16),
    ScreenContrast(u16),
    HandwritingThicknessColor24 {
        color: Rgb24,
        thickness: u8,
    },
    BackgroundColor24(Rgb24),
    BootScreen(bool),
    PenDataOptionMode(PenDataOption),
    EncryptionCommand(EncryptionCommand),
    EncryptionStatus(EncryptionStatus),
}

pub(crate) fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
pub(crate) fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn arr<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&b[at..at + N]);
    out
}
fn flag(id: ReportId, field: &'static str, v: u8) -> Result<bool, ProtocolError> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(ProtocolError::bad(id, field, other)),
    }
}

impl FeatureReport {
    /// The report id.
    pub fn id(&self) -> ReportId {
        use FeatureReport as F;
        match self {
            F::Status(_) => ReportId::Status,
            F::Reset(_) => ReportId::Reset,
            F::Information(_) => ReportId::Information,
            F::Capability(_) => ReportId::Capability,
            F::Uid(_) => ReportId::Uid,
            F::Uid2(_) => ReportId::Uid2,
            F::HostPublicKey(_) => ReportId::HostPublicKey,
            F::DevicePublicKey(_) => ReportId::DevicePublicKey,
            F::StartCapture { .. } => ReportId::StartCapture,
            F::EndCapture => ReportId::EndCapture,
            F::DhPrime(_) => ReportId::DhPrime,
            F::DhBase(_) => ReportId::DhBase,
            F::ClearScreen => ReportId::ClearScreen,
            F::InkingMode(_) => ReportId::InkingMode,
            F::InkThreshold(_) => ReportId::InkThreshold,
            F::ClearScreenArea(_) => ReportId::ClearScreenArea,
            F::StartImageDataArea { .. } => ReportId::StartImageDataArea,
            F::StartImageData(_) => ReportId::StartImageData,
            F::ImageDataBlock(_) => ReportId::ImageDataBlock,
            F::EndImageData(_) => ReportId::EndImageData,
            F::HandwritingThicknessColor { .. } => ReportId::HandwritingThicknessColor,
            F::BackgroundColor { .. } => ReportId::BackgroundColor,
            F::HandwritingDisplayArea(_) => ReportId::HandwritingDisplayArea,
            F::BacklightBrightness(_) => ReportId::BacklightBrightness,
            F::ScreenContrast(_) => ReportId::ScreenContrast,
            F::HandwritingThicknessColor24 { .. } => ReportId::HandwritingThicknessColor24,
            F::BackgroundColor24(_) => ReportId::BackgroundColor24,
            F::BootScreen(_) => ReportId::BootScreen,
            F::PenDataOptionMode(_) => ReportId::PenDataOptionMode,
            F::EncryptionCommand(_) => ReportId::EncryptionCommand,
            F::EncryptionStatus(_) => ReportId::EncryptionStatus,
        }
    }

    /// Encodes to the exact HID buffer (id at byte 0, report length).
    ///
    /// Fails only for values that have no wire form (an image block payload of 0 or more than
    /// 253 bytes, a model name longer than 9 bytes, a threshold above 0x3FF).
    pub fn encode(&self) -> Result<Vec<u8>, ProtocolError> {
        use FeatureReport as F;
        let id = self.id();
        let mut b = vec![0u8; id.len()];
        b[0] = id as u8;
        match self {
            F::Status(s) => {
                b[1] = s.state as u8;
                b[2] = s.last_result.to_u8();
                b[3..5].copy_from_slice(&s.status_word.to_le_bytes());
            }
            F::Reset(k) => b[1] = *k as u8,
            F::Information(i) => {
                let name = i.model_name.as_bytes();
                if name.len() > 9 || !i.model_name.is_ascii() || name.contains(&0) {
                    return Err(ProtocolError::bad(id, "model_name.len", name.len() as u32));
                }
                b[1..1 + name.len()].copy_from_slice(name);
                b[10] = i.firmware_major;
                b[11] = i.firmware_minor;
                b[12] = i.secure_ic;
                b[13..17].copy_from_slice(&i.secure_ic_version);
            }
            F::Capability(c) => {
                b[1..3].copy_from_slice(&c.tablet_max_x.to_be_bytes());
                b[3..5].copy_from_slice(&c.tablet_max_y.to_be_bytes());
                b[5..7].copy_from_slice(&c.tablet_max_pressure.to_be_bytes());
                b[7..9].copy_from_slice(&c.screen_width.to_be_bytes());
                b[9..11].copy_from_slice(&c.screen_height.to_be_bytes());
                b[11] = c.max_report_rate;
                b[12..14].copy_from_slice(&c.resolution.to_be_bytes());
                b[14] = c.encoding_flag;
            }
            F::Uid(u) => b[1..5].copy_from_slice(&u.to_be_bytes()),
            F::Uid2(u) => b[1..11].copy_from_slice(u),
            F::HostPublicKey(k) | F::DevicePublicKey(k) | F::DhPrime(k) => {
                b[1..17].copy_from_slice(k)
            }
            F::StartCapture { session_id } => b[1..5].copy_from_slice(&session_id.to_be_bytes()),
            F::EndCapture | F::ClearScreen => {}
            F::DhBase(g) => b[1..3].copy_from_slice(g),
            F::InkingMode(on) | F::BootScreen(on) => b[1] = u8::from(*on),
            F::InkThreshold(t) => {
                if t.on_pressure > 0x3FF {
                    return Err(ProtocolError::bad(id, "on_pressure", t.on_pressure));
                }
                if t.off_pressure > 0x3FF {
                    return Err(ProtocolError::bad(id, "off_pressure", t.off_pressure));
                }
                b[1..3].copy_from_slice(&t.on_pressure.to_le_bytes());
                b[3..5].copy_from_slice(&t.off_pressure.to_le_bytes());
            }
            F::ClearScreenArea(r) => {
                b[1..3].copy_from_slice(&unconfirmed::CLEAR_AREA_CONSTANT);
                r.encode(&mut b[3..11]);
            }
            F::StartImageDataArea { mode, area } => {
                b[1] = *mode as u8;
                b[2] = unconfirmed::IMAGE_AREA_CONSTANT;
                area.encode(&mut b[3..11]);
            }
            F::StartImageData(mode) => b[1] = *mode as u8,
            F::ImageDataBlock(data) => {
                if data.is_empty() || data.len() > IMAGE_BLOCK_PAYLOAD {
                    return Err(ProtocolError::bad(id, "length", data.len() as u32));
                }
                b[1..3].copy_from_slice(&(data.len() as u16).to_le_bytes());
                b[3..3 + data.len()].copy_from_slice(data);
            }
            F::EndImageData(a) => b[1] = *a as u8,
            F::HandwritingThicknessColor {
                color565,
                thickness,
            } => {
                b[1..3].copy_from_slice(&color565.to_le_bytes());
                b[3] = *thickness;
            }
            F::BackgroundColor { color565 } => b[1..3].copy_from_slice(&color565.to_le_bytes()),
            F::HandwritingDisplayArea(r) => r.encode(&mut b[1..9]),
            F::BacklightBrightness(v) | F::ScreenContrast(v) => {
                b[1..3].copy_from_slice(&v.to_le_bytes())
            }
            F::HandwritingThicknessColor24 { color, thickness } => {
                b[1..4].copy_from_slice(&unconfirmed::color24_to_wire(*color));
                b[4] = *thickness;
            }
            F::BackgroundColor24(c) => b[1..4].copy_from_slice(&unconfirmed::color24_to_wire(*c)),
            F::PenDataOptionMode(m) => b[1] = *m as u8,
            F::EncryptionCommand(c) => {
                b[1] = c.command as u8;
                b[2] = c.parameter;
                b[3] = c.length_or_index;
                b[4..68].copy_from_slice(&c.data);
            }
            F::EncryptionStatus(s) => {
                if s.padding_type > 3 {
                    return Err(ProtocolError::bad(id, "padding_type", s.padding_type));
                }
                if s.asymmetric_key_type > 0x3F {
                    return Err(ProtocolError::bad(
                        id,
                        "asymmetric_key_type",
                        s.asymmetric_key_type,
                    ));
                }
                b[1] = s.symmetric_key_type;
                b[2] = (s.padding_type << 6) | s.asymmetric_key_type;
                b[4] = s.status_e;
                b[5] = s.status_n;
                b[6] = s.status_c;
                b[7] = s.last_result;
                b[8] = u8::from(s.aes) | (u8::from(s.sha1) << 1) | (u8::from(s.rng) << 2);
            }
        }
        Ok(b)
    }

    /// Decodes a feature report buffer (id at byte 0, exact length).
    pub fn decode(b: &[u8]) -> Result<FeatureReport, ProtocolError> {
        use FeatureReport as F;
        let first = *b.first().ok_or(ProtocolError::Empty)?;
        let id = ReportId::from_u8(first)?;
        let d = id.direction();
        if !d.get && !d.set {
            return Err(ProtocolError::WrongDirection(first));
        }
        id.check(b)?;
        Ok(match id {
            ReportId::Status => F::Status(Status {
                state: StatusCode::from_u8(b[1]).ok_or(ProtocolError::bad(id, "state", b[1]))?,
                last_result: ErrorCode::from_u8(b[2]),
                status_word: le16(b, 3),
            }),
            ReportId::Reset => F::Reset(match b[1] {
                0 => ResetKind::Software,
                1 => ResetKind::Hardware,
                v => return Err(ProtocolError::bad(id, "kind", v)),
            }),
            ReportId::Information => {
                let raw = &b[1..10];
                let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
                if raw[end..].iter().any(|&c| c != 0) || !raw[..end].is_ascii() {
                    return Err(ProtocolError::bad(
                        id,
                        "model_name",
                        u32::from(raw[end.min(8)]),
                    ));
                }
                F::Information(Information {
                    model_name: String::from_utf8_lossy(&raw[..end]).into_owned(),
                    firmware_major: b[10],
                    firmware_minor: b[11],
                    secure_ic: b[12],
                    secure_ic_version: arr(b, 13),
                })
            }
            ReportId::Capability => F::Capability(Capability {
                tablet_max_x: be16(b, 1),
                tablet_max_y: be16(b, 3),
                tablet_max_pressure: be16(b, 5),
                screen_width: be16(b, 7),
                screen_height: be16(b, 9),
                max_report_rate: b[11],
                resolution: be16(b, 12),
                encoding_flag: b[14],
            }),
            ReportId::Uid => F::Uid(be32(b, 1)),
            ReportId::Uid2 => F::Uid2(arr(b, 1)),
            ReportId::HostPublicKey => F::HostPublicKey(arr(b, 1)),
            ReportId::DevicePublicKey => F::DevicePublicKey(arr(b, 1)),
            ReportId::StartCapture => F::StartCapture {
                session_id: be32(b, 1),
            },
            ReportId::EndCapture => F::EndCapture,
            ReportId::DhPrime => F::DhPrime(arr(b, 1)),
            ReportId::DhBase => F::DhBase(arr(b, 1)),
            ReportId::ClearScreen => F::ClearScreen,
            ReportId::InkingMode => F::InkingMode(flag(id, "mode", b[1])?),
            ReportId::BootScreen => F::BootScreen(flag(id, "enabled", b[1])?),
            ReportId::InkThreshold => {
                let t = InkThreshold {
                    on_pressure: le16(b, 1),
                    off_pressure: le16(b, 3),
                };
                if t.on_pressure > 0x3FF {
                    return Err(ProtocolError::bad(id, "on_pressure", t.on_pressure));
                }
                if t.off_pressure > 0x3FF {
                    return Err(ProtocolError::bad(id, "off_pressure", t.off_pressure));
                }
                F::InkThreshold(t)
            }
            ReportId::ClearScreenArea => {
                if b[1..3] != unconfirmed::CLEAR_AREA_CONSTANT {
                    return Err(ProtocolError::bad(id, "constant", u32::from(be16(b, 1))));
                }
                F::ClearScreenArea(Rect::decode(id, &b[3..11])?)
            }
            ReportId::StartImageDataArea => {
                if b[2] != unconfirmed::IMAGE_AREA_CONSTANT {
                    return Err(ProtocolError::bad(id, "constant", b[2]));
                }
                F::StartImageDataArea {
                    mode: EncodingMode::from_u8(b[1])
                        .ok_or(ProtocolError::bad(id, "mode", b[1]))?,
                    area: Rect::decode(id, &b[3..11])?,
                }
            }
            ReportId::StartImageData => F::StartImageData(
                EncodingMode::from_u8(b[1]).ok_or(ProtocolError::bad(id, "mode", b[1]))?,
            ),
            ReportId::ImageDataBlock => {
                let n = usize::from(le16(b, 1));
                if n == 0 || n > IMAGE_BLOCK_PAYLOAD {
                    return Err(ProtocolError::bad(id, "length", n as u32));
                }
                F::ImageDataBlock(b[3..3 + n].to_vec())
            }
            ReportId::EndImageData => F::EndImageData(match b[1] {
                0 => EndImageAction::Commit,
                1 => EndImageAction::Abandon,
                v => return Err(ProtocolError::bad(id, "action", v)),
            }),
            ReportId::HandwritingThicknessColor => F::HandwritingThicknessColor {
                color565: le16(b, 1),
                thickness: b[3],
            },
            ReportId::BackgroundColor => F::BackgroundColor {
                color565: le16(b, 1),
            },
            ReportId::HandwritingDisplayArea => {
                F::HandwritingDisplayArea(Rect::decode(id, &b[1..9])?)
            }
            ReportId::BacklightBrightness => F::BacklightBrightness(le16(b, 1)),
            ReportId::ScreenContrast => F::ScreenContrast(le16(b, 1)),
            ReportId::HandwritingThicknessColor24 => F::HandwritingThicknessColor24 {
                color: unconfirmed::color24_from_wire(arr(b, 1)),
                thickness: b[4],
            },
            ReportId::BackgroundColor24 => {
                F::BackgroundColor24(unconfirmed::color24_from_wire(arr(b, 1)))
            }
            ReportId::PenDataOptionMode => F::PenDataOptionMode(match b[1] {
                0 => PenDataOption::None,
                1 => PenDataOption::TimeCount,
                2 => PenDataOption::SequenceNumber,
                3 => PenDataOption::TimeCountSequence,
                v => return Err(ProtocolError::bad(id, "mode", v)),
            }),
            ReportId::EncryptionCommand => F::EncryptionCommand(EncryptionCommand {
                command: match b[1] {
                    0x01 => EncryptionCommandCode::SetEncryptionType,
                    0x02 => EncryptionCommandCode::SetParameterBlock,
                    0x03 => EncryptionCommandCode::GetStatusBlock,
                    0x04 => EncryptionCommandCode::GetParameterBlock,
                    0x05 => EncryptionCommandCode::GenerateSymmetricKey,
                    v => return Err(ProtocolError::bad(id, "command", v)),
                },
                parameter: b[2],
                length_or_index: b[3],
                data: arr(b, 4),
            }),
            ReportId::EncryptionStatus => F::EncryptionStatus(EncryptionStatus::decode_body(b)),
            ReportId::PenData
            | ReportId::PenDataEncrypted
            | ReportId::PenDataTimeCountSequence
            | ReportId::PenDataTimeCountSequenceEncrypted => {
                return Err(ProtocolError::WrongDirection(first));
            }
        })
    }

    /// Decodes and requires a given id: a convenience for replies to `get`.
    pub fn decode_expect(expected: ReportId, b: &[u8]) -> Result<FeatureReport, ProtocolError> {
        let first = *b.first().ok_or(ProtocolError::Empty)?;
        if first != expected as u8 {
            return Err(ProtocolError::WrongId {
                expected: expected as u8,
                found: first,
            });
        }
        FeatureReport::decode(b)
    }
}

impl EncryptionStatus {
    /// Decodes bytes 1..=8 of a length-checked 0x50 buffer.
    pub(crate) fn decode_body(b: &[u8]) -> EncryptionStatus {
        EncryptionStatus {
            symmetric_key_type: b[1],
            padding_type: b[2] >> 6,
            asymmetric_key_type: b[2] & 0x3F,
            status_e: b[4],
            status_n: b[5],
            status_c: b[6],
            last_result: b[7],
            aes: b[8] & 1 != 0,
            sha1: b[8] & 2 != 0,
            rng: b[8] & 4 != 0,
        }
    }
}
