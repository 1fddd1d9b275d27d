//! The next morning's e-mail and SMS: scheduled on receipt for 08:00 Prague
//! time the next day, sent when the (moved) clock says so, and the link and
//! code they carry open the client's storage.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use inkseal_server::notify::ManualClock;
use inkseal_server::roles::Role;
use offer_lifecycle::Event;

/// A backend whose notification clock the test moves.
async fn backend_with_clock() -> (Backend, Arc<ManualClock>, PathBuf) {
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    let outbox = dir.path().join("outbox");
    (start(c, dir).await, clock, outbox)
}

async fn wait_for(b: &Backend, offer_id: &str, what: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    for _ in 0..300 {
        let events = b.events(offer_id).await;
        if what(&events) {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{offer_id}: the expected events did not arrive: {:?}",
        b.event_types(offer_id).await
    );
}

/// The client asked the help desk to change a contact (`email` or `mobile`; "" leaves it).
async fn correct(b: &Backend, offer_id: &str, email: &str, mobile: &str) {
    b.help_desk()
        .await
        .correct_contact(inkseal_proto::v1::CorrectContactRequest {
            offer_id: offer_id.into(),
            email: email.into(),
            mobile: mobile.into(),
            reason: "Klient nahlásil nový kontakt.".into(),
            resend: false,
        })
        .await
        .unwrap();
}

/// Waits until each offer's notification is scheduled, then moves the clock past the latest.
async fn morning_after(b: &Backend, clock: &ManualClock, offers: &[&str]) {
    let mut due = chrono::Utc::now();
    for offer_id in offers {
        let events = wait_for(b, offer_id, |e| {
            e.iter()
                .any(|e| matches!(e, Event::NotificationScheduled(_)))
        })
        .await;
        for e in events {
            if let Event::NotificationScheduled(s) = e {
                due = due.max(s.due_at);
            }
        }
    }
    clock.set(due + chrono::Duration::minutes(1));
}

fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == extension))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_morning_the_email_link_and_the_sms_code_open_the_clients_storage() {
    let (b, clock, outbox) = backend_with_clock().await;
    let offer = signed_offer("NAB-NOTIFY-1", AGENT, 0);
    let token = b.publish(&offer).await;
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter()
            .any(|e| matches!(e, Event::NotificationScheduled(_)))
    })
    .await;
    let received_at = events
        .iter()
        .find_map(|e| match e {
            Event::OfferReceived(r) => Some(r.received_at),
            _ => None,
        })
        .unwrap();
    let due = events
        .iter()
        .find_map(|e| match e {
            Event::NotificationScheduled(s) => Some(s.due_at),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        due,
        inkseal_server::notify::schedule::due_after(received_at, &Default::default()),
        "08:00 Prague time the next calendar day"
    );
    let local = due.with_timezone(&chrono_tz::Europe::Prague);
    assert_eq!(local.format("%H:%M").to_string(), "08:00");

    // nothing goes out before the morning
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(files(&outbox.join("mail"), "eml").is_empty());
    assert!(files(&outbox.join("sms"), "json").is_empty());

    clock.set(due + chrono::Duration::minutes(1));
    wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailSent(_)))
            && e.iter().any(|e| matches!(e, Event::SmsSent(_)))
    })
    .await;

    // the e-mail: one .eml with the storage link
    let mails = files(&outbox.join("mail"), "eml");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let eml = std::fs::read_to_string(&mails[0]).unwrap();
    assert!(eml.contains("Message-ID: <NAB-NOTIFY-1.email."), "{eml}");
    assert!(eml.contains("Auto-Submitted: auto-generated"));
    assert!(eml.contains("multipart/alternative"));
    assert!(
        eml.contains(&format!("/u/{token}")),
        "the link is in the e-mail"
    );

    // the SMS: one JSON file with the code in Czech, one UCS-2 segment
    let sms = files(&outbox.join("sms"), "json");
    assert_eq!(sms.len(), 1, "{sms:?}");
    let sms: serde_json::Value = serde_json::from_slice(&std::fs::read(&sms[0]).unwrap()).unwrap();
    let text = sms["text"].as_str().unwrap();
    assert!(
        text.starts_with("PČS: přístupový kód do úložiště: "),
        "{text}"
    );
    assert!(text.chars().count() <= 70);
    assert_eq!(sms["to"], "+420603123456");
    let code = text
        .trim_start_matches("PČS: přístupový kód do úložiště: ")
        .split('.')
        .next()
        .unwrap()
        .to_owned();

    // the client: link from the e-mail, code from the SMS
    let addr = b.storage_addr();
    let opened = post_code(addr, &token, &code).await;
    assert_eq!(opened.status, 303, "the SMS's code opens the storage");
    let cookie = opened.session_cookie().unwrap();
    let download = http(
        addr,
        "GET",
        &format!("/u/{token}/dokumenty/nabidka"),
        &[("cookie", &cookie)],
        b"",
    )
    .await;
    assert_eq!(download.body, b.insurer_copy(&offer.offer_id).await);

    // the record says what each peer answered, and nothing went out twice
    let events = b.events(&offer.offer_id).await;
    let sent = events
        .iter()
        .filter(|e| matches!(e, Event::EmailSent(_) | Event::SmsSent(_)))
        .count();
    assert_eq!(sent, 2);
    assert!(events.iter().any(|e| matches!(e, Event::EmailSent(m) if m.smtp_reply.as_ref().is_some_and(|r| r.as_str().starts_with("250")))));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(files(&outbox.join("mail"), "eml").len(), 1);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_offers_client_gets_nothing_and_the_timeline_says_why() {
    let (b, clock, outbox) = backend_with_clock().await;
    let offer = signed_offer_with(
        "NAB-NOTIFY-2",
        AGENT,
        0,
        Flaws {
            envelope_for_other_document: true,
            ..Default::default()
        },
    );
    let mut client = b.agent(AGENT).await;
    send_offer(&mut client, &offer).await;
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter()
            .any(|e| matches!(e, Event::NotificationScheduled(_)))
            && e.iter().any(|e| matches!(e, Event::OfferRejected(_)))
    })
    .await;
    let due = events
        .iter()
        .find_map(|e| match e {
            Event::NotificationScheduled(s) => Some(s.due_at),
            _ => None,
        })
        .unwrap();
    clock.set(due + chrono::Duration::minutes(1));
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter()
            .filter(|e| matches!(e, Event::NotificationSkipped(_)))
            .count()
            == 2
    })
    .await;
    assert!(events.iter().all(|e| !matches!(
        e,
        Event::EmailSent(_) | Event::SmsSent(_) | Event::AccessCodeIssued(_)
    )));
    assert!(events.iter().any(
        |e| matches!(e, Event::NotificationSkipped(s) if s.reason.as_str().contains("nepřijala"))
    ));
    assert!(files(&outbox.join("mail"), "eml").is_empty());
    assert!(files(&outbox.join("sms"), "json").is_empty());
    b.settle().await;
    let timeline = b
        .components
        .read_model
        .timeline(&offer.offer_id, 0, 100)
        .await
        .unwrap();
    assert!(
        timeline
            .iter()
            .any(|t| t.summary.starts_with("Klientovi se nic neposlalo")),
        "the help desk reads why"
    );
    b.stop().await;
}

