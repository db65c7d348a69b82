//! End-to-end tests of authd's HTTP API: each test starts the real app on a random port and
//! drives it as a client would, asserting what that client sees. Every scenario runs twice,
//! over the in-memory adapters and over PostgreSQL (`#[apply(backends)]`); `postgres` and `cli`
//! hold what only PostgreSQL storage promises. `production`, `multi_instance`, `key_rotation`,
//! `smtp_outage` and `redis_outage` run the production setup (PostgreSQL, Redis, a real SMTP
//! server), the last four with several `authd` processes or with a service stopped under load.

// clippy's test exemption covers `#[test]` functions only; the helpers of this test binary fail
// a test by panicking just the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod admin;
mod admin_cli;
mod browser;
mod busy;
mod checkinn;
mod cleanup;
mod cli;
mod clients;
mod deploy;
mod envelope;
mod guard_example;
mod hardening;
mod health;
mod key_rotation;
mod lockout;
mod login;
mod logout;
mod logs;
mod mail_cooldown;
mod metrics;
mod mfa;
mod monitoring;
mod multi_instance;
mod openapi;
mod pages;
mod passwords;
mod postgres;
mod production;
mod rate_limits;
mod redis_outage;
mod redis_topology;
mod refresh;
mod register;
mod rolling_restart;
mod sessions;
mod slow_clients;
mod smtp_outage;
mod tls;
mod tokens;
mod users_me;
mod verify_email;
