use authd_crypto::{BcryptConfig, BcryptHasher, HasherConfigError};
use authd_domain::ports::{PasswordCheck, PasswordHasher};
use authd_domain::values::{Password, PasswordHash};
use secrecy::SecretString;

fn password(s: &str) -> Password {
    Password::parse(s.to_owned(), "password").unwrap()
}

fn hasher(cost: u32) -> BcryptHasher {
    BcryptHasher::new(BcryptConfig {
        cost,
        workers: 2,
        queue_max: 16,
        pepper: None,
    })
    .unwrap()
}

const MATCH: PasswordCheck = PasswordCheck::Match {
    needs_rehash: false,
};

#[tokio::test]
async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
    let h = hasher(4);
    let hash = h.hash(&password("Correct-Horse-9")).await.unwrap();
    assert!(hash.as_str().starts_with("$2b$04$"));
    assert_eq!(
        h.verify(&password("Correct-Horse-9"), &hash).await.unwrap(),
        MATCH
    );
    assert_eq!(
        h.verify(&password("Correct-Horse-8"), &hash).await.unwrap(),
        PasswordCheck::Mismatch
    );
}

#[tokio::test]
async fn the_same_password_hashes_differently_each_time() {
    let h = hasher(4);
    let a = h.hash(&password("same password")).await.unwrap();
    let b = h.hash(&password("same password")).await.unwrap();
    assert_ne!(a, b);
}

#[tokio::test]
async fn long_passwords_that_differ_only_after_byte_72_are_told_apart() {
    let h = hasher(4);
    let prefix = "p".repeat(72);
    let original = password(&format!("{prefix}-original"));
    let hash = h.hash(&original).await.unwrap();
    assert_eq!(h.verify(&original, &hash).await.unwrap(), MATCH);
    assert_eq!(
        h.verify(&password(&format!("{prefix}-different")), &hash)
            .await
            .unwrap(),
        PasswordCheck::Mismatch
    );
    assert_eq!(
        h.verify(&password(&prefix), &hash).await.unwrap(),
        PasswordCheck::Mismatch
    );
}

#[tokio::test]
async fn a_long_password_hashed_with_a_pepper_needs_that_pepper_to_verify() {
    let peppered = |pepper: &str| {
        BcryptHasher::new(BcryptConfig {
            cost: 4,
            workers: 1,
            queue_max: 4,
            pepper: Some(SecretString::from(pepper.to_owned())),
        })
        .unwrap()
    };
    let long = password(&"L".repeat(100));
    let hash = peppered("pepper one").hash(&long).await.unwrap();
    assert_eq!(
        peppered("pepper one").verify(&long, &hash).await.unwrap(),
        MATCH
    );
    assert_eq!(
        peppered("pepper two").verify(&long, &hash).await.unwrap(),
        PasswordCheck::Mismatch
    );
}

#[tokio::test]
async fn a_hash_weaker_than_the_configured_cost_needs_a_rehash() {
    let old = hasher(4).hash(&password("upgrade me")).await.unwrap();
    let stronger = hasher(5);
    assert_eq!(
        stronger
            .verify(&password("upgrade me"), &old)
            .await
            .unwrap(),
        PasswordCheck::Match { needs_rehash: true }
    );
    let current = stronger.hash(&password("upgrade me")).await.unwrap();
    assert_eq!(
        stronger
            .verify(&password("upgrade me"), &current)
            .await
            .unwrap(),
        MATCH
    );
}

#[tokio::test]
async fn a_wrong_password_against_a_weak_hash_is_just_a_mismatch() {
    let old = hasher(4).hash(&password("upgrade me")).await.unwrap();
    assert_eq!(
        hasher(5).verify(&password("not it"), &old).await.unwrap(),
        PasswordCheck::Mismatch
    );
}

#[tokio::test]
async fn a_corrupt_stored_hash_is_an_error_that_does_not_quote_it() {
    let corrupt = PasswordHash::from_trusted("$2b$04$not-a-real-hash".to_owned());
    let err = hasher(4)
        .verify(&password("x"), &corrupt)
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("not-a-real-hash"));
}

#[tokio::test]
async fn the_dummy_verification_succeeds_for_any_password() {
    let h = hasher(4);
    h.verify_dummy(&password("whatever")).await.unwrap();
    h.verify_dummy(&password(&"z".repeat(200))).await.unwrap();
}

#[test]
fn costs_outside_bcrypts_range_are_refused() {
    for cost in [3, 32] {
        let err = BcryptHasher::new(BcryptConfig {
            cost,
            ..BcryptConfig::default()
        })
        .unwrap_err();
        assert!(matches!(err, HasherConfigError::CostOutOfRange(c) if c == cost));
    }
}

#[test]
fn an_empty_queue_is_refused() {
    let err = BcryptHasher::new(BcryptConfig {
        queue_max: 0,
        ..BcryptConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, HasherConfigError::EmptyQueue));
}

#[test]
fn debug_output_shows_no_pepper() {
    let h = BcryptHasher::new(BcryptConfig {
        cost: 4,
        workers: 1,
        queue_max: 1,
        pepper: Some(SecretString::from("super-secret-pepper".to_owned())),
    })
    .unwrap();
    let shown = format!("{h:?}");
    assert!(!shown.contains("super-secret-pepper"));
    assert!(shown.contains("cost: 4"));
}
