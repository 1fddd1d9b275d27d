//! Screen images: encoding modes, packing an RGBA/grey bitmap into a model's wire format
//! (1-bit mono, RGB565 big-endian, 24-bit BGR, each optionally zlib), splitting it into
//! ImageDataBlock reports, and unpacking it again (what the pad does on commit).

use crate::error::ImageError;
use crate::model::Capabilities;
use crate::report::{FeatureReport, IMAGE_BLOCK_PAYLOAD, Rect};

/// Image encoding mode (byte 1 of StartImageData, 0x25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EncodingMode {
    Mono = 0x00,
    MonoZlib = 0x01,
    Rgb565 = 0x02,
    Rgb565Zlib = 0x03,
    Bgr24 = 0x04,
    Bgr24Zlib = 0x05,
    /// Bulk-pipe modes need Wacom's own driver; no pad accepts them over HID.
    MonoBulk = 0x10,
    Rgb565Bulk = 0x12,
    Bgr24Bulk = 0x14,
}

/// Bits per pixel of a mode's raw data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    Mono1,
    Rgb565,
    Bgr24,
}

impl EncodingMode {
    /// Decodes the mode byte.
    pub fn from_u8(b: u8) -> Option<EncodingMode> {
        use EncodingMode::*;
        Some(match b {
            0x00 => Mono,
            0x01 => MonoZlib,
            0x02 => Rgb565,
            0x03 => Rgb565Zlib,
            0x04 => Bgr24,
            0x05 => Bgr24Zlib,
            0x10 => MonoBulk,
            0x12 => Rgb565Bulk,
            0x14 => Bgr24Bulk,
            _ => return None,
        })
    }
    /// True for the zlib-compressed modes.
    pub fn is_zlib(self) -> bool {
        matches!(
            self,
            EncodingMode::MonoZlib | EncodingMode::Rgb565Zlib | EncodingMode::Bgr24Zlib
        )
    }
    /// Raw pixel format.
    pub fn format(self) -> PixelFormat {
        use EncodingMode::*;
        match self {
            Mono | MonoZlib | MonoBulk => PixelFormat::Mono1,
            Rgb565 | Rgb565Zlib | Rgb565Bulk => PixelFormat::Rgb565,
            Bgr24 | Bgr24Zlib | Bgr24Bulk => PixelFormat::Bgr24,
        }
    }
}

/// Raw (uncompressed) byte length of a `width × height` picture in `format`.
pub fn raw_len(format: PixelFormat, width: u32, height: u32) -> usize {
    let (w, h) = (width as usize, height as usize);
    match format {
        PixelFormat::Mono1 => w.div_ceil(8) * h,
        PixelFormat::Rgb565 => w * h * 2,
        PixelFormat::Bgr24 => w * h * 3,
    }
}

/// Largest raw image any supported model takes (800 × 480 × 3).
pub const MAX_IMAGE_BYTES: usize = 800 * 480 * 3;

/// Pixel data of a host bitmap.
#[derive(Debug, Clone, Copy)]
pub enum Pixels<'a> {
    /// 4 bytes per pixel, R G B A (alpha composited over white).
    Rgba8(&'a [u8]),
    /// 3 bytes per pixel, R G B.
    Rgb8(&'a [u8]),
    /// 1 byte per pixel.
    Gray8(&'a [u8]),
}

/// A host bitmap, rows top to bottom without padding.
#[derive(Debug, Clone, Copy)]
pub struct Bitmap<'a> {
    pub width: u32,
    pub height: u32,
    pub pixels: Pixels<'a>,
}

impl Bitmap<'_> {
    fn rgb(&self, i: usize) -> [u8; 3] {
        match self.pixels {
            Pixels::Rgba8(p) => {
                let a = u32::from(p[i * 4 + 3]);
                let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
                [over(p[i * 4]), over(p[i * 4 + 1]), over(p[i * 4 + 2])]
            }
            Pixels::Rgb8(p) => [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]],
            Pixels::Gray8(p) => [p[i]; 3],
        }
    }
    fn check(&self) -> Result<(), ImageError> {
        let n = self.width as usize * self.height as usize;
        let (len, bpp) = match self.pixels {
            Pixels::Rgba8(p) => (p.len(), 4),
            Pixels::Rgb8(p) => (p.len(), 3),
            Pixels::Gray8(p) => (p.len(), 1),
        };
        if len != n * bpp {
            return Err(ImageError::WrongBufferLength {
                expected: n * bpp,
                found: len,
            });
        }
        Ok(())
    }
}

