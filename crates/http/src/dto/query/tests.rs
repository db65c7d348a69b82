use super::*;

/// The `(field, code)` of every detail of a refused query; empty when it was accepted.
fn refused<T>(result: Result<T, ApiError>) -> Vec<(String, &'static str)> {
    match result {
        Ok(_) => Vec::new(),
        Err(ApiError::Validation(details)) => {
            details.into_iter().map(|d| (d.field, d.code)).collect()
        }
        Err(other) => panic!("not a validation error: {other:?}"),
    }
}

fn one(field: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(field.to_owned(), code)]
}

#[test]
fn an_empty_query_is_the_first_page_of_twenty_newest_first() {
    let q = users("").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(q, UserQuery::default());
    assert_eq!((q.page.page(), q.page.limit()), (1, 20));
    assert_eq!(q.sort, UserSort::NewestFirst);
}

#[test]
fn every_user_filter_is_read() {
    let q = users(
        "page=3&limit=100&status=suspended&search=%20John+Doe%20&role=moderator&sort=-lastLogin",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((q.page.page(), q.page.limit()), (3, 100));
    assert_eq!(q.status, Some(AccountStatus::Suspended));
    assert_eq!(q.search.as_ref().map(SearchTerm::as_str), Some("john doe"));
    assert_eq!(q.role.as_ref().map(RoleName::as_str), Some("moderator"));
    assert_eq!(q.sort, UserSort::LastLoginDesc);
}

#[test]
fn every_sort_the_domain_knows_is_accepted() {
    for sort in UserSort::ALL {
        let raw = format!("sort={}", sort.as_str().replace('+', "%2B"));
        let q = users(&raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
        assert_eq!(q.sort, sort);
    }
}

#[test]
fn parameters_a_listing_does_not_know_are_ignored() {
    assert!(users("_=1701426600&utm_source=x&Page=abc").is_ok());
    assert!(page("status=nonsense").is_ok());
}

/// Garbage in each parameter of the user list: one detail, named as in the query.
#[test]
fn garbage_in_a_user_list_parameter_is_a_detail_on_that_parameter() {
    let long = "a".repeat(101);
    let cases: Vec<(String, &str, &'static str)> = vec![
        ("page=abc".into(), "page", INVALID_FORMAT),
        ("page=".into(), "page", INVALID_FORMAT),
        ("page=1.5".into(), "page", INVALID_FORMAT),
        ("page=1e9".into(), "page", INVALID_FORMAT),
        ("page=+1".into(), "page", INVALID_FORMAT),
        ("page=0x10".into(), "page", INVALID_FORMAT),
        ("page=%EF%BC%91".into(), "page", INVALID_FORMAT),
        ("page=0".into(), "page", OUT_OF_RANGE),
        ("page=-1".into(), "page", OUT_OF_RANGE),
        ("page=100001".into(), "page", OUT_OF_RANGE),
        ("page=99999999999999999999999".into(), "page", OUT_OF_RANGE),
        ("limit=0".into(), "limit", OUT_OF_RANGE),
        ("limit=101".into(), "limit", OUT_OF_RANGE),
        ("limit=-1".into(), "limit", OUT_OF_RANGE),
        ("limit=1000000000".into(), "limit", OUT_OF_RANGE),
        ("limit=ten".into(), "limit", INVALID_FORMAT),
        ("status=banned".into(), "status", INVALID_VALUE),
        ("status=Active".into(), "status", INVALID_VALUE),
        ("status=".into(), "status", INVALID_VALUE),
        ("sort=age".into(), "sort", INVALID_VALUE),
        ("sort=%2BcreatedAt".into(), "sort", INVALID_VALUE),
        (format!("search={long}"), "search", TOO_LONG),
        ("search=".into(), "search", INVALID_FORMAT),
        ("search=+++".into(), "search", INVALID_FORMAT),
        ("search=a%00b".into(), "search", INVALID_FORMAT),
        ("role=1admin".into(), "role", INVALID_FORMAT),
        ("role=ad+min".into(), "role", INVALID_FORMAT),
        ("role=".into(), "role", INVALID_FORMAT),
        (format!("role=a{}", "b".repeat(64)), "role", INVALID_FORMAT),
        ("page=1&page=2".into(), "page", DUPLICATE),
        ("status=active&status=active".into(), "status", DUPLICATE),
        ("search=%FF".into(), "search", INVALID_ENCODING),
        ("search=%C3%28".into(), "search", INVALID_ENCODING),
        ("search=%".into(), "search", INVALID_ENCODING),
        ("search=%4".into(), "search", INVALID_ENCODING),
        ("search=%zz".into(), "search", INVALID_ENCODING),
        ("li%6Dit=0".into(), "limit", OUT_OF_RANGE),
    ];
    for (raw, field, code) in cases {
        assert_eq!(refused(users(&raw)), one(field, code), "{raw}");
    }
}

#[test]
fn a_search_of_exactly_one_hundred_characters_is_accepted() {
    let raw = format!("search={}", "é".repeat(100));
    assert!(users(&raw).is_ok());
}

/// Each bad parameter is reported, once, whatever else is wrong with it.
#[test]
fn every_bad_parameter_is_reported_once() {
    let got = refused(users(
        "page=0&limit=abc&status=x&sort=y&role=9&search=%FF&page=3&limit=5",
    ));
    let mut fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["limit", "page", "role", "search", "sort", "status"]
    );
    // A repeated, otherwise valid parameter is refused rather than one value picked.
    assert_eq!(
        refused(users("page=2&limit=5&page=2")),
        one("page", DUPLICATE)
    );
}

#[test]
fn the_audit_query_reads_every_filter() {
    let user = "123e4567-e89b-12d3-a456-426614174000";
    let raw = format!(
        "userId={user}&type=login_failed,account_locked,login_failed&from=2023-12-01T10:30:00Z\
         &to=2023-12-01T12:30:00%2B01:00&page=2&limit=50"
    );
    let q = audit_events(&raw).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(q.user_id.map(|u| u.to_string()).as_deref(), Some(user));
    assert_eq!(q.kinds, [AuditKind::LoginFailed, AuditKind::AccountLocked]);
    assert_eq!(q.from.map(|t| t.timestamp()), Some(1_701_426_600));
    assert_eq!(q.to.map(|t| t.timestamp()), Some(1_701_426_600 + 3600));
    assert_eq!((q.page.page(), q.page.limit()), (2, 50));
    assert_eq!(
        audit_events("").map(|q| q.kinds.is_empty()).ok(),
        Some(true)
    );
}

/// Garbage in each parameter of the audit trail: one detail, named as in the query.
#[test]
fn garbage_in_an_audit_parameter_is_a_detail_on_that_parameter() {
    let cases = [
        ("userId=42", "userId", INVALID_FORMAT),
        ("userId=", "userId", INVALID_FORMAT),
        (
            "userId=123e4567-e89b-12d3-a456-42661417400",
            "userId",
            INVALID_FORMAT,
        ),
        ("userId=%27%20OR%201=1--", "userId", INVALID_FORMAT),
        ("type=hacked", "type", INVALID_VALUE),
        ("type=login_failed,", "type", INVALID_VALUE),
        ("type=LOGIN_FAILED", "type", INVALID_VALUE),
        ("type=", "type", INVALID_VALUE),
        ("from=yesterday", "from", INVALID_FORMAT),
        ("from=2023-12-01", "from", INVALID_FORMAT),
        ("from=1701426600", "from", INVALID_FORMAT),
        ("to=2023-13-01T00:00:00Z", "to", INVALID_FORMAT),
        // An unencoded `+` is a space: not RFC 3339.
        ("to=2023-12-01T10:30:00+01:00", "to", INVALID_FORMAT),
        (
            "from=2023-12-02T00:00:00Z&to=2023-12-01T00:00:00Z",
            "from",
            INVALID_RANGE,
        ),
        ("page=0", "page", OUT_OF_RANGE),
        ("limit=101", "limit", OUT_OF_RANGE),
        ("type=login_failed&type=logout", "type", DUPLICATE),
        ("from=%E0%80%80", "from", INVALID_ENCODING),
    ];
    for (raw, field, code) in cases {
        assert_eq!(refused(audit_events(raw)), one(field, code), "{raw}");
    }
}

#[test]
fn an_empty_time_range_is_allowed() {
    let raw = "from=2023-12-01T00:00:00Z&to=2023-12-01T00:00:00Z";
    assert!(audit_events(raw).is_ok());
}

#[test]
fn the_activity_page_is_read_and_checked() {
    let p = page("page=4&limit=5").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((p.page(), p.limit()), (4, 5));
    assert_eq!(page("").ok(), Some(PageRequest::default()));
    assert_eq!(refused(page("limit=0")), one("limit", OUT_OF_RANGE));
    assert_eq!(refused(page("page=x")), one("page", INVALID_FORMAT));
}

#[test]
fn decoding_follows_form_encoding() {
    assert_eq!(decode("a+b%20c%2B").as_deref(), Some("a b c+"));
    assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
    assert_eq!(decode("%e2%82%ac").as_deref(), Some("€"));
    assert_eq!(decode("%FF"), None);
    assert_eq!(decode("%G0"), None);
    assert_eq!(decode("abc%"), None);
}
