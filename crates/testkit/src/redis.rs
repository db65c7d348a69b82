//! A throw-away Redis server for tests: the machine's `redis-server` in a temp dir, on a random
//! loopback port, with persistence off. [`server`] starts one per test process on first use;
//! tests share it and stay apart by giving every store a key prefix of its own
//! ([`RedisServer::unique_prefix`]). Tests that stop or freeze the server start one of their own
//! with [`RedisServer::start_new`], so as not to disturb the others. A standalone server goes
//! away when dropped; the shared one, and any server of a killed test process, is removed by a
//! watchdog once the process is gone (statics are never dropped at exit).
//!
//! When `redis-server` is missing, the Debian package `redis-server` is installed if the tests
//! run as root; otherwise the tests stop with the command that installs it.

pub mod cluster;
mod install;
mod node;
pub mod sentinel;

use crate::tls::TestCertificates;
use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

static SERVER: OnceLock<RedisServer> = OnceLock::new();

/// Waits for the test process to end, then kills the server it left (by its pid file, which
/// `stop` removes, so a pid is never reused by mistake) and deletes the temp dir.
const WATCHDOG: &str = r#"(
  d='{dir}'
  while kill -0 {pid} 2>/dev/null; do sleep 0.2; done
  if [ -f "$d/redis.pid" ]; then
    p=$(cat "$d/redis.pid"); kill -9 "$p" 2>/dev/null
    i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
  fi
  rm -rf "$d"
) &"#;

/// Another process may grab the port between our probe and the server's bind; try again then.
const START_ATTEMPTS: usize = 5;
const READY_WITHIN: Duration = Duration::from_secs(10);

/// The test process's shared server, started on first use (blocks while it starts, and while
/// Redis is installed on the first run on a fresh machine).
pub fn server() -> &'static RedisServer {
    SERVER.get_or_init(RedisServer::start_new)
}

/// A running throw-away Redis server, without a password.
#[derive(Debug)]
pub struct RedisServer {
    program: PathBuf,
    dir: PathBuf,
    port: u16,
    /// TLS only (`--port 0 --tls-port`), with the copies of the certificate files in `dir`.
    tls: bool,
    child: Mutex<Option<Child>>,
}

impl RedisServer {
    /// Starts a server of its own and blocks until it answers `PING`; it is stopped and its
    /// temp dir deleted when dropped.
    pub fn start_new() -> Self {
        Self::launch(None)
    }

    /// As [`Self::start_new`], speaking TLS only (no plain port) with the server certificate of
    /// `certs`; [`Self::url`] is then `rediss://`. Clients need no certificate of their own.
    pub fn start_with_tls(certs: &TestCertificates) -> Self {
        Self::launch(Some(certs))
    }

