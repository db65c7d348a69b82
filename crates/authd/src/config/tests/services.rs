//! Redis, SMTP, rate limits, health checks and outbox retries: which variables select what, the
//! documented defaults, and that no password leaks.

use super::*;
use authd_domain::values::EmailDomains;
use chrono::Duration;
use secrecy::ExposeSecret;
use std::time::Duration as StdDuration;

fn problems(vars: &[(&str, &str)]) -> ConfigErrors {
    parse(vars).expect_err("configuration should be rejected")
}

fn redis(vars: &[(&str, &str)]) -> RedisConfig {
    parse(vars).unwrap().redis.expect("Redis is configured")
}

fn smtp(vars: &[(&str, &str)]) -> SmtpConfig {
    parse(vars).unwrap().mail.smtp.expect("SMTP is configured")
}

#[test]
fn redis_url_selects_redis_with_the_documented_defaults() {
    let config = redis(&[("REDIS_URL", "redis://cache.internal:6380/2")]);
    assert_eq!(
        config.url().expose_secret(),
        "redis://cache.internal:6380/2"
    );
    assert_eq!(config.target(), "cache.internal:6380/2");
    assert_eq!(config.pool_max, 16);
    assert_eq!(config.timeout, StdDuration::from_millis(250));
    assert_eq!(config.key_prefix, "authd:");
}

#[test]
fn the_perfect21_redis_variables_build_a_url_with_an_encoded_password() {
    let config = redis(&[
        ("REDIS_HOST", "localhost"),
        ("REDIS_PASSWORD", PASSWORD),
        ("REDIS_DB", "3"),
    ]);
    assert_eq!(
        config.url().expose_secret(),
        "redis://:s3cr3t%20p%40ss%3Aword%2F%25@localhost:6379/3"
    );
    assert_eq!(config.target(), "localhost:6379/3");
    let without_password = redis(&[("REDIS_HOST", "::1"), ("REDIS_PORT", "7000")]);
    assert_eq!(
        without_password.url().expose_secret(),
        "redis://[::1]:7000/0"
    );
}

#[test]
fn redis_timeouts_are_milliseconds_when_bare() {
    let config = redis(&[
        ("REDIS_URL", "redis://localhost"),
        ("REDIS_TIMEOUT", "100"),
        ("REDIS_POOL_MAX", "4"),
        ("REDIS_KEY_PREFIX", "team-a:"),
    ]);
    assert_eq!(config.timeout, StdDuration::from_millis(100));
    assert_eq!(config.pool_max, 4);
    assert_eq!(config.key_prefix, "team-a:");
}

