//! authd-guard against a local stand-in for authd: a tiny actix server publishing a JWKS (and
//! an introspection endpoint) the tests change as they go, with tokens made by authd's own codec
//! (`authd-crypto`) and forged ones made with jsonwebtoken.

// Tests report by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod claims;
mod introspection;
mod jwks;
mod middleware;
mod support;
