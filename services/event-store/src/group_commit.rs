//! Group commit: one writer task per store takes every append request waiting
//! in its bounded queue and writes them in one transaction, answering each
//! request with its own result.
//!
//! Under load, sixteen concurrent appends cost one commit instead of sixteen,
//! while the global order stays dense and in commit order (only this task —
//! and, across processes, the database lock it takes — ever writes).

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use tokio::time::Instant;
use uuid::Uuid;

use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use crate::{AppendResult, ExpectedVersion, NewEvent, StoreError, limits};

/// One queued append.
pub(crate) struct AppendRequest {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub reply: oneshot::Sender<Result<AppendResult, StoreError>>,
}

/// Writes one batch of requests in one transaction. Returns one result per
/// request, in order, or an error that fails the whole batch (the
/// transaction was rolled back), plus the head position after the commit.
pub(crate) trait BatchWriter: Clone + Send + Sync + 'static {
    /// How many batches may be on their way at once. More than one only where
    /// the database itself orders them (PostgreSQL's append lock): the next
    /// batch then waits at the server, not in this process, and starts the
    /// moment the previous one commits.
    const MAX_IN_FLIGHT: usize;

    fn write_batch(
        &self,
        batch: &[AppendRequest],
    ) -> impl Future<Output = Result<(Vec<Result<AppendResult, StoreError>>, u64), StoreError>> + Send;
}

/// Writes one batch and answers each of its requests.
async fn write_and_answer<W: BatchWriter>(
    writer: &W,
    batch: Vec<AppendRequest>,
    committed: &watch::Sender<u64>,
) {
    match writer.write_batch(&batch).await {
        Ok((results, head)) => {
            committed.send_if_modified(|h| {
                let moved = head > *h;
                *h = (*h).max(head);
                moved
            });
            for (req, res) in batch.into_iter().zip(results) {
                let _ = req.reply.send(res);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, requests = batch.len(), "group commit failed; rolled back");
            for req in batch {
                let _ = req.reply.send(Err(e.clone()));
            }
        }
    }
}

/// The sending side that `append` uses.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<AppendRequest>,
    committed: watch::Receiver<u64>,
}

impl Writer {
    /// Starts the writer task. `head` is the position committed so far.
    pub(crate) fn spawn<W: BatchWriter>(writer: W, head: u64) -> Self {
        let (queue, mut rx) = mpsc::channel::<AppendRequest>(limits::APPEND_QUEUE);
        let (committed_tx, committed) = watch::channel(head);
        let in_flight = Arc::new(Semaphore::new(W::MAX_IN_FLIGHT.max(1)));
        tokio::spawn(async move {
            let mut batch: Vec<AppendRequest> = Vec::new();
            let mut held_over: Option<AppendRequest> = None;
            let mut last_batch_len = 1usize;
            loop {
                let first = match held_over.take() {
                    Some(r) => r,
                    None => match rx.recv().await {
                        Some(r) => r,
                        None => break,
                    },
                };
                let mut ids: HashSet<Uuid> = first.events.iter().map(|e| e.id).collect();
                batch.push(first);
                // When the last commit carried several requests, writers are
                // concurrent: give the ones just answered a moment to send
                // their next append so it shares this commit.
                let deadline = Instant::now() + limits::GROUP_COMMIT_LINGER;
                while batch.len() < limits::MAX_REQUESTS_PER_COMMIT {
                    let next = match rx.try_recv() {
                        Ok(r) => Some(r),
                        Err(mpsc::error::TryRecvError::Empty)
                            if last_batch_len > 1 && batch.len() < last_batch_len =>
                        {
                            tokio::time::timeout_at(deadline, rx.recv())
                                .await
                                .ok()
                                .flatten()
                        }
                        Err(_) => None,
                    };
                    let Some(r) = next else { break };
                    // A request repeating an id of this batch waits for the
                    // next commit, where it is recognised as a retry.
                    if r.events.iter().any(|e| ids.contains(&e.id)) {
                        held_over = Some(r);
                        break;
                    }
                    ids.extend(r.events.iter().map(|e| e.id));
                    batch.push(r);
                }
                last_batch_len = batch.len();
                let Ok(permit) = in_flight.clone().acquire_owned().await else {
                    break;
                };
                let (writer, committed_tx) = (writer.clone(), committed_tx.clone());
                let requests = std::mem::take(&mut batch);
                tokio::spawn(async move {
                    write_and_answer(&writer, requests, &committed_tx).await;
                    drop(permit);
                });
            }
        });
        Writer { queue, committed }
    }

    /// Queues an append and waits for its result.
    pub(crate) async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        crate::model::validate_append(stream, &events)?;
        let (reply, answer) = oneshot::channel();
        let req = AppendRequest {
            stream: stream.to_string(),
            expected,
            events,
            reply,
        };
        self.queue.send(req).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    pub(crate) fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }
}
