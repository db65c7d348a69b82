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
