//! Adding a factor: `setup` hands out a new authenticator secret (or emails a first code) and
//! backup codes, and `confirm` turns MFA on once the factor's code comes back.

use super::second_factor::{Accepted, Against};
use super::sent_code::code_message;
use super::{BACKUP_CODES_PER_SET, Mfa, MfaError, SetupAnswer, SetupDelivery, SetupInput};
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::{FieldError, InfraError, ValidationErrors};
use crate::ids::{FactorId, UserId};
use crate::mfa::{BackupCode, DeviceName, Factor, FactorKind, PresentedCode};
use crate::ports::{BeginSetupError, CodeTarget};
use crate::services::shared::{audit, load_usable};
use crate::session::ClientInfo;
use crate::token::TokenHash;
use crate::user::User;
use crate::values::{MobileNumber, codes};
use secrecy::SecretString;

impl Mfa {
    /// `POST /v1/auth/mfa/setup` (bearer). Nothing is in force until [`Self::confirm`]: a
    /// second setup before that replaces this one.
    ///
    /// # Errors
    /// See [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn setup(
        &self,
        user_id: UserId,
        input: SetupInput,
        client: &ClientInfo,
    ) -> Result<SetupAnswer, MfaError> {
        let (kind, device_name) = parse_setup(&input)?;
        if kind == FactorKind::Sms && !self.settings.sms_available {
            return Err(MfaError::MethodUnavailable);
        }
        let user = self.user(user_id).await?;
        let phone = match kind {
            FactorKind::Sms => Some(sms_number(input.phone.as_deref(), &user)?),
            FactorKind::Totp | FactorKind::Email => None,
        };
        let now = self.ports.clock.now();
        if user.mfa_enabled {
            // A factor of this kind in force is a 409 whatever the code (storage checks it
            // again, atomically); adding another kind takes a current code.
            let same = self.ports.mfa.find_factor(user.id, kind).await;
            if same
                .map_err(InfraError::from)?
                .is_some_and(|f| f.is_confirmed())
            {
                return Err(MfaError::AlreadyEnabled);
            }
            self.step_up(&user, input.code.as_deref(), now, client)
                .await?;
        }
        let factor = Factor {
            id: FactorId::new(),
            user_id: user.id,
            kind,
            device_name,
            secret: None,
            phone,
            last_step: None,
            confirmed_at: None,
            created_at: now,
            last_used_at: None,
        };
        match kind {
            FactorKind::Totp => self.setup_totp(&user, factor).await,
            FactorKind::Email | FactorKind::Sms => self.setup_sent(&user, factor, now).await,
        }
    }

    async fn setup_totp(&self, user: &User, factor: Factor) -> Result<SetupAnswer, MfaError> {
        let secret = self.ports.otp.new_totp_secret();
        // The URL is made before anything is stored, so an unusable label stores nothing.
        let otpauth_url = self
            .ports
            .otp
            .otpauth_url(&secret, &self.settings.issuer, user.email.as_str())
            .map_err(InfraError::internal)?;
        let qr_code = self.ports.qr.png_data_url(&otpauth_url);
        let factor = Factor {
            secret: Some(self.ports.sealer.seal(&secret)),
            ..factor
        };
        let backup_codes = self.store_setup(&factor).await?;
        Ok(SetupAnswer {
            factor_id: factor.id,
            kind: factor.kind,
            delivery: SetupDelivery::Totp {
                secret: self.ports.otp.base32(&secret),
                otpauth_url: SecretString::from(otpauth_url),
                qr_code: SecretString::from(qr_code),
            },
            backup_codes,
        })
    }

    /// An email factor for the account's own address, or an SMS factor for its number; its
    /// first code is queued at once (minted by the outbox worker as it sends it).
    async fn setup_sent(
        &self,
        user: &User,
        factor: Factor,
        now: Timestamp,
    ) -> Result<SetupAnswer, MfaError> {
        let message = code_message(user, &factor, CodeTarget::Factor(factor.id))?;
        let backup_codes = self.store_setup(&factor).await?;
        self.ports
            .outbox
            .enqueue(&message, now)
            .await
            .map_err(InfraError::from)?;
        let delivery = match &factor.phone {
            Some(phone) => SetupDelivery::Sms {
                sent_to: phone.masked(),
            },
            None => SetupDelivery::Email {
                sent_to: user.email.masked(),
            },
        };
        Ok(SetupAnswer {
            factor_id: factor.id,
            kind: factor.kind,
            delivery,
            backup_codes,
        })
    }

    /// While MFA is on, adding a factor (whose confirmation replaces the backup codes) takes a
    /// current code, as turning MFA off does: an access token alone is not enough.
    async fn step_up(
        &self,
        user: &User,
        code: Option<&str>,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<(), MfaError> {
        let code = PresentedCode::parse(code, "code").map_err(|e| ValidationErrors(vec![e]))?;
        let checker = self.second_factor();
        checker.refuse_if_locked(user, now)?;
        checker.throttle(user.id).await?;
        checker
            .check(user, &code, Against::Enabled, now, client)
            .await?;
        Ok(())
    }

    /// Stores the pending factor with a fresh set of backup codes, which it answers.
    async fn store_setup(&self, factor: &Factor) -> Result<Vec<BackupCode>, MfaError> {
        let (backup_codes, digests) = self.new_backup_codes();
        self.ports
            .mfa
            .begin_setup(factor, &digests)
            .await
            .map_err(|e| match e {
                BeginSetupError::AlreadyEnabled => MfaError::AlreadyEnabled,
                BeginSetupError::Port(e) => InfraError::from(e).into(),
            })?;
        Ok(backup_codes)
    }

    /// `POST /v1/auth/mfa/verify {code}` (bearer): a code of the pending authenticator confirms
    /// it and turns MFA on; with MFA already on, it just checks the code.
    ///
    /// # Errors
    /// See [`MfaError`].
    #[tracing::instrument(skip_all, fields(user_id = %user_id.as_uuid()))]
    pub async fn confirm(
        &self,
        user_id: UserId,
        code: Option<String>,
        client: &ClientInfo,
    ) -> Result<(), MfaError> {
        let code =
            PresentedCode::parse(code.as_deref(), "code").map_err(|e| ValidationErrors(vec![e]))?;
        let user = self.user(user_id).await?;
        let find = |kind| self.ports.mfa.find_factor(user.id, kind);
        let totp = find(FactorKind::Totp).await.map_err(InfraError::from)?;
        let email = find(FactorKind::Email).await.map_err(InfraError::from)?;
        let sms = find(FactorKind::Sms).await.map_err(InfraError::from)?;
        let all = [&totp, &email, &sms];
        // The latest setup is the one the user is confirming (an abandoned setup of another kind
        // may still be pending); with nothing pending, the code is a step-up check against the
        // only confirmed factor, or any of several.
        let pending = all
            .into_iter()
            .flatten()
            .filter(|f| !f.is_confirmed())
            .max_by_key(|f| f.created_at);
        let confirmed: Vec<&Factor> = all
            .into_iter()
            .flatten()
            .filter(|f| f.is_confirmed())
            .collect();
        let against = match (pending, confirmed.as_slice()) {
            (Some(factor), _) => Against::Factor(factor),
            (None, [only]) => Against::Factor(only),
            (None, []) => return Err(MfaError::NotEnabled),
            (None, _) => Against::Enabled,
        };
        let now = self.ports.clock.now();
        let checker = self.second_factor();
        checker.refuse_if_locked(&user, now)?;
        checker.throttle(user.id).await?;
        let accepted = checker.check(&user, &code, against, now, client).await?;
        let kind = match accepted {
            Accepted::Totp { confirmed: true } | Accepted::EmailCode { confirmed: true } => {
                AuditKind::MfaEnabled
            }
            Accepted::Totp { confirmed: false }
            | Accepted::EmailCode { confirmed: false }
            | Accepted::BackupCode { .. } => AuditKind::MfaSucceeded,
        };
        audit(
            &*self.ports.audit,
            AuditEvent::new(kind, now, Some(user.id), client),
        )
        .await;
        Ok(())
    }

    /// The caller's account, unless it vanished or was deactivated.
    pub(super) async fn user(&self, user_id: UserId) -> Result<User, MfaError> {
        load_usable(&*self.ports.users, user_id)
            .await?
            .ok_or(MfaError::UserNotFound)
    }

    /// A fresh set of backup codes for the user, and the digests storage keeps of them.
    pub(super) fn new_backup_codes(&self) -> (Vec<BackupCode>, Vec<TokenHash>) {
        let codes = self.ports.otp.backup_codes(BACKUP_CODES_PER_SET);
        let digests = codes
            .iter()
            .map(|c| self.ports.otp.digest_backup_code(c))
            .collect();
        (codes, digests)
    }
}

