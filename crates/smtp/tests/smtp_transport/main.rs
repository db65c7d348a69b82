//! The SMTP transport against a real SMTP server process (aiosmtpd, see `authd_testkit::smtp`):
//! what arrives, how failures are classified, outages, TLS and login.

// Test code: a failed expectation is reported by panicking, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery;
mod outage;
mod support;
mod tls;
