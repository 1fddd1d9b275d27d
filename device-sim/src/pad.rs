//! The simulated pad: a deterministic state machine at the HID report level. Feature reports
//! go in and out as bytes, input reports come out as bytes at the model's report rate, time is
//! passed in by the caller. It keeps the pad's state (Ready/Image/Capture), settings, screen,
//! image upload, encryption keys, pen playback and scheduled faults.

use std::collections::VecDeque;

use num_bigint::BigUint;
use stu_protocol::crypto::{SessionCipher, dh_public_key, dh_shared_key};
use stu_protocol::image::{EncodingMode, decode_image, raw_len, rgb_from_565, rgb_to_565};
use stu_protocol::pen::{
    DEFAULT_INK_THRESHOLD, EncryptedPenPair, EncryptedTimedSample, PenTracker,
};
use stu_protocol::report::{
    EncryptionCommand, EncryptionCommandCode, EncryptionStatus, EndImageAction, InkThreshold,
    PenDataOption, RSA_STATUS_NOT_READY, RSA_STATUS_READY,
};
use stu_protocol::{
    Capabilities, ColourDepth, EncryptionScheme, ErrorCode, FeatureReport, ImageError, InputReport,
    Model, PenSample, PenTransition, Rect, ReportId, Rgb24, Status, StatusCode, Units, unconfirmed,
};

use crate::clock::SimTime;
use crate::fault::{Fault, FaultPlan, Trigger};
use crate::render::Screen;
use crate::rng::SimRng;
use crate::script::PenScript;

/// When the pen script starts playing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptStart {
    /// At pad time 0.
    PowerOn,
    /// When the host first turns inking on (the signing screen is shown). The default.
    InkingOn,
}

/// Everything that makes one simulated pad.
#[derive(Debug, Clone)]
pub struct PadConfig {
    pub model: Model,
    pub serial: String,
    pub script: PenScript,
    pub script_start: ScriptStart,
    pub faults: Vec<FaultPlan>,
    /// Seeds the pad's own random numbers (encryption keys).
    pub seed: u64,
}

impl PadConfig {
    /// A pad of `model` with serial "SIM00001", no pen activity and no faults.
    pub fn new(model: Model) -> PadConfig {
        PadConfig {
            model,
            serial: "SIM00001".into(),
            script: PenScript::empty(),
            script_start: ScriptStart::InkingOn,
            faults: Vec::new(),
            seed: 1,
        }
    }
    /// Sets the serial number.
    pub fn serial(mut self, serial: impl Into<String>) -> PadConfig {
        self.serial = serial.into();
        self
    }
    /// Sets the pen script.
    pub fn script(mut self, script: PenScript) -> PadConfig {
        self.script = script;
        self
    }
    /// Sets when the script starts.
    pub fn script_start(mut self, start: ScriptStart) -> PadConfig {
        self.script_start = start;
        self
    }
    /// Adds a fault.
    pub fn fault(mut self, fault: FaultPlan) -> PadConfig {
        self.faults.push(fault);
        self
    }
}

/// Why the pad did not answer a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PadError {
    #[error("pad unplugged")]
    Unplugged,
    #[error("pad stalled")]
    Stalled,
    /// The HID layer refuses the transfer (report not in the descriptor, wrong length…).
    #[error("report 0x{id:02X} refused: {reason}")]
    Rejected { id: u8, reason: &'static str },
}

const MAX_QUEUED_INPUT: usize = 64;
const MAX_BACKLOG_REPORTS: u64 = 64;

#[derive(Debug)]
struct Upload {
    mode: EncodingMode,
    area: Rect,
    data: Vec<u8>,
    limit: usize,
    overflow: bool,
}

#[derive(Debug, Default)]
struct Rsa {
    symmetric: u8,
    padding: u8,
    asymmetric: u8,
    e: Vec<u8>,
    n: Vec<u8>,
    status_e: u8,
    status_n: u8,
    status_c: u8,
    last_result: u8,
    encrypted_key: Vec<u8>,
    reply: Option<EncryptionCommand>,
}

#[derive(Debug)]
struct Settings {
    inking: bool,
    threshold: InkThreshold,
    pen_option: PenDataOption,
    area: Rect,
    pen_color: Rgb24,
    thickness: u8,
    background: Rgb24,
    brightness: u16,
    contrast: u16,
    boot_screen: bool,
}

