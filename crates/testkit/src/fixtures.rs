//! Valid domain values for checks: accounts, sessions, tokens, mails, all at fixed timestamps
//! and with unique identities, so checks never collide with each other.

use authd_domain::Timestamp;
use authd_domain::audit::{AuditEvent, AuditKind};
use authd_domain::authorization::RoleName;
use authd_domain::ids::{DeviceId, FactorId, SessionId, TokenId, UserId};
use authd_domain::mfa::{
    DeviceName, Factor, FactorKind, MfaChallenge, RememberedDevice, SealedSecret,
};
use authd_domain::notification::Notification;
use authd_domain::policy::lockout::{LockoutPolicy, LockoutState};
use authd_domain::policy::rotation::RotationPolicy;
use authd_domain::session::{ClientInfo, RefreshToken, RefreshTokenState, Session};
use authd_domain::token::{
    ACCOUNT_UNLOCK_TTL, AccessClaims, OneTimeToken, TokenHash, TokenPurpose,
};
use authd_domain::user::{AccountStatus, Profile, User};
use authd_domain::values::{Email, MobileNumber, PasswordHash, Username};
use chrono::{Duration, TimeZone, Utc};
use uuid::Uuid;

/// How long a verification link lives in the fixtures.
pub const VERIFICATION_TTL: Duration = Duration::hours(24);
/// How long a reset link lives in the fixtures.
pub const RESET_TTL: Duration = Duration::hours(1);

/// 2024-01-01T12:00:00Z: the "now" every check starts from.
#[must_use]
pub fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

/// [`t0`] plus `seconds`.
#[must_use]
pub fn t0_plus(seconds: i64) -> Timestamp {
    t0() + Duration::seconds(seconds)
}

/// Twelve random hex digits, to make names unique.
#[must_use]
pub fn unique() -> String {
    Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// A freshly registered account (`pending`, email not verified) with a unique email and
/// username, created at [`t0`].
#[must_use]
pub fn user() -> User {
    let id = unique();
    user_with(&format!("user-{id}@example.com"), &format!("user_{id}"))
}

/// A freshly registered account with the given email and username.
#[must_use]
pub fn user_with(email: &str, username: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::from_trusted(email.to_owned()),
        username: Username::from_trusted(username.to_owned()),
        password_hash: password_hash(),
        profile: Profile::default(),
        status: AccountStatus::Pending,
        email_verified: false,
        phone_verified: false,
        roles: vec![RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))],
        lockout: LockoutState::default(),
        mfa_enabled: false,
        last_login: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

/// A unique, bcrypt-shaped password hash.
#[must_use]
pub fn password_hash() -> PasswordHash {
    PasswordHash::from_trusted(format!("$2b$04${}", Uuid::new_v4().simple()))
}

/// A unique SHA-256-shaped token hash (64 hex digits).
#[must_use]
pub fn token_hash() -> TokenHash {
    TokenHash::from_trusted(format!(
        "{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    ))
}

/// A verification token of `user` created at `at`, valid for [`VERIFICATION_TTL`].
#[must_use]
pub fn verification_token(user: &User, at: Timestamp) -> OneTimeToken {
    one_time_token(user, TokenPurpose::EmailVerification, at, VERIFICATION_TTL)
}

/// A reset token of `user` created at `at`, valid for [`RESET_TTL`].
#[must_use]
pub fn reset_token(user: &User, at: Timestamp) -> OneTimeToken {
    one_time_token(user, TokenPurpose::PasswordReset, at, RESET_TTL)
}

/// An unlock token of `user` created at `at`, valid for [`ACCOUNT_UNLOCK_TTL`].
#[must_use]
pub fn unlock_token(user: &User, at: Timestamp) -> OneTimeToken {
    one_time_token(user, TokenPurpose::AccountUnlock, at, ACCOUNT_UNLOCK_TTL)
}

fn one_time_token(
    user: &User,
    purpose: TokenPurpose,
    at: Timestamp,
    ttl: Duration,
) -> OneTimeToken {
    OneTimeToken {
        hash: token_hash(),
        user_id: user.id,
        purpose,
        created_at: at,
        expires_at: at + ttl,
    }
}

/// Grace 30 s; refresh tokens live 30 days (`rememberMe`) or 1 day.
#[must_use]
pub fn rotation_policy() -> RotationPolicy {
    RotationPolicy {
        grace: Duration::seconds(30),
        ttl_remembered: Duration::days(30),
        ttl_short: Duration::days(1),
    }
}

/// Five failures lock for 30 minutes.
#[must_use]
pub fn lockout_policy() -> LockoutPolicy {
    LockoutPolicy::default()
}

/// A new session of `user_id` started at `at`.
#[must_use]
pub fn session(user_id: UserId, at: Timestamp, remember_me: bool) -> Session {
    Session {
        id: SessionId::new(),
        user_id,
        client: ClientInfo {
            ip: Some("192.0.2.10".to_owned()),
            user_agent: Some("authd-testkit".to_owned()),
        },
        remember_me,
        created_at: at,
        last_activity: at,
        revoked_at: None,
    }
}

/// The first refresh token of `session`, expiring as [`rotation_policy`] says.
#[must_use]
pub fn refresh_token(session: &Session) -> RefreshToken {
    RefreshToken {
        hash: token_hash(),
        session_id: session.id,
        user_id: session.user_id,
        issued_at: session.created_at,
        expires_at: rotation_policy().successor_expiry(session, session.created_at),
        state: RefreshTokenState::Active,
    }
}

/// The verification mail of `user`, as registration queues it (its link token is minted when
/// it is sent).
#[must_use]
pub fn verify_mail(user: &User) -> Notification {
    Notification::VerifyEmail {
        user_id: user.id,
        to: user.email.clone(),
        username: user.username.clone(),
    }
}

/// The reset mail of `user`, as a reset request queues it.
#[must_use]
pub fn reset_mail(user: &User) -> Notification {
    Notification::PasswordReset {
        user_id: user.id,
        to: user.email.clone(),
        username: user.username.clone(),
    }
}

#[must_use]
pub fn password_changed_mail(user: &User, at: Timestamp) -> Notification {
    Notification::PasswordChanged {
        to: user.email.clone(),
        username: user.username.clone(),
        at,
    }
}

/// The lock mail passed to `record_login_failure` (its `until` is the caller's estimate).
#[must_use]
pub fn lock_mail(user: &User, until: Timestamp) -> Notification {
    Notification::AccountLocked {
        user_id: Some(user.id),
        to: user.email.clone(),
        username: user.username.clone(),
        until,
    }
}

/// The claims of an access token of `user_id` in `session_id`, issued at `issued_at` for 15
/// minutes.
#[must_use]
pub fn access_claims(user_id: UserId, session_id: SessionId, issued_at: Timestamp) -> AccessClaims {
    AccessClaims {
        user_id,
        session_id,
        token_id: TokenId::new(),
        issued_at,
        expires_at: issued_at + Duration::minutes(15),
        roles: vec![RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))],
        permissions: authd_domain::authorization::Permissions::none()
            .with(authd_domain::authorization::Permission::UsersRead),
    }
}

