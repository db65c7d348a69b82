//! `authd-bench`: a reproducible load benchmark of the authd release binary on its production
//! stack (throw-away PostgreSQL and Redis, as the tests start them) and on the embedded
//! default. It builds `authd`, seeds accounts, runs the workloads of docs/benchmarks.md with
//! goose, and writes `target/bench/report.md` and `report.json`. The figures live in that report,
//! never in tests: a benchmark describes a machine, it does not pass or fail a build.
//!
//! `cargo build --release -p authd -p authd-bench && target/release/authd-bench [--quick]` (or
//! `just bench`).

mod autogroup;
mod backing;
mod bcrypt_limit;
mod binary;
mod embedded;
mod error;
mod keys;
mod load;
mod machine;
mod plan;
mod procfs;
mod recorder;
mod report;
mod seed;
mod server;
mod settings;
mod stack;
mod workload;
mod wrk;

use error::BenchError;
use machine::Machine;
use plan::Plan;
use report::Report;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
authd-bench: load benchmark of the authd release binary (see docs/benchmarks.md)

Usage:
  cargo build --release -p authd -p authd-bench     first (or: just bench [options])
  target/release/authd-bench                the full run (about 3.5 minutes on 2 cores)
  target/release/authd-bench --quick        every phase divided by five: a smoke test of
                                            the harness, not a measurement
  target/release/authd-bench --only a,b     only these workloads (a to g, see
                                            docs/benchmarks.md); the other targets are
                                            reported as not measured

Writes target/bench/report.md and target/bench/report.json and prints the tables.";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let plan = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Plan::full(),
        ["--quick"] => Plan::quick(),
        ["--only", list] => match Plan::full().only(list) {
            Ok(plan) => plan,
            Err(e) => {
                eprintln!("{e}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        ["--quick", "--only", list] | ["--only", list, "--quick"] => {
            match Plan::quick().only(list) {
                Ok(plan) => plan,
                Err(e) => {
                    eprintln!("{e}\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
        ["-h" | "--help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("unexpected arguments: {}\n\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };
    let (mut guard, autogroup) = autogroup::Guard::apply();
    let outcome = tokio::select! {
        outcome = run(plan, &args, autogroup) => outcome,
        _ = tokio::signal::ctrl_c() => {
            guard.restore();
            eprintln!("interrupted");
            return ExitCode::from(130);
        }
    };
    drop(guard);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    plan: Plan,
    args: &[String],
    autogroup: autogroup::Autogroup,
) -> Result<(), BenchError> {
    let started = Instant::now();
    let paths = binary::build_release()?;
    let machine = Machine::describe(&paths.workspace, autogroup);
    for old in ["mail-stack", "mail-embedded", "mail-zero-config"] {
        let _ = std::fs::remove_dir_all(paths.out_dir.join(old));
    }
    let keys = keys::Keys::create(&paths.out_dir)?;

    eprintln!(
        "measuring the bcrypt cost-{} limit on {} cores",
        bcrypt_limit::COST,
        machine.cores
    );
    let (cores, per_core) = (machine.cores, plan.bcrypt_hashes_per_core);
    let bcrypt = tokio::task::spawn_blocking(move || bcrypt_limit::measure(cores, per_core))
        .await
        .map_err(|e| BenchError::setup(format!("measuring bcrypt: {e}")))?;

    let wrk = if plan.runs('a') || plan.runs('f') {
        Some(std::sync::Arc::new(wrk::Wrk::prepare(&paths.out_dir)?))
    } else {
        None
    };
    let stack = if plan.runs_stack() {
        Some(stack::run(&paths, &keys, &plan, &bcrypt, wrk.as_ref()).await?)
    } else {
        None
    };
    let embedded = if plan.runs('f') {
        Some(embedded::run(&paths, &keys, &plan, wrk.as_ref()).await?)
    } else {
        None
    };

    let notes = notes(&plan, &machine);
    let mut report = Report {
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        command: std::iter::once("target/release/authd-bench".to_owned())
            .chain((!args.is_empty()).then(|| args.join(" ")))
            .collect::<Vec<_>>()
            .join(" "),
        quick: plan.quick,
        run_seconds: started.elapsed().as_secs_f64(),
        machine,
        bcrypt,
        workloads: stack
            .iter()
            .flat_map(|s| s.workloads.iter().cloned())
            .chain(embedded.iter().flat_map(|e| e.workloads.iter().cloned()))
            .collect(),
        servers: stack
            .iter()
            .map(|s| s.server.clone())
            .chain(embedded.iter().map(|e| e.server.clone()))
            .collect(),
        startup: embedded.map(|e| e.startup),
        targets: Vec::new(),
        notes,
    };
    report.targets = report::judge(&report);
    report.notes.extend(interference(&report));
    let (md, json) = report.write(&paths.out_dir)?;
    println!("{}", report.markdown());
    eprintln!("written: {} and {}", md.display(), json.display());
    Ok(())
}

/// Workloads during which processes outside the run took a noticeable share of the cores.
fn interference(report: &Report) -> Vec<String> {
    let cores = report.machine.cores as f64;
    report
        .workloads
        .iter()
        .filter(|w| w.other_cpu_s > 0.1 * cores * w.measured_s)
        .map(|w| {
            format!(
                "During {} ({}), processes outside the run kept {:.2} cores busy on average: \
                 its figures are lower than the machine can do.",
                w.letter,
                w.title,
                w.other_cpu_s / w.measured_s
            )
        })
        .collect()
}

/// What a reader needs to weigh the figures, stated in every report.
fn notes(plan: &Plan, machine: &Machine) -> Vec<String> {
    let autogroup = machine.autogroup.note();
    let mut notes = vec![
        "authd, PostgreSQL, Redis and the load generator share the machine's cores; the load \
         generator's own CPU time is in the table."
            .to_owned(),
        "Latency is timed by the bench around each goose request with microsecond resolution \
         (goose's own metrics, in whole milliseconds, are off)."
            .to_owned(),
        "PostgreSQL runs as in the tests (fsync and synchronous_commit off, shared_buffers \
         32MB): figures of writing workloads (refresh, login, register) are optimistic against \
         a durable database."
            .to_owned(),
        "Mail goes to the file transport (no SMTP server); rate limits and the per-address \
         connection cap are off (RATE_LIMIT_ENABLED=false, MAX_CONNECTIONS_PER_IP=0) since one \
         address sends everything."
            .to_owned(),
        format!(
            "The embedded default's workloads use {} accounts with {} sessions, made over HTTP \
             (bcrypt cost 12 makes each costly), instead of the {} inserted into PostgreSQL.",
            plan.embedded_users,
            plan.embedded_users * plan.embedded_logins_per_user,
            plan.seeded_users
        ),
        "Memory in MiB (2^20 bytes); the targets' MB are read as MiB.".to_owned(),
    ];
    notes.extend(autogroup);
    if let Some(only) = &plan.only {
        let letters: Vec<String> = only.iter().map(char::to_string).collect();
        notes.push(format!(
            "Only workloads {} were run (--only): the other targets are not measured.",
            letters.join(", ")
        ));
    }
    if machine.background_busy_cores > 0.25 {
        notes.push(format!(
            "{:.2} cores were busy with other work just before the run: other processes \
             competed for the cores, and every figure is lower than on an idle machine.",
            machine.background_busy_cores
        ));
    }
    notes
}
