//! The look-alike key of usernames in PostgreSQL: the SQL function that filled the column of
//! existing accounts computes the key the domain writes for new ones, and the migration refuses
//! a database whose accounts already have look-alike names.

use super::{connect, migrated_database};
use authd_domain::ports::CreateUserError;
use authd_domain::values::{Username, UsernameSkeleton};
use authd_postgres::{PgError, pending_migrations, run_migrations};
use authd_testkit::postgres::server;
use authd_testkit::{StorageUnderTest, fixtures};
use std::sync::Arc;
use tokio_postgres::{Client, NoTls};

const DOWN: &str =
    include_str!("../../../../migrations/2025-01-01-000007_username_skeleton/down.sql");

async fn client(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connecting to the test database");
    tokio::spawn(connection);
    client
}

/// The keys of `names`, as the migration's SQL function computes them.
async fn sql_keys(db: &Client, names: &[String]) -> Vec<String> {
    db.query(
        "SELECT authd_username_skeleton(n) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) \
         ORDER BY i",
        &[&names],
    )
    .await
    .expect("calling authd_username_skeleton")
    .iter()
    .map(|row| row.get(0))
    .collect()
}

fn rust_keys(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| UsernameSkeleton::of(n).as_str().to_owned())
        .collect()
}

fn allowed() -> Vec<char> {
    (0..128u8)
        .map(char::from)
        .filter(|c| Username::allows(*c))
        .collect()
}

/// `count` names of 3 to 50 allowed characters, the same on every run (xorshift from a seed).
fn random_names(count: usize) -> Vec<String> {
    let alphabet = allowed();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % bound as u64).unwrap()
    };
    (0..count)
        .map(|_| {
            let len = 3 + next(48);
            (0..len).map(|_| alphabet[next(alphabet.len())]).collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sql_key_of_existing_accounts_is_the_domains_key() {
    let db = client(&migrated_database(server().await).await).await;

    let singles: Vec<String> = allowed().iter().map(char::to_string).collect();
    assert_eq!(
        sql_keys(&db, &singles).await,
        rust_keys(&singles),
        "per character"
    );

    let mut names = random_names(5_000);
    names.extend(
        [
            "alice",
            "aIice",
            "ALlCE",
            "a1ice",
            "MOM",
            "rnorn",
            "Zer0_C00l",
            "BoB_99",
        ]
        .map(String::from),
    );
    assert_eq!(sql_keys(&db, &names).await, rust_keys(&names), "per name");
}

async fn insert_account(db: &Client, username: &str) {
    db.execute(
        "INSERT INTO users (id, email, username, password_hash, created_at, updated_at) \
         VALUES (gen_random_uuid(), $1 || '@example.com', $1, 'x', now(), now())",
        &[&username],
    )
    .await
    .expect("inserting an account as an older authd did");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_migration_refuses_look_alike_accounts_until_one_is_renamed() {
    let url = server().await.fresh_database(None).await;
    run_migrations(&url).await.expect("first run");
    let db = client(&url).await;
    // Back to the schema before the look-alike key, as a database upgraded from it is.
    db.batch_execute(DOWN)
        .await
        .expect("reverting the migration");
    db.execute(
        "DELETE FROM __diesel_schema_migrations WHERE version LIKE '%000007'",
        &[],
    )
    .await
    .unwrap();
    for name in ["bob_smith", "B0B_SMITH", "carol", "Car0l_not_alike"] {
        insert_account(&db, name).await;
    }

    let message = match run_migrations(&url).await {
        Err(PgError::Migration(message)) => message,
        other => panic!("the migration must refuse look-alikes, got {other:?}"),
    };
    assert!(message.contains("2 accounts in 1 groups"), "{message}");
    assert!(message.contains("look alike"), "{message}");
    assert!(
        !message.contains("B0B_SMITH"),
        "no username in the message: {message}"
    );
    assert_eq!(
        pending_migrations(&url).await.unwrap().len(),
        1,
        "rolled back"
    );

    db.execute(
        "UPDATE users SET username = 'bobby_s' WHERE username = 'B0B_SMITH'",
        &[],
    )
    .await
    .unwrap();
    run_migrations(&url)
        .await
        .expect("the migration after the rename");

    // The keys the migration wrote hold off look-alikes of the older accounts.
    let s = StorageUnderTest::from_store(Arc::new(connect(url).await));
    let lookalike = fixtures::user_with("someone@example.com", "BOB_SMlTH");
    let result = s
        .users
        .create(&lookalike, &fixtures::verify_mail(&lookalike))
        .await;
    assert!(
        matches!(result, Err(CreateUserError::UsernameTaken)),
        "{result:?}"
    );
    let distinct = fixtures::user_with("another@example.com", "bob_smithy");
    s.users
        .create(&distinct, &fixtures::verify_mail(&distinct))
        .await
        .expect("a name that only resembles one is free");
}
