//! The next morning's e-mail and SMS (role `notifications`).
//!
//! | module | what |
//! | --- | --- |
//! | [`schedule`] | when the next morning is (Europe/Prague, optionally business days only) |
//! | [`message`] | the Czech e-mail and SMS texts |
//! | [`mail`] | e-mail transports: a folder of `.eml` files (default), SMTP with DSN |
//! | [`sms`] | SMS gateways: a folder of JSON files (default) |
//! | [`smpp`] | SMS over SMPP 3.4 with delivery receipts |
//! | [`http_sms`] | SMS through an HTTP gateway (Kannel's `sendsms`) and its delivery-report callback |
//! | [`outbox`] | one row per notification and channel, claimed with a lease |
//! | [`inbox`] | the bounce mailbox: an SMTP receiver that records delivery reports |
//!
//! The flow: the projection queues every received offer; the [`Scheduler`]
//! appends `NotificationScheduled` for the next morning (a deterministic event
//! id, so racing processes write it once); the projection turns that into one
//! outbox row per channel; the [`Sender`] claims rows that are due by its
//! [`Clock`] (injectable, so tests and the demo move time) and sends them.
//! A rejected offer gets `NotificationSkipped` with the reason; an offer whose
//! documents are not yet published waits. The SMS's access code is issued
//! (`AccessCodeIssued`, hash only) right before the SMS goes out, so its
//! plaintext exists only in memory between the two.

pub mod http_sms;
pub mod inbox;
pub mod mail;
pub mod message;
pub mod outbox;
pub mod schedule;
pub mod smpp;
pub mod sms;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use event_store::EventStore;
use offer_lifecycle::{Channels, Command, Event, MessageId, Reason, ServerReply};
use tracing::Instrument;
use uuid::Uuid;

use crate::error::ServiceError;
use crate::metrics::Metrics;
use crate::offers::{BACKEND_ACTOR, Metadata, append_all, append_backend, backend_event_id, load};
use crate::shutdown::Shutdown;
use crate::storage::access_code::CodeChecker;
use crate::storage::link::LinkKey;
use crate::work_queue::WorkQueue;

use mail::{MailOutcome, MailTransport, OutgoingMail};
use outbox::{Channel, Due, NotificationOutbox};
use schedule::Morning;
use sms::{OutgoingSms, SmsGateway, SmsOutcome};

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved (tests, the demo's "next morning").
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map_or_else(|_| Utc::now(), |t| *t)
    }
}

/// Appends `NotificationScheduled` for every received offer.
pub struct Scheduler {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// Received offers waiting to be scheduled.
    pub queue: WorkQueue,
    /// When letters go out.
    pub morning: Morning,
    /// Now.
    pub clock: Arc<dyn Clock>,
    /// Idle poll.
    pub poll: Duration,
}

impl Scheduler {
    /// Runs until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) -> Result<(), ServiceError> {
        self.queue
            .drain(self.poll, shutdown, |claim| {
                let this = &self;
                async move {
                    match this.schedule(&claim.offer_id).await {
                        Ok(()) => {
                            let _ = this.queue.complete(&claim.offer_id).await;
                        }
                        Err(e) => {
                            tracing::warn!(offer_id = %claim.offer_id, error = %e, "cannot schedule the notification");
                            let _ = this
                                .queue
                                .release(&claim.offer_id, &e.to_string(), this.poll * 4)
                                .await;
                        }
                    }
                }
            })
            .await;
        Ok(())
    }

    /// Schedules one received offer's notification (idempotent).
    pub async fn schedule(&self, offer_id: &str) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let morning = self.morning;
        append_backend(
            &self.store,
            offer_id,
            &Metadata::actor(BACKEND_ACTOR),
            |s| {
                let Some(offer) = s.state.offer() else {
                    return Ok(None);
                };
                if offer.schedule.is_some() {
                    return Ok(None);
                }
                Ok(offer
                    .receipt
                    .as_ref()
                    .map(|r| Command::ScheduleNotification {
                        channels: Channels::Both,
                        due_at: schedule::due_after(r.received_at, &morning),
                        scheduled_at: now,
                    }))
            },
            |e: &Event, _| backend_event_id(offer_id, e.type_name(), "schedule-1"),
        )
        .await?;
        Ok(())
    }
}

