//! Turns variables into a [`Config`]: one function per section, each reading its variables
//! through the [`Reader`], which records every problem and hands back a default so the other
//! sections are still checked.

use super::reader::Reader;
use super::values::{self, duration};
use super::{
    Config, ConfigErrors, HashingConfig, JwtConfig, LogConfig, LogFormat, MailConfig, ServerConfig,
    Signing,
};
use super::{admin, database, limits, redis, smtp};
use authd_domain::mfa::TotpPolicy;
use authd_domain::policy::backoff::RetryPolicy;
use authd_domain::policy::lockout::LockoutPolicy;
use authd_domain::policy::password::PasswordPolicy;
use authd_domain::services::{AuthSettings, MfaSettings};
use authd_domain::values::EmailDomains;
use authd_smtp::Sender;
use chrono::Duration;
use secrecy::SecretString;
use std::path::PathBuf;

/// HMAC keys below 256 bits are refused (RFC 7518 §3.2 for HS256).
const MIN_SECRET_BYTES: usize = 32;

pub(super) fn load(mut r: Reader) -> Result<Config, ConfigErrors> {
    let server = server(&mut r);
    let jwt = jwt(&mut r);
    let mut auth = auth(&mut r);
    let hashing = hashing(&mut r);
    let mail = mail(&mut r);
    let log = log(&mut r);
    let database = database::database(&mut r);
    let redis = redis::redis(&mut r);
    let rate_limits = limits::rate_limits(&mut r);
    let health = limits::health(&mut r);
    let metrics = super::metrics::metrics(&mut r);
    let mfa = super::mfa::mfa(&mut r);
    let sms = super::sms::sms(&mut r);
    let bootstrap_admin = admin::bootstrap_admin(&mut r);
    let geoip_database = admin::geoip_database(&mut r);
    let sweep = super::sweep::sweep(&mut r);
    let api = super::api::api(&mut r);
    let shutdown = super::shutdown::shutdown(&mut r);
    super::pages::check(&mut r, &server, &api);
    auth.mfa = MfaSettings {
        enabled: mfa.enabled,
        issuer: mfa.issuer.clone(),
        totp: TotpPolicy::default(),
        remember_device_for: mfa.remember_device_for,
        verify_limit: rate_limits.enabled.then_some(mfa.verify_limit),
        lockout: auth.lockout,
        mail_cooldown: auth.mail_cooldown,
        sms_available: sms.is_some(),
    };
    if r.errors.is_empty() {
        Ok(Config {
            server,
            jwt,
            auth,
            hashing,
            mail,
            log,
            database,
            redis,
            rate_limits,
            health,
            metrics,
            mfa,
            sms,
            bootstrap_admin,
            geoip_database,
            sweep,
            api,
            shutdown,
        })
    } else {
        Err(ConfigErrors(r.errors))
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn server(r: &mut Reader) -> ServerConfig {
    let host = r.or("HOST", "127.0.0.1".to_owned(), values::host);
    let port = r.or("PORT", 3000, |v| values::integer::<u16>(v, 0..=u16::MAX));
    let public_url = r.optional("PUBLIC_URL", values::base_url);
    let public_url_derived = public_url.is_none();
    let public_url = public_url.unwrap_or_else(|| values::url_of(&host, port));
    let app_base_url = r.optional("APP_BASE_URL", values::base_url);
    let app_base_url_derived = app_base_url.is_none();
    let app_base_url = app_base_url.unwrap_or_else(|| public_url.clone());
    let allowed_origins = r.or("ALLOWED_ORIGINS", Vec::new(), |v| {
        values::list(v).iter().map(|o| values::origin(o)).collect()
    });
    let cookie_secure = r.or(
        "COOKIE_SECURE",
        app_base_url.starts_with("https://"),
        values::boolean,
    );
    let max_body_size = r.or("MAX_BODY_SIZE", 65_536, |v| {
        values::integer::<usize>(v, 1024..=64 * 1024 * 1024)
    });
    let client_body_timeout = r.or(
        "CLIENT_BODY_TIMEOUT",
        authd_http::DEFAULT_CLIENT_BODY_TIMEOUT,
        body_timeout,
    );
    let max_connections_per_ip = r.or(
        "MAX_CONNECTIONS_PER_IP",
        authd_http::DEFAULT_MAX_CONNECTIONS_PER_IP,
        |v| values::integer::<usize>(v, 0..=1_000_000),
    );
    let trusted_proxies = r.or("TRUSTED_PROXIES", Vec::new(), |v| {
        values::list(v).iter().map(|p| values::proxy(p)).collect()
    });
    let workers = r.or("WORKERS", cores(), |v| {
        values::integer::<usize>(v, 1..=1024)
    });
    let admin_allowed_ips = admin::admin_allowed_ips(r);
    let builtin_pages = super::pages::builtin_pages(r);
    ServerConfig {
        host,
        port,
        public_url,
        app_base_url,
        allowed_origins,
        cookie_secure,
        max_body_size,
        client_body_timeout,
        max_connections_per_ip,
        trusted_proxies,
        workers,
        admin_allowed_ips,
        builtin_pages,
        public_url_derived,
        app_base_url_derived,
    }
}

/// Seconds when bare. Zero is refused rather than meaning "no limit": without one, a client that
/// never finishes its body holds its connection forever.
fn body_timeout(raw: &str) -> Result<std::time::Duration, String> {
    let d = values::short_duration(raw, 1000, std::time::Duration::from_secs(600))?;
    if d.is_zero() {
        Err("must be longer than zero".to_owned())
    } else {
        Ok(d)
    }
}

fn secret(raw: &str) -> Result<SecretString, String> {
    values::not_published(raw)?;
    if raw.len() < MIN_SECRET_BYTES {
        // The length is safe to show; the value never is.
        Err(format!(
            "must be at least {MIN_SECRET_BYTES} bytes, got {}",
            raw.len()
        ))
    } else {
        Ok(SecretString::from(raw.to_owned()))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Rs256,
    Hs256,
}

fn jwt(r: &mut Reader) -> JwtConfig {
    let secret_set = r.is_set("JWT_ACCESS_SECRET");
    let default = if secret_set {
        Algorithm::Hs256
    } else {
        Algorithm::Rs256
    };
    let algorithm = r.or("JWT_ALGORITHM", default, |v| {
        match v.to_ascii_uppercase().as_str() {
            "RS256" => Ok(Algorithm::Rs256),
            "HS256" => Ok(Algorithm::Hs256),
            _ => Err(format!("{v:?} is not supported (expected RS256 or HS256)")),
        }
    });
    let key_files: Vec<PathBuf> = r
        .raw("JWT_PRIVATE_KEY_FILE")
        .map(|v| values::list(v).into_iter().map(PathBuf::from).collect())
        .unwrap_or_default();
    let signing = match algorithm {
        Algorithm::Rs256 => {
            if secret_set {
                r.problem(
                    "JWT_ACCESS_SECRET",
                    "is only used with HS256, but JWT_ALGORITHM is RS256: remove it or set \
                     JWT_ALGORITHM=HS256",
                );
            }
            Signing::Rs256 { key_files }
        }
        Algorithm::Hs256 => {
            if !key_files.is_empty() {
                r.problem(
                    "JWT_PRIVATE_KEY_FILE",
                    "is only used with RS256, but JWT_ALGORITHM is HS256 (the default when \
                     JWT_ACCESS_SECRET is set): remove one of them",
                );
            }
            let secret = r.optional("JWT_ACCESS_SECRET", secret);
            if !secret_set {
                r.problem(
                    "JWT_ACCESS_SECRET",
                    format!(
                        "is required with JWT_ALGORITHM=HS256 (at least {MIN_SECRET_BYTES} bytes; \
                         JWT_SECRET, its CheckInn name, works too)"
                    ),
                );
            }
            Signing::Hs256 {
                secret: secret.unwrap_or_else(|| SecretString::from(String::new())),
            }
        }
    };
    JwtConfig {
        signing,
        issuer: r.or("JWT_ISSUER", "authd".to_owned(), |v| Ok(v.to_owned())),
        audience: r.or("JWT_AUDIENCE", "authd".to_owned(), |v| Ok(v.to_owned())),
        refresh_secret: r.optional("JWT_REFRESH_SECRET", secret),
        verified_cache: r.or(
            "JWT_VERIFIED_CACHE",
            authd_crypto::DEFAULT_VERIFIED_CACHE,
            |v| values::integer::<usize>(v, 0..=100_000),
        ),
    }
}

/// A duration that must be positive.
fn positive(raw: &str) -> Result<Duration, String> {
    let d = duration(raw, 1)?;
    if d > Duration::zero() {
        Ok(d)
    } else {
        Err("must be longer than zero".to_owned())
    }
}

fn auth(r: &mut Reader) -> AuthSettings {
    let password_policy = r.or("PASSWORD_POLICY", PasswordPolicy::classic(), |v| {
        match v.to_ascii_lowercase().as_str() {
            "classic" => Ok(PasswordPolicy::classic()),
            "nist" => Ok(PasswordPolicy::nist()),
            "checkinn" => Ok(PasswordPolicy::checkinn()),
            _ => Err(format!(
                "{v:?} is not a policy (expected classic, nist or checkinn)"
            )),
        }
    });
    let lockout = LockoutPolicy {
        enabled: r.or("ENABLE_ACCOUNT_LOCKOUT", true, values::boolean),
        max_attempts: r.or("MAX_FAILED_ATTEMPTS", 5, |v| {
            values::integer::<u32>(v, 1..=1000)
        }),
        duration: r.or("LOCKOUT_DURATION", Duration::minutes(30), |v| {
            // The Perfect21 doc gives LOCKOUT_DURATION=30, in minutes (the CheckInn doc's
            // LOCK_TIME=15 too).
            let d = duration(v, 60)?;
            if d > Duration::zero() {
                Ok(d)
            } else {
                Err("must be longer than zero".to_owned())
            }
        }),
    };
    AuthSettings {
        password_policy,
        lockout,
        access_ttl: r.or("JWT_ACCESS_EXPIRY", Duration::minutes(15), positive),
        refresh_ttl: r.or("JWT_REFRESH_EXPIRY", Duration::days(7), positive),
        refresh_ttl_short: r.or("SESSION_TIMEOUT", Duration::hours(24), positive),
        reuse_grace: r.or("REFRESH_REUSE_GRACE", Duration::seconds(10), |v| {
            duration(v, 1)
        }),
        rotate_refresh_tokens: r.or("REFRESH_TOKEN_ROTATION", true, values::boolean),
        max_sessions: r.or("MAX_CONCURRENT_SESSIONS", 5, |v| {
            values::integer::<usize>(v, 0..=10_000)
        }),
        verification_ttl: r.or("EMAIL_VERIFICATION_EXPIRY", Duration::hours(24), positive),
        reset_ttl: r.or("PASSWORD_RESET_EXPIRY", Duration::hours(1), positive),
        require_email_verification: r.or("REQUIRE_EMAIL_VERIFICATION", true, values::boolean),
        checkinn_require_email_verification: r.or(
            "CHECKINN_REQUIRE_EMAIL_VERIFICATION",
            false,
            values::boolean,
        ),
        email_domains: if r.or("ALLOW_LOCAL_EMAIL_DOMAINS", false, values::boolean) {
            EmailDomains::AllowLocal
        } else {
            EmailDomains::Routable
        },
        mail_cooldown: r.or("MAIL_COOLDOWN", Duration::seconds(60), |v| duration(v, 1)),
        roles: std::sync::Arc::new(admin::roles(r)),
        new_device_alerts: r.or("NEW_DEVICE_ALERTS", true, values::boolean),
        stuffing: admin::stuffing(r),
        // Filled in by `load` once the MFA variables and the rate limits are read.
        mfa: MfaSettings::default(),
    }
}

fn hashing(r: &mut Reader) -> HashingConfig {
    HashingConfig {
        rounds: r.or("BCRYPT_ROUNDS", 12, |v| values::integer::<u32>(v, 4..=31)),
        workers: r.or("HASH_WORKERS", cores(), |v| {
            values::integer::<usize>(v, 1..=1024)
        }),
        queue_max: r.or("HASH_QUEUE_MAX", 64, |v| {
            values::integer::<usize>(v, 1..=1_000_000)
        }),
        pepper: r.optional("PASSWORD_PEPPER", |v| Ok(SecretString::from(v.to_owned()))),
    }
}

fn mail(r: &mut Reader) -> MailConfig {
    let from = r.optional("SMTP_FROM", |v| {
        // `.env` files often quote the value, as the Perfect21 doc does.
        Sender::parse(v.trim_matches('"')).map_err(|e| e.to_string())
    });
    MailConfig {
        dir: r.or("MAIL_DIR", PathBuf::from("./var/mail"), |v| {
            Ok(PathBuf::from(v))
        }),
        from: from.unwrap_or_default(),
        poll_interval: r.or(
            "OUTBOX_POLL_INTERVAL_MS",
            std::time::Duration::from_millis(1000),
            |v| values::integer::<u64>(v, 10..=3_600_000).map(std::time::Duration::from_millis),
        ),
        retry: retry(r),
        smtp: smtp::smtp(r),
    }
}

fn retry(r: &mut Reader) -> RetryPolicy {
    let defaults = RetryPolicy::default();
    let first_delay = r.or("OUTBOX_RETRY_DELAY", defaults.first_delay, positive);
    let max_delay = r.or("OUTBOX_RETRY_MAX_DELAY", defaults.max_delay, positive);
    if first_delay > max_delay {
        r.problem(
            "OUTBOX_RETRY_DELAY",
            "is longer than OUTBOX_RETRY_MAX_DELAY: the first retry cannot wait longer than the \
             longest",
        );
    }
    RetryPolicy {
        first_delay,
        max_delay,
        max_attempts: r.or("OUTBOX_MAX_ATTEMPTS", defaults.max_attempts, |v| {
            values::integer::<u32>(v, 1..=1000)
        }),
    }
}

fn log(r: &mut Reader) -> LogConfig {
    LogConfig {
        level: r.or("LOG_LEVEL", "info".to_owned(), values::log_filter),
        format: r.or("LOG_FORMAT", LogFormat::Pretty, |v| {
            match v.to_ascii_lowercase().as_str() {
                "pretty" => Ok(LogFormat::Pretty),
                "json" => Ok(LogFormat::Json),
                _ => Err(format!(
                    "{v:?} is not a log format (expected pretty or json)"
                )),
            }
        }),
    }
}
