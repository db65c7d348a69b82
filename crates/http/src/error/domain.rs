//! Domain errors to [`ApiError`]: one exhaustive `match` per use-case error, so a new domain case
//! cannot compile until it has an answer here.

use super::ApiError;
use authd_domain::error::{InfraError, ValidationErrors};
use authd_domain::services::{
    AdminError, AuthenticateError, ChangePasswordError, DeactivateError, LoginError, MfaError,
    MfaLoginError, ProfileError, RefreshError, RegisterError, ResendError, ResetPasswordError,
    RevokeSessionError, SendCodeError, UnlockError, UpdateProfileError, VerifyEmailError,
};

impl From<InfraError> for ApiError {
    fn from(e: InfraError) -> Self {
        match e {
            InfraError::Busy => Self::ServiceBusy,
            InfraError::Unavailable(cause) => Self::ServiceUnavailable(cause),
            InfraError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        Self::Validation(e.0)
    }
}

impl From<ResendError> for ApiError {
    fn from(e: ResendError) -> Self {
        match e {
            ResendError::Validation(v) => v.into(),
            ResendError::Infra(e) => e.into(),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(e: AuthenticateError) -> Self {
        match e {
            AuthenticateError::InvalidToken => Self::InvalidAccessToken,
            AuthenticateError::TokenExpired => Self::AccessTokenExpired,
            AuthenticateError::TokenRevoked => Self::TokenRevoked,
            AuthenticateError::Infra(e) => e.into(),
        }
    }
}

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Validation(v) => v.into(),
            RegisterError::EmailTaken => Self::EmailExists,
            RegisterError::UsernameTaken => Self::UsernameExists,
            RegisterError::Infra(e) => e.into(),
        }
    }
}

impl From<UnlockError> for ApiError {
    fn from(e: UnlockError) -> Self {
        match e {
            UnlockError::Validation(v) => v.into(),
            UnlockError::InvalidToken => Self::InvalidOneTimeToken,
            UnlockError::TokenExpired => Self::OneTimeTokenExpired,
            UnlockError::Infra(e) => e.into(),
        }
    }
}

