//! Graceful shutdown and rolling restarts of real `authd` processes on PostgreSQL, Redis and a
//! real SMTP server (docs/operations.md, "Stopping and rolling restarts"). On SIGTERM readiness
//! turns 503 while the instance still serves for `SHUTDOWN_DRAIN_DELAY`; then it stops accepting,
//! finishes what is in flight, sends what its outbox holds and exits 0. Restarting one of two
//! instances at a time under steady load behind a balancer that follows readiness fails no
//! request and loses no email.

mod balancer;

use crate::helpers::{LoggedIn, Production, TestApp, TestUser};
use authd_testkit::smtp::addressed_to;
use balancer::Balancer;
use serde_json::json;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a stopping instance may take to exit: the drain, the grace, the last mail round.
const EXIT_TIMEOUT: Duration = Duration::from_secs(45);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_turns_readiness_off_serves_on_through_the_drain_finishes_in_flight_work_and_exits_zero()
 {
    let production = Production::shared().await;
    let mut app = production
        .spawn_process(&[
            ("SHUTDOWN_DRAIN_DELAY", "6s"),
            ("SHUTDOWN_GRACE", "20s"),
            // Mail goes out at start-up and then not for an hour: what is queued after start-up
            // can only be sent by the last round at shutdown.
            ("OUTBOX_POLL_INTERVAL_MS", "3600000"),
            ("CLIENT_BODY_TIMEOUT", "60s"),
            ("RATE_LIMIT_ENABLED", "false"),
            ("LOG_LEVEL", "info"),
        ])
        .await;
    let port = app.process().port();
    assert_eq!(app.get("/health/ready").await.status, 200);

    // A registration whose body arrives slowly: in flight across the whole shutdown.
    let slow = TestUser::random();
    let body = slow.registration_body().to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first_half}",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    app.process().sigterm();
    let signalled = Instant::now();
    let ready = wait_for_status(&app, "/health/ready", 503).await;
    assert_eq!(ready.body["status"], "NOT_READY");
    // Still within the drain: liveness and the API answer as before.
    assert_eq!(app.get("/health/live").await.status, 200);
    let during_drain = app.registered_user().await;
    assert!(
        signalled.elapsed() < Duration::from_secs(6),
        "the checks above ran within the drain (took {:?}); a slower machine needs a longer one",
        signalled.elapsed()
    );

    // After the drain: no new connection is accepted, while the slow request is still open.
    wait_until_refused(port).await;
    in_flight.write_all(second_half.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        in_flight.read_to_string(&mut answer),
    )
    .await
    .expect("the request in flight is answered")
    .expect("read the answer");
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the request in flight completes: {answer}"
    );
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "a stopping instance keeps no connection open: {answer}"
    );

    let status = app.process().wait_exit(EXIT_TIMEOUT).await;
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "authd exits 0 after SIGTERM:\n{}",
        app.process().output()
    );
    // Both were queued after the start-up round; only the round at shutdown can have sent them.
    for email in [&slow.email, &during_drain.email] {
        production
            .smtp
            .wait_for(|m| addressed_to(m, email), Duration::from_secs(5))
            .await;
    }
}

