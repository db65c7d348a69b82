use crate::error::FieldError;
use crate::policy::password::{PasswordContext, PasswordPolicy};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A password as typed by someone: any non-empty string. Never printed, never logged.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// Longest input accepted at all (in bytes) so that hashing cost stays bounded.
    pub const MAX_INPUT_BYTES: usize = 4096;

    /// Rejects only what could never be anyone's password: empty, or absurdly long input.
    pub fn parse(raw: String, field: &str) -> Result<Self, FieldError> {
        if raw.is_empty() {
            return Err(FieldError::new(
                field,
                crate::values::codes::REQUIRED,
                "Password is required",
            ));
        }
        if raw.len() > Self::MAX_INPUT_BYTES {
            return Err(super::too_long(field, Self::MAX_INPUT_BYTES));
        }
        Ok(Self(SecretString::from(raw)))
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password that satisfies the password policy: the only kind that can be hashed and stored.
#[derive(Clone, Debug)]
pub struct NewPassword(Password);

impl NewPassword {
    /// Checks `raw` against `policy`; every failing rule becomes one `FieldError` on `field`.
    pub fn parse(
        raw: Password,
        policy: &PasswordPolicy,
        context: &PasswordContext<'_>,
        field: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let violations = policy.check(raw.expose(), context);
        if violations.is_empty() {
            Ok(Self(raw))
        } else {
            Err(violations
                .into_iter()
                .map(|v| {
                    FieldError::new(field, crate::values::codes::INVALID_PASSWORD, v.message())
                })
                .collect())
        }
    }

    #[must_use]
    pub fn as_password(&self) -> &Password {
        &self.0
    }
}

/// A stored password hash (bcrypt's modular crypt string). Not secret like a password, but still
/// kept out of `Debug` output: it is offline-crackable material.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}
