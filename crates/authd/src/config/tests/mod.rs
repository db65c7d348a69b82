use super::*;
use authd_domain::policy::password::PasswordPolicy;
use chrono::Duration;
use secrecy::ExposeSecret;

mod admin;
mod aliases;
mod api;
mod database;
mod mfa;
mod pages;
mod redis_topology;
mod services;
mod shutdown;
mod sms;
mod sweep;
mod tls;

/// A password with every character a URL must escape.
const PASSWORD: &str = "s3cr3t p@ss:word/%";
const SECRET: &str = "0123456789abcdef0123456789abcdef-long-enough";

fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
    Config::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
}

fn problems(vars: &[(&str, &str)]) -> ConfigErrors {
    parse(vars).expect_err("configuration should be rejected")
}

#[test]
fn no_variables_at_all_give_the_documented_defaults() {
    let config = parse(&[]).unwrap();
    assert_eq!(config.server.host, "127.0.0.1");
    assert_eq!(config.server.port, 3000);
    assert_eq!(config.server.public_url, "http://127.0.0.1:3000");
    assert_eq!(config.server.app_base_url, "http://127.0.0.1:3000");
    assert!(!config.server.cookie_secure);
    assert_eq!(config.server.max_body_size, 65_536);
    assert_eq!(
        config.server.client_body_timeout,
        std::time::Duration::from_secs(10)
    );
    assert_eq!(config.server.max_connections_per_ip, 64);
    assert!(config.rate_limits.enabled);
    assert!(config.redis.is_none(), "no Redis variable means in memory");
    assert!(config.mail.smtp.is_none(), "no SMTP_HOST means files");
    assert!(config.server.allowed_origins.is_empty());
    assert!(matches!(&config.jwt.signing, Signing::Rs256 { key_files } if key_files.is_empty()));
    assert_eq!(config.jwt.issuer, "authd");
    assert_eq!(config.jwt.audience, "authd");
    assert!(config.jwt.refresh_secret.is_none());
    assert_eq!(config.jwt.verified_cache, 4096);
    assert_eq!(config.auth.access_ttl, Duration::minutes(15));
    assert_eq!(config.auth.refresh_ttl, Duration::days(7));
    assert_eq!(config.auth.refresh_ttl_short, Duration::hours(24));
    assert_eq!(config.auth.reuse_grace, Duration::seconds(10));
    assert!(config.auth.rotate_refresh_tokens);
    assert_eq!(config.auth.lockout.max_attempts, 5);
    assert_eq!(config.auth.lockout.duration, Duration::minutes(30));
    assert!(config.auth.lockout.enabled);
    assert_eq!(config.auth.max_sessions, 5);
    assert!(config.auth.require_email_verification);
    assert_eq!(config.auth.verification_ttl, Duration::hours(24));
    assert_eq!(config.auth.reset_ttl, Duration::hours(1));
    assert_eq!(config.auth.mail_cooldown, Duration::seconds(60));
    assert_eq!(config.hashing.rounds, 12);
    assert_eq!(config.hashing.queue_max, 64);
    assert!(config.hashing.workers >= 1 && config.server.workers >= 1);
    assert_eq!(config.mail.dir, PathBuf::from("./var/mail"));
    assert_eq!(config.mail.from.to_string(), "authd <no-reply@localhost>");
    assert_eq!(config.mail.poll_interval, std::time::Duration::from_secs(1));
    assert_eq!(config.log.level, "info");
    assert_eq!(config.log.format, LogFormat::Pretty);
    assert!(
        config.database.is_none(),
        "no database variable means in-memory storage"
    );
}

#[test]
fn public_url_follows_host_and_port_and_app_base_url_follows_public_url() {
    let config = parse(&[("HOST", "0.0.0.0"), ("PORT", "8080")]).unwrap();
    assert_eq!(config.server.public_url, "http://0.0.0.0:8080");
    assert_eq!(config.server.app_base_url, "http://0.0.0.0:8080");

    let config = parse(&[("PUBLIC_URL", "https://auth.example.com/")]).unwrap();
    assert_eq!(config.server.public_url, "https://auth.example.com");
    assert_eq!(config.server.app_base_url, "https://auth.example.com");
    assert!(config.server.cookie_secure);
}

#[test]
fn derived_urls_follow_the_port_actually_bound() {
    let config = parse(&[("PORT", "0")]).unwrap().with_bound_port(41234);
    assert_eq!(config.server.public_url, "http://127.0.0.1:41234");
    assert_eq!(config.server.app_base_url, "http://127.0.0.1:41234");

    let config = parse(&[("PORT", "0"), ("APP_BASE_URL", "https://app.example.com")])
        .unwrap()
        .with_bound_port(41234);
    assert_eq!(config.server.app_base_url, "https://app.example.com");
}

