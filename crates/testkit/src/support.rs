//! Steps that several checks share: registering an account, logging in, looking at the outbox,
//! and running many tasks at once.

use crate::StorageUnderTest;
use crate::fixtures;
use authd_domain::Timestamp;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::notification::Notification;
use authd_domain::session::{RefreshToken, Session};
use authd_domain::token::OneTimeToken;
use authd_domain::user::User;
use authd_domain::values::Email;
use chrono::Duration;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Barrier;

/// Stores `user` with its verification mail, then issues the mail's link token (created at
/// the account's `created_at`) as the mail worker does when it sends it; returns the token.
pub async fn register(s: &StorageUnderTest, user: &User) -> OneTimeToken {
    create(s, user).await;
    let token = fixtures::verification_token(user, user.created_at);
    s.one_time_tokens
        .issue(&token)
        .await
        .expect("issuing the verification link of a fresh account");
    token
}

/// Stores `user` with its verification mail, and nothing else.
pub async fn create(s: &StorageUnderTest, user: &User) {
    s.users
        .create(user, &fixtures::verify_mail(user))
        .await
        .expect("registering a fresh account");
}

/// Registers a fresh account; returns it.
pub async fn registered_user(s: &StorageUnderTest) -> User {
    let user = fixtures::user();
    register(s, &user).await;
    user
}

/// One failed login of `user` at `at`, under the fixtures' lockout policy (not enough to lock).
pub async fn failed_login(s: &StorageUnderTest, user: &User, at: Timestamp) {
    s.users
        .record_login_failure(
            user.id,
            at,
            &fixtures::lockout_policy(),
            &fixtures::lock_mail(user, at),
        )
        .await
        .unwrap();
}

/// A session started by a login.
#[derive(Debug, Clone)]
pub struct Login {
    pub session: Session,
    pub token: RefreshToken,
    /// The sessions the session limit evicted.
    pub evicted: Vec<SessionId>,
}

/// Starts a `rememberMe` session of `user_id` at `at`, with no session limit.
pub async fn login(s: &StorageUnderTest, user_id: UserId, at: Timestamp) -> Login {
    login_with(s, user_id, at, true, 0).await
}

pub async fn login_with(
    s: &StorageUnderTest,
    user_id: UserId,
    at: Timestamp,
    remember_me: bool,
    max_sessions: usize,
) -> Login {
    let session = fixtures::session(user_id, at, remember_me);
    let token = fixtures::refresh_token(&session);
    // As a login does: the session is tied to the hash the password was just checked against.
    let verified = s
        .users
        .find_by_id(user_id)
        .await
        .expect("looking up the account that logs in")
        .expect("the account that logs in exists")
        .password_hash;
    let evicted = s
        .sessions
        .create(&session, &token, max_sessions, &verified)
        .await
        .expect("creating a session");
    Login {
        session,
        token,
        evicted,
    }
}

/// Far enough after every fixture timestamp that all queued mail is due.
fn peek_time() -> Timestamp {
    fixtures::t0() + Duration::days(3650)
}

/// Every queued message, left queued: claimed, then marked failed with an immediate retry.
pub async fn queued_mail(s: &StorageUnderTest) -> Vec<Notification> {
    let now = peek_time();
    let claimed = s
        .outbox
        .claim_due(now, 100_000, Duration::minutes(1))
        .await
        .expect("claiming queued mail");
    for m in &claimed {
        s.outbox
            .mark_failed(m.id, Some(now), "peeked by the testkit")
            .await
            .expect("putting a peeked message back");
    }
    claimed.into_iter().map(|m| m.notification).collect()
}

/// How many queued messages of `kind` (see [`Notification::kind`]) go to `to` (compared
/// case-insensitively).
pub async fn count_mail(s: &StorageUnderTest, kind: &str, to: &Email) -> usize {
    queued_mail(s)
        .await
        .iter()
        .filter(|n| n.kind() == kind && n.recipient().normalized() == to.normalized())
        .count()
}

/// Runs `task(i)` for `i` in `0..n`, each on its own Tokio task, all released at once.
pub async fn concurrently<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let work = task(i);
            tokio::spawn(async move {
                barrier.wait().await;
                // The last task to arrive wakes the others onto its own worker, the first of
                // them into a slot no other worker may take, so without this they would run
                // one after another there. Yielding puts each back in a queue that idle
                // workers steal from.
                tokio::task::yield_now().await;
                work.await
            })
        })
        .collect();
    futures_util::future::join_all(handles)
        .await
        .into_iter()
        .map(|r| r.expect("a concurrent task panicked"))
        .collect()
}
