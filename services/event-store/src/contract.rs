//! The contract suite every adapter must pass.
//!
//! Each check is a public async function taking a fresh, empty store; the
//! adapters' test files run them all through [`contract_tests!`](crate::contract_tests).
//! Checks that depend on a promise an adapter may not make are gated on its
//! [`Capabilities`](crate::Capabilities). The functions panic with a message
//! naming the broken promise.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::{
    Direction, EventStore, ExpectedVersion, NewEvent, StoreError, SubscriptionItem,
    SubscriptionOptions, limits, subscribe_all,
};

/// Something that holds the store's write lock for a while, writes, and rolls
/// back (a transaction that never commits), to prove subscribers neither stall
/// forever nor skip events around it.
pub type Interferer =
    Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Generous bound on any single wait in the suite, so a broken adapter fails
/// instead of hanging. Not a performance expectation.
const WAIT: Duration = Duration::from_secs(30);

fn ev(kind: &str, n: u32) -> NewEvent {
    NewEvent::new(kind, 1, format!("{{\"n\":{n}}}").into_bytes())
}

fn batch(n: u32) -> Vec<NewEvent> {
    (0..n).map(|i| ev("Counted", i)).collect()
}

/// Check 1 — Expected-version cases, with the actual version in the error.
pub async fn expected_versions_are_enforced(store: Arc<dyn EventStore>) {
    let r = store
        .append("offer-1", ExpectedVersion::NoStream, batch(1))
        .await
        .unwrap();
    assert_eq!(
        (r.first_version, r.last_version, r.first_position),
        (0, 0, 1)
    );

    match store
        .append("offer-1", ExpectedVersion::NoStream, batch(1))
        .await
    {
        Err(StoreError::WrongExpectedVersion {
            actual: Some(0), ..
        }) => {}
        other => panic!("NoStream on an existing stream must fail with actual 0, got {other:?}"),
    }
    match store
        .append("offer-2", ExpectedVersion::StreamExists, batch(1))
        .await
    {
        Err(StoreError::WrongExpectedVersion { actual: None, .. }) => {}
        other => {
            panic!("StreamExists on a missing stream must fail with actual none, got {other:?}")
        }
    }
    let r = store
        .append("offer-1", ExpectedVersion::Exact(0), batch(2))
        .await
        .unwrap();
    assert_eq!((r.first_version, r.last_version), (1, 2));
    let err = store
        .append("offer-1", ExpectedVersion::Exact(1), batch(1))
        .await
        .unwrap_err();
    match &err {
        StoreError::WrongExpectedVersion {
            stream,
            expected,
            actual,
        } => {
            assert_eq!(stream, "offer-1");
            assert_eq!(*expected, ExpectedVersion::Exact(1));
            assert_eq!(*actual, Some(2));
        }
        other => panic!("stale exact version must fail, got {other:?}"),
    }
    assert!(
        err.to_string().contains("actual version 2"),
        "error names the actual version: {err}"
    );
    store
        .append("offer-1", ExpectedVersion::StreamExists, batch(1))
        .await
        .unwrap();
    store
        .append("offer-1", ExpectedVersion::Any, batch(1))
        .await
        .unwrap();
    store
        .append("offer-3", ExpectedVersion::Any, batch(1))
        .await
        .unwrap();
    assert_eq!(store.stream_version("offer-1").await.unwrap(), Some(4));
    assert_eq!(store.stream_version("offer-404").await.unwrap(), None);
    assert_eq!(
        store.head_position().await.unwrap(),
        6,
        "failed appends wrote nothing"
    );
}

/// Check 2 — Many tasks racing the same exact version: exactly one wins.
pub async fn racing_appends_at_one_version_have_one_winner(store: Arc<dyn EventStore>) {
    store
        .append("race", ExpectedVersion::NoStream, batch(1))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append("race", ExpectedVersion::Exact(0), vec![ev("Raced", i)])
                .await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => {
                wins += 1;
                assert_eq!(r.first_version, 1);
            }
            Err(StoreError::WrongExpectedVersion {
                actual: Some(1), ..
            }) => {}
            Err(e) => panic!("a losing racer must see actual version 1, got {e}"),
        }
    }
    assert_eq!(wins, 1, "exactly one racer wins");
    assert_eq!(store.stream_version("race").await.unwrap(), Some(1));
}

