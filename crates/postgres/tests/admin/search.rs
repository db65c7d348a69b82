//! `UserDirectory::search`: filters, every order with ties by id, pages, the search term.

use super::common::{Db, db, insert, role};
use authd_domain::directory::{PageRequest, SearchTerm, UserQuery, UserSort};
use authd_domain::ids::UserId;
use authd_domain::ports::UserDirectory;
use authd_domain::user::{AccountStatus, User};
use authd_testkit::fixtures::{self, t0_plus};

fn account(email: &str, username: &str, created: i64, last_login: Option<i64>) -> User {
    let mut u = fixtures::user_with(email, username);
    u.status = AccountStatus::Active;
    u.created_at = t0_plus(created);
    u.updated_at = u.created_at;
    u.last_login = last_login.map(t0_plus);
    u
}

async fn ids(db: &Db, query: UserQuery) -> Vec<UserId> {
    let page = db.store.search(&query).await.unwrap();
    page.items.iter().map(|u| u.id).collect()
}

fn sorted_by(sort: UserSort) -> UserQuery {
    UserQuery {
        sort,
        ..UserQuery::default()
    }
}

fn searching(term: &str) -> UserQuery {
    UserQuery {
        search: Some(SearchTerm::parse(term).unwrap()),
        sort: UserSort::UsernameAsc,
        ..UserQuery::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_breaks_ties_by_id_and_matches_the_listing_spelled_in_the_api() {
    let db = db().await;
    // Two accounts created at the same instant and never logged in: only the id orders them.
    let mut users = vec![
        account("Bob@example.com", "bob", 10, Some(100)),
        account("alice@example.com", "Alice", 20, None),
        account("carol@example.com", "carol", 20, Some(50)),
        account("dave@example.com", "dave", 30, None),
    ];
    for u in &users {
        insert(&db, u).await;
    }
    let by = |f: &dyn Fn(&User, &User) -> std::cmp::Ordering, users: &mut Vec<User>| {
        users.sort_by(|a, b| f(a, b));
        users.iter().map(|u| u.id).collect::<Vec<_>>()
    };
    let newest = by(
        &|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)),
        &mut users,
    );
    assert_eq!(ids(&db, sorted_by(UserSort::NewestFirst)).await, newest);
    let oldest: Vec<_> = newest.iter().rev().copied().collect();
    assert_eq!(ids(&db, sorted_by(UserSort::OldestFirst)).await, oldest);

    // Case-insensitively: `Alice` before `bob` before `carol`.
    let key = |u: &User| u.username.as_str().to_lowercase();
    let by_name = by(&|a, b| key(a).cmp(&key(b)), &mut users);
    assert_eq!(ids(&db, sorted_by(UserSort::UsernameAsc)).await, by_name);
    let rev: Vec<_> = by_name.iter().rev().copied().collect();
    assert_eq!(ids(&db, sorted_by(UserSort::UsernameDesc)).await, rev);
    let mail = |u: &User| u.email.as_str().to_lowercase();
    let by_mail = by(&|a, b| mail(a).cmp(&mail(b)), &mut users);
    assert_eq!(ids(&db, sorted_by(UserSort::EmailAsc)).await, by_mail);
    let rev: Vec<_> = by_mail.iter().rev().copied().collect();
    assert_eq!(ids(&db, sorted_by(UserSort::EmailDesc)).await, rev);

    // Most recent login first, never-logged-in last (ties by id, descending).
    let desc = by(
        &|a, b| match (a.last_login, b.last_login) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.id.cmp(&a.id),
        },
        &mut users,
    );
    assert_eq!(ids(&db, sorted_by(UserSort::LastLoginDesc)).await, desc);
    let asc: Vec<_> = desc.iter().rev().copied().collect();
    assert_eq!(ids(&db, sorted_by(UserSort::LastLoginAsc)).await, asc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_split_the_listing_without_overlap_and_count_it_all() {
    let db = db().await;
    let mut all = Vec::new();
    for i in 0..7 {
        // All at one instant: pages hold together by the id alone.
        let u = account(&format!("p{i}@example.com"), &format!("p{i}"), 0, None);
        insert(&db, &u).await;
        all.push(u.id);
    }
    all.sort_unstable_by(|a, b| b.cmp(a));
    let mut seen = Vec::new();
    for page in 1..=4 {
        let query = UserQuery {
            page: PageRequest::new(Some(page), Some(3)).unwrap(),
            ..UserQuery::default()
        };
        let found = db.store.search(&query).await.unwrap();
        assert_eq!(found.total, 7, "page {page}");
        assert_eq!(found.pages(), 3);
        assert_eq!(found.request, query.page);
        seen.extend(found.items.iter().map(|u| u.id));
    }
    assert_eq!(seen, all, "pages 1-3 hold every account once, page 4 none");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_role_filter_and_combine_with_the_search() {
    let db = db().await;
    let mut moderator = account("mod@example.com", "mia_mod", 0, None);
    moderator.roles = vec![role("user"), role("moderator")];
    let mut suspended = account("sus@example.com", "mia_sus", 1, None);
    suspended.status = AccountStatus::Suspended;
    let plain = account("plain@example.com", "mia_plain", 2, None);
    for u in [&moderator, &suspended, &plain] {
        insert(&db, u).await;
    }
    let q = |status, role_name: Option<&str>, term: Option<&str>| UserQuery {
        status,
        role: role_name.map(role),
        search: term.map(|t| SearchTerm::parse(t).unwrap()),
        ..UserQuery::default()
    };
    assert_eq!(
        ids(&db, q(Some(AccountStatus::Suspended), None, None)).await,
        vec![suspended.id]
    );
    assert_eq!(
        ids(&db, q(None, Some("moderator"), None)).await,
        vec![moderator.id]
    );
    assert_eq!(
        ids(
            &db,
            q(Some(AccountStatus::Active), Some("user"), Some("MIA"))
        )
        .await,
        vec![plain.id, moderator.id]
    );
    assert!(ids(&db, q(None, Some("admin"), None)).await.is_empty());
    let none = db
        .store
        .search(&q(None, Some("moderator"), Some("plain")))
        .await
        .unwrap();
    assert_eq!((none.items.len(), none.total), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_is_a_case_insensitive_substring_of_the_email_or_the_username() {
    let db = db().await;
    let by_email = account("Jane.Doe@Example.COM", "jd01", 0, None);
    let by_name = account("x@other.test", "HappyJane", 1, None);
    let neither = account("y@other.test", "jan_e", 2, None);
    for u in [&by_email, &by_name, &neither] {
        insert(&db, u).await;
    }
    let mut both = vec![by_email.id, by_name.id];
    both.sort_unstable();
    let mut found = ids(&db, searching("JANE")).await;
    found.sort_unstable();
    assert_eq!(found, both);
    assert_eq!(ids(&db, searching("doe@exa")).await, vec![by_email.id]);
    assert_eq!(ids(&db, searching("pyja")).await, vec![by_name.id]);
    assert!(
        ids(&db, searching("jane.doe@example.com."))
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn like_wildcards_and_backslashes_in_a_search_are_plain_characters() {
    let db = db().await;
    let underscore = account("u@example.com", "ann_lee", 0, None);
    let letter = account("l@example.com", "annxlee", 1, None);
    let percent = account("50%off@example.com", "deals", 2, None);
    let fifty = account("50xoff@example.com", "deals2", 3, None);
    let backslash = account(r"back\slash@example.com", "bs", 4, None);
    let plain = account("backxslash@example.com", "bs2", 5, None);
    for u in [&underscore, &letter, &percent, &fifty, &backslash, &plain] {
        insert(&db, u).await;
    }
    assert_eq!(ids(&db, searching("n_l")).await, vec![underscore.id]);
    assert_eq!(ids(&db, searching("0%o")).await, vec![percent.id]);
    assert_eq!(ids(&db, searching(r"k\s")).await, vec![backslash.id]);
    assert!(ids(&db, searching("%")).await.len() == 1);
    assert!(ids(&db, searching("_")).await.len() == 1);
}

/// pg_trgm is a trusted extension: the owner of the database creates it, no superuser needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migrations_run_as_a_database_owner_who_is_not_a_superuser() {
    let pg = authd_testkit::postgres::server().await;
    let name = format!("owned_{}", fixtures::unique());
    let (client, connection) = tokio_postgres::connect(&pg.admin_url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    for sql in [
        format!("CREATE ROLE {name} LOGIN NOSUPERUSER"),
        format!("CREATE DATABASE {name} OWNER {name}"),
    ] {
        client.batch_execute(&sql).await.unwrap();
    }
    let url = pg.url(&name).replace("postgres@", &format!("{name}@"));
    authd_postgres::run_migrations(&url).await.unwrap();
    let (owned, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let owner: String = owned
        .query_one(
            "SELECT extowner::regrole::text FROM pg_extension WHERE extname = 'pg_trgm'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner, name, "pg_trgm was created by the owner");
}
