//! Size bounds of the contract, as stated in the `.proto` comments.
//!
//! Servers and clients check these; breaking one is a clear error that
//! changes nothing.

/// Largest gRPC message either side decodes (bytes).
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Largest encoded `EdgeEvent` (bytes).
pub const MAX_EDGE_EVENT_BYTES: usize = 64 * 1024;
/// Most events in one `SyncEvents` call.
pub const MAX_EVENTS_PER_CALL: usize = 10_000;
/// Largest data part of one `PdfChunk` (bytes).
pub const MAX_PDF_CHUNK_BYTES: usize = 256 * 1024;
/// Largest sealed PDF (bytes).
pub const MAX_PDF_BYTES: u64 = 50 * 1024 * 1024;
/// Largest biometric envelope (bytes).
pub const MAX_ENVELOPE_BYTES: u64 = 4 * 1024 * 1024;
/// Most signature fields in one offer.
pub const MAX_SIGNATURE_FIELDS: usize = 64;
/// Longest offer id or field id (characters).
pub const MAX_ID_CHARS: usize = 64;
/// Longest agent id or help-desk user id (characters).
pub const MAX_ACTOR_CHARS: usize = 128;
/// Longest e-mail address (characters).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest reason of a help-desk action (characters).
pub const MAX_REASON_CHARS: usize = 1000;
/// Most offer ids in one status request.
pub const MAX_STATUS_QUERY_IDS: usize = 500;
/// Most timeline entries per page.
pub const MAX_TIMELINE_PAGE: u32 = 1000;
/// Most search results per page.
pub const MAX_SEARCH_PAGE: u32 = 100;
