//! A byte-accurate simulator of Wacom STU-300, STU-430 and STU-530 signature pads.
//!
//! The simulated pad speaks HID reports: the same feature-report bytes a real pad accepts and
//! returns, and the same input reports at the model's report rate (200/s), with the model's
//! coordinate and pressure ranges, inking, clear screen, image upload (only the encodings the
//! model takes), encryption (DH + AES on the 300, RSA-wrapped AES on the 430/530), pen scripts,
//! faults on demand, and a PNG of what the LCD shows.
//!
//! *Architecture invariant:* the pad ([`SimPad`]) is a deterministic state machine — bytes and
//! time in, bytes out. Clocks, sockets and threads live around it ([`inproc`], [`server`]).
//!
//! # Map
//! - [`pad`]: the pad state machine; [`PadConfig`] says which model, serial, script and faults.
//! - [`script`]: pen scripts ([`PenScript`], file format, [`ScriptBuilder`]).
//! - [`signature`]: seeded synthetic signatures.
//! - [`fault`]: faults and their triggers.
//! - [`render`]: the screen and its PNG.
//! - [`clock`]: virtual or scaled time.
//! - [`inproc`]: [`SimTransport`], the in-process `stu_transport::Transport`.
//! - [`server`]: [`SimServer`], pads on loopback TCP (what the `stu-sim` binary runs).
//!
//! # A test in a few lines
//! ```
//! use device_sim::{PadConfig, PenScript, SignatureSpec, SimTransport, TimeMode};
//! use stu_protocol::{DriverConfig, Model, PadDriver, Rect};
//! use std::time::Duration;
//!
//! // The pen signs inside the signature box, then taps the OK button the host drew.
//! let script = PenScript::builder(Model::Stu430)
//!     .signature_in_pixels(&SignatureSpec::new(7), Rect { x1: 20, y1: 40, x2: 300, y2: 160 })
//!     .pause(300.0)
//!     .tap_pixel(53, 185)
//!     .build()
//!     .unwrap();
//! let mut pad = SimTransport::new(PadConfig::new(Model::Stu430).script(script), TimeMode::Virtual);
//! let mut driver = PadDriver::new(DriverConfig::default());
//! driver.begin_init().unwrap();
//! driver.begin_set_inking(true).unwrap(); // the script starts when inking goes on
//! stu_transport::run(&mut driver, &mut pad).unwrap();
//! let mut points = 0;
//! while let Some(_p) = stu_transport::read_pen(&mut driver, &mut pad, Duration::from_secs(1)).unwrap() {
//!     points += 1;
//! }
//! assert!(points > 100);
//! let png = pad.pad().screen().to_png(2).unwrap(); // what the client saw
//! assert!(png.starts_with(b"\x89PNG"));
//! ```

pub mod clock;
pub mod fault;
pub mod inproc;
pub mod pad;
pub mod render;
pub mod rng;
pub mod script;
pub mod server;
pub mod signature;

pub use clock::{Clock, SimTime, TimeMode};
pub use fault::{Fault, FaultPlan, Trigger};
pub use inproc::SimTransport;
pub use pad::{PadConfig, PadError, ScriptStart, SimPad};
pub use render::Screen;
pub use script::{PenScript, RectMm, ScriptBuilder};
pub use server::{ServerConfig, SimServer};
pub use signature::SignatureSpec;
