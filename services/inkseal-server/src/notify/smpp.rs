//! SMS over SMPP 3.4 (the operators' protocol), on the `smpp34` client.
//!
//! One transceiver session per process, bound on first use and bound again
//! after it drops (the outbox's bounded, jittered retries are the backoff);
//! the library keeps it alive with `enquire_link`. Each SMS is one `submit_sm`:
//! UCS-2 (data coding 8) so the Czech text keeps its diacritics in one
//! 70-character segment, from an alphanumeric sender, with
//! `registered_delivery` so the SMSC sends a delivery receipt and with our
//! reference in `user_message_reference`. The SMSC's `submit_sm_resp` is what
//! it answered: a message id (accepted, not delivered), a permanent refusal,
//! or a temporary one (throttled, queue full) that is retried.
//!
//! Delivery receipts arrive as `deliver_sm` with `esm_class` 0x04; the
//! message id comes from the `receipted_message_id` TLV or the receipt text's
//! `id:`, the outcome from `message_state` or `stat:`. They go to a bounded
//! channel that [`Receipts`] drains into `SmsDelivered` / `SmsFailed`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use smpp34::client::{BIND_TYPE, SMSC, SmppClient, SmppClientListener};
use smpp34::{SmppConnectionInformation, SmppError, TlvList, TlvTag, deliver_sm, deliver_sm_resp};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::sms::{OutgoingSms, SmsDelay, SmsGateway, SmsOutcome};

/// Receipts waiting to be recorded; past it, a receipt is logged and dropped (the SMSC's own
/// record remains, and the help desk sees the SMS as sent).
pub const RECEIPT_QUEUE: usize = 4096;
/// Longest wait for a bind.
pub const BIND_TIMEOUT: Duration = Duration::from_secs(10);

/// What a delivery receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The SMSC's message id.
    pub message_id: String,
    /// Delivered (true) or failed for good (false).
    pub delivered: bool,
    /// The receipt's text (`stat:…`, `err:…`).
    pub text: String,
}

/// Reads a `deliver_sm` as a delivery receipt; `None` for anything else.
pub fn receipt_of(pdu: &deliver_sm) -> Option<Receipt> {
    if pdu.esm_class & 0x3c != 0x04 {
        return None;
    }
    let text = String::from_utf8_lossy(&pdu.short_message).into_owned();
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(str::to_owned)
    };
    let message_id = pdu.tlvs.receipted_message_id().or_else(|| field("id:"))?;
    let delivered = match pdu.tlvs.message_state() {
        Some(2) => true,
        Some(3..=8) => false,
        _ => match field("stat:").as_deref() {
            Some("DELIVRD") => true,
            Some("UNDELIV" | "EXPIRED" | "DELETED" | "REJECTD" | "UNKNOWN") => false,
            // an intermediate notification (ENROUTE, ACCEPTD): not an outcome
            _ => return None,
        },
    };
    let text: String = text.chars().filter(|c| !c.is_control()).take(500).collect();
    Some(Receipt {
        message_id,
        delivered,
        text,
    })
}

struct Listener {
    bound: Mutex<Option<oneshot::Sender<SMSC>>>,
    receipts: mpsc::Sender<Receipt>,
    alive: Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait]
impl SmppClientListener for Listener {
    async fn on_smsc_bound(&self, smsc: SMSC, _session: &String) {
        self.alive.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(tx) = self.bound.lock().await.take() {
            let _ = tx.send(smsc);
        }
    }

