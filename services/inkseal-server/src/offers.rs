//! Reading an offer's stream and appending decided events to it.
//!
//! [`load`] reads the offer's events from the store, upcasts and folds them
//! into the lifecycle state. [`append_backend`] runs a backend command
//! (receipt, acceptance, help-desk action): load, `decide`, append with the
//! expected version, and on a concurrent write load and decide again (a
//! bounded number of times). Backend events get deterministic ids
//! ([`backend_event_id`]) so two processes racing on the same fact write it
//! once: the store deduplicates the id.

use std::sync::Arc;

use event_store::{Direction, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError};
use offer_lifecycle::{Command, Event, OfferState, decide, evolve};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ServiceError;
use crate::mapping::stream_name;

/// Most events one offer's stream may hold before reading it is refused.
pub const MAX_EVENTS_PER_OFFER: usize = 10_000;
/// How often a backend command is decided again after a concurrent write.
pub const MAX_APPEND_RETRIES: u32 = 5;
/// The actor name of events the backend itself records.
pub const BACKEND_ACTOR: &str = "backend";

/// Namespace of the backend's deterministic event ids (UUID v5).
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x3d4b_5a2e_8c1f_4b7a_9e0d_6f2c_1a5b_7e90);

/// What every stored event carries besides its payload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Who caused it: an agent id, `backend`, or a help-desk user.
    pub actor: String,
    /// SHA-256 of the insurer-sealed PDF (on `OfferAccepted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurer_sealed_pdf_sha256: Option<String>,
    /// The sealed PDF's size as the edge agent declared it (on `OfferSealed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_pdf_size: Option<u64>,
}

impl Metadata {
    /// Metadata naming `actor`.
    pub fn actor(actor: impl Into<String>) -> Self {
        Metadata {
            actor: actor.into(),
            ..Default::default()
        }
    }

    /// Reads stored metadata; unreadable metadata reads as empty.
    pub fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }
}

/// An offer's stream as read.
#[derive(Debug, Clone, Default)]
pub struct OfferStream {
    /// The stored events, oldest first.
    pub recorded: Vec<RecordedEvent>,
    /// The same events decoded.
    pub events: Vec<Event>,
    /// The lifecycle state after all of them.
    pub state: OfferState,
}

impl OfferStream {
    /// The stream's last version (`None`: no events).
    pub fn last_version(&self) -> Option<u64> {
        self.recorded.last().map(|e| e.version)
    }

    /// The expected version for the next append.
    pub fn expected(&self) -> ExpectedVersion {
        ExpectedVersion::after(self.last_version())
    }

    /// The stored event with this id.
    pub fn find(&self, id: Uuid) -> Option<&RecordedEvent> {
        self.recorded.iter().find(|e| e.id == id)
    }
}

/// Decodes a stored event (upcasting old schema versions).
pub fn decode(recorded: &RecordedEvent) -> Result<Event, ServiceError> {
    Ok(offer_lifecycle::decode_slice(
        &recorded.event_type,
        recorded.schema_version,
        &recorded.payload,
    )?)
}

/// Reads an offer's stream and folds it into its state.
pub async fn load(store: &dyn EventStore, offer_id: &str) -> Result<OfferStream, ServiceError> {
    let stream = stream_name(offer_id);
    let mut recorded = Vec::new();
    loop {
        let from = recorded.len() as u64;
        let page = store
            .read_stream(&stream, from, Direction::Forward, 1000)
            .await?;
        let n = page.len();
        recorded.extend(page);
        if recorded.len() > MAX_EVENTS_PER_OFFER {
            return Err(ServiceError::ResourceExhausted(format!(
                "Nabídka {offer_id} má více než {MAX_EVENTS_PER_OFFER} událostí."
            )));
        }
        if n < 1000 {
            break;
        }
    }
    let events = recorded.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    let state = offer_lifecycle::replay(&events);
    Ok(OfferStream {
        recorded,
        events,
        state,
    })
}