#[test]
fn cookie_secure_defaults_to_whether_the_app_is_served_over_https() {
    let https = parse(&[("APP_BASE_URL", "https://app.example.com")]).unwrap();
    assert!(https.server.cookie_secure);
    let overridden = parse(&[
        ("APP_BASE_URL", "https://app.example.com"),
        ("COOKIE_SECURE", "false"),
    ])
    .unwrap();
    assert!(!overridden.server.cookie_secure);
}

#[test]
fn lists_are_split_on_commas() {
    let config = parse(&[
        (
            "ALLOWED_ORIGINS",
            "https://a.example.com, https://b.example.com",
        ),
        ("TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.7"),
        ("JWT_PRIVATE_KEY_FILE", "keys/new.pem, keys/old.pem"),
    ])
    .unwrap();
    assert_eq!(
        config.server.allowed_origins,
        vec!["https://a.example.com", "https://b.example.com"]
    );
    assert_eq!(config.server.trusted_proxies.len(), 2);
    let Signing::Rs256 { key_files } = &config.jwt.signing else {
        panic!("RS256 expected");
    };
    assert_eq!(
        key_files,
        &vec![PathBuf::from("keys/new.pem"), PathBuf::from("keys/old.pem")]
    );
}

#[test]
fn durations_are_read_in_every_documented_format() {
    let config = parse(&[
        ("JWT_ACCESS_EXPIRY", "900"),
        ("JWT_REFRESH_EXPIRY", "14d"),
        ("SESSION_TIMEOUT", "12h"),
        ("REFRESH_REUSE_GRACE", "30s"),
        ("PASSWORD_RESET_EXPIRY", "45m"),
        ("LOCKOUT_DURATION", "15"),
    ])
    .unwrap();
    assert_eq!(config.auth.access_ttl, Duration::seconds(900));
    assert_eq!(config.auth.refresh_ttl, Duration::days(14));
    assert_eq!(config.auth.refresh_ttl_short, Duration::hours(12));
    assert_eq!(config.auth.reuse_grace, Duration::seconds(30));
    assert_eq!(config.auth.reset_ttl, Duration::minutes(45));
    assert_eq!(config.auth.lockout.duration, Duration::minutes(15));
}

#[test]
fn the_mail_cooldown_reads_durations_and_zero_turns_it_off() {
    for (raw, expected) in [
        ("90", Duration::seconds(90)),
        ("2s", Duration::seconds(2)),
        ("2m", Duration::minutes(2)),
        ("0", Duration::zero()),
    ] {
        let config = parse(&[("MAIL_COOLDOWN", raw)]).unwrap();
        assert_eq!(config.auth.mail_cooldown, expected, "MAIL_COOLDOWN={raw}");
    }
}

#[test]
fn the_body_timeout_is_seconds_when_bare_and_takes_milliseconds() {
    for (raw, ms) in [("10", 10_000), ("500ms", 500), ("2s", 2000), ("1m", 60_000)] {
        let config = parse(&[("CLIENT_BODY_TIMEOUT", raw)]).unwrap();
        assert_eq!(
            config.server.client_body_timeout,
            std::time::Duration::from_millis(ms),
            "CLIENT_BODY_TIMEOUT={raw}"
        );
    }
    let errors = problems(&[("CLIENT_BODY_TIMEOUT", "0")]);
    assert_eq!(
        errors.to_string(),
        "CLIENT_BODY_TIMEOUT: must be longer than zero"
    );
}

#[test]
fn the_connection_cap_per_ip_can_be_set_or_turned_off_with_zero() {
    let cap = |raw| {
        parse(&[("MAX_CONNECTIONS_PER_IP", raw)])
            .unwrap()
            .server
            .max_connections_per_ip
    };
    assert_eq!(cap("4"), 4);
    assert_eq!(cap("0"), 0);
    let errors = problems(&[("MAX_CONNECTIONS_PER_IP", "lots")]);
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert!(errors.mentions("MAX_CONNECTIONS_PER_IP"), "{errors}");
}

#[test]
fn a_bare_lockout_duration_is_in_minutes_but_suffixes_still_work() {
    let config = parse(&[("LOCKOUT_DURATION", "90s")]).unwrap();
    assert_eq!(config.auth.lockout.duration, Duration::seconds(90));
}

