//! The sans-IO pad driver: a state machine that plans the feature reports to send for each
//! operation (init, clear, inking, image upload, capture with encryption, close), consumes the
//! pad's replies and input reports, and yields decoded pen points.
//!
//! It never touches a device: a runner (see the `stu-transport` crate) asks
//! [`PadDriver::poll_action`] what to do, performs it on a transport, and hands the result back
//! with [`PadDriver::handle_feature`], [`PadDriver::handle_set_done`] or
//! [`PadDriver::handle_wait_done`]. Input reports go to [`PadDriver::handle_input`]; decoded
//! points come out of [`PadDriver::poll_pen`].

use std::collections::VecDeque;
use std::time::Duration;

use crate::crypto::{SessionCipher, dh_public_key, dh_shared_key};
use crate::error::{DriverError, ImageError};
use crate::ids::ReportId;
use crate::image::EncodedImage;
use crate::model::{Capabilities, Model, effective_encoding_flag};
use crate::pen::{EncryptedPenPair, EncryptedTimedSample, InputReport, PenSample};
use crate::report::{
    Capability, EncryptionCommand, EncryptionCommandCode, EndImageAction, FeatureReport,
    IMAGE_BLOCK_PAYLOAD, Information, InkThreshold, PenDataOption, RSA_STATUS_CALCULATING,
    RSA_STATUS_NOT_READY, RSA_STATUS_READY,
};
use crate::status::{ErrorCode, StatusCode};
use zeroize::Zeroize;

/// Bounds and timings of the driver.
#[derive(Debug, Clone)]
pub struct DriverConfig {
    /// How many times a busy pad is polled before [`DriverError::Busy`] (SDK: 25).
    pub status_poll_limit: u32,
    /// Pause between polls (SDK: 50 ms).
    pub status_poll_interval: Duration,
    /// Bound on planned steps (an image upload counts as one step).
    pub max_planned_steps: usize,
    /// Bound on decoded pen points waiting for [`PadDriver::poll_pen`].
    pub max_pen_queue: usize,
    /// Ask 430/530 pads for time-count + sequence pen reports (0x34) during init.
    pub pen_timing: bool,
    /// Once pen data must be encrypted: how many pen reports in a row may be dropped as left
    /// over from before the current capture (another session's id, or plaintext while
    /// capture restarts) before that is an error.
    pub max_stale_pen_reports: u32,
}

impl Default for DriverConfig {
    fn default() -> Self {
        DriverConfig {
            status_poll_limit: 25,
            status_poll_interval: Duration::from_millis(50),
            max_planned_steps: 256,
            max_pen_queue: 4096,
            pen_timing: true,
            max_stale_pen_reports: 256,
        }
    }
}

/// What the runner must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// GET_REPORT(Feature, id) with a buffer of `len` bytes; answer with `handle_feature`.
    GetFeature { id: ReportId, len: usize },
    /// SET_REPORT(Feature) with these bytes; answer with `handle_set_done`.
    SetFeature(Vec<u8>),
    /// Pause (between status polls); answer with `handle_wait_done`.
    Wait(Duration),
}

/// Who the pad is, learnt during init.
#[derive(Debug, Clone, PartialEq)]
pub struct PadIdentity {
    pub model: Model,
    pub capabilities: &'static Capabilities,
    pub information: Information,
    /// The Capability report as the pad sent it.
    pub capability: Capability,
    /// encodingFlag after the SDK's substitution for pads that report none.
    pub encoding_flag: u8,
}

/// A decoded pen point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PenPoint {
    pub sample: PenSample,
    /// Pad time in ms (wraps at 65536) when the pad sends 0x34/0x33 reports.
    pub time_count: Option<u16>,
    /// Report sequence number (wraps) when the pad sends 0x34/0x33 reports.
    pub sequence: Option<u16>,
}

/// Parameters of the v2 (RSA) handshake. Key types and padding use the reference's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaHandshake {
    /// 0 AES-128, 1 AES-192, 2 AES-256.
    pub symmetric_key_type: u8,
    /// 0 none, 1 PKCS#1 v1.5, 2 OAEP.
    pub padding: u8,
    /// 0 RSA-1024, 1 RSA-1536, 2 RSA-2048.
    pub asymmetric_key_type: u8,
    /// Public exponent, big-endian (e.g. `01 00 01`).
    pub exponent: Vec<u8>,
    /// Modulus, big-endian (128/192/256 bytes).
    pub modulus: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    InitialStatus,
    Information,
    Capability,
    DhPrime,
    DhBase,
    DevicePublicKey,
    RsaKeyAccepted,
    RsaSessionKeyReady { polls_left: u32 },
    RsaSessionKeyBlock,
}