    async fn on_smsc_unbound(&self, _session: &String) {
        self.alive.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    async fn on_connection_failed(&self, error: &str) {
        tracing::warn!(error, "SMPP connection failed");
        self.alive.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    async fn on_deliver_sm(
        &self,
        req: deliver_sm,
        _c: &SmppConnectionInformation,
        _s: &String,
    ) -> deliver_sm_resp {
        if let Some(receipt) = receipt_of(&req)
            && self.receipts.try_send(receipt).is_err()
        {
            tracing::warn!("the receipt queue is full; a delivery receipt was dropped");
        }
        req.accept()
    }
}

struct Session {
    smsc: Arc<SMSC>,
    client: SmppClient,
    alive: Arc<std::sync::atomic::AtomicBool>,
}

/// The SMPP gateway.
pub struct SmppGateway {
    /// SMSC host.
    pub host: String,
    /// SMSC port.
    pub port: u16,
    /// Bind credentials.
    pub system_id: String,
    /// Bind password.
    pub password: String,
    /// The alphanumeric sender the client sees.
    pub source: String,
    session: Mutex<Option<Session>>,
    receipts: mpsc::Sender<Receipt>,
}

impl SmppGateway {
    /// A gateway to `host:port`; its delivery receipts come out of the returned receiver.
    pub fn new(
        host: String,
        port: u16,
        system_id: String,
        password: String,
        source: String,
    ) -> (Self, mpsc::Receiver<Receipt>) {
        let (tx, rx) = mpsc::channel(RECEIPT_QUEUE);
        (
            Self::with_receipts(host, port, system_id, password, source, tx),
            rx,
        )
    }

    /// A gateway whose receipts go to `receipts`.
    pub fn with_receipts(
        host: String,
        port: u16,
        system_id: String,
        password: String,
        source: String,
        receipts: mpsc::Sender<Receipt>,
    ) -> Self {
        SmppGateway {
            host,
            port,
            system_id,
            password,
            source,
            session: Mutex::new(None),
            receipts,
        }
    }

    async fn bind(&self) -> Result<Session, SmsDelay> {
        let (tx, rx) = oneshot::channel();
        let alive = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let listener = Arc::new(Listener {
            bound: Mutex::new(Some(tx)),
            receipts: self.receipts.clone(),
            alive: alive.clone(),
        });
        let mut client = SmppClient::new(
            self.host.clone(),
            self.port,
            false,
            BIND_TYPE::TRX,
            self.system_id.clone(),
            self.password.clone(),
            String::new(),
            0,
            0,
            String::new(),
            listener,
            10,
        );
        client.start().await;
        match tokio::time::timeout(BIND_TIMEOUT, rx).await {
            Ok(Ok(smsc)) => Ok(Session {
                smsc: Arc::new(smsc),
                client,
                alive,
            }),
            _ => {
                client.stop().await;
                Err(SmsDelay(format!(
                    "SMSC {}:{} did not accept the bind of {}",
                    self.host, self.port, self.system_id
                )))
            }
        }
    }

    /// Unbinds (on shutdown).
    pub async fn close(&self) {
        if let Some(mut s) = self.session.lock().await.take() {
            let _ = s.smsc.send_unbind().await;
            s.client.stop().await;
        }
    }
}

/// `submit_sm_resp` statuses worth trying again later.
fn temporary(status: u32) -> bool {
    [
        SmppError::ESME_RTHROTTLED as u32,
        SmppError::ESME_RMSGQFUL as u32,
        SmppError::ESME_RSYSERR as u32,
    ]
    .contains(&status)
}

#[async_trait]
impl SmsGateway for SmppGateway {
    async fn send(&self, sms: &OutgoingSms) -> Result<SmsOutcome, SmsDelay> {
        let mut guard = self.session.lock().await;
        let usable = guard.as_ref().is_some_and(|s| {
            s.alive.load(std::sync::atomic::Ordering::SeqCst) && s.client.is_alive()
        });
        if !usable {
            if let Some(mut old) = guard.take() {
                old.client.stop().await;
            }
            *guard = Some(self.bind().await?);
        }
        let Some(session) = guard.as_ref() else {
            return Err(SmsDelay("no SMPP session".into()));
        };
        let smsc = session.smsc.clone();
        drop(guard);
        let ucs2: Vec<u8> = sms.text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let reference = sms
            .reference
            .bytes()
            .fold(0u16, |h, b| h.wrapping_mul(31).wrapping_add(u16::from(b)));
        let response = smsc
            .submit_sm()
            .source_addr_ton(5)
            .source_addr_npi(0)
            .source_addr(self.source.as_str())
            .dest_addr_ton(1)
            .dest_addr_npi(1)
            .destination_addr(sms.to.trim_start_matches('+'))
            .registered_delivery(1)
            .data_coding(8)
            .short_message(ucs2)
            .tlv(TlvTag::UserMessageReference, reference.to_be_bytes())
            .send()
            .await;
        match response {
            Ok(resp) if resp.is_success() => match resp.message_id {
                Some(id) if !id.is_empty() => Ok(SmsOutcome::Accepted {
                    reply: format!("submit_sm_resp ESME_ROK, message_id {id}"),
                    message_id: id,
                }),
                _ => Err(SmsDelay("submit_sm_resp without a message id".into())),
            },
            Ok(resp) if temporary(resp.command_status()) => Err(SmsDelay(format!(
                "submit_sm_resp status 0x{:08X} (temporary)",
                resp.command_status()
            ))),
            Ok(resp) => Ok(SmsOutcome::Refused {
                reply: format!("submit_sm_resp status 0x{:08X}", resp.command_status()),
            }),
            Err(e) => {
                // the session is suspect: bind again next time
                if let Some(s) = self.session.lock().await.as_ref() {
                    s.alive.store(false, std::sync::atomic::Ordering::SeqCst);
                }
                Err(SmsDelay(format!("submit_sm failed: {e:?}")))
            }
        }
    }

    fn describe(&self) -> String {
        format!("smpp {}:{} as {}", self.host, self.port, self.system_id)
    }
}

/// Records delivery receipts on the offers whose SMS they name. A receipt may overtake the
/// record of its SMS (the SMSC answers fast): the offer is looked up a few times before the
/// receipt is given up on (and counted).
pub async fn record_receipts(
    mut receipts: mpsc::Receiver<Receipt>,
    store: Arc<dyn event_store::EventStore>,
    rm: crate::read_model::ReadModel,
    metrics: crate::metrics::Metrics,
    mut shutdown: crate::shutdown::Shutdown,
) -> Result<(), crate::error::ServiceError> {
    // receipts being worked on (most of them waiting for their SMS's record) …
    let pending = Arc::new(tokio::sync::Semaphore::new(RECEIPT_QUEUE));
    // … and database work at once: a receipt holds a permit only while it looks or writes, so
    // receipts for unknown messages never hold up the ones that can be recorded
    let permits = Arc::new(tokio::sync::Semaphore::new(16));
    loop {
        let receipt = tokio::select! {
            r = receipts.recv() => match r {
                Some(r) => r,
                None => return Ok(()),
            },
            _ = shutdown.wait() => return Ok(()),
        };
        let Ok(slot) = pending.clone().acquire_owned().await else {
            return Ok(());
        };
        let (store, rm, metrics, permits) =
            (store.clone(), rm.clone(), metrics.clone(), permits.clone());
        tokio::spawn(async move {
            let _slot = slot;
            record_one(&receipt, &store, &rm, &metrics, &permits).await;
        });
    }
}

async fn record_one(
    receipt: &Receipt,
    store: &Arc<dyn event_store::EventStore>,
    rm: &crate::read_model::ReadModel,
    metrics: &crate::metrics::Metrics,
    permits: &tokio::sync::Semaphore,
) {
    use offer_lifecycle::{Command, MessageId, ServerReply};
    let Ok(id) = MessageId::new(&receipt.message_id) else {
        metrics.notification("receipt_unmatched");
        return;
    };
    for _ in 0..40 {
        let Ok(_permit) = permits.acquire().await else {
            return;
        };
        match rm.offer_of_message(&receipt.message_id).await {
            Ok(Some(offer_id)) => {
                let now = chrono::Utc::now();
                let text = ServerReply::new(&receipt.text)
                    .or_else(|_| ServerReply::new("receipt"))
                    .unwrap_or_else(|_| unreachable!());
                let command = if receipt.delivered {
                    Command::RecordSmsDelivered {
                        message_id: id.clone(),
                        delivered_at: now,
                    }
                } else {
                    Command::RecordSmsFailed {
                        message_id: id.clone(),
                        reason: text,
                        failed_at: now,
                    }
                };
                let result = crate::offers::append_backend(
                    store,
                    &offer_id,
                    &crate::offers::Metadata::actor(crate::offers::BACKEND_ACTOR),
                    |_| Ok(Some(command.clone())),
                    |_, _| uuid::Uuid::new_v4(),
                )
                .await;
                match result {
                    Ok(_) => metrics.notification(if receipt.delivered {
                        "receipt_delivered"
                    } else {
                        "receipt_failed"
                    }),
                    Err(e) => {
                        tracing::warn!(offer_id, error = %e, "a delivery receipt cannot be recorded");
                        metrics.notification("receipt_refused");
                    }
                }
                return;
            }
            Ok(None) => {
                drop(_permit);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => {
                drop(_permit);
                tracing::warn!(error = %e, "cannot look up a receipt's SMS");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    tracing::warn!(message_id = %receipt.message_id, "a delivery receipt names no SMS of ours");
    metrics.notification("receipt_unmatched");
}
