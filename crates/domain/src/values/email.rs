use super::{char_len, codes, too_long};
use crate::error::FieldError;
use std::fmt;

/// An email address: at most 255 characters, one `@`, a plausible local part and domain.
/// Kept as given; [`Email::normalized`] is the case-insensitive identity used for uniqueness.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 255;

    /// Parses `raw` (surrounding whitespace trimmed). `field` names the request field in errors.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, codes::REQUIRED, "Email is required"));
        }
        if char_len(s) > Self::MAX_LEN {
            return Err(too_long(field, Self::MAX_LEN));
        }
        if !garde::rules::email::parse_email(s).is_ok() || s.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                codes::INVALID_EMAIL,
                "Invalid email format",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// Rebuilds a value read back from storage, where it was valid when written.
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-cased form: two addresses that differ only in case are the same account.
    #[must_use]
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// The part before the `@`, for the password policy's context check.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map_or(self.0.as_str(), |(local, _)| local)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&self.0).finish()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
