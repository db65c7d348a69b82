//! MFA in PostgreSQL beyond the shared conformance checks: what the tables hold (only what the
//! service handed over: sealed secrets, digests and hashes, nothing in the clear), the clearing
//! out of dead challenges and devices, and (in `races`) the races settled by row locks.

mod races;

use super::{connect, migrated_database};
use authd_domain::Timestamp;
use authd_domain::mfa::{Factor, TotpPolicy, TotpStep};
use authd_domain::token::TokenHash;
use authd_domain::user::User;
use authd_testkit::fixtures::{self, t0_plus};
use authd_testkit::postgres::server;
use authd_testkit::{StorageUnderTest, support};
use std::sync::Arc;
use tokio_postgres::{Client, NoTls};

async fn client(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connecting to the test database");
    tokio::spawn(connection);
    client
}

/// A migrated database, the store over it, and a plain client to read its tables.
async fn database() -> (StorageUnderTest, Client) {
    let url = migrated_database(server().await).await;
    let s = StorageUnderTest::from_store(Arc::new(connect(url.clone()).await));
    (s, client(&url).await)
}

fn step_at(at: Timestamp) -> TotpStep {
    TotpPolicy::default().step_at(at).expect("after 1970")
}

/// Confirms `factor` with the step of `at`.
async fn confirm(s: &StorageUnderTest, user: &User, factor: &Factor, at: Timestamp) -> bool {
    s.mfa
        .accept_totp_step(
            factor.id,
            step_at(at),
            at,
            &fixtures::mfa_enabled_mail(user, at),
        )
        .await
        .expect("accepting a step")
}

/// A user with a confirmed factor and the digests of its codes.
async fn enrolled(s: &StorageUnderTest) -> (User, Vec<TokenHash>) {
    let user = support::registered_user(s).await;
    let factor = fixtures::totp_factor(user.id, t0_plus(60));
    let codes = fixtures::backup_code_digests();
    s.mfa.begin_setup(&factor, &codes).await.unwrap();
    assert!(confirm(s, &user, &factor, t0_plus(120)).await);
    (user, codes)
}

