use super::*;

fn served(vars: &[(&str, &str)]) -> bool {
    let config = parse(vars).unwrap();
    config.server.serves_builtin_pages(&config.api)
}

#[test]
fn by_default_the_links_point_at_authd_and_its_pages_are_served() {
    let config = parse(&[]).unwrap();
    assert_eq!(config.server.builtin_pages, BuiltinPages::Auto);
    assert!(served(&[]));
    // Derived from the bound port, as the links are.
    let config = parse(&[("PORT", "0")]).unwrap().with_bound_port(41234);
    assert!(config.server.serves_builtin_pages(&config.api));
    assert!(served(&[
        ("PUBLIC_URL", "https://auth.example.com/"),
        ("APP_BASE_URL", "https://Auth.Example.com"),
    ]));
}

#[test]
fn a_frontend_of_its_own_turns_them_off_unless_asked() {
    let frontend = ("APP_BASE_URL", "https://app.example.com");
    assert!(!served(&[frontend]));
    // Same origin, another path: a frontend under /app owns the links.
    assert!(!served(&[
        ("PUBLIC_URL", "https://example.com"),
        ("APP_BASE_URL", "https://example.com/app"),
    ]));
    assert!(!served(&[("BUILTIN_PAGES", "off")]));
    // Asked for behind another origin: no ALLOWED_ORIGINS needed, the pages' calls are
    // relative, same-origin wherever a proxy serves them.
    assert!(served(&[frontend, ("BUILTIN_PAGES", "ON")]));
}

#[test]
fn behind_a_path_prefix_auto_follows_whether_the_paths_match() {
    // authd under /auth of its origin, the links too: the pages are authd's.
    assert!(served(&[
        ("PUBLIC_URL", "https://example.com/auth"),
        ("APP_BASE_URL", "https://EXAMPLE.com/auth"),
    ]));
    // authd under /auth, the links under /app: a frontend there owns them.
    assert!(!served(&[
        ("PUBLIC_URL", "https://example.com/auth"),
        ("APP_BASE_URL", "https://example.com/app"),
    ]));
    // A path is compared exactly: /auth is not /auth/sub.
    assert!(!served(&[
        ("PUBLIC_URL", "https://example.com/auth"),
        ("APP_BASE_URL", "https://example.com/auth/sub"),
    ]));
}

#[test]
fn without_the_perfect21_routes_auto_turns_them_off() {
    assert!(!served(&[("API_DIALECTS", "checkinn")]));
}

#[test]
fn on_where_the_pages_cannot_work_is_refused_with_a_line_each() {
    let errors = problems(&[("BUILTIN_PAGES", "on"), ("API_DIALECTS", "checkinn")]);
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert!(errors.mentions("BUILTIN_PAGES"), "{errors}");
    assert!(errors.to_string().contains("perfect21"), "{errors}");
    // Another origin for the links is not refused: a proxy routes its paths to authd.
    let config = parse(&[
        ("BUILTIN_PAGES", "on"),
        ("APP_BASE_URL", "https://app.example.com"),
    ])
    .unwrap();
    assert!(config.server.serves_builtin_pages(&config.api));
}

#[test]
fn an_unknown_setting_is_refused() {
    let errors = problems(&[("BUILTIN_PAGES", "sometimes")]);
    assert!(errors.mentions("BUILTIN_PAGES"), "{errors}");
    assert!(errors.to_string().contains("auto, on or off"), "{errors}");
}