#[derive(Debug, Clone)]
enum Step {
    Get(ReportId, Purpose),
    Set(Vec<u8>),
    HostPublicKey,
    ImageData {
        data: Vec<u8>,
        offset: usize,
    },
    /// Read Status; fail on a result code for `command` (if any); poll until Ready if asked.
    Status {
        command: Option<ReportId>,
        require_ready: bool,
        polls_left: u32,
    },
    Wait(Duration),
    StartCapture(u32),
}

#[derive(Default)]
struct Crypto {
    dh_secret: u128,
    dh_prime: [u8; 16],
    dh_base: [u8; 2],
    rsa_key_len: usize,
    encrypted_session_key: Vec<u8>,
    cipher: Option<SessionCipher>,
    session_id: Option<u32>,
}

/// The sans-IO driver of one pad.
#[derive(Debug)]
pub struct PadDriver {
    config: DriverConfig,
    plan: VecDeque<Step>,
    outstanding: bool,
    identity: Option<PadIdentity>,
    information: Option<Information>,
    pen: VecDeque<PenPoint>,
    crypto: Crypto,
    capturing: bool,
    /// Plaintext pen data is refused (while capturing) or dropped (while capture restarts).
    encrypted_only: bool,
    /// Pen reports dropped in a row as left over from before the current capture.
    stale_in_a_row: u32,
}

impl Drop for Crypto {
    fn drop(&mut self) {
        self.dh_secret.zeroize();
    }
}

impl std::fmt::Debug for Crypto {
    /// Key material is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crypto")
            .field("rsa_key_len", &self.rsa_key_len)
            .field("session_key_installed", &self.cipher.is_some())
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

fn enc_cmd(
    command: EncryptionCommandCode,
    parameter: u8,
    length_or_index: u8,
    data: &[u8],
) -> Vec<u8> {
    let mut block = [0u8; 64];
    block[..data.len().min(64)].copy_from_slice(&data[..data.len().min(64)]);
    FeatureReport::EncryptionCommand(EncryptionCommand {
        command,
        parameter,
        length_or_index,
        data: block,
    })
    .encode()
    .unwrap_or_default()
}

impl PadDriver {
    /// A driver with nothing planned.
    pub fn new(config: DriverConfig) -> PadDriver {
        PadDriver {
            config,
            plan: VecDeque::new(),
            outstanding: false,
            identity: None,
            information: None,
            pen: VecDeque::new(),
            crypto: Crypto::default(),
            capturing: false,
            encrypted_only: false,
            stale_in_a_row: 0,
        }
    }

    /// From now on pen data must be encrypted: a plaintext pen report while capturing is
    /// [`DriverError::PlaintextPenData`]; plaintext reports while capture is stopped (a screen
    /// being written) and encrypted reports of another capture session are dropped as left
    /// over, up to [`DriverConfig::max_stale_pen_reports`] in a row.
    pub fn require_encrypted_pen_data(&mut self) {
        self.encrypted_only = true;
    }

    /// The pad's identity once init has completed.
    pub fn identity(&self) -> Option<&PadIdentity> {
        self.identity.as_ref()
    }

    /// True when nothing is planned.
    pub fn is_idle(&self) -> bool {
        self.plan.is_empty()
    }

    /// True between a successful StartCapture and EndCapture.
    pub fn is_capturing(&self) -> bool {
        self.capturing
    }

    /// Drops everything planned (after a transport failure, for instance).
    pub fn abort(&mut self) {
        self.plan.clear();
        self.outstanding = false;
    }

    fn push(&mut self, steps: Vec<Step>) -> Result<(), DriverError> {
        if self.plan.len() + steps.len() > self.config.max_planned_steps {
            return Err(DriverError::QueueFull("planned step"));
        }
        self.plan.extend(steps);
        Ok(())
    }

    fn status_after(&self, command: ReportId) -> Step {
        Step::Status {
            command: Some(command),
            require_ready: false,
            polls_left: 0,
        }
    }

