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
