//! The real binary stopped at each step of sending a notification (crash
//! points, `INKSEAL_FAILPOINT`, abort the process as SIGKILL would) and
//! started again: afterwards the client has exactly one e-mail on record, or a
//! repeat that the timeline shows with the same Message-ID — never a message
//! lost, never a silent second one.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use inkseal_proto::v1 as pb;
use inkseal_proto::v1::edge_sync_client::EdgeSyncClient;
use inkseal_proto::v1::help_desk_client::HelpDeskClient;

const BIN: &str = env!("CARGO_BIN_EXE_inkseal-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    grpc: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, failpoint: Option<&str>) -> Server {
    let (grpc, metrics, storage) = (free_port(), free_port(), free_port());
    let config = dir.join("inkseal.toml");
    std::fs::write(
        &config,
        format!(
            "[acceptance]\nlease_seconds = 2\npoll_interval_ms = 100\n[notifications]\npoll_interval_ms = 100\n[storage]\nlisten = \"127.0.0.1:{storage}\"\n"
        ),
    )
    .unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["--config", config.to_str().unwrap(), "serve"])
        .env("INKSEAL_DATA_DIR", dir)
        .env("INKSEAL_GRPC_LISTEN", format!("127.0.0.1:{grpc}"))
        .env("INKSEAL_METRICS_LISTEN", format!("127.0.0.1:{metrics}"))
        .env_remove("INKSEAL_FAILPOINT")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = failpoint {
        command.env("INKSEAL_FAILPOINT", point);
    }
    Server {
        child: command.spawn().unwrap(),
        grpc,
    }
}

async fn connect(
    server: &Server,
) -> (
    EdgeSyncClient<tonic::transport::Channel>,
    HelpDeskClient<tonic::transport::Channel>,
) {
    let url = format!("https://localhost:{}", server.grpc);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", server.grpc))
            .await
            .is_ok()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let agent = EdgeSyncClient::new(channel(&url, pki().agent(AGENT).unwrap()).await)
        .max_decoding_message_size(inkseal_proto::limits::MAX_MESSAGE_BYTES);
    let hd =
        HelpDeskClient::new(channel(&url, pki().help_desk_user(HELP_DESK_USER).unwrap()).await);
    (agent, hd)
}

async fn timeline(
    hd: &mut HelpDeskClient<tonic::transport::Channel>,
    offer_id: &str,
) -> Vec<pb::TimelineEntry> {
    hd.get_timeline(pb::GetTimelineRequest {
        offer_id: offer_id.into(),
        from_version: 0,
        limit: 0,
    })
    .await
    .map(|r| r.into_inner().entries)
    .unwrap_or_default()
}

async fn wait_until(
    hd: &mut HelpDeskClient<tonic::transport::Channel>,
    offer_id: &str,
    what: impl Fn(&[pb::TimelineEntry]) -> bool,
) -> Vec<pb::TimelineEntry> {
    for _ in 0..300 {
        let entries = timeline(hd, offer_id).await;
        if what(&entries) {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{offer_id}: {:?}",
        timeline(hd, offer_id)
            .await
            .iter()
            .map(|e| e.event_type.clone())
            .collect::<Vec<_>>()
    );
}

fn count(entries: &[pb::TimelineEntry], event_type: &str) -> usize {
    entries
        .iter()
        .filter(|e| e.event_type == event_type)
        .count()
}

/// Runs the scenario with the process stopped at `point`; returns the timeline afterwards.
async fn crash_at(point: &str) -> (Vec<pb::TimelineEntry>, usize) {
    let dir = tempfile::tempdir().unwrap();
    pki().write(&dir.path().join("pki")).unwrap();
    let offer = signed_offer(&format!("NAB-KILL-{point}"), AGENT, 0);

    let mut first = serve(dir.path(), Some(point));
    let (mut agent, mut hd) = connect(&first).await;
    send_offer(&mut agent, &offer).await;
    wait_until(&mut hd, &offer.offer_id, |t| {
        count(t, "DocumentsPublished") == 1
    })
    .await;
    // the client calls: the help desk resends the e-mail, due at once
    hd.resend_notification(pb::ResendNotificationRequest {
        offer_id: offer.offer_id.clone(),
        channels: Some(pb::Channels {
            email: true,
            sms: false,
        }),
        reason: "Klientovi nedorazil e-mail.".into(),
    })
    .await
    .unwrap();
    // the crash point stops the process
    let status = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = first.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the crash point was not reached");
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap();
    assert!(!status.success(), "the process was stopped at {point}");

    // started again, without the crash point
    let second = serve(dir.path(), None);
    let (_, mut hd) = connect(&second).await;
    let entries = wait_until(&mut hd, &offer.offer_id, |t| count(t, "EmailSent") >= 1).await;
    // give a wrongly repeated send every chance to show itself
    tokio::time::sleep(Duration::from_secs(3)).await;
    let entries = {
        let later = timeline(&mut hd, &offer.offer_id).await;
        if later.len() >= entries.len() {
            later
        } else {
            entries
        }
    };
    let mails = std::fs::read_dir(dir.path().join("outbox/mail"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        })
        .unwrap_or(0);
    drop(second);
    (entries, mails)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_claim_the_email_goes_out_once_and_the_repeat_is_on_the_record() {
    let (entries, mails) = crash_at("notify-after-claim").await;
    assert_eq!(count(&entries, "EmailSent"), 1);
    assert_eq!(
        count(&entries, "NotificationRepeated"),
        1,
        "the claim may have reached the peer: the repeat is shown"
    );
    assert_eq!(mails, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_peer_took_the_email_it_goes_again_with_the_same_message_id_as_a_visible_repeat()
 {
    let (entries, mails) = crash_at("notify-after-send").await;
    assert_eq!(count(&entries, "EmailSent"), 1, "recorded once");
    assert_eq!(count(&entries, "NotificationRepeated"), 1);
    let repeat = entries
        .iter()
        .find(|e| e.event_type == "NotificationRepeated")
        .unwrap();
    assert!(repeat.summary.contains("pokus 2"), "{}", repeat.summary);
    assert_eq!(mails, 1, "the same Message-ID: the same file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_record_nothing_is_sent_twice() {
    let (entries, _) = crash_at("notify-after-record").await;
    assert_eq!(count(&entries, "EmailSent"), 1);
    assert_eq!(
        count(&entries, "NotificationRepeated"),
        0,
        "the recorded outcome is kept, nothing goes again"
    );
}
