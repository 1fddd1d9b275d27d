//! The bounce mailbox: a small SMTP receiver on its own port (the MX of the
//! bounce domain, or a relay's forward target) that takes delivery reports,
//! reads them with `delivery-reports` and records what they say on the
//! notification they name: `EmailDelivered`, `EmailDelayed` or
//! `EmailBounced`.
//!
//! A report finds its notification by the `ENVID` it carries
//! (`Original-Envelope-Id`) or by the VERP address it was sent to
//! (`bounces+<id>@<bounce domain>`, from `RCPT TO` or the report's headers);
//! the id is the outbox row's (`<offer>.email.<n>`), and the Message-ID the
//! e-mail went out with is derived from it. A report that names no
//! notification of ours is accepted and counted, never bounced back.
//!
//! Receive-only and bounded: at most [`MAX_CONNECTIONS`] connections, lines of
//! at most [`MAX_LINE`] bytes, messages of at most
//! [`delivery_reports::MAX_INPUT_BYTES`], [`MAX_RECIPIENTS`] recipients, and a
//! timeout on every read.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use delivery_reports::{Outcome, Report};
use event_store::EventStore;
use offer_lifecycle::{Command, MessageId, ServerReply};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::metrics::Metrics;
use crate::offers::{BACKEND_ACTOR, Metadata, append_backend};
use crate::shutdown::Shutdown;

/// Connections at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Longest command line.
pub const MAX_LINE: usize = 1000;
/// Recipients per message.
pub const MAX_RECIPIENTS: usize = 100;
/// Longest wait for a line.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// What the receiver records reports with.
pub struct ReportBook {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// Local part of VERP addresses before `+`.
    pub bounce_local: String,
    /// Domain of the Message-IDs.
    pub message_id_domain: String,
    /// Metrics.
    pub metrics: Metrics,
}

/// A notification id (`<offer>.email.<n>`) split into the offer.
fn offer_of(tag: &str) -> Option<&str> {
    let mut parts = tag.rsplitn(3, '.');
    let n = parts.next()?;
    let channel = parts.next()?;
    let offer = parts.next()?;
    (channel == "email"
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && !offer.is_empty())
    .then_some(offer)
}

fn text(value: &str) -> ServerReply {
    let value: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(offer_lifecycle::limits::MAX_REASON_CHARS)
        .collect();
    ServerReply::new(value).unwrap_or_else(|_| {
        ServerReply::new("(zpráva o doručení bez textu)").unwrap_or_else(|_| unreachable!())
    })
}

impl ReportBook {
    /// Records one report received for `rcpts`; returns how many recipients it recorded.
    pub async fn record(&self, raw: &[u8], rcpts: &[String]) -> usize {
        let report = match delivery_reports::parse(raw) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(error = %e, "a message to the bounce mailbox is no delivery report");
                self.metrics.notification("report_unreadable");
                return 0;
            }
        };
        let Some(tag) = self.tag(&report, rcpts) else {
            tracing::info!(envid = ?report.envelope_id, to = ?report.to_address, "a delivery report names no notification of ours");
            self.metrics.notification("report_unmatched");
            return 0;
        };
        let Some(offer_id) = offer_of(&tag).map(str::to_owned) else {
            self.metrics.notification("report_unmatched");
            return 0;
        };
        let Ok(message_id) = MessageId::new(format!("<{tag}@{}>", self.message_id_domain)) else {
            self.metrics.notification("report_unmatched");
            return 0;
        };
        let mut recorded = 0;
        for r in &report.recipients {
            if self
                .record_outcome(
                    &offer_id,
                    &message_id,
                    (r.kind, r.action, r.status),
                    r.diagnostic.as_deref(),
                )
                .await
            {
                recorded += 1;
            }
        }
        recorded
    }

    /// Records one recipient's outcome (from a report or a webhook) on the e-mail `message_id`
    /// of `offer_id`, with the status (or action) and the diagnostic as the report's text.
    async fn record_outcome(
        &self,
        offer_id: &str,
        message_id: &MessageId,
        (kind, action, status): (
            Outcome,
            delivery_reports::Action,
            Option<delivery_reports::Status>,
        ),
        diagnostic: Option<&str>,
    ) -> bool {
        let mut said = status.map_or_else(|| action.to_string(), |s| s.to_string());
        if let Some(d) = diagnostic {
            said = format!("{said} {d}");
        }
        let delayed = action == delivery_reports::Action::Delayed;
        let said = text(&said);
        let now = Utc::now();
        let command = match kind {
            Outcome::Delivered => Command::RecordEmailDelivered {
                message_id: message_id.clone(),
                report: Some(said),
                delivered_at: now,
            },
            Outcome::SoftBounce if delayed => Command::RecordEmailDelayed {
                message_id: message_id.clone(),
                report: said,
                delayed_at: now,
            },
            Outcome::SoftBounce | Outcome::HardBounce => Command::RecordEmailBounced {
                message_id: message_id.clone(),
                reason: said,
                bounced_at: now,
            },
        };
        let result = append_backend(
            &self.store,
            offer_id,
            &Metadata::actor(BACKEND_ACTOR),
            |_| Ok(Some(command.clone())),
            |_, _| Uuid::new_v4(),
        )
        .await;
        match result {
            Ok(_) => {
                self.metrics.notification(match kind {
                    Outcome::Delivered => "report_delivered",
                    Outcome::SoftBounce => "report_soft",
                    Outcome::HardBounce => "report_hard",
                });
                true
            }
            Err(e) => {
                tracing::warn!(offer_id, error = %e, "a delivery report cannot be recorded");
                self.metrics.notification("report_refused");
                false
            }
        }
    }

    /// Records a mail provider's webhook body; returns how many events it recorded.
    pub async fn record_webhook(
        &self,
        body: &[u8],
    ) -> Result<usize, delivery_reports::webhook::WebhookError> {
        let events = delivery_reports::webhook::parse_json(body)?;
        let mut recorded = 0;
        for e in &events {
            let domain = format!("@{}", self.message_id_domain);
            let tag = e
                .envelope_id
                .as_deref()
                .filter(|t| offer_of(t).is_some())
                .or_else(|| {
                    e.message_id
                        .as_deref()
                        .and_then(|m| m.strip_suffix(domain.as_str()))
                        .filter(|t| offer_of(t).is_some())
                });
            let Some(tag) = tag else {
                self.metrics.notification("report_unmatched");
                continue;
            };
            let (Some(offer_id), Ok(message_id)) = (
                offer_of(tag),
                MessageId::new(format!("<{tag}@{}>", self.message_id_domain)),
            ) else {
                continue;
            };
            if self
                .record_outcome(
                    offer_id,
                    &message_id,
                    (e.kind, e.action, e.status),
                    e.diagnostic.as_deref(),
                )
                .await
            {
                recorded += 1;
            }
        }
        Ok(recorded)
    }

    fn tag(&self, report: &Report, rcpts: &[String]) -> Option<String> {
        if let Some(envid) = &report.envelope_id
            && offer_of(envid).is_some()
        {
            return Some(envid.clone());
        }
        rcpts
            .iter()
            .filter_map(|a| delivery_reports::verp_id(a, &self.bounce_local))
            .chain(report.verp_id(&self.bounce_local))
            .find(|t| offer_of(t).is_some())
            .map(str::to_owned)
    }
}