/// `path` on `app`, asked until it answers `status` (for up to 3 s).
async fn wait_for_status(app: &TestApp, path: &str, status: u16) -> crate::helpers::Reply {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let reply = app.get(path).await;
        if reply.status == status || Instant::now() > deadline {
            assert_eq!(reply.status, status, "{path}: {reply:#?}");
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_until_refused(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "authd still accepts connections 20 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Both instances' configuration: the same signing and refresh secrets (a token from one
/// verifies on the other), and no limit that steady load from one address would hit.
const INSTANCE: [(&str, &str); 8] = [
    ("JWT_ALGORITHM", "HS256"),
    (
        "JWT_ACCESS_SECRET",
        "rolling-access-secret-shared-by-both-instances",
    ),
    (
        "JWT_REFRESH_SECRET",
        "rolling-refresh-secret-shared-by-both-instances",
    ),
    ("RATE_LIMIT_ENABLED", "false"),
    ("MAX_CONCURRENT_SESSIONS", "0"),
    // Long enough for the balancer (polling every 100 ms) to notice, even on loaded cores.
    ("SHUTDOWN_DRAIN_DELAY", "3s"),
    ("SHUTDOWN_GRACE", "20s"),
    ("LOG_LEVEL", "info"),
];

/// Clients sending requests one after another, each as its own account.
const CLIENTS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_each_of_two_instances_under_steady_load_fails_no_request_and_loses_no_email() {
    let production = Production::shared().await;
    let (a, b) = tokio::join!(
        production.spawn_process(&INSTANCE),
        production.spawn_process(&INSTANCE)
    );
    let mut nodes = [a, b];
    let mut sessions = Vec::new();
    for _ in 0..CLIENTS {
        let user = nodes[0].verified_user().await;
        let login = nodes[1].login(&user).await;
        sessions.push((user, login));
    }
    let balancer = Arc::new(Balancer::new(&[
        nodes[0].address.clone(),
        nodes[1].address.clone(),
    ]));
    let registered = Arc::new(Mutex::new(Vec::new()));
    let watcher = tokio::spawn({
        let balancer = balancer.clone();
        async move { balancer.watch_readiness().await }
    });
    let clients: Vec<_> = sessions
        .into_iter()
        .map(|(user, login)| {
            tokio::spawn(steady_client(
                balancer.clone(),
                user,
                login,
                registered.clone(),
            ))
        })
        .collect();

    for (i, node) in nodes.iter_mut().enumerate() {
        tokio::time::sleep(Duration::from_secs(2)).await;
        node.process().sigterm();
        let status = node.process().wait_exit(EXIT_TIMEOUT).await;
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(0),
            "instance {i} exits 0 after SIGTERM:\n{}",
            node.process().output()
        );
        node.start_again(&production, &INSTANCE).await;
        wait_until_ready(&balancer, i).await;
        let served = balancer.served(i);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(
            balancer.served(i) > served,
            "the restarted instance {i} takes requests again"
        );
    }

    balancer.stop();
    for client in clients {
        client.await.expect("a client task ends without panicking");
    }
    watcher.await.expect("the readiness watcher ends");
    let failures = balancer.failures.lock().unwrap().clone();
    let served = balancer.served(0) + balancer.served(1);
    assert!(
        failures.is_empty(),
        "{} of {served} requests failed during the rolling restart:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let registered = registered.lock().unwrap().clone();
    assert!(registered.len() >= 4, "registrations were made under load");
    wait_for_verification_mails(&production, &registered).await;
    eprintln!(
        "rolling restart: {served} requests answered, {} retried after a refused connection, \
         {} registrations mailed",
        balancer.retried.load(std::sync::atomic::Ordering::SeqCst),
        registered.len()
    );
}

/// Waits until every address in `emails` received its verification email, reading the
/// mailbox once per round (it holds the whole test process's mail).
async fn wait_for_verification_mails(production: &Production, emails: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let received = production.smtp.messages();
        let missing: Vec<&String> = emails
            .iter()
            .filter(|email| {
                !received
                    .iter()
                    .any(|m| addressed_to(m, email) && m.text.contains("/verify-email?token="))
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} registrations got no verification email: {missing:?}",
            missing.len(),
            emails.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_until_ready(balancer: &Balancer, node: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !balancer.is_ready(node) {
        assert!(
            Instant::now() < deadline,
            "the restarted instance {node} is not ready after 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One client's steady traffic until the balancer stops: its profile, a refresh (rotating its
/// tokens), a login and a registration (whose email must arrive), over and over. Registrations
/// are the fewest: their mails go out one by one over SMTP.
async fn steady_client(
    balancer: Arc<Balancer>,
    user: TestUser,
    login: LoggedIn,
    registered: Arc<Mutex<Vec<String>>>,
) {
    let mut access = login.access_token;
    let mut refresh = login.refresh_token;
    let mut round = 0_usize;
    while !balancer.is_stopped() {
        round += 1;
        match round % 6 {
            0 | 2 | 4 => {
                balancer
                    .expect("GET /v1/users/me", 200, |c, a| {
                        c.get(format!("{a}/v1/users/me")).bearer_auth(&access)
                    })
                    .await;
            }
            1 => {
                let body = json!({ "refreshToken": refresh });
                let rotated = balancer
                    .expect("POST /v1/auth/refresh", 200, |c, a| {
                        c.post(format!("{a}/v1/auth/refresh")).json(&body)
                    })
                    .await;
                // A failed refresh is already counted; the old pair may be spent, so stop.
                let Some(rotated) = rotated else { return };
                access = rotated["data"]["accessToken"].as_str().unwrap().to_owned();
                refresh = rotated["data"]["refreshToken"].as_str().unwrap().to_owned();
            }
            5 => {
                let newcomer = TestUser::random();
                let body = newcomer.registration_body();
                let created = balancer
                    .expect("POST /v1/auth/register", 201, |c, a| {
                        c.post(format!("{a}/v1/auth/register")).json(&body)
                    })
                    .await;
                if created.is_some() {
                    registered.lock().unwrap().push(newcomer.email);
                }
            }
            _ => {
                let body = user.credentials();
                balancer
                    .expect("POST /v1/auth/login", 200, |c, a| {
                        c.post(format!("{a}/v1/auth/login")).json(&body)
                    })
                    .await;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
