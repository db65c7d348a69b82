//! The admin search on a large table: not a check (figures describe a machine), a measurement
//! run by hand against a database seeded with `crates/bench/src/seed/million_users.sql`:
//!
//! ```sh
//! ADMIN_SEARCH_DATABASE_URL=postgres://authd@127.0.0.1:55432/authd \
//!   cargo test --release -p authd-postgres --test admin -- --ignored --nocapture scale
//! ```
//!
//! For each term it prints `EXPLAIN (ANALYZE, BUFFERS)` of the two statements `search` runs
//! (the page, the count), then times `UserDirectory::search` itself 200 times (p50, p99, max).

use authd_domain::directory::{SearchTerm, UserQuery};
use authd_domain::ports::UserDirectory;
use authd_postgres::{PgSettings, PostgresStore, search_sql};
use std::time::{Duration, Instant};

const RUNS: usize = 200;

/// Terms of the docs' table: a username fragment few accounts share, a small company's domain,
/// three-letter fragments, and broad ones (a big provider, a common name).
const TERMS: [&str; 8] = [
    "huong_ngo42",
    "nguyen19370",
    "ember-421.example",
    "vu1",
    "qzx",
    "iye",
    "gmail",
    "an",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn explain(client: &tokio_postgres::Client, sql: &str, pattern: &str) -> String {
    // `debug_query` prints the binds after the SQL: the pattern twice (email, username), then
    // the page's limit and offset.
    let text = sql.split(" -- binds").next().unwrap_or(sql);
    let statement = format!("EXPLAIN (ANALYZE, BUFFERS) {text}");
    let rows = if text.contains("$4") {
        client
            .query(&statement, &[&pattern, &pattern, &20_i64, &0_i64])
            .await
    } else {
        client.query(&statement, &[&pattern, &pattern]).await
    }
    .unwrap_or_else(|e| panic!("{statement}: {e}"));
    rows.iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement on a seeded database: set ADMIN_SEARCH_DATABASE_URL"]
async fn scale_admin_search_on_a_seeded_database() {
    let Ok(url) = std::env::var("ADMIN_SEARCH_DATABASE_URL") else {
        panic!("set ADMIN_SEARCH_DATABASE_URL to a database seeded with million_users.sql");
    };
    let store = PostgresStore::connect(&PgSettings {
        url: url.clone(),
        pool_min: 1,
        pool_max: 4,
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(30),
    })
    .await
    .unwrap();
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let verbose = std::env::var_os("ADMIN_SEARCH_EXPLAIN").is_some();
    let queries: Vec<UserQuery> = TERMS
        .iter()
        .map(|term| UserQuery {
            search: Some(SearchTerm::parse(term).unwrap()),
            ..UserQuery::default()
        })
        .collect();
    if verbose {
        for (term, query) in TERMS.iter().zip(&queries) {
            let (page_sql, count_sql) = search_sql(query);
            let pattern = format!("%{}%", term.replace('_', "\\_"));
            println!(
                "\n-- {term}\n{page_sql}\n{}",
                explain(&client, &page_sql, &pattern).await
            );
            println!(
                "{count_sql}\n{}\n",
                explain(&client, &count_sql, &pattern).await
            );
        }
    }
    // The terms interleaved, as an administrator's searches come: a plan cached for one term
    // would show on the others.
    let mut times = vec![Vec::with_capacity(RUNS); TERMS.len()];
    let mut totals = vec![0; TERMS.len()];
    for _ in 0..RUNS {
        for (i, query) in queries.iter().enumerate() {
            let started = Instant::now();
            totals[i] = store.search(query).await.unwrap().total;
            times[i].push(started.elapsed());
        }
    }
    println!("| term | matches | p50 ms | p99 ms | max ms |");
    println!("|---|--:|--:|--:|--:|");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (i, term) in TERMS.iter().enumerate() {
        let t = &mut times[i];
        t.sort_unstable();
        println!(
            "| `{term}` | {} | {:.2} | {:.2} | {:.2} |",
            totals[i],
            ms(percentile(t, 50.0)),
            ms(percentile(t, 99.0)),
            ms(t[RUNS - 1]),
        );
    }
}
