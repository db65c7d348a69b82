//! Finding `redis-server`, and installing the Debian package when it is missing and we may.

use std::env;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const PROGRAM: &str = "redis-server";
const DEBIAN_DIR: &str = "/usr/bin";
const INSTALL_HINT: &str = "sudo apt-get install -y redis-server";

/// The path of `redis-server`, installing the `redis-server` package first when it is missing
/// and this process is root; panics with the command to run otherwise.
pub(super) fn find_or_install() -> PathBuf {
    find()
        .or_else(|| running_as_root().then(install).and_then(|()| find()))
        .unwrap_or_else(|| {
            panic!(
                "the tests need a Redis server, but {PROGRAM} is neither in PATH nor in \
                 {DEBIAN_DIR}; install it with:\n    {INSTALL_HINT}"
            )
        })
}

fn find() -> Option<PathBuf> {
    let in_path = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    in_path
        .into_iter()
        .chain([PathBuf::from(DEBIAN_DIR)])
        .map(|dir| dir.join(PROGRAM))
        .find(|path| path.is_file())
}

/// Installs the Debian package. Parallel test binaries serialize on a lock file, and a binary
/// that got the lock after another one installed finds the program and skips the install.
fn install() {
    let lock = env::temp_dir().join("authd-testkit-redis-install.lock");
    let script = format!(
        "command -v {PROGRAM} >/dev/null 2>&1 || [ -x {DEBIAN_DIR}/{PROGRAM} ] || {{ \
         apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {PROGRAM}; }}"
    );
    eprintln!("Redis is missing: installing the Debian package `{PROGRAM}` for the tests");
    let status = Command::new("flock")
        .arg(&lock)
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("installing Redis failed ({s}); install it with:\n    {INSTALL_HINT}"),
        Err(e) => panic!("could not run apt-get ({e}); install Redis with:\n    {INSTALL_HINT}"),
    }
}

fn running_as_root() -> bool {
    // `id -u` because reading the uid directly would need unsafe code, which the workspace forbids.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
