//! Opening a pad and talking to it: `auto` (the first supported Wacom STU on USB),
//! `sim://HOST:PORT` (the simulator on a socket), or any transport handed in (the in-process
//! simulator in tests). Init goes through the sans-IO `PadDriver`; any failure to find or
//! initialise the pad is [`EdgeError::PadInit`], which the agent reads as the seed's
//! "Chyba při inicializaci Signpadu. Zkontrolujte připojení Signpadu k počítači."

use std::str::FromStr;
use std::time::Duration;

use biometric_envelope::ChannelInfo;
use offer_lifecycle::{FirmwareVersion, PadModel, PadSerial, SignPad};
use rsa::traits::PublicKeyParts;
use stu_protocol::DriverError;
use stu_protocol::{
    DriverConfig, EncodedImage, EncryptionScheme, Model, PadDriver, PadIdentity, PenPoint,
    RsaHandshake, Units,
};
use stu_transport::{DriveError, SocketTransport, Transport};
use zeroize::Zeroizing;

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
    /// Set once pen data is encrypted: what each capture start exchanges keys with.
    link_key: Option<LinkKey>,
}

/// RSA-2048, the largest key the STU-430/530 take for wrapping their session key.
const RSA_MODULUS_BYTES: usize = 256;

/// The host's side of the pen-data key exchange.
enum LinkKey {
    /// STU-300: a fresh Diffie-Hellman secret per capture start.
    DiffieHellman,
    /// STU-430/530: this session's RSA key; the pad wraps each new session key with it.
    Rsa(Box<rsa::PrivateKey>),
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
            link_key: None,
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

    /// Switches the pad to encrypted pen data for the rest of the session, so the pen's
    /// biometrics cross the USB cable only encrypted. The STU-300 agrees an AES-128 key with
    /// this host by Diffie-Hellman; the STU-430/530 generate an AES-256 session key and send it
    /// wrapped with an RSA-2048 key this host makes for the session (PKCS#1 v1.5), whose
    /// private half never leaves memory. As in the pad maker's SDK, capture stops while a
    /// screen is written and restarts, with a new exchange, after it ([`Pad::show`]). A pad
    /// that fails the exchange is [`EdgeError::PadInit`]: no signature is taken over a
    /// plaintext link.
    pub fn encrypt_pen_data(&mut self) -> Result<(), EdgeError> {
        let fail = |e: &dyn std::fmt::Display| {
            EdgeError::PadInit(format!("encrypting the pen data failed: {e}"))
        };
        let key = match self.identity.capabilities.encryption {
            EncryptionScheme::DhAes128 => LinkKey::DiffieHellman,
            EncryptionScheme::RsaAes => LinkKey::Rsa(Box::new(
                rsa::PrivateKey::new(&mut getrandom::SysRng, RSA_MODULUS_BYTES * 8)
                    .map_err(|e| fail(&e))?,
            )),
        };
        self.link_key = Some(key);
        self.driver.require_encrypted_pen_data();
        self.start_capture().map_err(|e| fail(&e))
    }

    /// How pen data is encrypted on the USB link (after [`Pad::encrypt_pen_data`]).
    pub fn link_encryption(&self) -> &'static str {
        match self.link_key {
            None => "none",
            Some(LinkKey::DiffieHellman) => "AES-128 / Diffie-Hellman",
            Some(LinkKey::Rsa(_)) => "AES-256 / RSA-2048",
        }
    }

    /// Starts encrypted capture with a fresh session key.
    fn start_capture(&mut self) -> Result<(), DriveError> {
        if self.link_key.is_none() {
            return Ok(());
        }
        let refused = |why: &'static str| DriveError::Driver(DriverError::Encryption(why));
        let mut random = Zeroizing::new([0u8; 20]);
        getrandom::fill(random.as_mut())
            .map_err(|_| refused("no randomness for the key exchange"))?;
        let session_id = u32::from_be_bytes([random[0], random[1], random[2], random[3]]);
        match &self.link_key {
            None => Ok(()), // returned above
            Some(LinkKey::DiffieHellman) => {
                let mut secret = Zeroizing::new([0u8; 16]);
                secret.copy_from_slice(&random[4..20]);
                // at least 2, as the exchange requires
                let secret = u128::from_be_bytes(*secret) | 2;
                self.driver.begin_dh_capture(secret, session_id)?;
                self.run()
            }
            Some(LinkKey::Rsa(key)) => {
                let n = key.n_bytes();
                let mut modulus = vec![0u8; RSA_MODULUS_BYTES.saturating_sub(n.len())];
                modulus.extend_from_slice(&n);
                let handshake = RsaHandshake {
                    symmetric_key_type: 2,  // AES-256
                    padding: 1,             // PKCS#1 v1.5
                    asymmetric_key_type: 2, // RSA-2048
                    exponent: key.e_bytes().to_vec(),
                    modulus,
                };
                self.driver.begin_rsa_capture(&handshake, session_id)?;
                stu_transport::run(&mut self.driver, self.transport.as_mut())?;
                let wrapped = self
                    .driver
                    .encrypted_session_key()
                    .ok_or_else(|| refused("the pad sent no session key"))?
                    .to_vec();
                let plain = Zeroizing::new(
                    key.decrypt(rsa::Pkcs1v15Encrypt, &wrapped)
                        .map_err(|_| refused("the wrapped session key does not decrypt"))?,
                );
                // the AES-256 key is the last 32 bytes of the unwrapped block
                let session_key = plain
                    .len()
                    .checked_sub(32)
                    .map(|start| &plain[start..])
                    .ok_or_else(|| refused("the unwrapped session key is too short"))?;
                self.driver.install_session_key(session_key)?;
                Ok(())
            }
        }
    }

    /// Shows a screen (inking off while it is written; encrypted capture, when on, stops for
    /// the write and restarts with a new key exchange after it).
    pub fn show(&mut self, image: EncodedImage) -> Result<(), DriveError> {
        if self.driver.is_capturing() {
            self.driver.begin_end_capture()?;
        }
        self.driver.begin_set_inking(false)?;
        self.driver.begin_upload(image)?;
        self.run()?;
        self.start_capture()
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
