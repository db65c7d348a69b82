//! What only PostgreSQL storage promises: nothing is lost when authd restarts, and losing the
//! database gives prompt 503s (never a hang) until it is back, with no restart of authd.

use crate::helpers::{LoggedIn, Reply, TestApp, TestUser, fresh_database, spawn_app_on};
use authd_domain::audit::AuditKind;
use authd_domain::ids::UserId;
use authd_domain::ports::AuditLog;
use authd_postgres::{PgSettings, PostgresStore};
use authd_testkit::postgres::PgServer;
use serde_json::json;
use std::time::{Duration, Instant};

/// Fixed secrets, so that nothing a restarted app accepts depends on a process-local key.
const STABLE_KEYS: [(&str, &str); 3] = [
    ("JWT_ALGORITHM", "HS256"),
    (
        "JWT_ACCESS_SECRET",
        "a-fixed-access-secret-for-the-restart-test",
    ),
    (
        "JWT_REFRESH_SECRET",
        "a-fixed-refresh-secret-for-the-restart-test",
    ),
];

/// The user's audit trail as stored in the database, newest first.
async fn audit_kinds(database: &str, user: &TestUser) -> Vec<AuditKind> {
    let store = PostgresStore::connect(&PgSettings {
        url: database.to_owned(),
        pool_min: 0,
        pool_max: 1,
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    })
    .await
    .expect("the test database accepts a connection");
    let id = UserId::from_uuid(user.id.parse().expect("the API returns user ids as UUIDs"));
    let events = store.for_user(id, 50).await.expect("the audit trail reads");
    events.into_iter().map(|e| e.kind).collect()
}

/// How long a request may take while PostgreSQL is down: the connect timeout (1s in these
/// tests) and some slack, far below any client's patience.
const PROMPT: Duration = Duration::from_secs(4);

#[tokio::test]
async fn accounts_and_sessions_survive_a_restart_of_authd() {
    let database = fresh_database().await;
    let first = spawn_app_on(Some(database.clone()), &STABLE_KEYS).await;
    let user = first.verified_user().await;
    let login = first.login(&user).await;
    let first_address = first.address.clone();
    first.stop().await;
    assert!(
        reqwest::get(format!("{first_address}/health/live"))
            .await
            .is_err(),
        "the first app is really gone"
    );
    // Audit events are written in the background; stopping writes what was still queued.
    let kinds = audit_kinds(&database, &user).await;
    assert!(
        kinds.contains(&AuditKind::LoginSucceeded) && kinds.contains(&AuditKind::EmailVerified),
        "{kinds:?}"
    );

    let second = spawn_app_on(Some(database), &STABLE_KEYS).await;

    let refreshed = second.refresh(&login.refresh_token).await;
    refreshed.ok(200);
    second.me(&login.access_token).await.ok(200);
    let again = second.login(&user).await;
    let me = second.me(&again.access_token).await;
    assert_eq!(me.ok(200)["email"], user.email.as_str(), "{me:#?}");
}

/// A request while PostgreSQL is down: answered, promptly.
async fn promptly(request: impl Future<Output = Reply>) -> Reply {
    let started = Instant::now();
    let reply = tokio::time::timeout(PROMPT * 3, request)
        .await
        .expect("a request while PostgreSQL is down hangs");
    assert!(
        started.elapsed() < PROMPT,
        "answered after {:?}: {reply:#?}",
        started.elapsed()
    );
    reply
}

/// What a client does that needs the database, each answering 503 while it is down.
async fn database_requests(app: &TestApp, user: &TestUser, login: &LoggedIn) -> Vec<Reply> {
    let newcomer = TestUser::random();
    vec![
        promptly(app.login_reply(&user.credentials())).await,
        promptly(app.refresh(&login.refresh_token)).await,
        promptly(app.me(&login.access_token)).await,
        promptly(app.get_authed("/v1/users/me/sessions", &login.access_token)).await,
        promptly(app.register(&newcomer.registration_body())).await,
        promptly(app.post_json("/v1/auth/forgot-password", &json!({ "email": user.email }))).await,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_postgres_answers_503_promptly_and_authd_recovers_when_it_returns() {
    let pg = PgServer::start_new().await;
    let database = pg.fresh_database(None).await;
    let app = spawn_app_on(
        Some(database),
        &[("DB_CONNECT_TIMEOUT", "1s"), ("DB_STATEMENT_TIMEOUT", "2s")],
    )
    .await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let health = app.get("/v1/health").await;
    assert_eq!(health.status, 200, "{health:#?}");
    assert_eq!(health.body["services"]["database"], "healthy");

    tokio::task::block_in_place(|| pg.stop());

    for reply in database_requests(&app, &user, &login).await {
        reply.error(503, "SERVICE_UNAVAILABLE");
    }
    let health = promptly(app.get("/v1/health")).await;
    assert_eq!(health.status, 503, "{health:#?}");
    assert_eq!(health.body["services"]["database"], "unhealthy");
    assert_eq!(health.body["status"], "DEGRADED");
    let ready = promptly(app.get("/health/ready")).await;
    assert_eq!(ready.status, 503, "{ready:#?}");

    tokio::task::block_in_place(|| pg.start());

    let back = eventually_ok(&app, &user).await;
    app.me(&back.access_token).await.ok(200);
    app.refresh(&login.refresh_token).await.ok(200);
    let health = app.get("/v1/health").await;
    assert_eq!(health.status, 200, "{health:#?}");
    assert_eq!(health.body["services"]["database"], "healthy");
}

/// Logs in until it works: the pool replaces its dead connections by itself, within seconds.
async fn eventually_ok(app: &TestApp, user: &TestUser) -> LoggedIn {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = app.login_reply(&user.credentials()).await;
        if reply.status == 200 {
            return app.login(user).await;
        }
        assert!(
            Instant::now() < deadline,
            "authd did not recover within 15s of PostgreSQL's return: {reply:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