#[test]
fn a_redis_password_never_appears_in_errors_or_debug_output() {
    let url = "redis://:s3cr3t-p%40ss@localhost:6379/0";
    let debug = format!("{:?}", redis(&[("REDIS_URL", url)]));
    assert!(!debug.contains("s3cr3t"), "{debug}");
    let debug = format!(
        "{:?}",
        redis(&[("REDIS_HOST", "localhost"), ("REDIS_PASSWORD", PASSWORD)])
    );
    assert!(!debug.contains("s3cr3t"), "{debug}");
    for bad in [
        format!("http://:{PASSWORD}@localhost"),
        format!("rediss://:{PASSWORD}@localhost/#insecure"),
    ] {
        let text = problems(&[("REDIS_URL", &bad)]).to_string();
        assert!(text.starts_with("REDIS_URL: "), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }
}

#[test]
fn redis_parts_without_a_host_or_next_to_a_url_are_refused() {
    let errors = problems(&[("REDIS_PASSWORD", "x"), ("REDIS_DB", "1")]);
    assert!(
        errors.mentions("REDIS_PASSWORD") && errors.mentions("REDIS_DB"),
        "{errors}"
    );
    let errors = problems(&[("REDIS_URL", "redis://a"), ("REDIS_HOST", "b")]);
    assert!(errors.mentions("REDIS_HOST"), "{errors}");
}

#[test]
fn smtp_host_selects_smtp_with_starttls_on_587() {
    let config = smtp(&[
        ("SMTP_HOST", "smtp.example.com"),
        ("SMTP_USER", "mailer"),
        ("SMTP_PASSWORD", PASSWORD),
    ]);
    assert_eq!(config.host, "smtp.example.com");
    assert_eq!(config.port, 587);
    assert_eq!(config.security, SmtpSecurity::StartTls);
    assert_eq!(config.username.as_deref(), Some("mailer"));
    assert_eq!(
        config.password.as_ref().map(ExposeSecret::expose_secret),
        Some(PASSWORD)
    );
    assert_eq!(config.timeout, StdDuration::from_secs(10));
    assert!(!format!("{config:?}").contains("s3cr3t"));
}

#[test]
fn port_465_defaults_to_implicit_tls_and_security_can_be_set() {
    let config = smtp(&[("SMTP_HOST", "smtp.example.com"), ("SMTP_PORT", "465")]);
    assert_eq!(config.security, SmtpSecurity::Tls);
    let config = smtp(&[
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", "2525"),
        ("SMTP_SECURITY", "none"),
        ("SMTP_TIMEOUT", "2"),
    ]);
    assert_eq!(config.security, SmtpSecurity::None);
    assert_eq!(config.timeout, StdDuration::from_secs(2));
}

#[test]
fn a_password_in_clear_text_to_another_host_is_refused() {
    let errors = problems(&[
        ("SMTP_HOST", "smtp.example.com"),
        ("SMTP_SECURITY", "none"),
        ("SMTP_USER", "mailer"),
        ("SMTP_PASSWORD", PASSWORD),
    ]);
    assert!(errors.mentions("SMTP_PASSWORD"), "{errors}");
    assert!(!errors.to_string().contains("s3cr3t"));
    let local = smtp(&[
        ("SMTP_HOST", "localhost"),
        ("SMTP_SECURITY", "none"),
        ("SMTP_USER", "mailer"),
        ("SMTP_PASSWORD", PASSWORD),
    ]);
    assert_eq!(local.security, SmtpSecurity::None);
}

#[test]
fn smtp_settings_without_a_host_or_half_credentials_are_refused() {
    let errors = problems(&[("SMTP_PORT", "25"), ("SMTP_USER", "mailer")]);
    assert!(
        errors.mentions("SMTP_PORT") && errors.mentions("SMTP_USER"),
        "{errors}"
    );
    let errors = problems(&[("SMTP_HOST", "smtp.example.com"), ("SMTP_USER", "mailer")]);
    assert!(errors.mentions("SMTP_PASSWORD"), "{errors}");
}

#[test]
fn the_rate_limits_default_to_the_perfect21_table() {
    let limits = parse(&[]).unwrap().rate_limits;
    assert!(limits.enabled);
    assert_eq!(
        (limits.general.max, limits.general.window),
        (100, Duration::minutes(15))
    );
    assert_eq!(
        (limits.login.max, limits.login.window),
        (5, Duration::minutes(15))
    );
    assert_eq!(
        (limits.register.max, limits.register.window),
        (3, Duration::hours(1))
    );
    assert_eq!(
        (limits.password_reset.max, limits.password_reset.window),
        (3, Duration::hours(1))
    );
}

#[test]
fn local_email_domains_are_refused_unless_allowed() {
    let domains = |vars: &[(&str, &str)]| parse(vars).unwrap().auth.email_domains;
    assert_eq!(domains(&[]), EmailDomains::Routable);
    assert_eq!(
        domains(&[("ALLOW_LOCAL_EMAIL_DOMAINS", "true")]),
        EmailDomains::AllowLocal
    );
    let errors = problems(&[("ALLOW_LOCAL_EMAIL_DOMAINS", "maybe")]);
    assert!(errors.mentions("ALLOW_LOCAL_EMAIL_DOMAINS"), "{errors}");
}

#[test]
fn ipv6_clients_count_per_64_unless_configured() {
    let prefix = |vars: &[(&str, &str)]| parse(vars).unwrap().rate_limits.ipv6_prefix.bits();
    assert_eq!(prefix(&[]), 64);
    assert_eq!(prefix(&[("RATE_LIMIT_IPV6_PREFIX", "48")]), 48);
    assert_eq!(prefix(&[("RATE_LIMIT_IPV6_PREFIX", "/56")]), 56);
    assert_eq!(prefix(&[("RATE_LIMIT_IPV6_PREFIX", "128")]), 128);
    for bad in ["0", "129", "300", "64x", "-1"] {
        let errors = problems(&[("RATE_LIMIT_IPV6_PREFIX", bad)]);
        assert!(
            errors.mentions("RATE_LIMIT_IPV6_PREFIX"),
            "{bad:?}: {errors}"
        );
    }
}

#[test]
fn rate_limit_windows_are_minutes_when_bare() {
    let limits = parse(&[
        ("RATE_LIMIT_ENABLED", "false"),
        ("RATE_LIMIT_WINDOW", "5"),
        ("RATE_LIMIT_MAX", "1000"),
        ("AUTH_RATE_LIMIT_MAX", "10"),
        ("AUTH_RATE_LIMIT_WINDOW", "30s"),
        ("REGISTER_RATE_LIMIT_MAX", "20"),
        ("PASSWORD_RESET_RATE_LIMIT_WINDOW", "2h"),
    ])
    .unwrap()
    .rate_limits;
    assert!(!limits.enabled);
    assert_eq!(
        (limits.general.max, limits.general.window),
        (1000, Duration::minutes(5))
    );
    assert_eq!(
        (limits.login.max, limits.login.window),
        (10, Duration::seconds(30))
    );
    assert_eq!(limits.register.max, 20);
    assert_eq!(limits.password_reset.window, Duration::hours(2));
}

#[test]
fn health_checks_default_to_one_second_and_a_two_second_cache() {
    let health = parse(&[]).unwrap().health;
    assert_eq!(health.timeout, StdDuration::from_secs(1));
    assert_eq!(health.cache_ttl, StdDuration::from_secs(2));
    let health = parse(&[("HEALTH_CHECK_TIMEOUT", "5000"), ("HEALTH_CACHE_TTL", "0")])
        .unwrap()
        .health;
    assert_eq!(health.timeout, StdDuration::from_secs(5));
    assert_eq!(health.cache_ttl, StdDuration::ZERO);
}

#[test]
fn health_details_are_shown_unless_turned_off() {
    assert!(parse(&[]).unwrap().health.details);
    assert!(
        !parse(&[("HEALTH_DETAILS", "false")])
            .unwrap()
            .health
            .details
    );
    assert!(
        problems(&[("HEALTH_DETAILS", "hidden")])
            .to_string()
            .contains("HEALTH_DETAILS")
    );
}

#[test]
fn outbox_retries_back_off_as_configured() {
    let retry = parse(&[
        ("OUTBOX_RETRY_DELAY", "1s"),
        ("OUTBOX_RETRY_MAX_DELAY", "10m"),
        ("OUTBOX_MAX_ATTEMPTS", "8"),
    ])
    .unwrap()
    .mail
    .retry;
    assert_eq!(retry.first_delay, Duration::seconds(1));
    assert_eq!(retry.max_delay, Duration::minutes(10));
    assert_eq!(retry.max_attempts, 8);
    let errors = problems(&[("OUTBOX_RETRY_DELAY", "2h")]);
    assert!(errors.mentions("OUTBOX_RETRY_DELAY"), "{errors}");
}

#[test]
fn each_invalid_service_value_names_its_variable() {
    let cases: &[(&str, &str)] = &[
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_TIMEOUT", "0"),
        ("REDIS_TIMEOUT", "2s"),
        ("REDIS_POOL_MAX", "0"),
        ("REDIS_KEY_PREFIX", "with space"),
        ("SMTP_FROM", "nobody"),
        ("RATE_LIMIT_MAX", "0"),
        ("RATE_LIMIT_WINDOW", "0"),
        ("AUTH_RATE_LIMIT_MAX", "many"),
        ("AUTH_RATE_LIMIT_WINDOW", "2d"),
        ("REGISTER_RATE_LIMIT_WINDOW", "soon"),
        ("PASSWORD_RESET_RATE_LIMIT_MAX", "-3"),
        ("HEALTH_CHECK_TIMEOUT", "0"),
        ("HEALTH_CACHE_TTL", "1h"),
        ("OUTBOX_MAX_ATTEMPTS", "0"),
        ("OUTBOX_RETRY_MAX_DELAY", "0"),
    ];
    for (name, value) in cases {
        let errors = problems(&[(name, value)]);
        assert_eq!(errors.0.len(), 1, "{name}={value}: {errors}");
        assert!(
            errors.to_string().starts_with(&format!("{name}: ")),
            "{name}={value}: {errors}"
        );
    }
    for (name, value) in [
        ("SMTP_PORT", "0"),
        ("SMTP_SECURITY", "ssl3"),
        ("SMTP_TIMEOUT", "5m"),
    ] {
        let errors = problems(&[("SMTP_HOST", "smtp.example.com"), (name, value)]);
        assert_eq!(errors.0.len(), 1, "{name}={value}: {errors}");
        assert!(errors.mentions(name), "{name}={value}: {errors}");
    }
}
