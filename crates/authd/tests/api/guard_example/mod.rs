//! `examples/hotel-service` against the real `authd` binary configured as a CheckInn deployment
//! (issue 16): authd is a child process started from `CARGO_BIN_EXE_authd` on a loopback port,
//! with signing keys made by `authd keys generate`; hotel-service (its library's actix app, with
//! `authd-guard` pointed at that authd) runs in this test process. A restart is a new process on
//! the same port with its memory store empty, so accounts are made again after it, while tokens
//! signed before it are still what the guard is shown (it verifies them without asking authd).

mod revocation;
mod roles;
mod rotation;
mod support;