/// An image ready to send: mode, optional area (StartImageDataArea) and the bytes to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedImage {
    pub mode: EncodingMode,
    pub area: Option<Rect>,
    pub data: Vec<u8>,
}

impl EncodedImage {
    /// The report that opens the upload (0x25, or 0x24 for an area).
    pub fn start_report(&self) -> FeatureReport {
        match self.area {
            Some(area) => FeatureReport::StartImageDataArea {
                mode: self.mode,
                area,
            },
            None => FeatureReport::StartImageData(self.mode),
        }
    }
    /// The ImageDataBlock reports, 253 payload bytes each (the last may be shorter).
    pub fn blocks(&self) -> impl Iterator<Item = FeatureReport> + '_ {
        self.data
            .chunks(IMAGE_BLOCK_PAYLOAD)
            .map(|c| FeatureReport::ImageDataBlock(c.to_vec()))
    }
    /// Number of ImageDataBlock reports.
    pub fn block_count(&self) -> usize {
        self.data.len().div_ceil(IMAGE_BLOCK_PAYLOAD)
    }
}

/// Encodes a full-screen bitmap in the model's best mode (deepest colour; zlib when the model
/// supports it and `zlib` is asked for).
pub fn encode_for_model(
    caps: &Capabilities,
    bitmap: &Bitmap<'_>,
    zlib: bool,
) -> Result<EncodedImage, ImageError> {
    encode_image(caps, bitmap, caps.preferred_mode(zlib))
}

/// Encodes a full-screen bitmap in a given mode, refusing modes the model does not accept.
pub fn encode_image(
    caps: &Capabilities,
    bitmap: &Bitmap<'_>,
    mode: EncodingMode,
) -> Result<EncodedImage, ImageError> {
    if !caps.accepts_mode(mode) {
        return Err(ImageError::ModeNotSupported(mode as u8));
    }
    if bitmap.width != u32::from(caps.screen_width)
        || bitmap.height != u32::from(caps.screen_height)
    {
        return Err(ImageError::WrongSize {
            width: bitmap.width,
            height: bitmap.height,
            expected_width: u32::from(caps.screen_width),
            expected_height: u32::from(caps.screen_height),
        });
    }
    Ok(EncodedImage {
        mode,
        area: None,
        data: pack(bitmap, mode)?,
    })
}

/// Encodes a bitmap for an area of the screen (StartImageDataArea; STU-430/530).
pub fn encode_image_area(
    caps: &Capabilities,
    bitmap: &Bitmap<'_>,
    mode: EncodingMode,
    area: Rect,
) -> Result<EncodedImage, ImageError> {
    if !caps.accepts_mode(mode) {
        return Err(ImageError::ModeNotSupported(mode as u8));
    }
    if area.x2 >= caps.screen_width
        || area.y2 >= caps.screen_height
        || area.x2 < area.x1
        || area.y2 < area.y1
    {
        return Err(ImageError::BadArea);
    }
    if bitmap.width != area.width() || bitmap.height != area.height() {
        return Err(ImageError::WrongSize {
            width: bitmap.width,
            height: bitmap.height,
            expected_width: area.width(),
            expected_height: area.height(),
        });
    }
    Ok(EncodedImage {
        mode,
        area: Some(area),
        data: pack(bitmap, mode)?,
    })
}

