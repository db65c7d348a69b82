use super::*;
use authd_domain::ports::UserRepository;
use authd_memory::{MemoryDenylist, MemoryStore};
use authd_testkit::clock::ManualClock;
use authd_testkit::fixtures;
use std::sync::atomic::{AtomicBool, Ordering};

/// Redis as the guard sees it: a denylist that can be down, or lose everything it held, or (a
/// cluster master restarting empty) what it held for some users.
struct FlakyRedis {
    clock: Arc<ManualClock>,
    inner: Mutex<Arc<MemoryDenylist>>,
    down: AtomicBool,
    /// Users whose denials are gone (their cluster master restarted empty) until denied again.
    forgotten: Mutex<Vec<UserId>>,
}

impl FlakyRedis {
    fn new(clock: Arc<ManualClock>) -> Self {
        let inner = Mutex::new(Arc::new(MemoryDenylist::new(clock.clone())));
        Self {
            clock,
            inner,
            down: AtomicBool::new(false),
            forgotten: Mutex::new(Vec::new()),
        }
    }

    /// The master holding `user`'s slot restarted without persistence.
    fn forget_user(&self, user: UserId) {
        self.forgotten.lock().unwrap().push(user);
    }

    /// A new denial for `user` (which a test writes only after the loss): denied again.
    fn remember(&self, user: UserId) {
        self.forgotten.lock().unwrap().retain(|u| *u != user);
    }

    fn inner(&self) -> Result<Arc<MemoryDenylist>, PortError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::unavailable("connection refused"));
        }
        Ok(self.inner.lock().unwrap().clone())
    }

    /// A restart without persistence.
    fn forget_everything(&self) {
        *self.inner.lock().unwrap() = Arc::new(MemoryDenylist::new(self.clock.clone()));
    }
}

#[async_trait]
impl TokenDenylist for FlakyRedis {
    async fn deny_token(
        &self,
        user_id: UserId,
        id: TokenId,
        until: Timestamp,
    ) -> Result<(), PortError> {
        self.inner()?.deny_token(user_id, id, until).await?;
        self.remember(user_id);
        Ok(())
    }

    async fn deny_sessions(
        &self,
        user_id: UserId,
        ids: &[SessionId],
        until: Timestamp,
    ) -> Result<(), PortError> {
        self.inner()?.deny_sessions(user_id, ids, until).await
    }

    async fn deny_user_before(
        &self,
        user_id: UserId,
        cutoff: Timestamp,
        until: Timestamp,
    ) -> Result<(), PortError> {
        self.inner()?.deny_user_before(user_id, cutoff, until).await
    }

    async fn is_denied(&self, claims: &AccessClaims) -> Result<bool, PortError> {
        let inner = self.inner()?;
        if self.forgotten.lock().unwrap().contains(&claims.user_id) {
            return Ok(false);
        }
        inner.is_denied(claims).await
    }
}

const HORIZON: Duration = Duration::minutes(15);

fn t0() -> Timestamp {
    chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn claims() -> AccessClaims {
    AccessClaims {
        user_id: UserId::new(),
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at: t0(),
        expires_at: t0() + HORIZON,
        roles: Vec::new(),
        permissions: authd_domain::authorization::Permissions::none(),
    }
}

/// Storage that knows no session at all: a guard that asks it denies every token.
fn empty_storage() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new())
}

/// Storage holding a live session and the claims of an access token of it; the session is
/// revoked in storage when `revoked`.
async fn storage_with(revoked: bool) -> (Arc<MemoryStore>, AccessClaims) {
    let store = empty_storage();
    let user = fixtures::user();
    UserRepository::create(&*store, &user, &fixtures::verify_mail(&user))
        .await
        .unwrap();
    let session = fixtures::session(user.id, t0(), true);
    SessionRepository::create(
        &*store,
        &session,
        &fixtures::refresh_token(&session),
        0,
        &user.password_hash,
    )
    .await
    .unwrap();
    if revoked {
        assert!(store.revoke(user.id, session.id, t0()).await.unwrap());
    }
    let token = AccessClaims {
        user_id: user.id,
        session_id: session.id,
        ..claims()
    };
    (store, token)
}

async fn guard(
    sessions: Arc<MemoryStore>,
) -> (Arc<ManualClock>, Arc<FlakyRedis>, Arc<GuardedDenylist>) {
    let clock = Arc::new(ManualClock::at(t0()));
    let redis = Arc::new(FlakyRedis::new(clock.clone()));
    let guard = GuardedDenylist::start(redis.clone(), sessions, clock.clone(), HORIZON).await;
    (clock, redis, guard)
}

