//! Conformance checks for [`TokenDenylist`]. The port carries no `now`, so these checks use
//! the wall clock: an adapter expires entries by its own clock (or its server's).

use crate::fixtures;
use authd_domain::Timestamp;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::ports::TokenDenylist;
use chrono::{Duration, Utc};

/// Every check of this module, each registered as a test on a fresh `$denylist` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! denylist_conformance {
    ($denylist:expr) => {
        $crate::__register_checks! { denylist, $denylist;
            denied_token_is_denied_and_no_other
            denied_sessions_deny_all_their_tokens
            user_cutoff_denies_tokens_issued_in_earlier_seconds
            entries_stop_denying_once_they_expire
            a_denial_under_another_users_id_denies_nothing
        }
    };
}

fn in_an_hour() -> Timestamp {
    Utc::now() + Duration::hours(1)
}

/// A denied token id is denied; another token of the same session and user is not.
pub async fn denied_token_is_denied_and_no_other(d: &dyn TokenDenylist) {
    let (user, session) = (UserId::new(), SessionId::new());
    let denied = fixtures::access_claims(user, session, Utc::now());
    let sibling = fixtures::access_claims(user, session, Utc::now());

    d.deny_token(user, denied.token_id, in_an_hour())
        .await
        .unwrap();

    assert!(d.is_denied(&denied).await.unwrap());
    assert!(!d.is_denied(&sibling).await.unwrap());
}

/// Denied sessions deny every token of theirs, and no token of other sessions.
pub async fn denied_sessions_deny_all_their_tokens(d: &dyn TokenDenylist) {
    let user = UserId::new();
    let (a, b, kept) = (SessionId::new(), SessionId::new(), SessionId::new());

    d.deny_sessions(user, &[a, b], in_an_hour()).await.unwrap();

    for session in [a, b] {
        let claims = fixtures::access_claims(user, session, Utc::now());
        assert!(d.is_denied(&claims).await.unwrap(), "{session}");
    }
    let claims = fixtures::access_claims(user, kept, Utc::now());
    assert!(!d.is_denied(&claims).await.unwrap());
}

/// A user cut-off denies the user's tokens issued in an earlier whole second, and no token of
/// the cut-off's own second (which may have been issued just after it), later or foreign ones.
pub async fn user_cutoff_denies_tokens_issued_in_earlier_seconds(d: &dyn TokenDenylist) {
    let user = UserId::new();
    let cutoff = Utc::now() - Duration::seconds(10);

    d.deny_user_before(user, cutoff, in_an_hour())
        .await
        .unwrap();

    let before = fixtures::access_claims(user, SessionId::new(), cutoff - Duration::seconds(1));
    let same_second = fixtures::access_claims(user, SessionId::new(), cutoff);
    let after = fixtures::access_claims(user, SessionId::new(), cutoff + Duration::seconds(1));
    let stranger = fixtures::access_claims(
        UserId::new(),
        SessionId::new(),
        cutoff - Duration::seconds(1),
    );
    assert!(d.is_denied(&before).await.unwrap());
    assert!(
        !d.is_denied(&same_second).await.unwrap(),
        "a token of the cut-off's own second may be newer than the cut-off"
    );
    assert!(!d.is_denied(&after).await.unwrap());
    assert!(!d.is_denied(&stranger).await.unwrap());
}

/// A token, sessions or a cut-off denied under another user's id deny nothing of the token's
/// own user: a caller passing the wrong user id revokes nothing, on every adapter alike (Redis
/// keys a denial under its user), so its own tests catch it.
pub async fn a_denial_under_another_users_id_denies_nothing(d: &dyn TokenDenylist) {
    let (user, other) = (UserId::new(), UserId::new());
    let session = SessionId::new();
    let claims = fixtures::access_claims(user, session, Utc::now() - Duration::seconds(5));

    d.deny_token(other, claims.token_id, in_an_hour())
        .await
        .unwrap();
    d.deny_sessions(other, &[session], in_an_hour())
        .await
        .unwrap();
    d.deny_user_before(other, Utc::now(), in_an_hour())
        .await
        .unwrap();

    assert!(!d.is_denied(&claims).await.unwrap());
    d.deny_sessions(user, &[session], in_an_hour())
        .await
        .unwrap();
    assert!(d.is_denied(&claims).await.unwrap());
}

/// Entries stop denying once their `until` has passed, and an entry already past it never
/// denies. Takes about two seconds.
pub async fn entries_stop_denying_once_they_expire(d: &dyn TokenDenylist) {
    let user = UserId::new();
    let session = SessionId::new();
    let token = fixtures::access_claims(user, SessionId::new(), Utc::now());
    let of_session = fixtures::access_claims(UserId::new(), session, Utc::now());
    let of_user =
        fixtures::access_claims(user, SessionId::new(), Utc::now() - Duration::seconds(5));
    let past = Utc::now() - Duration::seconds(1);
    let stale = fixtures::access_claims(UserId::new(), SessionId::new(), Utc::now());

    d.deny_token(stale.user_id, stale.token_id, past)
        .await
        .unwrap();
    assert!(
        !d.is_denied(&stale).await.unwrap(),
        "an entry already expired never denies"
    );

    let soon = Utc::now() + Duration::seconds(1);
    d.deny_token(user, token.token_id, soon).await.unwrap();
    d.deny_sessions(of_session.user_id, &[session], soon)
        .await
        .unwrap();
    d.deny_user_before(user, Utc::now(), soon).await.unwrap();
    assert!(d.is_denied(&token).await.unwrap());
    assert!(d.is_denied(&of_session).await.unwrap());
    assert!(d.is_denied(&of_user).await.unwrap());

    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;

    assert!(!d.is_denied(&token).await.unwrap());
    assert!(!d.is_denied(&of_session).await.unwrap());
    assert!(!d.is_denied(&of_user).await.unwrap());
}
