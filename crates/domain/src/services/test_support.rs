//! Shared fixtures for the services' unit tests: one mock per port and a fixed clock.

use super::AuthSettings;
use crate::Timestamp;
use crate::authorization::RoleName;
use crate::ids::{SessionId, TokenId, UserId};
use crate::policy::lockout::LockoutState;
use crate::ports::{
    MockAccessTokenCodec, MockAuditLog, MockClock, MockDeviceNames, MockFailureSpread,
    MockGeolocator, MockKnownDevices, MockLoginAttempts, MockMfaRepository, MockOneTimePasswords,
    MockOneTimeTokenRepository, MockOutbox, MockPasswordHasher, MockQrRenderer, MockRateLimiter,
    MockSecretSealer, MockSessionRepository, MockTokenDenylist, MockTokenGenerator,
    MockUserDirectory, MockUserRepository,
};
use crate::token::AccessClaims;
use crate::user::{AccountStatus, Profile, User};
use crate::values::{Email, PasswordHash, Username};
use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;

/// 2024-01-01T12:00:00Z: every test's "now".
pub(crate) fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0)
        .single()
        .expect("valid date")
}

/// One mock per port. Set expectations, then build the service under test from the mocks of the
/// ports it calls (each test module's builder). The clock is fixed at [`t0`] and audit records
/// are accepted by default; every other call must be expected.
pub(crate) struct Mocks {
    pub attempts: MockLoginAttempts,
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub one_time_tokens: MockOneTimeTokenRepository,
    pub outbox: MockOutbox,
    pub audit: MockAuditLog,
    pub denylist: MockTokenDenylist,
    pub hasher: MockPasswordHasher,
    pub access_tokens: MockAccessTokenCodec,
    pub tokens: MockTokenGenerator,
    pub rate_limiter: MockRateLimiter,
    pub clock: MockClock,
    pub mfa: MockMfaRepository,
    pub otp: MockOneTimePasswords,
    pub sealer: MockSecretSealer,
    pub qr: MockQrRenderer,
    pub directory: MockUserDirectory,
    pub known_devices: MockKnownDevices,
    pub failure_spread: MockFailureSpread,
    pub device_names: MockDeviceNames,
    pub geolocator: MockGeolocator,
}

impl Mocks {
    pub fn new() -> Self {
        let mut clock = MockClock::new();
        clock.expect_now().returning(t0);
        let mut audit = MockAuditLog::new();
        audit.expect_record().returning(|_| Ok(()));
        let mut mocks = Self {
            attempts: MockLoginAttempts::new(),
            users: MockUserRepository::new(),
            sessions: MockSessionRepository::new(),
            one_time_tokens: MockOneTimeTokenRepository::new(),
            outbox: MockOutbox::new(),
            audit,
            denylist: MockTokenDenylist::new(),
            hasher: MockPasswordHasher::new(),
            access_tokens: MockAccessTokenCodec::new(),
            tokens: MockTokenGenerator::new(),
            rate_limiter: MockRateLimiter::new(),
            clock,
            mfa: MockMfaRepository::new(),
            otp: MockOneTimePasswords::new(),
            sealer: MockSecretSealer::new(),
            qr: MockQrRenderer::new(),
            directory: MockUserDirectory::new(),
            known_devices: MockKnownDevices::new(),
            failure_spread: MockFailureSpread::new(),
            device_names: MockDeviceNames::new(),
            geolocator: MockGeolocator::new(),
        };
        no_email_factor(&mut mocks);
        mocks
    }
}

/// The default: the user has no email factor and no code was emailed, so a 6-digit code is
/// checked as TOTP only. Tests of email codes start with [`email_mocks`] instead.
fn no_email_factor(m: &mut Mocks) {
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| kind.is_sent())
        .returning(|_, _| Ok(None));
    m.mfa.expect_use_code().returning(|_, _, _| Ok(false));
    m.otp.expect_code_digests().returning(|code| {
        vec![crate::token::TokenHash::from_trusted(format!(
            "c-{}",
            code.as_str()
        ))]
    });
}

/// The user's email factor, confirmed a week ago or pending since a minute ago: no secret.
pub(crate) fn email_factor(user: &User, confirmed: bool) -> crate::mfa::Factor {
    crate::mfa::Factor {
        kind: crate::mfa::FactorKind::Email,
        secret: None,
        phone: None,
        last_step: None,
        ..totp_factor(user, confirmed)
    }
}

/// The emailed code `code` is digested as `c-<code>` (one key).
pub(crate) fn code_digests(m: &mut Mocks) {
    m.otp.expect_code_digests().returning(|code| {
        vec![crate::token::TokenHash::from_trusted(format!(
            "c-{}",
            code.as_str()
        ))]
    });
}

