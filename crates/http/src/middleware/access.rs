//! The access each route declares in the route table, enforced before its extractors run: the
//! table wraps every route in [`guarded`] with its limit and its access, so a handler cannot
//! forget the check. After the rate limit, in order, each step answering before the next costs
//! anything:
//! 1. `Admin` routes: the client address (as the rate limiter sees it, behind
//!    `TRUSTED_PROXIES`) inside `ADMIN_ALLOWED_IPS`, else 403 `IP_NOT_ALLOWED`;
//! 2. the bearer token, verified once (signature and one denylist lookup), else the 401s of
//!    `Authenticated`; the claims are left on the request for that extractor, which then
//!    verifies nothing again;
//! 3. `Permission` routes: the token's roles grant the permission under the current role
//!    configuration (not the token's `permissions` claim, which may be stale), else 403
//!    `INSUFFICIENT_PERMISSIONS`. `Admin` routes: the roles of the caller's *stored* account
//!    grant it (`Admin::authorize`, one read), so a demotion or suspension whose token denial
//!    was lost with Redis's data still takes effect; an account no longer active is 401
//!    `TOKEN_REVOKED`.

use crate::error::ApiError;
use crate::extractors::{CallerPermissions, Verified, parse_bearer, request_ip};
use crate::middleware::rate_limit::{Limit, limited, rate_limit};
use crate::routes::Access;
use crate::settings::HttpSettings;
use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::{Next, from_fn};
use actix_web::web::Data;
use actix_web::{HttpMessage, ResponseError, Route};
use authd_domain::authorization::{Permissions, RoleCatalog};
use authd_domain::services::{Admin, Authenticate};
use authd_domain::token::AccessClaims;
use ipnet::IpNet;
use secrecy::SecretString;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

/// What the check needs, registered as app data by [`crate::app`].
pub struct AccessControl {
    authenticate: Authenticate,
    roles: Arc<RoleCatalog>,
    trusted_proxies: Vec<IpNet>,
    /// `None`: any address may reach the admin routes.
    admin_allowed_ips: Option<Vec<IpNet>>,
    /// Reads an admin route's caller from storage; `None` (tests of the check alone): the
    /// token's roles decide, as on the other routes.
    accounts: Option<Admin>,
}

impl AccessControl {
    #[must_use]
    pub fn new(authenticate: Authenticate, settings: &HttpSettings) -> Self {
        Self {
            authenticate,
            roles: settings.roles.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            admin_allowed_ips: settings.admin_allowed_ips.clone(),
            accounts: None,
        }
    }

    /// Admin routes ask `admin` what their caller's stored account may do.
    #[must_use]
    pub fn with_accounts(self, admin: Admin) -> Self {
        Self {
            accounts: Some(admin),
            ..self
        }
    }

    /// Whether `client` may reach the admin routes. An unknown address (no socket peer) may
    /// not, unless every address may.
    fn admits(&self, client: Option<IpAddr>) -> bool {
        let Some(allowed) = &self.admin_allowed_ips else {
            return true;
        };
        client.is_some_and(|ip| {
            let ip = ip.to_canonical();
            allowed.iter().any(|net| net.contains(&ip))
        })
    }
}

impl fmt::Debug for AccessControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessControl")
            .field("admin_allowed_ips", &self.admin_allowed_ips)
            .finish_non_exhaustive()
    }
}

/// `route` counted against `limit`, then behind the check of `access`: one middleware doing
/// both, so that an authenticated route costs no more layers than a public one.
#[must_use]
pub fn guarded(route: Route, limit: Limit, access: Access) -> Route {
    if !access.needs_token() {
        return limited(route, limit);
    }
    route.wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
        rate_limit(limit.groups(), req, move |req| check(access, req, next))
    }))
}

async fn check(
    access: Access,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    match admit(access, &req).await {
        Ok((claims, stored)) => {
            tracing::Span::current().record("user_id", tracing::field::display(claims.user_id));
            {
                let mut extensions = req.extensions_mut();
                extensions.insert(Verified(claims));
                if let Some(permissions) = stored {
                    extensions.insert(CallerPermissions(permissions));
                }
            }
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(refusal) => {
            let res = refusal.error_response();
            Ok(req.into_response(res).map_into_right_body())
        }
    }
}

/// The verified claims of a caller `access` admits (with, on admin routes, what its stored
/// account may do), or the refusal.
async fn admit(
    access: Access,
    req: &ServiceRequest,
) -> Result<(AccessClaims, Option<Permissions>), ApiError> {
    let control = req.app_data::<Data<AccessControl>>();
    if access.admin_network() {
        let control = control.ok_or_else(unregistered)?;
        let peer = req.peer_addr().map(|addr| addr.ip());
        let client = request_ip(req.headers(), peer, &control.trusted_proxies);
        if !control.admits(client) {
            tracing::info!(client = ?client, "request refused: address outside ADMIN_ALLOWED_IPS");
            return Err(ApiError::IpNotAllowed);
        }
    }
    // The header before the state: a request without a token is a 401 whatever else is wrong.
    let token = SecretString::from(parse_bearer(req.headers().get(AUTHORIZATION))?);
    let control = control.ok_or_else(unregistered)?;
    let claims = control.authenticate.authenticate(&token).await?;
    let stored = match (&control.accounts, access.admin_network()) {
        (Some(accounts), true) => Some(accounts.authorize(&claims).await?),
        _ => None,
    };
    let granted = stored.unwrap_or_else(|| control.roles.permissions_of(&claims.roles));
    if let Some(permission) = access.permission()
        && !granted.contains(permission)
    {
        tracing::info!(
            permission = permission.as_str(),
            "request refused: the caller's roles lack the permission"
        );
        return Err(ApiError::InsufficientPermissions);
    }
    Ok((claims, stored))
}

/// The app was assembled without the access check's data (a bug: 500).
fn unregistered() -> ApiError {
    ApiError::internal("access control is not registered")
}

#[cfg(test)]
mod tests;
