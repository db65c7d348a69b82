//! The JSON form of a queued [`Notification`] (the `outbox.payload` column). The domain type
//! has no serde on purpose, so this private mirror fixes the stored format: renaming a domain
//! field does not silently change what is in the table. It holds no token: queued mail never
//! does.

use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ids::{FactorId, UserId};
use authd_domain::notification::Notification;
use authd_domain::ports::CodeTarget;
use authd_domain::token::TokenHash;
use authd_domain::values::{Email, MobileNumber, Username};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Payload {
    VerifyEmail {
        user_id: UserId,
        to: String,
        username: String,
    },
    PasswordReset {
        user_id: UserId,
        to: String,
        username: String,
    },
    PasswordChanged {
        to: String,
        username: String,
        at: Timestamp,
    },
    AccountLocked {
        /// Absent from rows queued before the self-unlock link: such a mail goes out without it.
        #[serde(default)]
        user_id: Option<UserId>,
        to: String,
        username: String,
        until: Timestamp,
    },
    RefreshTokenReuse {
        to: String,
        username: String,
        at: Timestamp,
        ip: Option<String>,
    },
    MfaEnabled {
        to: String,
        username: String,
        at: Timestamp,
    },
    MfaDisabled {
        to: String,
        username: String,
        at: Timestamp,
    },
    BackupCodeUsed {
        to: String,
        username: String,
        at: Timestamp,
        remaining: u32,
    },
    /// The code itself is minted at send time: only where it belongs is stored.
    MfaCode {
        user_id: UserId,
        to: String,
        username: String,
        target: StoredTarget,
    },
    /// An SMS code: the number it goes to, and where the code minted at send time belongs.
    MfaSmsCode {
        user_id: UserId,
        to: String,
        phone: String,
        target: StoredTarget,
    },
    NewSignIn {
        to: String,
        username: String,
        at: Timestamp,
        device: String,
        ip: Option<String>,
        location: Option<String>,
    },
}

impl StoredTarget {
    fn of(target: &CodeTarget) -> Self {
        match target {
            CodeTarget::Factor(factor_id) => Self::Factor {
                factor_id: *factor_id,
            },
            CodeTarget::Challenge(hash) => Self::Challenge {
                hash: hash.as_str().to_owned(),
            },
        }
    }

    fn into_target(self) -> CodeTarget {
        match self {
            Self::Factor { factor_id } => CodeTarget::Factor(factor_id),
            Self::Challenge { hash } => CodeTarget::Challenge(TokenHash::from_trusted(hash)),
        }
    }
}

/// A [`CodeTarget`] as stored; a challenge by the hash of its mfaToken, never the token.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StoredTarget {
    Factor { factor_id: FactorId },
    Challenge { hash: String },
}

