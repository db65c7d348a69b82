//! An address that has no account locks exactly like one that has: the same answers, in the
//! same order, with the same `retryAfter`, and concurrent failures lock it just as often. Nothing
//! else happens to it: no mail, no account, and its failures are stored under a digest only.

use crate::helpers::{Backend, MailKind, Reply, TestApp, TestUser, backends};
use authd_domain::policy::lockout::LockoutState;
use authd_domain::ports::{LoginAttempts, LoginName, LoginTarget};
use authd_domain::token::TokenHash;
use authd_postgres::{PgSettings, PostgresStore};
use futures_util::future::join_all;
use rstest_reuse::apply;
use serde_json::{Value, json};
use std::time::Duration;

const WRONG: &str = "Wr0ng-Password!x";
const LOCK_SECONDS: u64 = 2;

/// What a client can tell apart in one answer: status, code, and the `retryAfter` seconds with
/// the `Retry-After` header.
#[derive(Debug)]
struct Seen {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    retry_after: Option<u64>,
    retry_after_header: Option<u64>,
}

impl Seen {
    fn of(reply: &Reply) -> Self {
        if reply.status != 200 {
            let code = reply.body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            reply.error(reply.status, &code);
        }
        Self {
            status: reply.status,
            code: reply.body["error"]["code"].as_str().map(str::to_owned),
            message: reply.body["error"]["message"].as_str().map(str::to_owned),
            retry_after: reply.body["error"]["retryAfter"].as_u64(),
            retry_after_header: reply.header("retry-after").and_then(|v| v.parse().ok()),
        }
    }

    /// The same answer, up to the second a lock's remaining time may round to.
    fn matches(&self, other: &Self) -> bool {
        let close = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => a.abs_diff(b) <= 1,
            (None, None) => true,
            _ => false,
        };
        self.status == other.status
            && self.code == other.code
            && self.message == other.message
            && close(self.retry_after, other.retry_after)
            && close(self.retry_after_header, other.retry_after_header)
    }
}

async fn attempt(app: &TestApp, email: &str, password: &str) -> Seen {
    Seen::of(
        &app.login_reply(&json!({"email": email, "password": password}))
            .await,
    )
}

/// The same request to the account and to the address without one, one right after the other.
async fn both(app: &TestApp, known: &str, unknown: &str, password: &str) -> (Seen, Seen) {
    (
        attempt(app, known, password).await,
        attempt(app, unknown, password).await,
    )
}

async fn spawn(backend: Backend, database: Option<String>) -> TestApp {
    let overrides = [("MAX_FAILED_ATTEMPTS", "5"), ("LOCKOUT_DURATION", "2s")];
    match (backend, database) {
        (Backend::Postgres, Some(url)) => crate::helpers::spawn_app_on(Some(url), &overrides).await,
        _ => crate::helpers::spawn_app_with(backend, &overrides).await,
    }
}

