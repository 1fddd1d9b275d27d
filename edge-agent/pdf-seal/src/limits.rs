//! Bounds on everything a sealing request may carry. A bound that is hit is a
//! [`SealError::Limit`](crate::SealError::Limit) or
//! [`SealError::InputTooLarge`](crate::SealError::InputTooLarge), never a
//! silent truncation.

/// Configurable bounds; [`Limits::default`] documents the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input PDF in bytes (default 50 MiB).
    pub max_input_bytes: usize,
    /// Most visible signatures per request (default 32).
    pub max_visible_signatures: usize,
    /// Most pen points in one visible signature (default 100 000).
    pub max_points_per_signature: usize,
    /// Most attachments per request (default 64).
    pub max_attachments: usize,
    /// Largest attachment in bytes (default 8 MiB).
    pub max_attachment_bytes: usize,
    /// Bytes reserved for the CMS signature in `/Contents` (default 16 KiB;
    /// written as twice as many hex digits).
    pub signature_reserve_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 50 * 1024 * 1024,
            max_visible_signatures: 32,
            max_points_per_signature: 100_000,
            max_attachments: 64,
            max_attachment_bytes: 8 * 1024 * 1024,
            signature_reserve_bytes: 16 * 1024,
        }
    }
}
