//! The pen trace of one handwritten signature and its "19794-7-like" binary
//! encoding.
//!
//! ISO/IEC 19794-7 describes signature time series as a header bitmap of the
//! channels every sample carries, per-channel scaling, then the samples. Its
//! exact general-header layout is not reproduced here; this is inkseal's own,
//! documented layout in the same spirit, with a magic and a version byte so a
//! later layout can sit next to it.
//!
//! # Layout, version 1 (all integers big-endian)
//!
//! | offset | size | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `IKTS` |
//! | 4 | 1 | format version, `1` |
//! | 5 | 2 | channel bitmap: bit 0 `X`, bit 1 `Y`, bit 2 `T`, bit 3 `F` (pressure), bit 4 `S` (pen tip switch); other bits must be 0 |
//! | 7 | 2 | `max_x`: largest x the pad reports |
//! | 9 | 2 | `max_y`: largest y the pad reports |
//! | 11 | 2 | `max_pressure`: largest pressure level (0 when `F` is absent) |
//! | 13 | 4 | x scaling: pad units per metre |
//! | 17 | 4 | y scaling: pad units per metre |
//! | 21 | 2 | nominal sample rate in Hz |
//! | 23 | 4 | sample count `n` (at most [`MAX_SAMPLES`]) |
//! | 27 | `n × s` | samples |
//!
//! Each sample carries the present channels in bit order: `X` u16, `Y` u16,
//! `T` u32 (microseconds since the start of the capture), `F` u16, `S` u8
//! (`1` pen down, `0` pen up), so `s` is 11 bytes when all five are present.
//! `X`, `Y` and `T` are mandatory. Writers of version 1 always set all five
//! channels; a reader given a series without `F` takes pressure 0, and without
//! `S` takes "pen down" to mean pressure above 0.
//!
//! Values are checked on both sides: coordinates and pressure never exceed
//! their declared maximum, time never goes backwards, the input has no
//! trailing bytes.

use crate::reader::{Reader, Truncated};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Most samples one signature may carry: 500 s at 200 Hz. A longer trace is
/// refused, never truncated.
pub const MAX_SAMPLES: usize = 100_000;

/// Magic that opens an encoded time series.
pub const TIME_SERIES_MAGIC: [u8; 4] = *b"IKTS";
/// Current version of the time-series layout.
pub const TIME_SERIES_VERSION: u8 = 1;

const CH_X: u16 = 1 << 0;
const CH_Y: u16 = 1 << 1;
const CH_T: u16 = 1 << 2;
const CH_F: u16 = 1 << 3;
const CH_S: u16 = 1 << 4;
const CH_ALL: u16 = CH_X | CH_Y | CH_T | CH_F | CH_S;
const CH_MANDATORY: u16 = CH_X | CH_Y | CH_T;
const HEADER_LEN: usize = 27;

/// What the pad's channels mean: ranges, physical resolution, sample rate.
#[derive(Clone, Copy, PartialEq, Eq, Zeroize)]
pub struct ChannelInfo {
    /// Largest x coordinate the pad reports.
    pub max_x: u16,
    /// Largest y coordinate the pad reports.
    pub max_y: u16,
    /// Largest pressure level the pad reports (e.g. 1023).
    pub max_pressure: u16,
    /// Pad x units per metre (e.g. 100 000 for 0.01 mm units).
    pub x_units_per_metre: u32,
    /// Pad y units per metre.
    pub y_units_per_metre: u32,
    /// Nominal sample rate in Hz (e.g. 200).
    pub sample_rate_hz: u16,
}

impl std::fmt::Debug for ChannelInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelInfo")
            .field("max_x", &self.max_x)
            .field("max_y", &self.max_y)
            .field("max_pressure", &self.max_pressure)
            .field("x_units_per_metre", &self.x_units_per_metre)
            .field("y_units_per_metre", &self.y_units_per_metre)
            .field("sample_rate_hz", &self.sample_rate_hz)
            .finish()
    }
}

/// One pen sample.
#[derive(Clone, Copy, PartialEq, Eq, Default, Zeroize)]
pub struct Sample {
    /// x in pad units, `0..=max_x`.
    pub x: u16,
    /// y in pad units, `0..=max_y`.
    pub y: u16,
    /// Pressure level, `0..=max_pressure`.
    pub pressure: u16,
    /// Microseconds since the start of the capture; never decreases.
    pub t_us: u32,
    /// Pen tip touching the pad.
    pub pen_down: bool,
}

