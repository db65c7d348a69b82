//! chromedriver on a free loopback port, in a process group of its own (Chromium runs inside it),
//! with a fresh Chromium profile dir. A watchdog kills the group and deletes the dir once the
//! test process is gone, so a test killed halfway leaves no browser behind.

use crate::debian;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `chromium-driver` depends on the `chromium` of its exact version: installing it brings both.
const PRESENT: &str = "command -v chromedriver >/dev/null && command -v chromium >/dev/null \
                       || test -x /usr/bin/chromedriver -a -x /usr/bin/chromium";
const INSTALL_HINT: &str = "sudo apt-get install -y chromium chromium-driver";

const WATCHDOG: &str = r#"(
  while kill -0 {pid} 2>/dev/null; do sleep 0.5; done
  kill -KILL -{group} 2>/dev/null
  sleep 1
  rm -rf '{dir}'
) &"#;

const READY_WITHIN: Duration = Duration::from_secs(20);

/// The programs, found or installed.
#[derive(Debug, Clone)]
pub(super) struct Programs {
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

/// `chromedriver` and `chromium` from `PATH` or `/usr/bin`, installed with apt-get when missing
/// and this process is root; otherwise the test stops with the command that installs them.
pub(super) fn programs() -> Programs {
    let found = || Some((debian::find("chromedriver")?, debian::find("chromium")?));
    if found().is_none() {
        assert!(
            debian::running_as_root(),
            "the browser tests need Chromium and chromedriver; install them with:\n    \
             {INSTALL_HINT}"
        );
        debian::install("chromium-driver", PRESENT)
            .unwrap_or_else(|e| panic!("{e}; install them with:\n    {INSTALL_HINT}"));
    }
    let (chromedriver, chromium) =
        found().unwrap_or_else(|| panic!("chromium-driver installed, yet no chromedriver"));
    Programs {
        chromedriver,
        chromium,
    }
}

/// A running chromedriver; killed with its browsers when dropped.
#[derive(Debug)]
pub(super) struct Driver {
    child: Child,
    port: u16,
    /// The Chromium profile (`--user-data-dir`) and chromedriver's log.
    dir: PathBuf,
}

impl Driver {
    pub(super) fn start(programs: &Programs) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "authd-browser-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir_all(dir.join("profile"))
            .unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        let port = free_port();
        let log = fs::File::create(dir.join("chromedriver.log"))
            .unwrap_or_else(|e| panic!("could not create chromedriver's log: {e}"));
        let child = Command::new(&programs.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", programs.chromedriver.display()));
        spawn_watchdog(child.id(), &dir);
        let driver = Self { child, port, dir };
        driver.wait_ready();
        driver
    }

    pub(super) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(super) fn profile_dir(&self) -> PathBuf {
        self.dir.join("profile")
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + READY_WITHIN;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen within {READY_WITHIN:?}; its log:\n{}",
                fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A detached shell (own process group, so a Ctrl-C does not kill it first) that waits for this
/// process to end, then kills chromedriver's group and deletes the dir. (dash's `kill` takes no
/// `--`: a negative number after the signal is the group.)
fn spawn_watchdog(group: u32, dir: &Path) {
    let script = WATCHDOG
        .replace("{pid}", &std::process::id().to_string())
        .replace("{group}", &group.to_string())
        .replace("{dir}", &dir.display().to_string());
    let started = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .status();
    assert!(
        started.as_ref().is_ok_and(|s| s.success()),
        "could not start chromedriver's watchdog: {started:?}"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("could not find a free loopback port: {e}"))
}
