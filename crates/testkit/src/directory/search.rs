//! Finding accounts: filters, the search term, every order and the pages.

use super::{found, fresh_role, insert, named, query, role, sorted};
use crate::StorageUnderTest;
use crate::fixtures::{self, t0_plus, unique};
use authd_domain::authorization::RoleName;
use authd_domain::directory::{PageRequest, UserQuery, UserSort};
use authd_domain::ids::UserId;
use authd_domain::user::{AccountStatus, User};
use uuid::Uuid;

/// `status` is matched exactly, `role` among the account's roles (exactly: not a role whose
/// name merely starts with it), both together; `total` counts every match.
pub async fn search_filters_by_status_and_role_and_counts_every_match(s: &StorageUnderTest) {
    let tag = unique();
    let guarded = fresh_role();
    let longer = role(&format!("{}x", guarded.as_str()));
    let user = role("user");
    let with = |prefix: &str, status, roles: Vec<_>| User {
        status,
        roles,
        ..named(prefix, &tag)
    };
    let pending = with("pa", AccountStatus::Pending, vec![user.clone()]);
    let holder = with(
        "pb",
        AccountStatus::Active,
        vec![user.clone(), guarded.clone()],
    );
    let plain = with("pc", AccountStatus::Active, vec![user.clone()]);
    let suspended = with("pd", AccountStatus::Suspended, vec![guarded.clone()]);
    let deleted = with("pe", AccountStatus::Deleted, vec![user.clone()]);
    let other_role = with("pf", AccountStatus::Active, vec![longer]);
    let untagged = User {
        status: AccountStatus::Active,
        roles: vec![guarded.clone()],
        ..fixtures::user()
    };
    for u in [
        &pending,
        &holder,
        &plain,
        &suspended,
        &deleted,
        &other_role,
        &untagged,
    ] {
        insert(s, u).await;
    }
    let by = |status: Option<AccountStatus>, role: Option<&RoleName>| UserQuery {
        status,
        role: role.cloned(),
        ..query(&tag, UserSort::default(), 1, 100)
    };
    let cases = [
        (
            by(None, None),
            vec![&pending, &holder, &plain, &suspended, &deleted, &other_role],
        ),
        (
            by(Some(AccountStatus::Active), None),
            vec![&holder, &plain, &other_role],
        ),
        (by(Some(AccountStatus::Pending), None), vec![&pending]),
        (by(Some(AccountStatus::Suspended), None), vec![&suspended]),
        (by(Some(AccountStatus::Deleted), None), vec![&deleted]),
        (by(None, Some(&guarded)), vec![&holder, &suspended]),
        (
            by(Some(AccountStatus::Active), Some(&guarded)),
            vec![&holder],
        ),
        (by(None, Some(&fresh_role())), vec![]),
    ];

    for (q, expected) in cases {
        let page = s.directory.search(&q).await.unwrap();
        let expected: Vec<UserId> = expected.iter().map(|u| u.id).collect();
        let ids = page.items.iter().map(|u| u.id).collect();
        assert_eq!(sorted(ids), sorted(expected.clone()), "{q:?}");
        assert_eq!(page.total, expected.len() as u64, "{q:?}");
    }
    let page = s.directory.search(&by(None, Some(&guarded))).await.unwrap();
    assert!(
        page.items.contains(&holder),
        "accounts are listed whole, as stored: {page:?}"
    );
}

/// The term is a case-insensitive substring of the email or of the username: a part of the
/// address, the whole address in other case, a username alone, a piece from the middle.
pub async fn search_finds_a_substring_of_the_email_or_the_username_in_any_case(
    s: &StorageUnderTest,
) {
    let tag = unique();
    let shouting = fixtures::user_with(&format!("Shout{tag}@EXAMPLE.COM"), &format!("quiet{tag}"));
    let loud = fixtures::user_with(&format!("b{tag}@example.com"), &format!("Loud_{tag}"));
    insert(s, &shouting).await;
    insert(s, &loud).await;
    let search = |term: String| async move {
        let page = s
            .directory
            .search(&query(&term, UserSort::OldestFirst, 1, 100))
            .await
            .unwrap();
        assert_eq!(page.total, page.items.len() as u64, "{term}");
        sorted(page.items.iter().map(|u| u.id).collect())
    };

    assert_eq!(search(format!("shout{tag}")).await, vec![shouting.id]);
    assert_eq!(
        search(format!("SHOUT{tag}@example.com")).await,
        vec![shouting.id]
    );
    assert_eq!(search(format!("LOUD_{tag}")).await, vec![loud.id]);
    assert_eq!(
        search(tag[3..].to_owned()).await,
        sorted(vec![shouting.id, loud.id])
    );
    assert_eq!(
        search(tag[2..10].to_uppercase()).await,
        sorted(vec![shouting.id, loud.id]),
        "a piece from the middle, in upper case"
    );
    assert_eq!(search(format!("nothing{tag}")).await, vec![]);
}