#[test]
fn a_shared_secret_alone_selects_hs256() {
    let config = parse(&[("JWT_ACCESS_SECRET", SECRET)]).unwrap();
    let Signing::Hs256 { secret } = &config.jwt.signing else {
        panic!("HS256 expected");
    };
    assert_eq!(secret.expose_secret(), SECRET);
}

#[test]
fn hs256_without_a_secret_is_rejected() {
    let errors = problems(&[("JWT_ALGORITHM", "HS256")]);
    assert!(errors.mentions("JWT_ACCESS_SECRET"), "{errors}");
}

#[test]
fn a_short_hs256_secret_is_rejected_without_echoing_it() {
    let errors = problems(&[("JWT_ACCESS_SECRET", "hunter2-is-too-short")]);
    let text = errors.to_string();
    assert!(
        text.contains("JWT_ACCESS_SECRET: must be at least 32 bytes"),
        "{text}"
    );
    assert!(!text.contains("hunter2"));
}

#[test]
fn a_secret_with_rs256_or_key_files_with_hs256_is_a_conflict() {
    let errors = problems(&[("JWT_ALGORITHM", "RS256"), ("JWT_ACCESS_SECRET", SECRET)]);
    assert!(errors.mentions("JWT_ACCESS_SECRET"));
    let errors = problems(&[
        ("JWT_ACCESS_SECRET", SECRET),
        ("JWT_PRIVATE_KEY_FILE", "k.pem"),
    ]);
    assert!(errors.mentions("JWT_PRIVATE_KEY_FILE"));
}

#[test]
fn each_invalid_value_names_its_variable() {
    let cases: &[(&str, &str)] = &[
        ("HOST", "not a host"),
        ("PORT", "70000"),
        ("PUBLIC_URL", "localhost:3000"),
        ("APP_BASE_URL", "ftp://x"),
        ("ALLOWED_ORIGINS", "https://ok.example.com,*"),
        ("COOKIE_SECURE", "sometimes"),
        ("JWT_ALGORITHM", "ES256"),
        ("JWT_ACCESS_EXPIRY", "15 minutes"),
        ("JWT_REFRESH_EXPIRY", "0"),
        ("JWT_REFRESH_SECRET", "short"),
        ("JWT_VERIFIED_CACHE", "lots"),
        ("REFRESH_TOKEN_ROTATION", "maybe"),
        ("REFRESH_REUSE_GRACE", "-1"),
        ("SESSION_TIMEOUT", "1w"),
        ("BCRYPT_ROUNDS", "3"),
        ("HASH_WORKERS", "0"),
        ("HASH_QUEUE_MAX", "none"),
        ("PASSWORD_POLICY", "strict"),
        ("MAX_FAILED_ATTEMPTS", "0"),
        ("LOCKOUT_DURATION", "forever"),
        ("ENABLE_ACCOUNT_LOCKOUT", "2"),
        ("MAX_CONCURRENT_SESSIONS", "-1"),
        ("REQUIRE_EMAIL_VERIFICATION", "nope"),
        ("EMAIL_VERIFICATION_EXPIRY", "1y"),
        ("PASSWORD_RESET_EXPIRY", "soon"),
        ("MAIL_COOLDOWN", "-1"),
        ("MAIL_COOLDOWN", "a minute"),
        ("MAX_BODY_SIZE", "64KB"),
        ("CLIENT_BODY_TIMEOUT", "0"),
        ("CLIENT_BODY_TIMEOUT", "ten seconds"),
        ("CLIENT_BODY_TIMEOUT", "1h"),
        ("MAX_CONNECTIONS_PER_IP", "-1"),
        ("MAX_CONNECTIONS_PER_IP", "many"),
        ("TRUSTED_PROXIES", "10.0.0.0/99"),
        ("SMTP_FROM", "not an address"),
        ("OUTBOX_POLL_INTERVAL_MS", "1"),
        ("LOG_LEVEL", "loud=[["),
        ("LOG_FORMAT", "xml"),
        ("WORKERS", "0"),
        ("RATE_LIMIT_ENABLED", "sometimes"),
    ];
    for (name, value) in cases {
        let errors = problems(&[(name, value)]);
        assert_eq!(errors.0.len(), 1, "{name}={value}: {errors}");
        assert!(
            errors.to_string().starts_with(&format!("{name}: ")),
            "{name}={value}: {errors}"
        );
    }
}

