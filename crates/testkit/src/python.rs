//! Python tools from PyPI for the tests: a virtualenv under the temp dir, named after the pinned
//! packages it holds and filled by pip once (shared by every later test run). When `python3` or
//! its `venv` module is missing, the Debian package `python3-venv` is installed if the tests run
//! as root (as CI does, on a machine with only the Rust toolchain); otherwise the tests stop with
//! the command that installs it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const INSTALL_HINT: &str = "sudo apt-get install -y python3-venv";

/// A venv holding `pins` (`name==version`), made if needed; `probe` is Python code that runs
/// without error once they are installed. Returns the venv's directory (`bin/` holds the tools).
///
/// # Panics
/// When the venv cannot be made, with the command that would make it.
pub fn venv(pins: &[&str], probe: &str) -> PathBuf {
    let venv = venv_dir(pins);
    let python = venv.join("bin").join("python");
    if !venv.join(".complete").exists() {
        if !can_make_venv() {
            if crate::debian::running_as_root() {
                install_debian_venv();
            }
            if !can_make_venv() {
                panic!(
                    "the tests need python3 with its venv module (to install {} from PyPI); \
                     install them with:\n    {INSTALL_HINT}",
                    pins.join(" ")
                );
            }
        }
        make_venv(&venv, pins);
    }
    if !runs(&python, probe) {
        panic!(
            "{} cannot run `{probe}`; delete {} and run the tests again",
            python.display(),
            venv.display()
        );
    }
    venv
}

/// Whether `python` runs `code` without error.
pub fn runs(python: &Path, code: &str) -> bool {
    quiet(Command::new(python).args(["-c", code]))
}

/// Named after the pins, so that a new pin gets a venv of its own.
fn venv_dir(pins: &[&str]) -> PathBuf {
    let name: Vec<String> = pins.iter().map(|p| p.replace("==", "-")).collect();
    env::temp_dir().join(format!("authd-testkit-venv-{}", name.join("-")))
}

fn can_make_venv() -> bool {
    // ensurepip is what Debian splits off into python3-venv; `venv` alone imports without it.
    quiet(Command::new("python3").args(["-c", "import venv, ensurepip"]))
}

/// Creates the venv and installs the pins into it. Parallel test binaries serialize on a lock
/// file; one that got the lock after another finished finds the marker and does nothing. A venv
/// cannot be moved once made, so it is built in place and marked complete last: a half-made one
/// (from an interrupted run) is deleted and made again.
fn make_venv(venv: &Path, pins: &[&str]) {
    let lock = env::temp_dir().join("authd-testkit-venv.lock");
    let quoted: Vec<String> = pins.iter().map(|p| format!("'{p}'")).collect();
    let quoted = quoted.join(" ");
    let script = format!(
        "set -e; v='{venv}'; [ -f \"$v/.complete\" ] && exit 0; rm -rf \"$v\"; \
         python3 -m venv \"$v\"; \
         \"$v/bin/python\" -m pip install --quiet --disable-pip-version-check {quoted}; \
         touch \"$v/.complete\"",
        venv = venv.display()
    );
    eprintln!("installing {quoted} into {} for the tests", venv.display());
    let status = Command::new("flock")
        .arg(&lock)
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .status();
    if !status.as_ref().is_ok_and(|s| s.success()) {
        panic!(
            "installing {quoted} into {} failed ({status:?}); with network access to PyPI, run:\n    \
             python3 -m venv {0} && {0}/bin/pip install {quoted}",
            venv.display()
        );
    }
}

fn install_debian_venv() {
    let script = "python3 -c 'import venv, ensurepip' 2>/dev/null || { apt-get update && \
                  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; }";
    eprintln!("python3-venv is missing: installing the Debian package for the tests");
    let status = crate::debian::run_with_apt_lock(script);
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
