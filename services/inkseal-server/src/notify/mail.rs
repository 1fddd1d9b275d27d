//! Sending the e-mail: one trait, two transports.
//!
//! [`FolderMail`] is the embedded default: each message becomes an `.eml`
//! file in a folder (nothing leaves the machine), and the "server's answer" it
//! records says so. [`SmtpMail`] talks SMTP with lettre's low-level
//! connection, because the high-level transport sends no delivery-status
//! parameters: when the server advertises `DSN` (RFC 3461) it asks for reports
//! with `RET=HDRS` and `ENVID` on `MAIL FROM` and `NOTIFY=SUCCESS,FAILURE,DELAY`
//! and `ORCPT` on `RCPT TO`; the envelope sender is a per-notification VERP
//! address on the bounce domain, so a report finds its notification with any
//! MTA. What the server answered is recorded verbatim: accepted by the relay
//! is not delivered, and a refusal at `RCPT` is a bounce at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use lettre::Address;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailParameter, RcptParameter};

/// A message ready to go.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    /// The Message-ID without angle brackets (stable across retries).
    pub message_id: String,
    /// The envelope id for DSN (`ENVID`): the notification's id.
    pub envelope_id: String,
    /// The envelope sender (VERP address).
    pub envelope_from: String,
    /// The recipient.
    pub to: String,
    /// The whole message (RFC 5322).
    pub formatted: Vec<u8>,
}

/// What the transport says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    /// The server took responsibility for the message (not yet delivered).
    Accepted {
        /// The server's reply to the message data.
        reply: String,
    },
    /// The server refused the recipient or the message for good: a bounce at once.
    Refused {
        /// The server's reply.
        reply: String,
    },
}

/// A send that may work later (connection refused, 4xx, timeout).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct MailDelay(pub String);

/// A way to send e-mail.
#[async_trait::async_trait]
pub trait MailTransport: Send + Sync {
    /// Sends `mail`.
    async fn send(&self, mail: &OutgoingMail) -> Result<MailOutcome, MailDelay>;
    /// What this transport is, for logs and `--print-config`.
    fn describe(&self) -> String;
}

/// Writes each message to `<dir>/<message-id>.eml`.
#[derive(Debug, Clone)]
pub struct FolderMail {
    /// The folder.
    pub dir: PathBuf,
}

fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[async_trait::async_trait]
impl MailTransport for FolderMail {
    async fn send(&self, mail: &OutgoingMail) -> Result<MailOutcome, MailDelay> {
        let name = format!("{}.eml", file_safe(&mail.message_id));
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let bytes = mail.formatted.clone();
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| MailDelay(e.to_string()))?
        .map_err(|e| MailDelay(format!("cannot write {}: {e}", self.dir.display())))?;
        Ok(MailOutcome::Accepted {
            reply: format!("250 2.0.0 uloženo do složky jako {name} (nic se neodesílá)"),
        })
    }

    fn describe(&self) -> String {
        format!("folder {}", self.dir.display())
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// No TLS (a relay on loopback or a trusted network).
    Plain,
    /// STARTTLS after EHLO (required, not opportunistic).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// Sends over SMTP.
#[derive(Debug, Clone)]
pub struct SmtpMail {
    /// Host name (also the TLS name).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protection.
    pub security: SmtpSecurity,
    /// The name we greet with (EHLO).
    pub hello: String,
    /// Per-command timeout.
    pub timeout: Duration,
}

fn smtp_error_text(e: &lettre::transport::smtp::Error) -> String {
    e.to_string().chars().take(900).collect()
}

impl SmtpMail {
    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let hello = ClientId::Domain(self.hello.clone());
        let addr: Vec<SocketAddr> = tokio::net::lookup_host((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("cannot resolve {}: {e}", self.host))?
            .collect();
        let connected = self.connect_to(&addr, &hello).await;
        connected.map_err(|e| smtp_error_text(&e))
    }

    async fn connect_to(
        &self,
        addr: &[SocketAddr],
        hello: &ClientId,
    ) -> Result<AsyncSmtpConnection, lettre::transport::smtp::Error> {
        let tls = |host: &str| TlsParameters::new_rustls(host.to_owned());
        let mut conn = match self.security {
            SmtpSecurity::Tls => {
                AsyncSmtpConnection::connect_tokio1(
                    addr,
                    Some(self.timeout),
                    hello,
                    Some(tls(&self.host)?),
                    None,
                )
                .await?
            }
            _ => {
                AsyncSmtpConnection::connect_tokio1(addr, Some(self.timeout), hello, None, None)
                    .await?
            }
        };
        if self.security == SmtpSecurity::Starttls {
            conn.starttls(tls(&self.host)?, hello).await?;
        }
        Ok(conn)
    }
}

#[async_trait::async_trait]
impl MailTransport for SmtpMail {
    async fn send(&self, mail: &OutgoingMail) -> Result<MailOutcome, MailDelay> {
        let from = Address::from_str(&mail.envelope_from)
            .map_err(|e| MailDelay(format!("envelope sender {}: {e}", mail.envelope_from)))?;
        let Ok(to) = Address::from_str(&mail.to) else {
            return Ok(MailOutcome::Refused {
                reply: format!("adresa {} není platná", mail.to),
            });
        };
        let mut conn = self
            .connect()
            .await
            .map_err(|e| MailDelay(format!("{}:{}: {e}", self.host, self.port)))?;
        // lettre keeps only the extensions it knows; DSN is looked up in a fresh EHLO reply
        let ehlo = conn
            .command(Ehlo::new(ClientId::Domain(self.hello.clone())))
            .await
            .map_err(|e| MailDelay(smtp_error_text(&e)))?;
        let dsn = ehlo
            .message()
            .any(|line| line.trim().eq_ignore_ascii_case("DSN"));
        let (mail_params, rcpt_params) = if dsn {
            (
                vec![
                    MailParameter::Other {
                        keyword: "RET".into(),
                        value: Some("HDRS".into()),
                    },
                    MailParameter::Other {
                        keyword: "ENVID".into(),
                        value: Some(mail.envelope_id.clone()),
                    },
                ],
                vec![
                    RcptParameter::Other {
                        keyword: "NOTIFY".into(),
                        value: Some("SUCCESS,FAILURE,DELAY".into()),
                    },
                    RcptParameter::Other {
                        keyword: "ORCPT".into(),
                        value: Some(format!("rfc822;{}", mail.to)),
                    },
                ],
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let result = async {
            conn.command(Mail::new(Some(from), mail_params)).await?;
            conn.command(Rcpt::new(to, rcpt_params)).await?;
            conn.command(Data).await?;
            conn.message(&mail.formatted).await
        }
        .await;
        match result {
            Ok(response) => {
                let reply = format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                );
                let _ = conn.quit().await;
                Ok(MailOutcome::Accepted { reply })
            }
            Err(e) if e.is_permanent() => {
                conn.abort().await;
                Ok(MailOutcome::Refused {
                    reply: smtp_error_text(&e),
                })
            }
            Err(e) => {
                conn.abort().await;
                Err(MailDelay(smtp_error_text(&e)))
            }
        }
    }

    fn describe(&self) -> String {
        format!("smtp {}:{} ({:?})", self.host, self.port, self.security)
    }
}