    fn launch(certs: Option<&TestCertificates>) -> Self {
        let program = install::find_or_install();
        let dir = server_dir("server", certs);
        let mut server = Self {
            program,
            dir,
            port: 0,
            tls: certs.is_some(),
            child: Mutex::new(None),
        };
        for attempt in 1..=START_ATTEMPTS {
            server.port = free_port();
            match server.spawn() {
                Ok(child) => {
                    *server.lock() = Some(child);
                    return server;
                }
                Err(log) if attempt == START_ATTEMPTS => {
                    panic!("redis-server did not start; its log:\n{log}")
                }
                Err(_) => {}
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// A key prefix no other caller gets, so that tests sharing a server never see each other's
    /// keys.
    pub fn unique_prefix() -> String {
        format!("test:{}:", uuid::Uuid::new_v4().simple())
    }

    /// `redis://127.0.0.1:<port>/`, or `rediss://` for a TLS server.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}/", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (its data is gone); the port refuses connections once this returns.
    pub fn stop(&self) {
        if let Some(mut child) = self.lock().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_file(self.dir.join("redis.pid"));
    }

    /// Starts the stopped server again, empty, on the same port; blocks until it answers.
    pub fn start(&self) {
        let mut child = self.lock();
        if child.is_some() {
            return;
        }
        match self.spawn() {
            Ok(started) => *child = Some(started),
            Err(log) => panic!("redis-server did not start again; its log:\n{log}"),
        }
    }

    /// Suspends the server (`SIGSTOP`): connections stay open but nothing is answered, as with
    /// a server that hangs or a network that drops packets.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Resumes a frozen server (`SIGCONT`).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let Some(pid) = self.lock().as_ref().map(Child::id) else {
            panic!("the Redis server is not running");
        };
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status();
        if !status.is_ok_and(|s| s.success()) {
            panic!("could not send {signal} to redis-server {pid}");
        }
    }

    /// Spawns the server and waits until it answers `PING`; its log when it does not.
    fn spawn(&self) -> Result<Child, String> {
        let log = self.dir.join("redis.log");
        let port = self.port.to_string();
        let ports = if self.tls {
            let file = |name: &str| self.dir.join(name).display().to_string();
            vec![
                "--port".to_owned(),
                "0".to_owned(),
                "--tls-port".to_owned(),
                port,
                "--tls-cert-file".to_owned(),
                file("server.pem"),
                "--tls-key-file".to_owned(),
                file("server.key"),
                "--tls-ca-cert-file".to_owned(),
                file("ca.pem"),
                "--tls-auth-clients".to_owned(),
                "no".to_owned(),
            ]
        } else {
            vec!["--port".to_owned(), port]
        };
        let mut child = Command::new(&self.program)
            .args(["--bind", "127.0.0.1"])
            .args(&ports)
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--pidfile")
            .arg(self.dir.join("redis.pid"))
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl-C at the terminal must leave it to the watchdog.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", self.program.display()));
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            // A TLS server is ready once it listens; a plain one once it answers.
            let ready = if self.tls {
                TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok()
            } else {
                answers_ping(self.port)
            };
            if ready {
                return Ok(child);
            }
            let exited = child.try_wait().ok().flatten().is_some();
            if exited || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fs::read_to_string(&log).unwrap_or_default());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Child>> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A standalone server goes away with its value; the shared one lives until the watchdog.
impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Whether a Redis server on `port` answers `PING` with `PONG` right now.
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

/// A detached shell that removes the server once this process is gone. It is started in the
/// background by a shell we wait for, so it never becomes our zombie, and in a process group of
/// its own, so that a Ctrl-C at the terminal does not kill it before it cleans up.
/// A new temp dir for one `redis-server` process of this test process, watched by the watchdog;
/// with `certs`, their files copied in as `server.pem`, `server.key` and `ca.pem`.
fn server_dir(kind: &str, certs: Option<&TestCertificates>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "authd-redis-{kind}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    fs::create_dir(&dir).unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
    spawn_watchdog(&dir);
    if let Some(certs) = certs {
        for (from, to) in [
            (certs.cert_file(), "server.pem"),
            (certs.key_file(), "server.key"),
            (certs.ca_file(), "ca.pem"),
        ] {
            fs::copy(&from, dir.join(to))
                .unwrap_or_else(|e| panic!("could not copy {}: {e}", from.display()));
        }
    }
    dir
}

fn spawn_watchdog(dir: &std::path::Path) {
    let script = WATCHDOG
        .replace("{pid}", &std::process::id().to_string())
        .replace("{dir}", &dir.display().to_string());
    let started = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .status();
    if !started.as_ref().is_ok_and(|s| s.success()) {
        panic!("could not start the Redis watchdog: {started:?}");
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("could not find a free loopback port: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_server_refuses_connections_and_answers_again_on_the_same_port_after_start() {
        let redis = RedisServer::start_new();
        assert!(answers_ping(redis.port()));
        redis.stop();
        assert!(!answers_ping(redis.port()), "a stopped server answers");
        redis.start();
        assert!(answers_ping(redis.port()));
    }

    #[test]
    fn dropping_a_standalone_server_stops_it_and_deletes_its_files() {
        let redis = RedisServer::start_new();
        let (port, dir) = (redis.port(), redis.dir.clone());
        drop(redis);
        assert!(!dir.exists(), "{} is left behind", dir.display());
        assert!(!answers_ping(port), "the server still answers");
    }
}