/// The number of an SMS setup: `phone` when given (it must be E.164), else the profile's phone
/// if it is written in international form.
fn sms_number(phone: Option<&str>, user: &User) -> Result<MobileNumber, MfaError> {
    let given = phone.map(str::trim).filter(|p| !p.is_empty());
    let parsed = match (given, &user.profile.phone) {
        (Some(raw), _) => MobileNumber::parse(raw, "phone"),
        (None, Some(profile)) => MobileNumber::from_phone(profile, "phone").map_err(|_| {
            FieldError::new(
                "phone",
                codes::INVALID_FORMAT,
                "The profile's phone is not in international form (+84987654321): give phone",
            )
        }),
        (None, None) => Err(FieldError::new(
            "phone",
            codes::REQUIRED,
            "Phone is required: the profile has none",
        )),
    };
    parsed.map_err(|e| ValidationErrors(vec![e]).into())
}

/// The factor kind and name of a setup request; every problem at once. A method this server
/// knows but does not offer is not a malformed request: it answers `MFA_METHOD_UNAVAILABLE`.
fn parse_setup(input: &SetupInput) -> Result<(FactorKind, Option<DeviceName>), MfaError> {
    let mut errors = ValidationErrors::default();
    let raw_kind = input.kind.as_deref().map(str::trim).unwrap_or_default();
    let kind = if raw_kind.is_empty() {
        errors.push(FieldError::new("type", codes::REQUIRED, "Type is required"));
        None
    } else if let Some(kind) = FactorKind::parse(raw_kind) {
        Some(kind)
    } else {
        errors.push(FieldError::new(
            "type",
            codes::INVALID_FORMAT,
            "Type must be one of: totp, email, sms",
        ));
        None
    };
    let device_name = match input.device_name.as_deref() {
        None => None,
        Some(raw) => match DeviceName::parse(raw, "deviceName") {
            Ok(name) => Some(name),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok((kind, device_name)),
        _ => Err(errors.into()),
    }
}
