//! Writing one opened envelope: `<field>.json` (binding, channels, samples), `<field>.csv`
//! (one sample per line) and `<field>.png` (the signature drawn from the pen-down samples, with
//! the edge agent's renderer, so its SHA-256 matches the `FieldSigned` event's image hash).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use biometric_envelope::{Binding, TimeSeries};
use serde_json::json;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::EscrowError;

/// The files written for one field.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The field.
    pub field_id: String,
    /// Samples exported.
    pub samples: usize,
    /// SHA-256 of the PNG.
    pub png_sha256: String,
    /// The files.
    pub files: Vec<PathBuf>,
}

fn safe_name(field_id: &str) -> String {
    field_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the three files for one opened envelope.
pub fn write(dir: &Path, series: &TimeSeries, binding: &Binding) -> Result<Exported, EscrowError> {
    let name = safe_name(&binding.field_id);
    let ch = &series.channels;
    let samples: Vec<_> = series
        .samples
        .iter()
        .map(|s| json!({"t_us": s.t_us, "x": s.x, "y": s.y, "pressure": s.pressure, "pen_down": s.pen_down}))
        .collect();
    let doc = json!({
        "format": "inkseal 19794-7-like time series, exported by inkseal-escrow",
        "binding": {
            "document_sha256": hex::encode(binding.document_sha256),
            "offer_id": binding.offer_id,
            "field_id": binding.field_id,
            "signer_role": binding.signer_role,
            "pad_model": binding.pad_model,
            "pad_serial": binding.pad_serial,
        },
        "channels": {
            "max_x": ch.max_x, "max_y": ch.max_y, "max_pressure": ch.max_pressure,
            "x_units_per_metre": ch.x_units_per_metre, "y_units_per_metre": ch.y_units_per_metre,
            "sample_rate_hz": ch.sample_rate_hz,
        },
        "samples": samples,
    });
    let json_text = Zeroizing::new(
        serde_json::to_string_pretty(&doc).map_err(|e| EscrowError::Envelope(e.to_string()))?,
    );
    let mut csv = Zeroizing::new(String::from("t_us,x,y,pressure,pen_down\n"));
    for s in &series.samples {
        let _ = writeln!(
            csv,
            "{},{},{},{},{}",
            s.t_us,
            s.x,
            s.y,
            s.pressure,
            u8::from(s.pen_down)
        );
    }
    let png = inkseal_edge::signature_image::render_png(series).map_err(EscrowError::Envelope)?;
    let files = vec![
        dir.join(format!("{name}.json")),
        dir.join(format!("{name}.csv")),
        dir.join(format!("{name}.png")),
    ];
    std::fs::write(&files[0], json_text.as_bytes()).map_err(|e| EscrowError::io(&files[0], e))?;
    std::fs::write(&files[1], csv.as_bytes()).map_err(|e| EscrowError::io(&files[1], e))?;
    std::fs::write(&files[2], &png).map_err(|e| EscrowError::io(&files[2], e))?;
    Ok(Exported {
        field_id: binding.field_id.clone(),
        samples: series.samples.len(),
        png_sha256: hex::encode(Sha256::digest(&png)),
        files,
    })
}
