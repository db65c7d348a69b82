//! Finding `redis-server`, and installing the Debian package when it is missing and we may.

use crate::debian;
use std::path::PathBuf;

const PROGRAM: &str = "redis-server";
const INSTALL_HINT: &str = "sudo apt-get install -y redis-server";

/// The path of `redis-server`, installing the `redis-server` package first when it is missing
/// and this process is root; panics with the command to run otherwise.
pub(super) fn find_or_install() -> PathBuf {
    debian::find(PROGRAM)
        .or_else(|| {
            debian::running_as_root()
                .then(install)
                .and_then(|()| debian::find(PROGRAM))
        })
        .unwrap_or_else(|| {
            panic!(
                "the tests need a Redis server, but {PROGRAM} is neither in PATH nor in \
                 /usr/bin; install it with:\n    {INSTALL_HINT}"
            )
        })
}

fn install() {
    eprintln!("Redis is missing: installing the Debian package `{PROGRAM}` for the tests");
    let present = format!("command -v {PROGRAM} >/dev/null 2>&1 || [ -x /usr/bin/{PROGRAM} ]");
    if let Err(e) = debian::install(PROGRAM, &present) {
        panic!("{e}; install Redis with:\n    {INSTALL_HINT}");
    }
}
