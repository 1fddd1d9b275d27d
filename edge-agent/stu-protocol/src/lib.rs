//! The Wacom STU-300/430/530 USB HID protocol, without I/O.
//!
//! *Architecture invariant:* this crate does no I/O, starts no threads and knows nothing of
//! hidapi, sockets or clocks. Bytes and decisions go in, bytes and events come out.
//!
//! # Map
//! - [`ids`]: report ids and their fixed lengths.
//! - [`report`]: feature reports ([`FeatureReport`]) — encode/decode of every get/set report.
//! - [`pen`]: pen samples and input reports ([`InputReport`]); [`PenTracker`] for pen-down.
//! - [`status`]: pad states and result codes.
//! - [`model`]: USB ids and the capability table ([`Model::capabilities`]).
//! - [`units`]: tablet units ↔ pixels ↔ millimetres ([`Units`]).
//! - [`image`]: bitmap → wire format for each model, block splitting, and unpacking.
//! - [`crypto`]: DH arithmetic (v1) and the AES block cipher of encrypted pen data.
//! - [`driver`]: [`PadDriver`], the sans-IO session state machine.
//! - [`unconfirmed`]: every choice made where the reference is unsure, in one place.
//!
//! # Using the driver
//! ```
//! use stu_protocol::{Action, DriverConfig, PadDriver};
//! let mut driver = PadDriver::new(DriverConfig::default());
//! driver.begin_init().unwrap();
//! // A runner loops: what to do, do it on a transport, report the result.
//! match driver.poll_action() {
//!     Some(Action::GetFeature { id, len }) => { /* transport.get_feature(id, len) → driver.handle_feature(&bytes) */ }
//!     Some(Action::SetFeature(bytes)) => { /* transport.set_feature(&bytes) → driver.handle_set_done() */ }
//!     Some(Action::Wait(d)) => { /* sleep(d) → driver.handle_wait_done() */ }
//!     None => { /* idle */ }
//! }
//! ```
//! After init, [`PadDriver::identity`] gives the model and its [`Capabilities`]; build a
//! screen with [`image::encode_for_model`], then `begin_upload`, `begin_set_inking(true)`, and
//! feed input reports to [`PadDriver::handle_input`] and read [`PadDriver::poll_pen`].

pub mod crypto;
pub mod driver;
pub mod error;
pub mod ids;
pub mod image;
pub mod model;
pub mod pen;
pub mod report;
pub mod status;
pub mod unconfirmed;
pub mod units;

pub use driver::{Action, DriverConfig, PadDriver, PadIdentity, PenPoint, RsaHandshake};
pub use error::{DriverError, ImageError, ProtocolError};
pub use ids::ReportId;
pub use image::{Bitmap, EncodedImage, EncodingMode, Pixels};
pub use model::{Capabilities, ColourDepth, EncryptionScheme, Model, WACOM_VENDOR_ID};
pub use pen::{InputReport, PenSample, PenTracker, PenTransition};
pub use report::{FeatureReport, Rect, Rgb24, Status};
pub use status::{ErrorCode, StatusCode};
pub use units::Units;
