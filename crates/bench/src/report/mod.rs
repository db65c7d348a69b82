//! What a run found, as data (`report.json`) and as Markdown (`report.md`): the machine, the
//! bcrypt limit, every workload's figures, each server's memory and start-up, and each target
//! with its verdict.

mod markdown;
mod targets;

use crate::bcrypt_limit::BcryptLimit;
use crate::error::BenchError;
use crate::machine::Machine;
use crate::recorder::Summary;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use targets::{Verdict, judge};

/// Where the server under load keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stack {
    /// The production stack: PostgreSQL storage, Redis denylist and limits.
    PostgresRedis,
    /// The embedded default: everything in the process's memory.
    Memory,
}

impl Stack {
    pub fn label(self) -> &'static str {
        match self {
            Self::PostgresRedis => "PostgreSQL + Redis",
            Self::Memory => "memory",
        }
    }
}

/// Which workload; the letters of docs/benchmarks.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadId {
    /// (a) `GET /v1/users/me`, closed loop.
    Me,
    /// (b) refresh-token rotation.
    Refresh,
    /// (c) logins at twice the bcrypt limit.
    LoginStorm,
    /// (d) registrations.
    Register,
    /// (e) `/v1/users/me` at a fixed rate, alone.
    PacedMeAlone,
    /// (e) the same, during a login storm.
    PacedMeDuringStorm,
    /// (e) the login storm running alongside.
    StormBesidePacedMe,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadResult {
    pub id: WorkloadId,
    /// `a`, `b`, …, `f (a)`: as in the issue and docs/benchmarks.md.
    pub letter: &'static str,
    pub title: &'static str,
    pub stack: Stack,
    /// Virtual users, and the offered rate when paced.
    pub concurrency: String,
    pub offered_per_s: Option<f64>,
    pub warmup_s: f64,
    pub measured_s: f64,
    pub summary: Summary,
    /// Server CPU time spent during the measured window.
    pub server_cpu_s: f64,
    /// The load generator's (this process's) CPU time in the same window.
    pub load_generator_cpu_s: f64,
    /// PostgreSQL's and Redis's CPU time in the same window (production stack only).
    pub backing_cpu_s: f64,
    /// The machine's busy time in the window that none of the above accounts for: other
    /// processes competing with the run (and the kernel's own work).
    pub other_cpu_s: f64,
}

impl WorkloadResult {
    /// Server CPU milliseconds per answered request.
    pub fn server_cpu_ms_per_request(&self) -> f64 {
        self.server_cpu_s * 1_000.0 / self.summary.requests.max(1) as f64
    }
}

/// One server process: memory before and after its load, and its total CPU time.
#[derive(Debug, Clone, Serialize)]
pub struct ServerFigures {
    pub stack: Stack,
    /// Resident one second after it was ready, before any load.
    pub idle_rss_mib: f64,
    /// Resident after its last workload.
    pub end_rss_mib: f64,
    /// The most it was ever resident (`VmHWM`).
    pub peak_rss_mib: f64,
    pub cpu_s: f64,
    /// Spawn to the first 200 of `/health/ready`.
    pub startup_ms: f64,
}

/// Cold starts of the embedded default.
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
    /// The configuration of (f): memory storage, the RS256 key from a file, bcrypt 12.
    pub samples_ms: Vec<f64>,
    pub median_ms: f64,
    /// With no configuration at all, which generates an RSA key at start-up (information).
    pub zero_config_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub generated_at: String,
    pub command: String,
    /// `--quick`: a smoke run with phases divided by five, not a measurement.
    pub quick: bool,
    pub run_seconds: f64,
    pub machine: Machine,
    pub bcrypt: BcryptLimit,
    pub workloads: Vec<WorkloadResult>,
    pub servers: Vec<ServerFigures>,
    /// `None` when (f), and with it the embedded default, was left out (`--only`).
    pub startup: Option<Startup>,
    pub targets: Vec<Verdict>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn workload(&self, id: WorkloadId, stack: Stack) -> Option<&WorkloadResult> {
        self.workloads
            .iter()
            .find(|w| w.id == id && w.stack == stack)
    }

    pub fn server(&self, stack: Stack) -> Option<&ServerFigures> {
        self.servers.iter().find(|s| s.stack == stack)
    }

    pub fn markdown(&self) -> String {
        markdown::render(self)
    }

    /// Writes `report.md` and `report.json` into `dir`; returns their paths.
    ///
    /// # Errors
    /// A file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf), BenchError> {
        let md = dir.join("report.md");
        std::fs::write(&md, self.markdown()).map_err(BenchError::io(&md))?;
        let json = dir.join("report.json");
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| BenchError::setup(format!("serializing the report: {e}")))?;
        std::fs::write(&json, text + "\n").map_err(BenchError::io(&json))?;
        Ok((md, json))
    }
}