/// A loopback peer `.ci/run` starts (`integration-tests/peers/peers.sh`); `None` (with a notice)
/// outside CI when it is not running.
fn peer(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("{var} is not set, and CI requires the tests against the real peers")
        }
        _ => {
            eprintln!(
                "skipping: {var} is not set (start the peers: integration-tests/peers/peers.sh start DIR, then eval its env)"
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_smtp_the_relays_answer_is_recorded_with_dsn_asked_and_a_refused_address_bounces_at_once()
 {
    let Some(mx) = peer("INKSEAL_TEST_DSN_MX") else {
        return;
    };
    let log = PathBuf::from(peer("INKSEAL_TEST_DSN_MX_LOG").unwrap_or_default());
    let (host, port) = mx.rsplit_once(':').unwrap();
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    c.notifications.mail = Arc::new(inkseal_server::notify::mail::SmtpMail {
        host: host.to_owned(),
        port: port.parse().unwrap(),
        security: inkseal_server::notify::mail::SmtpSecurity::Plain,
        hello: "inkseal.test".into(),
        timeout: Duration::from_secs(10),
    });
    let b = start(c, dir).await;
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let good = signed_offer(&format!("NAB-SMTP-OK-{suffix}"), AGENT, 0);
    let bad = signed_offer(&format!("NAB-SMTP-BAD-{suffix}"), AGENT, 0);
    b.publish(&good).await;
    b.publish(&bad).await;
    // the client asked the help desk to use another address — one the MX refuses
    correct(&b, &bad.offer_id, "nikdo@invalid.test", "").await;
    morning_after(&b, &clock, &[&good.offer_id, &bad.offer_id]).await;

    let events = wait_for(&b, &good.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailSent(_)))
    })
    .await;
    let sent = events
        .iter()
        .find_map(|e| match e {
            Event::EmailSent(m) => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    let reply = sent.smtp_reply.unwrap();
    assert!(
        reply.as_str().starts_with("250"),
        "what the relay answered: {reply}"
    );
    // the relay saw a VERP sender and the DSN parameters
    let tag = format!("{}.email.", good.offer_id);
    let mx_log = std::fs::read_to_string(log.join("mx.jsonl")).unwrap();
    let line: serde_json::Value = mx_log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["envid"].as_str().is_some_and(|e| e.starts_with(&tag)))
        .expect("the MX logged our message with its ENVID");
    assert!(
        line["mail_from"]
            .as_str()
            .unwrap()
            .starts_with(&format!("bounces+{tag}")),
        "{line}"
    );
    assert_eq!(line["ret"], "HDRS");
    let rcpt = &line["recipients"][0];
    assert_eq!(
        rcpt["notify"],
        serde_json::json!(["SUCCESS", "FAILURE", "DELAY"])
    );
    assert_eq!(
        rcpt["orcpt"].as_str().map(str::to_lowercase).as_deref(),
        Some("rfc822;jan.novak@example.cz")
    );

    // the refused address: recorded as sent with the refusal, and bounced at once
    let events = wait_for(&b, &bad.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailBounced(_)))
    })
    .await;
    let bounce = events
        .iter()
        .find_map(|e| match e {
            Event::EmailBounced(x) => Some(x.reason.to_string()),
            _ => None,
        })
        .unwrap();
    assert!(
        bounce.contains("550") && bounce.contains("5.1.1"),
        "{bounce}"
    );
    let state = inkseal_server::offers::load(b.components.store.as_ref(), &bad.offer_id)
        .await
        .unwrap();
    assert_eq!(
        state.state.offer().unwrap().email_status,
        offer_lifecycle::DeliveryStatus::Failed,
        "the offer cannot be made effective while the e-mail is bounced"
    );
    b.stop().await;
}

