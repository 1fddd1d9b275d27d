//! Transports that carry STU HID reports between the host and a pad.
//!
//! One blocking [`Transport`] trait — feature get/set and input reads with a timeout — and:
//! - [`hid::HidTransport`]: real pads through hidapi (Linux: hidraw, no system libraries);
//! - [`socket::SocketTransport`]: a simulator process reached over loopback TCP, with the
//!   framing in [`frame`];
//! - [`drive`]: the blocking runner that executes `stu_protocol::PadDriver` actions on any
//!   transport.
//!
//! The in-process transport to the simulator lives in the `device-sim` crate, which implements
//! this trait.
//!
//! *Architecture invariant:* no protocol decisions here — transports move raw report bytes;
//! what they mean is `stu-protocol`'s business.

pub mod drive;
pub mod error;
pub mod frame;
pub mod hid;
pub mod socket;

use std::time::Duration;

pub use drive::{DriveError, read_pen, run};
pub use error::TransportError;
pub use hid::{HidTransport, PadInfo, enumerate};
pub use socket::SocketTransport;

/// Largest report any supported pad uses over HID (EncryptionCommand is 68, ImageDataBlock 256).
pub const MAX_REPORT_LEN: usize = 512;

/// A link to one pad, blocking. Every call either completes, fails with a typed error, or
/// gives up after a bounded time.
pub trait Transport {
    /// GET_REPORT(Feature, `id`) into a `len`-byte buffer; returns the report bytes (id first).
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError>;
    /// SET_REPORT(Feature) with `report` (id first).
    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError>;
    /// Waits up to `timeout` for one input report; `Ok(None)` when none arrived in time.
    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError>;
    /// Pauses between status polls. Real links sleep; a simulator in virtual time advances
    /// its clock instead.
    fn wait(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError> {
        (**self).get_feature(id, len)
    }
    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError> {
        (**self).set_feature(report)
    }
    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        (**self).read_input(timeout)
    }
    fn wait(&mut self, duration: Duration) {
        (**self).wait(duration)
    }
}
