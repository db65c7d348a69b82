//! Resident memory and CPU time of a process, from `/proc`: what the server costs, read from
//! outside so that measuring it changes nothing inside it.

use std::process::Command;
use std::sync::OnceLock;

/// One reading of a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcStats {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the most it was ever resident.
    pub peak_rss_kib: u64,
    /// user + system time since it started.
    pub cpu_seconds: f64,
}

impl ProcStats {
    /// `None` once the process is gone.
    pub fn read(pid: u32) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Some(Self {
            rss_kib: kib(&status, "VmRSS:")?,
            peak_rss_kib: kib(&status, "VmHWM:")?,
            cpu_seconds: cpu_seconds(&stat)?,
        })
    }
}

/// CPU seconds of process `root` and of its children: its own time, the time of children it
/// has already reaped, and the time of those still running (PostgreSQL's backends under the
/// postmaster). Zero once it is gone.
pub fn tree_cpu_seconds(root: u32) -> f64 {
    let Some(stat) = std::fs::read_to_string(format!("/proc/{root}/stat")).ok() else {
        return 0.0;
    };
    let mut ticks = fields(&stat).map_or(0, |f| sum(&f, 11..15));
    let children = std::fs::read_dir("/proc").into_iter().flatten().flatten();
    for entry in children {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        if let Some(f) = fields(&stat)
            && f.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(root)
        {
            ticks += sum(&f, 11..13);
        }
    }
    ticks as f64 / clock_ticks()
}

/// The parent of `pid`.
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    fields(&stat)?.get(1)?.parse().ok()
}

/// The fields of `stat` after the command name (which may hold spaces and parentheses), so
/// that index 0 is field 3 (state), 1 the parent, 11 and 12 utime and stime, 13 and 14 the
/// reaped children's.
fn fields(stat: &str) -> Option<Vec<&str>> {
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().collect())
}

fn sum(fields: &[&str], range: std::ops::Range<usize>) -> u64 {
    range
        .filter_map(|i| fields.get(i)?.parse::<u64>().ok())
        .sum()
}

/// CPU seconds used by this process (the load generator) so far.
pub fn own_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| cpu_seconds(&stat))
        .unwrap_or(0.0)
}

/// CPU seconds of this process's children that have exited and been waited for (wrk, once a
/// run is over).
pub fn children_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let f = fields(&stat)?;
            Some(sum(&f, 13..15) as f64 / clock_ticks())
        })
        .unwrap_or(0.0)
}

/// CPU seconds all cores of the machine have been busy (not idle, not waiting for I/O) since
/// boot, from the first line of `/proc/stat`: the server, the load generator, PostgreSQL, Redis,
/// and anything else running.
pub fn machine_busy_seconds() -> f64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|stat| busy_ticks(&stat))
        .map_or(0.0, |ticks| ticks as f64 / clock_ticks())
}

fn busy_ticks(stat: &str) -> Option<u64> {
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let busy = ticks.iter().take(8).sum::<u64>() - ticks.get(3)? - ticks.get(4)?;
    Some(busy)
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// utime + stime (fields 14 and 15 of `stat`) in seconds. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted from the last `)`.
fn cpu_seconds(stat: &str) -> Option<f64> {
    let fields = fields(stat)?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / clock_ticks())
}

/// `getconf CLK_TCK`, the unit of those fields (100 on every Linux seen so far).
fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
            .filter(|ticks: &f64| *ticks > 0.0)
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "42 (authd (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0";
        assert_eq!(cpu_seconds(stat), Some(300.0 / clock_ticks()));
    }

    #[test]
    fn busy_time_is_everything_but_idle_and_io_wait() {
        let stat = "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n";
        assert_eq!(busy_ticks(stat), Some(161));
    }

    #[test]
    fn a_process_tree_includes_the_time_of_its_root() {
        let me = std::process::id();
        let own = ProcStats::read(me).unwrap().cpu_seconds;
        assert!(tree_cpu_seconds(me) >= own);
        assert_eq!(parent_of(me), Some(std::os::unix::process::parent_id()));
    }

    #[test]
    fn this_process_has_a_resident_size_and_a_peak_at_least_as_large() {
        let me = ProcStats::read(std::process::id()).unwrap();
        assert!(me.rss_kib > 0);
        assert!(me.peak_rss_kib >= me.rss_kib);
    }
}
