//! The embedded default (memory storage, denylist and limits): cold starts timed, then (a) and
//! (b) again for the framework's ceiling, on accounts made over HTTP.

use crate::binary::Paths;
use crate::error::BenchError;
use crate::keys::Keys;
use crate::plan::Plan;
use crate::procfs::mib;
use crate::report::{ServerFigures, Stack, Startup, WorkloadId, WorkloadResult};
use crate::seed;
use crate::server::Authd;
use crate::settings;
use crate::stack::{refresh_make, wrk_for_me};
use crate::workload::{Bench, Spec};
use crate::wrk::Wrk;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
pub struct EmbeddedRun {
    pub workloads: Vec<WorkloadResult>,
    pub server: ServerFigures,
    pub startup: Startup,
}

/// # Errors
/// The server does not start, seeding fails, or the load generator fails.
pub async fn run(
    paths: &Paths,
    keys: &Keys,
    plan: &Plan,
    wrk: Option<&Arc<Wrk>>,
) -> Result<EmbeddedRun, BenchError> {
    let mail_dir = paths.out_dir.join("mail-embedded");
    let vars = settings::embedded(keys, &mail_dir);
    let log = paths.out_dir.join("authd-embedded.log");
    let startup = cold_starts(paths, &vars, plan.startup_samples).await?;

    let server = Authd::start(&paths.authd, &vars, &log).await?;
    let startup_ms = server.startup.as_secs_f64() * 1_000.0;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.stats();
    eprintln!(
        "registering, verifying and logging in {} accounts over HTTP",
        plan.embedded_users
    );
    let accounts = seed::register_and_log_in(
        &server.base_url(),
        &mail_dir,
        plan.embedded_users,
        plan.embedded_logins_per_user,
    )
    .await?;
    let tokens: Vec<String> = accounts.iter().map(|a| a.access_token.clone()).collect();
    let chains: Vec<String> = accounts.iter().map(|a| a.refresh_token.clone()).collect();

    let mut bench = Bench::new(&server, Stack::Memory, Vec::new());
    let me = Spec {
        id: WorkloadId::Me,
        letter: "f (a)",
        title: "GET /v1/users/me",
        scenario: "me",
        users: plan.me_users,
        rate: None,
    };
    bench
        .run_wrk(plan.me, me, wrk_for_me(wrk)?, &tokens)
        .await?;
    let refresh = Spec {
        id: WorkloadId::Refresh,
        letter: "f (b)",
        title: "POST /v1/auth/refresh",
        scenario: "refresh",
        users: plan.refresh_users.min(chains.len()),
        rate: None,
    };
    bench
        .run(plan.refresh, vec![(refresh, refresh_make(&chains))])
        .await?;
    let workloads = bench.results;

    let end = server.stats();
    server.stop().await;
    Ok(EmbeddedRun {
        workloads,
        server: ServerFigures {
            stack: Stack::Memory,
            idle_rss_mib: mib(idle.rss_kib),
            end_rss_mib: mib(end.rss_kib),
            peak_rss_mib: mib(end.peak_rss_kib),
            cpu_s: end.cpu_seconds,
            startup_ms,
        },
        startup,
    })
}

/// Starts and stops the server `samples` times with the run's configuration, and once with
/// none at all.
async fn cold_starts(
    paths: &Paths,
    vars: &std::collections::BTreeMap<String, String>,
    samples: usize,
) -> Result<Startup, BenchError> {
    eprintln!("timing {samples} cold starts of the embedded default");
    let log = paths.out_dir.join("authd-startup.log");
    let mut samples_ms = Vec::with_capacity(samples);
    for _ in 0..samples {
        let server = Authd::start(&paths.authd, vars, &log).await?;
        samples_ms.push(server.startup.as_secs_f64() * 1_000.0);
        server.stop().await;
    }
    let zero = settings::zero_config(&paths.out_dir.join("mail-zero-config"));
    let server = Authd::start(&paths.authd, &zero, &log).await?;
    let zero_config_ms = server.startup.as_secs_f64() * 1_000.0;
    server.stop().await;
    let mut sorted = samples_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let median_ms = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    Ok(Startup {
        samples_ms,
        median_ms,
        zero_config_ms,
    })
}