/// `%`, `_` and `\` in a term are plain characters, never patterns or escapes.
pub async fn search_takes_percent_underscore_and_backslash_literally(s: &StorageUnderTest) {
    let tag = unique();
    let underscore = fixtures::user_with(&format!("a{tag}@example.com"), &format!("kx_{tag}"));
    let any_char = fixtures::user_with(&format!("b{tag}@example.com"), &format!("kxy{tag}"));
    let percent = fixtures::user_with(&format!("p%{tag}@example.com"), &format!("c{tag}"));
    let anything = fixtures::user_with(&format!("pzz{tag}@example.com"), &format!("d{tag}"));
    for u in [&underscore, &any_char, &percent, &anything] {
        insert(s, u).await;
    }
    let search = |term: String| async move {
        let q = query(&term, UserSort::OldestFirst, 1, 100);
        let page = s
            .directory
            .search(&q)
            .await
            .unwrap_or_else(|e| panic!("searching {term:?}: {e}"));
        assert_eq!(page.total, page.items.len() as u64, "{term}");
        sorted(page.items.iter().map(|u| u.id).collect())
    };

    assert_eq!(search(format!("x_{tag}")).await, vec![underscore.id]);
    assert_eq!(search(format!("_{tag}")).await, vec![underscore.id]);
    assert_eq!(search(format!("p%{tag}")).await, vec![percent.id]);
    assert_eq!(search(format!("%{tag}")).await, vec![percent.id]);
    assert_eq!(
        search(format!("\\{tag}")).await,
        vec![],
        "no account holds `\\`"
    );
    assert_eq!(search(format!("{tag}\\")).await, vec![]);
    assert_eq!(search(format!("{tag}\\%")).await, vec![]);
}

/// Five accounts whose creation times, addresses, names and last logins order them five ways,
/// with ties on creation and on the last login, and ids in a known order.
struct SortFixture {
    tag: String,
    p: UserId,
    q: UserId,
    r: UserId,
    s: UserId,
    u: UserId,
}

async fn sort_fixture(s: &StorageUnderTest) -> SortFixture {
    let tag = unique();
    // Consecutive ids, random above the last byte: id(0) < id(1) < ... as the adapters compare.
    let base = Uuid::new_v4().as_u128() & !0xff;
    let id = |n: u128| UserId::from_uuid(Uuid::from_u128(base + n));
    // (id, email's first letter, username's first letter, created, last login)
    let rows = [
        (id(1), "c", "b", 10, Some(100)),
        (id(3), "a", "E", 20, None),
        (id(0), "E", "a", 20, Some(100)),
        (id(4), "b", "d", 5, None),
        (id(2), "d", "c", 20, Some(50)),
    ];
    for (id, email, username, created, last_login) in rows {
        let user = User {
            id,
            last_login: last_login.map(t0_plus),
            created_at: t0_plus(created),
            updated_at: t0_plus(created),
            ..fixtures::user_with(
                &format!("{email}{tag}@example.com"),
                &format!("{username}{tag}"),
            )
        };
        insert(s, &user).await;
    }
    SortFixture {
        tag,
        p: rows[0].0,
        q: rows[1].0,
        r: rows[2].0,
        s: rows[3].0,
        u: rows[4].0,
    }
}

/// Each order as documented (see the module documentation): the keys, case ignored, accounts
/// that never logged in, and ties by id in the order's direction; read whole or two at a time,
/// the listing is the same.
pub async fn every_sort_orders_as_documented_with_ties_by_id(s: &StorageUnderTest) {
    let f = sort_fixture(s).await;
    let (p, q, r, s_, u) = (f.p, f.q, f.r, f.s, f.u);
    let expected = [
        (UserSort::NewestFirst, [q, u, r, p, s_]),
        (UserSort::OldestFirst, [s_, p, r, u, q]),
        (UserSort::EmailAsc, [q, s_, p, u, r]),
        (UserSort::EmailDesc, [r, u, p, s_, q]),
        (UserSort::UsernameAsc, [r, p, u, s_, q]),
        (UserSort::UsernameDesc, [q, s_, u, p, r]),
        (UserSort::LastLoginDesc, [p, r, u, s_, q]),
        (UserSort::LastLoginAsc, [q, s_, u, r, p]),
    ];
    assert_eq!(
        expected.len(),
        UserSort::ALL.len(),
        "a new order needs a case"
    );

    for (sort, order) in expected {
        let whole = found(s, &query(&f.tag, sort, 1, 100)).await;
        assert_eq!(whole, order, "{}", sort.as_str());
        let mut paged = Vec::new();
        for page in 1..=3 {
            paged.extend(found(s, &query(&f.tag, sort, page, 2)).await);
        }
        assert_eq!(paged, order, "{} two at a time", sort.as_str());
    }
}

/// `limit` per page, `(page - 1) * limit` skipped, the last page short, a page past the end
/// empty; the total is the whole listing's every time, and the page asked for comes back.
pub async fn pages_split_a_listing_without_overlap_and_count_the_whole(s: &StorageUnderTest) {
    let tag = unique();
    let mut ids = Vec::new();
    for prefix in ["a", "b", "c", "d", "e"] {
        let user = named(prefix, &tag);
        insert(s, &user).await;
        ids.push(user.id);
    }
    let cases: [(u32, u32, &[UserId]); 7] = [
        (1, 2, &ids[0..2]),
        (2, 2, &ids[2..4]),
        (3, 2, &ids[4..5]),
        (4, 2, &[]),
        (2, 3, &ids[3..5]),
        (1, 5, &ids[..]),
        (1, 100, &ids[..]),
    ];

    for (page, limit, expected) in cases {
        let q = query(&tag, UserSort::EmailAsc, page, limit);
        let listed = s.directory.search(&q).await.unwrap();
        let got: Vec<UserId> = listed.items.iter().map(|u| u.id).collect();
        assert_eq!(got, expected, "page {page} of {limit}");
        assert_eq!(listed.total, 5, "page {page} of {limit}");
        assert_eq!(listed.request, q.page);
        assert_eq!(listed.pages(), u64::from(5_u32.div_ceil(limit)));
    }
    let far = UserQuery {
        page: PageRequest::new(Some(PageRequest::MAX_PAGE), Some(PageRequest::MAX_LIMIT))
            .unwrap_or_else(|e| panic!("{e}")),
        ..query(&tag, UserSort::NewestFirst, 1, 1)
    };
    let listed = s.directory.search(&far).await.unwrap();
    assert_eq!((listed.items.len(), listed.total), (0, 5), "the last page");
}
