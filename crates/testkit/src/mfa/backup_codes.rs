//! Backup codes: each spent once, found under any of its digests, only the user's confirmed set
//! in force.

use super::{Enrolled, begin_setup, confirm, confirm_at, enrolled};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus};
use crate::support::{concurrently, registered_user};
use authd_domain::ports::BackupCodeUse;
use authd_domain::token::TokenHash;
use std::sync::Arc;

async fn spend(s: &StorageUnderTest, e: &Enrolled, digests: &[TokenHash]) -> BackupCodeUse {
    s.mfa
        .use_backup_code(e.user.id, digests, t0_plus(600))
        .await
        .unwrap()
}

async fn codes_left(s: &StorageUnderTest, e: &Enrolled) -> u32 {
    s.mfa
        .overview(e.user.id, t0_plus(600))
        .await
        .unwrap()
        .backup_codes_left
}

/// Each accepted code tells how many are left; a spent code answers `AlreadyUsed`, a digest
/// that is none of the user's codes (or no digest at all) `Unknown`.
pub async fn backup_codes_count_down_and_each_is_spent_once(s: &StorageUnderTest) {
    let e = enrolled(s).await;

    assert_eq!(
        spend(s, &e, &e.codes[..1]).await,
        BackupCodeUse::Accepted { remaining: 9 }
    );
    assert_eq!(
        spend(s, &e, &e.codes[..1]).await,
        BackupCodeUse::AlreadyUsed
    );
    assert_eq!(
        spend(s, &e, &e.codes[1..2]).await,
        BackupCodeUse::Accepted { remaining: 8 }
    );
    assert_eq!(codes_left(s, &e).await, 8);
    assert_eq!(
        spend(s, &e, &[fixtures::token_hash()]).await,
        BackupCodeUse::Unknown
    );
    assert_eq!(spend(s, &e, &[]).await, BackupCodeUse::Unknown);
    assert_eq!(codes_left(s, &e).await, 8, "a wrong code spends nothing");

    for (i, code) in e.codes.iter().enumerate().skip(2) {
        let remaining = u32::try_from(e.codes.len() - i - 1).unwrap();
        assert_eq!(
            spend(s, &e, std::slice::from_ref(code)).await,
            BackupCodeUse::Accepted { remaining }
        );
    }
    assert_eq!(codes_left(s, &e).await, 0);
    assert_eq!(
        spend(s, &e, &e.codes[9..]).await,
        BackupCodeUse::AlreadyUsed
    );
}

/// A code is presented under each configured key's digest; the one that matches, in any
/// position, spends it (keys rotate).
pub async fn a_backup_code_is_found_by_any_of_its_digests(s: &StorageUnderTest) {
    let e = enrolled(s).await;

    let under_old_key = [fixtures::token_hash(), e.codes[3].clone()];
    assert_eq!(
        spend(s, &e, &under_old_key).await,
        BackupCodeUse::Accepted { remaining: 9 }
    );
    assert_eq!(
        spend(s, &e, &[e.codes[3].clone(), fixtures::token_hash()]).await,
        BackupCodeUse::AlreadyUsed
    );
}

/// Another user's code, and the codes of a set still pending, are unknown; neither is spent.
pub async fn only_the_users_confirmed_backup_codes_are_accepted(s: &StorageUnderTest) {
    let e = enrolled(s).await;
    let other = enrolled(s).await;
    let pending_user = registered_user(s).await;
    let (pending, pending_codes) = begin_setup(s, &pending_user).await;

    assert_eq!(
        spend(s, &other, &e.codes[..1]).await,
        BackupCodeUse::Unknown
    );
    let from_pending = s
        .mfa
        .use_backup_code(pending_user.id, &pending_codes[..1], t0_plus(90))
        .await
        .unwrap();
    assert_eq!(from_pending, BackupCodeUse::Unknown);

    assert_eq!(
        spend(s, &e, &e.codes[..1]).await,
        BackupCodeUse::Accepted { remaining: 9 }
    );
    assert_eq!(codes_left(s, &other).await, 10);
    assert!(confirm(s, &pending_user, &pending).await);
    let after_confirmation = s
        .mfa
        .use_backup_code(pending_user.id, &pending_codes[..1], confirm_at())
        .await
        .unwrap();
    assert_eq!(
        after_confirmation,
        BackupCodeUse::Accepted { remaining: 9 },
        "the pending set was not spent while it was refused"
    );
}