impl Settings {
    fn defaults(caps: &Capabilities) -> Settings {
        Settings {
            inking: false,
            threshold: DEFAULT_INK_THRESHOLD,
            pen_option: PenDataOption::None,
            area: Rect {
                x1: 0,
                y1: 0,
                x2: caps.screen_width - 1,
                y2: caps.screen_height - 1,
            },
            pen_color: Rgb24::default(),
            thickness: unconfirmed::DEFAULT_THICKNESS,
            background: Rgb24 {
                r: 255,
                g: 255,
                b: 255,
            },
            brightness: 3,
            contrast: 0,
            boot_screen: false,
        }
    }
}

/// One simulated pad.
#[derive(Debug)]
pub struct SimPad {
    config: PadConfig,
    caps: &'static Capabilities,
    units: Units,
    rng: SimRng,
    state: StatusCode,
    last_result: ErrorCode,
    uid: u32,
    settings: Settings,
    screen: Screen,
    upload: Option<Upload>,
    // encryption
    dh_prime: [u8; 16],
    dh_base: [u8; 2],
    host_public: [u8; 16],
    device_public: [u8; 16],
    rsa: Rsa,
    cipher: Option<SessionCipher>,
    session_id: u32,
    pair_pending: Option<PenSample>,
    // pen playback
    script_origin: Option<SimTime>,
    next_report_at: SimTime,
    in_proximity: bool,
    sequence: u16,
    tracker: PenTracker,
    stroke_open: bool,
    queued: VecDeque<Vec<u8>>,
    // faults
    pending_faults: Vec<FaultPlan>,
    unplugged: bool,
    stalled: bool,
    busy_polls: u32,
    corrupt_next: bool,
    short_next: bool,
    fail_next_image: bool,
    // counters
    input_reports: u64,
    dropped_reports: u64,
}

fn rgb(c: Rgb24) -> [u8; 3] {
    [c.r, c.g, c.b]
}

impl SimPad {
    /// A pad, powered on at pad time 0.
    pub fn new(config: PadConfig) -> SimPad {
        let caps = config.model.capabilities();
        let settings = Settings::defaults(caps);
        let mut pad = SimPad {
            caps,
            units: Units::new(caps),
            rng: SimRng::new(config.seed ^ SimRng::seed_from(&config.serial)),
            state: StatusCode::Ready,
            last_result: ErrorCode::None,
            uid: 0,
            screen: Screen::new(
                caps.screen_width,
                caps.screen_height,
                rgb(settings.background),
            ),
            settings,
            upload: None,
            dh_prime: unconfirmed::SIM_DH_PRIME,
            dh_base: unconfirmed::SIM_DH_BASE,
            host_public: [0; 16],
            device_public: [0; 16],
            rsa: Rsa::default(),
            cipher: None,
            session_id: 0,
            pair_pending: None,
            script_origin: None,
            next_report_at: 0,
            in_proximity: false,
            sequence: 0,
            tracker: PenTracker::new(DEFAULT_INK_THRESHOLD),
            stroke_open: false,
            queued: VecDeque::new(),
            pending_faults: config.faults.clone(),
            unplugged: false,
            stalled: false,
            busy_polls: 0,
            corrupt_next: false,
            short_next: false,
            fail_next_image: false,
            input_reports: 0,
            dropped_reports: 0,
            config,
        };
        pad.reset_rsa();
        if pad.config.script_start == ScriptStart::PowerOn {
            pad.script_origin = Some(0);
        }
        pad
    }

