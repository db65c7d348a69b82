//! authd-crypto's behaviour through the domain ports, as the services use them.

// Helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod jwt;
mod keygen;
mod opaque;
mod password;