/// A lifecycle event as an event to append.
pub fn new_event(id: Uuid, event: &Event, metadata: &Metadata) -> Result<NewEvent, ServiceError> {
    let encoded = offer_lifecycle::encode(event)?;
    Ok(NewEvent {
        id,
        event_type: encoded.type_name.to_owned(),
        schema_version: encoded.schema_version,
        payload: encoded.payload_bytes()?,
        metadata: serde_json::to_vec(metadata)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
    })
}

/// The deterministic id of a backend event: the same offer, event type and
/// cause always give the same id.
pub fn backend_event_id(offer_id: &str, event_type: &str, cause: &str) -> Uuid {
    Uuid::new_v5(
        &EVENT_ID_NAMESPACE,
        format!("{offer_id}/{event_type}/{cause}").as_bytes(),
    )
}

/// What a backend command did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The state afterwards.
    pub state: OfferState,
    /// Global position of the last event written (or of the stream's last event when nothing was written).
    pub position: u64,
    /// Whether anything was written now.
    pub appended: bool,
}

/// Runs a backend command against the offer: `command` sees the current
/// state and says what to do (`None`: nothing); `ids` names each resulting
/// event. Retries after concurrent writes, at most [`MAX_APPEND_RETRIES`] times.
pub async fn append_backend(
    store: &Arc<dyn EventStore>,
    offer_id: &str,
    metadata: &Metadata,
    command: impl Fn(&OfferStream) -> Result<Option<Command>, ServiceError>,
    ids: impl Fn(&Event, usize) -> Uuid,
) -> Result<Applied, ServiceError> {
    append_retrying(store, offer_id, metadata, command, ids, MAX_APPEND_RETRIES).await
}

/// [`append_backend`] with its own bound on attempts, for commands many callers race on (the
/// storage's code tries): between attempts it waits a few random milliseconds, so racers spread.
pub async fn append_retrying(
    store: &Arc<dyn EventStore>,
    offer_id: &str,
    metadata: &Metadata,
    command: impl Fn(&OfferStream) -> Result<Option<Command>, ServiceError>,
    ids: impl Fn(&Event, usize) -> Uuid,
    max_attempts: u32,
) -> Result<Applied, ServiceError> {
    append_all(
        store,
        offer_id,
        metadata,
        |s| Ok(command(s)?.into_iter().collect()),
        ids,
        max_attempts,
    )
    .await
}

/// Runs several backend commands as one fact: each is decided on the state the ones before it
/// leave, and all their events are appended together (or none), so a crash cannot record the
/// first without the rest. Retries like [`append_retrying`].
pub async fn append_all(
    store: &Arc<dyn EventStore>,
    offer_id: &str,
    metadata: &Metadata,
    commands: impl Fn(&OfferStream) -> Result<Vec<Command>, ServiceError>,
    ids: impl Fn(&Event, usize) -> Uuid,
    max_attempts: u32,
) -> Result<Applied, ServiceError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let stream = load(store.as_ref(), offer_id).await?;
        let last_position = stream.recorded.last().map_or(0, |e| e.position);
        let mut state = stream.state.clone();
        let mut events = Vec::new();
        for cmd in commands(&stream)? {
            for event in decide(&cmd, &state)? {
                state = evolve(state, &event);
                events.push(event);
            }
        }
        if events.is_empty() {
            return Ok(Applied {
                state: stream.state,
                position: last_position,
                appended: false,
            });
        }
        let new = events
            .iter()
            .enumerate()
            .map(|(i, e)| new_event(ids(e, i), e, metadata))
            .collect::<Result<Vec<_>, _>>()?;
        match store
            .append(&stream_name(offer_id), stream.expected(), new)
            .await
        {
            Ok(result) => {
                return Ok(Applied {
                    state,
                    position: result.last_position,
                    appended: !result.duplicate,
                });
            }
            Err(
                StoreError::WrongExpectedVersion { .. } | StoreError::IdempotencyConflict { .. },
            ) if attempt < max_attempts => {
                tracing::debug!(offer_id, attempt, "concurrent write; deciding again");
                if attempt >= MAX_APPEND_RETRIES {
                    let jitter = u64::from(Uuid::new_v4().as_u128() as u8 % 16);
                    tokio::time::sleep(std::time::Duration::from_millis(1 + jitter)).await;
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
}
