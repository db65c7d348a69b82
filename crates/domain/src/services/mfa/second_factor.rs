//! Checking a second-factor code, written once for every place that asks for one: confirming a
//! new authenticator, turning MFA off, and the second step of a login. A wrong or replayed code
//! counts towards the account's lockout exactly like a wrong password, so no form can be used to
//! guess codes around the lock.

use super::MfaSettings;
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::error::InfraError;
use crate::ids::UserId;
use crate::mfa::{BackupCode, Factor, FactorKind, OtpCode, PresentedCode, TotpRefusal};
use crate::notification::Notification;
use crate::policy::lockout::FailureOutcome;
use crate::policy::rate_limit::RateLimitDecision;
use crate::ports::{
    AuditLog, BackupCodeUse, CodeTarget, MfaRepository, OneTimePasswords, Outbox, RateLimiter,
    SecretSealer, UserRepository,
};
use crate::services::shared::{audit, count_login_failure, retry_after};
use crate::session::ClientInfo;
use crate::token::TokenHash;
use crate::user::User;

/// The ports a code check calls, lent by the service that asks for one.
pub(in crate::services) struct SecondFactor<'a> {
    pub users: &'a dyn UserRepository,
    pub mfa: &'a dyn MfaRepository,
    pub otp: &'a dyn OneTimePasswords,
    pub sealer: &'a dyn SecretSealer,
    pub rate_limiter: &'a dyn RateLimiter,
    pub outbox: &'a dyn Outbox,
    pub audit: &'a dyn AuditLog,
    pub settings: &'a MfaSettings,
}

/// What a code is checked against. A 6-digit code is tried first as the code emailed for this
/// check (if any was), then as a TOTP code.
#[derive(Debug, Clone, Copy)]
pub(in crate::services) enum Against<'f> {
    /// MFA in force, with a bearer (turning MFA off): the step-up code emailed for the user's
    /// confirmed email factor, the confirmed TOTP factor, or one of the confirmed backup codes.
    Enabled,
    /// The second step of a login: the code emailed for this challenge (by the hash of its
    /// mfaToken), the confirmed TOTP factor, or one of the confirmed backup codes.
    Login(&'f TokenHash),
    /// Confirming a setup: a code of this factor (for an email factor, the code emailed for it;
    /// TOTP codes are then still tried if a TOTP factor is confirmed). Backup codes stand in only
    /// once it is confirmed: the codes of a pending setup are not in force yet, and accepting an earlier
    /// set's code would confirm an authenticator nobody has shown to work.
    Factor(&'f Factor),
}

/// Which code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::services) enum Accepted {
    /// A TOTP code; `confirmed` when it confirmed a pending factor (MFA turned on).
    Totp {
        confirmed: bool,
    },
    /// A code sent by email or SMS; `confirmed` when it confirmed a pending email or SMS factor
    /// (MFA turned on).
    EmailCode {
        confirmed: bool,
    },
    BackupCode {
        remaining: u32,
    },
}

/// Why a code was refused.
#[derive(Debug)]
pub(in crate::services) enum CodeRefusal {
    /// Wrong, replayed, or no factor to check it against (401 `INVALID_MFA_CODE`); counted.
    Wrong,
    /// A backup code spent earlier (401 `MFA_BACKUP_CODE_USED`).
    BackupCodeUsed,
    /// Locked, before the check or by this wrong code (423).
    Locked {
        retry_after: i64,
    },
    /// Too many codes from this user (429).
    RateLimited(RateLimitDecision),
    Infra(InfraError),
}

impl From<InfraError> for CodeRefusal {
    fn from(e: InfraError) -> Self {
        Self::Infra(e)
    }
}

impl From<crate::error::PortError> for CodeRefusal {
    fn from(e: crate::error::PortError) -> Self {
        Self::Infra(e.into())
    }
}

