//! The limit groups (one bucket per group and client address) and the [`Limit`] a route of the
//! route table declares. The group is never worked out from the request's path: it comes with
//! the route the router matched, so whatever spelling of a path reaches a handler is counted as
//! that handler's route (see `crate::routes`).

use crate::settings::RateLimits;
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

/// What a route counts against, as declared in the route table. Every limited route counts
/// against `general`; login, register and the two password-reset routes against their own group
/// as well. `Exempt` routes (health, JWKS) are polled by orchestrators and token verifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Exempt,
    General,
    Login,
    Register,
    PasswordReset,
}

impl Limit {
    /// The groups a request of this route counts against; empty when it is exempt.
    #[must_use]
    pub const fn groups(self) -> &'static [LimitGroup] {
        use LimitGroup as G;
        match self {
            Self::Exempt => &[],
            Self::General => &[G::General],
            Self::Login => &[G::General, G::Login],
            Self::Register => &[G::General, G::Register],
            Self::PasswordReset => &[G::General, G::PasswordReset],
        }
    }

    /// The name the documentation gives it (`none` when exempt).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exempt => "none",
            Self::General => LimitGroup::General.as_str(),
            Self::Login => LimitGroup::Login.as_str(),
            Self::Register => LimitGroup::Register.as_str(),
            Self::PasswordReset => LimitGroup::PasswordReset.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LimitGroup::{General, Login, PasswordReset, Register};

    #[test]
    fn a_limited_route_counts_against_general_and_its_own_group() {
        assert_eq!(Limit::General.groups(), [General]);
        assert_eq!(Limit::Login.groups(), [General, Login]);
        assert_eq!(Limit::Register.groups(), [General, Register]);
        assert_eq!(Limit::PasswordReset.groups(), [General, PasswordReset]);
        assert!(Limit::Exempt.groups().is_empty());
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
