//! Opening a pad and talking to it: `auto` (the first supported Wacom STU on USB),
//! `sim://HOST:PORT` (the simulator on a socket), or any transport handed in (the in-process
//! simulator in tests). Init goes through the sans-IO `PadDriver`; any failure to find or
//! initialise the pad is [`EdgeError::PadInit`], which the agent reads as the seed's
//! "Chyba při inicializaci Signpadu. Zkontrolujte připojení Signpadu k počítači."

use std::str::FromStr;
use std::time::Duration;

use biometric_envelope::ChannelInfo;
use offer_lifecycle::{FirmwareVersion, PadModel, PadSerial, SignPad};
use stu_protocol::{DriverConfig, EncodedImage, Model, PadDriver, PadIdentity, PenPoint, Units};
use stu_transport::{DriveError, SocketTransport, Transport};

use crate::error::EdgeError;

/// How long connecting to a simulator may take.
pub const SIM_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Which pad to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    /// The first supported pad on USB.
    Auto,
    /// A simulator listening on `HOST:PORT`.
    Sim(String),
}

impl FromStr for DeviceSpec {
    type Err = EdgeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(DeviceSpec::Auto),
            _ => match s.strip_prefix("sim://") {
                Some(addr) if !addr.is_empty() => Ok(DeviceSpec::Sim(addr.to_owned())),
                _ => Err(EdgeError::Config(format!(
                    "--device {s}: expected auto or sim://HOST:PORT"
                ))),
            },
        }
    }
}

/// A link to a pad before init: the transport and the pad's USB serial number.
pub struct PadLink {
    /// The transport.
    pub transport: Box<dyn Transport>,
    /// The USB serial number (the simulator reports one too).
    pub serial: String,
}

impl PadLink {
    /// A link over any transport (e.g. the in-process simulator).
    pub fn new(transport: Box<dyn Transport>, serial: impl Into<String>) -> PadLink {
        PadLink {
            transport,
            serial: serial.into(),
        }
    }
}

/// Opens the pad named by `spec`.
pub fn open(spec: &DeviceSpec) -> Result<PadLink, EdgeError> {
    match spec {
        DeviceSpec::Auto => {
            let t = stu_transport::HidTransport::open_first()
                .map_err(|e| EdgeError::PadInit(e.to_string()))?;
            let serial = t.info().serial.clone();
            Ok(PadLink::new(Box::new(t), serial))
        }
        DeviceSpec::Sim(addr) => {
            let t = SocketTransport::connect(addr.as_str(), SIM_CONNECT_TIMEOUT)
                .map_err(|e| EdgeError::PadInit(e.to_string()))?;
            let serial = t.info().serial.clone();
            Ok(PadLink::new(Box::new(t), serial))
        }
    }
}

/// A pad found on USB, for `inkseal-edge devices`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceEntry {
    /// Model name, or the product name of an unsupported Wacom device.
    pub model: String,
    /// USB serial number.
    pub serial: String,
    /// Whether inkseal supports it.
    pub supported: bool,
}

/// Lists the Wacom pads on USB.
pub fn list_devices() -> Result<Vec<DeviceEntry>, EdgeError> {
    let pads = stu_transport::enumerate().map_err(|e| EdgeError::PadInit(e.to_string()))?;
    Ok(pads
        .into_iter()
        .map(|p| DeviceEntry {
            model: p
                .model
                .map(|m| m.capabilities().name.to_owned())
                .unwrap_or_else(|| p.product_name.clone()),
            serial: p.serial.clone(),
            supported: p.is_supported(),
        })
        .collect())
}

/// An initialised pad.
pub struct Pad {
    driver: PadDriver,
    transport: Box<dyn Transport>,
    identity: PadIdentity,
    serial: String,
}

impl std::fmt::Debug for Pad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pad")
            .field("model", &self.identity.capabilities.name)
            .field("serial", &self.serial)
            .finish()
    }
}

