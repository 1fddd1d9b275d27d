//! Pure decisions of an append: is it a retry of stored events, and does the
//! stream's version admit it. Used by the group-commit writers of the adapters that
//! decide in Rust (SQLite); the PostgreSQL adapter makes the same decisions in
//! its `es_append_batch` function and the contract suite checks both agree.

use crate::{AppendResult, NewEvent, RecordedEvent, StoreError};

/// Given the stored events that share an id with `events` (any order),
/// returns `Ok(None)` when none does, the original result when all of them
/// are the same events already stored in `stream` in this order, and an
/// [`StoreError::IdempotencyConflict`] otherwise.
pub(crate) fn check_retry(
    stream: &str,
    events: &[NewEvent],
    stored: &[RecordedEvent],
) -> Result<Option<AppendResult>, StoreError> {
    if stored.is_empty() {
        return Ok(None);
    }
    let conflict = |id, reason: &str| {
        Err(StoreError::IdempotencyConflict {
            event_id: id,
            reason: reason.to_string(),
        })
    };
    if stored.len() != events.len() {
        let missing = events
            .iter()
            .find(|e| !stored.iter().any(|s| s.id == e.id))
            .map_or(events[0].id, |e| e.id);
        return conflict(missing, "only part of this batch was stored before");
    }
    let mut stored: Vec<&RecordedEvent> = stored.iter().collect();
    stored.sort_by_key(|s| s.position);
    for (i, (new, old)) in events.iter().zip(&stored).enumerate() {
        if new.id != old.id {
            return conflict(new.id, "stored before in another order");
        }
        if old.stream != stream {
            return conflict(new.id, &format!("stored before in stream {}", old.stream));
        }
        if i > 0 && old.version != stored[i - 1].version + 1 {
            return conflict(new.id, "stored before, but not as one contiguous batch");
        }
        if new.event_type != old.event_type
            || new.schema_version != old.schema_version
            || new.payload != old.payload
            || new.metadata != old.metadata
        {
            return conflict(new.id, "stored before with different content");
        }
    }
    let (first, last) = (stored[0], stored[stored.len() - 1]);
    Ok(Some(AppendResult {
        first_version: first.version,
        last_version: last.version,
        first_position: first.position,
        last_position: last.position,
        duplicate: true,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn recorded(stream: &str, e: &NewEvent, version: u64, position: u64) -> RecordedEvent {
        RecordedEvent {
            position,
            stream: stream.into(),
            version,
            id: e.id,
            event_type: e.event_type.clone(),
            schema_version: e.schema_version,
            payload: e.payload.clone(),
            metadata: e.metadata.clone(),
            recorded_at: Utc::now(),
        }
    }

    fn batch() -> Vec<NewEvent> {
        (0..3).map(|i| NewEvent::new("E", 1, vec![i])).collect()
    }

    #[test]
    fn a_retried_batch_returns_the_original_positions() {
        let b = batch();
        let stored: Vec<_> = b
            .iter()
            .enumerate()
            .map(|(i, e)| recorded("s", e, 4 + i as u64, 10 + i as u64))
            .collect();
        let r = check_retry("s", &b, &stored).unwrap().unwrap();
        assert_eq!((r.first_version, r.last_version), (4, 6));
        assert_eq!((r.first_position, r.last_position), (10, 12));
        assert!(r.duplicate);
    }

    #[test]
    fn a_partly_stored_batch_is_a_conflict() {
        let b = batch();
        let stored = vec![recorded("s", &b[0], 0, 1)];
        assert!(matches!(
            check_retry("s", &b, &stored),
            Err(StoreError::IdempotencyConflict { .. })
        ));
    }

    #[test]
    fn the_same_id_with_another_payload_is_a_conflict() {
        let b = batch();
        let mut stored: Vec<_> = b
            .iter()
            .enumerate()
            .map(|(i, e)| recorded("s", e, i as u64, 1 + i as u64))
            .collect();
        stored[1].payload = b"other".to_vec();
        let err = check_retry("s", &b, &stored).unwrap_err();
        assert!(err.to_string().contains("different content"), "{err}");
    }

    #[test]
    fn the_same_ids_in_another_stream_are_a_conflict() {
        let b = batch();
        let stored: Vec<_> = b
            .iter()
            .enumerate()
            .map(|(i, e)| recorded("t", e, i as u64, 1 + i as u64))
            .collect();
        let err = check_retry("s", &b, &stored).unwrap_err();
        assert!(err.to_string().contains("stream t"), "{err}");
    }

    #[test]
    fn nothing_stored_means_not_a_retry() {
        assert_eq!(check_retry("s", &batch(), &[]).unwrap(), None);
        let _ = Uuid::nil();
    }
}