/// 20 concurrent uses of one code: exactly one `Accepted`, 19 `AlreadyUsed`.
pub async fn concurrent_uses_of_one_backup_code_accept_it_once(s: &StorageUnderTest) {
    let e = enrolled(s).await;
    let code = Arc::new(vec![e.codes[0].clone()]);

    let outcomes = concurrently(20, |_| {
        let mfa = Arc::clone(&s.mfa);
        let code = Arc::clone(&code);
        let user_id = e.user.id;
        async move {
            mfa.use_backup_code(user_id, &code, t0_plus(600))
                .await
                .unwrap()
        }
    })
    .await;

    let accepted: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o, BackupCodeUse::Accepted { .. }))
        .collect();
    assert_eq!(
        accepted,
        vec![&BackupCodeUse::Accepted { remaining: 9 }],
        "{outcomes:?}"
    );
    let used = outcomes
        .iter()
        .filter(|o| **o == BackupCodeUse::AlreadyUsed)
        .count();
    assert_eq!(used, 19, "{outcomes:?}");
    assert_eq!(codes_left(s, &e).await, 9);
}

/// A new set replaces the confirmed one: old codes, spent or not, are void; the new ones count.
pub async fn replaced_backup_codes_void_the_old_ones(s: &StorageUnderTest) {
    let e = enrolled(s).await;
    spend(s, &e, &e.codes[..1]).await;
    let fresh = fixtures::backup_code_digests();

    let replaced = s
        .mfa
        .replace_backup_codes(e.user.id, &fresh, t0_plus(600))
        .await
        .unwrap();

    assert!(replaced);
    assert_eq!(codes_left(s, &e).await, 10);
    for old in [&e.codes[0], &e.codes[1]] {
        let outcome = spend(s, &e, std::slice::from_ref(old)).await;
        assert!(
            !matches!(outcome, BackupCodeUse::Accepted { .. }),
            "an old code is void: {outcome:?}"
        );
    }
    assert_eq!(
        spend(s, &e, &fresh[..1]).await,
        BackupCodeUse::Accepted { remaining: 9 }
    );
}

/// Without a confirmed factor there is no set to replace: `false`, and nothing is stored, not
/// even for a pending factor, whose own codes still take effect on confirmation.
pub async fn backup_codes_are_not_replaced_without_a_confirmed_factor(s: &StorageUnderTest) {
    let user = registered_user(s).await;
    let refused = fixtures::backup_code_digests();
    let bare = s
        .mfa
        .replace_backup_codes(user.id, &refused, t0_plus(90))
        .await
        .unwrap();
    assert!(!bare);

    let (pending, pending_codes) = begin_setup(s, &user).await;
    let with_pending = s
        .mfa
        .replace_backup_codes(user.id, &refused, t0_plus(90))
        .await
        .unwrap();
    assert!(!with_pending);
    assert_eq!(
        s.mfa
            .overview(user.id, t0_plus(90))
            .await
            .unwrap()
            .backup_codes_left,
        0
    );

    assert!(confirm(s, &user, &pending).await);
    let refused_code = s
        .mfa
        .use_backup_code(user.id, &refused[..1], confirm_at())
        .await
        .unwrap();
    assert_eq!(refused_code, BackupCodeUse::Unknown);
    let own = s
        .mfa
        .use_backup_code(user.id, &pending_codes[..1], confirm_at())
        .await
        .unwrap();
    assert_eq!(own, BackupCodeUse::Accepted { remaining: 9 });
}
