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
        if garde::rules::email::parse_email(s).is_err() || s.chars().any(char::is_control) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> &'static str {
        Email::parse(raw, "email").unwrap_err().code
    }

    #[test]
    fn a_plain_address_is_accepted_and_kept_as_given() {
        let email = Email::parse("  Jane.Doe@Example.com ", "email").unwrap();
        assert_eq!(email.as_str(), "Jane.Doe@Example.com");
        assert_eq!(email.to_string(), "Jane.Doe@Example.com");
    }

    #[test]
    fn addresses_differing_only_in_case_normalize_to_the_same_identity() {
        let a = Email::parse("Jane@Example.COM", "email").unwrap();
        let b = Email::parse("jane@example.com", "email").unwrap();
        assert_eq!(a.normalized(), b.normalized());
    }

    #[test]
    fn the_local_part_is_what_comes_before_the_at_sign() {
        let email = Email::parse("jane.doe@example.com", "email").unwrap();
        assert_eq!(email.local_part(), "jane.doe");
    }

    #[test]
    fn an_empty_address_is_missing() {
        assert_eq!(code(""), codes::REQUIRED);
        assert_eq!(code("   "), codes::REQUIRED);
    }

    #[test]
    fn malformed_addresses_are_rejected_on_the_named_field() {
        for raw in [
            "jane",
            "jane@",
            "@example.com",
            "jane@@example.com",
            "ja ne@example.com",
        ] {
            let e = Email::parse(raw, "email").unwrap_err();
            assert_eq!(e.code, codes::INVALID_EMAIL, "{raw}");
            assert_eq!(e.field, "email");
        }
        assert_eq!(code("jane\u{7}@example.com"), codes::INVALID_EMAIL);
    }

    #[test]
    fn an_address_longer_than_255_characters_is_too_long() {
        let long = format!("{}@example.com", "a".repeat(244));
        assert_eq!(long.len(), 256);
        assert_eq!(code(&long), codes::TOO_LONG);
    }
}
