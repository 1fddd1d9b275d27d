//! Group commit: every append request waiting in a store's bounded queue is
//! written in one transaction, each request answered with its own result.
//!
//! Under load, sixteen concurrent appends cost one commit instead of sixteen,
//! while the global order stays dense and in commit order (one leader at a
//! time writes — and, across processes, the database lock it takes).

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{
    Mutex, Notify, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore, oneshot, watch,
};
use tokio::time::Instant;
use uuid::Uuid;

use crate::{AppendResult, ExpectedVersion, NewEvent, StoreError, limits};

/// One queued append.
pub(crate) struct AppendRequest {
    pub stream: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub reply: oneshot::Sender<Result<AppendResult, StoreError>>,
    /// Which caller queued it.
    ticket: u64,
    /// Its place in the bounded queue, given back once it is answered.
    _room: OwnedSemaphorePermit,
}

/// Writes one batch of requests in one transaction. Returns one result per
/// request, in order, or an error that fails the whole batch (the
/// transaction was rolled back), plus the head position after the commit.
pub(crate) trait BatchWriter: Send + Sync + 'static {
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

/// What only the current leader touches.
struct Leadership<W> {
    writer: W,
    /// Requests in the previous commit: more than one means writers are concurrent.
    last_batch_len: usize,
}

struct Shared<W> {
    queue: std::sync::Mutex<VecDeque<AppendRequest>>,
    /// Bounds the queue: a permit per queued request.
    room: Arc<Semaphore>,
    /// Signalled whenever a request is queued (for the leader's short linger).
    arrived: Notify,
    leader: Arc<Mutex<Leadership<W>>>,
    committed: watch::Sender<u64>,
    tickets: AtomicU64,
}

/// Group commit without a writer task ("leader and followers"): a caller
/// queues its request, then either finds it answered or takes the leader
/// lock, drains the queue and writes the whole batch in one transaction.
///
/// A lone writer thus appends with no hand-over between tasks at all; under
/// concurrency, everything queued while one commit runs goes into the next.
/// A batch that carries other callers' requests is written by a task of its
/// own (holding the leader lock), so a caller that gives up waiting can never
/// abandon someone else's commit half-way.
pub(crate) struct Writer<W> {
    shared: Arc<Shared<W>>,
    committed: watch::Receiver<u64>,
}

impl<W: BatchWriter> Writer<W> {
    /// A writer over `writer`; `head` is the position committed so far.
    pub(crate) fn new(writer: W, head: u64) -> Self {
        let (committed_tx, committed) = watch::channel(head);
        let shared = Arc::new(Shared {
            queue: std::sync::Mutex::new(VecDeque::new()),
            room: Arc::new(Semaphore::new(limits::APPEND_QUEUE)),
            arrived: Notify::new(),
            leader: Arc::new(Mutex::new(Leadership {
                writer,
                last_batch_len: 1,
            })),
            committed: committed_tx,
            tickets: AtomicU64::new(0),
        });
        Writer { shared, committed }
    }

    /// Queues an append and waits for its result.
    pub(crate) async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        crate::model::validate_append(stream, &events)?;
        let shared = &self.shared;
        let room = shared
            .room
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let ticket = shared.tickets.fetch_add(1, Ordering::Relaxed);
        let (reply, mut answer) = oneshot::channel();
        let request = AppendRequest {
            stream: stream.to_string(),
            expected,
            events,
            reply,
            ticket,
            _room: room,
        };
        lock_queue(&shared.queue).push_back(request);
        shared.arrived.notify_waiters();
        loop {
            tokio::select! {
                biased;
                result = &mut answer => return result.map_err(|_| StoreError::Closed)?,
                guard = shared.leader.clone().lock_owned() => {
                    match answer.try_recv() {
                        Ok(result) => return result,
                        Err(oneshot::error::TryRecvError::Closed) => return Err(StoreError::Closed),
                        Err(oneshot::error::TryRecvError::Empty) => lead(shared, guard, ticket).await,
                    }
                }
            }
        }
    }

    pub(crate) fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }
}

fn lock_queue(
    q: &std::sync::Mutex<VecDeque<AppendRequest>>,
) -> std::sync::MutexGuard<'_, VecDeque<AppendRequest>> {
    q.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// As leader: takes what is queued (lingering briefly when writers are
/// concurrent, so the ones just answered join this commit) and writes it.
async fn lead<W: BatchWriter>(
    shared: &Arc<Shared<W>>,
    mut guard: OwnedMutexGuard<Leadership<W>>,
    own: u64,
) {
    let mut batch: Vec<AppendRequest> = Vec::new();
    let mut ids: HashSet<Uuid> = HashSet::new();
    let deadline = Instant::now() + limits::GROUP_COMMIT_LINGER;
    loop {
        let arrived = shared.arrived.notified();
        let mut blocked = false;
        {
            let mut queue = lock_queue(&shared.queue);
            while batch.len() < limits::MAX_REQUESTS_PER_COMMIT {
                let Some(front) = queue.front() else { break };
                // A request repeating an id of this batch waits for the next
                // commit, where it is recognised as a retry.
                if front.events.iter().any(|e| ids.contains(&e.id)) {
                    blocked = true;
                    break;
                }
                let Some(request) = queue.pop_front() else {
                    break;
                };
                ids.extend(request.events.iter().map(|e| e.id));
                batch.push(request);
            }
        }
        let want_more = !blocked
            && guard.last_batch_len > 1
            && batch.len() < guard.last_batch_len.min(limits::MAX_REQUESTS_PER_COMMIT);
        if !want_more || tokio::time::timeout_at(deadline, arrived).await.is_err() {
            break;
        }
    }
    if batch.is_empty() {
        return;
    }
    guard.last_batch_len = batch.len();
    if batch.len() == 1 && batch[0].ticket == own {
        write_and_answer(&guard.writer, batch, &shared.committed).await;
    } else {
        let shared = shared.clone();
        tokio::spawn(async move {
            write_and_answer(&guard.writer, batch, &shared.committed).await;
            drop(guard);
        });
    }
}
