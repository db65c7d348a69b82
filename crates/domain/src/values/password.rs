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

    /// Rejects only what could never be anyone's password: empty, or absurdly long input. Takes
    /// the `SecretString` of a service input as is (or a plain `String`).
    pub fn parse(raw: impl Into<SecretString>, field: &str) -> Result<Self, FieldError> {
        let raw: SecretString = raw.into();
        if raw.expose_secret().is_empty() {
            return Err(FieldError::new(
                field,
                crate::values::codes::REQUIRED,
                "Password is required",
            ));
        }
        if raw.expose_secret().len() > Self::MAX_INPUT_BYTES {
            return Err(super::too_long(field, Self::MAX_INPUT_BYTES));
        }
        Ok(Self(raw))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_non_empty_input_is_a_password() {
        let password = Password::parse(" x ".to_owned(), "password").unwrap();
        assert_eq!(password.expose(), " x ");
    }

    #[test]
    fn an_empty_password_is_missing_on_the_named_field() {
        let e = Password::parse(String::new(), "currentPassword").unwrap_err();
        assert_eq!(e.field, "currentPassword");
        assert_eq!(e.code, crate::values::codes::REQUIRED);
    }

    #[test]
    fn absurdly_long_input_is_refused_before_any_hashing() {
        assert!(Password::parse("a".repeat(Password::MAX_INPUT_BYTES), "password").is_ok());
        let e = Password::parse("a".repeat(Password::MAX_INPUT_BYTES + 1), "password").unwrap_err();
        assert_eq!(e.code, crate::values::codes::TOO_LONG);
    }

    #[test]
    fn passwords_and_hashes_never_show_in_debug_output() {
        let password = Password::parse("hunter2-secret".to_owned(), "password").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
        let new = NewPassword::parse(
            Password::parse("Correct-Horse-42!".to_owned(), "password").unwrap(),
            &PasswordPolicy::classic(),
            &PasswordContext::default(),
            "password",
        )
        .unwrap();
        assert!(!format!("{new:?}").contains("Horse"));
        let hash = PasswordHash::from_trusted("$2b$12$abcdefghijk".into());
        assert!(!format!("{hash:?}").contains("abcdefghijk"));
        assert_eq!(hash.as_str(), "$2b$12$abcdefghijk");
    }

    #[test]
    fn a_new_password_reports_every_broken_rule_on_the_named_field() {
        let raw = Password::parse("abc".to_owned(), "newPassword").unwrap();
        let errors = NewPassword::parse(
            raw,
            &PasswordPolicy::classic(),
            &PasswordContext::default(),
            "newPassword",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 4);
        assert!(
            errors
                .iter()
                .all(|e| e.field == "newPassword"
                    && e.code == crate::values::codes::INVALID_PASSWORD)
        );
        assert_eq!(errors[0].message, "Password must be at least 12 characters");
    }

    #[test]
    fn a_password_that_meets_the_policy_is_kept_unchanged() {
        let raw = Password::parse("Correct-Horse-42!".to_owned(), "password").unwrap();
        let new = NewPassword::parse(
            raw,
            &PasswordPolicy::classic(),
            &PasswordContext::default(),
            "password",
        )
        .unwrap();
        assert_eq!(new.as_password().expose(), "Correct-Horse-42!");
    }
}
