//! The report as Markdown: the tables docs/benchmarks.md shows, then the notes of the run.

use super::Report;
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut md = String::new();
    let m = &r.machine;
    let _ = writeln!(md, "# authd load benchmark\n");
    if r.quick {
        let _ = writeln!(
            md,
            "**Quick run (`--quick`): phases divided by five. A smoke test of the harness, \
             not a measurement.**\n"
        );
    }
    let _ = writeln!(
        md,
        "- Commit `{}`{}, {}; `{}`, {:.0} s in all",
        m.commit,
        if m.dirty {
            " (with uncommitted changes)"
        } else {
            ""
        },
        r.generated_at,
        r.command,
        r.run_seconds
    );
    let _ = writeln!(
        md,
        "- Machine: {} cores, {}{}, {} MiB, Linux {}; {:.2} cores busy with other work just \
         before the run (load average {})",
        m.cores,
        m.cpu_model,
        if m.virtual_machine {
            " (virtual machine)"
        } else {
            ""
        },
        m.memory_mib,
        m.kernel,
        m.background_busy_cores,
        m.load_average_at_start
    );
    let b = &r.bcrypt;
    let _ = writeln!(
        md,
        "- bcrypt cost {}: {:.0} ms per hash with {} threads hashing ({} hashes), {:.2} hashes/s \
         measured; limit = cores ÷ hash time = **{:.2} logins/s**\n",
        b.cost, b.mean_hash_ms, b.threads, b.hashes, b.measured_hashes_per_s, b.limit_per_s
    );

    let _ = writeln!(md, "## Workloads\n");
    let _ = writeln!(
        md,
        "| | Workload | Stack | Concurrency | 2xx/s | All/s | p50 ms | p90 ms | p99 ms | max ms | Errors by status | Server CPU s | ms CPU/req | PG + Redis CPU s | Load-gen CPU s | Other CPU s |"
    );
    let _ = writeln!(
        md,
        "|---|---|---|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|"
    );
    for w in &r.workloads {
        let s = &w.summary;
        let l = &s.latency;
        let errors = if s.errors.is_empty() {
            "none".to_owned()
        } else {
            s.errors
                .iter()
                .map(|(label, n)| format!("{label}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {:.1} | {:.3} | {:.1} | {:.1} | {:.1} |",
            w.letter,
            w.title,
            w.stack.label(),
            w.concurrency,
            s.successes_per_s,
            s.requests_per_s,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms,
            errors,
            w.server_cpu_s,
            w.server_cpu_ms_per_request(),
            w.backing_cpu_s,
            w.load_generator_cpu_s,
            w.other_cpu_s
        );
    }
    let _ = writeln!(
        md,
        "\nEach workload: warm-up, then a measured window (requests sent inside it count). \
         Latency from just before the load generator sends until the whole answer is read. \
         CPU columns cover the measured window (at most cores × window in all); workloads run \
         together (e) share them. Other CPU is the machine's busy time that neither authd, \
         PostgreSQL, Redis nor the load generator accounts for: processes outside the run."
    );
    split_by_status(r, &mut md);

    let _ = writeln!(md, "\n## Servers\n");
    let _ = writeln!(
        md,
        "| Stack | Start-up to ready ms | Idle RSS MiB | End RSS MiB | Peak RSS MiB | CPU s in all |"
    );
    let _ = writeln!(md, "|---|--:|--:|--:|--:|--:|");
    for s in &r.servers {
        let _ = writeln!(
            md,
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} |",
            s.stack.label(),
            s.startup_ms,
            s.idle_rss_mib,
            s.end_rss_mib,
            s.peak_rss_mib,
            s.cpu_s
        );
    }
    if let Some(startup) = &r.startup {
        let samples: Vec<String> = startup
            .samples_ms
            .iter()
            .map(|ms| format!("{ms:.0}"))
            .collect();
        let _ = writeln!(
            md,
            "\nCold starts of the embedded default (memory, key file): {} ms, median {:.0} ms. \
             With no configuration at all (an RSA key generated at start-up): {:.0} ms.",
            samples.join(", "),
            startup.median_ms,
            startup.zero_config_ms
        );
    }

    let _ = writeln!(md, "\n## Targets\n");
    let _ = writeln!(md, "| Target | Measured | Result |");
    let _ = writeln!(md, "|---|---|---|");
    for v in &r.targets {
        let verdict = if v.pass { "pass" } else { "**MISSED**" };
        let _ = writeln!(md, "| {} | {} | {verdict} |", v.target, v.measured);
    }
    for (target, cause) in r
        .targets
        .iter()
        .filter_map(|v| v.known_cause.map(|c| (&v.target, c)))
    {
        let _ = writeln!(md, "\nMissed: {target}. Known cause: {cause}");
    }
    if !r.notes.is_empty() {
        let _ = writeln!(md, "\n## Notes\n");
        for note in &r.notes {
            let _ = writeln!(md, "- {note}");
        }
    }
    md
}

/// Workloads whose answers mix statuses (the login storm): latency of each status apart.
fn split_by_status(r: &Report, md: &mut String) {
    let mixed: Vec<_> = r
        .workloads
        .iter()
        .filter(|w| w.summary.by_outcome.len() > 1)
        .collect();
    if mixed.is_empty() {
        return;
    }
    let _ = writeln!(md, "\n### By status\n");
    let _ = writeln!(
        md,
        "| | Workload | Stack | Status | Count | /s | p50 ms | p90 ms | p99 ms | max ms |"
    );
    let _ = writeln!(md, "|---|---|---|---|--:|--:|--:|--:|--:|--:|");
    for w in mixed {
        for (label, o) in &w.summary.by_outcome {
            let l = &o.latency;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {label} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} |",
                w.letter,
                w.title,
                w.stack.label(),
                o.count,
                o.per_s,
                l.p50_ms,
                l.p90_ms,
                l.p99_ms,
                l.max_ms
            );
        }
    }
}