    fn await_ready(&self) -> Step {
        Step::Status {
            command: None,
            require_ready: true,
            polls_left: self.config.status_poll_limit,
        }
    }

    fn set_checked(&self, report: FeatureReport) -> Result<[Step; 2], DriverError> {
        let id = report.id();
        Ok([Step::Set(report.encode()?), self.status_after(id)])
    }

    fn caps(&self) -> Result<&'static Capabilities, DriverError> {
        self.identity
            .as_ref()
            .map(|i| i.capabilities)
            .ok_or(DriverError::NotInitialised)
    }

    /// Plans the init sequence: status (leave Capture/Image), Information, Capability and,
    /// on 430/530, timed pen reports.
    pub fn begin_init(&mut self) -> Result<(), DriverError> {
        self.push(vec![
            Step::Get(ReportId::Status, Purpose::InitialStatus),
            Step::Get(ReportId::Information, Purpose::Information),
            Step::Get(ReportId::Capability, Purpose::Capability),
        ])
    }

    /// Plans ClearScreen (waits for Ready first).
    pub fn begin_clear(&mut self) -> Result<(), DriverError> {
        let [a, b] = self.set_checked(FeatureReport::ClearScreen)?;
        self.push(vec![self.await_ready(), a, b])
    }

    /// Plans InkingMode on/off.
    pub fn begin_set_inking(&mut self, on: bool) -> Result<(), DriverError> {
        self.push(self.set_checked(FeatureReport::InkingMode(on))?.into())
    }

    /// Plans InkThreshold (Ready only).
    pub fn begin_set_ink_threshold(&mut self, t: InkThreshold) -> Result<(), DriverError> {
        let [a, b] = self.set_checked(FeatureReport::InkThreshold(t))?;
        self.push(vec![self.await_ready(), a, b])
    }

    /// Plans an image upload: StartImageData(/Area), the data blocks, commit, status check.
    /// The image must be in a mode the initialised model accepts.
    pub fn begin_upload(&mut self, image: EncodedImage) -> Result<(), DriverError> {
        let caps = self.caps()?;
        if !caps.accepts_mode(image.mode) {
            return Err(ImageError::ModeNotSupported(image.mode as u8).into());
        }
        if image.area.is_some() && !caps.supports(ReportId::StartImageDataArea) {
            return Err(DriverError::Image(ImageError::BadArea));
        }
        if image.data.is_empty() {
            return Err(ImageError::TooShort {
                found: 0,
                expected: 1,
            }
            .into());
        }
        let start = image.start_report();
        let start_id = start.id();
        let [commit, _] = self.set_checked(FeatureReport::EndImageData(EndImageAction::Commit))?;
        self.push(vec![
            self.await_ready(),
            Step::Set(start.encode()?),
            self.status_after(start_id),
            Step::ImageData {
                data: image.data,
                offset: 0,
            },
            commit,
            Step::Status {
                command: Some(ReportId::EndImageData),
                require_ready: true,
                polls_left: self.config.status_poll_limit,
            },
        ])
    }

    /// Plans a v1 (Diffie-Hellman) key exchange and StartCapture (STU-300).
    pub fn begin_dh_capture(
        &mut self,
        host_secret: u128,
        session_id: u32,
    ) -> Result<(), DriverError> {
        if self.caps()?.encryption != crate::model::EncryptionScheme::DhAes128 {
            return Err(DriverError::Encryption(
                "this model does not use DH encryption",
            ));
        }
        if host_secret < 2 {
            return Err(DriverError::Encryption("DH secret must be at least 2"));
        }
        self.crypto.dh_secret = host_secret;
        self.crypto.cipher = None;
        self.push(vec![
            self.await_ready(),
            Step::Get(ReportId::DhPrime, Purpose::DhPrime),
            Step::Get(ReportId::DhBase, Purpose::DhBase),
            Step::HostPublicKey,
            Step::Status {
                command: Some(ReportId::HostPublicKey),
                require_ready: true,
                polls_left: self.config.status_poll_limit,
            },
            Step::Get(ReportId::DevicePublicKey, Purpose::DevicePublicKey),
            Step::StartCapture(session_id),
            self.status_after(ReportId::StartCapture),
        ])
    }

