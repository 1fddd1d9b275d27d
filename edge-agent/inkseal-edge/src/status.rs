//! `inkseal-edge status`: the four states of the seed (question 7) for the offers in the outbox —
//! 1 while being signed, 2 once sealed on the PC, 3 and 4 from the backend's answers.

use crate::error::EdgeError;
use crate::outbox::{OfferRow, Outbox};

/// Most offers listed at once.
pub const MAX_LISTED: usize = 1000;

/// The offers, optionally only one.
pub async fn offers(outbox: &Outbox, offer_id: Option<&str>) -> Result<Vec<OfferRow>, EdgeError> {
    let mut rows = outbox.list(MAX_LISTED).await?;
    if let Some(id) = offer_id {
        rows.retain(|r| r.offer_id == id);
    }
    Ok(rows)
}

/// One line per offer, as the agent reads it.
pub fn format_row(r: &OfferRow) -> String {
    let mut line = format!(
        "{}  {}  {}. {}",
        r.offer_id, r.offer_number, r.status, r.status_text
    );
    if let Some(reason) = &r.rejection_reason {
        line.push_str(&format!(" – odmítnuta: {reason}"));
    }
    line
}