fn pack(bitmap: &Bitmap<'_>, mode: EncodingMode) -> Result<Vec<u8>, ImageError> {
    bitmap.check()?;
    let (w, h) = (bitmap.width as usize, bitmap.height as usize);
    let raw = match mode.format() {
        PixelFormat::Mono1 => {
            let row = w.div_ceil(8);
            let mut out = vec![0xFFu8; row * h];
            for y in 0..h {
                for x in 0..w {
                    let [r, g, b] = bitmap.rgb(y * w + x);
                    if (r | g | b) <= 0x80 {
                        out[y * row + x / 8] &= !(0x80 >> (x % 8));
                    }
                }
            }
            out
        }
        PixelFormat::Rgb565 => {
            let mut out = Vec::with_capacity(w * h * 2);
            for i in 0..w * h {
                let [r, g, b] = bitmap.rgb(i);
                out.extend_from_slice(&rgb_to_565(r, g, b).to_be_bytes());
            }
            out
        }
        PixelFormat::Bgr24 => {
            let mut out = Vec::with_capacity(w * h * 3);
            for i in 0..w * h {
                let [r, g, b] = bitmap.rgb(i);
                out.extend_from_slice(&[b, g, r]);
            }
            out
        }
    };
    Ok(if mode.is_zlib() {
        miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6)
    } else {
        raw
    })
}

/// RGB888 → RGB565.
pub fn rgb_to_565(r: u8, g: u8, b: u8) -> u16 {
    (u16::from(r >> 3) << 11) | (u16::from(g >> 2) << 5) | u16::from(b >> 3)
}

/// RGB565 → RGB888 (low bits replicated).
pub fn rgb_from_565(c: u16) -> [u8; 3] {
    let r = ((c >> 11) & 0x1F) as u8;
    let g = ((c >> 5) & 0x3F) as u8;
    let b = (c & 0x1F) as u8;
    [
        (r << 3) | (r >> 2),
        (g << 2) | (g >> 4),
        (b << 3) | (b >> 2),
    ]
}

/// Unpacks uploaded data into RGB pixels (`width × height`), inflating zlib modes with a bound.
/// Errors: [`ImageError::TooLong`] when there is more data than the picture,
/// [`ImageError::TooShort`] when less, [`ImageError::Zlib`] when inflating fails.
pub fn decode_image(
    mode: EncodingMode,
    width: u32,
    height: u32,
    data: &[u8],
) -> Result<Vec<[u8; 3]>, ImageError> {
    let expected = raw_len(mode.format(), width, height);
    let inflated;
    let raw: &[u8] = if mode.is_zlib() {
        inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, expected)
            .map_err(|e| {
                if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                    ImageError::TooLong {
                        found: expected + 1,
                        limit: expected,
                    }
                } else {
                    ImageError::Zlib
                }
            })?;
        &inflated
    } else {
        data
    };
    if raw.len() > expected {
        return Err(ImageError::TooLong {
            found: raw.len(),
            limit: expected,
        });
    }
    if raw.len() < expected {
        return Err(ImageError::TooShort {
            found: raw.len(),
            expected,
        });
    }
    let (w, h) = (width as usize, height as usize);
    let mut out = Vec::with_capacity(w * h);
    match mode.format() {
        PixelFormat::Mono1 => {
            let row = w.div_ceil(8);
            for y in 0..h {
                for x in 0..w {
                    let bit = raw[y * row + x / 8] & (0x80 >> (x % 8));
                    out.push(if bit != 0 { [255; 3] } else { [0; 3] });
                }
            }
        }
        PixelFormat::Rgb565 => {
            for c in raw.chunks_exact(2) {
                out.push(rgb_from_565(u16::from_be_bytes([c[0], c[1]])));
            }
        }
        PixelFormat::Bgr24 => {
            for c in raw.chunks_exact(3) {
                out.push([c[2], c[1], c[0]]);
            }
        }
    }
    Ok(out)
}
