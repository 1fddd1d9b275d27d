//! The edge agent's configuration: one typed struct, loaded from a TOML file, then overridden by
//! environment variables, and printed by `inkseal-edge --print-config`.
//!
//! Every key has a documented default. An environment variable overrides one key: the key path in
//! upper case, dots and the prefix joined by `_` — `outbox_path` is `INKSEAL_EDGE_OUTBOX_PATH`,
//! `quality.min_width_mm` is `INKSEAL_EDGE_QUALITY_MIN_WIDTH_MM`, `sync.endpoint` is
//! `INKSEAL_EDGE_SYNC_ENDPOINT`. Unknown keys in the file are an error, not ignored.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::EdgeError;
use crate::quality::QualityThresholds;

/// Prefix of the environment variables that override configuration keys.
pub const ENV_PREFIX: &str = "INKSEAL_EDGE_";

/// Largest configuration file read.
pub const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// The whole configuration of the edge agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The SQLite outbox file (offers, events, sealed PDFs). Default `inkseal-edge-outbox.sqlite`.
    pub outbox_path: PathBuf,
    /// The escrow authority's public key (PEM `PUBLIC KEY` or `CERTIFICATE`); biometrics are
    /// encrypted for it. Default `escrow-public.pem`.
    pub escrow_public_key: PathBuf,
    /// The edge agent's certificate chain (PEM) for the PAdES signature of the sealed PDF: the
    /// backend accepts only a document-signing certificate its trusted authority issued to this
    /// agent (`inkseal-server dev-certs` writes one as `agents/<id>.signing.pem`).
    pub signing_certificate: PathBuf,
    /// The private key (PKCS#8 PEM) of `signing_certificate`.
    pub signing_key: PathBuf,
    /// Signature quality thresholds.
    pub quality: QualityThresholds,
    /// Pad timings and bounds.
    pub pad: PadSettings,
    /// Synchronisation with the backend.
    pub sync: SyncSettings,
    /// Size bounds.
    pub limits: Limits,
}

/// Pad timings and bounds of a signing session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PadSettings {
    /// How long one read of the pad's input waits, in ms. Default 100.
    pub read_timeout_ms: u64,
    /// How long a field waits for OK before the session gives up, in seconds (pad time). Default 300.
    pub field_timeout_s: u64,
    /// Most pen points kept for one field (5 minutes at 200 points/s). Default 60000.
    pub max_points_per_field: usize,
    /// Most attempts at one field (refused signatures and Vymazat) before the session stops. Default 20.
    pub max_attempts_per_field: u32,
}

impl Default for PadSettings {
    fn default() -> Self {
        PadSettings {
            read_timeout_ms: 100,
            field_timeout_s: 300,
            max_points_per_field: 60_000,
            max_attempts_per_field: 20,
        }
    }
}

/// Synchronisation with the backend over gRPC with mutual TLS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// The backend's EdgeSync endpoint. Default `https://localhost:50051`.
    pub endpoint: String,
    /// The name the backend's server certificate is checked against. Default `localhost`.
    pub domain_name: String,
    /// The CA (PEM) that issued the backend's certificate.
    pub ca_certificate: PathBuf,
    /// The agent's client certificate (PEM); its Subject Common Name is the agent id.
    pub client_certificate: PathBuf,
    /// The client certificate's private key (PEM).
    pub client_key: PathBuf,
    /// Attempts per sync run before giving up until the next run. Default 5.
    pub max_attempts: u32,
    /// First pause between attempts, in ms; doubles each time. Default 250.
    pub initial_backoff_ms: u64,
    /// Longest pause between attempts, in ms. Default 8000.
    pub max_backoff_ms: u64,
    /// Connection timeout, in seconds. Default 10.
    pub connect_timeout_s: u64,
    /// Timeout of one call, in seconds. Default 60.
    pub request_timeout_s: u64,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            endpoint: "https://localhost:50051".into(),
            domain_name: "localhost".into(),
            ca_certificate: "backend-ca.pem".into(),
            client_certificate: "agent.pem".into(),
            client_key: "agent-key.pem".into(),
            max_attempts: 5,
            initial_backoff_ms: 250,
            max_backoff_ms: 8_000,
            connect_timeout_s: 10,
            request_timeout_s: 60,
        }
    }
}

/// Size bounds of the edge agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest offer PDF accepted for signing, in bytes. Default 50 MiB (the backend's bound).
    pub max_offer_pdf_bytes: u64,
    /// Most offers the outbox holds before it refuses new ones. Default 10000.
    pub max_outbox_offers: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_offer_pdf_bytes: inkseal_proto::limits::MAX_PDF_BYTES,
            max_outbox_offers: 10_000,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            outbox_path: "inkseal-edge-outbox.sqlite".into(),
            escrow_public_key: "escrow-public.pem".into(),
            signing_certificate: "edge-signing.pem".into(),
            signing_key: "edge-signing-key.pem".into(),
            quality: QualityThresholds::default(),
            pad: PadSettings::default(),
            sync: SyncSettings::default(),
            limits: Limits::default(),
        }
    }
}

