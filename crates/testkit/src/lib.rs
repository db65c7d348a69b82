//! Port conformance suites, written once and run against every adapter (object_store style):
//! each check is a `pub async fn` of its port's module taking `&StorageUnderTest` (or
//! `&dyn TokenDenylist`, `&dyn RateLimiter`, `Arc<dyn FailureSpread>`) that panics with a message when the adapter breaks
//! the port's contract. An adapter's test file registers every check of the ports it serves
//! with one macro call ([`storage_conformance!`], [`cache_conformance!`]; see [`conformance`]),
//! each check a test of its own on fresh storage, on a multi-threaded Tokio runtime: several
//! checks race many tasks against one adapter to prove the atomicity the ports promise.
//!
//! Checks create their own accounts with unique emails and usernames, so they also pass on
//! storage that other checks use at the same time; outbox checks are the exception and need
//! storage of their own.

// Test-support code: a failed expectation is reported by panicking, as in a `#[test]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod api_tools;
pub mod audit;
pub mod browser;
pub mod clock;
pub mod conformance;
pub mod debian;
pub mod denylist;
pub mod deploy_tools;
pub mod directory;
pub mod failure_spread;
pub mod fixtures;
pub mod geoip;
pub mod known_devices;
pub mod login_attempts;
pub mod mfa;
pub mod one_time_tokens;
pub mod outbox;
pub mod postgres;
pub mod python;
pub mod rate_limiter;
pub mod redis;
pub mod retention;
pub mod sessions;
pub mod smtp;
pub mod support;
pub mod tls;
pub mod users;

use authd_domain::ports::{
    AuditLog, KnownDevices, LoginAttempts, MfaRepository, OneTimeTokenRepository, Outbox,
    Retention, SessionRepository, UserDirectory, UserRepository,
};
use std::fmt;
use std::sync::Arc;

/// The storage ports of one adapter, as the application holds them.
#[derive(Clone)]
pub struct StorageUnderTest {
    pub users: Arc<dyn UserRepository>,
    pub login_attempts: Arc<dyn LoginAttempts>,
    pub sessions: Arc<dyn SessionRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub outbox: Arc<dyn Outbox>,
    pub audit: Arc<dyn AuditLog>,
    pub mfa: Arc<dyn MfaRepository>,
    pub directory: Arc<dyn UserDirectory>,
    pub known_devices: Arc<dyn KnownDevices>,
    pub retention: Arc<dyn Retention>,
}

impl StorageUnderTest {
    /// Every storage port from one adapter value that implements them all.
    pub fn from_store<S>(store: Arc<S>) -> Self
    where
        S: UserRepository
            + LoginAttempts
            + SessionRepository
            + OneTimeTokenRepository
            + Outbox
            + AuditLog
            + MfaRepository
            + UserDirectory
            + KnownDevices
            + Retention
            + 'static,
    {
        Self {
            users: store.clone(),
            login_attempts: store.clone(),
            sessions: store.clone(),
            one_time_tokens: store.clone(),
            outbox: store.clone(),
            audit: store.clone(),
            mfa: store.clone(),
            directory: store.clone(),
            known_devices: store.clone(),
            retention: store,
        }
    }
}

impl fmt::Debug for StorageUnderTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StorageUnderTest { .. }")
    }
}