impl SecondFactor<'_> {
    /// Counts one code of `user_id` against `MfaSettings::verify_limit`, before it is checked.
    /// A store outage lets the code through: the lockout still bounds the guesses.
    pub(in crate::services) async fn throttle(&self, user_id: UserId) -> Result<(), CodeRefusal> {
        let Some(limit) = self.settings.verify_limit else {
            return Ok(());
        };
        match self
            .rate_limiter
            .hit(&format!("mfa-verify:{}", user_id.as_uuid()), limit)
            .await
        {
            Ok(decision) if decision.allowed => Ok(()),
            Ok(decision) => Err(CodeRefusal::RateLimited(decision)),
            Err(e) => {
                tracing::warn!(error = %e, "MFA verify rate limit unavailable; checking the code");
                Ok(())
            }
        }
    }

    /// A locked account's codes are not checked at all, as its passwords are not.
    pub(in crate::services) fn refuse_if_locked(
        &self,
        user: &User,
        now: Timestamp,
    ) -> Result<(), CodeRefusal> {
        match self.settings.lockout.locked_until(&user.lockout, now) {
            Some(until) => Err(CodeRefusal::Locked {
                retry_after: retry_after(until, now),
            }),
            None => Ok(()),
        }
    }

    /// Checks `code` of `user` against `against`; see [`Against`]. The caller has throttled and
    /// checked the lock.
    pub(in crate::services) async fn check(
        &self,
        user: &User,
        code: &PresentedCode,
        against: Against<'_>,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<Accepted, CodeRefusal> {
        match code {
            PresentedCode::Totp(code) => {
                if let Some(accepted) = self.check_emailed(user, code, against, now).await? {
                    return Ok(accepted);
                }
                let against = match against {
                    // An email or SMS factor's code was not it: a confirmed authenticator's may be.
                    Against::Factor(factor) if factor.kind.is_sent() => Against::Enabled,
                    other => other,
                };
                self.check_totp(user, code, against, now, client).await
            }
            PresentedCode::Backup(code) => match against {
                Against::Factor(factor) if !factor.is_confirmed() => {
                    self.refuse(
                        user,
                        AuditKind::MfaFailed,
                        "backup code for a pending factor",
                        now,
                        client,
                    )
                    .await
                }
                Against::Enabled | Against::Login(_) | Against::Factor(_) => {
                    self.check_backup(user, code, now, client).await
                }
            },
        }
    }

    /// Spends `code` if it is the code sent (by email or SMS) for this check; confirms a pending
    /// email or SMS factor with it. `None`: it is not (or no code was sent), and the caller tries
    /// it as TOTP.
    async fn check_emailed(
        &self,
        user: &User,
        code: &OtpCode,
        against: Against<'_>,
        now: Timestamp,
    ) -> Result<Option<Accepted>, CodeRefusal> {
        let digests = self.otp.code_digests(code);
        let (targets, pending) = match against {
            Against::Login(hash) => (vec![CodeTarget::Challenge(hash.clone())], None),
            Against::Factor(factor) if factor.kind.is_sent() => (
                vec![CodeTarget::Factor(factor.id)],
                (!factor.is_confirmed()).then_some(factor),
            ),
            Against::Factor(_) => return Ok(None),
            // A step-up code may have been sent to either confirmed sent factor.
            Against::Enabled => {
                let mut targets = Vec::new();
                for kind in [FactorKind::Email, FactorKind::Sms] {
                    let found = self.mfa.find_factor(user.id, kind).await?;
                    if let Some(factor) = found.filter(Factor::is_confirmed) {
                        targets.push(CodeTarget::Factor(factor.id));
                    }
                }
                (targets, None)
            }
        };
        let mut spent = false;
        for target in &targets {
            if self.mfa.use_code(target, &digests, now).await? {
                spent = true;
                break;
            }
        }
        if !spent {
            return Ok(None);
        }
        let Some(factor) = pending else {
            return Ok(Some(Accepted::EmailCode { confirmed: false }));
        };
        let mail = Notification::MfaEnabled {
            to: user.email.clone(),
            username: user.username.clone(),
            at: now,
        };
        // `false`: a concurrent request confirmed it with this same code a moment ago, which is
        // the single use the code had.
        let confirmed = self.mfa.confirm_factor(factor.id, now, &mail).await?;
        Ok(Some(Accepted::EmailCode { confirmed }))
    }

    async fn check_totp(
        &self,
        user: &User,
        code: &OtpCode,
        against: Against<'_>,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<Accepted, CodeRefusal> {
        let found;
        let factor = match against {
            Against::Factor(factor) => factor,
            Against::Enabled | Against::Login(_) => {
                found = self.mfa.find_factor(user.id, FactorKind::Totp).await?;
                match found.as_ref().filter(|f| f.is_confirmed()) {
                    Some(factor) => factor,
                    None => {
                        return self
                            .refuse(user, AuditKind::MfaFailed, "no authenticator", now, client)
                            .await;
                    }
                }
            }
        };
        let sealed = factor
            .secret
            .as_ref()
            .ok_or_else(|| InfraError::internal("a TOTP factor without a secret"))?;
        let secret = self.sealer.open(sealed).map_err(|e| {
            // Only the factor is named: the sealed bytes and the key are nobody's business.
            tracing::error!(error = %e, factor_id = %factor.id.as_uuid(),
                "a TOTP secret cannot be unsealed with the configured keys");
            InfraError::internal("TOTP secret cannot be unsealed")
        })?;
        let step = match self
            .settings
            .totp
            .accept(now, code, factor.last_step, |step| {
                self.otp.totp_code(&secret, step)
            }) {
            Ok(step) => step,
            Err(TotpRefusal::Wrong) => {
                return self
                    .refuse(user, AuditKind::MfaFailed, "wrong code", now, client)
                    .await;
            }
            Err(TotpRefusal::Replayed) => {
                return self
                    .refuse(
                        user,
                        AuditKind::MfaReplayRefused,
                        "code already used",
                        now,
                        client,
                    )
                    .await;
            }
        };
        let mail = Notification::MfaEnabled {
            to: user.email.clone(),
            username: user.username.clone(),
            at: now,
        };
        if self
            .mfa
            .accept_totp_step(factor.id, step, now, &mail)
            .await?
        {
            Ok(Accepted::Totp {
                confirmed: !factor.is_confirmed(),
            })
        } else {
            // Another request accepted this step (or a later one) since the factor was read.
            self.refuse(
                user,
                AuditKind::MfaReplayRefused,
                "code already used",
                now,
                client,
            )
            .await
        }
    }

    async fn check_backup(
        &self,
        user: &User,
        code: &BackupCode,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<Accepted, CodeRefusal> {
        let digests = self.otp.backup_code_digests(code);
        match self.mfa.use_backup_code(user.id, &digests, now).await? {
            BackupCodeUse::Accepted { remaining } => {
                audit(
                    self.audit,
                    AuditEvent::new(AuditKind::BackupCodeUsed, now, Some(user.id), client)
                        .with_detail(format!("{remaining} left")),
                )
                .await;
                let mail = Notification::BackupCodeUsed {
                    to: user.email.clone(),
                    username: user.username.clone(),
                    at: now,
                    remaining,
                };
                // The code is spent: failing now would cost the user a code and the login.
                if let Err(e) = self.outbox.enqueue(&mail, now).await {
                    tracing::error!(error = %e, "the backup-code-used notice could not be queued");
                }
                Ok(Accepted::BackupCode { remaining })
            }
            BackupCodeUse::AlreadyUsed => {
                // A spent code tells an attacker nothing new, so it is not counted as a guess.
                audit(
                    self.audit,
                    AuditEvent::new(AuditKind::MfaFailed, now, Some(user.id), client)
                        .with_detail("backup code already used"),
                )
                .await;
                Err(CodeRefusal::BackupCodeUsed)
            }
            BackupCodeUse::Unknown => {
                self.refuse(user, AuditKind::MfaFailed, "wrong backup code", now, client)
                    .await
            }
        }
    }

    /// Audits the refusal as `kind` and counts it towards the lockout.
    async fn refuse(
        &self,
        user: &User,
        kind: AuditKind,
        detail: &'static str,
        now: Timestamp,
        client: &ClientInfo,
    ) -> Result<Accepted, CodeRefusal> {
        let outcome = count_login_failure(
            self.users,
            self.audit,
            &self.settings.lockout,
            user,
            AuditEvent::new(kind, now, Some(user.id), client).with_detail(detail),
        )
        .await?;
        Err(match outcome {
            None | Some(FailureOutcome::Counted { .. }) => CodeRefusal::Wrong,
            Some(
                FailureOutcome::NewlyLocked { until } | FailureOutcome::AlreadyLocked { until },
            ) => CodeRefusal::Locked {
                retry_after: retry_after(until, now),
            },
        })
    }
}