impl Config {
    /// Loads the configuration: defaults, then `file` (if given), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, EdgeError> {
        let text = match file {
            Some(path) => Some(read_bounded(path)?),
            None => None,
        };
        Config::from_sources(text.as_deref(), std::env::vars())
    }

    /// Builds the configuration from a TOML text and environment variables (testable form).
    pub fn from_sources(
        toml_text: Option<&str>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, EdgeError> {
        let mut value = toml::Value::try_from(Config::default())
            .map_err(|e| EdgeError::Config(e.to_string()))?;
        if let Some(text) = toml_text {
            let file: toml::Value =
                toml::from_str(text).map_err(|e| EdgeError::Config(e.to_string()))?;
            merge(&mut value, file);
        }
        let env: Vec<(String, String)> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        apply_env(&mut value, "", &env)?;
        value
            .try_into()
            .map_err(|e: toml::de::Error| EdgeError::Config(e.to_string()))
    }

    /// The configuration as TOML (what `--print-config` shows).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

fn read_bounded(path: &Path) -> Result<String, EdgeError> {
    let meta = std::fs::metadata(path).map_err(|e| EdgeError::io(path, e))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(EdgeError::Limit {
            what: "configuration file",
            max: MAX_CONFIG_BYTES as usize,
        });
    }
    std::fs::read_to_string(path).map_err(|e| EdgeError::io(path, e))
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_table() && v.is_table() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

fn apply_env(
    value: &mut toml::Value,
    path: &str,
    env: &[(String, String)],
) -> Result<(), EdgeError> {
    let toml::Value::Table(table) = value else {
        return Ok(());
    };
    for (key, v) in table.iter_mut() {
        let full = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}_{key}")
        };
        if v.is_table() {
            apply_env(v, &full, env)?;
            continue;
        }
        let name = format!("{ENV_PREFIX}{}", full.to_uppercase());
        let Some((_, raw)) = env.iter().find(|(k, _)| *k == name) else {
            continue;
        };
        let bad = |what: &str| EdgeError::Config(format!("{name}: expected {what}"));
        *v = match v {
            toml::Value::Integer(_) => {
                toml::Value::Integer(raw.trim().parse().map_err(|_| bad("an integer"))?)
            }
            toml::Value::Float(_) => {
                toml::Value::Float(raw.trim().parse().map_err(|_| bad("a number"))?)
            }
            toml::Value::Boolean(_) => {
                toml::Value::Boolean(raw.trim().parse().map_err(|_| bad("true or false"))?)
            }
            _ => toml::Value::String(raw.clone()),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_the_documented_defaults() {
        let file = "outbox_path = \"/x/outbox.sqlite\"\n[quality]\nmin_width_mm = 12.5\n";
        let env = vec![
            (
                "INKSEAL_EDGE_SYNC_MAX_ATTEMPTS".to_string(),
                "9".to_string(),
            ),
            (
                "INKSEAL_EDGE_QUALITY_MIN_PEN_DOWN_MS".to_string(),
                "800".to_string(),
            ),
            ("UNRELATED".to_string(), "1".to_string()),
        ];
        let c = Config::from_sources(Some(file), env).unwrap();
        assert_eq!(c.outbox_path, PathBuf::from("/x/outbox.sqlite"));
        assert_eq!(c.quality.min_width_mm, 12.5);
        assert_eq!(c.quality.min_pen_down_ms, 800);
        assert_eq!(c.sync.max_attempts, 9);
        assert_eq!(c.pad, PadSettings::default());
        assert_eq!(Config::default().quality.min_width_mm, 10.0);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(Config::from_sources(Some("nonsense = 1"), Vec::new()).is_err());
        let env = vec![(
            "INKSEAL_EDGE_SYNC_MAX_ATTEMPTS".to_string(),
            "many".to_string(),
        )];
        assert!(Config::from_sources(None, env).is_err());
    }

    #[test]
    fn the_example_configuration_is_the_defaults() {
        let c = Config::from_sources(
            Some(include_str!("../examples/inkseal-edge.toml")),
            Vec::new(),
        )
        .unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn printed_configuration_reads_back_identical() {
        let c = Config::default();
        assert_eq!(
            Config::from_sources(Some(&c.to_toml()), Vec::new()).unwrap(),
            c
        );
    }
}