/// Check 3 — A retried batch returns the original result and writes nothing; a
/// partial overlap or the same id with other content is an error.
pub async fn retried_appends_are_idempotent(store: Arc<dyn EventStore>) {
    let events = batch(3);
    let first = store
        .append("idem", ExpectedVersion::NoStream, events.clone())
        .await
        .unwrap();
    assert!(!first.duplicate);
    store
        .append("other", ExpectedVersion::NoStream, batch(2))
        .await
        .unwrap();

    // A retry after a lost answer: the expected version is stale by now, but
    // it is the same batch, so it succeeds with the original result.
    let again = store
        .append("idem", ExpectedVersion::NoStream, events.clone())
        .await
        .unwrap();
    assert!(again.duplicate, "a retry is reported as a duplicate");
    assert_eq!(
        (
            again.first_version,
            again.last_version,
            again.first_position,
            again.last_position
        ),
        (
            first.first_version,
            first.last_version,
            first.first_position,
            first.last_position
        )
    );
    // The same retry with no expectation at all (where only the stored ids
    // can tell it is a retry) is recognised too.
    let any = store
        .append("idem", ExpectedVersion::Any, events.clone())
        .await
        .unwrap();
    assert!(any.duplicate, "a retry with Any is reported as a duplicate");
    assert_eq!(
        (any.first_position, any.last_position),
        (first.first_position, first.last_position)
    );
    assert_eq!(
        store.head_position().await.unwrap(),
        5,
        "the retries wrote nothing"
    );

    let mut overlap = events[1..].to_vec();
    overlap.push(ev("Counted", 99));
    assert!(matches!(
        store.append("idem", ExpectedVersion::Any, overlap).await,
        Err(StoreError::IdempotencyConflict { .. })
    ));

    let mut changed = events.clone();
    changed[2].payload = b"{\"n\":\"changed\"}".to_vec();
    assert!(matches!(
        store.append("idem", ExpectedVersion::Any, changed).await,
        Err(StoreError::IdempotencyConflict { .. })
    ));

    assert!(matches!(
        store
            .append("elsewhere", ExpectedVersion::Any, events.clone())
            .await,
        Err(StoreError::IdempotencyConflict { .. })
    ));
    assert_eq!(
        store.head_position().await.unwrap(),
        5,
        "conflicts wrote nothing"
    );
    assert_eq!(store.stream_version("elsewhere").await.unwrap(), None);
}

