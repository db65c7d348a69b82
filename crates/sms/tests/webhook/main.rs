//! The webhook transport against a real HTTP receiver on a local port (`support.rs`): what
//! arrives, how each answer is classified, outages, timeouts, and that no secret leaks.

// Test code: a failed expectation is reported by panicking, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery;
mod failures;
mod support;
