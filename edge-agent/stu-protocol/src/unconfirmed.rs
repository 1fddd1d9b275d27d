//! Every choice this crate makes where the protocol reference says "UNCONFIRMED".
//!
//! Keep such choices here and only here, so that a measurement on real hardware corrects
//! them in one place. Each constant says what was chosen and why.

use crate::report::Rgb24;

/// Byte order of 24-bit colours in HandwritingThicknessColor24 (0x2D) and BackgroundColor24 (0x2E).
/// The SDK writes `0x00RRGGBB` little-endian (B, G, R on the wire); one WebHID driver sends R, G, B.
/// Chosen: the SDK's B, G, R.
pub fn color24_to_wire(c: Rgb24) -> [u8; 3] {
    [c.b, c.g, c.r]
}

/// Inverse of [`color24_to_wire`].
pub fn color24_from_wire(b: [u8; 3]) -> Rgb24 {
    Rgb24 {
        r: b[2],
        g: b[1],
        b: b[0],
    }
}

/// ClearScreenArea (0x23) bytes 1–2: the SDK always sends 0, 1; their meaning is unknown.
/// Chosen: encode 0, 1 and reject anything else when decoding.
pub const CLEAR_AREA_CONSTANT: [u8; 2] = [0x00, 0x01];

/// StartImageDataArea (0x24) byte 2: the SDK always sends 1. Chosen: encode 1, reject others.
pub const IMAGE_AREA_CONSTANT: u8 = 0x01;

/// Rectangles in 0x23/0x24/0x2A: inclusive lower-right corner (width = x2 − x1 + 1), as the
/// 430V default 0,0,319,199 suggests.
pub const RECT_INCLUSIVE: bool = true;

/// STU-300 tablet range: not published. Chosen: 99 × 25 mm at 2540 lpi (100 units/mm).
pub const STU300_TABLET_MAX: (u16, u16) = (9900, 2500);
/// STU-300 maximum pressure: 512 levels → 511 (inferred from the spec sheet).
pub const STU300_MAX_PRESSURE: u16 = 511;
/// STU-300 Capability bytes 11..14 (rate, resolution, encodingFlag) are "not supported" on the
/// 300. Chosen: the pad reports 0 there; hosts substitute 200/s, 2540 lpi and encodingFlag 0x02.
pub const STU300_REPORTS_ZERO_EXTENDED_CAPABILITY: bool = true;
/// Resolution assumed where the Capability report gives 0 (tablet units per inch).
pub const DEFAULT_RESOLUTION_LPI: u16 = 2540;

/// STU-530 tablet range: 108 × 65 mm at 2540 lpi (derived, not measured): 10800 × 6480, 1023.
pub const STU530_TABLET_MAX: (u16, u16) = (10800, 6480);
/// STU-530 maximum pressure (1024 levels, inferred).
pub const STU530_MAX_PRESSURE: u16 = 1023;
/// STU-530 encodingFlag: 0x0F (zlib, 1-, 16- and 24-bit), as the reference's simulator column says.
pub const STU530_ENCODING_FLAG: u8 = 0x0F;

/// Colour modes with zlib (0x03 = 16-bit + zlib, 0x05 = 24-bit + zlib): the SDK demo sends them,
/// device acceptance is unconfirmed. Chosen: accepted by models whose encodingFlag has both the
/// depth bit and the zlib bit (the STU-530).
pub const COLOUR_ZLIB_ACCEPTED: bool = true;

/// Image commit with less data than the screen needs: the reference does not say. Chosen: the pad
/// refuses it with GraphicsWrongParameters (0x15) and keeps the old screen.
pub const SHORT_IMAGE_ERROR: u8 = 0x15;

/// 0x31 PenDataEncryptedOption trailer: chosen plaintext (after the 16 cipher bytes).
pub const ENCRYPTED_OPTION_TRAILER_PLAINTEXT: bool = true;

/// Encryption status poll: the SDK waits for input report 0x50 after GenerateSymmetricKey.
/// Chosen for the sans-IO driver: poll `get 0x50` (legal in every state) until status-c is Ready,
/// which works whether or not the input report is seen.
pub const POLL_ENCRYPTION_STATUS_WITH_GET: bool = true;

/// Firmware versions the simulator reports (no capture of real 300/530 Information replies).
pub const FIRMWARE: [(&str, u8, u8); 3] = [("STU-300", 1, 0), ("STU-430", 1, 4), ("STU-530", 1, 3)];

/// DH prime a simulated STU-300 reports (real units carry their own): 2^128 − 159, the largest
/// prime below 2^128.
pub const SIM_DH_PRIME: [u8; 16] = (u128::MAX - 158).to_be_bytes();
/// DH generator a simulated STU-300 reports.
pub const SIM_DH_BASE: [u8; 2] = [0x00, 0x02];

/// StartCapture before any key exchange: the reference says "error" without a code.
/// Chosen: BadParameter (0x04).
pub const START_CAPTURE_WITHOUT_KEY_ERROR: u8 = 0x04;

/// Result code of a failed image write (simulator fault): GraphicsImageTooLong (0x11).
pub const FAILED_IMAGE_WRITE_ERROR: u8 = 0x11;

/// Line width in LCD pixels for a handwriting thickness value (540: 0..3 = 1/3/5/7 px).
/// Chosen for all models: `2 · thickness + 1`.
pub fn ink_width_px(thickness: u8) -> f32 {
    f32::from(2 * thickness.min(7) + 1)
}

/// Default handwriting thickness (430V dump: 2).
pub const DEFAULT_THICKNESS: u8 = 2;

/// A soft reset takes about 1 s on hardware (SDK waits 1100 ms). Chosen for the simulator:
/// the reset is immediate (no SystemReset state is shown).
pub const SIM_RESET_IS_IMMEDIATE: bool = true;
