//! Catch-up subscription to the global order.
//!
//! Pages through [`EventStore::read_all`] from a checkpoint, says
//! [`SubscriptionItem::CaughtUp`] once when it has read everything committed,
//! then follows live writes: it wakes when this process's writer commits
//! ([`EventStore::committed`]) and polls at an interval for writers in other
//! processes. Polling `position >= next` is the correctness path; the
//! wake-up only saves latency. Because positions are dense and in commit
//! order, the subscriber sees every committed event exactly once, in order;
//! it checks that promise on every event and reports a gap as an error rather
//! than skipping.
//!
//! The subscriber's queue is bounded: a slow consumer slows the reader, it
//! never makes the queue grow.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::{EventStore, RecordedEvent, StoreError, limits};

/// Tuning of a subscription.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionOptions {
    /// Events per `read_all` page.
    pub page_size: usize,
    /// How often to look for writes of other processes once caught up.
    pub poll_interval: Duration,
    /// Items buffered for the consumer.
    pub buffer: usize,
    /// Consecutive read failures after which the subscription ends with the error.
    pub max_read_retries: u32,
}

impl Default for SubscriptionOptions {
    fn default() -> Self {
        SubscriptionOptions {
            page_size: 500,
            poll_interval: Duration::from_millis(250),
            buffer: 1024,
            max_read_retries: 10,
        }
    }
}

/// What a subscription delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscriptionItem {
    /// The next event of the global order.
    Event(RecordedEvent),
    /// Everything committed when the subscription started has been delivered
    /// (up to `position`); from here on events arrive live. Sent once.
    CaughtUp { position: u64 },
}

/// A running subscription; dropping it stops the reader task.
pub struct Subscription {
    rx: mpsc::Receiver<Result<SubscriptionItem, StoreError>>,
    task: JoinHandle<()>,
}

impl Subscription {
    /// The next item; `None` after an error has ended the subscription.
    pub async fn next(&mut self) -> Option<Result<SubscriptionItem, StoreError>> {
        self.rx.recv().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Subscribes to every event after position `checkpoint` (exclusive; 0 reads
/// from the beginning).
pub fn subscribe_all(
    store: Arc<dyn EventStore>,
    checkpoint: u64,
    options: SubscriptionOptions,
) -> Subscription {
    let (tx, rx) = mpsc::channel(options.buffer.max(1));
    let task = tokio::spawn(run(store, checkpoint, options, tx));
    Subscription { rx, task }
}

async fn run(
    store: Arc<dyn EventStore>,
    checkpoint: u64,
    options: SubscriptionOptions,
    tx: mpsc::Sender<Result<SubscriptionItem, StoreError>>,
) {
    let page_size = options.page_size.clamp(1, limits::MAX_READ_LIMIT);
    let dense = store.capabilities().dense_positions;
    let mut committed = store.committed();
    let mut next = checkpoint + 1;
    let mut caught_up = false;
    let mut failures = 0u32;
    loop {
        committed.borrow_and_update();
        let page = match store.read_all(next, page_size).await {
            Ok(page) => {
                failures = 0;
                page
            }
            Err(e) => {
                failures += 1;
                if failures > options.max_read_retries {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                tracing::warn!(error = %e, failures, "subscription read failed; retrying");
                tokio::time::sleep(options.poll_interval * failures).await;
                continue;
            }
        };
        let full = page.len() == page_size;
        for event in page {
            if event.position < next || (dense && event.position != next) {
                let _ = tx
                    .send(Err(StoreError::Corrupt(format!(
                        "global order broken: expected position {next}, read {}",
                        event.position
                    ))))
                    .await;
                return;
            }
            next = event.position + 1;
            if tx.send(Ok(SubscriptionItem::Event(event))).await.is_err() {
                return;
            }
        }
        if full {
            continue;
        }
        if !caught_up {
            caught_up = true;
            if tx
                .send(Ok(SubscriptionItem::CaughtUp { position: next - 1 }))
                .await
                .is_err()
            {
                return;
            }
        }
        if *committed.borrow() >= next {
            continue;
        }
        tokio::select! {
            changed = committed.changed() => {
                if changed.is_err() {
                    // the local writer is gone; keep polling for other processes
                    tokio::time::sleep(options.poll_interval).await;
                }
            }
            _ = tokio::time::sleep(options.poll_interval) => {}
            _ = tx.closed() => return,
        }
    }
}
