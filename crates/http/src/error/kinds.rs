//! One error of each kind, for the OpenAPI document's examples and for tests.

use super::ApiError;
use authd_domain::mfa::MfaMethod;
use authd_domain::policy::rate_limit::RateLimitDecision;
use authd_domain::token::RawToken;

impl ApiError {
    /// One error of each kind: the OpenAPI document's examples, and tests that check what a code
    /// and status can be. The `match` makes a new kind fail to compile until it is listed here.
    pub(crate) fn every_kind() -> Vec<Self> {
        use crate::middleware::rate_limit::LimitGroup;
        let all = vec![
            Self::Validation(Vec::new()),
            Self::MissingCredentials,
            Self::MissingToken,
            Self::MissingRefreshToken,
            Self::InvalidCredentials,
            Self::EmailNotVerified,
            Self::AccountLocked { retry_after: 1 },
            Self::AccountSuspended,
            Self::AccountDeleted,
            Self::EmailExists,
            Self::UsernameExists,
            Self::InvalidOneTimeToken,
            Self::OneTimeTokenExpired,
            Self::InvalidAccessToken,
            Self::AccessTokenExpired,
            Self::InvalidRefreshToken,
            Self::TokenRevoked,
            Self::AccountGone,
            Self::MissingAuthHeader,
            Self::InvalidAuthFormat,
            Self::CsrfFailed,
            Self::CorsOriginNotAllowed,
            Self::NotFound("x"),
            Self::MethodNotAllowed { allow: None },
            Self::RequestTimeout,
            Self::PayloadTooLarge { limit: 1 },
            Self::UnsupportedMediaType,
            Self::RateLimitExceeded {
                group: LimitGroup::General,
                retry_after: 1,
            },
            Self::MfaRequired {
                mfa_token: RawToken::new("x".to_owned()),
                methods: vec![MfaMethod::Totp, MfaMethod::BackupCode],
            },
            Self::InvalidMfaToken,
            Self::InvalidMfaCode,
            Self::MfaBackupCodeUsed,
            Self::MfaNotEnabled,
            Self::MfaAlreadyEnabled,
            Self::MfaMethodUnavailable,
            Self::DeviceNotFound,
            Self::InsufficientPermissions,
            Self::IpNotAllowed,
            Self::UserNotFound,
            Self::TargetDeleted,
            Self::TargetSuspended,
            Self::LastAdmin,
            Self::MfaRateLimited(RateLimitDecision {
                allowed: false,
                limit: 10,
                remaining: 0,
                resets_in: chrono::Duration::seconds(1),
            }),
            Self::ServiceBusy,
            Self::ServiceUnavailable("x".into()),
            Self::Internal("x".into()),
        ];
        for e in &all {
            match e {
                Self::Validation(_)
                | Self::MissingCredentials
                | Self::MissingToken
                | Self::MissingRefreshToken
                | Self::InvalidCredentials
                | Self::EmailNotVerified
                | Self::AccountLocked { .. }
                | Self::AccountSuspended
                | Self::AccountDeleted
                | Self::EmailExists
                | Self::UsernameExists
                | Self::InvalidOneTimeToken
                | Self::OneTimeTokenExpired
                | Self::InvalidAccessToken
                | Self::AccessTokenExpired
                | Self::InvalidRefreshToken
                | Self::TokenRevoked
                | Self::AccountGone
                | Self::MissingAuthHeader
                | Self::InvalidAuthFormat
                | Self::CsrfFailed
                | Self::CorsOriginNotAllowed
                | Self::NotFound(_)
                | Self::MethodNotAllowed { .. }
                | Self::RequestTimeout
                | Self::PayloadTooLarge { .. }
                | Self::UnsupportedMediaType
                | Self::RateLimitExceeded { .. }
                | Self::MfaRequired { .. }
                | Self::InvalidMfaToken
                | Self::InvalidMfaCode
                | Self::MfaBackupCodeUsed
                | Self::MfaNotEnabled
                | Self::MfaAlreadyEnabled
                | Self::MfaMethodUnavailable
                | Self::DeviceNotFound
                | Self::InsufficientPermissions
                | Self::IpNotAllowed
                | Self::UserNotFound
                | Self::TargetDeleted
                | Self::TargetSuspended
                | Self::LastAdmin
                | Self::MfaRateLimited(_)
                | Self::ServiceBusy
                | Self::ServiceUnavailable(_)
                | Self::Internal(_) => {}
            }
        }
        all
    }
}
