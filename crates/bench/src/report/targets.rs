//! The targets, each checked against the figures of one run. A figure that is missing
//! (a workload that did not run) fails its target rather than passing unnoticed.

use super::{Report, Stack, WorkloadId, WorkloadResult};
use serde::Serialize;

const LOGIN_SHARE_OF_LIMIT: f64 = 0.90;
const BUSY_P99_MS: f64 = 50.0;
const ME_STACK_PER_S: f64 = 5_000.0;
const ME_STACK_P99_MS: f64 = 10.0;
const ME_MEMORY_PER_S: f64 = 20_000.0;
const STORM_P99_FACTOR: f64 = 2.0;
const REFRESH_PER_S: f64 = 1_000.0;
const REFRESH_P99_MS: f64 = 50.0;
const IDLE_RSS_MIB: f64 = 30.0;
const END_RSS_MIB: f64 = 100.0;
const STARTUP_MS: f64 = 200.0;
const ADMIN_SEARCH_P99_MS: f64 = 50.0;

/// What docs/benchmarks.md ("The login storm on a shared virtual machine") measured.
const STORM_ON_A_SHARED_VM: &str = "the storm keeps every core busy hashing (at idle \
    priority, so requests preempt it at once). A virtual machine's host stalls the virtual \
    CPUs it sees busy for milliseconds at a time when its other work needs the cores, out of \
    the guest's sight, and a request on a stalled CPU waits. On the 2-vCPU VM this bench was \
    built on, that misses the target in about one run in four; see docs/benchmarks.md, \
    \"The login storm on a shared virtual machine\".";

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub target: String,
    pub measured: String,
    pub pass: bool,
    /// Why a missed target is known to be missed on some machines, when that was measured.
    pub known_cause: Option<&'static str>,
}

impl Verdict {
    fn new(target: impl Into<String>, measured: impl Into<String>, pass: bool) -> Self {
        Self {
            target: target.into(),
            measured: measured.into(),
            pass,
            known_cause: None,
        }
    }

    /// Attaches `cause`, which the report prints only if the target is missed.
    fn unless_met(mut self, cause: &'static str) -> Self {
        if !self.pass {
            self.known_cause = Some(cause);
        }
        self
    }

    fn missing(target: impl Into<String>) -> Self {
        Self::new(target, "not measured", false)
    }
}

pub fn judge(report: &Report) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    login(report, &mut verdicts);
    me(report, &mut verdicts);
    refresh(report, &mut verdicts);
    let target = format!(
        "admin search over 1,000,000 accounts on PostgreSQL + Redis p99 < {ADMIN_SEARCH_P99_MS} ms"
    );
    verdicts.push(
        match report.workload(WorkloadId::AdminSearch, Stack::PostgresRedis) {
            Some(w) => {
                let errors = w.summary.error_count();
                let p99 = w.summary.latency.p99_ms;
                Verdict::new(
                    target,
                    format!(
                        "{p99:.2} ms, {:.0}/s, {errors} errors",
                        w.summary.successes_per_s
                    ),
                    w.summary.requests > 0 && errors == 0 && p99 < ADMIN_SEARCH_P99_MS,
                )
            }
            None => Verdict::missing(target),
        },
    );
    memory(report, &mut verdicts);
    let target = format!("start-up to ready, embedded default (median) <= {STARTUP_MS} ms");
    verdicts.push(match &report.startup {
        Some(startup) => Verdict::new(
            target,
            format!("{:.0} ms", startup.median_ms),
            startup.median_ms > 0.0 && startup.median_ms <= STARTUP_MS,
        ),
        None => Verdict::missing(target),
    });
    verdicts
}

fn login(report: &Report, verdicts: &mut Vec<Verdict>) {
    let target = format!(
        "login >= {:.0} % of the bcrypt limit ({:.1}/s)",
        LOGIN_SHARE_OF_LIMIT * 100.0,
        report.bcrypt.limit_per_s
    );
    let busy_target = format!(
        "logins beyond the hashing queue: 503 SERVICE_BUSY with p99 <= {BUSY_P99_MS} ms, no client timeout"
    );
    let Some(storm) = report.workload(WorkloadId::LoginStorm, Stack::PostgresRedis) else {
        verdicts.push(Verdict::missing(target));
        verdicts.push(Verdict::missing(busy_target));
        return;
    };
    let share = storm.summary.successes_per_s / report.bcrypt.limit_per_s;
    verdicts.push(Verdict::new(
        target,
        format!(
            "{:.2} logins/s = {:.0} %",
            storm.summary.successes_per_s,
            share * 100.0
        ),
        share >= LOGIN_SHARE_OF_LIMIT,
    ));
    let busy = storm.summary.outcome("503 SERVICE_BUSY");
    let busy_count = busy.map_or(0, |b| b.count);
    let busy_p99 = busy.map_or(0.0, |b| b.latency.p99_ms);
    let others: u64 = storm
        .summary
        .errors
        .iter()
        .filter(|(label, _)| label.as_str() != "503 SERVICE_BUSY")
        .map(|(_, n)| n)
        .sum();
    verdicts.push(Verdict::new(
        busy_target,
        format!("{busy_count} × 503, p99 {busy_p99:.1} ms; {others} other errors or timeouts"),
        busy_count > 0 && busy_p99 <= BUSY_P99_MS && others == 0,
    ));
}

