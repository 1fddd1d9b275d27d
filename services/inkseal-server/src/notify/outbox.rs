//! The notification outbox: one row per notification and channel
//! (`rm_notification_outbox`), written by the projection when
//! `NotificationScheduled` is applied, claimed by the sender when due.
//!
//! A claim is one atomic `UPDATE … RETURNING` that sets a lease, counts the
//! attempt and marks the row as being sent; finishing or giving the row back
//! clears that mark. A claim that finds the mark still set learns that the
//! previous attempt stopped in the middle (`Due::interrupted`): the peer may
//! have the message without its answer being recorded, and the sender
//! reconciles before it sends again. The attempt (on PostgreSQL the row is picked with `FOR UPDATE SKIP LOCKED`, so
//! several processes share the work and never take the same row). A row whose
//! lease ran out — its sender died — is claimed again; the attempt number
//! tells the sender it may have sent already. Every claim is also written to
//! `rm_notification_claims`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};

use crate::read_model::{Dialect, ReadModel};

/// The channel of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The e-mail with the link.
    Email,
    /// The SMS with the code.
    Sms,
}

impl Channel {
    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    fn parse(text: &str) -> Option<Channel> {
        match text {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// One claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The row's id: `<offer>/<channel>/<n>` (also the ENVID, the VERP tag, the SMS reference).
    pub id: String,
    /// The offer.
    pub offer_id: String,
    /// The channel.
    pub channel: Channel,
    /// Which attempt this is (1 = first).
    pub attempt: i64,
    /// Whether the previous attempt stopped while sending (its process died).
    pub interrupted: bool,
}

impl Due {
    /// The row's id in the form the messages carry it: the Message-ID's local part, the ENVID,
    /// the VERP tag and the SMS reference (`<offer>.<channel>.<n>`; offer ids have no `/`).
    pub fn tag(&self) -> String {
        self.id.replace('/', ".")
    }
}

/// The sender's view of the outbox.
#[derive(Debug, Clone)]
pub struct NotificationOutbox {
    rm: ReadModel,
    owner: String,
    lease: Duration,
    max_attempts: u32,
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

impl NotificationOutbox {
    /// Claims named `owner`, leases of `lease`, at most `max_attempts` per row.
    pub fn new(
        rm: ReadModel,
        owner: impl Into<String>,
        lease: Duration,
        max_attempts: u32,
    ) -> Self {
        NotificationOutbox {
            rm,
            owner: owner.into(),
            lease,
            max_attempts,
        }
    }

    /// Claims the oldest row due at `now`, if any.
    pub async fn claim(&self, now: DateTime<Utc>) -> Result<Option<Due>, sqlx::Error> {
        let lock = match self.rm.dialect() {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "UPDATE rm_notification_outbox
             SET lease_owner = $1, lease_until = $2, attempts = attempts + 1,
                 interrupted = sending, sending = 1
             WHERE id = (
                 SELECT id FROM rm_notification_outbox
                 WHERE done = 0 AND due_at <= $3 AND attempts < $4
                   AND (lease_until IS NULL OR lease_until < $5)
                 ORDER BY due_at, id LIMIT 1{lock})
             RETURNING id, offer_id, channel, attempts, interrupted"
        );
        // leases are judged by the wall clock: they guard against dead processes, not the schedule
        let wall = Utc::now();
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(self.owner.as_str())
            .bind(micros(wall) + self.lease.as_micros() as i64)
            .bind(micros(now))
            .bind(i64::from(self.max_attempts))
            .bind(micros(wall))
            .fetch_optional(self.rm.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let channel: String = row.try_get("channel")?;
        let due = Due {
            id: row.try_get("id")?,
            offer_id: row.try_get("offer_id")?,
            channel: Channel::parse(&channel).unwrap_or(Channel::Email),
            attempt: row.try_get("attempts")?,
            interrupted: row.try_get::<i64, _>("interrupted")? != 0,
        };
        sqlx::query(
            "INSERT INTO rm_notification_claims (id, owner, claimed_at) VALUES ($1, $2, $3)",
        )
        .bind(due.id.as_str())
        .bind(self.owner.as_str())
        .bind(micros(wall))
        .execute(self.rm.pool())
        .await?;
        Ok(Some(due))
    }

    /// Marks a row finished (sent, refused, or skipped with its reason on record).
    pub async fn complete(&self, id: &str, outcome: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE rm_notification_outbox SET done = 1, sending = 0, lease_owner = NULL, lease_until = NULL, last_error = $1
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(outcome)
        .bind(id)
        .bind(self.owner.as_str())
        .execute(self.rm.pool())
        .await?;
        Ok(())
    }

    /// Gives a row back after a failure; it is tried again after `backoff`.
    pub async fn release(
        &self,
        id: &str,
        error: &str,
        backoff: Duration,
    ) -> Result<(), sqlx::Error> {
        let error: String = error.chars().take(1000).collect();
        sqlx::query(
            "UPDATE rm_notification_outbox SET sending = 0, lease_until = $1, last_error = $2 WHERE id = $3 AND lease_owner = $4",
        )
        .bind(micros(Utc::now()) + backoff.as_micros() as i64)
        .bind(error)
        .bind(id)
        .bind(self.owner.as_str())
        .execute(self.rm.pool())
        .await?;
        Ok(())
    }

    /// How many attempts a row may take.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
}
