//! The machine and the code a report describes: cores, CPU model, memory, background load and
//! the commit, read once at the start of the run.

use serde::Serialize;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BACKGROUND_SAMPLE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
    /// The CPU reports a hypervisor: the cores are virtual, and the host may take them away.
    pub virtual_machine: bool,
    pub memory_mib: u64,
    pub kernel: String,
    /// `/proc/loadavg` when the run started (after the build, which it still reflects).
    pub load_average_at_start: String,
    /// Cores busy during two seconds just before the run, with nothing of the run going:
    /// anything else running takes its share of every figure.
    pub background_busy_cores: f64,
    pub commit: String,
    /// Uncommitted changes to tracked files: the figures are then not exactly `commit`'s.
    pub dirty: bool,
    /// Linux session autogrouping during the run (see `autogroup.rs`).
    pub autogroup: crate::autogroup::Autogroup,
}

impl Machine {
    /// Reads the machine; takes two seconds to measure the background load.
    pub fn describe(workspace: &Path, autogroup: crate::autogroup::Autogroup) -> Self {
        let busy = crate::procfs::machine_busy_seconds();
        std::thread::sleep(BACKGROUND_SAMPLE);
        let background_busy_cores =
            (crate::procfs::machine_busy_seconds() - busy) / BACKGROUND_SAMPLE.as_secs_f64();
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: field(&cpuinfo, "model name").unwrap_or_else(|| "unknown".to_owned()),
            virtual_machine: field(&cpuinfo, "flags")
                .is_some_and(|flags| flags.split_whitespace().any(|f| f == "hypervisor")),
            memory_mib: field(&meminfo, "MemTotal")
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .map_or(0, |kib| kib / 1024),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            load_average_at_start: std::fs::read_to_string("/proc/loadavg")
                .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
            background_busy_cores,
            commit: git(workspace, &["rev-parse", "--short", "HEAD"])
                .unwrap_or_else(|| "unknown".to_owned()),
            dirty: git(
                workspace,
                &["status", "--porcelain", "--untracked-files=no"],
            )
            .is_some_and(|s| !s.is_empty()),
            autogroup,
        }
    }
}

/// The value of the first `name : value` line.
fn field(text: &str, name: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().to_owned())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