    /// Plans a v2 (RSA) handshake: key types, public key, session-key generation, reading the
    /// RSA-encrypted session key, then StartCapture (STU-430/530). Once idle, read the wrapped
    /// key with [`PadDriver::encrypted_session_key`], unwrap it with the private key and hand
    /// the AES key to [`PadDriver::install_session_key`].
    pub fn begin_rsa_capture(
        &mut self,
        h: &RsaHandshake,
        session_id: u32,
    ) -> Result<(), DriverError> {
        if self.caps()?.encryption != crate::model::EncryptionScheme::RsaAes {
            return Err(DriverError::Encryption(
                "this model does not use RSA encryption",
            ));
        }
        let key_len = match h.asymmetric_key_type {
            0 => 128,
            1 => 192,
            2 => 256,
            _ => return Err(DriverError::Encryption("unknown asymmetric key type")),
        };
        if h.modulus.len() != key_len
            || h.exponent.is_empty()
            || h.exponent.len() > 64
            || h.padding > 2
        {
            return Err(DriverError::Encryption(
                "RSA parameters do not match the key type",
            ));
        }
        self.crypto.rsa_key_len = key_len;
        self.crypto.encrypted_session_key.clear();
        self.crypto.cipher = None;
        let mut steps = vec![
            self.await_ready(),
            Step::Set(enc_cmd(
                EncryptionCommandCode::SetEncryptionType,
                h.symmetric_key_type,
                (h.padding << 6) | h.asymmetric_key_type,
                &[],
            )),
            self.status_after(ReportId::EncryptionCommand),
            Step::Set(enc_cmd(
                EncryptionCommandCode::SetParameterBlock,
                0,
                h.exponent.len() as u8,
                &h.exponent,
            )),
            self.status_after(ReportId::EncryptionCommand),
        ];
        for piece in h.modulus.chunks(64) {
            steps.push(Step::Set(enc_cmd(
                EncryptionCommandCode::SetParameterBlock,
                1,
                piece.len() as u8,
                piece,
            )));
        }
        steps.push(self.status_after(ReportId::EncryptionCommand));
        steps.push(Step::Get(
            ReportId::EncryptionStatus,
            Purpose::RsaKeyAccepted,
        ));
        steps.push(Step::Set(enc_cmd(
            EncryptionCommandCode::GenerateSymmetricKey,
            0,
            0,
            &[],
        )));
        steps.push(self.status_after(ReportId::EncryptionCommand));
        steps.push(Step::Get(
            ReportId::EncryptionStatus,
            Purpose::RsaSessionKeyReady {
                polls_left: self.config.status_poll_limit,
            },
        ));
        for k in 0..key_len.div_ceil(64) {
            steps.push(Step::Set(enc_cmd(
                EncryptionCommandCode::GetParameterBlock,
                2,
                k as u8,
                &[],
            )));
            steps.push(Step::Get(
                ReportId::EncryptionCommand,
                Purpose::RsaSessionKeyBlock,
            ));
        }
        steps.push(Step::StartCapture(session_id));
        steps.push(self.status_after(ReportId::StartCapture));
        self.push(steps)
    }

    /// The RSA-encrypted session key collected by the v2 handshake.
    pub fn encrypted_session_key(&self) -> Option<&[u8]> {
        let k = &self.crypto.encrypted_session_key;
        (!k.is_empty() && k.len() == self.crypto.rsa_key_len).then_some(k.as_slice())
    }

    /// Installs the AES key (16/24/32 bytes) that decrypts this session's pen data.
    pub fn install_session_key(&mut self, key: &[u8]) -> Result<(), DriverError> {
        self.crypto.cipher =
            Some(SessionCipher::new(key).ok_or(DriverError::Encryption("AES key length"))?);
        Ok(())
    }

    /// Plans EndCapture (back to plain pen data).
    pub fn begin_end_capture(&mut self) -> Result<(), DriverError> {
        self.push(self.set_checked(FeatureReport::EndCapture)?.into())?;
        self.capturing = false;
        Ok(())
    }

    /// Plans the SDK's close: EndCapture if capturing, inking off, clear screen.
    pub fn begin_close(&mut self) -> Result<(), DriverError> {
        if self.capturing {
            self.begin_end_capture()?;
        }
        self.begin_set_inking(false)?;
        self.begin_clear()
    }

