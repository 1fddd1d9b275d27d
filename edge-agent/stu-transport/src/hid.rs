//! Real pads through hidapi: enumeration of Wacom STU pads and a [`Transport`] on an opened
//! device (on Linux through hidraw, pure Rust, no system libraries).

use std::time::Duration;

use stu_protocol::model::{KNOWN_PRODUCTS, STU_PRODUCT_ID_RANGE};
use stu_protocol::{Model, WACOM_VENDOR_ID};

use crate::Transport;
use crate::error::TransportError;

/// One STU pad as USB enumeration shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PadInfo {
    pub vendor_id: u16,
    pub product_id: u16,
    /// bcdDevice.
    pub release: u16,
    pub serial: String,
    /// "STU-430", or "STU (0x00AE)" for an id the reference does not name.
    pub product_name: String,
    /// Where to open it (hidraw path, or the simulator's address).
    pub path: String,
    /// The model when this crate's protocol drives it; `None` for known-but-unsupported pads.
    pub model: Option<Model>,
}

impl PadInfo {
    /// Builds the record, naming the product from its id.
    pub fn new(
        vendor_id: u16,
        product_id: u16,
        release: u16,
        serial: String,
        path: String,
    ) -> PadInfo {
        let product_name = KNOWN_PRODUCTS
            .iter()
            .find(|(p, _, _)| *p == product_id)
            .map(|(_, n, _)| (*n).to_string())
            .unwrap_or_else(|| format!("STU (0x{product_id:04X})"));
        PadInfo {
            vendor_id,
            product_id,
            release,
            serial,
            product_name,
            path,
            model: Model::from_product_id(product_id),
        }
    }

    /// True when the pad is an STU-300, 430 or 530.
    pub fn is_supported(&self) -> bool {
        self.model.is_some()
    }
}

fn hid_err(e: hidapi::HidError) -> TransportError {
    TransportError::Hid(e.to_string())
}

/// Every connected Wacom STU pad (vendor 0x056A, product 0x00A1..=0x00AF), supported or not.
/// A machine without HID devices (a container) gives an empty list.
pub fn enumerate() -> Result<Vec<PadInfo>, TransportError> {
    let api = hidapi::HidApi::new().map_err(hid_err)?;
    Ok(list(&api))
}

fn list(api: &hidapi::HidApi) -> Vec<PadInfo> {
    let mut pads: Vec<PadInfo> = api
        .device_list()
        .filter(|d| {
            d.vendor_id() == WACOM_VENDOR_ID && STU_PRODUCT_ID_RANGE.contains(&d.product_id())
        })
        .map(|d| {
            PadInfo::new(
                d.vendor_id(),
                d.product_id(),
                d.release_number(),
                d.serial_number().unwrap_or_default().to_string(),
                d.path().to_string_lossy().into_owned(),
            )
        })
        .collect();
    pads.sort_by(|a, b| a.path.cmp(&b.path));
    pads.dedup_by(|a, b| a.path == b.path);
    pads
}

/// An opened real pad.
pub struct HidTransport {
    device: hidapi::HidDevice,
    info: PadInfo,
}

impl std::fmt::Debug for HidTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HidTransport")
            .field("info", &self.info)
            .finish()
    }
}

impl HidTransport {
    /// Opens the pad at `info.path`.
    pub fn open(info: &PadInfo) -> Result<HidTransport, TransportError> {
        let api = hidapi::HidApi::new().map_err(hid_err)?;
        let path = std::ffi::CString::new(info.path.clone())
            .map_err(|_| TransportError::NotFound(info.path.clone()))?;
        let device = api.open_path(&path).map_err(hid_err)?;
        Ok(HidTransport {
            device,
            info: info.clone(),
        })
    }

    /// Opens the first supported pad.
    pub fn open_first() -> Result<HidTransport, TransportError> {
        let api = hidapi::HidApi::new().map_err(hid_err)?;
        let pads = list(&api);
        let info = pads
            .iter()
            .find(|p| p.is_supported())
            .ok_or_else(|| TransportError::NotFound("no STU-300/430/530 connected".into()))?;
        let path = std::ffi::CString::new(info.path.clone())
            .map_err(|_| TransportError::NotFound(info.path.clone()))?;
        let device = api.open_path(&path).map_err(hid_err)?;
        Ok(HidTransport {
            device,
            info: info.clone(),
        })
    }

    /// What enumeration said about this pad.
    pub fn info(&self) -> &PadInfo {
        &self.info
    }
}

impl Transport for HidTransport {
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError> {
        if len == 0 || len > crate::MAX_REPORT_LEN {
            return Err(TransportError::BadReport(len));
        }
        let mut buf = vec![0u8; len];
        buf[0] = id;
        let n = self
            .device
            .get_feature_report(&mut buf)
            .map_err(|e| TransportError::Rejected {
                id,
                reason: e.to_string(),
            })?;
        buf.truncate(n.min(len));
        Ok(buf)
    }

    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError> {
        if report.is_empty() || report.len() > crate::MAX_REPORT_LEN {
            return Err(TransportError::BadReport(report.len()));
        }
        self.device
            .send_feature_report(report)
            .map_err(|e| TransportError::Rejected {
                id: report[0],
                reason: e.to_string(),
            })
    }

    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        let mut buf = vec![0u8; crate::MAX_REPORT_LEN];
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        let n = self.device.read_timeout(&mut buf, ms).map_err(hid_err)?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some(buf))
    }
}
