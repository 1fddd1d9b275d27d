//! The offers' states as the storage site serves them: each request reads
//! only the events appended since it last looked (usually none or one), not
//! the whole stream, so a document downloaded many times does not get slower
//! to serve. The state is always as current as the store at the time of the
//! read; the cache only saves re-reading what was already folded.
//!
//! Both maps are bounded ([`MAX_CACHED`]); when one is full it is emptied and
//! refills from the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use event_store::{Direction, EventStore};
use offer_lifecycle::{OfferState, Sha256, evolve};

use crate::error::ServiceError;
use crate::mapping::stream_name;
use crate::offers::{MAX_EVENTS_PER_OFFER, decode};
use crate::read_model::ReadModel;

/// Most offers (and most tokens) kept.
pub const MAX_CACHED: usize = 10_000;
/// Events read per page.
const PAGE: usize = 1000;

#[derive(Clone)]
struct Folded {
    state: OfferState,
    next_version: u64,
}

/// Cached offer states and token lookups.
pub struct OfferStates {
    store: Arc<dyn EventStore>,
    read_model: ReadModel,
    folded: Mutex<HashMap<String, Folded>>,
    tokens: Mutex<HashMap<[u8; 32], String>>,
}

impl OfferStates {
    /// An empty cache over `store` and `read_model`.
    pub fn new(store: Arc<dyn EventStore>, read_model: ReadModel) -> Self {
        OfferStates {
            store,
            read_model,
            folded: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// The offer whose storage link token hashes to `token_sha256`.
    pub async fn offer_of(&self, token_sha256: &Sha256) -> Result<Option<String>, ServiceError> {
        let key = *token_sha256.as_bytes();
        if let Some(hit) = self.tokens.lock().ok().and_then(|t| t.get(&key).cloned()) {
            return Ok(Some(hit));
        }
        let found = self
            .read_model
            .storage_entry(&token_sha256.to_hex())
            .await?;
        if let (Some(offer_id), Ok(mut tokens)) = (&found, self.tokens.lock()) {
            if tokens.len() >= MAX_CACHED {
                tokens.clear();
            }
            tokens.insert(key, offer_id.clone());
        }
        Ok(found)
    }

    /// The offer's state now.
    pub async fn current(&self, offer_id: &str) -> Result<OfferState, ServiceError> {
        let cached = self
            .folded
            .lock()
            .ok()
            .and_then(|f| f.get(offer_id).cloned());
        let mut folded = cached.unwrap_or(Folded {
            state: OfferState::default(),
            next_version: 0,
        });
        let stream = stream_name(offer_id);
        loop {
            let page = self
                .store
                .read_stream(&stream, folded.next_version, Direction::Forward, PAGE)
                .await?;
            for recorded in &page {
                folded.state = evolve(std::mem::take(&mut folded.state), &decode(recorded)?);
            }
            folded.next_version += page.len() as u64;
            if folded.next_version as usize > MAX_EVENTS_PER_OFFER {
                return Err(ServiceError::ResourceExhausted(format!(
                    "Nabídka {offer_id} má více než {MAX_EVENTS_PER_OFFER} událostí."
                )));
            }
            if page.len() < PAGE {
                break;
            }
        }
        if let Ok(mut map) = self.folded.lock() {
            if map.len() >= MAX_CACHED {
                map.clear();
            }
            map.insert(offer_id.to_owned(), folded.clone());
        }
        Ok(folded.state)
    }
}
