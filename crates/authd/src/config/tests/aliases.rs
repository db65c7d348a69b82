//! The CheckInn document's variable names, read as aliases of the Perfect21 ones.

use super::*;
use crate::config::reader::ALIASES;

const OTHER_SECRET: &str = "fedcba9876543210fedcba9876543210-also-long";

/// One alias: its Perfect21 name, its CheckInn name, two valid different values, and what else
/// must be set for a value to be read without another problem.
struct Case {
    perfect21: &'static str,
    checkinn: &'static str,
    one: &'static str,
    other: &'static str,
    context: &'static [(&'static str, &'static str)],
}

const SMTP: &[(&str, &str)] = &[("SMTP_HOST", "smtp.example.com")];

const CASES: [Case; 10] = [
    Case {
        perfect21: "JWT_ACCESS_SECRET",
        checkinn: "JWT_SECRET",
        one: SECRET,
        other: OTHER_SECRET,
        context: &[],
    },
    Case {
        perfect21: "JWT_ACCESS_EXPIRY",
        checkinn: "JWT_EXPIRES_IN",
        one: "24h",
        other: "30m",
        context: &[],
    },
    Case {
        perfect21: "JWT_REFRESH_EXPIRY",
        checkinn: "JWT_REFRESH_EXPIRES_IN",
        one: "30d",
        other: "14d",
        context: &[],
    },
    Case {
        perfect21: "SMTP_FROM",
        checkinn: "EMAIL_FROM",
        one: "noreply@checkinn.com",
        other: "CheckInn <hello@checkinn.com>",
        context: &[],
    },
    Case {
        perfect21: "SMTP_HOST",
        checkinn: "EMAIL_HOST",
        one: "smtp.gmail.com",
        other: "smtp.example.com",
        context: &[],
    },
    Case {
        perfect21: "SMTP_PORT",
        checkinn: "EMAIL_PORT",
        one: "2525",
        other: "465",
        context: SMTP,
    },
    Case {
        perfect21: "SMTP_USER",
        checkinn: "EMAIL_USERNAME",
        one: "checkinn@gmail.com",
        other: "other@gmail.com",
        context: &[("SMTP_HOST", "smtp.example.com"), ("SMTP_PASSWORD", "pw")],
    },
    Case {
        perfect21: "SMTP_PASSWORD",
        checkinn: "EMAIL_PASSWORD",
        one: "app-password-one",
        other: "app-password-two",
        context: &[("SMTP_HOST", "smtp.example.com"), ("SMTP_USER", "u")],
    },
    Case {
        perfect21: "MAX_FAILED_ATTEMPTS",
        checkinn: "MAX_LOGIN_ATTEMPTS",
        one: "7",
        other: "10",
        context: &[],
    },
    Case {
        perfect21: "LOCKOUT_DURATION",
        checkinn: "LOCK_TIME",
        one: "15",
        other: "45",
        context: &[],
    },
];

/// What `config` made of the variable `perfect21` (secrets exposed: the comparison needs them).
fn setting(config: &Config, perfect21: &str) -> String {
    let smtp = config.mail.smtp.as_ref();
    match perfect21 {
        "JWT_ACCESS_SECRET" => match &config.jwt.signing {
            Signing::Hs256 { secret } => format!("HS256 {}", secret.expose_secret()),
            Signing::Rs256 { .. } => "RS256".to_owned(),
        },
        "JWT_ACCESS_EXPIRY" => config.auth.access_ttl.to_string(),
        "JWT_REFRESH_EXPIRY" => config.auth.refresh_ttl.to_string(),
        "SMTP_FROM" => config.mail.from.to_string(),
        "SMTP_HOST" => format!("{:?}", smtp.map(|s| &s.host)),
        "SMTP_PORT" => format!("{:?}", smtp.map(|s| s.port)),
        "SMTP_USER" => format!("{:?}", smtp.map(|s| &s.username)),
        "SMTP_PASSWORD" => format!(
            "{:?}",
            smtp.and_then(|s| s.password.as_ref())
                .map(ExposeSecret::expose_secret)
        ),
        "MAX_FAILED_ATTEMPTS" => config.auth.lockout.max_attempts.to_string(),
        "LOCKOUT_DURATION" => config.auth.lockout.duration.to_string(),
        other => panic!("no projection for {other}"),
    }
}

fn with<'a>(case: &Case, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars: Vec<(&str, &str)> = case.context.to_vec();
    vars.extend_from_slice(extra);
    vars
}

#[test]
fn every_alias_is_covered_here() {
    assert_eq!(CASES.len(), ALIASES.len());
    for (perfect21, checkinn) in ALIASES {
        assert!(
            CASES
                .iter()
                .any(|c| c.perfect21 == perfect21 && c.checkinn == checkinn),
            "{checkinn} -> {perfect21} has no case"
        );
    }
}

#[test]
fn each_checkinn_name_alone_sets_what_its_perfect21_name_sets() {
    for case in &CASES {
        let by_alias = parse(&with(case, &[(case.checkinn, case.one)])).unwrap();
        let by_name = parse(&with(case, &[(case.perfect21, case.one)])).unwrap();
        // Another value gives another setting: the alias's own value was read.
        let by_other = parse(&with(case, &[(case.perfect21, case.other)])).unwrap();
        let read = setting(&by_alias, case.perfect21);
        assert_eq!(read, setting(&by_name, case.perfect21), "{}", case.checkinn);
        assert_ne!(
            read,
            setting(&by_other, case.perfect21),
            "{} was not read",
            case.checkinn
        );
    }
}

