//! Administration: the roles (`ROLE_PERMISSIONS`, `DEFAULT_ROLE`, `SELF_ASSIGNABLE_ROLES`), who
//! may reach `/v1/admin/*` (`ADMIN_ALLOWED_IPS`), the first admin (`BOOTSTRAP_ADMIN_*`), sign-in
//! alerts and credential stuffing (`NEW_DEVICE_ALERTS`, `STUFFING_*`) and `GEOIP_DATABASE`.

use super::reader::Reader;
use super::values::{self, duration};
use authd_domain::authorization::RoleCatalog;
use authd_domain::ports::SpreadLimit;
use chrono::Duration;
use ipnet::IpNet;
use secrecy::SecretString;
use std::path::PathBuf;

/// `BOOTSTRAP_ADMIN_*`: the administrator made at start-up when there is none yet.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    /// `BOOTSTRAP_ADMIN_EMAIL`.
    pub email: String,
    /// `BOOTSTRAP_ADMIN_USERNAME` (`admin`).
    pub username: String,
    /// `BOOTSTRAP_ADMIN_PASSWORD`.
    pub password: SecretString,
}

/// The configured roles; on a problem, the default catalog after recording it.
pub(super) fn roles(r: &mut Reader) -> RoleCatalog {
    let permissions = r
        .raw("ROLE_PERMISSIONS")
        .unwrap_or(RoleCatalog::DEFAULT_ROLE_PERMISSIONS)
        .to_owned();
    let default_role = r
        .raw("DEFAULT_ROLE")
        .unwrap_or(RoleCatalog::DEFAULT_ROLE)
        .to_owned();
    let self_assignable = r.raw("SELF_ASSIGNABLE_ROLES").map(str::to_owned);
    match RoleCatalog::parse(&permissions, &default_role, self_assignable.as_deref()) {
        Ok(catalog) => catalog,
        Err(e) => {
            let variable = e.variable();
            // The error already names its variable; the reader's line adds it again.
            let line = e.to_string();
            let message = line
                .strip_prefix(&format!("{variable}: "))
                .unwrap_or(&line)
                .to_owned();
            r.problem(variable, message);
            RoleCatalog::default()
        }
    }
}

/// `ADMIN_ALLOWED_IPS`: `None` (unset or empty) lets any address reach the admin routes.
pub(super) fn admin_allowed_ips(r: &mut Reader) -> Option<Vec<IpNet>> {
    r.optional("ADMIN_ALLOWED_IPS", |v| {
        values::list(v).iter().map(|n| values::proxy(n)).collect()
    })
    .filter(|nets: &Vec<IpNet>| !nets.is_empty())
}

/// `STUFFING_THRESHOLD` distinct accounts failed from one address within `STUFFING_WINDOW`.
pub(super) fn stuffing(r: &mut Reader) -> SpreadLimit {
    SpreadLimit {
        accounts: r.or("STUFFING_THRESHOLD", 10, |v| {
            values::integer::<u32>(v, 2..=10_000)
        }),
        window: r.or("STUFFING_WINDOW", Duration::minutes(15), |v| {
            let d = duration(v, 1)?;
            if d > Duration::zero() {
                Ok(d)
            } else {
                Err("must be longer than zero".to_owned())
            }
        }),
    }
}

/// `BOOTSTRAP_ADMIN_EMAIL` and `BOOTSTRAP_ADMIN_PASSWORD` come together or not at all.
pub(super) fn bootstrap_admin(r: &mut Reader) -> Option<BootstrapAdmin> {
    let email = r.raw("BOOTSTRAP_ADMIN_EMAIL").map(str::to_owned);
    // Not trimmed beyond what the reader does: the value is used as given.
    let password = r
        .raw("BOOTSTRAP_ADMIN_PASSWORD")
        .map(|p| SecretString::from(p.to_owned()));
    let username = r.raw("BOOTSTRAP_ADMIN_USERNAME").map(str::to_owned);
    match (email, password) {
        (Some(email), Some(password)) => Some(BootstrapAdmin {
            email,
            username: username.unwrap_or_else(|| "admin".to_owned()),
            password,
        }),
        (Some(_), None) => {
            r.problem(
                "BOOTSTRAP_ADMIN_PASSWORD",
                "is required with BOOTSTRAP_ADMIN_EMAIL (set both, or neither)",
            );
            None
        }
        (None, Some(_)) => {
            r.problem(
                "BOOTSTRAP_ADMIN_EMAIL",
                "is required with BOOTSTRAP_ADMIN_PASSWORD (set both, or neither)",
            );
            None
        }
        (None, None) => {
            if username.is_some() {
                r.problem(
                    "BOOTSTRAP_ADMIN_USERNAME",
                    "is only used with BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD",
                );
            }
            None
        }
    }
}

/// `GEOIP_DATABASE`: the path only; start-up opens it and refuses a file that is no MaxMind DB.
pub(super) fn geoip_database(r: &mut Reader) -> Option<PathBuf> {
    r.optional("GEOIP_DATABASE", |v| Ok(PathBuf::from(v)))
}
