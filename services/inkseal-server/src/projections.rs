//! Projections: the offer status the edge agent queries, the timeline the
//! help desk reads, and the acceptance work queue, fed by the event store's
//! catch-up subscription.
//!
//! Every batch of events is applied in one read-model transaction that also
//! moves the checkpoint, so each event is applied exactly once, whatever
//! crashes. With several processes on PostgreSQL the checkpoint row is taken
//! with `SELECT … FOR UPDATE SKIP LOCKED` inside that transaction: one
//! process projects at a time, the others find the row locked and wait; a
//! process that finds the checkpoint moved by another resubscribes from it.
//! [`rebuild`] clears the read model and resets the checkpoint to zero; the
//! running projector then replays every event from the beginning.

use std::sync::Arc;
use std::time::Duration;

use event_store::{
    EventStore, RecordedEvent, SubscriptionItem, SubscriptionOptions, subscribe_all,
};
use futures::FutureExt;
use offer_lifecycle::Event;
use sqlx::{Any, Transaction};

use crate::mapping::summary_cs;
use crate::metrics::Metrics;
use crate::offers::{Metadata, decode};
use crate::read_model::{Dialect, ReadModel};
use crate::shutdown::Shutdown;

/// Most events applied in one transaction.
pub const MAX_BATCH: usize = 500;
/// Largest `detail_json` kept in a timeline entry (bytes), as the contract bounds it.
pub const MAX_DETAIL_JSON: usize = 64 * 1024;

