//! One `redis-server` process of a cluster or a sentinel group: its own temp dir, port and
//! watchdog, like [`super::RedisServer`], started with the arguments its role needs, in plain
//! text or TLS only (the certificates copied into its dir as `server.pem`, `server.key`,
//! `ca.pem`).

use super::{answers_ping, free_port, install, server_dir};
use crate::tls::TestCertificates;
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
    /// With TLS: the CA file that `redis-cli` checks the node against.
    tls_ca: Option<PathBuf>,
    child: Mutex<Option<Child>>,
}

impl Node {
    /// Starts `redis-server` with `args(dir, port)`, which must make it listen on `port` and
    /// write its pid to `dir/redis.pid` (for the watchdog) and its log to `dir/redis.log`
    /// (shown when it does not start), and waits until it is ready: a plain node answers
    /// `PING`, a TLS one (`certs`) listens.
    pub(crate) fn start(
        kind: &str,
        certs: Option<&TestCertificates>,
        args: impl Fn(&Path, u16) -> Vec<String>,
    ) -> Self {
        let program = install::find_or_install();
        let dir = server_dir(kind, certs);
        let tls_ca = certs.map(|_| dir.join("ca.pem"));
        for attempt in 1..=START_ATTEMPTS {
            let port = free_port();
            match spawn(&program, &dir, port, tls_ca.is_some(), &args(&dir, port)) {
                Ok(child) => {
                    return Self {
                        dir,
                        port,
                        tls_ca,
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

    /// With TLS: the CA file clients check the node against.
    pub(crate) fn tls_ca(&self) -> Option<&Path> {
        self.tls_ca.as_deref()
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

    /// Sends `signal` (`STOP`, `CONT`) to the node's process, if it runs.
    pub(crate) fn signal(&self, signal: &str) {
        let guard = self.child.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(child) = guard.as_ref() {
            let status = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(child.id().to_string())
                .status()
                .unwrap_or_else(|e| panic!("could not run kill: {e}"));
            assert!(status.success(), "kill -{signal} failed");
        }
    }

    /// `redis-cli -p <port> <args>`: its output, or a panic with its error.
    pub(crate) fn cli(&self, args: &[&str]) -> String {
        cli(self.port, self.tls_ca(), args)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `redis-cli -p <port> <args>`, `None` when it fails: for polling a node whose clients a
/// failover disconnects (`CLIENT KILL`), the poll's own included.
pub(crate) fn try_cli(port: u16, args: &[&str]) -> Option<String> {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `redis-cli -p <port> <args>` (redis-cli comes with Debian's redis-server), over TLS checked
/// against `tls_ca` when given.
pub(crate) fn cli(port: u16, tls_ca: Option<&Path>, args: &[&str]) -> String {
    let mut command = Command::new("redis-cli");
    command.args(["-h", "127.0.0.1", "-p", &port.to_string()]);
    if let Some(ca) = tls_ca {
        command.arg("--tls").arg("--cacert").arg(ca);
    }
    let output = command
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run redis-cli ({e}); it comes with Debian's redis-server (package \
                 redis-tools): sudo apt-get install -y redis-server"
            )
        });
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

fn spawn(
    program: &Path,
    dir: &Path,
    port: u16,
    tls: bool,
    args: &[String],
) -> Result<Child, String> {
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
        let ready = if tls {
            TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
        } else {
            answers_ping(port)
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

/// The TLS settings of a node whose certificates are in `dir`: TLS for clients, replication
/// and the cluster bus alike, clients without certificates of their own.
pub(crate) fn tls_settings(dir: &Path) -> Vec<(&'static str, String)> {
    let file = |name: &str| dir.join(name).display().to_string();
    vec![
        ("tls-cert-file", file("server.pem")),
        ("tls-key-file", file("server.key")),
        ("tls-ca-cert-file", file("ca.pem")),
        ("tls-auth-clients", "no".to_owned()),
        ("tls-replication", "yes".to_owned()),
    ]
}

/// The arguments every data node gets: loopback, `port` (with `tls`, the TLS port only), no
/// persistence, files in `dir`.
pub(crate) fn data_node_args(dir: &Path, port: u16, tls: bool) -> Vec<String> {
    let file = |name: &str| dir.join(name).display().to_string();
    let mut args: Vec<String> = if tls {
        let mut args = vec![
            "--port".to_owned(),
            "0".to_owned(),
            "--tls-port".to_owned(),
            port.to_string(),
        ];
        for (name, value) in tls_settings(dir) {
            args.push(format!("--{name}"));
            args.push(value);
        }
        args
    } else {
        vec!["--port".to_owned(), port.to_string()]
    };
    args.extend(
        [
            "--bind",
            "127.0.0.1",
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
        .map(str::to_owned),
    );
    args
}
