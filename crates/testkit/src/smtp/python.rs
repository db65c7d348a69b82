//! A Python that can import aiosmtpd: the machine's `python3` when it already can, else a venv
//! under the temp dir that pip fills from PyPI once (shared by every later test run). When
//! `python3` or its `venv` module is missing, the Debian package `python3-venv` is installed if
//! the tests run as root; otherwise the tests stop with the command that installs it.

use std::env;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The aiosmtpd release the venv gets: pinned, so every machine runs the same server.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";
const INSTALL_HINT: &str = "sudo apt-get install -y python3-venv";

/// The interpreter to run the server with.
pub(super) fn find_or_install() -> PathBuf {
    let system = PathBuf::from("python3");
    if imports_aiosmtpd(&system) {
        return system;
    }
    let venv = venv_dir();
    let python = venv.join("bin").join("python");
    if !venv.join(".complete").exists() {
        if !can_make_venv() {
            if crate::debian::running_as_root() {
                install_debian_venv();
            }
            if !can_make_venv() {
                panic!(
                    "the SMTP tests need python3 with its venv module (to install aiosmtpd from \
                     PyPI); install them with:\n    {INSTALL_HINT}\nor make aiosmtpd importable \
                     with: python3 -m pip install '{AIOSMTPD}'"
                );
            }
        }
        make_venv(&venv);
    }
    if !imports_aiosmtpd(&python) {
        panic!(
            "{} cannot import aiosmtpd; delete {} and run the tests again",
            python.display(),
            venv.display()
        );
    }
    python
}

/// Named after the pinned version, so that a new pin gets a venv of its own.
fn venv_dir() -> PathBuf {
    let version = AIOSMTPD.replace("==", "-");
    env::temp_dir().join(format!("authd-testkit-venv-{version}"))
}

fn imports_aiosmtpd(python: &std::path::Path) -> bool {
    quiet(Command::new(python).args(["-c", "import aiosmtpd.smtp, aiosmtpd.handlers"]))
}

fn can_make_venv() -> bool {
    // ensurepip is what Debian splits off into python3-venv; `venv` alone imports without it.
    quiet(Command::new("python3").args(["-c", "import venv, ensurepip"]))
}

/// Creates the venv and installs aiosmtpd into it. Parallel test binaries serialize on a lock
/// file; one that got the lock after another finished finds the marker and does nothing. A venv
/// cannot be moved once made, so it is built in place and marked complete last: a half-made one
/// (from an interrupted run) is deleted and made again.
fn make_venv(venv: &std::path::Path) {
    let lock = env::temp_dir().join("authd-testkit-venv.lock");
    let script = format!(
        "set -e; v='{venv}'; [ -f \"$v/.complete\" ] && exit 0; rm -rf \"$v\"; \
         python3 -m venv \"$v\"; \
         \"$v/bin/python\" -m pip install --quiet --disable-pip-version-check '{AIOSMTPD}'; \
         touch \"$v/.complete\"",
        venv = venv.display()
    );
    eprintln!(
        "aiosmtpd is missing: installing {AIOSMTPD} into {} for the SMTP tests",
        venv.display()
    );
    let status = Command::new("flock")
        .arg(&lock)
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        panic!(
            "installing {AIOSMTPD} into {} failed ({status:?}); with network access to PyPI, run:\n    \
             python3 -m venv {0} && {0}/bin/pip install '{AIOSMTPD}'",
            venv.display()
        );
    }
}

fn install_debian_venv() {
    let lock = env::temp_dir().join("authd-testkit-python-install.lock");
    let script = "python3 -c 'import venv, ensurepip' 2>/dev/null || { apt-get update && \
                  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; }";
    eprintln!("python3-venv is missing: installing the Debian package for the SMTP tests");
    let status = Command::new("flock")
        .arg(&lock)
        .args(["sh", "-c", script])
        .stdin(Stdio::null())
        .status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        panic!("installing python3-venv failed ({status:?}); install it with:\n    {INSTALL_HINT}");
    }
}

/// Runs `command` to completion with no output; whether it succeeded.
fn quiet(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
