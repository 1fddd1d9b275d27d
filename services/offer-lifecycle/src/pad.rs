//! The signature pad a signing session runs on.
//!
//! The seed supports the Wacom STU-300, STU-430 and STU-530, whoever bought the pad; the session
//! records which one (model, serial, firmware) so the evidence says what captured the signatures.

use serde::{Deserialize, Serialize};

use crate::ids::{FirmwareVersion, PadSerial};

/// A supported pad model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PadModel {
    /// Wacom STU-300 (monochrome, signature only).
    #[serde(rename = "STU-300")]
    Stu300,
    /// Wacom STU-430.
    #[serde(rename = "STU-430")]
    Stu430,
    /// Wacom STU-530 (colour).
    #[serde(rename = "STU-530")]
    Stu530,
}

/// The pad a signing session runs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignPad {
    /// The model.
    pub model: PadModel,
    /// The pad's serial number.
    pub serial: PadSerial,
    /// The pad's firmware version.
    pub firmware: FirmwareVersion,
}