impl From<VerifyEmailError> for ApiError {
    fn from(e: VerifyEmailError) -> Self {
        match e {
            VerifyEmailError::InvalidToken => Self::InvalidOneTimeToken,
            VerifyEmailError::TokenExpired => Self::OneTimeTokenExpired,
            VerifyEmailError::Infra(e) => e.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::MissingCredentials => Self::MissingCredentials,
            LoginError::InvalidCredentials => Self::InvalidCredentials,
            LoginError::EmailNotVerified => Self::EmailNotVerified,
            LoginError::AccountLocked { retry_after } => Self::AccountLocked { retry_after },
            LoginError::AccountSuspended => Self::AccountSuspended,
            LoginError::AccountDeleted => Self::AccountDeleted,
            LoginError::MfaRequired { mfa_token, methods } => {
                Self::MfaRequired { mfa_token, methods }
            }
            LoginError::Infra(e) => e.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(e: RefreshError) -> Self {
        match e {
            RefreshError::InvalidRefreshToken => Self::InvalidRefreshToken,
            RefreshError::TokenRevoked => Self::TokenRevoked,
            RefreshError::Infra(e) => e.into(),
        }
    }
}

impl From<ResetPasswordError> for ApiError {
    fn from(e: ResetPasswordError) -> Self {
        match e {
            ResetPasswordError::Validation(v) => v.into(),
            ResetPasswordError::InvalidToken => Self::InvalidOneTimeToken,
            ResetPasswordError::TokenExpired => Self::OneTimeTokenExpired,
            ResetPasswordError::Infra(e) => e.into(),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(e: ChangePasswordError) -> Self {
        match e {
            ChangePasswordError::Validation(v) => v.into(),
            ChangePasswordError::InvalidCredentials => Self::InvalidCredentials,
            ChangePasswordError::AccountLocked { retry_after } => {
                Self::AccountLocked { retry_after }
            }
            ChangePasswordError::AccountGone => Self::AccountGone,
            ChangePasswordError::Infra(e) => e.into(),
        }
    }
}

impl From<ProfileError> for ApiError {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::AccountGone => Self::AccountGone,
            ProfileError::Infra(e) => e.into(),
        }
    }
}

impl From<UpdateProfileError> for ApiError {
    fn from(e: UpdateProfileError) -> Self {
        match e {
            UpdateProfileError::Validation(v) => v.into(),
            UpdateProfileError::AccountGone => Self::AccountGone,
            UpdateProfileError::Infra(e) => e.into(),
        }
    }
}

impl From<DeactivateError> for ApiError {
    fn from(e: DeactivateError) -> Self {
        match e {
            DeactivateError::Validation(v) => v.into(),
            DeactivateError::InvalidCredentials => Self::InvalidCredentials,
            DeactivateError::AccountLocked { retry_after } => Self::AccountLocked { retry_after },
            DeactivateError::AccountGone => Self::AccountGone,
            DeactivateError::LastAdmin => Self::LastAdmin,
            DeactivateError::Infra(e) => e.into(),
        }
    }
}

impl From<RevokeSessionError> for ApiError {
    fn from(e: RevokeSessionError) -> Self {
        match e {
            RevokeSessionError::NotFound => Self::NotFound("Session not found"),
            RevokeSessionError::Infra(e) => e.into(),
        }
    }
}

impl From<MfaError> for ApiError {
    fn from(e: MfaError) -> Self {
        match e {
            MfaError::Validation(v) => v.into(),
            MfaError::MethodUnavailable => Self::MfaMethodUnavailable,
            MfaError::AlreadyEnabled => Self::MfaAlreadyEnabled,
            MfaError::NotEnabled => Self::MfaNotEnabled,
            MfaError::InvalidCode => Self::InvalidMfaCode,
            MfaError::BackupCodeUsed => Self::MfaBackupCodeUsed,
            MfaError::InvalidCredentials => Self::InvalidCredentials,
            MfaError::AccountLocked { retry_after } => Self::AccountLocked { retry_after },
            MfaError::RateLimited(decision) => Self::MfaRateLimited(decision),
            MfaError::DeviceNotFound => Self::DeviceNotFound,
            // As `/users/me` answers a bearer token whose account went away.
            MfaError::UserNotFound => Self::AccountGone,
            MfaError::Infra(e) => e.into(),
        }
    }
}

impl From<SendCodeError> for ApiError {
    fn from(e: SendCodeError) -> Self {
        match e {
            SendCodeError::Validation(v) => v.into(),
            SendCodeError::InvalidMfaToken => Self::InvalidMfaToken,
            SendCodeError::MethodUnavailable => Self::MfaMethodUnavailable,
            SendCodeError::NotEnabled => Self::MfaNotEnabled,
            SendCodeError::Infra(e) => e.into(),
        }
    }
}

impl From<MfaLoginError> for ApiError {
    fn from(e: MfaLoginError) -> Self {
        match e {
            MfaLoginError::Validation(v) => v.into(),
            MfaLoginError::InvalidMfaToken => Self::InvalidMfaToken,
            MfaLoginError::InvalidCode => Self::InvalidMfaCode,
            MfaLoginError::BackupCodeUsed => Self::MfaBackupCodeUsed,
            MfaLoginError::AccountLocked { retry_after } => Self::AccountLocked { retry_after },
            MfaLoginError::RateLimited(decision) => Self::MfaRateLimited(decision),
            MfaLoginError::AccountSuspended => Self::AccountSuspended,
            MfaLoginError::AccountDeleted => Self::AccountDeleted,
            // The password the first step verified is no longer the account's: start again.
            MfaLoginError::CredentialsChanged => Self::InvalidCredentials,
            MfaLoginError::Infra(e) => e.into(),
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Validation(v) => v.into(),
            AdminError::UserNotFound => Self::UserNotFound,
            AdminError::AccountDeleted => Self::TargetDeleted,
            AdminError::AccountSuspended => Self::TargetSuspended,
            AdminError::LastAdmin => Self::LastAdmin,
            AdminError::InsufficientPermissions => Self::InsufficientPermissions,
            AdminError::CallerInactive => Self::TokenRevoked,
            AdminError::Infra(e) => e.into(),
        }
    }
}