/// `dsn-mx.js` from the test peers, started by this test on a free port and aimed at this
/// backend's bounce mailbox; killed on drop.
struct DsnMx {
    child: std::process::Child,
    port: u16,
}

impl Drop for DsnMx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_dsn_mx(inbox_port: u16, log: &Path) -> Option<DsnMx> {
    use std::io::BufRead;
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../integration-tests/peers");
    let ready = peers.join("node_modules/smtp-server").exists()
        && std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
    if !ready {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!(
                "the test peers are not installed (integration-tests/peers/peers.sh start) and CI requires them"
            );
        }
        eprintln!(
            "skipping: node or the test peers are missing (run integration-tests/peers/peers.sh start DIR)"
        );
        return None;
    }
    let mut child = std::process::Command::new("node")
        .arg(peers.join("dsn-mx.js"))
        .args(["0", &inbox_port.to_string()])
        .arg(log)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("DSN MX listening on 127.0.0.1:")
                .and_then(|p| p.trim().parse::<u16>().ok())
        })
        .expect("dsn-mx.js says where it listens");
    std::thread::spawn(move || for _ in lines {});
    Some(DsnMx { child, port })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_reports_reach_the_timeline_delivered_delayed_and_bounced() {
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    let mx_log = dir.path().join("mx-log");
    std::fs::create_dir_all(&mx_log).unwrap();
    // the backend first: the MX needs the bounce mailbox's port
    let placeholder = c.notifications.mail.clone();
    let slot = Arc::new(std::sync::OnceLock::<inkseal_server::notify::mail::SmtpMail>::new());
    struct Late(
        Arc<std::sync::OnceLock<inkseal_server::notify::mail::SmtpMail>>,
        Arc<dyn inkseal_server::notify::mail::MailTransport>,
    );
    #[async_trait::async_trait]
    impl inkseal_server::notify::mail::MailTransport for Late {
        async fn send(
            &self,
            mail: &inkseal_server::notify::mail::OutgoingMail,
        ) -> Result<
            inkseal_server::notify::mail::MailOutcome,
            inkseal_server::notify::mail::MailDelay,
        > {
            match self.0.get() {
                Some(smtp) => smtp.send(mail).await,
                None => self.1.send(mail).await,
            }
        }
        fn describe(&self) -> String {
            "smtp to the test MX".into()
        }
    }
    c.notifications.mail = Arc::new(Late(slot.clone(), placeholder));
    let b = start(c, dir).await;
    let inbox = b.running.bounces_addr.unwrap();
    let Some(mx) = start_dsn_mx(inbox.port(), &mx_log) else {
        b.stop().await;
        return;
    };
    let _ = slot.set(inkseal_server::notify::mail::SmtpMail {
        host: "127.0.0.1".into(),
        port: mx.port,
        security: inkseal_server::notify::mail::SmtpSecurity::Plain,
        hello: "inkseal.test".into(),
        timeout: Duration::from_secs(10),
    });

    let cases = [
        ("NAB-DSN-DELIVERED", None),
        ("NAB-DSN-BOUNCED", Some("bounce-1@example.cz")),
        ("NAB-DSN-DELAYED", Some("delay-1@example.cz")),
    ];
    let mut hd = b.help_desk().await;
    let mut due = chrono::Utc::now();
    for (id, email) in cases {
        let offer = signed_offer(id, AGENT, 0);
        b.publish(&offer).await;
        if let Some(email) = email {
            hd.correct_contact(inkseal_proto::v1::CorrectContactRequest {
                offer_id: id.into(),
                email: email.into(),
                mobile: String::new(),
                reason: "Klient nahlásil nový e-mail.".into(),
                resend: false,
            })
            .await
            .unwrap();
        }
        let events = wait_for(&b, id, |e| {
            e.iter()
                .any(|e| matches!(e, Event::NotificationScheduled(_)))
        })
        .await;
        for e in events {
            if let Event::NotificationScheduled(s) = e {
                due = due.max(s.due_at);
            }
        }
    }
    clock.set(due + chrono::Duration::minutes(1));

    let delivered = wait_for(&b, "NAB-DSN-DELIVERED", |e| {
        e.iter().any(|e| matches!(e, Event::EmailDelivered(_)))
    })
    .await;
    assert!(delivered.iter().any(|e| matches!(e, Event::EmailDelivered(d) if d.report.as_ref().is_some_and(|r| r.as_str().starts_with("2.0.0")))));
    let bounced = wait_for(&b, "NAB-DSN-BOUNCED", |e| {
        e.iter().any(|e| matches!(e, Event::EmailBounced(_)))
    })
    .await;
    let reason = bounced
        .iter()
        .find_map(|e| match e {
            Event::EmailBounced(x) => Some(x.reason.to_string()),
            _ => None,
        })
        .unwrap();
    assert!(reason.starts_with("5.1.1"), "{reason}");
    let state = inkseal_server::offers::load(b.components.store.as_ref(), "NAB-DSN-BOUNCED")
        .await
        .unwrap();
    assert_eq!(
        state.state.offer().unwrap().email_status,
        offer_lifecycle::DeliveryStatus::Failed,
        "a bounced e-mail: the offer cannot be made effective"
    );
    let delayed = wait_for(&b, "NAB-DSN-DELAYED", |e| {
        e.iter().any(|e| matches!(e, Event::EmailDelayed(_)))
    })
    .await;
    assert!(
        !delayed.iter().any(|e| matches!(e, Event::EmailBounced(_))),
        "delayed is not bounced"
    );
    b.settle().await;
    let timeline = b
        .components
        .read_model
        .timeline("NAB-DSN-DELAYED", 0, 100)
        .await
        .unwrap();
    assert!(
        timeline
            .iter()
            .any(|t| t.summary.starts_with("Doručení e-mailu se zdržuje"))
    );
    drop(mx);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_smpp_the_sms_carries_the_code_in_czech_and_receipts_say_delivered_or_failed() {
    let Some(smsc) = peer("INKSEAL_TEST_SMSC") else {
        return;
    };
    let system_id = peer("INKSEAL_TEST_SMSC_SYSTEM_ID").unwrap_or_default();
    let password = peer("INKSEAL_TEST_SMSC_PASSWORD").unwrap_or_default();
    let log = PathBuf::from(peer("INKSEAL_TEST_SMSC_LOG").unwrap_or_default());
    let (host, port) = smsc.rsplit_once(':').unwrap();
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    let (gateway, receipts) = inkseal_server::notify::smpp::SmppGateway::new(
        host.to_owned(),
        port.parse().unwrap(),
        system_id,
        password,
        "PCS".into(),
    );
    c.notifications.sms = Arc::new(gateway);
    c.notifications.receipts = Arc::new(std::sync::Mutex::new(Some(receipts)));
    let b = start(c, dir).await;
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let good = signed_offer(&format!("NAB-SMPP-OK-{suffix}"), AGENT, 0);
    let bad = signed_offer(&format!("NAB-SMPP-UNDELIV-{suffix}"), AGENT, 0);
    let good_token = b.publish(&good).await;
    b.publish(&bad).await;
    // a number the SMS centre cannot deliver to (its numbers ending in 0)
    correct(&b, &bad.offer_id, "", "603 123 450").await;
    morning_after(&b, &clock, &[&good.offer_id, &bad.offer_id]).await;

    let events = wait_for(&b, &good.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::SmsDelivered(_)))
    })
    .await;
    let sent = events
        .iter()
        .find_map(|e| match e {
            Event::SmsSent(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert!(sent.gateway_reply.unwrap().as_str().contains("ESME_ROK"));
    // what the SMS centre received: UCS-2, Czech text with the code
    let logged: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mine = logged
        .iter()
        .find(|v| v["message_id"].as_str() == Some(sent.message_id.as_str()))
        .expect("the SMSC logged our submit_sm");
    assert_eq!(mine["data_coding"], 8);
    assert_eq!(mine["destination"], "420603123456");
    let text = mine["text"].as_str().unwrap();
    assert!(
        text.starts_with("PČS: přístupový kód do úložiště: "),
        "{text}"
    );
    let code = text
        .trim_start_matches("PČS: přístupový kód do úložiště: ")
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        post_code(b.storage_addr(), &good_token, &code).await.status,
        303,
        "the code the SMSC carried opens the storage"
    );

    let events = wait_for(&b, &bad.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::SmsFailed(_)))
    })
    .await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsFailed(f) if f.reason.as_str().contains("UNDELIV")))
    );
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_desks_sms_resend_brings_a_new_code_and_the_old_one_stops_working_at_once() {
    let (b, clock, outbox) = backend_with_clock().await;
    let offer = signed_offer("NAB-RESEND-1", AGENT, 0);
    let token = b.publish(&offer).await;
    let due = wait_for(&b, &offer.offer_id, |e| {
        e.iter()
            .any(|e| matches!(e, Event::NotificationScheduled(_)))
    })
    .await
    .iter()
    .find_map(|e| match e {
        Event::NotificationScheduled(s) => Some(s.due_at),
        _ => None,
    })
    .unwrap();
    clock.set(due + chrono::Duration::minutes(1));
    wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::SmsSent(_)))
    })
    .await;
    let code_in = |path: &Path| {
        let sms: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        sms["text"]
            .as_str()
            .unwrap()
            .trim_start_matches("PČS: přístupový kód do úložiště: ")
            .split('.')
            .next()
            .unwrap()
            .to_owned()
    };
    let first = files(&outbox.join("sms"), "json");
    assert_eq!(first.len(), 1);
    let old_code = code_in(&first[0]);
    let mails_before = files(&outbox.join("mail"), "eml").len();

    // the client says the SMS never came: the help desk resends the SMS only
    let mut hd = b.help_desk().await;
    hd.resend_notification(inkseal_proto::v1::ResendNotificationRequest {
        offer_id: offer.offer_id.clone(),
        channels: Some(inkseal_proto::v1::Channels {
            email: false,
            sms: true,
        }),
        reason: "Klientovi nedorazila SMS s kódem.".into(),
    })
    .await
    .unwrap();
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter().filter(|e| matches!(e, Event::SmsSent(_))).count() == 2
    })
    .await;
    assert!(events.iter().any(
        |e| matches!(e, Event::NotificationResendRequested(r) if r.user.as_str() == HELP_DESK_USER)
    ));
    let all = files(&outbox.join("sms"), "json");
    assert_eq!(all.len(), 2, "a second SMS went out");
    let new_path = all.iter().find(|p| !first.contains(p)).unwrap();
    let new_code = code_in(new_path);
    assert_ne!(new_code, old_code);
    assert_eq!(
        files(&outbox.join("mail"), "eml").len(),
        mails_before,
        "only the SMS was resent"
    );

    let addr = b.storage_addr();
    assert_eq!(
        post_code(addr, &token, &old_code).await.status,
        403,
        "the old code no longer opens the storage"
    );
    assert_eq!(post_code(addr, &token, &new_code).await.status, 303);
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_kannel_as_an_http_gateway_the_sms_goes_out_and_its_delivery_reports_come_back() {
    let Some(kannel) = peer("INKSEAL_TEST_KANNEL") else {
        return;
    };
    let user = peer("INKSEAL_TEST_KANNEL_USER").unwrap_or_default();
    let password = peer("INKSEAL_TEST_KANNEL_PASSWORD").unwrap_or_default();
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    let callbacks = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    c.notifications.sms = Arc::new(inkseal_server::notify::http_sms::HttpGateway {
        url: format!("{kannel}/cgi-bin/sendsms"),
        user,
        password,
        sender: "PCS".into(),
        callback_url: format!("http://{}", callbacks.local_addr().unwrap()),
        timeout: Duration::from_secs(10),
    });
    let b = start_with_callbacks(c, dir, callbacks).await;
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let good = signed_offer(&format!("NAB-KANNEL-OK-{suffix}"), AGENT, 0);
    let bad = signed_offer(&format!("NAB-KANNEL-UNDELIV-{suffix}"), AGENT, 0);
    b.publish(&good).await;
    b.publish(&bad).await;
    correct(&b, &bad.offer_id, "", "603 123 450").await;
    morning_after(&b, &clock, &[&good.offer_id, &bad.offer_id]).await;
    let events = wait_for(&b, &good.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::SmsDelivered(_)))
    })
    .await;
    let sent = events
        .iter()
        .find_map(|e| match e {
            Event::SmsSent(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        sent.gateway_reply.unwrap().as_str(),
        "0: Accepted for delivery"
    );
    let events = wait_for(&b, &bad.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::SmsFailed(_)))
    })
    .await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsFailed(f) if f.reason.as_str().contains("UNDELIV"))),
        "{events:?}"
    );
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_providers_webhook_reports_a_bounce_and_garbage_records_nothing() {
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    let callbacks = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hooks = callbacks.local_addr().unwrap();
    let b = start_with_callbacks(c, dir, callbacks).await;
    let offer = signed_offer("NAB-WEBHOOK-1", AGENT, 0);
    b.publish(&offer).await;
    morning_after(&b, &clock, &[&offer.offer_id]).await;
    // both channels go out first, so nothing else joins the stream while the webhook is tried
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailSent(_)))
            && e.iter().any(|e| matches!(e, Event::SmsSent(_)))
    })
    .await;
    let message_id = events
        .iter()
        .find_map(|e| match e {
            Event::EmailSent(m) => Some(m.message_id.to_string()),
            _ => None,
        })
        .unwrap();
    let envelope_id = message_id
        .trim_start_matches('<')
        .split('@')
        .next()
        .unwrap()
        .to_owned();
    let before = b.events(&offer.offer_id).await.len();

    let garbage = http(
        hooks,
        "POST",
        "/mail/webhook",
        &[("content-type", "application/json")],
        b"{not json",
    )
    .await;
    assert_eq!(garbage.status, 400);
    assert_eq!(
        b.events(&offer.offer_id).await.len(),
        before,
        "a malformed body records nothing"
    );

    let body = serde_json::json!({"events": [{
        "type": "bounce",
        "bounce_type": "hard",
        "recipient": "jan.novak@example.cz",
        "envelope_id": envelope_id,
        "status": "5.1.1",
        "diagnostic": "550 5.1.1 mailbox unavailable",
        "timestamp": 1_796_000_000
    }]});
    let reply = http(
        hooks,
        "POST",
        "/mail/webhook",
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailBounced(_)))
    })
    .await;
    assert!(events.iter().any(
        |e| matches!(e, Event::EmailBounced(x) if x.reason.as_str().contains("mailbox unavailable"))
    ));
    b.stop().await;
}

