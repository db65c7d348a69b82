use super::TotpStep;
use crate::Timestamp;
use crate::error::FieldError;
use crate::ids::{FactorId, UserId};
use crate::values::{MobileNumber, codes};
use std::fmt;

/// What kind of second factor a [`Factor`] is. Backup codes are not factors: they are a
/// fallback that every user with a factor has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactorKind {
    Totp,
    /// Codes of 6 digits emailed to the account's address (valid 10 minutes, single use).
    Email,
    /// Codes of 6 digits sent by SMS to the factor's own number (valid 10 minutes, single use).
    Sms,
}

impl FactorKind {
    #[must_use]
    pub const fn method(self) -> super::MfaMethod {
        match self {
            Self::Totp => super::MfaMethod::Totp,
            Self::Email => super::MfaMethod::Email,
            Self::Sms => super::MfaMethod::Sms,
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.method().as_str()
    }

    /// Whether its codes are sent (email, SMS) rather than shown by an app.
    #[must_use]
    pub const fn is_sent(self) -> bool {
        matches!(self, Self::Email | Self::Sms)
    }

    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "totp" => Some(Self::Totp),
            "email" => Some(Self::Email),
            "sms" => Some(Self::Sms),
            _ => None,
        }
    }
}

/// A TOTP secret as storage holds it: sealed (AES-256-GCM) by the
/// [`SecretSealer`](crate::ports::SecretSealer), so that a dump of the table yields nothing
/// usable without the key. Opaque to the domain and to storage alike.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret(Vec<u8>);

impl SealedSecret {
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedSecret({} bytes)", self.0.len())
    }
}

/// The name a user gives a factor ("My iPhone"): 1 to 64 characters after trimming, no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceName(String);

impl DeviceName {
    pub const MAX_CHARS: usize = 64;

    /// # Errors
    /// `FIELD_TOO_LONG` past [`Self::MAX_CHARS`], `INVALID_FORMAT` for control characters,
    /// `REQUIRED_FIELD_MISSING` when blank.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(
                field,
                codes::REQUIRED,
                "Device name is required",
            ));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                codes::TOO_LONG,
                "Device name must be at most 64 characters",
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                codes::INVALID_FORMAT,
                "Device name must not contain control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// A name read back from storage, which only ever holds parsed names.
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One second factor of a user. A factor is *pending* from setup until its first code is
/// confirmed; only confirmed factors turn MFA on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub id: FactorId,
    pub user_id: UserId,
    pub kind: FactorKind,
    pub device_name: Option<DeviceName>,
    /// The sealed TOTP secret; `None` for a factor without one (email, SMS).
    pub secret: Option<SealedSecret>,
    /// The number an SMS factor's codes go to; `None` for every other kind.
    pub phone: Option<MobileNumber>,
    /// The last TOTP step accepted for this factor: a code of this step or an earlier one is a
    /// replay. `None` until the first code.
    pub last_step: Option<TotpStep>,
    /// `None` while pending.
    pub confirmed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

impl Factor {
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}
