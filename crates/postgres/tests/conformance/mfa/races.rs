//! The MFA races the adapter settles with row locks, with real concurrency: concurrent setups, a
//! setup against the confirmation of the factor it replaces, concurrent spends of different
//! codes, spends against a replacement of the codes.

use super::{confirm, database, enrolled, sorted, step_at, texts};
use authd_domain::mfa::{Factor, FactorKind};
use authd_domain::ports::{BackupCodeUse, BeginSetupError};
use authd_domain::token::TokenHash;
use authd_testkit::fixtures::{self, t0_plus};
use authd_testkit::support;
use futures_util::future::join_all;

/// 20 setups at once: one pending factor is left, with its own codes and none of the others';
/// confirming it puts exactly its codes in force, and the replaced factors cannot be confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_setups_leave_one_pending_factor_with_its_own_codes() {
    let (s, db) = database().await;
    let user = support::registered_user(&s).await;
    let setups: Vec<(Factor, Vec<TokenHash>)> = (0..20)
        .map(|i| {
            (
                fixtures::totp_factor(user.id, t0_plus(60 + i)),
                fixtures::backup_code_digests(),
            )
        })
        .collect();
    let results = join_all(setups.iter().map(|(factor, codes)| {
        let mfa = s.mfa.clone();
        async move { mfa.begin_setup(factor, codes).await }
    }))
    .await;
    for result in results {
        result.expect("every setup succeeds, replacing the one before");
    }

    let stored = s
        .mfa
        .find_factor(user.id, FactorKind::Totp)
        .await
        .unwrap()
        .expect("a pending factor");
    let (winner, codes) = setups
        .iter()
        .find(|(f, _)| f.id == stored.id)
        .expect("the stored factor is one of those set up");
    assert_eq!(stored.secret, winner.secret);
    assert_eq!(
        texts(
            &db,
            "SELECT id::text FROM mfa_factors WHERE user_id::text = $1",
            &user
        )
        .await,
        vec![stored.id.to_string()]
    );
    assert_eq!(
        texts(
            &db,
            "SELECT digest FROM mfa_backup_codes WHERE user_id::text = $1",
            &user
        )
        .await,
        sorted(codes)
    );

    for (loser, _) in setups.iter().filter(|(f, _)| f.id != stored.id).take(3) {
        assert!(!confirm(&s, &user, loser, t0_plus(120)).await);
    }
    assert!(confirm(&s, &user, winner, t0_plus(120)).await);
    assert_eq!(
        s.mfa
            .overview(user.id, t0_plus(120))
            .await
            .unwrap()
            .backup_codes_left,
        10
    );
    let accepted = s
        .mfa
        .use_backup_code(user.id, &codes[..1], t0_plus(130))
        .await
        .unwrap();
    assert_eq!(accepted, BackupCodeUse::Accepted { remaining: 9 });
}

/// A setup racing the confirmation of the pending factor it would replace: either the
/// confirmation wins and the setup is refused, or the setup wins and the confirmation finds its
/// factor gone. Never both, which would leave a confirmed and a pending factor.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_setup_racing_a_confirmation_lets_exactly_one_win() {
    let (s, db) = database().await;
    for _ in 0..15 {
        let user = support::registered_user(&s).await;
        let first = fixtures::totp_factor(user.id, t0_plus(60));
        s.mfa
            .begin_setup(&first, &fixtures::backup_code_digests())
            .await
            .unwrap();
        let second = fixtures::totp_factor(user.id, t0_plus(90));
        let second_codes = fixtures::backup_code_digests();
        let (mfa1, mfa2) = (s.mfa.clone(), s.mfa.clone());
        let mail = fixtures::mfa_enabled_mail(&user, t0_plus(120));
        let step = step_at(t0_plus(120));
        let first_id = first.id;
        let confirming = tokio::spawn(async move {
            mfa1.accept_totp_step(first_id, step, t0_plus(120), &mail)
                .await
        });
        let (second_c, codes_c) = (second.clone(), second_codes.clone());
        let setting_up = tokio::spawn(async move { mfa2.begin_setup(&second_c, &codes_c).await });
        let confirmed = confirming.await.unwrap().unwrap();
        let setup = setting_up.await.unwrap();

        let factors = texts(
            &db,
            "SELECT id::text || (confirmed_at IS NOT NULL)::text FROM mfa_factors \
             WHERE user_id::text = $1",
            &user,
        )
        .await;
        let enabled = s
            .users
            .find_by_id(user.id)
            .await
            .unwrap()
            .unwrap()
            .mfa_enabled;
        match (confirmed, setup) {
            (true, Err(BeginSetupError::AlreadyEnabled)) => {
                assert_eq!(factors, vec![format!("{}true", first.id)]);
                assert!(enabled);
            }
            (false, Ok(())) => {
                assert_eq!(factors, vec![format!("{}false", second.id)]);
                assert!(!enabled);
            }
            (confirmed, setup) => panic!("confirmed: {confirmed}, setup: {setup:?}"),
        }
    }
}

/// Ten different codes spent at once: each is accepted, and the counts left are 9 down to 0,
/// each exactly once (the count is taken under the codes' locks, not from a stale snapshot).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_spends_of_different_codes_count_down_exactly() {
    let (s, _db) = database().await;
    let (user, codes) = enrolled(&s).await;
    let spends = join_all(codes.iter().map(|code| {
        let mfa = s.mfa.clone();
        let code = code.clone();
        tokio::spawn(async move {
            mfa.use_backup_code(user.id, &[code], t0_plus(200))
                .await
                .unwrap()
        })
    }))
    .await;
    let mut left: Vec<u32> = spends
        .into_iter()
        .map(|r| match r.unwrap() {
            BackupCodeUse::Accepted { remaining } => remaining,
            other => panic!("an unused code was refused: {other:?}"),
        })
        .collect();
    left.sort_unstable();
    assert_eq!(left, (0..10).collect::<Vec<u32>>());
}

/// Spends of the old codes racing their replacement: no deadlock, no error; each old code is
/// either spent before the replacement or unknown after it (never "already used": it was not),
/// and the new codes are all in force. Five rounds, the interleavings vary.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spends_racing_a_replacement_of_the_codes_neither_fail_nor_touch_the_new_ones() {
    let (s, _db) = database().await;
    for _ in 0..5 {
        let (user, codes) = enrolled(&s).await;
        let new_codes = fixtures::backup_code_digests();
        let replacing = {
            let mfa = s.mfa.clone();
            let new_codes = new_codes.clone();
            tokio::spawn(async move {
                mfa.replace_backup_codes(user.id, &new_codes, t0_plus(200))
                    .await
            })
        };
        let spends = join_all(codes.iter().map(|code| {
            let mfa = s.mfa.clone();
            let code = code.clone();
            tokio::spawn(async move { mfa.use_backup_code(user.id, &[code], t0_plus(200)).await })
        }))
        .await;
        assert!(replacing.await.unwrap().expect("the replacement"));
        for spend in spends {
            match spend.unwrap().expect("a spend") {
                BackupCodeUse::Accepted { .. } | BackupCodeUse::Unknown => {}
                BackupCodeUse::AlreadyUsed => panic!("a code spent once was called used"),
            }
        }
        assert_eq!(
            s.mfa
                .overview(user.id, t0_plus(200))
                .await
                .unwrap()
                .backup_codes_left,
            10
        );
    }
}