/// The columns of `table`, in order.
async fn columns(db: &Client, table: &str) -> Vec<String> {
    db.query(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// One text column of every row of `table` belonging to `user`, sorted.
async fn texts(db: &Client, sql: &str, user: &User) -> Vec<String> {
    let mut values: Vec<String> = db
        .query(sql, &[&user.id.to_string()])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    values.sort();
    values
}

fn sorted(hashes: &[TokenHash]) -> Vec<String> {
    let mut v: Vec<String> = hashes.iter().map(|h| h.as_str().to_owned()).collect();
    v.sort();
    v
}

/// The tables have exactly the columns the migration documents, and the secret, codes and
/// tokens are stored exactly as handed over: the sealed secret byte for byte, the digests and
/// hashes as given. A new column (say, a clear copy of something) fails here first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mfa_tables_hold_only_the_sealed_secret_and_the_digests_they_were_given() {
    let (s, db) = database().await;
    let user = support::registered_user(&s).await;
    let factor = fixtures::totp_factor(user.id, t0_plus(60));
    let codes = fixtures::backup_code_digests();
    s.mfa.begin_setup(&factor, &codes).await.unwrap();
    assert!(confirm(&s, &user, &factor, t0_plus(60)).await);
    let challenge = fixtures::mfa_challenge(&user, t0_plus(60));
    s.mfa.create_challenge(&challenge).await.unwrap();
    let device = fixtures::remembered_device(user.id, t0_plus(60), chrono::Duration::days(30));
    let stored = s.mfa.remember_device(&device, &user.password_hash).await;
    assert!(stored.unwrap());

    let expected: [(&str, &[&str]); 4] = [
        (
            "mfa_factors",
            &[
                "id",
                "user_id",
                "kind",
                "device_name",
                "secret",
                "last_step",
                "confirmed_at",
                "created_at",
                "last_used_at",
                "code_digest",
                "code_expires_at",
                // The number of an SMS factor: where codes go, not a secret (as the email
                // address is not).
                "phone",
            ],
        ),
        (
            "mfa_backup_codes",
            &["id", "user_id", "digest", "factor_id", "used_at"],
        ),
        (
            "mfa_challenges",
            &[
                "hash",
                "user_id",
                "verified",
                "remember_me",
                "ip",
                "user_agent",
                "created_at",
                "expires_at",
                "attempts",
                "lock_bypass",
                "code_digest",
                "code_expires_at",
            ],
        ),
        (
            "mfa_remembered_devices",
            &[
                "id",
                "hash",
                "user_id",
                "user_agent",
                "ip",
                "created_at",
                "expires_at",
                "last_used_at",
            ],
        ),
    ];
    for (table, want) in expected {
        assert_eq!(columns(&db, table).await, want, "the columns of {table}");
    }

    let secrets: Vec<Option<Vec<u8>>> = db
        .query(
            "SELECT secret FROM mfa_factors WHERE user_id::text = $1",
            &[&user.id.to_string()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let sealed = factor.secret.as_ref().map(|s| s.as_bytes().to_vec());
    assert_eq!(secrets, vec![sealed]);
    assert_eq!(
        texts(
            &db,
            "SELECT digest FROM mfa_backup_codes WHERE user_id::text = $1",
            &user
        )
        .await,
        sorted(&codes)
    );
    assert_eq!(
        texts(
            &db,
            "SELECT hash || ' ' || verified FROM mfa_challenges WHERE user_id::text = $1",
            &user
        )
        .await,
        vec![format!(
            "{} {}",
            challenge.hash.as_str(),
            user.password_hash.as_str()
        )]
    );
    assert_eq!(
        texts(
            &db,
            "SELECT hash FROM mfa_remembered_devices WHERE user_id::text = $1",
            &user
        )
        .await,
        vec![device.hash.as_str().to_owned()]
    );
}

/// Housekeeping: a new challenge clears out the user's dead ones (expired, or with all
/// [`MfaChallenge::MAX_ATTEMPTS`] attempts taken), a new remembered device the user's expired
/// ones; the live ones and other users' stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn new_challenges_and_devices_clear_out_the_users_dead_ones() {
    use authd_domain::mfa::MfaChallenge;
    use chrono::Duration;

    let (s, db) = database().await;
    let (user, _) = enrolled(&s).await;
    let (other, _) = enrolled(&s).await;
    let expired = fixtures::mfa_challenge(&user, t0_plus(0));
    let failed = fixtures::mfa_challenge(&user, t0_plus(400));
    let live = fixtures::mfa_challenge(&user, t0_plus(400));
    let others = fixtures::mfa_challenge(&other, t0_plus(0));
    for c in [&expired, &failed, &live, &others] {
        s.mfa.create_challenge(c).await.unwrap();
    }
    for _ in 0..MfaChallenge::MAX_ATTEMPTS {
        let taken = s.mfa.take_attempt(&failed.hash, t0_plus(410)).await;
        assert!(taken.unwrap().is_some());
    }
    let newest = fixtures::mfa_challenge(&user, t0_plus(500));
    s.mfa.create_challenge(&newest).await.unwrap();
    assert_eq!(
        texts(
            &db,
            "SELECT hash FROM mfa_challenges WHERE user_id::text = $1",
            &user
        )
        .await,
        sorted(&[live.hash.clone(), newest.hash.clone()])
    );
    assert!(s.mfa.find_challenge(&others.hash).await.unwrap().is_some());

    let gone = fixtures::remembered_device(user.id, t0_plus(0), Duration::seconds(10));
    let kept = fixtures::remembered_device(user.id, t0_plus(0), Duration::days(30));
    let others = fixtures::remembered_device(other.id, t0_plus(0), Duration::seconds(10));
    for (d, owner) in [(&gone, &user), (&kept, &user), (&others, &other)] {
        let stored = s.mfa.remember_device(d, &owner.password_hash).await;
        assert!(stored.unwrap());
    }
    let newest = fixtures::remembered_device(user.id, t0_plus(60), Duration::days(30));
    let stored = s.mfa.remember_device(&newest, &user.password_hash).await;
    assert!(stored.unwrap());
    assert_eq!(
        texts(
            &db,
            "SELECT hash FROM mfa_remembered_devices WHERE user_id::text = $1",
            &user
        )
        .await,
        sorted(&[kept.hash.clone(), newest.hash.clone()])
    );
    assert_eq!(
        texts(
            &db,
            "SELECT hash FROM mfa_remembered_devices WHERE user_id::text = $1",
            &other
        )
        .await,
        vec![others.hash.as_str().to_owned()]
    );
}
