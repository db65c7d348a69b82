//! The SMTP section: `SMTP_HOST` selects delivery over SMTP (otherwise mail is written to files),
//! with `SMTP_PORT`, `SMTP_SECURITY`, `SMTP_USER`, `SMTP_PASSWORD` and `SMTP_TIMEOUT` (the
//! CheckInn names `EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_USERNAME`, `EMAIL_PASSWORD` are read as
//! aliases by the reader).
//!
//! The password lives in a `SecretString` and is never echoed. It is never sent in clear text to
//! another machine: `SMTP_SECURITY=none` (or `opportunistic`, which a man in the middle can
//! downgrade) with credentials is accepted only for a relay on the loopback interface.

use super::reader::Reader;
use super::values;
use authd_smtp::SmtpSecurity;
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;

/// The variables that only make sense with `SMTP_HOST` (`SMTP_FROM` also applies to files).
const SMTP_PARTS: [&str; 6] = [
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_TIMEOUT",
    "SMTP_CA_FILE",
];

/// Well under the outbox lease (60 s): a delivery still running when its lease ran out could be
/// claimed and sent a second time by another instance.
const MAX_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and how to deliver mail over SMTP.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `SMTP_HOST`.
    pub host: String,
    /// `SMTP_PORT` (587).
    pub port: u16,
    /// `SMTP_SECURITY`: `tls` on port 465, `starttls` otherwise; also `opportunistic` and `none`.
    pub security: SmtpSecurity,
    /// `SMTP_USER` and `SMTP_PASSWORD`, both or neither.
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// `SMTP_TIMEOUT` (10s): one delivery attempt, end to end.
    pub timeout: Duration,
    /// `SMTP_CA_FILE`: PEM certificates trusted besides the public roots (a private relay's CA).
    pub ca_file: Option<PathBuf>,
}

pub(super) fn smtp(r: &mut Reader) -> Option<SmtpConfig> {
    if !r.is_set("SMTP_HOST") {
        for part in SMTP_PARTS {
            if r.is_set(part) {
                r.problem(
                    part,
                    "is set but SMTP_HOST (or EMAIL_HOST) is not: set it too (without it \
                     mail is written to files under MAIL_DIR)",
                );
            }
        }
        return None;
    }
    let host = r.or("SMTP_HOST", String::new(), values::host);
    let port = r.or("SMTP_PORT", 587, |v| {
        values::integer::<u16>(v, 1..=u16::MAX)
    });
    let default_security = if port == 465 {
        SmtpSecurity::Tls
    } else {
        SmtpSecurity::StartTls
    };
    let security = r.or("SMTP_SECURITY", default_security, |v| {
        v.parse::<SmtpSecurity>().map_err(|e| e.to_string())
    });
    let timeout = r.or("SMTP_TIMEOUT", Duration::from_secs(10), |v| {
        let d = values::short_duration(v, 1000, MAX_TIMEOUT)?;
        if d < Duration::from_millis(100) {
            Err("must be at least 100ms".to_owned())
        } else {
            Ok(d)
        }
    });
    let username = r.raw("SMTP_USER").map(str::to_owned);
    let password = r
        .raw("SMTP_PASSWORD")
        .map(|p| SecretString::from(p.to_owned()));
    match (&username, &password) {
        (Some(_), None) => r.problem("SMTP_PASSWORD", "is required with SMTP_USER"),
        (None, Some(_)) => r.problem("SMTP_USER", "is required with SMTP_PASSWORD"),
        _ => {}
    }
    let may_be_clear_text = matches!(security, SmtpSecurity::None | SmtpSecurity::Opportunistic);
    if may_be_clear_text && password.is_some() && !is_loopback(&host) {
        r.problem(
            "SMTP_PASSWORD",
            format!(
                "could be sent in clear text to {host} with SMTP_SECURITY={}: use starttls or \
                 tls (clear text is accepted for a relay on localhost only)",
                r.raw("SMTP_SECURITY").unwrap_or_default()
            ),
        );
    }
    let ca_file = r.optional("SMTP_CA_FILE", |v| Ok(PathBuf::from(v)));
    if host.is_empty() {
        return None;
    }
    Some(SmtpConfig {
        host,
        port,
        security,
        username,
        password,
        timeout,
        ca_file,
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
