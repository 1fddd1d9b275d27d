//! Several backend processes on one PostgreSQL database: each offer is
//! claimed and decided by exactly one of them, and the projection is applied
//! once, whichever process holds its checkpoint.
//!
//! In the first test each "process" has its own event-store connection pool,
//! read-model pool and instance name, as separate processes would; the second
//! runs two real `inkseal-server serve --roles acceptance,projections`
//! processes. All share one schema. The database URL comes from
//! `INKSEAL_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`);
//! when it is unset or unreachable the test fails under CI (`CI=true`) and
//! elsewhere skips with a one-line notice.

mod common;

use std::time::Duration;

use common::*;
use event_store::{Direction, EventStore};
use inkseal_server::documents::Documents;
use inkseal_server::roles::Role;

use event_store::testing::{TestSchema as Schema, postgres_url as database_url};

/// One backend "process" on the shared schema.
async fn process(schema: &Schema, documents: &Documents, roles: &[Role], name: &str) -> Backend {
    pg_process(schema, documents, roles, name).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgresql_never_process_the_same_offer_twice() {
    let Some(url) = database_url().await else {
        return;
    };
    let schema = Schema {
        url,
        name: format!("inkseal_srv_{}", uuid::Uuid::new_v4().simple()),
    };
    let docs_dir = tempfile::tempdir().unwrap();
    let documents = Documents::local(docs_dir.path()).unwrap();

    // the ingest process receives every offer first, so the workers race on a backlog
    const OFFERS: usize = 24;
    let (ingest, offers) = ingest_backlog(&schema, &documents, "OFFER-PG", OFFERS).await;

    // two more processes, each projecting and accepting, start at once
    let roles = [Role::Projections, Role::Acceptance];
    let (a, b) = tokio::join!(
        process(&schema, &documents, &roles, "proc-a"),
        process(&schema, &documents, &roles, "proc-b")
    );

    let store = ingest.components.store.clone();
    let accepted = wait_for_acceptances(store.as_ref(), &offers).await;
    assert_eq!(accepted, OFFERS, "every offer accepted exactly once");

    let claims = ingest
        .components
        .read_model
        .acceptance_claims()
        .await
        .unwrap();
    assert_eq!(claims.len(), OFFERS);
    assert!(
        claims.iter().all(|(_, n)| *n == 1),
        "an offer was claimed twice: {claims:?}"
    );
    let owners: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT owner FROM rm_acceptance_claims ORDER BY owner")
            .fetch_all(ingest.components.read_model.pool())
            .await
            .unwrap();
    eprintln!("claims by: {owners:?}");

    // the projection applied each event once, whichever process held the checkpoint
    ingest.settle().await;
    for offer in &offers {
        let row = ingest
            .components
            .read_model
            .offer(&offer.offer_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, 4);
        let timeline = ingest
            .components
            .read_model
            .timeline(&offer.offer_id, 0, 100)
            .await
            .unwrap();
        assert_eq!(timeline.len(), 7);
    }
    for p in [a, b, ingest] {
        p.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_inkseal_server_processes_share_the_acceptance_work_without_overlap() {
    let Some(url) = database_url().await else {
        return;
    };
    let schema = Schema {
        url: url.clone(),
        name: format!("inkseal_srv_{}", uuid::Uuid::new_v4().simple()),
    };
    let shared = tempfile::tempdir().unwrap();
    let documents_dir = shared.path().join("documents");
    let documents = Documents::local(&documents_dir).unwrap();
    pki().write(&shared.path().join("pki")).unwrap();

    const OFFERS: usize = 16;
    let (ingest, offers) = ingest_backlog(&schema, &documents, "OFFER-OS", OFFERS).await;

    // two real processes of the binary, one role set each: acceptance and projections
    let spawn = |name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_inkseal-server"))
            .args(["serve", "--roles", "acceptance,projections"])
            .env("INKSEAL_DATA_DIR", shared.path().join(name))
            .env("INKSEAL_DATABASE_URL", &url)
            .env("INKSEAL_DATABASE_SCHEMA", &schema.name)
            .env("INKSEAL_INSTANCE_NAME", name)
            .env("INKSEAL_METRICS_LISTEN", "off")
            .env("INKSEAL_DOCUMENTS_LOCAL_DIR", &documents_dir)
            .env(
                "INKSEAL_ACCEPTANCE_SEAL_CERT",
                shared.path().join("pki/seal.pem"),
            )
            .env(
                "INKSEAL_ACCEPTANCE_SEAL_KEY",
                shared.path().join("pki/seal.key"),
            )
            .env(
                "INKSEAL_ACCEPTANCE_AGENT_SIGNING_CA",
                shared.path().join("pki/ca.pem"),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut children = [spawn("os-a"), spawn("os-b")];

    let store = ingest.components.store.clone();
    let accepted = wait_for_acceptances(store.as_ref(), &offers).await;
    for child in &mut children {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    for child in &mut children {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "process exited with {status:?}");
                break;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("process did not stop on SIGTERM");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(accepted, OFFERS, "every offer accepted exactly once");
    let claims = ingest
        .components
        .read_model
        .acceptance_claims()
        .await
        .unwrap();
    assert_eq!(claims.len(), OFFERS);
    assert!(
        claims.iter().all(|(_, n)| *n == 1),
        "an offer was claimed twice: {claims:?}"
    );
    ingest.stop().await;
}

/// An ingest process that has received `n` offers (ids `<prefix>-000`, …), each sent, all
/// projected: the backlog acceptance workers then race on.
async fn ingest_backlog(
    schema: &Schema,
    documents: &Documents,
    prefix: &str,
    n: usize,
) -> (Backend, Vec<SignedOffer>) {
    let ingest = process(
        schema,
        documents,
        &[Role::Ingest, Role::Projections],
        "ingest",
    )
    .await;
    let offers: Vec<SignedOffer> = (0..n)
        .map(|i| signed_offer(&format!("{prefix}-{i:03}"), AGENT, 0))
        .collect();
    let mut client = ingest.agent(AGENT).await;
    for offer in &offers {
        let receipt = send_offer(&mut client, offer).await;
        assert_eq!(receipt.status, inkseal_proto::v1::OfferStatus::Sent as i32);
    }
    ingest.settle().await;
    (ingest, offers)
}

/// Polls (for up to a minute) until every offer has an `OfferAccepted`; returns how many
/// `OfferAccepted` events the offers' streams hold then.
async fn wait_for_acceptances(store: &dyn EventStore, offers: &[SignedOffer]) -> usize {
    let mut accepted = 0;
    for _ in 0..600 {
        accepted = 0;
        for offer in offers {
            let events = store
                .read_stream(
                    &format!("offer-{}", offer.offer_id),
                    0,
                    Direction::Forward,
                    100,
                )
                .await
                .unwrap();
            accepted += events
                .iter()
                .filter(|e| e.event_type == "OfferAccepted")
                .count();
        }
        if accepted == offers.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    accepted
}
