//! Sending rates of the notification transports against the real loopback peers.
//!
//! ```sh
//! integration-tests/peers/peers.sh start /tmp/peers && eval "$(integration-tests/peers/peers.sh env /tmp/peers)"
//! cargo bench -p inkseal-server --bench notify
//! ```
//!
//! - **mails/s** through [`SmtpMail`] to the plain SMTP sink (`INKSEAL_TEST_SMTP_SINK`): 500 messages
//!   of 4 KiB, 8 at once, one connection per message as the sender uses it; beside postfix's
//!   `smtp-source` with the same count, size and concurrency against the same sink in the same
//!   run (`INKSEAL_BENCH_SMTP_SOURCE` names the binary; its libraries' folder in
//!   `LD_LIBRARY_PATH`), goal ≥ 0.5×;
//! - **SMS/s** through [`SmppGateway`] to the SMS centre (`INKSEAL_TEST_SMSC`): 500 UCS-2
//!   messages, 8 at once, on one bound session.

use std::sync::Arc;
use std::time::{Duration, Instant};

use inkseal_server::notify::mail::{
    MailOutcome, MailTransport, OutgoingMail, SmtpMail, SmtpSecurity,
};
use inkseal_server::notify::smpp::SmppGateway;
use inkseal_server::notify::sms::{OutgoingSms, SmsGateway, SmsOutcome};

const COUNT: usize = 500;
const CONCURRENCY: usize = 8;

fn message(i: usize) -> OutgoingMail {
    let body = "Dobrý den, dokumenty k vaší nabídce jsou v úložišti. ".repeat(75);
    let formatted = format!(
        "From: dokumenty@pojistovna.test\r\nTo: klient@example.test\r\nSubject: bench {i}\r\nMessage-ID: <bench.{i}@inkseal.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    );
    OutgoingMail {
        message_id: format!("bench.{i}@inkseal.test"),
        envelope_id: format!("bench.email.{i}"),
        envelope_from: format!("bounces+bench.email.{i}@bounce.test"),
        to: "klient@example.test".into(),
        formatted: formatted.into_bytes(),
    }
}

async fn mails(addr: &str) -> f64 {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let smtp = Arc::new(SmtpMail {
        host: host.into(),
        port: port.parse().unwrap(),
        security: SmtpSecurity::Plain,
        hello: "inkseal.bench".into(),
        timeout: Duration::from_secs(30),
    });
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONCURRENCY {
        let smtp = smtp.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..COUNT).step_by(CONCURRENCY) {
                let outcome = smtp.send(&message(i)).await.expect("the sink accepts");
                assert!(matches!(outcome, MailOutcome::Accepted { .. }));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    COUNT as f64 / start.elapsed().as_secs_f64()
}

fn smtp_source(addr: &str) -> Option<f64> {
    let binary = std::env::var("INKSEAL_BENCH_SMTP_SOURCE").ok()?;
    let start = Instant::now();
    let status = std::process::Command::new(binary)
        .args([
            "-s",
            &CONCURRENCY.to_string(),
            "-m",
            &COUNT.to_string(),
            "-l",
            "4096",
            "-f",
            "dokumenty@pojistovna.test",
            "-t",
            "klient@example.test",
            addr,
        ])
        .status()
        .ok()?;
    status
        .success()
        .then(|| COUNT as f64 / start.elapsed().as_secs_f64())
}

async fn sms(addr: &str) -> f64 {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let (gateway, mut receipts) = SmppGateway::new(
        host.into(),
        port.parse().unwrap(),
        std::env::var("INKSEAL_TEST_SMSC_SYSTEM_ID").unwrap_or_else(|_| "inkseal".into()),
        std::env::var("INKSEAL_TEST_SMSC_PASSWORD").unwrap_or_else(|_| "secret".into()),
        "PCS".into(),
    );
    tokio::spawn(async move { while receipts.recv().await.is_some() {} });
    let gateway = Arc::new(gateway);
    // bind first, outside the measurement
    gateway
        .send(&OutgoingSms {
            reference: "bench.warmup".into(),
            to: "+420603123456".into(),
            text: "PČS: přístupový kód do úložiště: K7PM 3QXD. Platí do 1.1.2027.".into(),
        })
        .await
        .unwrap();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONCURRENCY {
        let gateway = gateway.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..COUNT).step_by(CONCURRENCY) {
                let outcome = gateway
                    .send(&OutgoingSms {
                        reference: format!("bench.sms.{i}"),
                        to: "+420603123456".into(),
                        text: "PČS: přístupový kód do úložiště: K7PM 3QXD. Platí do 1.1.2027."
                            .into(),
                    })
                    .await
                    .unwrap();
                assert!(matches!(outcome, SmsOutcome::Accepted { .. }));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rate = COUNT as f64 / start.elapsed().as_secs_f64();
    gateway.close().await;
    rate
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        match std::env::var("INKSEAL_TEST_SMTP_SINK") {
            Ok(sink) => {
                let ours = mails(&sink).await;
                println!("mail: SmtpMail to the sink, {COUNT} × 4 KiB, {CONCURRENCY} at once: {ours:.1} mails/s");
                match smtp_source(&sink) {
                    Some(theirs) => println!(
                        "mail: postfix smtp-source, same sink and shape: {theirs:.1} mails/s; ratio {:.2} (goal >= 0.5)",
                        ours / theirs
                    ),
                    None => println!("mail: smtp-source not run (set INKSEAL_BENCH_SMTP_SOURCE)"),
                }
            }
            Err(_) => println!("mail: skipped, INKSEAL_TEST_SMTP_SINK is not set (start the peers)"),
        }
        match std::env::var("INKSEAL_TEST_SMSC") {
            Ok(smsc) => println!(
                "sms: SmppGateway to the SMS centre, {COUNT} UCS-2 messages, {CONCURRENCY} at once: {:.1} SMS/s",
                sms(&smsc).await
            ),
            Err(_) => println!("sms: skipped, INKSEAL_TEST_SMSC is not set (start the peers)"),
        }
    });
}
