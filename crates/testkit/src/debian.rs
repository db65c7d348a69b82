//! Programs from Debian packages, for the throw-away servers and the benchmark: found in `PATH`
//! or `/usr/bin`, and installed with apt-get when missing and this process may (root).

use std::env;
use std::io;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};

/// Where Debian puts the programs of its packages when `PATH` does not list it.
const DEBIAN_BIN: &str = "/usr/bin";

/// `program` in `PATH` or in `/usr/bin`.
#[must_use]
pub fn find(program: &str) -> Option<PathBuf> {
    let in_path = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    in_path
        .into_iter()
        .chain([PathBuf::from(DEBIAN_BIN)])
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Whether this process runs as root, and so may install packages.
#[must_use]
pub fn running_as_root() -> bool {
    // `id -u` because reading the uid directly would need unsafe code, which the workspace forbids.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the shell `script` holding the one lock every apt-get of the tests takes: dpkg and apt's
/// lists allow one user at a time and fail at once otherwise, so two test processes installing
/// different packages (say postgresql and chromium-driver) on a fresh machine must take turns.
///
/// # Errors
/// `flock` or `sh` cannot be started.
pub fn run_with_apt_lock(script: &str) -> io::Result<ExitStatus> {
    Command::new("flock")
        .arg(env::temp_dir().join("authd-testkit-apt.lock"))
        .args(["sh", "-c", script])
        .stdin(Stdio::null())
        .status()
}

/// Installs `package` unless the shell test `present` succeeds. Parallel callers serialize on
/// the apt lock ([`run_with_apt_lock`]), and one that got the lock after another installed finds
/// `present` true and skips the install.
///
/// # Errors
/// apt-get cannot be run or fails; the message says which.
pub fn install(package: &str, present: &str) -> Result<(), String> {
    // Checked before the lock too, so that a present package never waits for another's install.
    if Command::new("sh")
        .args(["-c", present])
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        return Ok(());
    }
    let script = format!(
        "{present} || {{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
         {package}; }}"
    );
    let status = run_with_apt_lock(&script);
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "installing the Debian package `{package}` failed ({s})"
        )),
        Err(e) => Err(format!("could not run apt-get ({e})")),
    }
}

/// `promtool` (from Debian's `prometheus` package) to check alerting rules and scrapes: found in
/// `PATH` or `/usr/bin`, or else unpacked from the package into a temporary directory with
/// `apt-get download` and `dpkg-deb -x`, so that no Prometheus server is installed or started
/// (the package's install script would start one); only `promtool` is kept (48 MB of 95). `apt-get update` runs first only when the
/// download fails, and needs root then.
///
/// # Errors
/// The package cannot be downloaded or unpacked; the message says which.
pub fn promtool() -> Result<PathBuf, String> {
    if let Some(found) = find("promtool") {
        return Ok(found);
    }
    let root = env::temp_dir().join("authd-testkit-promtool");
    let promtool = root.join("usr/bin/promtool");
    let script = format!(
        "test -x '{bin}' || {{ mkdir -p '{dir}/deb' && cd '{dir}/deb' && rm -f prometheus_*.deb \
         && {{ apt-get download prometheus || {{ apt-get update && apt-get download prometheus; }}; }} \
         && dpkg-deb -x prometheus_*.deb '{dir}/deb/x' && mkdir -p '{dir}/usr/bin' \
         && mv '{dir}/deb/x/usr/bin/promtool' '{bin}' && rm -rf '{dir}/deb'; }}",
        bin = promtool.display(),
        dir = root.display(),
    );
    let status = run_with_apt_lock(&script);
    match status {
        Ok(s) if s.success() && promtool.is_file() => Ok(promtool),
        Ok(s) => Err(format!(
            "could not unpack promtool from the Debian package `prometheus` ({s})"
        )),
        Err(e) => Err(format!("could not run apt-get download ({e})")),
    }
}
