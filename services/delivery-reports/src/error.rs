//! Typed errors of [`crate::parse`].

use thiserror::Error;

/// Why a message could not be read as a delivery report.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The message is larger than [`crate::MAX_INPUT_BYTES`].
    #[error("message of {size} bytes is larger than the {max} bytes accepted")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The message has more lines that could be MIME boundaries (lines
    /// starting with `--`) than [`crate::MAX_BOUNDARY_LINES`]: a message
    /// split into that many parts would take far more memory to read than
    /// its size suggests.
    #[error("message has {lines} possible MIME boundary lines, at most {max} accepted")]
    TooManyParts {
        /// Lines starting with `--`.
        lines: usize,
        /// The limit.
        max: usize,
    },
    /// The MIME structure could not be read at all.
    #[error("unreadable MIME message: {0}")]
    Mime(String),
    /// The message has no delivery-status part and nothing else that marks
    /// it as a bounce (no failure status code, no `X-Failed-Recipients`, not
    /// from a mailer daemon, no bounce subject): for example an
    /// out-of-office reply sent to the bounce address.
    #[error("not a delivery report")]
    NotADeliveryReport,
}
