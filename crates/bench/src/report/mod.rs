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
    /// (g) `GET /v1/admin/users?search=...` over 1,000,000 accounts.
    AdminSearch,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autogroup::Autogroup;
    use crate::recorder::Latency;

    fn paced_me(id: WorkloadId, p99_ms: f64) -> WorkloadResult {
        WorkloadResult {
            id,
            letter: "e",
            title: "GET /v1/users/me, fixed rate",
            stack: Stack::PostgresRedis,
            concurrency: "16 users, paced at 1000.0/s".to_owned(),
            offered_per_s: Some(1_000.0),
            warmup_s: 2.0,
            measured_s: 20.0,
            summary: Summary {
                requests: 20_000,
                requests_per_s: 1_000.0,
                successes_per_s: 1_000.0,
                latency: Latency {
                    p50_ms: 0.8,
                    p90_ms: 1.2,
                    p99_ms,
                    max_ms: 20.0,
                },
                ..Summary::default()
            },
            server_cpu_s: 3.0,
            load_generator_cpu_s: 3.0,
            backing_cpu_s: 3.0,
            other_cpu_s: 0.0,
        }
    }

    /// A run of (e) alone (`--only e`) with these two p99s, judged.
    fn storm_run(alone_p99_ms: f64, storm_p99_ms: f64) -> Report {
        let mut report = Report {
            generated_at: "2026-11-21T00:00:00Z".to_owned(),
            command: "target/release/authd-bench --only e".to_owned(),
            quick: false,
            run_seconds: 80.0,
            machine: Machine {
                cores: 2,
                cpu_model: "AMD EPYC".to_owned(),
                virtual_machine: true,
                memory_mib: 24_000,
                kernel: "6.18".to_owned(),
                load_average_at_start: "0.1 0.1 0.1".to_owned(),
                background_busy_cores: 0.0,
                commit: "0000000".to_owned(),
                dirty: false,
                autogroup: Autogroup::Off,
            },
            bcrypt: BcryptLimit {
                cost: 12,
                threads: 2,
                hashes: 8,
                mean_hash_ms: 276.0,
                measured_hashes_per_s: 7.2,
                limit_per_s: 7.2,
            },
            workloads: vec![
                paced_me(WorkloadId::PacedMeAlone, alone_p99_ms),
                paced_me(WorkloadId::PacedMeDuringStorm, storm_p99_ms),
            ],
            servers: Vec::new(),
            startup: None,
            targets: Vec::new(),
            notes: Vec::new(),
        };
        report.targets = judge(&report);
        report
    }

    fn storm_verdict(report: &Report) -> &Verdict {
        report
            .targets
            .iter()
            .find(|v| v.target.contains("during the login storm"))
            .expect("the storm target is always judged")
    }

    #[test]
    fn a_storm_within_twice_the_p99_alone_passes_with_no_cause_printed() {
        let report = storm_run(2.5, 4.9);
        let verdict = storm_verdict(&report);
        assert!(verdict.pass);
        assert_eq!(verdict.measured, "4.90 ms vs 2.50 ms alone = 1.96×");
        assert_eq!(verdict.known_cause, None);
        assert!(!report.markdown().contains("Known cause"));
    }

    #[test]
    fn a_missed_storm_target_is_reported_with_its_known_cause() {
        let report = storm_run(2.0, 4.2);
        let verdict = storm_verdict(&report);
        assert!(!verdict.pass);
        assert!(verdict.known_cause.is_some());
        let md = report.markdown();
        assert!(md.contains("| 4.20 ms vs 2.00 ms alone = 2.10× | **MISSED** |"));
        assert!(md.contains(
            "Missed: /me p99 during the login storm <= 2× its p99 alone. Known cause: the storm"
        ));
        assert!(md.contains("AMD EPYC (virtual machine)"));
    }

    #[test]
    fn targets_whose_workloads_did_not_run_are_missed_without_a_cause() {
        let report = storm_run(2.0, 4.2);
        let login = report
            .targets
            .iter()
            .find(|v| v.target.starts_with("login >="))
            .expect("the login target is always judged");
        assert!(!login.pass);
        assert_eq!(login.measured, "not measured");
        assert_eq!(login.known_cause, None);
    }
}