    /// The model's capability row.
    pub fn capabilities(&self) -> &'static Capabilities {
        self.caps
    }
    /// The configuration.
    pub fn config(&self) -> &PadConfig {
        &self.config
    }
    /// What the LCD shows now.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }
    /// The pad's state.
    pub fn state(&self) -> StatusCode {
        self.state
    }
    /// True once an Unplug fault fired.
    pub fn is_unplugged(&self) -> bool {
        self.unplugged
    }
    /// True once a Stall fault fired.
    pub fn is_stalled(&self) -> bool {
        self.stalled
    }
    /// Input reports sent so far.
    pub fn input_reports_sent(&self) -> u64 {
        self.input_reports
    }
    /// Pen reports dropped because the host read too slowly.
    pub fn dropped_reports(&self) -> u64 {
        self.dropped_reports
    }
    /// True when inking is on.
    pub fn inking(&self) -> bool {
        self.settings.inking
    }
    /// Adds a fault while running.
    pub fn inject(&mut self, fault: FaultPlan) {
        self.pending_faults.push(fault);
    }
    /// Replaces the pen script; it starts at `now`.
    pub fn play(&mut self, script: PenScript, now: SimTime) {
        self.config.script = script;
        self.script_origin = Some(now);
        self.next_report_at = now;
        self.in_proximity = false;
    }
    /// USB identity: (vendor id, product id, bcdDevice, serial).
    pub fn usb_identity(&self) -> (u16, u16, u16, String) {
        let info = self.config.model.information();
        let bcd = (u16::from(info.firmware_major) << 8) | u16::from(info.firmware_minor);
        (
            stu_protocol::WACOM_VENDOR_ID,
            self.caps.product_id,
            bcd,
            self.config.serial.clone(),
        )
    }

    // ---------------------------------------------------------------- faults

    fn fire(&mut self, fault: Fault) {
        match fault {
            Fault::Unplug => self.unplugged = true,
            Fault::Stall => self.stalled = true,
            Fault::CorruptReport => self.corrupt_next = true,
            Fault::ShortReport => self.short_next = true,
            Fault::Busy { polls } => self.busy_polls = polls,
            Fault::FailImageWrite => self.fail_next_image = true,
        }
    }

    fn fire_due(&mut self, now: SimTime, report: Option<u8>) {
        let input = self.input_reports;
        let mut fired = Vec::new();
        self.pending_faults.retain(|f| {
            let due = match f.trigger {
                Trigger::At(t) => now >= t,
                Trigger::AfterInputReports(n) => input >= n,
                Trigger::OnReport(id) => report == Some(id),
            };
            if due {
                fired.push(f.fault);
            }
            !due
        });
        for f in fired {
            self.fire(f);
        }
    }

    /// Earliest pad time at which a time-triggered fault fires.
    pub fn next_fault_time(&self) -> Option<SimTime> {
        self.pending_faults
            .iter()
            .filter_map(|f| match f.trigger {
                Trigger::At(t) => Some(t),
                _ => None,
            })
            .min()
    }

    fn check_alive(&self) -> Result<(), PadError> {
        if self.unplugged {
            Err(PadError::Unplugged)
        } else if self.stalled {
            Err(PadError::Stalled)
        } else {
            Ok(())
        }
    }

    fn outgoing(&mut self, mut bytes: Vec<u8>) -> Vec<u8> {
        if self.corrupt_next {
            self.corrupt_next = false;
            if let Some(b) = bytes.first_mut() {
                *b ^= 0xFF;
            }
        } else if self.short_next {
            self.short_next = false;
            bytes.truncate(bytes.len() / 2);
        }
        bytes
    }

    // ---------------------------------------------------------------- feature reports

    fn effective_state(&self) -> StatusCode {
        if self.busy_polls > 0 {
            StatusCode::Calculation
        } else {
            self.state
        }
    }

    /// GET_REPORT(Feature): the report bytes, as the pad would return them.
    pub fn get_feature(&mut self, id: u8, len: usize, now: SimTime) -> Result<Vec<u8>, PadError> {
        self.fire_due(now, Some(id));
        self.check_alive()?;
        let rid = ReportId::from_u8(id).map_err(|_| PadError::Rejected {
            id,
            reason: "not in descriptor",
        })?;
        if !self.caps.supports(rid) || !rid.direction().get {
            return Err(PadError::Rejected {
                id,
                reason: "not readable on this model",
            });
        }
        if len < rid.len() {
            return Err(PadError::Rejected {
                id,
                reason: "buffer shorter than the report",
            });
        }
        let s = &self.settings;
        let report = match rid {
            ReportId::Status => {
                let state = self.effective_state();
                self.busy_polls = self.busy_polls.saturating_sub(1);
                FeatureReport::Status(Status {
                    state,
                    last_result: self.last_result,
                    status_word: 0,
                })
            }
            ReportId::Information => FeatureReport::Information(self.config.model.information()),
            ReportId::Capability => FeatureReport::Capability(self.caps.reported_capability),
            ReportId::Uid => FeatureReport::Uid(self.uid),
            ReportId::Uid2 => {
                let mut b = [b'0'; 10];
                for (d, c) in b
                    .iter_mut()
                    .zip(self.config.serial.bytes().filter(u8::is_ascii_graphic))
                {
                    *d = c;
                }
                FeatureReport::Uid2(b)
            }
            ReportId::HostPublicKey => FeatureReport::HostPublicKey(self.host_public),
            ReportId::DevicePublicKey => FeatureReport::DevicePublicKey(self.device_public),
            ReportId::DhPrime => FeatureReport::DhPrime(self.dh_prime),
            ReportId::DhBase => FeatureReport::DhBase(self.dh_base),
            ReportId::InkingMode => FeatureReport::InkingMode(s.inking),
            ReportId::InkThreshold => FeatureReport::InkThreshold(s.threshold),
            ReportId::HandwritingThicknessColor => FeatureReport::HandwritingThicknessColor {
                color565: rgb_to_565(s.pen_color.r, s.pen_color.g, s.pen_color.b),
                thickness: s.thickness,
            },
            ReportId::BackgroundColor => FeatureReport::BackgroundColor {
                color565: rgb_to_565(s.background.r, s.background.g, s.background.b),
            },
            ReportId::HandwritingDisplayArea => FeatureReport::HandwritingDisplayArea(s.area),
            ReportId::BacklightBrightness => FeatureReport::BacklightBrightness(s.brightness),
            ReportId::ScreenContrast => FeatureReport::ScreenContrast(s.contrast),
            ReportId::HandwritingThicknessColor24 => FeatureReport::HandwritingThicknessColor24 {
                color: s.pen_color,
                thickness: s.thickness,
            },
            ReportId::BackgroundColor24 => FeatureReport::BackgroundColor24(s.background),
            ReportId::BootScreen => FeatureReport::BootScreen(s.boot_screen),
            ReportId::PenDataOptionMode => FeatureReport::PenDataOptionMode(s.pen_option),
            ReportId::EncryptionCommand => FeatureReport::EncryptionCommand(
                self.rsa.reply.clone().unwrap_or(EncryptionCommand {
                    command: EncryptionCommandCode::GetStatusBlock,
                    parameter: 0,
                    length_or_index: 0,
                    data: [0; 64],
                }),
            ),
            ReportId::EncryptionStatus => FeatureReport::EncryptionStatus(self.encryption_status()),
            _ => {
                return Err(PadError::Rejected {
                    id,
                    reason: "not readable",
                });
            }
        };
        let bytes = report.encode().map_err(|_| PadError::Rejected {
            id,
            reason: "internal encoding",
        })?;
        Ok(self.outgoing(bytes))
    }

    fn allowed(&self, rid: ReportId) -> bool {
        use ReportId::*;
        let st = self.effective_state();
        match rid {
            Uid | DhPrime | DhBase | HostPublicKey | StartCapture | ClearScreen
            | ClearScreenArea | InkThreshold | StartImageData | StartImageDataArea
            | EncryptionCommand => st == StatusCode::Ready,
            ImageDataBlock | EndImageData => st == StatusCode::Image,
            EndCapture => st == StatusCode::Capture,
            _ => true,
        }
    }

    /// SET_REPORT(Feature). `Ok` means the transfer went through; whether the pad accepted the
    /// command is in Status.lastResultCode, as on hardware.
    pub fn set_feature(&mut self, bytes: &[u8], now: SimTime) -> Result<(), PadError> {
        let id = *bytes.first().ok_or(PadError::Rejected {
            id: 0,
            reason: "empty report",
        })?;
        self.fire_due(now, Some(id));
        self.check_alive()?;
        let rid = ReportId::from_u8(id).map_err(|_| PadError::Rejected {
            id,
            reason: "not in descriptor",
        })?;
        if !self.caps.supports(rid) || !rid.direction().set {
            return Err(PadError::Rejected {
                id,
                reason: "not writable on this model",
            });
        }
        if bytes.len() != rid.len() {
            return Err(PadError::Rejected {
                id,
                reason: "wrong report length",
            });
        }
        let report = match FeatureReport::decode(bytes) {
            Ok(r) => r,
            Err(_) => {
                self.last_result = ErrorCode::BadParameter;
                return Ok(());
            }
        };
        if !self.allowed(rid) {
            self.last_result = ErrorCode::WrongState;
            return Ok(());
        }
        self.last_result = self.apply(report, now);
        Ok(())
    }

    fn apply(&mut self, report: FeatureReport, now: SimTime) -> ErrorCode {
        use FeatureReport as F;
        let (w, h) = (self.caps.screen_width, self.caps.screen_height);
        let in_screen = |r: &Rect| r.x2 < w && r.y2 < h;
        match report {
            F::Reset(_) => {
                self.settings = Settings::defaults(self.caps);
                self.settings.inking = true;
                self.state = StatusCode::Ready;
                self.upload = None;
                self.cipher = None;
                self.reset_rsa();
                let bg = rgb(self.settings.background);
                self.screen = Screen::new(w, h, bg);
                self.tracker = PenTracker::new(self.settings.threshold);
                self.start_script_if_waiting(now);
            }
            F::Uid(u) => self.uid = u,
            F::DhPrime(p) => self.dh_prime = p,
            F::DhBase(g) => self.dh_base = g,
            F::HostPublicKey(k) => {
                if self.caps.encryption != EncryptionScheme::DhAes128
                    || self.dh_prime.iter().all(|&b| b == 0)
                {
                    return ErrorCode::BadParameter;
                }
                let secret =
                    u128::from(self.rng.next_u64()) << 64 | u128::from(self.rng.next_u64()) | 2;
                self.host_public = k;
                self.device_public = dh_public_key(&self.dh_prime, &self.dh_base, secret);
                let shared = dh_shared_key(&self.dh_prime, &k, secret);
                self.cipher = SessionCipher::new(&shared);
                self.queue_input(InputReport::DevicePublicKey(self.device_public));
            }
            F::StartCapture { session_id } => {
                if self.cipher.is_none() {
                    return ErrorCode::from_u8(unconfirmed::START_CAPTURE_WITHOUT_KEY_ERROR);
                }
                self.session_id = session_id;
                self.pair_pending = None;
                self.state = StatusCode::Capture;
            }
            F::EndCapture => {
                self.state = StatusCode::Ready;
                self.pair_pending = None;
            }
            F::ClearScreen => {
                let bg = rgb(self.settings.background);
                self.screen.fill(0, 0, w - 1, h - 1, bg);
            }
            F::InkingMode(on) => {
                self.settings.inking = on;
                if on {
                    self.start_script_if_waiting(now);
                }
            }
            F::InkThreshold(t) => {
                self.settings.threshold = t;
                self.tracker = PenTracker::new(t);
            }
            F::ClearScreenArea(r) => {
                if !in_screen(&r) {
                    return ErrorCode::GraphicsWrongParameters;
                }
                let bg = rgb(self.settings.background);
                self.screen.fill(r.x1, r.y1, r.x2, r.y2, bg);
            }
            F::StartImageData(mode) => {
                return self.start_image(
                    mode,
                    Rect {
                        x1: 0,
                        y1: 0,
                        x2: w - 1,
                        y2: h - 1,
                    },
                );
            }
            F::StartImageDataArea { mode, area } => {
                if !in_screen(&area) {
                    return ErrorCode::GraphicsWrongParameters;
                }
                return self.start_image(mode, area);
            }
            F::ImageDataBlock(data) => {
                if let Some(u) = &mut self.upload {
                    if u.data.len() + data.len() > u.limit {
                        u.overflow = true;
                    } else {
                        u.data.extend_from_slice(&data);
                    }
                }
            }
            F::EndImageData(action) => return self.end_image(action),
            F::HandwritingThicknessColor {
                color565,
                thickness,
            } => {
                if self.caps.colour == ColourDepth::Colour {
                    let [r, g, b] = rgb_from_565(color565);
                    self.settings.pen_color = Rgb24 { r, g, b };
                }
                self.settings.thickness = thickness;
            }
            F::HandwritingThicknessColor24 { color, thickness } => {
                if self.caps.colour == ColourDepth::Colour {
                    self.settings.pen_color = color;
                }
                self.settings.thickness = thickness;
            }
            F::BackgroundColor { color565 } => {
                let [r, g, b] = rgb_from_565(color565);
                self.settings.background = Rgb24 { r, g, b };
            }
            F::BackgroundColor24(c) => self.settings.background = c,
            F::HandwritingDisplayArea(r) => {
                if !in_screen(&r) {
                    return ErrorCode::GraphicsWrongParameters;
                }
                self.settings.area = r;
            }
            F::BacklightBrightness(v) => {
                if v > 3 {
                    return ErrorCode::BadParameter;
                }
                self.settings.brightness = v;
            }
            F::ScreenContrast(v) => self.settings.contrast = v,
            F::BootScreen(on) => self.settings.boot_screen = on,
            F::PenDataOptionMode(m) => match m {
                PenDataOption::None | PenDataOption::TimeCountSequence => {
                    self.settings.pen_option = m
                }
                _ => return ErrorCode::BadParameter,
            },
            F::EncryptionCommand(c) => return self.encryption_command(c),
            F::Status(_)
            | F::Information(_)
            | F::Capability(_)
            | F::Uid2(_)
            | F::DevicePublicKey(_)
            | F::EncryptionStatus(_) => return ErrorCode::WrongReportId,
        }
        ErrorCode::None
    }

    fn start_script_if_waiting(&mut self, now: SimTime) {
        if self.script_origin.is_none() && self.config.script_start == ScriptStart::InkingOn {
            self.script_origin = Some(now);
            self.next_report_at = now;
        }
    }

    fn start_image(&mut self, mode: EncodingMode, area: Rect) -> ErrorCode {
        if !self.caps.accepts_mode(mode) {
            return ErrorCode::GraphicsWrongEncodingType;
        }
        let raw = raw_len(mode.format(), area.width(), area.height());
        let limit = if mode.is_zlib() {
            raw + raw / 64 + 64
        } else {
            raw
        };
        self.upload = Some(Upload {
            mode,
            area,
            data: Vec::new(),
            limit,
            overflow: false,
        });
        self.state = StatusCode::Image;
        ErrorCode::None
    }

    fn end_image(&mut self, action: EndImageAction) -> ErrorCode {
        self.state = StatusCode::Ready;
        let Some(u) = self.upload.take() else {
            return ErrorCode::WrongState;
        };
        if action == EndImageAction::Abandon {
            return ErrorCode::None;
        }
        if self.fail_next_image {
            self.fail_next_image = false;
            return ErrorCode::from_u8(unconfirmed::FAILED_IMAGE_WRITE_ERROR);
        }
        if u.overflow {
            return ErrorCode::GraphicsImageTooLong;
        }
        match decode_image(u.mode, u.area.width(), u.area.height(), &u.data) {
            Ok(pixels) => {
                self.screen
                    .blit(u.area.x1, u.area.y1, u.area.width(), &pixels);
                ErrorCode::None
            }
            Err(ImageError::TooLong { .. }) => ErrorCode::GraphicsImageTooLong,
            Err(ImageError::TooShort { .. }) => ErrorCode::from_u8(unconfirmed::SHORT_IMAGE_ERROR),
            Err(_) => ErrorCode::GraphicsZlibError,
        }
    }

    // ---------------------------------------------------------------- RSA (v2)

    fn reset_rsa(&mut self) {
        self.rsa = Rsa {
            symmetric: 2,
            padding: 1,
            asymmetric: 2,
            status_e: RSA_STATUS_NOT_READY,
            status_n: RSA_STATUS_NOT_READY,
            status_c: RSA_STATUS_NOT_READY,
            ..Rsa::default()
        };
    }

    fn encryption_status(&self) -> EncryptionStatus {
        EncryptionStatus {
            symmetric_key_type: self.rsa.symmetric,
            padding_type: self.rsa.padding,
            asymmetric_key_type: self.rsa.asymmetric,
            status_e: self.rsa.status_e,
            status_n: self.rsa.status_n,
            status_c: self.rsa.status_c,
            last_result: self.rsa.last_result,
            aes: true,
            sha1: false,
            rng: true,
        }
    }

    fn rsa_key_len(&self) -> usize {
        match self.rsa.asymmetric {
            0 => 128,
            1 => 192,
            _ => 256,
        }
    }

    fn encryption_command(&mut self, c: EncryptionCommand) -> ErrorCode {
        const BAD_PARAMETER: u8 = 0x01;
        const PUBLIC_KEY_NOT_READY: u8 = 0x03;
        const KEY_NOT_EXIST: u8 = 0x0A;
        let fail = |rsa: &mut Rsa, code: u8| {
            rsa.last_result = code;
            ErrorCode::BadParameter
        };
        self.rsa.last_result = 0;
        match c.command {
            EncryptionCommandCode::SetEncryptionType => {
                let (sym, padding, asym) = (
                    c.parameter,
                    c.length_or_index >> 6,
                    c.length_or_index & 0x3F,
                );
                if sym > 2 || asym > 2 || padding > 2 {
                    return fail(&mut self.rsa, BAD_PARAMETER);
                }
                self.reset_rsa();
                self.rsa.symmetric = sym;
                self.rsa.padding = padding;
                self.rsa.asymmetric = asym;
                self.cipher = None;
            }
            EncryptionCommandCode::SetParameterBlock => {
                let len = usize::from(c.length_or_index);
                if len == 0 || len > 64 {
                    return fail(&mut self.rsa, BAD_PARAMETER);
                }
                match c.parameter {
                    0 => {
                        self.rsa.e = c.data[..len].to_vec();
                        self.rsa.status_e = if c.data[len - 1] & 1 == 1 {
                            RSA_STATUS_READY
                        } else {
                            0xFB
                        };
                    }
                    1 => {
                        let key_len = self.rsa_key_len();
                        if self.rsa.status_n == RSA_STATUS_READY {
                            self.rsa.n.clear();
                        }
                        if self.rsa.n.len() + len > key_len {
                            self.rsa.status_n = 0xFC;
                            return fail(&mut self.rsa, BAD_PARAMETER);
                        }
                        self.rsa.n.extend_from_slice(&c.data[..len]);
                        self.rsa.status_n = if self.rsa.n.len() == key_len {
                            RSA_STATUS_READY
                        } else {
                            0xFD
                        };
                    }
                    _ => return fail(&mut self.rsa, BAD_PARAMETER),
                }
            }
            EncryptionCommandCode::GetStatusBlock => {}
            EncryptionCommandCode::GetParameterBlock => {
                if c.parameter != 2 || self.rsa.status_c != RSA_STATUS_READY {
                    return fail(&mut self.rsa, KEY_NOT_EXIST);
                }
                let at = usize::from(c.length_or_index) * 64;
                let key = &self.rsa.encrypted_key;
                if at >= key.len() {
                    return fail(&mut self.rsa, BAD_PARAMETER);
                }
                let piece = &key[at..(at + 64).min(key.len())];
                let mut data = [0u8; 64];
                data[..piece.len()].copy_from_slice(piece);
                self.rsa.reply = Some(EncryptionCommand {
                    command: EncryptionCommandCode::GetParameterBlock,
                    parameter: 2,
                    length_or_index: piece.len() as u8,
                    data,
                });
            }
            EncryptionCommandCode::GenerateSymmetricKey => {
                if self.rsa.status_e != RSA_STATUS_READY || self.rsa.status_n != RSA_STATUS_READY {
                    return fail(&mut self.rsa, PUBLIC_KEY_NOT_READY);
                }
                let key_len = self.rsa_key_len();
                let mut key = vec![0u8; 16 + 8 * usize::from(self.rsa.symmetric)];
                self.rng.fill(&mut key);
                let message = match self.rsa.padding {
                    0 => {
                        let mut m = vec![0u8; key_len];
                        m[key_len - key.len()..].copy_from_slice(&key);
                        m
                    }
                    1 => {
                        // PKCS#1 v1.5 type 2: 00 02 PS (non-zero) 00 key
                        let mut m = vec![0u8; key_len];
                        m[1] = 0x02;
                        let ps_end = key_len - key.len() - 1;
                        for b in &mut m[2..ps_end] {
                            *b = (self.rng.next_u64() % 255 + 1) as u8;
                        }
                        m[key_len - key.len()..].copy_from_slice(&key);
                        m
                    }
                    // OAEP needs SHA-1 on the pad side; the simulator does not offer it.
                    _ => return fail(&mut self.rsa, BAD_PARAMETER),
                };
                let n = BigUint::from_bytes_be(&self.rsa.n);
                let m = BigUint::from_bytes_be(&message);
                if m >= n {
                    return fail(&mut self.rsa, BAD_PARAMETER);
                }
                let c = m
                    .modpow(&BigUint::from_bytes_be(&self.rsa.e), &n)
                    .to_bytes_be();
                let mut wrapped = vec![0u8; key_len];
                wrapped[key_len - c.len()..].copy_from_slice(&c);
                self.rsa.encrypted_key = wrapped;
                self.rsa.status_c = RSA_STATUS_READY;
                self.cipher = SessionCipher::new(&key);
                self.queue_input(InputReport::EncryptionStatus(self.encryption_status()));
            }
        }
        ErrorCode::None
    }

    // ---------------------------------------------------------------- input reports

    fn queue_input(&mut self, report: InputReport) {
        if self.queued.len() < MAX_QUEUED_INPUT
            && let Ok(bytes) = report.encode()
        {
            self.queued.push_back(bytes);
        }
    }

    fn period(&self) -> SimTime {
        1_000_000 / SimTime::from(self.caps.report_rate.max(1))
    }

    fn script_ms(&self, t: SimTime) -> f64 {
        let origin = self.script_origin.unwrap_or(0);
        t.saturating_sub(origin) as f64 / 1000.0
    }

    /// Pad time of the next pen report, if any is coming.
    fn pen_due(&self) -> Option<SimTime> {
        let origin = self.script_origin?;
        if self.in_proximity {
            return Some(self.next_report_at);
        }
        let now_ms = self.script_ms(self.next_report_at);
        let events = self.config.script.events();
        let i = events.partition_point(|e| e.t_ms < now_ms);
        let next = events[i..].iter().find(|e| e.state.is_some())?;
        let t = origin + (next.t_ms * 1000.0).ceil() as SimTime;
        // align to the report grid
        let p = self.period();
        let from = self.next_report_at;
        Some(if t <= from {
            from
        } else {
            from + (t - from).div_ceil(p) * p
        })
    }

    /// Pad time at which the next input report (or time-triggered fault) is due.
    pub fn next_event_time(&self) -> Option<SimTime> {
        if self.unplugged || self.stalled {
            return None;
        }
        let input = if self.queued.is_empty() {
            self.pen_due()
        } else {
            Some(0)
        };
        match (input, self.next_fault_time()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next input report due at or before `now`, if any.
    pub fn next_input(&mut self, now: SimTime) -> Result<Option<Vec<u8>>, PadError> {
        self.fire_due(now, None);
        self.check_alive()?;
        if let Some(r) = self.queued.pop_front() {
            return Ok(Some(self.emit(r)));
        }
        for _ in 0..1_000_000 {
            let Some(mut due) = self.pen_due() else {
                return Ok(None);
            };
            if due > now {
                return Ok(None);
            }
            let p = self.period();
            let backlog = MAX_BACKLOG_REPORTS * p;
            if now > due + backlog {
                let skip = (now - due - backlog) / p;
                self.dropped_reports += skip;
                due += skip * p;
            }
            self.next_report_at = due + p;
            if let Some(bytes) = self.sample_report(due) {
                return Ok(Some(self.emit(bytes)));
            }
        }
        Ok(None)
    }

    fn emit(&mut self, bytes: Vec<u8>) -> Vec<u8> {
        self.input_reports += 1;
        let out = self.outgoing(bytes);
        // A fault that waits for "N input reports" fires after the Nth one left.
        self.fire_due(0, None);
        out
    }

    fn sample_report(&mut self, t: SimTime) -> Option<Vec<u8>> {
        let state = self.config.script.state_at(self.script_ms(t));
        let sample = match state {
            Some(s) => {
                self.in_proximity = true;
                let (x, y) = self.units.mm_to_tablet(s.x_mm, s.y_mm);
                let pressure =
                    (s.pressure * f64::from(self.caps.tablet_max_pressure)).round() as u16;
                PenSample {
                    rdy: true,
                    sw: u8::from(pressure > 0),
                    pressure,
                    x,
                    y,
                }
            }
            None if self.in_proximity => {
                self.in_proximity = false;
                PenSample::OUT_OF_RANGE
            }
            None => return None,
        };
        self.ink(&sample);
        self.sequence = self.sequence.wrapping_add(1);
        let time_count = (t / 1000) as u16;
        let timed = self.settings.pen_option == PenDataOption::TimeCountSequence;
        let report = if self.state == StatusCode::Capture {
            let cipher = self.cipher.as_ref()?;
            if timed {
                let plain = EncryptedTimedSample {
                    sample,
                    time_count,
                    sequence: self.sequence,
                    session_id: self.session_id,
                };
                InputReport::PenDataTimeCountSequenceEncrypted(
                    cipher.encrypt(&plain.encode().ok()?),
                )
            } else {
                let first = match self.pair_pending.take() {
                    None if sample.rdy => {
                        self.pair_pending = Some(sample);
                        return None;
                    }
                    None => sample,
                    Some(first) => first,
                };
                let plain = EncryptedPenPair {
                    session_id: self.session_id,
                    samples: [first, sample],
                };
                InputReport::PenDataEncrypted(cipher.encrypt(&plain.encode().ok()?))
            }
        } else if timed {
            InputReport::PenDataTimeCountSequence {
                sample,
                time_count,
                sequence: self.sequence,
            }
        } else {
            InputReport::PenData(sample)
        };
        report.encode().ok()
    }

    fn ink(&mut self, sample: &PenSample) {
        let transition = self.tracker.update(sample);
        if !self.settings.inking || self.state == StatusCode::Image {
            return;
        }
        let (px, py) = self.units.tablet_to_pixel_f(sample.x, sample.y);
        let a = self.settings.area;
        let inside = px >= f32::from(a.x1)
            && px < f32::from(a.x2) + 1.0
            && py >= f32::from(a.y1)
            && py < f32::from(a.y2) + 1.0;
        let color = if self.caps.colour == ColourDepth::Mono {
            [0, 0, 0]
        } else {
            rgb(self.settings.pen_color)
        };
        match transition {
            PenTransition::Down if inside => {
                self.screen.begin_stroke(
                    color,
                    unconfirmed::ink_width_px(self.settings.thickness),
                    (px, py),
                );
                self.stroke_open = true;
            }
            PenTransition::Move if inside && self.stroke_open => {
                self.screen.extend_stroke((px, py))
            }
            _ => self.stroke_open = false,
        }
    }
}
