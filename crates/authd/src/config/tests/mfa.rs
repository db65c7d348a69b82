use super::*;

const KEY_A: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
const KEY_B: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[test]
fn mfa_is_on_by_default_with_the_documented_knobs() {
    let config = parse(&[]).unwrap();
    assert!(config.mfa.enabled && config.auth.mfa.enabled);
    assert_eq!(config.auth.mfa.issuer, "authd");
    assert!(
        config.mfa.keys.is_none(),
        "no key: ephemeral on the embedded store"
    );
    assert_eq!(config.auth.mfa.remember_device_for, Duration::days(30));
    let limit = config.auth.mfa.verify_limit.expect("rate limits are on");
    assert_eq!((limit.max, limit.window), (10, Duration::minutes(5)));
    assert_eq!(config.auth.mfa.lockout, config.auth.lockout);
}

#[test]
fn every_mfa_variable_is_read() {
    let keys = format!("{KEY_A}, {KEY_B}");
    let config = parse(&[
        ("ENABLE_MFA", "false"),
        ("MFA_ISSUER", "\"Your App Name\""),
        ("MFA_ENCRYPTION_KEY", &keys),
        ("MFA_REMEMBER_DEVICE_DAYS", "7"),
        ("MFA_RATE_LIMIT_MAX", "3"),
        ("MFA_RATE_LIMIT_WINDOW", "10"),
    ])
    .unwrap();
    assert!(!config.auth.mfa.enabled);
    assert_eq!(config.auth.mfa.issuer, "Your App Name");
    assert_eq!(config.mfa.keys.as_ref().map(|k| k.len()), Some(2));
    assert_eq!(config.auth.mfa.remember_device_for, Duration::days(7));
    let limit = config.auth.mfa.verify_limit.unwrap();
    assert_eq!((limit.max, limit.window), (3, Duration::minutes(10)));
}

#[test]
fn turning_rate_limits_off_turns_the_per_user_code_limit_off() {
    let config = parse(&[("RATE_LIMIT_ENABLED", "false")]).unwrap();
    assert_eq!(config.auth.mfa.verify_limit, None);
}

#[test]
fn a_bad_issuer_key_or_device_lifetime_is_refused_with_one_line_each_and_no_key_shown() {
    let errors = problems(&[
        ("MFA_ISSUER", "Acme:Corp"),
        ("MFA_ENCRYPTION_KEY", "c2hvcnQ="),
        ("MFA_REMEMBER_DEVICE_DAYS", "0"),
    ]);
    for variable in [
        "MFA_ISSUER",
        "MFA_ENCRYPTION_KEY",
        "MFA_REMEMBER_DEVICE_DAYS",
    ] {
        assert!(errors.mentions(variable), "{errors}");
    }
    assert_eq!(errors.0.len(), 3, "{errors}");
    let text = errors.to_string();
    assert!(!text.contains("c2hvcnQ"), "{text}");
    assert!(text.contains("openssl rand -base64 32"), "{text}");
}

#[test]
fn the_encryption_key_never_shows_in_debug_output() {
    let config = parse(&[("MFA_ENCRYPTION_KEY", KEY_A)]).unwrap();
    assert!(!format!("{config:?}").contains("q83v"));
}
