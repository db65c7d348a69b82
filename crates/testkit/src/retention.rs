//! Conformance checks for [`authd_domain::ports::Retention`], the cleanup sweep, where every
//! store applies it: audit events past their retention, and identifier locks that ended (each
//! answers as no count does). What only PostgreSQL keeps until swept (ended sessions, finished
//! mail, expired tokens; the memory store drops them on its own) is checked by the PostgreSQL
//! adapter's own tests.

use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use authd_domain::audit::AuditKind;
use authd_domain::ids::UserId;
use authd_domain::policy::lockout::{FailureOutcome, LockoutState};
use authd_domain::policy::retention::RetentionPolicy;
use authd_domain::ports::{LoginName, LoginTarget, SweepOutcome, SweptRows};
use authd_domain::token::TokenHash;
use authd_domain::values::Email;
use chrono::Duration;

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]).
#[macro_export]
macro_rules! retention_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { retention, $storage;
            a_sweep_drops_audit_events_past_their_retention_only
            a_sweep_drops_ended_identifier_locks_and_keeps_live_counts
        }
    };
}

fn swept(outcome: SweepOutcome) -> SweptRows {
    match outcome {
        SweepOutcome::Swept(rows) => rows,
        SweepOutcome::Busy => panic!("nobody else sweeps this store"),
    }
}

/// An event older than `AUDIT_RETENTION` goes; one just inside it stays, in the same trail.
pub async fn a_sweep_drops_audit_events_past_their_retention_only(s: &StorageUnderTest) {
    let user = UserId::new();
    let policy = RetentionPolicy {
        audit: Duration::days(30),
        ..RetentionPolicy::default()
    };
    let now = t0_plus(40 * 86_400);
    let old = fixtures::audit_event(AuditKind::LoginSucceeded, t0_plus(0), Some(user));
    let older = fixtures::audit_event(AuditKind::UserRegistered, t0_plus(-60), Some(user));
    let kept = fixtures::audit_event(AuditKind::Logout, now - Duration::days(29), Some(user));
    for event in [&old, &older, &kept] {
        s.audit.record(event).await.unwrap();
    }
    let rows = swept(s.retention.sweep(&policy.cutoffs(now), 1).await.unwrap());
    assert_eq!(rows.audit_events, 2);
    assert_eq!(s.audit.for_user(user, 10).await.unwrap(), vec![kept]);
    let again = swept(s.retention.sweep(&policy.cutoffs(now), 1).await.unwrap());
    assert_eq!(again.audit_events, 0);
}

async fn lockout(s: &StorageUnderTest, email: &Email, key: &TokenHash) -> LockoutState {
    match s
        .login_attempts
        .find_for_login(&LoginName::Email(email.clone()), key)
        .await
        .unwrap()
    {
        LoginTarget::Unknown(state) => state,
        LoginTarget::Account(user) => panic!("no account expected, found {user:?}"),
    }
}

/// A lock that ended goes; a lock still holding and a count that never locked stay.
pub async fn a_sweep_drops_ended_identifier_locks_and_keeps_live_counts(s: &StorageUnderTest) {
    let policy = fixtures::lockout_policy();
    let ended = (
        Email::from_trusted("ended@example.com".to_owned()),
        fixtures::token_hash(),
    );
    let holding = (
        Email::from_trusted("holding@example.com".to_owned()),
        fixtures::token_hash(),
    );
    let counting = (
        Email::from_trusted("counting@example.com".to_owned()),
        fixtures::token_hash(),
    );
    let fail = |key: TokenHash, at| {
        let attempts = s.login_attempts.clone();
        async move {
            attempts
                .record_unknown_failure(&key, at, &policy)
                .await
                .unwrap()
        }
    };
    for _ in 0..policy.max_attempts {
        fail(ended.1.clone(), t0_plus(0)).await;
    }
    // Locked a minute later, so its lock is still on when the first one's has ended.
    let mut last = FailureOutcome::Counted { remaining: 0 };
    for _ in 0..policy.max_attempts {
        last = fail(holding.1.clone(), t0_plus(60)).await;
    }
    assert!(matches!(last, FailureOutcome::NewlyLocked { .. }));
    fail(counting.1.clone(), t0_plus(-86_400 * 400)).await;

    let now = t0_plus(30) + policy.duration;
    let rows = swept(
        s.retention
            .sweep(&RetentionPolicy::default().cutoffs(now), 1)
            .await
            .unwrap(),
    );
    assert_eq!(rows.login_failures, 1);
    assert_eq!(
        lockout(s, &ended.0, &ended.1).await,
        LockoutState::default()
    );
    let still = lockout(s, &holding.0, &holding.1).await;
    assert!(policy.locked_until(&still, now).is_some(), "{still:?}");
    let counted = lockout(s, &counting.0, &counting.1).await;
    assert_eq!(
        counted.failed_attempts, 1,
        "a count that never locked stays"
    );
}