#[test]
fn an_alias_set_to_the_same_value_as_its_perfect21_name_is_fine() {
    for case in &CASES {
        let config = parse(&with(
            case,
            &[(case.perfect21, case.one), (case.checkinn, case.one)],
        ))
        .unwrap_or_else(|e| panic!("{}: {e}", case.checkinn));
        let alone = parse(&with(case, &[(case.perfect21, case.one)])).unwrap();
        assert_eq!(
            setting(&config, case.perfect21),
            setting(&alone, case.perfect21)
        );
    }
}

#[test]
fn an_alias_set_to_another_value_stops_start_up_with_one_line_naming_both_and_neither_value() {
    for case in &CASES {
        let errors = problems(&with(
            case,
            &[(case.perfect21, case.one), (case.checkinn, case.other)],
        ));
        let text = errors.to_string();
        assert_eq!(text.lines().count(), 1, "{}: {text}", case.checkinn);
        assert!(
            text.starts_with(&format!("{}: ", case.perfect21)) && text.contains(case.checkinn),
            "{text}"
        );
        assert!(
            !text.contains(case.one) && !text.contains(case.other),
            "a value is shown: {text}"
        );
    }
}

#[test]
fn a_problem_with_a_value_set_under_its_checkinn_name_names_that_name() {
    let cases: &[(&str, &str)] = &[
        ("JWT_SECRET", "too-short"),
        ("JWT_EXPIRES_IN", "a day"),
        ("JWT_REFRESH_EXPIRES_IN", "0"),
        ("EMAIL_FROM", "not an address"),
        ("MAX_LOGIN_ATTEMPTS", "0"),
        ("LOCK_TIME", "forever"),
        // Without a host: the port alone is a mistake, as SMTP_PORT alone is.
        ("EMAIL_PORT", "587"),
    ];
    for (name, value) in cases {
        let errors = problems(&[(name, value)]);
        assert_eq!(errors.0.len(), 1, "{name}={value}: {errors}");
        assert!(
            errors.to_string().starts_with(&format!("{name}: ")),
            "{name}={value}: {errors}"
        );
    }
    let errors = problems(&[("JWT_SECRET", "too-short")]).to_string();
    assert!(!errors.contains("too-short"), "{errors}");
}

#[test]
fn jwt_secret_selects_hs256_and_conflicts_with_rs256_as_jwt_access_secret_does() {
    let config = parse(&[("JWT_SECRET", SECRET)]).unwrap();
    assert!(matches!(&config.jwt.signing,
        Signing::Hs256 { secret } if secret.expose_secret() == SECRET));
    let errors = problems(&[("JWT_ALGORITHM", "RS256"), ("JWT_SECRET", SECRET)]);
    assert!(errors.mentions("JWT_SECRET"), "{errors}");
    let errors = problems(&[("JWT_SECRET", SECRET), ("JWT_PRIVATE_KEY_FILE", "k.pem")]);
    assert!(errors.mentions("JWT_PRIVATE_KEY_FILE"), "{errors}");
}

/// The `.env` block of the CheckInn document, as written there.
const CHECKINN_ENV: &[(&str, &str)] = &[
    ("JWT_SECRET", "your_super_secure_jwt_secret_here"),
    ("JWT_EXPIRES_IN", "24h"),
    (
        "JWT_REFRESH_SECRET",
        "your_super_secure_refresh_secret_here",
    ),
    ("JWT_REFRESH_EXPIRES_IN", "7d"),
    ("JWT_COOKIE_EXPIRES_IN", "7"),
    ("EMAIL_FROM", "noreply@checkinn.com"),
    ("EMAIL_HOST", "smtp.gmail.com"),
    ("EMAIL_PORT", "587"),
    ("EMAIL_USERNAME", "your-email@gmail.com"),
    ("EMAIL_PASSWORD", "your-app-password"),
    ("MAX_LOGIN_ATTEMPTS", "5"),
    ("LOCK_TIME", "15"),
    ("COOKIE_MAX_AGE", "86400000"),
    ("COOKIE_SECURE", "false"),
    ("COOKIE_HTTP_ONLY", "true"),
];

#[test]
fn the_checkinn_documents_env_block_is_read_as_written() {
    let config = parse(CHECKINN_ENV).unwrap();
    assert!(matches!(&config.jwt.signing,
        Signing::Hs256 { secret } if secret.expose_secret() == "your_super_secure_jwt_secret_here"));
    assert_eq!(config.auth.access_ttl, Duration::hours(24));
    assert_eq!(
        config
            .jwt
            .refresh_secret
            .as_ref()
            .map(ExposeSecret::expose_secret),
        Some("your_super_secure_refresh_secret_here")
    );
    assert_eq!(config.auth.refresh_ttl, Duration::days(7));
    assert_eq!(config.api.checkinn_cookie_max_age, Duration::days(7));
    assert_eq!(config.mail.from.to_string(), "noreply@checkinn.com");
    let smtp = config.mail.smtp.as_ref().expect("SMTP from EMAIL_HOST");
    assert_eq!(smtp.host, "smtp.gmail.com");
    assert_eq!(smtp.port, 587);
    assert_eq!(smtp.security, SmtpSecurity::StartTls);
    assert_eq!(smtp.username.as_deref(), Some("your-email@gmail.com"));
    assert_eq!(
        smtp.password.as_ref().map(ExposeSecret::expose_secret),
        Some("your-app-password")
    );
    assert_eq!(config.auth.lockout.max_attempts, 5);
    assert_eq!(config.auth.lockout.duration, Duration::minutes(15));
    assert!(!config.server.cookie_secure);
    assert_eq!(config.api.ignored, ["COOKIE_MAX_AGE", "COOKIE_HTTP_ONLY"]);
    let shown = format!("{config:?}");
    for secret in [
        "your_super_secure_jwt_secret_here",
        "your_super_secure_refresh_secret_here",
        "your-app-password",
    ] {
        assert!(!shown.contains(secret), "{secret} in Debug output");
    }
}
