//! Crash points for the crash tests: when `INKSEAL_FAILPOINT` names one of
//! them, the process aborts there at once, as a SIGKILL would stop it, so a
//! test can stop the real binary between two steps that must survive a crash
//! (the peer has the message / its answer is recorded / the work is marked
//! done). Unset — always, outside those tests — every point does nothing.
//!
//! | name | where |
//! | --- | --- |
//! | `notify-after-claim` | a notification row is claimed, nothing sent yet |
//! | `notify-after-send` | the mail server or gateway took the message; nothing recorded |
//! | `notify-after-record` | the outcome is recorded; the row is not yet finished |

/// Aborts the process if `INKSEAL_FAILPOINT` is `name`.
pub fn hit(name: &str) {
    if std::env::var("INKSEAL_FAILPOINT").is_ok_and(|v| v == name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}