/// Addresses and texts of the notifications.
#[derive(Debug, Clone)]
pub struct Letterhead {
    /// The `From:` of the e-mail (`Name <address>`).
    pub from: String,
    /// The domain of VERP envelope senders (`bounces+<id>@<domain>`).
    pub bounce_domain: String,
    /// The local part before `+` in VERP addresses.
    pub bounce_local: String,
    /// The domain of Message-IDs.
    pub message_id_domain: String,
    /// The storage's public address (links start with it).
    pub public_url: String,
    /// The client line.
    pub contact_phone: String,
    /// The support e-mail.
    pub contact_email: String,
}

/// Sends due notifications.
pub struct Sender {
    /// The event store.
    pub store: Arc<dyn EventStore>,
    /// The outbox.
    pub outbox: NotificationOutbox,
    /// E-mail.
    pub mail: Arc<dyn MailTransport>,
    /// SMS.
    pub sms: Arc<dyn SmsGateway>,
    /// Link tokens.
    pub link_key: LinkKey,
    /// Access codes.
    pub checker: CodeChecker,
    /// How long a new code is valid.
    pub valid_for: chrono::Duration,
    /// Addresses and contacts.
    pub letterhead: Letterhead,
    /// Now.
    pub clock: Arc<dyn Clock>,
    /// Metrics.
    pub metrics: Metrics,
    /// Idle poll; retries back off from it.
    pub poll: Duration,
}

/// What became of one claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Done {
    /// Finished, with a short note for the outbox row.
    Finished(String),
    /// Try again later.
    Later(String),
}

fn reply(text: &str) -> ServerReply {
    ServerReply::new(
        text.chars()
            .take(offer_lifecycle::limits::MAX_REASON_CHARS)
            .collect::<String>(),
    )
    .unwrap_or_else(|_| ServerReply::new("(prázdná odpověď)").unwrap_or_else(|_| unreachable!()))
}