    /// The next thing to do, or `None` when idle. Returns the same action until it is answered.
    pub fn poll_action(&mut self) -> Option<Action> {
        let step = self.plan.front()?;
        self.outstanding = true;
        Some(match step {
            Step::Get(id, _) => Action::GetFeature {
                id: *id,
                len: id.len(),
            },
            Step::Status { .. } => Action::GetFeature {
                id: ReportId::Status,
                len: ReportId::Status.len(),
            },
            Step::Set(bytes) => Action::SetFeature(bytes.clone()),
            Step::Wait(d) => Action::Wait(*d),
            Step::HostPublicKey => {
                let key = dh_public_key(
                    &self.crypto.dh_prime,
                    &self.crypto.dh_base,
                    self.crypto.dh_secret,
                );
                Action::SetFeature(
                    FeatureReport::HostPublicKey(key)
                        .encode()
                        .unwrap_or_default(),
                )
            }
            Step::StartCapture(session_id) => Action::SetFeature(
                FeatureReport::StartCapture {
                    session_id: *session_id,
                }
                .encode()
                .unwrap_or_default(),
            ),
            Step::ImageData { data, offset } => {
                let end = (*offset + IMAGE_BLOCK_PAYLOAD).min(data.len());
                Action::SetFeature(
                    FeatureReport::ImageDataBlock(data[*offset..end].to_vec())
                        .encode()
                        .unwrap_or_default(),
                )
            }
        })
    }

    fn fail<T>(&mut self, e: DriverError) -> Result<T, DriverError> {
        self.abort();
        Err(e)
    }

    /// Answers a completed `SetFeature`.
    pub fn handle_set_done(&mut self) -> Result<(), DriverError> {
        if !self.outstanding {
            return self.fail(DriverError::UnexpectedReply(
                "set completion without a request",
            ));
        }
        self.outstanding = false;
        match self.plan.front_mut() {
            Some(Step::ImageData { data, offset }) => {
                *offset += IMAGE_BLOCK_PAYLOAD;
                if *offset >= data.len() {
                    self.plan.pop_front();
                }
            }
            Some(Step::StartCapture(id)) => {
                self.crypto.session_id = Some(*id);
                self.capturing = true;
                self.plan.pop_front();
            }
            Some(Step::Set(_)) | Some(Step::HostPublicKey) => {
                self.plan.pop_front();
            }
            _ => return self.fail(DriverError::UnexpectedReply("set completion for a get")),
        }
        Ok(())
    }

    /// Answers a completed `Wait`.
    pub fn handle_wait_done(&mut self) {
        if matches!(self.plan.front(), Some(Step::Wait(_))) {
            self.plan.pop_front();
        }
        self.outstanding = false;
    }

