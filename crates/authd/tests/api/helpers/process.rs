//! A real `authd` process (the binary cargo built for these tests) on a loopback port of its own,
//! configured only by the variables given. It is killed when dropped, a failing test included, so
//! that no test leaves a server behind.
//!
//! With `PORT=0` a child would pick a port nobody can read back, so the port is chosen here: one
//! the kernel hands out for a moment, then given to the child; if another process took it in
//! between, the child fails to bind and is started again on another.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a child may take to answer `/health/live`.
const START_TIMEOUT: Duration = Duration::from_secs(20);
const ATTEMPTS: usize = 3;

pub struct Child {
    process: std::process::Child,
    port: u16,
    /// stdout and stderr of the child, shown when it fails.
    log: PathBuf,
}

impl Child {
    /// Starts `authd serve` with exactly `vars` (plus `PATH`) and waits until it answers.
    pub async fn spawn(vars: BTreeMap<String, String>) -> Self {
        let mut failures = Vec::new();
        for _ in 0..ATTEMPTS {
            let port = free_port();
            match Self::try_spawn(&vars, port).await {
                Ok(child) => return child,
                Err(log) => failures.push(log),
            }
        }
        panic!(
            "authd did not start in {ATTEMPTS} attempts; its output:\n{}",
            failures.join("\n---\n")
        );
    }

    /// Starts `authd serve` with `vars` on `port`, the port of an instance just stopped: a
    /// restart, for clients that know the address. While the port is still taken (EADDRINUSE, a
    /// socket the old process had not yet released) it tries again, up to `START_TIMEOUT`; any
    /// other failure ends the test.
    pub async fn spawn_on(vars: BTreeMap<String, String>, port: u16) -> Self {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match Self::try_spawn(&vars, port).await {
                Ok(child) => return child,
                Err(log) if log.contains("in use") && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(log) => panic!("authd did not start again on port {port}; its output:\n{log}"),
            }
        }
    }

    async fn try_spawn(vars: &BTreeMap<String, String>, port: u16) -> Result<Self, String> {
        let log = std::env::temp_dir().join(format!("authd-node-{}.log", uuid::Uuid::new_v4()));
        let out = std::fs::File::create(&log).expect("create the child's log file");
        let err = out.try_clone().expect("clone the log file handle");
        let process = Command::new(env!("CARGO_BIN_EXE_authd"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // SIGTERM stops a test's instance at once unless the test asks for a drain.
            .env("SHUTDOWN_DRAIN_DELAY", "0")
            .envs(vars)
            .env("PORT", port.to_string())
            // No `.env` of the developer's may leak in.
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start the authd binary");
        let mut child = Self { process, port, log };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.process.try_wait() {
                return Err(format!("exited with {status}:\n{}", child.output()));
            }
            let live = client
                .get(format!("http://127.0.0.1:{port}/health/live"))
                .timeout(Duration::from_secs(1))
                .send()
                .await;
            if live.is_ok_and(|r| r.status().is_success()) {
                return Ok(child);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not answering after {START_TIMEOUT:?}:\n{}",
                    child.output()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What the child printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Asks the child to stop as an orchestrator would (SIGTERM) and waits until it has.
    pub async fn terminate(&mut self) {
        let pid = self.process.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Child {
    /// Sends SIGTERM and returns at once: the test watches the shutdown.
    pub fn sigterm(&self) {
        let pid = self.process.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "SIGTERM to authd ({pid})");
    }

    /// The exit status, waiting up to `timeout`; `None` while it still runs.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.process.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- output of the authd process on port {} ---\n{}",
                self.port,
                self.output()
            );
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free loopback port")
        .port()
}

impl super::TestApp {
    /// The `authd` process behind an app from [`super::Production::spawn_process`].
    pub fn process(&mut self) -> &mut Child {
        match &mut self.running {
            super::Running::Child(child) => child,
            super::Running::InProcess { .. } => panic!("this app runs in the test process"),
        }
    }

    /// Starts `authd` again on this app's port, on `production`'s services with `overrides`,
    /// once its process has exited: a restart in place, as behind a load balancer that knows
    /// the address.
    pub async fn start_again(
        &mut self,
        production: &super::Production,
        overrides: &[(&str, &str)],
    ) {
        let port = self.process().port();
        let child = Child::spawn_on(production.config(overrides), port).await;
        self.running = super::Running::Child(child);
    }
}