/// An audit event of `user_id` at `at`, with a session and a detail so that every field
/// round-trips.
#[must_use]
pub fn audit_event(kind: AuditKind, at: Timestamp, user_id: Option<UserId>) -> AuditEvent {
    let client = ClientInfo {
        ip: Some("198.51.100.7".to_owned()),
        user_agent: Some("Mozilla/5.0".to_owned()),
    };
    AuditEvent::new(kind, at, user_id, &client)
        .with_session(SessionId::new())
        .with_detail("by the testkit")
}

/// A pending TOTP factor of `user_id` set up at `at`, with a unique sealed secret.
#[must_use]
pub fn totp_factor(user_id: UserId, at: Timestamp) -> Factor {
    Factor {
        id: FactorId::new(),
        user_id,
        kind: FactorKind::Totp,
        device_name: Some(DeviceName::from_trusted("Testkit phone".to_owned())),
        phone: None,
        secret: Some(SealedSecret::from_bytes(
            Uuid::new_v4().as_bytes().repeat(3),
        )),
        last_step: None,
        confirmed_at: None,
        created_at: at,
        last_used_at: None,
    }
}

/// A pending SMS factor of `user_id` to `phone` (E.164) set up at `at`: no secret.
#[must_use]
pub fn sms_factor(user_id: UserId, at: Timestamp, phone: &str) -> Factor {
    Factor {
        kind: FactorKind::Sms,
        phone: Some(MobileNumber::parse(phone, "phone").expect("an E.164 number")),
        ..email_factor(user_id, at)
    }
}

/// A pending email factor of `user_id` set up at `at`: no secret.
#[must_use]
pub fn email_factor(user_id: UserId, at: Timestamp) -> Factor {
    Factor {
        id: FactorId::new(),
        user_id,
        kind: FactorKind::Email,
        device_name: None,
        secret: None,
        phone: None,
        last_step: None,
        confirmed_at: None,
        created_at: at,
        last_used_at: None,
    }
}

/// The digests of a fresh set of 10 backup codes, as a setup stores them.
#[must_use]
pub fn backup_code_digests() -> Vec<TokenHash> {
    (0..10).map(|_| token_hash()).collect()
}

/// A login challenge of `user` (its current password hash verified) created at `at`, living [`MfaChallenge::LIFETIME_SECS`].
#[must_use]
pub fn mfa_challenge(user: &User, at: Timestamp) -> MfaChallenge {
    MfaChallenge {
        hash: token_hash(),
        user_id: user.id,
        verified: user.password_hash.clone(),
        remember_me: true,
        client: ClientInfo {
            ip: Some("203.0.113.5".to_owned()),
            user_agent: Some("authd-testkit".to_owned()),
        },
        created_at: at,
        expires_at: at + Duration::seconds(MfaChallenge::LIFETIME_SECS),
        attempts: 0,
        lock_bypass: false,
    }
}

/// A device of `user_id` remembered at `at` for `ttl`, never used since.
#[must_use]
pub fn remembered_device(user_id: UserId, at: Timestamp, ttl: Duration) -> RememberedDevice {
    RememberedDevice {
        id: DeviceId::new(),
        hash: token_hash(),
        user_id,
        user_agent: Some("Mozilla/5.0 (testkit)".to_owned()),
        ip: Some("198.51.100.23".to_owned()),
        created_at: at,
        expires_at: at + ttl,
        last_used_at: None,
    }
}

/// The mail queued when `user` turns MFA on.
#[must_use]
pub fn mfa_enabled_mail(user: &User, at: Timestamp) -> Notification {
    Notification::MfaEnabled {
        to: user.email.clone(),
        username: user.username.clone(),
        at,
    }
}

/// The mail queued when `user` turns MFA off.
#[must_use]
pub fn mfa_disabled_mail(user: &User, at: Timestamp) -> Notification {
    Notification::MfaDisabled {
        to: user.email.clone(),
        username: user.username.clone(),
        at,
    }
}