/// [`Mocks::new`] without the email defaults: the test sets every email expectation itself.
/// The user has no SMS factor.
pub(crate) fn email_mocks() -> Mocks {
    let mut m = sent_code_mocks();
    m.mfa
        .expect_find_factor()
        .withf(|_, kind| *kind == crate::mfa::FactorKind::Sms)
        .returning(|_, _| Ok(None));
    m
}

/// [`Mocks::new`] without the defaults of sent codes: the test sets every expectation of
/// email and SMS factors itself.
pub(crate) fn sent_code_mocks() -> Mocks {
    let mut m = Mocks::new();
    m.mfa.checkpoint();
    m.otp.checkpoint();
    m
}

/// The user's SMS factor to `+84987654321`, confirmed a week ago or pending since a minute ago.
pub(crate) fn sms_factor(user: &User, confirmed: bool) -> crate::mfa::Factor {
    crate::mfa::Factor {
        kind: crate::mfa::FactorKind::Sms,
        phone: Some(crate::values::MobileNumber::parse("+84987654321", "phone").unwrap()),
        ..email_factor(user, confirmed)
    }
}

/// A new password every policy accepts.
pub(crate) const STRONG: &str = "Correct-Horse-42!";

/// The default settings, which each service narrows to its own.
pub(crate) fn settings() -> AuthSettings {
    AuthSettings::default()
}

/// An active, verified account `jane` / `jane@example.com`.
pub(crate) fn active_user() -> User {
    User {
        id: UserId::new(),
        email: Email::from_trusted("jane@example.com".into()),
        username: Username::from_trusted("jane".into()),
        password_hash: PasswordHash::from_trusted("$2b$04$stored".into()),
        profile: Profile::default(),
        status: AccountStatus::Active,
        email_verified: true,
        phone_verified: false,
        roles: vec![RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))],
        lockout: LockoutState::default(),
        mfa_enabled: false,
        last_login: None,
        created_at: t0() - Duration::days(30),
        updated_at: t0() - Duration::days(30),
    }
}

/// The claims of a valid access token of `user` in a fresh session.
pub(crate) fn claims_for(user: &User) -> AccessClaims {
    AccessClaims {
        user_id: user.id,
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at: t0() - Duration::minutes(1),
        expires_at: t0() + Duration::minutes(14),
        roles: user.roles.clone(),
        permissions: crate::authorization::Permissions::none()
            .with(crate::authorization::Permission::UsersRead),
    }
}

/// Replaces the default audit mock with one that keeps every event, for assertions on them.
pub(crate) fn capture_audit(
    mocks: &mut Mocks,
) -> Arc<std::sync::Mutex<Vec<crate::audit::AuditEvent>>> {
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut audit = MockAuditLog::new();
    audit.expect_record().returning(move |e| {
        sink.lock().expect("audit sink").push(e.clone());
        Ok(())
    });
    mocks.audit = audit;
    events
}

/// The kinds of the captured audit events, in order.
pub(crate) fn audit_kinds(
    events: &std::sync::Mutex<Vec<crate::audit::AuditEvent>>,
) -> Vec<crate::audit::AuditKind> {
    events
        .lock()
        .expect("audit sink")
        .iter()
        .map(|e| e.kind)
        .collect()
}

/// An opaque token whose raw value is `raw` and whose hash is `hash-<raw>`.
pub(crate) fn opaque(raw: &str) -> crate::token::OpaqueToken {
    crate::token::OpaqueToken {
        raw: crate::token::RawToken::new(raw.to_owned()),
        hash: crate::token::TokenHash::from_trusted(format!("hash-{raw}")),
    }
}

/// A live session of `user` that started a day ago.
pub(crate) fn session_of(user: &User, remember_me: bool) -> crate::session::Session {
    crate::session::Session {
        id: SessionId::new(),
        user_id: user.id,
        client: crate::session::ClientInfo::default(),
        remember_me,
        created_at: t0() - Duration::days(1),
        last_activity: t0() - Duration::hours(1),
        revoked_at: None,
    }
}

/// A transport failure, as an adapter would report it.
pub(crate) fn port_down() -> crate::error::PortError {
    crate::error::PortError::unavailable("connection refused")
}

/// The mail cooldown of `kind` for `jane@example.com` answers `outcome` once (allowed, cooling
/// down or a store failure); the digest is [`opaque`]'s (`hash-<address>`).
pub(crate) fn cooldown_answers(
    m: &mut Mocks,
    kind: &'static str,
    cooldown: Duration,
    outcome: fn() -> Result<bool, crate::error::PortError>,
) {
    m.tokens.expect_digest().returning(|raw| opaque(raw).hash);
    m.rate_limiter
        .expect_hit()
        .withf(move |key, limit| {
            key == format!("mail:{kind}:hash-jane@example.com")
                && limit.max == 1
                && limit.window == cooldown
        })
        .times(1)
        .returning(move |_, limit| {
            outcome().map(|allowed| crate::policy::rate_limit::RateLimitDecision {
                allowed,
                limit: limit.max,
                remaining: 0,
                resets_in: limit.window,
            })
        });
}