impl Sender {
    /// Runs until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) -> Result<(), ServiceError> {
        let this = &self;
        crate::work_queue::drain(
            self.poll,
            shutdown,
            "rm_notification_outbox",
            || this.outbox.claim(this.clock.now()),
            |due| async move {
                let span = tracing::info_span!("notification", id = %due.id, attempt = due.attempt);
                crate::failpoint::hit("notify-after-claim");
                match this.send(&due).instrument(span).await {
                    Ok(Done::Finished(note)) => {
                        crate::failpoint::hit("notify-after-record");
                        let _ = this.outbox.complete(&due.id, &note).await;
                    }
                    Ok(Done::Later(why)) => {
                        let _ = this
                            .outbox
                            .release(&due.id, &why, this.backoff(due.attempt))
                            .await;
                    }
                    Err(e) => {
                        tracing::warn!(id = %due.id, error = %e, "sending failed; it will be retried");
                        let _ = this
                            .outbox
                            .release(&due.id, &e.to_string(), this.backoff(due.attempt))
                            .await;
                    }
                }
            },
        )
        .await;
        Ok(())
    }

    /// Bounded exponential backoff with jitter: poll × 2^attempt, at most an hour, ± a quarter.
    fn backoff(&self, attempt: i64) -> Duration {
        let base = self
            .poll
            .saturating_mul(2u32.saturating_pow(attempt.clamp(0, 12) as u32));
        let base = base.min(Duration::from_secs(3600));
        let jitter = (Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0 - 0.5;
        base.mul_f64(1.0 + jitter / 2.0)
    }

    fn last_attempt(&self, due: &Due) -> bool {
        due.attempt >= i64::from(self.outbox.max_attempts())
    }

    async fn skip(
        &self,
        offer_id: &str,
        channel: Channel,
        why: &str,
    ) -> Result<Done, ServiceError> {
        let channels = match channel {
            Channel::Email => Channels::Email,
            Channel::Sms => Channels::Sms,
        };
        let reason = Reason::new(why).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.record(
            offer_id,
            vec![Command::SkipNotification {
                channels,
                reason,
                skipped_at: self.clock.now(),
            }],
        )
        .await?;
        self.metrics.notification(match channel {
            Channel::Email => "notification_email_skipped",
            Channel::Sms => "notification_sms_skipped",
        });
        Ok(Done::Finished(format!("skipped: {why}")))
    }

    async fn send(&self, due: &Due) -> Result<Done, ServiceError> {
        let stream = load(self.store.as_ref(), &due.offer_id).await?;
        let Some(offer) = stream.state.offer() else {
            return Ok(Done::Finished("no such offer".into()));
        };
        if offer.is_rejected() {
            return self
                .skip(
                    &due.offer_id,
                    due.channel,
                    "PČS nabídku nepřijala do zpracování, klientovi se proto nic neposílá.",
                )
                .await;
        }
        if offer.publication.is_none() {
            if self.last_attempt(due) {
                return self
                    .skip(
                        &due.offer_id,
                        due.channel,
                        "Dokumenty nebyly včas uloženy do klientova úložiště; oznámení nebylo odesláno.",
                    )
                    .await;
            }
            return Ok(Done::Later("documents not published yet".into()));
        }
        match due.channel {
            Channel::Email => self.send_email(due, offer).await,
            Channel::Sms => self.send_sms(due, offer).await,
        }
    }

    async fn send_email(
        &self,
        due: &Due,
        offer: &offer_lifecycle::Offer,
    ) -> Result<Done, ServiceError> {
        let Some(to) = offer.contacts.email.clone() else {
            return self
                .skip(
                    &due.offer_id,
                    due.channel,
                    "V nabídce chybí e-mail klienta.",
                )
                .await;
        };
        let lh = &self.letterhead;
        let token = self.link_key.token(&due.offer_id, offer.publications);
        let link = format!(
            "{}/u/{}",
            lh.public_url.trim_end_matches('/'),
            token.as_str()
        );
        let mobile = offer
            .contacts
            .mobile
            .as_ref()
            .map(|m| m.e164().to_owned())
            .unwrap_or_default();
        // the SMS's code is issued this morning too, valid from now: the e-mail names that expiry
        let expires_at = self.clock.now() + self.valid_for;
        let letter = message::letter(&message::LetterFacts {
            offer_number: offer.offer_number.as_str(),
            link: &link,
            mobile_e164: &mobile,
            expires_at,
            contact_phone: &lh.contact_phone,
            contact_email: &lh.contact_email,
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let tag = due.tag();
        let message_id = format!("{tag}@{}", lh.message_id_domain);
        let id = MessageId::new(format!("<{message_id}>"))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        if due.interrupted {
            if offer.emails.iter().any(|m| m.message_id == id) {
                // the earlier attempt's answer was recorded after all: nothing to send
                return Ok(Done::Finished("reconciled: recorded before".into()));
            }
            self.repeat(due, Channels::Email, &id).await?;
        }
        let formatted = build_email(
            &lh.from,
            to.as_str(),
            &message_id,
            &letter,
            self.clock.now(),
        )?;
        let mail = OutgoingMail {
            message_id: message_id.clone(),
            envelope_id: tag.clone(),
            envelope_from: format!("{}+{tag}@{}", lh.bounce_local, lh.bounce_domain),
            to: to.as_str().to_owned(),
            formatted,
        };
        let outcome = match self.mail.send(&mail).await {
            Ok(o) => o,
            Err(delay) if self.last_attempt(due) => {
                return self
                    .skip(
                        &due.offer_id,
                        due.channel,
                        &format!("E-mail se nepodařilo předat serveru: {}", delay.0),
                    )
                    .await;
            }
            Err(delay) => return Ok(Done::Later(delay.0)),
        };
        crate::failpoint::hit("notify-after-send");
        let now = self.clock.now();
        let (server_reply, refused) = match &outcome {
            MailOutcome::Accepted { reply: r } => (reply(r), false),
            MailOutcome::Refused { reply: r } => (reply(r), true),
        };
        // the relay's answer and, for a refusal, the bounce it means: one fact, one append
        let mut facts = vec![Command::RecordEmailSent {
            message_id: id.clone(),
            to: to.clone(),
            smtp_reply: Some(server_reply.clone()),
            sent_at: now,
        }];
        if refused {
            facts.push(Command::RecordEmailBounced {
                message_id: id.clone(),
                reason: server_reply,
                bounced_at: now,
            });
        }
        self.record(&due.offer_id, facts).await?;
        if refused {
            self.metrics.notification("notification_email_refused");
            return Ok(Done::Finished("refused by the server".into()));
        }
        self.metrics.notification("notification_email_accepted");
        Ok(Done::Finished("accepted by the server".into()))
    }

    /// Records that this attempt repeats one whose outcome was never recorded.
    async fn repeat(
        &self,
        due: &Due,
        channels: Channels,
        id: &MessageId,
    ) -> Result<(), ServiceError> {
        tracing::warn!(id = %due.id, attempt = due.attempt, "an earlier attempt stopped while sending; sending again with the same ids");
        self.metrics.notification("repeated");
        self.record(
            &due.offer_id,
            vec![Command::RecordRepeat {
                channels,
                attempt: u32::try_from(due.attempt).unwrap_or(u32::MAX),
                message_id: id.clone(),
                repeated_at: self.clock.now(),
            }],
        )
        .await
    }

    /// Appends backend commands about a notification as one fact (fresh ids: each is an
    /// occurrence).
    async fn record(&self, offer_id: &str, commands: Vec<Command>) -> Result<(), ServiceError> {
        append_all(
            &self.store,
            offer_id,
            &Metadata::actor(BACKEND_ACTOR),
            |_| Ok(commands.clone()),
            |_, _| Uuid::new_v4(),
            crate::offers::MAX_APPEND_RETRIES,
        )
        .await?;
        Ok(())
    }

    async fn send_sms(
        &self,
        due: &Due,
        offer: &offer_lifecycle::Offer,
    ) -> Result<Done, ServiceError> {
        let Some(to) = offer.contacts.mobile.clone() else {
            return self
                .skip(
                    &due.offer_id,
                    due.channel,
                    "V nabídce chybí mobilní telefon klienta.",
                )
                .await;
        };
        let reference = due.tag();
        if due.interrupted {
            // gateways that take our reference as the message id tell whether it was recorded;
            // over SMPP the SMSC names the message, so an interrupted attempt is repeated
            if offer.sms.iter().any(|m| m.message_id.as_str() == reference) {
                return Ok(Done::Finished("reconciled: recorded before".into()));
            }
            let id =
                MessageId::new(&reference).map_err(|e| ServiceError::Internal(e.to_string()))?;
            self.repeat(due, Channels::Sms, &id).await?;
        }
        let now = self.clock.now();
        // a fresh code replaces any earlier one: if an earlier attempt's SMS did go out, its
        // code stops working, and the client uses the newest SMS
        let code = crate::storage::issue_access_code(
            &self.store,
            &self.checker,
            &due.offer_id,
            BACKEND_ACTOR,
            self.valid_for,
            now,
        )
        .await?;
        let text = message::sms_text(&code.grouped(), now + self.valid_for);
        drop(code);
        let sms = OutgoingSms {
            reference,
            to: to.e164().to_owned(),
            text,
        };
        let outcome = match self.sms.send(&sms).await {
            Ok(o) => o,
            Err(delay) if self.last_attempt(due) => {
                return self
                    .skip(
                        &due.offer_id,
                        due.channel,
                        &format!("SMS se nepodařilo předat bráně: {}", delay.0),
                    )
                    .await;
            }
            Err(delay) => return Ok(Done::Later(delay.0)),
        };
        crate::failpoint::hit("notify-after-send");
        let (message_id, gateway_reply, refused) = match &outcome {
            SmsOutcome::Accepted {
                message_id,
                reply: r,
            } => (message_id.clone(), reply(r), false),
            SmsOutcome::Refused { reply: r } => (sms.reference.clone(), reply(r), true),
        };
        let id = MessageId::new(&message_id).map_err(|e| ServiceError::Internal(e.to_string()))?;
        // the gateway's answer and, for a refusal, the failure it means: one fact, one append
        let mut facts = vec![Command::RecordSmsSent {
            message_id: id.clone(),
            to: to.clone(),
            gateway_reply: Some(gateway_reply.clone()),
            sent_at: now,
        }];
        if refused {
            facts.push(Command::RecordSmsFailed {
                message_id: id,
                reason: gateway_reply,
                failed_at: now,
            });
        }
        self.record(&due.offer_id, facts).await?;
        if refused {
            return Ok(Done::Finished("refused by the gateway".into()));
        }
        self.metrics.notification("notification_sms_accepted");
        Ok(Done::Finished("accepted by the gateway".into()))
    }
}

/// The e-mail as RFC 5322 bytes: a text and an HTML alternative, a stable Message-ID, marked as
/// sent automatically.
fn build_email(
    from: &str,
    to: &str,
    message_id: &str,
    letter: &message::Letter,
    date: DateTime<Utc>,
) -> Result<Vec<u8>, ServiceError> {
    use lettre::message::header::{ContentType, HeaderName, HeaderValue};
    use lettre::message::{Mailbox, MultiPart, SinglePart};
    let bad =
        |what: &str, e: &dyn std::fmt::Display| ServiceError::Internal(format!("{what}: {e}"));
    let from: Mailbox = from.parse().map_err(|e| bad("notifications.from", &e))?;
    let to: Mailbox = to.parse().map_err(|e| bad("recipient", &e))?;
    let message = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(letter.subject.clone())
        .message_id(Some(format!("<{message_id}>")))
        .date(std::time::SystemTime::from(date))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(letter.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(letter.html.clone()),
                ),
        )
        .map_err(|e| bad("e-mail", &e))?;
    Ok(message.formatted())
}