#[test]
fn every_problem_is_reported_together_one_line_each() {
    let errors = problems(&[
        ("PORT", "http"),
        ("BCRYPT_ROUNDS", "40"),
        ("LOG_FORMAT", "xml"),
        ("REDIS_URL", "localhost:6379"),
    ]);
    let text = errors.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for name in ["PORT", "BCRYPT_ROUNDS", "LOG_FORMAT", "REDIS_URL"] {
        assert!(
            lines.iter().any(|l| l.starts_with(name)),
            "{name} missing: {text}"
        );
    }
}

#[test]
fn empty_values_count_as_unset() {
    let config = parse(&[("PORT", ""), ("DATABASE_URL", " ")]).unwrap();
    assert_eq!(config.server.port, 3000);
    assert!(config.database.is_none());
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let config = parse(&[
        ("JWT_ACCESS_SECRET", SECRET),
        (
            "JWT_REFRESH_SECRET",
            "refresh-secret-refresh-secret-refresh-secret",
        ),
        ("PASSWORD_PEPPER", "pepper-pepper"),
    ])
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains(SECRET));
    assert!(!debug.contains("refresh-secret"));
    assert!(!debug.contains("pepper-pepper"));
}

#[test]
fn the_nist_policy_and_switches_are_read() {
    let config = parse(&[
        ("PASSWORD_POLICY", "nist"),
        ("REFRESH_TOKEN_ROTATION", "no"),
        ("REQUIRE_EMAIL_VERIFICATION", "0"),
        ("ENABLE_ACCOUNT_LOCKOUT", "off"),
        ("MAX_CONCURRENT_SESSIONS", "0"),
        ("LOG_FORMAT", "JSON"),
        ("SMTP_FROM", "\"Example <auth@example.com>\""),
    ])
    .unwrap();
    assert_eq!(config.auth.password_policy, PasswordPolicy::nist());
    assert!(!config.auth.rotate_refresh_tokens);
    assert!(!config.auth.require_email_verification);
    assert!(!config.auth.lockout.enabled);
    assert_eq!(config.auth.max_sessions, 0);
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.mail.from.to_string(), "Example <auth@example.com>");
}

#[test]
fn a_log_level_that_would_silence_every_line_is_refused() {
    // `tracing` reads a bare word as a target name: `verbose` would turn every other line off.
    for value in ["verbose", "INFO,loud", "authd=chatty", ","] {
        let errors = problems(&[("LOG_LEVEL", value)]);
        assert!(
            errors.to_string().starts_with("LOG_LEVEL: "),
            "{value}: {errors}"
        );
    }
    for value in ["debug", "WARN", "off", "info,authd_http=debug,tower=warn"] {
        let config = parse(&[("LOG_LEVEL", value)]).unwrap();
        assert_eq!(config.log.level, value);
    }
}

#[test]
fn metrics_are_on_without_a_token_and_sampled_every_30_seconds_by_default() {
    let config = parse(&[]).unwrap();
    assert!(config.metrics.enabled);
    assert!(config.metrics.token.is_none());
    assert_eq!(
        config.metrics.sample_interval,
        std::time::Duration::from_secs(30)
    );
    let config = parse(&[
        ("ENABLE_METRICS", "false"),
        ("METRICS_TOKEN", "scrape-me-0123456789abcdef0123456789"),
        ("METRICS_SAMPLE_INTERVAL", "500ms"),
    ])
    .unwrap();
    assert!(!config.metrics.enabled);
    assert_eq!(
        config
            .metrics
            .token
            .as_ref()
            .map(ExposeSecret::expose_secret),
        Some("scrape-me-0123456789abcdef0123456789")
    );
    assert_eq!(
        config.metrics.sample_interval,
        std::time::Duration::from_millis(500)
    );
    assert!(!format!("{config:?}").contains("scrape-me-0123456789abcdef0123456789"));
}

#[test]
fn a_too_short_interval_stops_start_up_and_an_empty_token_is_no_token() {
    assert!(problems(&[("METRICS_SAMPLE_INTERVAL", "10ms")]).mentions("METRICS_SAMPLE_INTERVAL"));
    assert!(
        parse(&[("METRICS_TOKEN", " ")])
            .unwrap()
            .metrics
            .token
            .is_none()
    );
    assert!(problems(&[("ENABLE_METRICS", "sometimes")]).mentions("ENABLE_METRICS"));
}

#[test]
fn a_metrics_token_too_short_to_resist_guessing_stops_start_up() {
    // 31 characters: one short of the minimum.
    assert!(
        problems(&[("METRICS_TOKEN", "0123456789012345678901234567890")]).mentions("METRICS_TOKEN")
    );
}
