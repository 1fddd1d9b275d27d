//! Fixtures for whole-system runs: a sample offer, the pen that signs it on a
//! simulated pad, a pad handle that can still show its screen afterwards, and
//! the client's browser for the document storage.
//!
//! Used by the `inkseal-demo` main job and by the whole-system tests.

pub mod client;
pub mod demo;
pub mod offer;
pub mod pen;
