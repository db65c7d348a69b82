//! Workloads (a) to (e) and (g) on the production stack: throw-away PostgreSQL and Redis started
//! as the tests start them, one authd release process, 1,000 seeded accounts (and, for (g),
//! 1,000,000 more).

use crate::backing;
use crate::bcrypt_limit::BcryptLimit;
use crate::binary::Paths;
use crate::error::BenchError;
use crate::keys::Keys;
use crate::load;
use crate::plan::Plan;
use crate::procfs::mib;
use crate::report::{ServerFigures, Stack, WorkloadId, WorkloadResult};
use crate::seed::{self, Account};
use crate::server::Authd;
use crate::settings;
use crate::workload::{Bench, Make, Spec};
use crate::wrk::Wrk;
use authd_testkit::postgres::PgServer;
use authd_testkit::redis::RedisServer;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
pub struct StackRun {
    pub workloads: Vec<WorkloadResult>,
    pub server: ServerFigures,
}

/// # Errors
/// A server does not start, seeding fails, or the load generator fails.
pub async fn run(
    paths: &Paths,
    keys: &Keys,
    plan: &Plan,
    limit: &BcryptLimit,
    wrk: Option<&Arc<Wrk>>,
) -> Result<StackRun, BenchError> {
    eprintln!("starting PostgreSQL and Redis");
    let pg = PgServer::start_new().await;
    let redis = tokio::task::spawn_blocking(RedisServer::start_new)
        .await
        .map_err(|e| BenchError::setup(format!("starting Redis: {e}")))?;
    let database_url = pg.fresh_database(None).await;
    let mail_dir = paths.out_dir.join("mail-stack");
    let vars = settings::production(keys, &mail_dir, &database_url, &redis.url());
    let server = Authd::start(&paths.authd, &vars, &paths.out_dir.join("authd-stack.log")).await?;
    let startup_ms = server.startup.as_secs_f64() * 1_000.0;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.stats();

    eprintln!("seeding {} accounts", plan.seeded_users);
    let accounts = seed::insert_accounts(&database_url, keys, plan.seeded_users).await?;
    let backing = vec![
        backing::postmaster_pid(&database_url).await?,
        backing::redis_pid(redis.port())?,
    ];
    let mut workloads = load_it(&server, backing.clone(), plan, limit, wrk, &accounts).await?;
    if plan.runs('g') {
        workloads.extend(admin_search(&server, backing, plan, keys, &database_url).await?);
    }

    let end = server.stats();
    server.stop().await;
    drop(redis);
    drop(pg);
    Ok(StackRun {
        workloads,
        server: ServerFigures {
            stack: Stack::PostgresRedis,
            idle_rss_mib: mib(idle.rss_kib),
            end_rss_mib: mib(end.rss_kib),
            peak_rss_mib: mib(end.peak_rss_kib),
            cpu_s: end.cpu_seconds,
            startup_ms,
        },
    })
}

async fn load_it(
    server: &Authd,
    backing_pids: Vec<u32>,
    plan: &Plan,
    limit: &BcryptLimit,
    wrk: Option<&Arc<Wrk>>,
    accounts: &[Account],
) -> Result<Vec<WorkloadResult>, BenchError> {
    let tokens: Vec<String> = accounts.iter().map(|a| a.access_token.clone()).collect();
    let chains: Vec<String> = accounts.iter().map(|a| a.refresh_token.clone()).collect();
    let emails: Vec<String> = accounts.iter().map(|a| a.email.clone()).collect();
    let storm_rate = plan.login_overload * limit.limit_per_s;
    let mut bench = Bench::new(server, Stack::PostgresRedis, backing_pids);

    let me = Spec {
        id: WorkloadId::Me,
        letter: "a",
        title: "GET /v1/users/me",
        scenario: "me",
        users: plan.me_users,
        rate: None,
    };
    if plan.runs('a') {
        bench
            .run_wrk(plan.me, me, wrk_for_me(wrk)?, &tokens)
            .await?;
    }

    let refresh = Spec {
        id: WorkloadId::Refresh,
        letter: "b",
        title: "POST /v1/auth/refresh",
        scenario: "refresh",
        users: plan.refresh_users,
        rate: None,
    };
    if plan.runs('b') {
        bench
            .run(plan.refresh, vec![(refresh, refresh_make(&chains))])
            .await?;
    }

    let register = Spec {
        id: WorkloadId::Register,
        letter: "d",
        title: "POST /v1/auth/register",
        scenario: "register",
        users: plan.register_users,
        rate: None,
    };
    let nonce = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let make: Make = Box::new(move |l| load::register(l, nonce));
    if plan.runs('d') {
        bench.run(plan.register, vec![(register, make)]).await?;
    }

    let storm = Spec {
        id: WorkloadId::LoginStorm,
        letter: "c",
        title: "POST /v1/auth/login",
        scenario: "login",
        users: plan.login_users,
        rate: Some(storm_rate),
    };
    if plan.runs('c') {
        bench
            .run(plan.login, vec![(storm, login_make(&emails, 0))])
            .await?;
        drain(server, plan).await?;
    }
    if !plan.runs('e') {
        return Ok(bench.results);
    }

    let paced = Spec {
        id: WorkloadId::PacedMeAlone,
        letter: "e",
        title: "GET /v1/users/me, fixed rate, alone",
        scenario: "me",
        users: plan.paced_me_users,
        rate: Some(plan.paced_me_rate),
    };
    bench
        .run(plan.paced_alone, vec![(paced, me_make(&tokens))])
        .await?;
    let during = Spec {
        id: WorkloadId::PacedMeDuringStorm,
        title: "GET /v1/users/me, fixed rate, during the login storm",
        ..paced
    };
    let beside = Spec {
        id: WorkloadId::StormBesidePacedMe,
        letter: "e",
        title: "POST /v1/auth/login, the storm beside it",
        ..storm
    };
    // The second storm starts half-way through the accounts, so that no account gathers
    // sessions enough for the session limit to evict (and revoke) a seeded one.
    let second_half = emails.len() / 2;
    bench
        .run(
            plan.storm,
            vec![
                (during, me_make(&tokens)),
                (beside, login_make(&emails, second_half)),
            ],
        )
        .await?;
    drain(server, plan).await?;
    Ok(bench.results)
}

