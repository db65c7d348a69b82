//! chromedriver on a free loopback port, in a process group of its own (Chromium runs inside it),
//! with a fresh Chromium profile dir. A watchdog kills the group and deletes the dir once the
//! test process is gone, so a test killed halfway leaves no browser behind.

use crate::debian;
use std::fs;
use std::io::{Read, Write};
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

/// Attempts at starting chromedriver before the test gives up.
const STARTS: usize = 3;

/// How much of chromedriver's log a failed start shows (bytes).
const LOG_TAIL: usize = 2000;

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
    /// Starts chromedriver on a free port; another process may take that port between our
    /// look and chromedriver's bind, so a start that does not become ready is retried on
    /// another port.
    pub(super) fn start(programs: &Programs) -> Self {
        let mut failures = Vec::new();
        for _ in 0..STARTS {
            match Self::start_once(programs) {
                Ok(driver) => return driver,
                Err(failure) => failures.push(failure),
            }
        }
        panic!(
            "chromedriver did not start in {STARTS} attempts:\n{}",
            failures.join("\n---\n")
        )
    }

    fn start_once(programs: &Programs) -> Result<Self, String> {
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
        let mut driver = Self { child, port, dir };
        match driver.wait_ready() {
            Ok(()) => Ok(driver),
            // Dropping it kills what runs and deletes the dir.
            Err(problem) => {
                let log =
                    fs::read_to_string(driver.dir.join("chromedriver.log")).unwrap_or_default();
                let tail = log.len().saturating_sub(LOG_TAIL);
                let tail = log.get(tail..).unwrap_or(&log);
                Err(format!(
                    "port {port}: {problem}; the end of its log:\n{tail}"
                ))
            }
        }
    }

    pub(super) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(super) fn profile_dir(&self) -> PathBuf {
        self.dir.join("profile")
    }

    /// Ready when `GET /status` on the port says `"ready": true`: a mere connection could be
    /// to another program that took the port first.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("chromedriver exited ({status})"));
            }
            let answer = status_of(self.port);
            if answer.as_ref().is_ok_and(|body| is_ready(body)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not ready within {READY_WITHIN:?}; GET /status: {answer:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started. (sh's `kill`,
        // so that no `kill` program need be installed; dash's takes no `--`.)
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -KILL -{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The answer to `GET /status` on `port` of the loopback, read up to the end of its body
/// (`Content-Length`: chromedriver keeps the connection open).
fn status_of(port: u16) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let read = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        answer.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        if read == 0 || is_complete(&text) {
            return Ok(text);
        }
    }
}

/// Whether `answer` holds its head and as many bytes of body as its `Content-Length` says.
fn is_complete(answer: &str) -> bool {
    let Some((head, body)) = answer.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .is_some_and(|length| body.len() >= length)
}

/// Whether chromedriver's answer to `GET /status` says it takes new sessions.
fn is_ready(answer: &str) -> bool {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str::<serde_json::Value>(body)
        .is_ok_and(|status| status["value"]["ready"] == true)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    /// A one-shot server on a free port that answers the first request with `answer`, keeping
    /// the connection open as chromedriver does.
    fn answering(answer: String) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0_u8; 1024];
            let _ = stream.read(&mut request);
            stream.write_all(answer.as_bytes()).unwrap();
            thread::sleep(Duration::from_secs(3));
        });
        port
    }

    #[test]
    fn a_ready_chromedriver_is_recognised_without_waiting_for_the_connection_to_close() {
        let body = r#"{"value":{"message":"ChromeDriver ready for new sessions.","ready":true}}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n{body}",
            body.len()
        );
        let port = answering(answer);
        let started = Instant::now();
        let status = status_of(port).unwrap();
        assert!(is_ready(&status), "{status}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "read to the body's end only"
        );
    }

    #[test]
    fn another_program_on_the_port_or_a_busy_chromedriver_is_not_ready() {
        let other = answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_owned());
        assert!(!is_ready(&status_of(other).unwrap()));
        let busy = r#"{"value":{"ready":false}}"#;
        assert!(!is_ready(&format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{busy}",
            busy.len()
        )));
        assert!(!is_complete(
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"
        ));
    }
}
