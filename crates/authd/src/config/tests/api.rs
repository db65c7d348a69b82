//! `API_DIALECTS`, `JWT_COOKIE_EXPIRES_IN`, `INTROSPECTION_*`, the CheckInn password policy and
//! the CheckInn variables that change nothing.

use super::*;

const TOKEN_A: &str = "introspect-token-aaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN_B: &str = "introspect-token-bbbbbbbbbbbbbbbbbbbbbbbb";
const CLIENT_SECRET: &str = "client-secret-cccccccccccccccccccccccc";
const OTHER_CLIENT_SECRET: &str = "client-secret-dddddddddddddddddddddddd";
/// 31 characters: one short.
const SHORT: &str = "short-secret-eeeeeeeeeeeeeeeeee";

fn one_line_naming(vars: &[(&str, &str)], variable: &str) -> String {
    let errors = problems(vars);
    let text = errors.to_string();
    assert_eq!(text.lines().count(), 1, "{vars:?}: {text}");
    assert!(
        text.starts_with(&format!("{variable}: ")),
        "{vars:?}: {text}"
    );
    text
}

#[test]
fn by_default_both_dialects_a_seven_day_cookie_and_no_introspection() {
    let config = parse(&[]).unwrap();
    assert!(config.api.dialects.perfect21 && config.api.dialects.checkinn);
    assert_eq!(config.api.checkinn_cookie_max_age, Duration::days(7));
    assert!(!config.api.introspection.any());
    assert!(config.api.ignored.is_empty());
    assert!(!config.auth.checkinn_require_email_verification);
}

#[test]
fn api_dialects_takes_either_or_both_in_any_case_and_order() {
    let cases = [
        ("perfect21", (true, false)),
        ("CheckInn", (false, true)),
        (" checkinn , PERFECT21 ", (true, true)),
        ("perfect21,checkinn", (true, true)),
        ("checkinn,checkinn,", (false, true)),
        // Empty counts as unset, like every variable.
        ("", (true, true)),
    ];
    for (value, (perfect21, checkinn)) in cases {
        let dialects = parse(&[("API_DIALECTS", value)]).unwrap().api.dialects;
        assert_eq!(
            (dialects.perfect21, dialects.checkinn),
            (perfect21, checkinn),
            "{value:?}"
        );
    }
}

#[test]
fn api_dialects_naming_nothing_or_an_unknown_dialect_stops_start_up() {
    for value in [",", " , ", "graphql", "perfect21,soap", "perfect-21"] {
        one_line_naming(&[("API_DIALECTS", value)], "API_DIALECTS");
    }
}

#[test]
fn the_checkinn_cookie_lasts_whole_days_from_one_to_3650() {
    for (value, days) in [("1", 1), ("7", 7), ("30", 30), ("3650", 3650), ("14d", 14)] {
        let config = parse(&[("JWT_COOKIE_EXPIRES_IN", value)]).unwrap();
        assert_eq!(
            config.api.checkinn_cookie_max_age,
            Duration::days(days),
            "{value}"
        );
    }
    for value in ["0", "3651", "12h", "-1", "seven", "1.5"] {
        one_line_naming(&[("JWT_COOKIE_EXPIRES_IN", value)], "JWT_COOKIE_EXPIRES_IN");
    }
}

#[test]
fn introspection_tokens_and_clients_are_read() {
    let tokens = format!("{TOKEN_A}, {TOKEN_B}");
    let clients = format!("billing:{CLIENT_SECRET},hotel-api.v2_x:{OTHER_CLIENT_SECRET}");
    let config = parse(&[
        ("INTROSPECTION_TOKEN", &tokens),
        ("INTROSPECTION_CLIENTS", &clients),
    ])
    .unwrap();
    let callers = &config.api.introspection;
    assert!(callers.any());
    let tokens: Vec<&str> = callers.tokens.iter().map(|t| t.expose_secret()).collect();
    assert_eq!(tokens, [TOKEN_A, TOKEN_B]);
    let clients: Vec<(&str, &str)> = callers
        .clients
        .iter()
        .map(|(id, secret)| (id.as_str(), secret.expose_secret()))
        .collect();
    assert_eq!(
        clients,
        [
            ("billing", CLIENT_SECRET),
            ("hotel-api.v2_x", OTHER_CLIENT_SECRET)
        ]
    );
    // Either alone turns introspection on.
    let by_token = parse(&[("INTROSPECTION_TOKEN", TOKEN_A)]).unwrap();
    assert!(by_token.api.introspection.any());
    let by_client = parse(&[("INTROSPECTION_CLIENTS", &format!("billing:{CLIENT_SECRET}"))]);
    assert!(by_client.unwrap().api.introspection.any());
}

