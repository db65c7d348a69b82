use super::*;

#[test]
fn page_arithmetic_follows_seed_section_15() {
    let request = PageRequest::new(Some(2), Some(20)).unwrap_or_default();
    assert_eq!(request.offset(), 20);
    let page = Page {
        items: vec![0u8; 20],
        request,
        total: 150,
    };
    assert_eq!(page.pages(), 8);
    let empty: Page<u8> = Page {
        items: vec![],
        request: PageRequest::default(),
        total: 0,
    };
    assert_eq!(empty.pages(), 0);
}

#[test]
fn out_of_range_pages_and_limits_are_refused() {
    assert_eq!(PageRequest::new(Some(0), None), Err(PageError::Page));
    assert_eq!(PageRequest::new(None, Some(0)), Err(PageError::Limit));
    assert_eq!(PageRequest::new(None, Some(101)), Err(PageError::Limit));
    assert_eq!(
        PageRequest::new(Some(PageRequest::MAX_PAGE + 1), None),
        Err(PageError::Page)
    );
    assert_eq!(PageRequest::new(None, None), Ok(PageRequest::default()));
}

#[test]
fn search_terms_are_trimmed_lowercased_and_bounded() {
    assert_eq!(
        SearchTerm::parse("  John ").map(|t| t.as_str().to_owned()),
        Ok("john".to_owned())
    );
    assert!(SearchTerm::parse("   ").is_err());
    assert!(SearchTerm::parse(&"x".repeat(101)).is_err());
    assert!(SearchTerm::parse("a\u{0}b").is_err());
}

#[test]
fn sort_names_read_back() {
    for sort in UserSort::ALL {
        assert_eq!(UserSort::parse(sort.as_str()), Some(sort));
    }
    assert_eq!(UserSort::parse("password"), None);
}

fn role(s: &str) -> RoleName {
    RoleName::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn only_an_active_holder_of_a_guarded_role_counts_as_a_full_admin() {
    let guard = LastAdminGuard {
        roles: vec![role("admin"), role("root")],
    };
    assert!(guard.counts(AccountStatus::Active, &[role("user"), role("root")]));
    assert!(guard.counts(AccountStatus::Active, &[role("admin")]));
    assert!(!guard.counts(AccountStatus::Active, &[role("user"), role("moderator")]));
    assert!(!guard.counts(AccountStatus::Active, &[]));
    // Roles are compared exactly.
    assert!(!guard.counts(AccountStatus::Active, &[role("Admin")]));
    for status in [
        AccountStatus::Pending,
        AccountStatus::Suspended,
        AccountStatus::Deleted,
    ] {
        assert!(!guard.counts(status, &[role("admin")]), "{status:?}");
    }
    assert!(!LastAdminGuard::default().counts(AccountStatus::Active, &[role("admin")]));
}

#[test]
fn a_change_that_names_nothing_is_empty() {
    assert!(AccountChange::default().is_empty());
    let verified = AccountChange {
        email_verified: Some(true),
        ..AccountChange::default()
    };
    assert!(!verified.is_empty());
}

#[test]
fn mapping_a_page_keeps_its_arithmetic() {
    let page = Page {
        items: vec![1u8, 2],
        request: PageRequest::new(Some(3), Some(2)).unwrap_or_default(),
        total: 5,
    };
    let mapped = page.map(|n| n * 10);
    assert_eq!(mapped.items, [10, 20]);
    assert_eq!(
        (mapped.request.page(), mapped.total, mapped.pages()),
        (3, 5, 3)
    );
}
