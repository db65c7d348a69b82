//! Which limits a request counts against, from its method and path alone, so the decision is
//! made before routing and before the body is read.
//!
//! Every `/v1/*` request counts against `general`, unknown paths and wrong methods included (a
//! scanner pays for its probes). Outside `/v1` nothing is limited: `/health/*` and
//! `/.well-known/jwks.json` are polled by orchestrators and token verifiers. `/v1/health` is
//! exempt for the same reason; its probes are cached instead. Preflight `OPTIONS` requests are
//! never counted: browsers send them on their own, ahead of the request that does count.

use crate::settings::RateLimits;
use actix_web::http::Method;
use authd_domain::policy::rate_limit::RateLimit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitGroup {
    General,
    Login,
    Register,
    /// Forgot-password and reset-password share one bucket.
    PasswordReset,
}

impl LimitGroup {
    /// The `<group>` of the counter key `rl:<group>:<ip>`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Login => "login",
            Self::Register => "register",
            Self::PasswordReset => "password-reset",
        }
    }

    /// What was attempted too often, in the 429 message ("Too many {this}. Try again in ...").
    #[must_use]
    pub const fn attempts(self) -> &'static str {
        match self {
            Self::General => "requests",
            Self::Login => "login attempts",
            Self::Register => "registration attempts",
            Self::PasswordReset => "password reset requests",
        }
    }
}

impl RateLimits {
    #[must_use]
    pub const fn of(&self, group: LimitGroup) -> RateLimit {
        match group {
            LimitGroup::General => self.general,
            LimitGroup::Login => self.login,
            LimitGroup::Register => self.register,
            LimitGroup::PasswordReset => self.password_reset,
        }
    }
}

/// The groups a request counts against; empty when it is not limited.
#[must_use]
pub fn groups_for(method: &Method, path: &str) -> Vec<LimitGroup> {
    if method == Method::OPTIONS || !path.starts_with("/v1/") || path == "/v1/health" {
        return Vec::new();
    }
    let specific = match path {
        _ if method != Method::POST => None,
        "/v1/auth/login" => Some(LimitGroup::Login),
        "/v1/auth/register" => Some(LimitGroup::Register),
        "/v1/auth/forgot-password" | "/v1/auth/reset-password" => Some(LimitGroup::PasswordReset),
        _ => None,
    };
    std::iter::once(LimitGroup::General)
        .chain(specific)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use LimitGroup::{General, Login, PasswordReset, Register};

    #[test]
    fn every_v1_route_counts_against_the_general_limit() {
        assert_eq!(groups_for(&Method::GET, "/v1/users/me"), vec![General]);
        assert_eq!(groups_for(&Method::POST, "/v1/auth/refresh"), vec![General]);
        assert_eq!(groups_for(&Method::GET, "/v1/no-such-route"), vec![General]);
    }

    #[test]
    fn login_register_and_password_reset_also_count_against_their_own_limit() {
        assert_eq!(
            groups_for(&Method::POST, "/v1/auth/login"),
            vec![General, Login]
        );
        assert_eq!(
            groups_for(&Method::POST, "/v1/auth/register"),
            vec![General, Register]
        );
        assert_eq!(
            groups_for(&Method::POST, "/v1/auth/forgot-password"),
            vec![General, PasswordReset]
        );
        assert_eq!(
            groups_for(&Method::POST, "/v1/auth/reset-password"),
            vec![General, PasswordReset]
        );
    }

    #[test]
    fn a_wrong_method_on_the_login_path_counts_only_as_a_general_request() {
        assert_eq!(groups_for(&Method::GET, "/v1/auth/login"), vec![General]);
    }

    #[test]
    fn health_jwks_and_preflights_are_not_limited() {
        assert!(groups_for(&Method::GET, "/v1/health").is_empty());
        assert!(groups_for(&Method::GET, "/health/live").is_empty());
        assert!(groups_for(&Method::GET, "/health/ready").is_empty());
        assert!(groups_for(&Method::GET, "/.well-known/jwks.json").is_empty());
        assert!(groups_for(&Method::OPTIONS, "/v1/auth/login").is_empty());
    }

    #[test]
    fn the_default_limits_are_the_documented_table() {
        let limits = RateLimits::default();
        assert!(limits.enabled);
        let table = [
            (General, 100, 15 * 60),
            (Login, 5, 15 * 60),
            (Register, 3, 3600),
            (PasswordReset, 3, 3600),
        ];
        for (group, max, secs) in table {
            let limit = limits.of(group);
            assert_eq!((limit.max, limit.window.num_seconds()), (max, secs));
        }
    }
}
