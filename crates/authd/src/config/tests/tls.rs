//! TLS to PostgreSQL and Redis: `DB_SSL`, `sslmode`, `DB_SSL_CA_FILE`, `rediss://`,
//! `REDIS_TLS`, `REDIS_TLS_CA_FILE`. TLS asked for one way and refused another is a problem,
//! never a quiet choice; a CA file that cannot serve is named at start-up.

use super::*;
use secrecy::ExposeSecret;
use std::path::PathBuf;

/// A file holding a PEM certificate marker (the configuration checks no more than that; the
/// adapters parse it), removed when dropped.
struct CaFile(PathBuf);

impl CaFile {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("authd-ca-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn database(vars: &[(&str, &str)]) -> DatabaseConfig {
    parse(vars).unwrap().database.unwrap()
}

#[test]
fn db_ssl_means_verify_full_with_the_ca_file_in_the_url() {
    let ca = CaFile::new();
    let db = database(&[
        ("DATABASE_URL", "postgres://u:pw@db.internal:5432/authd"),
        ("DB_SSL", "true"),
        ("DB_SSL_CA_FILE", ca.path()),
    ]);
    assert_eq!(db.tls.as_deref(), Some("verify-full"));
    let url = db.url().expose_secret().to_owned();
    assert!(
        url.starts_with(
            "postgres://u:pw@db.internal:5432/authd?sslmode=verify-full&sslrootcert=%2F"
        ),
        "{url}"
    );
    assert!(db.target().contains("DB_SSL_CA_FILE"), "{}", db.target());
    assert!(!db.target().contains("pw"));

    let parts = database(&[
        ("DB_HOST", "db"),
        ("DB_NAME", "authd"),
        ("DB_USER", "authd"),
        ("DB_SSL", "true"),
    ]);
    assert_eq!(
        parts.url().expose_secret(),
        "postgres://authd@db:5432/authd?sslmode=verify-full"
    );
    assert!(parts.target().contains("Mozilla"), "{}", parts.target());
}

#[test]
fn the_urls_own_sslmode_is_honoured_and_plain_modes_stay_plain() {
    let ca = CaFile::new();
    for mode in ["require", "verify-ca", "verify-full"] {
        let url = format!("postgres://db/authd?sslmode={mode}");
        let db = database(&[("DATABASE_URL", &url), ("DB_SSL_CA_FILE", ca.path())]);
        assert_eq!(db.tls.as_deref(), Some(mode));
        let db = database(&[("DATABASE_URL", &url), ("DB_SSL", "true")]);
        assert_eq!(
            db.url().expose_secret(),
            &url,
            "DB_SSL=true agrees with sslmode={mode}"
        );
    }
    let db = database(&[("DATABASE_URL", "postgres://db/authd?sslmode=disable")]);
    assert_eq!(db.tls, None);
    assert_eq!(db.target(), "db/authd");
}

#[test]
fn tls_asked_for_and_refused_at_once_is_a_problem() {
    let errors = problems(&[
        (
            "DATABASE_URL",
            "postgres://u:hunter2@db/authd?sslmode=disable",
        ),
        ("DB_SSL", "true"),
    ]);
    assert!(errors.mentions("DB_SSL"), "{errors}");
    assert!(!errors.to_string().contains("hunter2"), "{errors}");
    let errors = problems(&[
        ("DATABASE_URL", "postgres://db/authd?sslmode=verify-full"),
        ("DB_SSL", "false"),
    ]);
    assert!(errors.mentions("DB_SSL"), "{errors}");
    let errors = problems(&[("DATABASE_URL", "postgres://db/authd?sslmode=allow")]);
    assert!(errors.mentions("DATABASE_URL"), "{errors}");
}

/// `sslmode=verify-full&sslmode=disable` must not pass as TLS: one reader would take the first,
/// another the last.
#[test]
fn an_sslmode_given_twice_is_a_problem() {
    for (url, ssl) in [
        (
            "postgres://u:hunter2@db/authd?sslmode=verify-full&sslmode=disable",
            "true",
        ),
        (
            "postgres://u:hunter2@db/authd?sslmode=require&sslmode=disable",
            "false",
        ),
    ] {
        let errors = problems(&[("DATABASE_URL", url), ("DB_SSL", ssl)]);
        assert!(errors.mentions("DATABASE_URL"), "{url}: {errors}");
        assert!(!errors.to_string().contains("hunter2"), "{errors}");
    }
}

#[test]
fn a_ca_file_that_cannot_serve_or_without_tls_is_named() {
    let url = ("DATABASE_URL", "postgres://db/authd");
    let errors = problems(&[
        url,
        ("DB_SSL", "true"),
        ("DB_SSL_CA_FILE", "/nonexistent/ca.pem"),
    ]);
    assert_eq!(errors.to_string().lines().count(), 1, "{errors}");
    assert!(errors.mentions("DB_SSL_CA_FILE"), "{errors}");
    let ca = CaFile::new();
    let errors = problems(&[url, ("DB_SSL_CA_FILE", ca.path())]);
    assert!(errors.mentions("DB_SSL_CA_FILE"), "{errors}");
    let not_pem = std::env::temp_dir().join(format!("authd-ca-{}.txt", uuid::Uuid::new_v4()));
    std::fs::write(&not_pem, "hello").unwrap();
    let errors = problems(&[
        url,
        ("DB_SSL", "true"),
        ("DB_SSL_CA_FILE", not_pem.to_str().unwrap()),
    ]);
    std::fs::remove_file(&not_pem).unwrap();
    assert!(
        errors.to_string().contains("no PEM certificate"),
        "{errors}"
    );
}

#[test]
fn rediss_is_tls_with_an_optional_ca_file_and_never_insecure() {
    let ca = CaFile::new();
    let config = parse(&[
        ("REDIS_URL", "rediss://:hunter2@cache:6380/0"),
        ("REDIS_TLS_CA_FILE", ca.path()),
    ])
    .unwrap()
    .redis
    .unwrap();
    assert!(config.tls());
    assert_eq!(config.tls_ca_file.as_deref(), Some(ca.path()));
    assert!(
        config.target().contains("REDIS_TLS_CA_FILE"),
        "{}",
        config.target()
    );
    assert!(!config.target().contains("hunter2"));

    let parts = parse(&[("REDIS_HOST", "cache"), ("REDIS_TLS", "true")])
        .unwrap()
        .redis
        .unwrap();
    assert_eq!(parts.url().expose_secret(), "rediss://cache:6379/0");

    let errors = problems(&[
        ("REDIS_URL", "redis://cache"),
        ("REDIS_TLS_CA_FILE", ca.path()),
    ]);
    assert!(errors.mentions("REDIS_TLS_CA_FILE"), "{errors}");
    let errors = problems(&[("REDIS_URL", "redis://cache"), ("REDIS_TLS", "true")]);
    assert!(errors.mentions("REDIS_TLS"), "{errors}");
    let errors = problems(&[("REDIS_URL", "rediss://cache/#insecure")]);
    assert!(errors.mentions("REDIS_URL"), "{errors}");
    let errors = problems(&[
        ("REDIS_URL", "rediss://cache"),
        ("REDIS_TLS_CA_FILE", "/nonexistent"),
    ]);
    assert!(errors.mentions("REDIS_TLS_CA_FILE"), "{errors}");
}