/// Samples are biometric data: they are never printed.
impl std::fmt::Debug for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sample(..)")
    }
}

/// The pen trace of one signature. Its memory is wiped when it is dropped,
/// and its `Debug` output shows only the channel info and the sample count.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct TimeSeries {
    /// Channel ranges and scaling of the pad that captured the trace.
    pub channels: ChannelInfo,
    /// Samples in capture order.
    pub samples: Vec<Sample>,
}

impl std::fmt::Debug for TimeSeries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeSeries")
            .field("channels", &self.channels)
            .field("samples", &format_args!("[{} samples]", self.samples.len()))
            .finish()
    }
}

/// Why a time series could not be encoded or decoded. Messages name the
/// sample index and channel, never a biometric value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeSeriesError {
    /// The input ended early.
    #[error("time series is truncated while reading {0}")]
    Truncated(&'static str),
    /// The input does not start with `IKTS`.
    #[error("not an encoded time series (bad magic)")]
    BadMagic,
    /// A layout version this crate does not know.
    #[error("unsupported time series format version {0}")]
    UnsupportedVersion(u8),
    /// The channel bitmap has unknown bits or lacks a mandatory channel.
    #[error("channel bitmap {bitmap:#06x} is invalid: {reason}")]
    BadChannels {
        /// The bitmap as read.
        bitmap: u16,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The channel info is unusable (e.g. zero resolution).
    #[error("channel info is invalid: {0}")]
    BadChannelInfo(&'static str),
    /// More samples than [`MAX_SAMPLES`].
    #[error("{count} samples exceed the limit of {max} per signature")]
    TooManySamples {
        /// Samples given or declared.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A value above its channel's declared maximum.
    #[error("sample {index}: {channel} exceeds the declared maximum {max}")]
    OutOfRange {
        /// Index of the sample.
        index: usize,
        /// Channel name.
        channel: &'static str,
        /// Declared maximum.
        max: u16,
    },
    /// Time went backwards.
    #[error("sample {index}: time goes backwards")]
    TimeNotMonotonic {
        /// Index of the sample.
        index: usize,
    },
    /// The pen switch byte is not 0 or 1.
    #[error("sample {index}: pen switch byte is neither 0 nor 1")]
    BadPenSwitch {
        /// Index of the sample.
        index: usize,
    },
    /// The sample area is longer or shorter than the declared count needs.
    #[error("sample area has {actual} bytes, the header declares {expected}")]
    LengthMismatch {
        /// Bytes the header implies.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
}

impl From<Truncated> for TimeSeriesError {
    fn from(t: Truncated) -> Self {
        Self::Truncated(t.0)
    }
}

fn sample_len(bitmap: u16) -> usize {
    let mut len = 0;
    if bitmap & CH_X != 0 {
        len += 2;
    }
    if bitmap & CH_Y != 0 {
        len += 2;
    }
    if bitmap & CH_T != 0 {
        len += 4;
    }
    if bitmap & CH_F != 0 {
        len += 2;
    }
    if bitmap & CH_S != 0 {
        len += 1;
    }
    len
}

impl TimeSeries {
    /// Checks the bounds and invariants that [`encode`](Self::encode) and
    /// [`decode`](Self::decode) enforce.
    pub fn validate(&self) -> Result<(), TimeSeriesError> {
        let c = &self.channels;
        if c.x_units_per_metre == 0 || c.y_units_per_metre == 0 {
            return Err(TimeSeriesError::BadChannelInfo("resolution is zero"));
        }
        if c.sample_rate_hz == 0 {
            return Err(TimeSeriesError::BadChannelInfo("sample rate is zero"));
        }
        if self.samples.len() > MAX_SAMPLES {
            return Err(TimeSeriesError::TooManySamples {
                count: self.samples.len(),
                max: MAX_SAMPLES,
            });
        }
        let mut last_t = 0u32;
        for (index, s) in self.samples.iter().enumerate() {
            for (channel, value, max) in [
                ("x", s.x, c.max_x),
                ("y", s.y, c.max_y),
                ("pressure", s.pressure, c.max_pressure),
            ] {
                if value > max {
                    return Err(TimeSeriesError::OutOfRange {
                        index,
                        channel,
                        max,
                    });
                }
            }
            if s.t_us < last_t {
                return Err(TimeSeriesError::TimeNotMonotonic { index });
            }
            last_t = s.t_us;
        }
        Ok(())
    }

    /// Exact length of [`encode`](Self::encode)'s output.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.samples.len() * sample_len(CH_ALL)
    }

    /// Appends the version-1 encoding to `out` (which the caller may keep in
    /// a zeroizing buffer; reserve [`encoded_len`](Self::encoded_len) first so
    /// no copy is left behind by a reallocation).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), TimeSeriesError> {
        self.validate()?;
        let c = &self.channels;
        out.extend_from_slice(&TIME_SERIES_MAGIC);
        out.push(TIME_SERIES_VERSION);
        out.extend_from_slice(&CH_ALL.to_be_bytes());
        out.extend_from_slice(&c.max_x.to_be_bytes());
        out.extend_from_slice(&c.max_y.to_be_bytes());
        out.extend_from_slice(&c.max_pressure.to_be_bytes());
        out.extend_from_slice(&c.x_units_per_metre.to_be_bytes());
        out.extend_from_slice(&c.y_units_per_metre.to_be_bytes());
        out.extend_from_slice(&c.sample_rate_hz.to_be_bytes());
        // validate() bounded the count far below u32::MAX.
        out.extend_from_slice(&(self.samples.len() as u32).to_be_bytes());
        for s in &self.samples {
            out.extend_from_slice(&s.x.to_be_bytes());
            out.extend_from_slice(&s.y.to_be_bytes());
            out.extend_from_slice(&s.t_us.to_be_bytes());
            out.extend_from_slice(&s.pressure.to_be_bytes());
            out.push(u8::from(s.pen_down));
        }
        Ok(())
    }

    /// The version-1 encoding. Prefer [`encode_into`](Self::encode_into) with
    /// a zeroizing buffer when the bytes are about to be encrypted.
    pub fn encode(&self) -> Result<Vec<u8>, TimeSeriesError> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Decodes and checks an encoded time series. Any input gives either a
    /// series or an error, never a panic, and never allocates more than the
    /// input's length implies.
    pub fn decode(input: &[u8]) -> Result<Self, TimeSeriesError> {
        let mut r = Reader::new(input);
        if r.array::<4>("magic")? != TIME_SERIES_MAGIC {
            return Err(TimeSeriesError::BadMagic);
        }
        let version = r.u8("version")?;
        if version != TIME_SERIES_VERSION {
            return Err(TimeSeriesError::UnsupportedVersion(version));
        }
        let bitmap = r.u16("channel bitmap")?;
        if bitmap & !CH_ALL != 0 {
            return Err(TimeSeriesError::BadChannels {
                bitmap,
                reason: "unknown channel bit",
            });
        }
        if bitmap & CH_MANDATORY != CH_MANDATORY {
            return Err(TimeSeriesError::BadChannels {
                bitmap,
                reason: "X, Y and T are mandatory",
            });
        }
        let channels = ChannelInfo {
            max_x: r.u16("max_x")?,
            max_y: r.u16("max_y")?,
            max_pressure: r.u16("max_pressure")?,
            x_units_per_metre: r.u32("x scaling")?,
            y_units_per_metre: r.u32("y scaling")?,
            sample_rate_hz: r.u16("sample rate")?,
        };
        let count = r.u32("sample count")? as usize;
        if count > MAX_SAMPLES {
            return Err(TimeSeriesError::TooManySamples {
                count,
                max: MAX_SAMPLES,
            });
        }
        let expected = count * sample_len(bitmap);
        if r.remaining() != expected {
            return Err(TimeSeriesError::LengthMismatch {
                expected,
                actual: r.remaining(),
            });
        }
        // Wiped even when a later sample turns out to be invalid.
        let mut samples = zeroize::Zeroizing::new(Vec::with_capacity(count));
        for index in 0..count {
            let x = r.u16("x")?;
            let y = r.u16("y")?;
            let t_us = r.u32("t")?;
            let pressure = if bitmap & CH_F != 0 {
                r.u16("pressure")?
            } else {
                0
            };
            let pen_down = if bitmap & CH_S != 0 {
                match r.u8("pen switch")? {
                    0 => false,
                    1 => true,
                    _ => return Err(TimeSeriesError::BadPenSwitch { index }),
                }
            } else {
                pressure > 0
            };
            samples.push(Sample {
                x,
                y,
                pressure,
                t_us,
                pen_down,
            });
        }
        let series = TimeSeries {
            channels,
            samples: std::mem::take(&mut *samples),
        };
        series.validate()?;
        Ok(series)
    }
}