fn me(report: &Report, verdicts: &mut Vec<Verdict>) {
    match report.workload(WorkloadId::Me, Stack::PostgresRedis) {
        Some(w) => {
            verdicts.push(rate(
                w,
                &format!("/me on PostgreSQL + Redis >= {ME_STACK_PER_S} requests/s"),
                ME_STACK_PER_S,
            ));
            verdicts.push(p99(
                w,
                &format!("/me on PostgreSQL + Redis p99 <= {ME_STACK_P99_MS} ms"),
                ME_STACK_P99_MS,
            ));
        }
        None => verdicts.push(Verdict::missing("/me on PostgreSQL + Redis")),
    }
    let target = format!("/me on the embedded default >= {ME_MEMORY_PER_S} requests/s");
    verdicts.push(match report.workload(WorkloadId::Me, Stack::Memory) {
        Some(w) => rate(w, &target, ME_MEMORY_PER_S),
        None => Verdict::missing(target),
    });
    let target = format!("/me p99 during the login storm <= {STORM_P99_FACTOR}× its p99 alone");
    let alone = report.workload(WorkloadId::PacedMeAlone, Stack::PostgresRedis);
    let storm = report.workload(WorkloadId::PacedMeDuringStorm, Stack::PostgresRedis);
    verdicts.push(match (alone, storm) {
        (Some(alone), Some(storm)) => {
            let (a, s) = (alone.summary.latency.p99_ms, storm.summary.latency.p99_ms);
            Verdict::new(
                target,
                format!(
                    "{s:.2} ms vs {a:.2} ms alone = {:.2}×",
                    s / a.max(f64::EPSILON)
                ),
                a > 0.0 && s <= STORM_P99_FACTOR * a,
            )
            .unless_met(STORM_ON_A_SHARED_VM)
        }
        _ => Verdict::missing(target),
    });
}

fn refresh(report: &Report, verdicts: &mut Vec<Verdict>) {
    let Some(w) = report.workload(WorkloadId::Refresh, Stack::PostgresRedis) else {
        verdicts.push(Verdict::missing("refresh on PostgreSQL + Redis"));
        return;
    };
    verdicts.push(rate(
        w,
        &format!("refresh on PostgreSQL + Redis >= {REFRESH_PER_S} rotations/s"),
        REFRESH_PER_S,
    ));
    verdicts.push(p99(
        w,
        &format!("refresh on PostgreSQL + Redis p99 <= {REFRESH_P99_MS} ms"),
        REFRESH_P99_MS,
    ));
    let errors = w.summary.error_count();
    verdicts.push(Verdict::new(
        "refresh on PostgreSQL + Redis: 0 errors",
        format!("{errors} errors"),
        errors == 0 && w.summary.requests > 0,
    ));
}

fn memory(report: &Report, verdicts: &mut Vec<Verdict>) {
    for stack in [Stack::PostgresRedis, Stack::Memory] {
        let idle = format!(
            "{}: resident when idle <= {IDLE_RSS_MIB} MiB",
            stack.label()
        );
        let end = format!(
            "{}: resident at the end of the run <= {END_RSS_MIB} MiB",
            stack.label()
        );
        match report.server(stack) {
            Some(s) => {
                verdicts.push(Verdict::new(
                    idle,
                    format!("{:.1} MiB", s.idle_rss_mib),
                    s.idle_rss_mib > 0.0 && s.idle_rss_mib <= IDLE_RSS_MIB,
                ));
                verdicts.push(Verdict::new(
                    end,
                    format!("{:.1} MiB (peak {:.1} MiB)", s.end_rss_mib, s.peak_rss_mib),
                    s.end_rss_mib > 0.0 && s.end_rss_mib <= END_RSS_MIB,
                ));
            }
            None => {
                verdicts.push(Verdict::missing(idle));
                verdicts.push(Verdict::missing(end));
            }
        }
    }
}

fn rate(w: &WorkloadResult, target: &str, at_least: f64) -> Verdict {
    let per_s = w.summary.successes_per_s;
    Verdict::new(target, format!("{per_s:.0}/s"), per_s >= at_least)
}

fn p99(w: &WorkloadResult, target: &str, at_most: f64) -> Verdict {
    let p99 = w.summary.latency.p99_ms;
    Verdict::new(
        target,
        format!("{p99:.2} ms"),
        w.summary.requests > 0 && p99 <= at_most,
    )
}