    /// Answers a `GetFeature` with the bytes the pad returned.
    pub fn handle_feature(&mut self, bytes: &[u8]) -> Result<(), DriverError> {
        if !self.outstanding {
            return self.fail(DriverError::UnexpectedReply(
                "feature reply without a request",
            ));
        }
        self.outstanding = false;
        let Some(step) = self.plan.pop_front() else {
            return self.fail(DriverError::UnexpectedReply(
                "feature reply without a request",
            ));
        };
        match self.on_feature(step, bytes) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    fn on_feature(&mut self, step: Step, bytes: &[u8]) -> Result<(), DriverError> {
        match step {
            Step::Status {
                command,
                require_ready,
                polls_left,
            } => {
                let FeatureReport::Status(s) =
                    FeatureReport::decode_expect(ReportId::Status, bytes)?
                else {
                    return Err(DriverError::UnexpectedReply("status"));
                };
                if let Some(cmd) = command
                    && s.last_result != ErrorCode::None
                {
                    return Err(DriverError::Device {
                        command: cmd as u8,
                        code: s.last_result,
                    });
                }
                if require_ready && s.state != StatusCode::Ready {
                    if polls_left == 0 {
                        return Err(DriverError::Busy {
                            state: s.state,
                            polls: self.config.status_poll_limit,
                        });
                    }
                    self.plan.push_front(Step::Status {
                        command,
                        require_ready,
                        polls_left: polls_left - 1,
                    });
                    self.plan
                        .push_front(Step::Wait(self.config.status_poll_interval));
                }
                Ok(())
            }
            Step::Get(id, purpose) => {
                let report = FeatureReport::decode_expect(id, bytes)?;
                self.on_reply(purpose, report)
            }
            _ => Err(DriverError::UnexpectedReply("feature reply for a set")),
        }
    }

    fn on_reply(&mut self, purpose: Purpose, report: FeatureReport) -> Result<(), DriverError> {
        use FeatureReport as F;
        match (purpose, report) {
            (Purpose::InitialStatus, F::Status(s)) => {
                let mut front = Vec::new();
                match s.state {
                    StatusCode::Capture => {
                        front.push(Step::Set(F::EndCapture.encode()?));
                    }
                    StatusCode::Image => {
                        front.push(Step::Set(
                            F::EndImageData(EndImageAction::Abandon).encode()?,
                        ));
                    }
                    _ => {}
                }
                front.push(self.await_ready());
                for s in front.into_iter().rev() {
                    self.plan.push_front(s);
                }
                self.capturing = false;
                Ok(())
            }
            (Purpose::Information, F::Information(info)) => {
                if Model::from_name(&info.model_name).is_none() {
                    return Err(DriverError::UnsupportedModel(info.model_name));
                }
                self.information = Some(info);
                Ok(())
            }
            (Purpose::Capability, F::Capability(cap)) => {
                let info = self
                    .information
                    .clone()
                    .ok_or(DriverError::NotInitialised)?;
                let model = Model::from_name(&info.model_name)
                    .ok_or(DriverError::UnsupportedModel(info.model_name.clone()))?;
                let caps = model.capabilities();
                if cap.screen_width != caps.screen_width || cap.screen_height != caps.screen_height
                {
                    return Err(DriverError::UnsupportedModel(format!(
                        "{} with a {}x{} screen",
                        info.model_name, cap.screen_width, cap.screen_height
                    )));
                }
                self.identity = Some(PadIdentity {
                    model,
                    capabilities: caps,
                    information: info,
                    capability: cap,
                    encoding_flag: effective_encoding_flag(cap.encoding_flag, caps.product_id),
                });
                if self.config.pen_timing && caps.supports(ReportId::PenDataOptionMode) {
                    let [a, b] =
                        self.set_checked(F::PenDataOptionMode(PenDataOption::TimeCountSequence))?;
                    self.plan.push_front(b);
                    self.plan.push_front(a);
                }
                Ok(())
            }
            (Purpose::DhPrime, F::DhPrime(p)) => {
                if p.iter().all(|&b| b == 0) {
                    return Err(DriverError::Encryption(
                        "pad has no DH prime (no encryption)",
                    ));
                }
                self.crypto.dh_prime = p;
                Ok(())
            }
            (Purpose::DhBase, F::DhBase(g)) => {
                self.crypto.dh_base = g;
                Ok(())
            }
            (Purpose::DevicePublicKey, F::DevicePublicKey(k)) => {
                let mut shared = dh_shared_key(&self.crypto.dh_prime, &k, self.crypto.dh_secret);
                // the secret has done its work; neither it nor the shared key stays around
                self.crypto.dh_secret.zeroize();
                let installed = self.install_session_key(&shared);
                shared.zeroize();
                installed
            }
            (Purpose::RsaKeyAccepted, F::EncryptionStatus(s)) => {
                if s.status_e != RSA_STATUS_READY || s.status_n != RSA_STATUS_READY {
                    return Err(DriverError::Encryption(
                        "pad did not accept the RSA public key",
                    ));
                }
                Ok(())
            }
            (Purpose::RsaSessionKeyReady { polls_left }, F::EncryptionStatus(s)) => {
                if s.last_result != 0 {
                    return Err(DriverError::Encryption(
                        "pad failed to generate the session key",
                    ));
                }
                match s.status_c {
                    RSA_STATUS_READY => Ok(()),
                    RSA_STATUS_CALCULATING | RSA_STATUS_NOT_READY if polls_left > 0 => {
                        self.plan.push_front(Step::Get(
                            ReportId::EncryptionStatus,
                            Purpose::RsaSessionKeyReady {
                                polls_left: polls_left - 1,
                            },
                        ));
                        self.plan
                            .push_front(Step::Wait(self.config.status_poll_interval));
                        Ok(())
                    }
                    RSA_STATUS_CALCULATING | RSA_STATUS_NOT_READY => Err(DriverError::Encryption(
                        "session key not ready after all polls",
                    )),
                    _ => Err(DriverError::Encryption(
                        "pad reports an invalid session key",
                    )),
                }
            }
            (Purpose::RsaSessionKeyBlock, F::EncryptionCommand(c)) => {
                let n = usize::from(c.length_or_index).min(64);
                let room = self.crypto.rsa_key_len - self.crypto.encrypted_session_key.len();
                if c.command != EncryptionCommandCode::GetParameterBlock || n > room || n == 0 {
                    return Err(DriverError::Encryption("bad session key block"));
                }
                self.crypto
                    .encrypted_session_key
                    .extend_from_slice(&c.data[..n]);
                Ok(())
            }
            _ => Err(DriverError::UnexpectedReply(
                "reply does not match the request",
            )),
        }
    }

    /// Consumes one input report; decoded pen points become available from `poll_pen`.
    pub fn handle_input(&mut self, bytes: &[u8]) -> Result<(), DriverError> {
        let report = InputReport::decode(bytes)?;
        let mut points = [None, None];
        // the capture session an encrypted report names (None: plaintext)
        let session = match report {
            InputReport::PenData(sample) => {
                points[0] = Some(PenPoint {
                    sample,
                    time_count: None,
                    sequence: None,
                });
                None
            }
            InputReport::PenDataTimeCountSequence {
                sample,
                time_count,
                sequence,
            } => {
                points[0] = Some(PenPoint {
                    sample,
                    time_count: Some(time_count),
                    sequence: Some(sequence),
                });
                None
            }
            InputReport::PenDataEncrypted(block) => {
                let pair = EncryptedPenPair::decode(&self.decrypt(&block)?);
                for (slot, sample) in points.iter_mut().zip(pair.samples) {
                    *slot = Some(PenPoint {
                        sample,
                        time_count: None,
                        sequence: None,
                    });
                }
                Some(pair.session_id)
            }
            InputReport::PenDataTimeCountSequenceEncrypted(block) => {
                let t = EncryptedTimedSample::decode(&self.decrypt(&block)?);
                points[0] = Some(PenPoint {
                    sample: t.sample,
                    time_count: Some(t.time_count),
                    sequence: Some(t.sequence),
                });
                Some(t.session_id)
            }
            InputReport::DevicePublicKey(_) | InputReport::EncryptionStatus(_) => {
                self.stale_in_a_row = 0;
                return Ok(());
            }
        };
        if self.encrypted_only {
            // left over from before the current capture: plaintext while capture is
            // stopped, or another session's id
            let left_over = match session {
                None if self.capturing => return Err(DriverError::PlaintextPenData),
                None => true,
                Some(id) => self.crypto.session_id.is_some_and(|current| current != id),
            };
            if left_over {
                self.stale_in_a_row += 1;
                if self.stale_in_a_row > self.config.max_stale_pen_reports {
                    return Err(DriverError::StalePenData(self.stale_in_a_row));
                }
                return Ok(());
            }
            self.stale_in_a_row = 0;
        } else if let Some(id) = session {
            self.check_session(id)?;
        }
        let caps = self.identity.as_ref().map(|i| i.capabilities);
        for p in points.into_iter().flatten() {
            if let Some(c) = caps {
                let s = p.sample;
                if s.x > c.tablet_max_x
                    || s.y > c.tablet_max_y
                    || s.pressure > c.tablet_max_pressure
                {
                    return Err(DriverError::PenOutOfRange {
                        x: s.x,
                        y: s.y,
                        pressure: s.pressure,
                    });
                }
            }
            if self.pen.len() >= self.config.max_pen_queue {
                return Err(DriverError::QueueFull("pen point"));
            }
            self.pen.push_back(p);
        }
        Ok(())
    }

    fn decrypt(&self, block: &[u8; 16]) -> Result<[u8; 16], DriverError> {
        Ok(self
            .crypto
            .cipher
            .as_ref()
            .ok_or(DriverError::NoSessionKey)?
            .decrypt(block))
    }

    fn check_session(&self, found: u32) -> Result<(), DriverError> {
        match self.crypto.session_id {
            Some(expected) if expected != found => {
                Err(DriverError::SessionMismatch { expected, found })
            }
            _ => Ok(()),
        }
    }

    /// The next decoded pen point.
    pub fn poll_pen(&mut self) -> Option<PenPoint> {
        self.pen.pop_front()
    }
}