/// A sender that died: it claimed the offer's e-mail row (due by `now`) with a short lease and
/// never finished.
async fn dead_sender_claims_the_email(
    b: &Backend,
    now: chrono::DateTime<chrono::Utc>,
) -> inkseal_server::notify::outbox::Due {
    let dead = inkseal_server::notify::outbox::NotificationOutbox::new(
        b.components.read_model.clone(),
        "dead-sender",
        Duration::from_secs(1),
        8,
    );
    let due = dead.claim(now).await.unwrap().expect("a due row");
    assert_eq!(due.channel, inkseal_server::notify::outbox::Channel::Email);
    assert!(!due.interrupted, "the first claim interrupts nothing");
    due
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_between_the_peers_answer_and_its_record_the_email_goes_again_as_a_visible_repeat()
 {
    let (b, clock, outbox) = backend_with_clock().await;
    let offer = signed_offer("NAB-CRASH-1", AGENT, 0);
    b.publish(&offer).await;
    let due = wait_for(&b, &offer.offer_id, |e| {
        e.iter()
            .any(|e| matches!(e, Event::NotificationScheduled(_)))
    })
    .await
    .iter()
    .find_map(|e| match e {
        Event::NotificationScheduled(s) => Some(s.due_at),
        _ => None,
    })
    .unwrap();
    b.settle().await;
    let morning = due + chrono::Duration::minutes(1);
    dead_sender_claims_the_email(&b, morning).await;
    clock.set(morning);
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailSent(_)))
    })
    .await;
    let sent = events
        .iter()
        .filter_map(|e| match e {
            Event::EmailSent(m) => Some(m.message_id.clone()),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(sent.len(), 1, "one record of the e-mail");
    let repeat = events
        .iter()
        .find_map(|e| match e {
            Event::NotificationRepeated(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the repeat is on the record");
    assert_eq!(repeat.attempt, 2);
    assert_eq!(
        repeat.message_id, sent[0],
        "the repeat carries the same Message-ID"
    );
    let eml = std::fs::read_to_string(&files(&outbox.join("mail"), "eml")[0]).unwrap();
    assert!(eml.contains(&format!("Message-ID: {}", sent[0])));
    b.settle().await;
    let timeline = b
        .components
        .read_model
        .timeline(&offer.offer_id, 0, 100)
        .await
        .unwrap();
    assert!(timeline.iter().any(|t| {
        t.summary
            .starts_with("Opakované odeslání (e-mail, pokus 2)")
    }));
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_between_the_record_and_the_rows_completion_nothing_goes_twice() {
    let (b, clock, outbox) = backend_with_clock().await;
    let offer = signed_offer("NAB-CRASH-2", AGENT, 0);
    b.publish(&offer).await;
    let due = wait_for(&b, &offer.offer_id, |e| {
        e.iter()
            .any(|e| matches!(e, Event::NotificationScheduled(_)))
    })
    .await
    .iter()
    .find_map(|e| match e {
        Event::NotificationScheduled(s) => Some(s.due_at),
        _ => None,
    })
    .unwrap();
    b.settle().await;
    let morning = due + chrono::Duration::minutes(1);
    let claimed = dead_sender_claims_the_email(&b, morning).await;
    // the dead sender got the relay's answer and recorded it, then died before finishing the row
    let message_id = offer_lifecycle::MessageId::new(format!(
        "<{}@inkseal.pojistovnacs.cz>",
        claimed.id.replace('/', ".")
    ))
    .unwrap();
    inkseal_server::offers::append_backend(
        &b.components.store,
        &offer.offer_id,
        &inkseal_server::offers::Metadata::actor("backend"),
        |_| {
            Ok(Some(offer_lifecycle::Command::RecordEmailSent {
                message_id: message_id.clone(),
                to: offer_lifecycle::Email::parse("Jan.Novak@example.cz").unwrap(),
                smtp_reply: Some(
                    offer_lifecycle::ServerReply::new("250 2.0.0 Ok: queued as X").unwrap(),
                ),
                sent_at: morning,
            }))
        },
        |_, _| uuid::Uuid::new_v4(),
    )
    .await
    .unwrap();
    clock.set(morning);
    // the SMS row goes out; the e-mail row is reconciled once its lease runs out
    wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::SmsSent(_)))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let events = b.events(&offer.offer_id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::EmailSent(_)))
            .count(),
        1
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::NotificationRepeated(_)))
    );
    assert!(
        files(&outbox.join("mail"), "eml").is_empty(),
        "the e-mail was not sent again"
    );
    let done: i64 = sqlx::query_scalar("SELECT done FROM rm_notification_outbox WHERE id = $1")
        .bind(&claimed.id)
        .fetch_one(b.components.read_model.pool())
        .await
        .unwrap();
    assert_eq!(done, 1, "the row is finished after reconciliation");
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_senders_on_one_postgresql_send_each_notification_once() {
    use event_store::testing::{TestSchema, postgres_url};
    let Some(url) = postgres_url().await else {
        return;
    };
    let schema = TestSchema {
        url,
        name: format!("inkseal_ntf_{}", uuid::Uuid::new_v4().simple()),
    };
    let docs = tempfile::tempdir().unwrap();
    let documents = inkseal_server::documents::Documents::local(docs.path()).unwrap();
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let folders = tempfile::tempdir().unwrap();
    let sender = |name: &'static str| {
        let (schema, documents, clock, folders) = (
            &schema,
            documents.clone(),
            clock.clone(),
            folders.path().join(name),
        );
        async move {
            let store: Arc<dyn event_store::EventStore> = Arc::new(
                event_store::postgres::PostgresStore::connect_in_schema(&schema.url, &schema.name)
                    .await
                    .unwrap(),
            );
            let rm = inkseal_server::read_model::ReadModel::open_postgres(
                &schema.url,
                Some(&schema.name),
            )
            .await
            .unwrap();
            let mut c = components(store, rm, documents, &[Role::Notifications], name);
            c.clock = clock;
            c.notifications.poll = Duration::from_millis(20);
            c.notifications.mail = Arc::new(inkseal_server::notify::mail::FolderMail {
                dir: folders.join("mail"),
            });
            c.notifications.sms = Arc::new(inkseal_server::notify::sms::FolderSms {
                dir: folders.join("sms"),
            });
            start(c, tempfile::tempdir().unwrap()).await
        }
    };
    let main = pg_process(
        &schema,
        &documents,
        &[
            Role::Ingest,
            Role::Projections,
            Role::Acceptance,
            Role::Publication,
        ],
        "main",
    )
    .await;
    let offers: Vec<_> = (0..6)
        .map(|i| signed_offer(&format!("NAB-NTF-PG-{i}"), AGENT, 0))
        .collect();
    for offer in &offers {
        main.publish(offer).await;
    }
    let (a, b) = tokio::join!(sender("sender-a"), sender("sender-b"));
    let ids: Vec<&str> = offers.iter().map(|o| o.offer_id.as_str()).collect();
    morning_after(&main, &clock, &ids).await;
    for offer in &offers {
        wait_for(&main, &offer.offer_id, |e| {
            e.iter().any(|e| matches!(e, Event::EmailSent(_)))
                && e.iter().any(|e| matches!(e, Event::SmsSent(_)))
        })
        .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for offer in &offers {
        let events = main.events(&offer.offer_id).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::EmailSent(_)))
                .count(),
            1,
            "{}",
            offer.offer_id
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::SmsSent(_)))
                .count(),
            1,
            "{}",
            offer.offer_id
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::NotificationScheduled(_)))
                .count(),
            1
        );
    }
    let count = |kind: &str, ext: &str| {
        ["sender-a", "sender-b"]
            .iter()
            .map(|s| files(&folders.path().join(s).join(kind), ext).len())
            .sum::<usize>()
    };
    assert_eq!(
        count("mail", "eml"),
        offers.len(),
        "one e-mail per offer across both senders"
    );
    assert_eq!(
        count("sms", "json"),
        offers.len(),
        "one SMS per offer across both senders"
    );
    for p in [a, b, main] {
        p.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_without_dsn_gets_the_email_without_dsn_parameters() {
    let Some(sink) = peer("INKSEAL_TEST_SMTP_SINK") else {
        return;
    };
    let log = PathBuf::from(peer("INKSEAL_TEST_SMTP_SINK_LOG").unwrap_or_default());
    let (host, port) = sink.rsplit_once(':').unwrap();
    let (mut c, dir) = sqlite_components(&Role::ALL).await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    c.clock = clock.clone();
    c.notifications.mail = Arc::new(inkseal_server::notify::mail::SmtpMail {
        host: host.to_owned(),
        port: port.parse().unwrap(),
        security: inkseal_server::notify::mail::SmtpSecurity::Plain,
        hello: "inkseal.test".into(),
        timeout: Duration::from_secs(10),
    });
    let b = start(c, dir).await;
    let offer = signed_offer(
        &format!(
            "NAB-SINK-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
        AGENT,
        0,
    );
    b.publish(&offer).await;
    morning_after(&b, &clock, &[&offer.offer_id]).await;
    let events = wait_for(&b, &offer.offer_id, |e| {
        e.iter().any(|e| matches!(e, Event::EmailSent(_)))
    })
    .await;
    let sent = events
        .iter()
        .find_map(|e| match e {
            Event::EmailSent(m) => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    assert!(sent.smtp_reply.unwrap().as_str().starts_with("250"));
    // the sink (which advertises no DSN) logged the message under its Message-ID, from the VERP sender
    let bare = sent
        .message_id
        .as_str()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    let logged = std::fs::read_to_string(log.join("sink.jsonl")).unwrap();
    let line: serde_json::Value = logged
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| {
            v["message_id"]
                .as_str()
                .is_some_and(|m| m.trim_matches(|c| c == '<' || c == '>') == bare)
        })
        .expect("the sink received our message");
    assert!(
        line["mail_from"].as_str().unwrap().starts_with("bounces+"),
        "{line}"
    );
    b.stop().await;
}