/// The terms of (g), the selective searches the 50 ms target is about (docs/postgres.md, "Admin
/// user search", measures broad ones too and says why they take longer): username fragments
/// that 2 and 10 accounts share, a small company's domain, three letters matching 1,100 accounts
/// and three matching none.
pub const SEARCH_TERMS: [&str; 5] = [
    "huong_ngo42",
    "nguyen19370",
    "ember-421.example",
    "vu1",
    "qzx",
];

/// (g): the accounts seeded last (they would slow nothing before, but seeding takes minutes),
/// then administrators searching them in turn, closed loop.
async fn admin_search(
    server: &Authd,
    backing_pids: Vec<u32>,
    plan: &Plan,
    keys: &Keys,
    database_url: &str,
) -> Result<Vec<WorkloadResult>, BenchError> {
    eprintln!(
        "seeding {} accounts for the admin search",
        plan.directory_users
    );
    let admin = seed::insert_million_and_admin(database_url, keys, plan.directory_users).await?;
    let requests: Vec<(String, String)> = SEARCH_TERMS
        .iter()
        .map(|t| {
            (
                admin.access_token.clone(),
                format!("/v1/admin/users?search={t}"),
            )
        })
        .collect();
    let spec = Spec {
        id: WorkloadId::AdminSearch,
        letter: "g",
        title: "GET /v1/admin/users?search=<selective term>, 1,000,000 accounts",
        scenario: "admin_search",
        users: plan.admin_search_users,
        rate: None,
    };
    let make: Make = Box::new(move |l| load::admin_search(l, requests));
    let mut bench = Bench::new(server, Stack::PostgresRedis, backing_pids);
    bench.run(plan.admin_search, vec![(spec, make)]).await?;
    Ok(bench.results)
}

/// wrk, which `main` prepares whenever (a) or (f) runs.
pub fn wrk_for_me(wrk: Option<&Arc<Wrk>>) -> Result<&Arc<Wrk>, BenchError> {
    wrk.ok_or_else(|| BenchError::setup("wrk was not prepared for the /me workload"))
}

pub fn me_make(tokens: &[String]) -> Make {
    let tokens = tokens.to_vec();
    Box::new(move |l| load::me(l, tokens))
}

pub fn refresh_make(chains: &[String]) -> Make {
    let chains = chains.to_vec();
    Box::new(move |l| load::refresh(l, chains))
}

fn login_make(emails: &[String], start: usize) -> Make {
    let mut emails = emails.to_vec();
    let start = start.min(emails.len());
    emails.rotate_left(start);
    Box::new(move |l| load::login(l, emails))
}

/// Lets the server work off the hashing queue a storm left full, so the next workload does not
/// pay for it. The queue is first in, first out, so a login answered after waiting in it means
/// every job queued before it is done: one probe login (an unknown account, so nothing changes
/// but a failed attempt in the audit trail) at a time, until one is accepted rather than 503.
async fn drain(server: &Authd, plan: &Plan) -> Result<(), BenchError> {
    let started = std::time::Instant::now();
    let client = goose_reqwest::Client::new();
    let url = format!("{}/v1/auth/login", server.base_url());
    let probe =
        serde_json::json!({ "email": "drain-probe@example.com", "password": "not-a-password-1" });
    while started.elapsed() < plan.drain {
        let answer = client
            .post(&url)
            .json(&probe)
            .timeout(plan.drain)
            .send()
            .await?;
        if answer.status() != goose_reqwest::StatusCode::SERVICE_UNAVAILABLE {
            eprintln!(
                "  the hashing queue drained in {:.1}s",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(BenchError::setup(format!(
        "the hashing queue was still full {:?} after the login storm",
        plan.drain
    )))
}