/// Check 4 — `read_stream` forward/backward with limits; `read_all` strictly
/// increasing with per-stream order kept.
pub async fn reads_keep_stream_and_global_order(store: Arc<dyn EventStore>) {
    for round in 0..5u32 {
        for s in ["a", "b", "c"] {
            store
                .append(
                    s,
                    ExpectedVersion::Any,
                    vec![ev(s, round), ev(s, round + 100)],
                )
                .await
                .unwrap();
        }
    }
    let fwd = store
        .read_stream("b", 0, Direction::Forward, 4)
        .await
        .unwrap();
    assert_eq!(
        fwd.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    assert!(fwd.iter().all(|e| e.stream == "b"));
    let rest = store
        .read_stream("b", 4, Direction::Forward, 100)
        .await
        .unwrap();
    assert_eq!(rest.len(), 6);
    let back = store
        .read_stream("b", u64::MAX, Direction::Backward, 3)
        .await
        .unwrap();
    assert_eq!(
        back.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![9, 8, 7]
    );
    let back_from = store
        .read_stream("b", 2, Direction::Backward, 10)
        .await
        .unwrap();
    assert_eq!(
        back_from.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![2, 1, 0]
    );
    assert!(
        store
            .read_stream("none", 0, Direction::Forward, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let all = store.read_all(1, 1000).await.unwrap();
    assert_eq!(all.len(), 30);
    assert!(
        all.windows(2).all(|w| w[0].position < w[1].position),
        "read_all strictly increasing"
    );
    if store.capabilities().dense_positions {
        assert_eq!(
            all.iter().map(|e| e.position).collect::<Vec<_>>(),
            (1..=30).collect::<Vec<_>>()
        );
    }
    let mut last: BTreeMap<&str, u64> = BTreeMap::new();
    for e in &all {
        if let Some(prev) = last.insert(e.stream.as_str(), e.version) {
            assert_eq!(
                e.version,
                prev + 1,
                "per-stream order kept in the global order"
            );
        }
    }
    let page = store.read_all(11, 5).await.unwrap();
    assert_eq!(page.first().map(|e| e.position), Some(11));
    assert_eq!(page.len(), 5);
    assert!(store.read_all(31, 10).await.unwrap().is_empty());
}

/// Check 5 — No skip under concurrency: many writers (some appends failing their
/// version check, one foreign transaction holding the write lock and rolling
/// back); a subscriber receives every committed event exactly once, in
/// increasing order, contiguous where positions are dense.
pub async fn subscribers_see_every_event_once_in_order_under_concurrent_writers(
    store: Arc<dyn EventStore>,
    interferer: Option<Interferer>,
) {
    const WRITERS: u32 = 16;
    const APPENDS: u32 = 25;
    let mut sub = subscribe_all(
        store.clone(),
        0,
        SubscriptionOptions {
            page_size: 37,
            poll_interval: Duration::from_millis(20),
            buffer: 64,
            ..Default::default()
        },
    );
    let holder = interferer.map(|hold| {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            hold(Duration::from_millis(400)).await;
            hold(Duration::from_millis(50)).await;
        })
    });
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let stream = format!("writer-{w}");
            let mut committed = 0u64;
            let mut version: Option<u64> = None;
            for a in 0..APPENDS {
                let events: Vec<NewEvent> = (0..1 + (a % 4))
                    .map(|i| ev("Written", a * 10 + i))
                    .collect();
                let n = events.len() as u64;
                if a % 7 == 3 {
                    // a stale expectation: must be refused and write nothing
                    let stale = ExpectedVersion::Exact(version.map_or(1_000, |v| v + 5));
                    assert!(store.append(&stream, stale, events).await.is_err());
                    continue;
                }
                let r = store
                    .append(&stream, ExpectedVersion::after(version), events)
                    .await
                    .unwrap();
                version = Some(r.last_version);
                committed += n;
            }
            committed
        }));
    }
    let mut expected_total = 0u64;
    for w in writers {
        expected_total += w.await.unwrap();
    }
    if let Some(h) = holder {
        h.await.unwrap();
    }

    let mut seen = HashSet::new();
    let mut last_position = 0u64;
    let mut stream_versions: BTreeMap<String, u64> = BTreeMap::new();
    let mut caught_up = 0;
    while (seen.len() as u64) < expected_total {
        let item = tokio::time::timeout(WAIT, sub.next())
            .await
            .expect("subscriber stalled")
            .expect("subscription ended")
            .expect("subscription failed");
        match item {
            SubscriptionItem::CaughtUp { .. } => caught_up += 1,
            SubscriptionItem::Event(e) => {
                assert!(e.position > last_position, "increasing order");
                if store.capabilities().dense_positions {
                    assert_eq!(e.position, last_position + 1, "no holes in a dense order");
                }
                last_position = e.position;
                assert!(seen.insert(e.id), "event {} delivered twice", e.id);
                let prev = stream_versions.insert(e.stream.clone(), e.version);
                assert_eq!(
                    e.version,
                    prev.map_or(0, |v| v + 1),
                    "stream order kept for {}",
                    e.stream
                );
            }
        }
    }
    assert!(caught_up <= 1, "caught up is said at most once");
    assert_eq!(seen.len() as u64, expected_total);
    assert_eq!(
        store.head_position().await.unwrap(),
        expected_total,
        "rolled-back work left no trace"
    );
    // nothing more arrives: no phantom or duplicate events
    let extra = tokio::time::timeout(Duration::from_millis(200), async {
        loop {
            match sub.next().await {
                Some(Ok(SubscriptionItem::CaughtUp { .. })) => continue,
                other => return other,
            }
        }
    })
    .await;
    assert!(
        extra.is_err(),
        "no event beyond the committed ones: {extra:?}"
    );
}

