//! The PostgreSQL section of the configuration: which variables select it, the URL built from
//! the Perfect21 doc's `DB_*` variables, and that the password never leaks.

use super::*;
use secrecy::ExposeSecret;
use std::time::Duration;

fn database(vars: &[(&str, &str)]) -> DatabaseConfig {
    parse(vars)
        .unwrap()
        .database
        .expect("a database is configured")
}

#[test]
fn database_url_selects_postgres_with_the_documented_defaults() {
    let db = database(&[("DATABASE_URL", "postgres://authd:pw@db.internal:5432/authd")]);
    assert_eq!(
        db.url().expose_secret(),
        "postgres://authd:pw@db.internal:5432/authd"
    );
    assert_eq!(db.pool_min, 2);
    assert_eq!(db.pool_max, 16);
    assert_eq!(db.connect_timeout, Duration::from_secs(5));
    assert_eq!(db.statement_timeout, Duration::from_secs(5));
    assert!(db.auto_migrate);
}

#[test]
fn the_perfect21_variables_build_a_url_with_encoded_credentials() {
    let db = database(&[
        ("DB_HOST", "localhost"),
        ("DB_NAME", "auth_system"),
        ("DB_USER", "auth_app"),
        ("DB_PASSWORD", PASSWORD),
        ("DB_POOL_MIN", "5"),
        ("DB_POOL_MAX", "25"),
    ]);
    assert_eq!(
        db.url().expose_secret(),
        "postgres://auth_app:s3cr3t%20p%40ss%3Aword%2F%25@localhost:5432/auth_system"
    );
    assert_eq!((db.pool_min, db.pool_max), (5, 25));
    assert_eq!(db.target(), "localhost:5432/auth_system");
}

#[test]
fn db_port_and_an_ipv6_host_are_honoured_and_the_password_is_optional() {
    let db = database(&[
        ("DB_HOST", "::1"),
        ("DB_PORT", "6543"),
        ("DB_NAME", "authd"),
        ("DB_USER", "authd"),
    ]);
    assert_eq!(
        db.url().expose_secret(),
        "postgres://authd@[::1]:6543/authd"
    );
}

#[test]
fn db_host_without_a_database_name_or_user_is_refused() {
    let errors = parse(&[("DB_HOST", "localhost")]).unwrap_err();
    assert!(errors.mentions("DB_NAME"), "{errors}");
    assert!(errors.mentions("DB_USER"), "{errors}");
}

#[test]
fn db_parts_without_db_host_are_refused_rather_than_ignored() {
    let errors = parse(&[("DB_NAME", "authd"), ("DB_PASSWORD", PASSWORD)]).unwrap_err();
    assert!(errors.mentions("DB_NAME") && errors.mentions("DB_PASSWORD"));
    assert!(errors.to_string().contains("DB_HOST"), "{errors}");
}

#[test]
fn database_url_and_db_host_together_are_refused() {
    let errors = parse(&[
        ("DATABASE_URL", "postgres://localhost/authd"),
        ("DB_HOST", "localhost"),
    ])
    .unwrap_err();
    assert!(errors.mentions("DB_HOST"), "{errors}");
}

#[test]
fn a_database_url_of_another_scheme_is_refused_without_echoing_it() {
    let errors = parse(&[("DATABASE_URL", "mysql://root:hunter2@localhost/authd")]).unwrap_err();
    assert!(errors.mentions("DATABASE_URL"));
    assert!(!errors.to_string().contains("hunter2"), "{errors}");
}

#[test]
fn pool_bounds_and_timeouts_are_validated() {
    let url = ("DATABASE_URL", "postgres://localhost/authd");
    let errors = parse(&[url, ("DB_POOL_MIN", "20"), ("DB_POOL_MAX", "10")]).unwrap_err();
    assert!(errors.mentions("DB_POOL_MIN"), "{errors}");
    let errors = parse(&[url, ("DB_POOL_MAX", "0")]).unwrap_err();
    assert!(errors.mentions("DB_POOL_MAX"), "{errors}");
    let errors = parse(&[url, ("DB_STATEMENT_TIMEOUT", "0")]).unwrap_err();
    assert!(errors.mentions("DB_STATEMENT_TIMEOUT"), "{errors}");

    let db = database(&[
        url,
        ("DB_CONNECT_TIMEOUT", "2s"),
        ("DB_STATEMENT_TIMEOUT", "1m"),
        ("AUTO_MIGRATE", "false"),
    ]);
    assert_eq!(db.connect_timeout, Duration::from_secs(2));
    assert_eq!(db.statement_timeout, Duration::from_secs(60));
    assert!(!db.auto_migrate);
}

#[test]
fn the_database_password_never_appears_in_debug_output() {
    let config = parse(&[
        ("DB_HOST", "db.internal"),
        ("DB_NAME", "authd"),
        ("DB_USER", "authd"),
        ("DB_PASSWORD", PASSWORD),
    ])
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(debug.contains("db.internal:5432/authd"), "{debug}");

    let config = parse(&[("DATABASE_URL", "postgres://authd:hunter2@db/authd")]).unwrap();
    assert!(!format!("{config:?}").contains("hunter2"));
}
