//! The blocking runner: executes a `stu_protocol::PadDriver`'s planned actions on a
//! [`Transport`] and reads pen points.

use std::time::Duration;

use stu_protocol::{Action, DriverError, PadDriver, PenPoint};

use crate::Transport;
use crate::error::TransportError;

/// Why a driven operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    /// The link failed (disconnected, timed out, report refused).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The pad answered, but not as the protocol allows (or refused the command).
    #[error(transparent)]
    Driver(#[from] DriverError),
}

/// Runs every planned action until the driver is idle. On any failure the driver's plan is
/// dropped, so the driver can be used again.
pub fn run(
    driver: &mut PadDriver,
    transport: &mut (impl Transport + ?Sized),
) -> Result<(), DriveError> {
    let result = run_inner(driver, transport);
    if result.is_err() {
        driver.abort();
    }
    result
}

fn run_inner(
    driver: &mut PadDriver,
    transport: &mut (impl Transport + ?Sized),
) -> Result<(), DriveError> {
    while let Some(action) = driver.poll_action() {
        match action {
            Action::GetFeature { id, len } => {
                let bytes = transport.get_feature(id as u8, len)?;
                driver.handle_feature(&bytes)?;
            }
            Action::SetFeature(bytes) => {
                transport.set_feature(&bytes)?;
                driver.handle_set_done()?;
            }
            Action::Wait(d) => {
                transport.wait(d);
                driver.handle_wait_done();
            }
        }
    }
    Ok(())
}

/// Bound on input reports without pen data (key notifications…) that `read_pen` skips per call.
pub const MAX_SKIPPED_REPORTS: usize = 64;

/// Returns the next pen point: a queued one, or one decoded from the next input reports read
/// within `timeout` each. Input reports that carry no pen data (a key notification, the first
/// half of an encrypted pair) are consumed and skipped, at most [`MAX_SKIPPED_REPORTS`].
/// `Ok(None)` when no report arrived in time.
pub fn read_pen(
    driver: &mut PadDriver,
    transport: &mut (impl Transport + ?Sized),
    timeout: Duration,
) -> Result<Option<PenPoint>, DriveError> {
    for _ in 0..=MAX_SKIPPED_REPORTS {
        if let Some(p) = driver.poll_pen() {
            return Ok(Some(p));
        }
        match transport.read_input(timeout)? {
            Some(bytes) => driver.handle_input(&bytes)?,
            None => return Ok(None),
        }
    }
    Ok(driver.poll_pen())
}