/// The key authd counts an unknown address under: SHA-256 of `email:<lowercased address>`.
fn digest_of(email: &str) -> TokenHash {
    let sum = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("email:{}", email.to_lowercase()).as_bytes(),
    );
    TokenHash::from_trusted(sum.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// What PostgreSQL holds for `email`'s digest.
async fn stored_lockout(database: &str, email: &str) -> LockoutState {
    let store = PostgresStore::connect(&PgSettings {
        url: database.to_owned(),
        pool_min: 0,
        pool_max: 1,
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    })
    .await
    .expect("the test database accepts a connection");
    match store
        .find_for_login(&LoginName::Malformed, &digest_of(email))
        .await
        .expect("the lookup works")
    {
        LoginTarget::Unknown(state) => state,
        LoginTarget::Account(user) => panic!("no account expected: {user:?}"),
    }
}

#[apply(backends)]
async fn an_address_without_an_account_gets_exactly_the_answers_of_one_with(backend: Backend) {
    let database = match backend {
        Backend::Postgres => Some(crate::helpers::fresh_database().await),
        Backend::Memory => None,
    };
    let app = spawn(backend, database.clone()).await;
    let user = app.verified_user().await;
    let nobody = TestUser::random();
    let (known, unknown) = (user.email.as_str(), nobody.email.as_str());

    let mut steps: Vec<(&str, (Seen, Seen))> = Vec::new();
    for _ in 0..7 {
        steps.push(("wrong password", both(&app, known, unknown, WRONG).await));
    }
    // The account's right password: still locked. The unknown address has none; it gets the
    // same request.
    steps.push((
        "right password",
        both(&app, known, unknown, &user.password).await,
    ));
    let waited = steps
        .iter()
        .filter_map(|(_, (k, _))| k.retry_after)
        .max()
        .expect("a lock was reported");
    tokio::time::sleep(Duration::from_millis(waited * 1000 + 300)).await;
    steps.push((
        "wrong after the lock",
        both(&app, known, unknown, WRONG).await,
    ));

    for (i, (what, (k, u))) in steps.iter().enumerate() {
        assert!(
            k.matches(u),
            "step {i} ({what}): account {k:?}, no account {u:?}"
        );
    }
    let statuses: Vec<u16> = steps.iter().map(|(_, (k, _))| k.status).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 423, 423, 423, 423, 401]);
    for (_, (k, u)) in &steps {
        if k.status == 423 {
            assert!(
                (1..=LOCK_SECONDS).contains(&k.retry_after.unwrap_or(0)),
                "{k:?}"
            );
            assert!(
                (1..=LOCK_SECONDS).contains(&u.retry_after.unwrap_or(0)),
                "{u:?}"
            );
        }
    }

    if let Some(database) = &database {
        // Counted in PostgreSQL, the store every instance shares, under the digest: a fresh
        // count of one since the lock expired.
        let stored = stored_lockout(database, unknown).await;
        assert_eq!(stored.failed_attempts, 1, "{stored:?}");
        assert_eq!(stored.locked_until, None, "{stored:?}");
    }
    app.assert_mail_count(MailKind::AccountLocked, unknown, 0)
        .await;
    for kind in [
        MailKind::Verification,
        MailKind::PasswordReset,
        MailKind::PasswordChanged,
        MailKind::RefreshTokenReuse,
    ] {
        assert!(
            app.mails(kind, unknown).is_empty(),
            "{kind:?} mail to {unknown}"
        );
    }
    app.assert_mail_count(MailKind::AccountLocked, known, 1)
        .await;
    // No account appeared: the address is still free to register.
    app.register(&nobody.registration_body()).await.ok(201);
}

/// `(401s, 423s)` of `n` concurrent wrong passwords for `email`.
async fn concurrent_failures(app: &TestApp, email: &str, n: usize) -> (usize, usize) {
    let body: Value = json!({"email": email, "password": WRONG});
    let replies = join_all((0..n).map(|_| app.login_reply(&body))).await;
    let mut counts = (0, 0);
    for reply in &replies {
        match reply.status {
            401 => {
                reply.error(401, "INVALID_CREDENTIALS");
                counts.0 += 1;
            }
            423 => {
                reply.error(423, "ACCOUNT_LOCKED");
                counts.1 += 1;
            }
            other => panic!("unexpected status {other}: {reply:#?}"),
        }
    }
    counts
}

#[apply(backends)]
async fn concurrent_failures_lock_an_address_without_an_account_as_they_lock_an_account(
    backend: Backend,
) {
    let app = crate::helpers::spawn_app(backend).await;
    let user = app.verified_user().await;
    let nobody = TestUser::random();

    let known = concurrent_failures(&app, &user.email, 20).await;
    let unknown = concurrent_failures(&app, &nobody.email, 20).await;

    assert_eq!(known, unknown, "(401s, 423s) with and without an account");
    // Every failure is counted once: the four below the limit answer 401, the rest 423.
    assert_eq!(unknown, (4, 16));
}