/// `mail` as stored.
pub(crate) fn to_json(mail: &Notification) -> Result<serde_json::Value, PortError> {
    let s = |v: &str| v.to_owned();
    let payload = match mail {
        Notification::NewSignIn {
            to,
            username,
            at,
            device,
            ip,
            location,
        } => Payload::NewSignIn {
            to: s(to.as_str()),
            username: s(username.as_str()),
            at: *at,
            device: device.clone(),
            ip: ip.clone(),
            location: location.clone(),
        },
        Notification::VerifyEmail {
            user_id,
            to,
            username,
        } => Payload::VerifyEmail {
            user_id: *user_id,
            to: s(to.as_str()),
            username: s(username.as_str()),
        },
        Notification::PasswordReset {
            user_id,
            to,
            username,
        } => Payload::PasswordReset {
            user_id: *user_id,
            to: s(to.as_str()),
            username: s(username.as_str()),
        },
        Notification::PasswordChanged { to, username, at } => Payload::PasswordChanged {
            to: s(to.as_str()),
            username: s(username.as_str()),
            at: *at,
        },
        Notification::AccountLocked {
            user_id,
            to,
            username,
            until,
        } => Payload::AccountLocked {
            user_id: *user_id,
            to: s(to.as_str()),
            username: s(username.as_str()),
            until: *until,
        },
        Notification::RefreshTokenReuse {
            to,
            username,
            at,
            ip,
        } => Payload::RefreshTokenReuse {
            to: s(to.as_str()),
            username: s(username.as_str()),
            at: *at,
            ip: ip.clone(),
        },
        Notification::MfaEnabled { to, username, at } => Payload::MfaEnabled {
            to: s(to.as_str()),
            username: s(username.as_str()),
            at: *at,
        },
        Notification::MfaDisabled { to, username, at } => Payload::MfaDisabled {
            to: s(to.as_str()),
            username: s(username.as_str()),
            at: *at,
        },
        Notification::BackupCodeUsed {
            to,
            username,
            at,
            remaining,
        } => Payload::BackupCodeUsed {
            to: s(to.as_str()),
            username: s(username.as_str()),
            at: *at,
            remaining: *remaining,
        },
        Notification::MfaCode {
            user_id,
            to,
            username,
            target,
        } => Payload::MfaCode {
            user_id: *user_id,
            to: s(to.as_str()),
            username: s(username.as_str()),
            target: match target {
                CodeTarget::Factor(factor_id) => StoredTarget::Factor {
                    factor_id: *factor_id,
                },
                CodeTarget::Challenge(hash) => StoredTarget::Challenge {
                    hash: s(hash.as_str()),
                },
            },
        },
        Notification::SmsCode {
            user_id,
            to,
            phone,
            target,
        } => Payload::MfaSmsCode {
            user_id: *user_id,
            to: s(to.as_str()),
            phone: s(phone.as_str()),
            target: StoredTarget::of(target),
        },
    };
    serde_json::to_value(payload).map_err(PortError::internal)
}

/// A stored payload back as a notification.
pub(crate) fn from_json(value: serde_json::Value) -> Result<Notification, PortError> {
    let payload: Payload = serde_json::from_value(value).map_err(PortError::internal)?;
    let email = Email::from_trusted;
    let name = Username::from_trusted;
    Ok(match payload {
        Payload::NewSignIn {
            to,
            username,
            at,
            device,
            ip,
            location,
        } => Notification::NewSignIn {
            to: email(to),
            username: name(username),
            at,
            device,
            ip,
            location,
        },
        Payload::VerifyEmail {
            user_id,
            to,
            username,
        } => Notification::VerifyEmail {
            user_id,
            to: email(to),
            username: name(username),
        },
        Payload::PasswordReset {
            user_id,
            to,
            username,
        } => Notification::PasswordReset {
            user_id,
            to: email(to),
            username: name(username),
        },
        Payload::PasswordChanged { to, username, at } => Notification::PasswordChanged {
            to: email(to),
            username: name(username),
            at,
        },
        Payload::AccountLocked {
            user_id,
            to,
            username,
            until,
        } => Notification::AccountLocked {
            user_id,
            to: email(to),
            username: name(username),
            until,
        },
        Payload::RefreshTokenReuse {
            to,
            username,
            at,
            ip,
        } => Notification::RefreshTokenReuse {
            to: email(to),
            username: name(username),
            at,
            ip,
        },
        Payload::MfaEnabled { to, username, at } => Notification::MfaEnabled {
            to: email(to),
            username: name(username),
            at,
        },
        Payload::MfaDisabled { to, username, at } => Notification::MfaDisabled {
            to: email(to),
            username: name(username),
            at,
        },
        Payload::BackupCodeUsed {
            to,
            username,
            at,
            remaining,
        } => Notification::BackupCodeUsed {
            to: email(to),
            username: name(username),
            at,
            remaining,
        },
        Payload::MfaCode {
            user_id,
            to,
            username,
            target,
        } => Notification::MfaCode {
            user_id,
            to: email(to),
            username: name(username),
            target: match target {
                StoredTarget::Factor { factor_id } => CodeTarget::Factor(factor_id),
                StoredTarget::Challenge { hash } => {
                    CodeTarget::Challenge(TokenHash::from_trusted(hash))
                }
            },
        },
        Payload::MfaSmsCode {
            user_id,
            to,
            phone,
            target,
        } => Notification::SmsCode {
            user_id,
            to: email(to),
            phone: MobileNumber::parse(&phone, "phone")
                .map_err(|_| crate::error::corrupt("an SMS number that is not E.164"))?,
            target: target.into_target(),
        },
    })
}

#[cfg(test)]
mod tests;
