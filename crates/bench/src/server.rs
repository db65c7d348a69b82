//! An `authd serve` child process configured only by the variables given, on a loopback port of
//! its own, with its output in a log file. Start-up is timed from spawn to the first 200 of
//! `/health/ready`; stopping sends SIGTERM as an orchestrator would.

use crate::error::BenchError;
use crate::procfs::ProcStats;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const READY_WITHIN: Duration = Duration::from_secs(60);
/// Readiness is polled this often, which bounds the resolution of the start-up time.
const POLL: Duration = Duration::from_millis(2);
const ATTEMPTS: usize = 3;

#[derive(Debug)]
pub struct Authd {
    child: Child,
    port: u16,
    log: PathBuf,
    /// Spawn to the first 200 of `/health/ready`.
    pub startup: Duration,
}

impl Authd {
    /// Starts `binary serve` with exactly `vars` (plus `PATH` and `PORT`) and waits until it is
    /// ready. A port taken between choosing and binding it costs one more attempt.
    ///
    /// # Errors
    /// The server exits or is not ready in time, three times.
    pub async fn start(
        binary: &Path,
        vars: &BTreeMap<String, String>,
        log: &Path,
    ) -> Result<Self, BenchError> {
        let mut failures = Vec::new();
        for _ in 0..ATTEMPTS {
            match Self::try_start(binary, vars, log).await {
                Ok(server) => return Ok(server),
                Err(why) => failures.push(why),
            }
        }
        Err(BenchError::setup(format!(
            "authd did not start:\n{}",
            failures.join("\n---\n")
        )))
    }

    async fn try_start(
        binary: &Path,
        vars: &BTreeMap<String, String>,
        log: &Path,
    ) -> Result<Self, String> {
        let port = free_port()?;
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let client = goose_reqwest::Client::new();
        let ready_url = format!("http://127.0.0.1:{port}/health/ready");
        let spawned = Instant::now();
        let child = Command::new(binary)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(vars)
            .env("PORT", port.to_string())
            // No `.env` of the developer's may leak in.
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("could not run {}: {e}", binary.display()))?;
        let mut server = Self {
            child,
            port,
            log: log.to_owned(),
            startup: Duration::ZERO,
        };
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("exited with {status}:\n{}", server.log_tail()));
            }
            let ready = client
                .get(&ready_url)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                server.startup = spawned.elapsed();
                return Ok(server);
            }
            if spawned.elapsed() > READY_WITHIN {
                return Err(format!(
                    "not ready after {READY_WITHIN:?}:\n{}",
                    server.log_tail()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Memory and CPU time now; zeros once the process is gone.
    pub fn stats(&self) -> ProcStats {
        ProcStats::read(self.pid()).unwrap_or_default()
    }

    /// The last lines the server printed, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGTERM, then SIGKILL if it has not exited within ten seconds.
    pub async fn stop(mut self) {
        let pid = self.pid().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Authd {
    /// A run that fails half-way must not leave a server behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A loopback port that was free a moment ago.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}
