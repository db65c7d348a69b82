//! The cleanup sweep on PostgreSQL: old rows go, live rows stay, in batches, one instance at a
//! time. Rows are written with straight SQL, dated relative to the database's `now()`.

use super::{connect, migrated_database};
use authd_domain::policy::retention::RetentionPolicy;
use authd_domain::ports::{Retention, SweepOutcome, SweptRows};
use authd_testkit::postgres::server;
use chrono::Utc;
use tokio_postgres::{Client, NoTls};

async fn client(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// Old and live rows in every table the sweep reads, and `audit` old audit events.
const FILL: &str = "
INSERT INTO users (id, email, username, username_skeleton, password_hash, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'a@example.com', 'alice', 'aiice', 'x', now(), now());

INSERT INTO sessions (id, user_id, remember_me, created_at, last_activity, revoked_at, current_token_hash) VALUES
 ('00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-000000000001', false, now() - interval '90 days', now() - interval '90 days', now() - interval '40 days', 'old-revoked'),
 ('00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-000000000001', false, now() - interval '90 days', now() - interval '50 days', NULL, 'old-expired'),
 ('00000000-0000-7000-8000-0000000000a3', '00000000-0000-7000-8000-000000000001', false, now() - interval '90 days', now(), NULL, 'live'),
 ('00000000-0000-7000-8000-0000000000a4', '00000000-0000-7000-8000-000000000001', false, now() - interval '9 days', now() - interval '9 days', now() - interval '1 day', 'recently-revoked'),
 ('00000000-0000-7000-8000-0000000000a5', '00000000-0000-7000-8000-000000000001', false, now() - interval '9 days', now() - interval '8 days', NULL, 'recently-expired');
INSERT INTO refresh_tokens (hash, session_id, user_id, issued_at, expires_at, rotated_at, successor_hash) VALUES
 ('old-revoked', '00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-000000000001', now() - interval '90 days', now() + interval '1 day', NULL, NULL),
 ('old-expired-before', '00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-000000000001', now() - interval '90 days', now() - interval '83 days', now() - interval '50 days', 'old-expired'),
 ('old-expired', '00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-000000000001', now() - interval '50 days', now() - interval '43 days', NULL, NULL),
 ('live-before', '00000000-0000-7000-8000-0000000000a3', '00000000-0000-7000-8000-000000000001', now() - interval '90 days', now() - interval '83 days', now(), 'live'),
 ('live', '00000000-0000-7000-8000-0000000000a3', '00000000-0000-7000-8000-000000000001', now(), now() + interval '7 days', NULL, NULL),
 ('recently-revoked', '00000000-0000-7000-8000-0000000000a4', '00000000-0000-7000-8000-000000000001', now() - interval '9 days', now() - interval '2 days', NULL, NULL),
 ('recently-expired', '00000000-0000-7000-8000-0000000000a5', '00000000-0000-7000-8000-000000000001', now() - interval '8 days', now() - interval '1 day', NULL, NULL);

INSERT INTO one_time_tokens (hash, user_id, purpose, created_at, expires_at, used_at) VALUES
 ('ott-old-unused', '00000000-0000-7000-8000-000000000001', 'email_verification', now() - interval '41 days', now() - interval '40 days', NULL),
 ('ott-old-used', '00000000-0000-7000-8000-000000000001', 'password_reset', now() - interval '41 days', now() - interval '40 days', now() - interval '41 days'),
 ('ott-live', '00000000-0000-7000-8000-000000000001', 'password_reset', now(), now() + interval '1 hour', NULL),
 ('ott-recently-expired', '00000000-0000-7000-8000-000000000001', 'account_unlock', now() - interval '2 days', now() - interval '1 day', NULL);

INSERT INTO outbox (id, kind, payload, created_at, next_attempt_at, sent_at, dead_at) VALUES
 ('00000000-0000-7000-8000-0000000000b1', 'k', '{}', now() - interval '10 days', now() - interval '10 days', now() - interval '10 days', NULL),
 ('00000000-0000-7000-8000-0000000000b2', 'k', '{}', now() - interval '10 days', now() - interval '10 days', NULL, now() - interval '10 days'),
 ('00000000-0000-7000-8000-0000000000b3', 'k', '{}', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', NULL),
 ('00000000-0000-7000-8000-0000000000b4', 'k', '{}', now() - interval '100 days', now() - interval '100 days', NULL, NULL);

INSERT INTO audit_events (id, at, kind)
 SELECT gen_random_uuid(), now() - interval '400 days' - n * interval '1 second', 'login' FROM generate_series(1, $AUDIT) AS n;
INSERT INTO audit_events (id, at, kind) VALUES (gen_random_uuid(), now() - interval '10 days', 'recent');

INSERT INTO mfa_challenges (hash, user_id, verified, remember_me, created_at, expires_at) VALUES
 ('ch-expired', '00000000-0000-7000-8000-000000000001', 'v', false, now() - interval '10 minutes', now() - interval '5 minutes'),
 ('ch-live', '00000000-0000-7000-8000-000000000001', 'v', false, now(), now() + interval '5 minutes');
INSERT INTO mfa_remembered_devices (id, hash, user_id, created_at, expires_at) VALUES
 ('00000000-0000-7000-8000-0000000000c1', 'dev-expired', '00000000-0000-7000-8000-000000000001', now() - interval '31 days', now() - interval '1 day'),
 ('00000000-0000-7000-8000-0000000000c2', 'dev-live', '00000000-0000-7000-8000-000000000001', now(), now() + interval '30 days');

INSERT INTO login_failures (digest, failed_attempts, last_failed_at, locked_until) VALUES
 ('lock-over', 5, now() - interval '2 hours', now() - interval '1 hour'),
 ('lock-holding', 5, now(), now() + interval '30 minutes'),
 ('counting', 3, now() - interval '400 days', NULL);
";

async fn filled(audit: u32) -> (String, Client) {
    let url = migrated_database(server().await).await;
    let c = client(&url).await;
    c.batch_execute(&FILL.replace("$AUDIT", &audit.to_string()))
        .await
        .unwrap();
    (url, c)
}

async fn keys(c: &Client, sql: &str) -> Vec<String> {
    let rows = c.query(sql, &[]).await.unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect()
}

fn swept(outcome: SweepOutcome) -> SweptRows {
    match outcome {
        SweepOutcome::Swept(rows) => rows,
        SweepOutcome::Busy => panic!("nobody else sweeps here"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_deletes_old_rows_in_batches_and_leaves_every_live_row() {
    let (url, c) = filled(2500).await;
    let store = connect(url).await;
    let cutoffs = RetentionPolicy::default().cutoffs(Utc::now());
    let rows = swept(store.sweep(&cutoffs, 1000).await.unwrap());
    assert_eq!(
        rows,
        SweptRows {
            sessions: 2,
            one_time_tokens: 2,
            outbox: 2,
            audit_events: 2500,
            mfa_challenges: 1,
            remembered_devices: 1,
            login_failures: 1,
        }
    );
    let sessions = keys(&c, "SELECT current_token_hash FROM sessions ORDER BY 1").await;
    assert_eq!(sessions, ["live", "recently-expired", "recently-revoked"]);
    let tokens = keys(&c, "SELECT hash FROM refresh_tokens ORDER BY 1").await;
    assert_eq!(
        tokens,
        [
            "live",
            "live-before",
            "recently-expired",
            "recently-revoked"
        ],
        "a swept session's tokens go with it; a live one keeps even its old rotated tokens"
    );
    let ott = keys(&c, "SELECT hash FROM one_time_tokens ORDER BY 1").await;
    assert_eq!(ott, ["ott-live", "ott-recently-expired"]);
    let outbox = keys(&c, "SELECT id::text FROM outbox ORDER BY 1").await;
    assert_eq!(
        outbox,
        [
            "00000000-0000-7000-8000-0000000000b3",
            "00000000-0000-7000-8000-0000000000b4"
        ],
        "a recent delivery and a pending message, however old, stay"
    );
    let audit = keys(&c, "SELECT kind FROM audit_events").await;
    assert_eq!(audit, ["recent"]);
    let challenges = keys(&c, "SELECT hash FROM mfa_challenges").await;
    assert_eq!(challenges, ["ch-live"]);
    let devices = keys(&c, "SELECT hash FROM mfa_remembered_devices").await;
    assert_eq!(devices, ["dev-live"]);
    let failures = keys(&c, "SELECT digest FROM login_failures ORDER BY 1").await;
    assert_eq!(failures, ["counting", "lock-holding"]);

    let again = swept(store.sweep(&cutoffs, 1000).await.unwrap());
    assert_eq!(again, SweptRows::default(), "nothing left to sweep");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_one_row_still_sweeps_everything() {
    let (url, c) = filled(5).await;
    let store = connect(url).await;
    let cutoffs = RetentionPolicy::default().cutoffs(Utc::now());
    let rows = swept(store.sweep(&cutoffs, 1).await.unwrap());
    assert_eq!((rows.audit_events, rows.sessions, rows.outbox), (5, 2, 2));
    let audit = keys(&c, "SELECT kind FROM audit_events").await;
    assert_eq!(audit, ["recent"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_instance_skips_while_one_sweeps() {
    let (url, c) = filled(3000).await;
    let first = connect(url.clone()).await;
    let second = connect(url).await;
    let cutoffs = RetentionPolicy::default().cutoffs(Utc::now());
    // Hold the first sweep inside its run (on the outbox, after sessions and tokens) by locking
    // the table from a third session.
    let blocker = c;
    blocker
        .batch_execute("BEGIN; LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let running = tokio::spawn(async move { first.sweep(&cutoffs, 1000).await });
    let mut held = false;
    for _ in 0..200 {
        let n: i64 = blocker
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                 AND classid = x'61757468'::int::oid AND objid = x'64737770'::int::oid",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if n > 0 {
            held = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(held, "the first sweep took the lock");
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        second.sweep(&cutoffs, 1000),
    )
    .await
    .expect("the second sweep answers at once instead of waiting")
    .unwrap();
    assert_eq!(outcome, SweepOutcome::Busy);
    blocker.batch_execute("COMMIT").await.unwrap();
    let rows = swept(running.await.unwrap().unwrap());
    assert_eq!(rows.audit_events, 3000);
    // Released: the next sweep runs (and finds nothing).
    let next = swept(second.sweep(&cutoffs, 1000).await.unwrap());
    assert_eq!(next, SweptRows::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sweeps_started_together_delete_each_row_once_and_never_fail() {
    let (url, _c) = filled(4000).await;
    let cutoffs = RetentionPolicy::default().cutoffs(Utc::now());
    let mut runs = Vec::new();
    for _ in 0..4 {
        let store = connect(url.clone()).await;
        runs.push(tokio::spawn(
            async move { store.sweep(&cutoffs, 500).await },
        ));
    }
    let mut audit = 0;
    let mut busy = 0;
    for run in runs {
        match run.await.unwrap().unwrap() {
            SweepOutcome::Swept(rows) => audit += rows.audit_events,
            SweepOutcome::Busy => busy += 1,
        }
    }
    assert_eq!(audit, 4000, "every old event deleted exactly once");
    assert!(busy <= 3);
}
