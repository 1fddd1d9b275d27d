//! The transport error type shared by every transport.

/// Why a transport call failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The pad is gone (unplugged, or the simulator closed the link).
    #[error("pad disconnected")]
    Disconnected,
    /// The pad did not answer in time.
    #[error("pad did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The pad refused the report (not in its descriptor, or a stalled control transfer).
    #[error("pad refused report 0x{id:02X}: {reason}")]
    Rejected { id: u8, reason: String },
    /// A report is empty or longer than any pad uses.
    #[error("report of {0} bytes cannot be sent")]
    BadReport(usize),
    /// A frame on the simulator socket broke the framing rules.
    #[error("framing: {0}")]
    Framing(&'static str),
    /// No pad matched.
    #[error("no pad found: {0}")]
    NotFound(String),
    /// hidapi failed.
    #[error("hid: {0}")]
    Hid(String),
    /// Socket I/O failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
