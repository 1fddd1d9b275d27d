//! Whole-system runs: a simulated pad, the edge agent and the backend over
//! mutual TLS, on the embedded defaults, for each supported pad model.

use integration_tests::demo::{self, Options};
use stu_protocol::Model;

async fn run(model: Model, seed: u64) -> demo::Report {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let report = demo::run(Options {
        out,
        pad: model,
        seed,
        verbose: false,
    })
    .await
    .unwrap();
    drop(dir);
    report
}

fn assert_signed_offer_reached_the_insurer(r: &demo::Report) {
    assert_eq!(
        r.final_status, 4,
        "the agent sees 'PČS přijala nabídku do zpracování'"
    );
    assert_eq!(
        r.refusals, 1,
        "the too-narrow signature was refused once, then signed again"
    );
    assert!(
        r.insurer_copy_extends_sealed,
        "the insurer's copy keeps the agent's sealed bytes"
    );
    assert_eq!(
        r.valid_signatures, 2,
        "the agent's signature and the insurer's seal both verify"
    );
    assert_eq!(
        r.envelopes_opened, 2,
        "the escrow key opens both envelopes, bound to this document"
    );
    // the edge agent's part and the receipt in order; the backend's roles then run side by side
    assert_eq!(
        r.timeline[..6],
        [
            "OfferModelled",
            "SigningStarted",
            "FieldSigned",
            "FieldSigned",
            "OfferSealed",
            "OfferReceived",
        ],
        "the help desk sees the whole story in order"
    );
    let mut rest = r.timeline[6..].to_vec();
    rest.sort();
    let mut expected = vec![
        "AccessCodeIssued",
        "DocumentDownloaded",
        "DocumentsPublished",
        "EmailSent",
        "NotificationScheduled",
        "OfferAccepted",
        "SmsSent",
        "StorageOpened",
    ];
    expected.sort();
    assert_eq!(rest, expected, "{:?}", r.timeline);
    let position = |t: &str| r.timeline.iter().position(|x| x == t).unwrap();
    assert!(position("OfferAccepted") < position("DocumentsPublished"));
    assert!(
        position("AccessCodeIssued") < position("SmsSent"),
        "the code is issued before its SMS"
    );
    assert!(position("SmsSent") < position("StorageOpened"));
    assert!(
        r.storage_download_matches,
        "the client downloads exactly the insurer's copy with the link and the code"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_signed_on_an_stu_430_travels_to_acceptance_with_both_seals_valid() {
    assert_signed_offer_reached_the_insurer(&run(Model::Stu430, 7).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_signed_on_an_stu_300_travels_to_acceptance_with_both_seals_valid() {
    assert_signed_offer_reached_the_insurer(&run(Model::Stu300, 11).await);
}