impl Pad {
    /// Initialises the pad: reads its identity and capabilities and clears its screen.
    pub fn init(link: PadLink) -> Result<Pad, EdgeError> {
        let PadLink {
            mut transport,
            serial,
        } = link;
        let mut driver = PadDriver::new(DriverConfig::default());
        let fail = |e: DriveError| EdgeError::PadInit(e.to_string());
        driver
            .begin_init()
            .map_err(|e| EdgeError::PadInit(e.to_string()))?;
        stu_transport::run(&mut driver, transport.as_mut()).map_err(fail)?;
        let identity = driver
            .identity()
            .cloned()
            .ok_or_else(|| EdgeError::PadInit("no identity after init".into()))?;
        driver
            .begin_set_inking(false)
            .map_err(|e| EdgeError::PadInit(e.to_string()))?;
        driver
            .begin_clear()
            .map_err(|e| EdgeError::PadInit(e.to_string()))?;
        stu_transport::run(&mut driver, transport.as_mut()).map_err(fail)?;
        Ok(Pad {
            driver,
            transport,
            identity,
            serial,
        })
    }

    /// The pad's model and capabilities.
    pub fn identity(&self) -> &PadIdentity {
        &self.identity
    }

    /// Unit conversions for this pad.
    pub fn units(&self) -> Units {
        Units::new(self.identity.capabilities)
    }

    /// The pad as the lifecycle records it (model, serial, firmware).
    pub fn sign_pad(&self) -> Result<SignPad, EdgeError> {
        let model = match self.identity.model {
            Model::Stu300 => PadModel::Stu300,
            Model::Stu430 => PadModel::Stu430,
            _ => PadModel::Stu530,
        };
        let serial = PadSerial::new(self.serial_or_unknown())
            .map_err(|e| EdgeError::PadInit(e.to_string()))?;
        let info = &self.identity.information;
        let firmware = FirmwareVersion::new(format!(
            "{}.{:02}",
            info.firmware_major, info.firmware_minor
        ))
        .map_err(|e| EdgeError::PadInit(e.to_string()))?;
        Ok(SignPad {
            model,
            serial,
            firmware,
        })
    }

    /// The serial number, or "unknown" when the pad reports none.
    pub fn serial_or_unknown(&self) -> String {
        let s: String = self
            .serial
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .collect();
        if s.is_empty() { "unknown".into() } else { s }
    }

    /// The channel description of this pad's time series.
    pub fn channel_info(&self) -> ChannelInfo {
        let caps = self.identity.capabilities;
        let per_metre = (f64::from(caps.resolution) / 0.0254).round() as u32;
        ChannelInfo {
            max_x: caps.tablet_max_x,
            max_y: caps.tablet_max_y,
            max_pressure: caps.tablet_max_pressure,
            x_units_per_metre: per_metre,
            y_units_per_metre: per_metre,
            sample_rate_hz: u16::from(caps.report_rate),
        }
    }

    /// Shows a screen (inking off while it is written).
    pub fn show(&mut self, image: EncodedImage) -> Result<(), DriveError> {
        self.driver.begin_set_inking(false)?;
        self.driver.begin_upload(image)?;
        self.run()
    }

    /// Turns inking on or off.
    pub fn set_inking(&mut self, on: bool) -> Result<(), DriveError> {
        self.driver.begin_set_inking(on)?;
        self.run()
    }

    /// Reads the next pen point, waiting at most `timeout`.
    pub fn read_point(&mut self, timeout: Duration) -> Result<Option<PenPoint>, DriveError> {
        stu_transport::read_pen(&mut self.driver, self.transport.as_mut(), timeout)
    }

    /// Inking off and a blank screen; errors are ignored (the pad may be gone).
    pub fn close(&mut self) {
        if self.driver.begin_close().is_ok() {
            let _ = self.run();
        }
    }

    fn run(&mut self) -> Result<(), DriveError> {
        stu_transport::run(&mut self.driver, self.transport.as_mut())
    }
}
