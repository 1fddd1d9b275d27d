//! Fixtures for whole-system runs: a sample offer, the pen that signs it on a
//! simulated pad, and a pad handle that can still show its screen afterwards.
//!
//! Used by the `inkseal-demo` main job and by the whole-system tests.

pub mod demo;
pub mod offer;
pub mod pen;