/// Check 6 — A subscription resumes after a checkpoint (exclusive), says "caught up"
/// once, then delivers live events.
pub async fn subscriptions_resume_after_a_checkpoint_then_follow_live_writes(
    store: Arc<dyn EventStore>,
) {
    for i in 0..10 {
        store
            .append("s", ExpectedVersion::Any, vec![ev("Before", i)])
            .await
            .unwrap();
    }
    let mut sub = subscribe_all(
        store.clone(),
        4,
        SubscriptionOptions {
            page_size: 3,
            ..Default::default()
        },
    );
    for p in 5..=10 {
        match next(&mut sub).await {
            SubscriptionItem::Event(e) => assert_eq!(e.position, p),
            other => panic!("expected event {p}, got {other:?}"),
        }
    }
    assert_eq!(
        next(&mut sub).await,
        SubscriptionItem::CaughtUp { position: 10 }
    );
    let s2 = store.clone();
    tokio::spawn(async move {
        for i in 0..3 {
            s2.append("s", ExpectedVersion::Any, vec![ev("Live", i)])
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    for p in 11..=13 {
        match next(&mut sub).await {
            SubscriptionItem::Event(e) => {
                assert_eq!(e.position, p);
                assert_eq!(e.event_type, "Live");
            }
            other => panic!("expected live event {p}, caught-up is said once; got {other:?}"),
        }
    }
}

async fn next(sub: &mut crate::Subscription) -> SubscriptionItem {
    tokio::time::timeout(WAIT, sub.next())
        .await
        .expect("stalled")
        .expect("ended")
        .expect("failed")
}

/// Check 7 — Unicode, metadata and large payloads round-trip.
pub async fn unicode_metadata_and_large_payloads_round_trip(store: Arc<dyn EventStore>) {
    let big: Vec<u8> = (0..limits::MAX_PAYLOAD_BYTES)
        .map(|i| (i % 251) as u8)
        .collect();
    let mut e1 = NewEvent::new(
        "ContactCorrected",
        3,
        "{\"jméno\":\"Řehoř Žluťoučký 🐴\"}".as_bytes().to_vec(),
    );
    e1.metadata = "{\"user\":\"helpdesk-Šárka\",\"reason\":\"klient volal\"}"
        .as_bytes()
        .to_vec();
    let e2 = NewEvent::new("Large", 1, big.clone());
    let stream = "nabídka-ČJ-2026/001";
    store
        .append(
            stream,
            ExpectedVersion::NoStream,
            vec![e1.clone(), e2.clone()],
        )
        .await
        .unwrap();
    let back = store
        .read_stream(stream, 0, Direction::Forward, 10)
        .await
        .unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].stream, stream);
    assert_eq!(
        (back[0].id, &back[0].event_type, back[0].schema_version),
        (e1.id, &e1.event_type, 3)
    );
    assert_eq!(back[0].payload, e1.payload);
    assert_eq!(back[0].metadata, e1.metadata);
    assert_eq!(back[1].payload, big);
    let age = chrono::Utc::now() - back[0].recorded_at;
    assert!(
        age.num_seconds().abs() < 3600,
        "recorded_at is the commit time, UTC"
    );
}

/// Callers that give up (their future dropped while queued or while leading a
/// commit) never break the commits of the others: every other append is
/// answered, and every append is stored whole or not at all.
pub async fn abandoned_appends_do_not_break_other_writers(store: Arc<dyn EventStore>) {
    let mut tasks = Vec::new();
    for w in 0..24u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append(&format!("abandon-{w}"), ExpectedVersion::NoStream, batch(5))
                .await
        }));
    }
    // abandon every third caller at once, wherever it is
    for (i, t) in tasks.iter().enumerate() {
        if i % 3 == 0 {
            t.abort();
        }
    }
    for (i, t) in tasks.into_iter().enumerate() {
        match tokio::time::timeout(WAIT, t).await.expect("an append hung") {
            Ok(result) => {
                result.unwrap_or_else(|e| panic!("append {i} failed: {e}"));
            }
            Err(e) => assert!(e.is_cancelled() && i % 3 == 0, "append {i} panicked: {e}"),
        }
    }
    for w in 0..24u32 {
        let events = store
            .read_stream(&format!("abandon-{w}"), 0, Direction::Forward, 100)
            .await
            .unwrap();
        assert!(
            events.is_empty() || events.len() == 5,
            "stream {w} has {} of 5 events",
            events.len()
        );
    }
    let all = store.read_all(1, 1000).await.unwrap();
    assert_eq!(all.len() as u64, store.head_position().await.unwrap());
}