/// Projection failure.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The read model failed.
    #[error("read model: {0}")]
    ReadModel(#[from] sqlx::Error),
    /// The event store failed.
    #[error("event store: {0}")]
    Store(#[from] event_store::StoreError),
}

/// Applies the events to the read model until `shutdown`.
pub async fn run(
    store: Arc<dyn EventStore>,
    rm: ReadModel,
    metrics: Metrics,
    mut shutdown: Shutdown,
    poll: Duration,
) -> Result<(), ProjectionError> {
    let options = SubscriptionOptions {
        page_size: MAX_BATCH,
        poll_interval: poll,
        ..Default::default()
    };
    let mut subscription = None;
    let mut expected = 0u64;
    loop {
        if shutdown.is_triggered() {
            return Ok(());
        }
        let sub = match subscription.as_mut() {
            Some(s) => s,
            None => {
                expected = rm.checkpoint().await?;
                subscription.insert(subscribe_all(store.clone(), expected, options))
            }
        };
        let first = tokio::select! {
            item = sub.next() => item,
            _ = tokio::time::sleep(poll * 4) => {
                // idle: notice a rebuild (or another process) moving the checkpoint
                if rm.checkpoint().await? != expected {
                    subscription = None;
                }
                continue;
            }
            _ = shutdown.wait() => return Ok(()),
        };
        let mut batch = Vec::new();
        if let Err(e) = take(first, &mut batch) {
            tracing::warn!(error = %e, "subscription ended; resubscribing");
            subscription = None;
            tokio::time::sleep(poll).await;
            continue;
        }
        while batch.len() < MAX_BATCH {
            match sub.next().now_or_never() {
                Some(item) => {
                    if take(item, &mut batch).is_err() {
                        break;
                    }
                }
                None => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        match apply_batch(&rm, expected, &batch).await? {
            Applied::Done(position) => {
                expected = position;
                metrics.projection_position.set(position as i64);
            }
            Applied::Busy => {
                // another process holds the checkpoint: let it project
                subscription = None;
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = shutdown.wait() => return Ok(()),
                }
            }
            Applied::Moved => subscription = None,
        }
    }
}

/// Adds a subscription item to the batch; an error ends the subscription.
fn take(
    item: Option<Result<SubscriptionItem, event_store::StoreError>>,
    batch: &mut Vec<RecordedEvent>,
) -> Result<(), ProjectionError> {
    match item {
        Some(Ok(SubscriptionItem::Event(e))) => {
            batch.push(e);
            Ok(())
        }
        Some(Ok(SubscriptionItem::CaughtUp { .. })) => Ok(()),
        Some(Err(e)) => Err(e.into()),
        None => Err(event_store::StoreError::Closed.into()),
    }
}

enum Applied {
    Done(u64),
    Busy,
    Moved,
}

async fn apply_batch(
    rm: &ReadModel,
    expected: u64,
    batch: &[RecordedEvent],
) -> Result<Applied, ProjectionError> {
    let mut tx = rm.pool().begin().await?;
    let current: Option<i64> =
        match rm.dialect() {
            Dialect::Postgres => sqlx::query_scalar(
                "SELECT position FROM rm_checkpoint WHERE name = 'offers' FOR UPDATE SKIP LOCKED",
            )
            .fetch_optional(&mut *tx)
            .await?,
            Dialect::Sqlite => {
                // take the write lock first, so the transaction never has to upgrade
                sqlx::query("UPDATE rm_checkpoint SET position = position WHERE name = 'offers'")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query_scalar("SELECT position FROM rm_checkpoint WHERE name = 'offers'")
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
    let Some(current) = current else {
        tx.rollback().await?;
        return Ok(Applied::Busy);
    };
    if current.max(0) as u64 != expected {
        tx.rollback().await?;
        return Ok(Applied::Moved);
    }
    let mut last = expected;
    for event in batch {
        apply(&mut tx, event).await?;
        last = event.position;
    }
    sqlx::query("UPDATE rm_checkpoint SET position = $1 WHERE name = 'offers'")
        .bind(last as i64)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Applied::Done(last))
}

fn micros(e: &RecordedEvent) -> i64 {
    e.recorded_at.timestamp_micros()
}

/// Applies one event inside the batch transaction.
async fn apply(
    tx: &mut Transaction<'static, Any>,
    recorded: &RecordedEvent,
) -> Result<(), sqlx::Error> {
    let Some(offer_id) = recorded.stream.strip_prefix("offer-") else {
        return Ok(());
    };
    let event = match decode(recorded) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(position = recorded.position, stream = %recorded.stream, error = %e, "event cannot be projected; skipped");
            return Ok(());
        }
    };
    let metadata = Metadata::parse(&recorded.metadata);
    let version = recorded.version as i64;
    let at = micros(recorded);
    let mut detail = serde_json::to_string(&event).unwrap_or_default();
    if detail.len() > MAX_DETAIL_JSON {
        detail = "{}".into();
    }
    sqlx::query(
        "INSERT INTO rm_timeline (offer_id, stream_version, position, event_type, recorded_at, actor, summary, detail_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (offer_id, stream_version) DO NOTHING",
    )
    .bind(offer_id)
    .bind(version)
    .bind(recorded.position as i64)
    .bind(recorded.event_type.as_str())
    .bind(at)
    .bind(if metadata.actor.is_empty() { "?" } else { metadata.actor.as_str() })
    .bind(summary_cs(&event))
    .bind(detail)
    .execute(&mut **tx)
    .await?;

    match &event {
        Event::OfferModelled(m) => {
            sqlx::query(
                "INSERT INTO rm_offer (offer_id, offer_number, agent_id, client_name, client_email_lc, client_mobile, status, last_version, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)
                 ON CONFLICT (offer_id) DO UPDATE SET offer_number = excluded.offer_number, agent_id = excluded.agent_id,
                   client_name = excluded.client_name, client_email_lc = excluded.client_email_lc,
                   client_mobile = excluded.client_mobile, status = 1, last_version = excluded.last_version,
                   updated_at = excluded.updated_at",
            )
            .bind(offer_id)
            .bind(m.offer_number.as_str())
            .bind(m.agent_id.as_str())
            .bind(m.client_name.as_ref().map(|n| n.as_str().to_owned()))
            .bind(m.contacts.email.as_ref().map(|e| e.as_str().to_lowercase()))
            .bind(m.contacts.mobile.as_ref().map(|p| p.e164().to_owned()))
            .bind(version)
            .bind(at)
            .execute(&mut **tx)
            .await?;
            return Ok(());
        }
        Event::OfferSealed(_) => set_status(tx, offer_id, 2).await?,
        Event::OfferReceived(r) => {
            set_status(tx, offer_id, 3).await?;
            sqlx::query("UPDATE rm_offer SET received_pdf = $1 WHERE offer_id = $2")
                .bind(r.pdf_sha256.to_hex())
                .bind(offer_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT INTO rm_acceptance_queue (offer_id, position) VALUES ($1, $2) ON CONFLICT (offer_id) DO NOTHING",
            )
            .bind(offer_id)
            .bind(recorded.position as i64)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO rm_schedule_queue (offer_id, position) VALUES ($1, $2) ON CONFLICT (offer_id) DO NOTHING",
            )
            .bind(offer_id)
            .bind(recorded.position as i64)
            .execute(&mut **tx)
            .await?;
        }
        Event::NotificationScheduled(n) => {
            sqlx::query(
                "INSERT INTO rm_schedule_queue (offer_id, position, done) VALUES ($1, $2, 1)
                 ON CONFLICT (offer_id) DO UPDATE SET done = 1, lease_owner = NULL, lease_until = NULL",
            )
            .bind(offer_id)
            .bind(recorded.position as i64)
            .execute(&mut **tx)
            .await?;
            queue_notification(tx, offer_id, n.channels, n.due_at, version).await?;
        }
        Event::NotificationResendRequested(r) => {
            // the help desk's resend goes out at once, on the channels it names
            queue_notification(tx, offer_id, r.channels, r.requested_at, version).await?;
        }
        Event::OfferAccepted(_) => {
            set_status(tx, offer_id, 4).await?;
            sqlx::query("UPDATE rm_offer SET insurer_sealed_pdf = $1 WHERE offer_id = $2")
                .bind(metadata.insurer_sealed_pdf_sha256.clone())
                .bind(offer_id)
                .execute(&mut **tx)
                .await?;
            mark_decided(tx, offer_id, recorded.position).await?;
            sqlx::query(
                "INSERT INTO rm_publication_queue (offer_id, position) VALUES ($1, $2) ON CONFLICT (offer_id) DO NOTHING",
            )
            .bind(offer_id)
            .bind(recorded.position as i64)
            .execute(&mut **tx)
            .await?;
        }
        Event::DocumentsPublished(p) => {
            sqlx::query(
                "INSERT INTO rm_storage (token_sha256, offer_id, published_at, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (token_sha256) DO NOTHING",
            )
            .bind(p.link_token_sha256.to_hex())
            .bind(offer_id)
            .bind(p.published_at.timestamp_micros())
            .bind(p.expires_at.timestamp_micros())
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO rm_publication_queue (offer_id, position, done) VALUES ($1, $2, 1)
                 ON CONFLICT (offer_id) DO UPDATE SET done = 1, lease_owner = NULL, lease_until = NULL",
            )
            .bind(offer_id)
            .bind(recorded.position as i64)
            .execute(&mut **tx)
            .await?;
        }
        Event::OfferRejected(r) => {
            sqlx::query("UPDATE rm_offer SET rejection_reason = $1 WHERE offer_id = $2")
                .bind(r.reason.as_str())
                .bind(offer_id)
                .execute(&mut **tx)
                .await?;
            mark_decided(tx, offer_id, recorded.position).await?;
        }
        Event::ContactCorrected(c) => {
            if let Some(email) = &c.new_contacts.email {
                sqlx::query("UPDATE rm_offer SET client_email_lc = $1, email_delivered = 0 WHERE offer_id = $2")
                    .bind(email.as_str().to_lowercase())
                    .bind(offer_id)
                    .execute(&mut **tx)
                    .await?;
            }
            if let Some(mobile) = &c.new_contacts.mobile {
                sqlx::query("UPDATE rm_offer SET client_mobile = $1 WHERE offer_id = $2")
                    .bind(mobile.e164())
                    .bind(offer_id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Event::SmsSent(m) => index_message(tx, m.message_id.as_str(), offer_id).await?,
        Event::EmailSent(m) => index_message(tx, m.message_id.as_str(), offer_id).await?,
        Event::EmailDelivered(_) => set_flag(tx, offer_id, 1).await?,
        Event::EmailBounced(_) => set_flag(tx, offer_id, 0).await?,
        _ => {}
    }
    sqlx::query("UPDATE rm_offer SET last_version = $1, updated_at = $2 WHERE offer_id = $3")
        .bind(version)
        .bind(at)
        .bind(offer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn set_status(
    tx: &mut Transaction<'static, Any>,
    offer_id: &str,
    status: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rm_offer SET status = $1 WHERE offer_id = $2")
        .bind(status)
        .bind(offer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One outbox row per channel, due at `due`; the id names the event that asked for it.
async fn queue_notification(
    tx: &mut Transaction<'static, Any>,
    offer_id: &str,
    channels: offer_lifecycle::Channels,
    due: chrono::DateTime<chrono::Utc>,
    version: i64,
) -> Result<(), sqlx::Error> {
    for channel in [(channels.email(), "email"), (channels.sms(), "sms")]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
    {
        sqlx::query(
            "INSERT INTO rm_notification_outbox (id, offer_id, channel, due_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(format!("{offer_id}/{channel}/{version}"))
        .bind(offer_id)
        .bind(channel)
        .bind(due.timestamp_micros())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn index_message(
    tx: &mut Transaction<'static, Any>,
    message_id: &str,
    offer_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_message_index (message_id, offer_id) VALUES ($1, $2) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(message_id)
    .bind(offer_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn set_flag(
    tx: &mut Transaction<'static, Any>,
    offer_id: &str,
    delivered: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rm_offer SET email_delivered = $1 WHERE offer_id = $2")
        .bind(delivered)
        .bind(offer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn mark_decided(
    tx: &mut Transaction<'static, Any>,
    offer_id: &str,
    position: u64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rm_acceptance_queue (offer_id, position, done) VALUES ($1, $2, 1)
         ON CONFLICT (offer_id) DO UPDATE SET done = 1, lease_owner = NULL, lease_until = NULL",
    )
    .bind(offer_id)
    .bind(position as i64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Clears the read model and resets the checkpoint to zero, in one
/// transaction; the projector replays every event from the beginning.
/// Claims (an audit of the workers) are kept.
pub async fn rebuild(rm: &ReadModel) -> Result<(), sqlx::Error> {
    let mut tx = rm.pool().begin().await?;
    match rm.dialect() {
        Dialect::Postgres => {
            // waits for a running projector's batch to commit
            sqlx::query("SELECT position FROM rm_checkpoint WHERE name = 'offers' FOR UPDATE")
                .execute(&mut *tx)
                .await?;
        }
        Dialect::Sqlite => {
            sqlx::query("UPDATE rm_checkpoint SET position = position WHERE name = 'offers'")
                .execute(&mut *tx)
                .await?;
        }
    }
    for table in [
        "rm_timeline",
        "rm_offer",
        "rm_acceptance_queue",
        "rm_publication_queue",
        "rm_storage",
        "rm_schedule_queue",
        "rm_message_index",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE rm_checkpoint SET position = 0 WHERE name = 'offers'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Waits until the projection has applied everything up to `position` (bounded by `timeout`).
pub async fn wait_for(
    rm: &ReadModel,
    position: u64,
    timeout: Duration,
) -> Result<bool, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if rm.checkpoint().await? >= position {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
