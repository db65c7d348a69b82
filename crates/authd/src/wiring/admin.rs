//! The first admin (`BOOTSTRAP_ADMIN_*` at start-up, `authd admin` on the command line) and
//! the GeoIP database.

use super::cache::{self, Cache};
use super::storage::{self, Storage};
use crate::app::StartupError;
use crate::config::{BootstrapAdmin, Config};
use authd_clock::SystemClock;
use authd_domain::ports::{Clock, Geolocator, NoGeolocation, PasswordHasher, TokenDenylist};
use authd_domain::services::{
    AdminCreated, AuthSettings, FirstAdmin, FirstAdminError, FirstAdminPorts, NewAdmin,
};
use authd_geoip::MaxMindGeolocator;
use std::sync::Arc;

/// `GEOIP_DATABASE` when set, else no places. A file that is no MaxMind DB stops start-up.
pub(super) fn geolocator(config: &Config) -> Result<Arc<dyn Geolocator>, StartupError> {
    let Some(path) = &config.geoip_database else {
        return Ok(Arc::new(NoGeolocation));
    };
    let geo = MaxMindGeolocator::open(path).map_err(StartupError::GeoIp)?;
    tracing::info!(
        path = %path.display(),
        database_type = geo.database_type(),
        "sessions are placed with a GeoIP database"
    );
    Ok(Arc::new(geo))
}

pub(super) fn first_admin(
    storage: &Storage,
    denylist: Arc<dyn TokenDenylist>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    auth: &AuthSettings,
) -> FirstAdmin {
    FirstAdmin::new(
        FirstAdminPorts {
            users: storage.users.clone(),
            directory: storage.directory.clone(),
            hasher,
            denylist,
            audit: storage.audit.clone(),
            clock,
        },
        auth.roles.clone(),
        auth.password_policy,
        auth.access_ttl,
    )
}

/// `BOOTSTRAP_ADMIN_*`: makes the first admin unless one exists. Stops start-up on failure.
pub(super) async fn bootstrap(
    first_admin: &FirstAdmin,
    admin: &BootstrapAdmin,
) -> Result<(), StartupError> {
    let input = NewAdmin {
        email: admin.email.clone(),
        username: admin.username.clone(),
        password: admin.password.clone(),
    };
    match first_admin.ensure(input).await {
        Ok(None | Some(AdminCreated::AlreadyAdmin(_) | AdminCreated::AlreadyHeld(_))) => {
            tracing::debug!("an admin exists already: BOOTSTRAP_ADMIN_* left unused");
            Ok(())
        }
        Ok(Some(AdminCreated::Promoted(_) | AdminCreated::Granted(_))) => {
            tracing::info!("first admin created: {} (an existing account)", admin.email);
            Ok(())
        }
        Ok(Some(AdminCreated::Created(_))) => {
            tracing::info!("first admin created: {}", admin.email);
            Ok(())
        }
        Err(e) => Err(StartupError::BootstrapAdmin {
            email: admin.email.clone(),
            reason: describe(&e),
        }),
    }
}

/// One line saying what is wrong, with every invalid field.
pub(crate) fn describe(e: &FirstAdminError) -> String {
    match e {
        FirstAdminError::Validation(errors) => errors
            .0
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// What `authd admin` needs: the configured PostgreSQL (migrated as `authd serve` would), the
/// configured denylist (Redis, else one in this process: a running server's own cannot be
/// reached) and the password hasher.
pub(crate) async fn admin_tools(config: &Config) -> Result<FirstAdmin, StartupError> {
    let Some(db) = &config.database else {
        return Err(StartupError::NoDatabase);
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let storage = storage::postgres(db).await?;
    let Cache { denylist, .. } = match &config.redis {
        Some(redis) => {
            let horizon = config.auth.access_ttl;
            cache::redis(redis, clock.clone(), storage.sessions.clone(), horizon).await?
        }
        None => cache::memory(clock.clone(), false),
    };
    let hasher: Arc<dyn PasswordHasher> = Arc::new(super::bcrypt(config)?);
    Ok(first_admin(&storage, denylist, hasher, clock, &config.auth))
}
