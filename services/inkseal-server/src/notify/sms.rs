//! Sending the SMS: one gateway trait. [`FolderSms`] is the embedded default:
//! each message becomes a JSON file in a folder (nothing leaves the machine).
//! The SMPP 3.4 and HTTP-gateway adapters plug in behind the same trait.

use std::path::PathBuf;

use serde::Serialize;

/// An SMS ready to go.
#[derive(Debug, Clone)]
pub struct OutgoingSms {
    /// Our reference for it (stable across retries; the SMPP `user_message_reference`).
    pub reference: String,
    /// The recipient in E.164 (`+420…`).
    pub to: String,
    /// The text (Czech, one UCS-2 segment).
    pub text: String,
}

/// What the gateway says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsOutcome {
    /// The gateway took it; its id for it, and its answer.
    Accepted {
        /// The gateway's message id (delivery receipts name it).
        message_id: String,
        /// The answer.
        reply: String,
    },
    /// The gateway refused it for good.
    Refused {
        /// The answer.
        reply: String,
    },
}

/// A send that may work later.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SmsDelay(pub String);

/// A way to send SMS.
#[async_trait::async_trait]
pub trait SmsGateway: Send + Sync {
    /// Sends `sms`.
    async fn send(&self, sms: &OutgoingSms) -> Result<SmsOutcome, SmsDelay>;
    /// What this gateway is, for logs.
    fn describe(&self) -> String;
}

/// Writes each SMS to `<dir>/<reference>.json`.
#[derive(Debug, Clone)]
pub struct FolderSms {
    /// The folder.
    pub dir: PathBuf,
}

#[derive(Serialize)]
struct SmsFile<'a> {
    reference: &'a str,
    to: &'a str,
    text: &'a str,
    encoding: &'static str,
    characters: usize,
}

#[async_trait::async_trait]
impl SmsGateway for FolderSms {
    async fn send(&self, sms: &OutgoingSms) -> Result<SmsOutcome, SmsDelay> {
        let name: String = sms
            .reference
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let file = SmsFile {
            reference: &sms.reference,
            to: &sms.to,
            text: &sms.text,
            encoding: "UCS-2",
            characters: sms.text.chars().count(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| SmsDelay(e.to_string()))?;
        let (dir, path, tmp) = (
            self.dir.clone(),
            self.dir.join(format!("{name}.json")),
            self.dir.join(format!(".{name}.json.tmp")),
        );
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&tmp, json)?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| SmsDelay(e.to_string()))?
        .map_err(|e| SmsDelay(format!("cannot write {}: {e}", self.dir.display())))?;
        Ok(SmsOutcome::Accepted {
            message_id: sms.reference.clone(),
            reply: format!("uloženo do složky jako {name}.json (nic se neodesílá)"),
        })
    }

    fn describe(&self) -> String {
        format!("folder {}", self.dir.display())
    }
}