#[tokio::test]
async fn while_redis_is_trusted_storage_is_never_asked() {
    // Storage knows no session: had the guard asked it, the token would be denied.
    let (_clock, _redis, guard) = guard(empty_storage()).await;
    let token = claims();

    assert!(!guard.is_denied(&token).await.unwrap());
    guard
        .deny_token(token.user_id, token.token_id, token.expires_at)
        .await
        .unwrap();
    assert!(guard.is_denied(&token).await.unwrap());
}

#[tokio::test]
async fn while_redis_is_down_a_lookup_fails_instead_of_passing() {
    let (_clock, redis, guard) = guard(empty_storage()).await;
    redis.down.store(true, Ordering::SeqCst);

    let looked_up = guard.is_denied(&claims()).await;

    assert!(matches!(looked_up, Err(PortError::Unavailable(_))));
}

#[tokio::test]
async fn after_an_outage_a_session_revoked_in_storage_is_denied_though_redis_never_heard_of_it() {
    let (storage, token) = storage_with(true).await;
    let (_clock, redis, guard) = guard(storage).await;
    redis.down.store(true, Ordering::SeqCst);
    assert!(
        guard
            .deny_sessions(token.user_id, &[token.session_id], token.expires_at)
            .await
            .is_err()
    );
    redis.down.store(false, Ordering::SeqCst);

    assert!(guard.is_denied(&token).await.unwrap());
}

#[tokio::test]
async fn after_an_outage_a_live_session_still_passes() {
    let (storage, token) = storage_with(false).await;
    let (_clock, redis, guard) = guard(storage).await;
    redis.down.store(true, Ordering::SeqCst);
    let _ = guard.is_denied(&token).await;
    redis.down.store(false, Ordering::SeqCst);

    assert!(!guard.is_denied(&token).await.unwrap());
}

#[tokio::test]
async fn redis_is_trusted_again_once_the_longest_access_token_has_expired() {
    let token = claims();
    let (clock, redis, guard) = guard(empty_storage()).await;
    redis.down.store(true, Ordering::SeqCst);
    let _ = guard.is_denied(&token).await;
    redis.down.store(false, Ordering::SeqCst);
    assert!(
        guard.is_denied(&token).await.unwrap(),
        "unknown session while in doubt"
    );

    clock.advance(HORIZON + Duration::seconds(1));

    assert!(!guard.is_denied(&token).await.unwrap());
}

#[tokio::test]
async fn a_redis_that_forgot_everything_is_noticed_by_the_sentinel() {
    let (storage, token) = storage_with(true).await;
    let (_clock, redis, guard) = guard(storage).await;
    redis.forget_everything();
    assert!(!guard.doubting(), "nothing noticed yet");

    guard.check_sentinel().await;

    assert!(guard.is_denied(&token).await.unwrap());
    assert!(
        redis.is_denied(&guard.sentinels[0]).await.unwrap(),
        "the sentinel is written again"
    );
}

#[tokio::test]
async fn a_cluster_master_that_restarted_empty_is_noticed_by_its_own_sentinel() {
    let (storage, token) = storage_with(true).await;
    let (_clock, redis, guard) = guard(storage).await;
    // One master of several lost its slots' data: here the last slot range's.
    let lost = guard.sentinels[canaries::COUNT - 1].clone();
    redis.forget_user(lost.user_id);
    assert!(!redis.is_denied(&lost).await.unwrap());

    guard.check_sentinel().await;

    assert!(guard.doubting());
    assert!(guard.is_denied(&token).await.unwrap());
    assert!(
        redis.is_denied(&lost).await.unwrap(),
        "the lost sentinel is written again"
    );
}

#[tokio::test]
async fn a_denial_redis_did_not_take_is_written_once_it_is_back() {
    let token = claims();
    let (_clock, redis, guard) = guard(empty_storage()).await;
    redis.down.store(true, Ordering::SeqCst);
    assert!(
        guard
            .deny_sessions(token.user_id, &[token.session_id], token.expires_at)
            .await
            .is_err()
    );
    redis.down.store(false, Ordering::SeqCst);
    assert!(!redis.is_denied(&token).await.unwrap(), "not written yet");

    guard.retry_pending().await;

    assert!(
        redis.is_denied(&token).await.unwrap(),
        "other instances see it now"
    );
    assert!(guard.pending.lock().unwrap().is_empty());
}