/// An active account with MFA on.
pub(crate) fn mfa_user() -> User {
    User {
        mfa_enabled: true,
        ..active_user()
    }
}

/// The TOTP step [`t0`] falls in.
pub(crate) fn step_now() -> crate::mfa::TotpStep {
    crate::mfa::TotpPolicy::default()
        .step_at(t0())
        .expect("after 1970")
}

/// What the mocked authenticator shows at [`t0`]; [`WRONG_CODE`] is no step's code.
pub(crate) const TOTP_NOW: &str = "123456";
pub(crate) const WRONG_CODE: &str = "111111";

/// The user's TOTP factor, confirmed a week ago or pending since a minute ago.
pub(crate) fn totp_factor(user: &User, confirmed: bool) -> crate::mfa::Factor {
    crate::mfa::Factor {
        id: crate::ids::FactorId::new(),
        user_id: user.id,
        kind: crate::mfa::FactorKind::Totp,
        device_name: None,
        phone: None,
        secret: Some(crate::mfa::SealedSecret::from_bytes(b"sealed".to_vec())),
        last_step: confirmed.then(|| step_now() - 20),
        confirmed_at: confirmed.then(|| t0() - Duration::days(7)),
        created_at: t0() - Duration::days(7),
        last_used_at: None,
    }
}

/// Every sealed secret opens, and its authenticator shows [`TOTP_NOW`] at the current step
/// and `000000` at every other.
pub(crate) fn authenticator(m: &mut Mocks) {
    m.sealer.expect_open().returning(|_| {
        Ok(crate::mfa::TotpSecret::new(
            b"12345678901234567890".to_vec(),
            crate::mfa::TotpAlgorithm::Sha1,
        ))
    });
    m.otp.expect_totp_code().returning(|_, step| {
        crate::mfa::OtpCode::from_digits(if step == step_now() {
            TOTP_NOW
        } else {
            "000000"
        })
    });
}

/// `user`'s TOTP factor is `factor` (looked up once).
pub(crate) fn factor_is(m: &mut Mocks, user: &User, factor: Option<crate::mfa::Factor>) {
    let id = user.id;
    m.mfa
        .expect_find_factor()
        .withf(move |uid, kind| *uid == id && *kind == crate::mfa::FactorKind::Totp)
        .times(1)
        .returning(move |_, _| Ok(factor.clone()));
}

/// The per-user MFA limit of `user` answers `allowed`, once.
pub(crate) fn verify_limit(m: &mut Mocks, user: &User, allowed: bool) {
    let key = format!("mfa-verify:{}", user.id.as_uuid());
    m.rate_limiter
        .expect_hit()
        .withf(move |k, limit| k == key && limit.max == 10 && limit.window == Duration::minutes(5))
        .times(1)
        .returning(move |_, limit| {
            Ok(crate::policy::rate_limit::RateLimitDecision {
                allowed,
                limit: limit.max,
                remaining: 0,
                resets_in: Duration::seconds(42),
            })
        });
}

/// The compare-and-set of the current step answers `won` (with the "MFA on" mail at hand).
pub(crate) fn step_accepted(m: &mut Mocks, factor: &crate::mfa::Factor, won: bool) {
    let id = factor.id;
    m.mfa
        .expect_accept_totp_step()
        .withf(move |fid, step, now, mail| {
            *fid == id
                && *step == step_now()
                && *now == t0()
                && matches!(mail, crate::notification::Notification::MfaEnabled { .. })
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(won));
}

/// One wrong code or password of `user` is counted, with the lock mail, answering `outcome`.
pub(crate) fn failure_counted(
    m: &mut Mocks,
    user: &User,
    outcome: Option<crate::policy::lockout::FailureOutcome>,
) {
    let id = user.id;
    m.users
        .expect_record_login_failure()
        .withf(move |uid, now, _, mail| {
            *uid == id
                && *now == t0()
                && matches!(
                    mail,
                    crate::notification::Notification::AccountLocked { .. }
                )
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(outcome));
}

/// Presenting backup code `12345678` answers `outcome`; its digests are `hash-12345678` and
/// `old-12345678` (two keys).
pub(crate) fn backup_code_answers(
    m: &mut Mocks,
    user: &User,
    outcome: crate::ports::BackupCodeUse,
) {
    m.otp.expect_backup_code_digests().returning(|code| {
        vec![
            opaque(code.as_str()).hash,
            crate::token::TokenHash::from_trusted(format!("old-{}", code.as_str())),
        ]
    });
    let id = user.id;
    m.mfa
        .expect_use_backup_code()
        .withf(move |uid, digests, now| {
            *uid == id
                && digests.len() == 2
                && digests[0].as_str() == "hash-12345678"
                && *now == t0()
        })
        .times(1)
        .returning(move |_, _, _| Ok(outcome));
}
