//! One `redis-server` process of a cluster or a sentinel group: its own temp dir, port and
//! watchdog, like [`super::RedisServer`], started with the arguments its role needs.

use super::{answers_ping, free_port, install, spawn_watchdog};
use std::fs;
use std::net::{Ipv4Addr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const START_ATTEMPTS: usize = 5;
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A running node; killed and its dir deleted when dropped (or by the watchdog).
#[derive(Debug)]
pub(crate) struct Node {
    dir: PathBuf,
    port: u16,
    child: Mutex<Option<Child>>,
}

impl Node {
    /// Starts `redis-server` with `args(dir, port)`, which must make it listen on `port` and
    /// write its pid to `dir/redis.pid` (for the watchdog) and its log to `dir/redis.log`
    /// (shown when it does not start), and waits until the port answers `PING`.
    pub(crate) fn start(kind: &str, args: impl Fn(&Path, u16) -> Vec<String>) -> Self {
        let program = install::find_or_install();
        let dir = std::env::temp_dir().join(format!(
            "authd-redis-{kind}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir(&dir).unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        spawn_watchdog(&dir);
        for attempt in 1..=START_ATTEMPTS {
            let port = free_port();
            match spawn(&program, &dir, port, &args(&dir, port)) {
                Ok(child) => {
                    return Self {
                        dir,
                        port,
                        child: Mutex::new(Some(child)),
                    };
                }
                Err(log) if attempt == START_ATTEMPTS => {
                    panic!("redis-server ({kind}) did not start; its log:\n{log}")
                }
                Err(_) => {}
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Kills the node; its port refuses connections once this returns.
    pub(crate) fn stop(&self) {
        if let Some(mut child) = self
            .child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_file(self.dir.join("redis.pid"));
    }

    /// `redis-cli -p <port> <args>`: its output, or a panic with its error.
    pub(crate) fn cli(&self, args: &[&str]) -> String {
        cli(self.port, args)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `redis-cli -p <port> <args>` (redis-cli comes with Debian's redis-server).
pub(crate) fn cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not run redis-cli: {e}"));
    if !output.status.success() {
        panic!(
            "redis-cli {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Polls `check` every 50 ms until it holds; panics with `what` after `within`.
pub(crate) fn wait_until(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        if Instant::now() > deadline {
            panic!("{what} did not happen within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn(program: &Path, dir: &Path, port: u16, args: &[String]) -> Result<Child, String> {
    let log = dir.join("redis.log");
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C at the terminal must leave it to the watchdog.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("could not run {}: {e}", program.display()));
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() && answers_ping(port) {
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

/// The arguments every data node gets: loopback, `port`, no persistence, files in `dir`.
pub(crate) fn data_node_args(dir: &Path, port: u16) -> Vec<String> {
    let file = |name: &str| dir.join(name).display().to_string();
    [
        "--bind",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--save",
        "",
        "--appendonly",
        "no",
        // A replica's first sync starts at once instead of waiting for more replicas.
        "--repl-diskless-sync-delay",
        "0",
        "--daemonize",
        "no",
        "--dir",
        &dir.display().to_string(),
        "--pidfile",
        &file("redis.pid"),
        "--logfile",
        &file("redis.log"),
    ]
    .map(str::to_owned)
    .to_vec()
}
