//! hotel-service against a real authd configured as a CheckInn deployment.
//!
//! authd runs in this test process: the same `authd::Application` that `authd serve` runs, on
//! a loopback port, configured only by the variables given here (`authd::Config::from_vars`),
//! its signing keys made by `authd keys generate`'s own code (`authd::keys_cli`) and read from
//! their files at each start. Not a child process: cargo builds `CARGO_BIN_EXE_authd` only for
//! authd's own tests, and a `cargo build -p authd` from inside `cargo test` would wait forever
//! on the build directory's lock. A restart is a new `Application` on the same port, with an
//! empty memory store: accounts are made again after it, while the tokens signed before it
//! are still what the guard is given (it verifies them without asking authd).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod revocation;
mod roles;
mod rotation;
mod support;