/// Bounds: an empty, oversized or malformed append is refused and writes nothing.
pub async fn oversized_or_malformed_appends_are_refused(store: Arc<dyn EventStore>) {
    let invalid = |r: Result<_, StoreError>| matches!(r, Err(StoreError::InvalidInput(_)));
    assert!(invalid(
        store.append("s", ExpectedVersion::Any, vec![]).await
    ));
    assert!(invalid(
        store.append("", ExpectedVersion::Any, batch(1)).await
    ));
    let long = "x".repeat(limits::MAX_STREAM_NAME_BYTES + 1);
    assert!(invalid(
        store.append(&long, ExpectedVersion::Any, batch(1)).await
    ));
    let too_many = (0..limits::MAX_EVENTS_PER_APPEND as u32 + 1)
        .map(|i| ev("E", i))
        .collect();
    assert!(invalid(
        store.append("s", ExpectedVersion::Any, too_many).await
    ));
    let huge = NewEvent::new("E", 1, vec![0; limits::MAX_PAYLOAD_BYTES + 1]);
    assert!(invalid(
        store.append("s", ExpectedVersion::Any, vec![huge]).await
    ));
    let e = ev("E", 1);
    assert!(invalid(
        store
            .append("s", ExpectedVersion::Any, vec![e.clone(), e])
            .await
    ));
    assert_eq!(store.head_position().await.unwrap(), 0);
}

/// Expands to one `#[tokio::test]` per contract check. `$make` is an async
/// expression giving a fresh `Arc<dyn EventStore>` (or `None` to skip, after
/// printing why); `$interferer` an expression giving `Option<Interferer>` for
/// that store.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr, $interferer:expr) => {
        $crate::contract_tests!(@one expected_versions_are_enforced, $make);
        $crate::contract_tests!(@one racing_appends_at_one_version_have_one_winner, $make);
        $crate::contract_tests!(@one retried_appends_are_idempotent, $make);
        $crate::contract_tests!(@one reads_keep_stream_and_global_order, $make);
        $crate::contract_tests!(@one subscriptions_resume_after_a_checkpoint_then_follow_live_writes, $make);
        $crate::contract_tests!(@one unicode_metadata_and_large_payloads_round_trip, $make);
        $crate::contract_tests!(@one oversized_or_malformed_appends_are_refused, $make);
        $crate::contract_tests!(@one abandoned_appends_do_not_break_other_writers, $make);

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn subscribers_see_every_event_once_in_order_under_concurrent_writers() {
            let Some((store, ctx)) = $make.await else { return };
            let interferer = ($interferer)(&ctx);
            $crate::contract::subscribers_see_every_event_once_in_order_under_concurrent_writers(store, interferer).await;
        }
    };
    (@one $name:ident, $make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some((store, _ctx)) = $make.await else { return };
            $crate::contract::$name(store).await;
        }
    };
}