/// Serves the bounce mailbox on `listener` until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    book: Arc<ReportBook>,
    hello: String,
    mut shutdown: Shutdown,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "bounce mailbox cannot accept");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = shutdown.wait() => return Ok(()),
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let (book, hello) = (book.clone(), hello.clone());
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = session(stream, &book, &hello).await {
                tracing::debug!(%peer, error = %e, "bounce mailbox session ended");
            }
        });
    }
}

async fn read_line(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        let mut limited = (&mut *reader).take(max as u64 + 2);
        limited.read_until(b'\n', buf).await
    })
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "read timed out"))??;
    if read == 0 {
        return Ok(None);
    }
    // true: a whole line within the bound
    Ok(Some(buf.ends_with(b"\n") && buf.len() <= max + 2))
}

async fn session(
    stream: tokio::net::TcpStream,
    book: &ReportBook,
    hello: &str,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(format!("220 {hello} inkseal bounce mailbox ESMTP\r\n").as_bytes())
        .await?;
    let mut line = Vec::new();
    let mut rcpts: Vec<String> = Vec::new();
    let mut from_seen = false;
    loop {
        let Some(whole) = read_line(&mut reader, &mut line, MAX_LINE).await? else {
            return Ok(());
        };
        if !whole {
            write.write_all(b"500 5.5.2 line too long\r\n").await?;
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            format!(
                "250-{hello}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                delivery_reports::MAX_INPUT_BYTES
            )
        } else if upper.starts_with("HELO") {
            format!("250 {hello}\r\n")
        } else if upper.starts_with("MAIL FROM:") {
            rcpts.clear();
            from_seen = true;
            "250 2.1.0 Ok\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            if !from_seen {
                "503 5.5.1 MAIL first\r\n".into()
            } else if rcpts.len() >= MAX_RECIPIENTS {
                "452 4.5.3 too many recipients\r\n".into()
            } else {
                let address = command[8..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                rcpts.push(address);
                "250 2.1.5 Ok\r\n".into()
            }
        } else if upper == "DATA" {
            if rcpts.is_empty() {
                "503 5.5.1 RCPT first\r\n".into()
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let (message, complete) = read_data(&mut reader, &mut line).await?;
                let reply = if complete {
                    let recorded = book.record(&message, &rcpts).await;
                    format!("250 2.0.0 Ok: report read, {recorded} recipient(s) recorded\r\n")
                } else {
                    "552 5.3.4 message too big\r\n".into()
                };
                rcpts.clear();
                from_seen = false;
                reply
            }
        } else if upper == "RSET" {
            rcpts.clear();
            from_seen = false;
            "250 2.0.0 Ok\r\n".into()
        } else if upper == "NOOP" {
            "250 2.0.0 Ok\r\n".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            "502 5.5.2 command not recognised\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// Reads the message after DATA up to the lone dot, undoing dot-stuffing; `false` when it was
/// larger than the bound (the rest is read and dropped).
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    line: &mut Vec<u8>,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut message = Vec::new();
    let mut within = true;
    loop {
        let Some(_) = read_line(reader, line, 64 * 1024).await? else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed inside DATA",
            ));
        };
        if line.as_slice() == b".\r\n" || line.as_slice() == b".\n" {
            return Ok((message, within));
        }
        let content = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        if message.len() + content.len() > delivery_reports::MAX_INPUT_BYTES {
            within = false;
        }
        if within {
            message.extend_from_slice(content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_id_names_its_offer_even_with_dots_in_it() {
        assert_eq!(offer_of("NAB-1.email.6"), Some("NAB-1"));
        assert_eq!(
            offer_of("OFF.2026.000123.email.12"),
            Some("OFF.2026.000123")
        );
        assert_eq!(offer_of("NAB-1.sms.6"), None);
        assert_eq!(offer_of("NAB-1.email."), None);
        assert_eq!(offer_of("email.6"), None);
        assert_eq!(offer_of("x"), None);
    }
}