#[test]
fn a_secret_may_hold_a_colon_after_the_client_id() {
    let secret = format!("{CLIENT_SECRET}:more");
    let config = parse(&[("INTROSPECTION_CLIENTS", &format!("billing:{secret}"))]).unwrap();
    assert_eq!(
        config.api.introspection.clients[0].1.expose_secret(),
        secret
    );
}

#[test]
fn a_short_or_malformed_introspection_secret_stops_start_up_without_being_shown() {
    let bad_tokens = [SHORT.to_owned(), format!("{TOKEN_A},{SHORT}")];
    for value in &bad_tokens {
        let text = one_line_naming(&[("INTROSPECTION_TOKEN", value)], "INTROSPECTION_TOKEN");
        assert!(!text.contains(SHORT) && !text.contains(TOKEN_A), "{text}");
    }
    let long_id = "a".repeat(65);
    let bad_clients = [
        // No colon: the item may be a bare secret.
        CLIENT_SECRET.to_owned(),
        format!("billing:{SHORT}"),
        // Written the wrong way round.
        format!("{CLIENT_SECRET}:billing"),
        format!(":{CLIENT_SECRET}"),
        format!("bill ing:{CLIENT_SECRET}"),
        format!("{long_id}:{CLIENT_SECRET}"),
        format!("billing:{CLIENT_SECRET},billing:{OTHER_CLIENT_SECRET}"),
    ];
    for value in &bad_clients {
        let text = one_line_naming(&[("INTROSPECTION_CLIENTS", value)], "INTROSPECTION_CLIENTS");
        for secret in [CLIENT_SECRET, OTHER_CLIENT_SECRET, SHORT] {
            assert!(!text.contains(secret), "{secret} shown: {text}");
        }
    }
}

#[test]
fn introspection_secrets_never_appear_in_debug_output() {
    let config = parse(&[
        ("INTROSPECTION_TOKEN", TOKEN_A),
        ("INTROSPECTION_CLIENTS", &format!("billing:{CLIENT_SECRET}")),
    ])
    .unwrap();
    let shown = format!("{config:?}");
    assert!(shown.contains("billing"), "{shown}");
    assert!(!shown.contains(TOKEN_A), "{shown}");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
}

#[test]
fn password_policy_checkinn_is_the_checkinn_profile() {
    for value in ["checkinn", "CheckInn"] {
        let config = parse(&[("PASSWORD_POLICY", value)]).unwrap();
        assert_eq!(config.auth.password_policy, PasswordPolicy::checkinn());
    }
    let text = one_line_naming(&[("PASSWORD_POLICY", "check-inn")], "PASSWORD_POLICY");
    assert!(text.contains("checkinn"), "{text}");
}

#[test]
fn checkinn_logins_require_verification_only_when_asked() {
    let config = parse(&[("CHECKINN_REQUIRE_EMAIL_VERIFICATION", "true")]).unwrap();
    assert!(config.auth.checkinn_require_email_verification);
    // The /v1 rule is its own.
    assert!(config.auth.require_email_verification);
    one_line_naming(
        &[("CHECKINN_REQUIRE_EMAIL_VERIFICATION", "sometimes")],
        "CHECKINN_REQUIRE_EMAIL_VERIFICATION",
    );
}

#[test]
fn cookie_variables_with_no_effect_are_accepted_and_named_for_the_warning() {
    let config = parse(&[("COOKIE_MAX_AGE", "86400000")]).unwrap();
    assert_eq!(config.api.ignored, ["COOKIE_MAX_AGE"]);
    let config = parse(&[("COOKIE_HTTP_ONLY", "true")]).unwrap();
    assert_eq!(config.api.ignored, ["COOKIE_HTTP_ONLY"]);
}

#[test]
fn a_refresh_cookie_readable_by_scripts_is_refused() {
    one_line_naming(&[("COOKIE_HTTP_ONLY", "false")], "COOKIE_HTTP_ONLY");
    one_line_naming(&[("COOKIE_HTTP_ONLY", "sometimes")], "COOKIE_HTTP_ONLY");
}
