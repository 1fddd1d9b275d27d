//! Claiming work so that no offer is processed by two workers: acceptance
//! (every received offer) and publication (every accepted offer).
//!
//! The projection puts every received offer in `rm_acceptance_queue` and every
//! accepted one in `rm_publication_queue` ([`Queue`]). A
//! worker claims the oldest unclaimed one with one atomic `UPDATE … RETURNING`
//! that sets a lease (owner and expiry) and counts the attempt. On
//! PostgreSQL the row is picked by a sub-select with `FOR UPDATE SKIP LOCKED`:
//! a row another process is claiming at that moment is skipped, not waited
//! for and never claimed twice; a committed lease makes the row invisible to
//! other claimers until it expires (a crashed worker's offer is retried after
//! the lease). On SQLite the statement is atomic because SQLite has one writer
//! at a time; the embedded store is for one process (several processes need
//! PostgreSQL). Every claim is also written to the queue's claims table
//! (`rm_acceptance_claims`, `rm_publication_claims`), an audit the tests use
//! to prove no offer was taken twice.

use std::time::Duration;

use sqlx::{AssertSqlSafe, Row};

use crate::shutdown::Shutdown;

use crate::read_model::{Dialect, ReadModel};

/// Which work a queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Received offers waiting for the acceptance checks.
    Acceptance,
    /// Accepted offers whose documents wait to be published to the client's storage.
    Publication,
    /// Received offers whose next-morning notification waits to be scheduled.
    Schedule,
}

impl Queue {
    /// The queue's table.
    pub fn table(self) -> &'static str {
        match self {
            Queue::Acceptance => "rm_acceptance_queue",
            Queue::Publication => "rm_publication_queue",
            Queue::Schedule => "rm_schedule_queue",
        }
    }

    /// The queue's claims audit table.
    pub fn claims_table(self) -> &'static str {
        match self {
            Queue::Acceptance => "rm_acceptance_claims",
            Queue::Publication => "rm_publication_claims",
            Queue::Schedule => "rm_schedule_claims",
        }
    }

    fn claim_sql(self, dialect: Dialect) -> String {
        let lock = match dialect {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let table = self.table();
        format!(
            "UPDATE {table}
    SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
    WHERE offer_id = (
        SELECT offer_id FROM {table}
        WHERE done = 0 AND attempts < $3 AND (lease_until IS NULL OR lease_until < $4)
        ORDER BY position LIMIT 1{lock})
    RETURNING offer_id, attempts"
        )
    }
}

/// The loop every worker runs: `claim` one piece of work after another until `shutdown` and
/// hand each to `work` (which finishes or releases it); when nothing is waiting, or a claim fails
/// (logged, naming `what`), wait `poll`.
pub async fn drain<T, C, CFut, F, Fut>(
    poll: Duration,
    mut shutdown: Shutdown,
    what: &str,
    mut claim: C,
    mut work: F,
) where
    C: FnMut() -> CFut,
    CFut: std::future::Future<Output = Result<Option<T>, sqlx::Error>>,
    F: FnMut(T) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    loop {
        if shutdown.is_triggered() {
            return;
        }
        let claimed = match claim().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(queue = what, error = %e, "cannot claim work; retrying");
                None
            }
        };
        match claimed {
            Some(item) => work(item).await,
            None => tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.wait() => return,
            },
        }
    }
}

/// One claimed offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The offer.
    pub offer_id: String,
    /// Which attempt this is (1 = first).
    pub attempt: i64,
}

/// The acceptance work queue of one worker.
#[derive(Debug, Clone)]
pub struct WorkQueue {
    rm: ReadModel,
    queue: Queue,
    owner: String,
    lease: Duration,
    max_attempts: u32,
}

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

impl WorkQueue {
    /// A worker's view of `queue`: its claims name `owner` and last `lease`.
    pub fn new(
        rm: ReadModel,
        queue: Queue,
        owner: impl Into<String>,
        lease: Duration,
        max_attempts: u32,
    ) -> Self {
        WorkQueue {
            rm,
            queue,
            owner: owner.into(),
            lease,
            max_attempts,
        }
    }

    /// Claims the oldest offer waiting in the queue, if any.
    pub async fn claim(&self) -> Result<Option<Claim>, sqlx::Error> {
        let now = now_micros();
        let sql = self.queue.claim_sql(self.rm.dialect());
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(self.owner.as_str())
            .bind(now + self.lease.as_micros() as i64)
            .bind(i64::from(self.max_attempts))
            .bind(now)
            .fetch_optional(self.rm.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let claim = Claim {
            offer_id: row.try_get("offer_id")?,
            attempt: row.try_get("attempts")?,
        };
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {} (offer_id, owner, claimed_at) VALUES ($1, $2, $3)",
            self.queue.claims_table()
        )))
        .bind(claim.offer_id.as_str())
        .bind(self.owner.as_str())
        .bind(now)
        .execute(self.rm.pool())
        .await?;
        Ok(Some(claim))
    }

    /// Claims offers one after another until `shutdown`, handing each to `work` (which finishes
    /// or releases it); see [`drain`].
    pub async fn drain<F, Fut>(&self, poll: Duration, shutdown: Shutdown, work: F)
    where
        F: FnMut(Claim) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        drain(poll, shutdown, self.queue.table(), || self.claim(), work).await
    }

    /// Marks a claimed offer as decided.
    pub async fn complete(&self, offer_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(AssertSqlSafe(format!("UPDATE {} SET done = 1, lease_owner = NULL, lease_until = NULL WHERE offer_id = $1 AND lease_owner = $2", self.queue.table())))
            .bind(offer_id)
            .bind(self.owner.as_str())
            .execute(self.rm.pool())
            .await?;
        Ok(())
    }

    /// Gives a claimed offer back after a failure; it is retried after `backoff`.
    pub async fn release(
        &self,
        offer_id: &str,
        error: &str,
        backoff: Duration,
    ) -> Result<(), sqlx::Error> {
        let error: String = error.chars().take(1000).collect();
        sqlx::query(AssertSqlSafe(format!("UPDATE {} SET lease_until = $1, last_error = $2 WHERE offer_id = $3 AND lease_owner = $4", self.queue.table())))
            .bind(now_micros() + backoff.as_micros() as i64)
            .bind(error)
            .bind(offer_id)
            .bind(self.owner.as_str())
            .execute(self.rm.pool())
            .await?;
        Ok(())
    }
}
