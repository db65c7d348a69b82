use super::{UsernameSkeleton, char_len, codes, too_long};
use crate::error::FieldError;
use std::fmt;

/// 3–50 characters of ASCII letters, digits, `_` and `-`. Stored and shown as given; looked up
/// case-insensitively; unique by [`Username::skeleton`], so that no two accounts have names that
/// look alike.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 50;

    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(
                field,
                codes::REQUIRED,
                "Username is required",
            ));
        }
        let len = char_len(s);
        if len > Self::MAX_LEN {
            return Err(too_long(field, Self::MAX_LEN));
        }
        if len < Self::MIN_LEN {
            return Err(FieldError::new(
                field,
                codes::TOO_SHORT,
                format!("Must be at least {} characters", Self::MIN_LEN),
            ));
        }
        if !s.chars().all(is_allowed) {
            return Err(FieldError::new(
                field,
                codes::INVALID_USERNAME,
                "Username may contain only letters, digits, underscores and hyphens",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-cased form, for lookup: a login by `JANE` finds `jane`.
    #[must_use]
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The look-alike key under which usernames are unique: `aIice`, `ALlCE` and `a1ice` all
    /// have the key of `alice`.
    #[must_use]
    pub fn skeleton(&self) -> UsernameSkeleton {
        UsernameSkeleton::of(&self.0)
    }

    /// Whether a username may hold `c`.
    #[must_use]
    pub fn allows(c: char) -> bool {
        is_allowed(c)
    }
}

pub(super) fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Username").field(&self.0).finish()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> &'static str {
        Username::parse(raw, "username").unwrap_err().code
    }

    #[test]
    fn letters_digits_underscores_and_hyphens_are_accepted_as_given() {
        let name = Username::parse(" John_Doe-42 ", "username").unwrap();
        assert_eq!(name.as_str(), "John_Doe-42");
        assert_eq!(name.normalized(), "john_doe-42");
    }

    #[test]
    fn a_look_alike_of_a_name_has_its_key_but_keeps_its_own_spelling() {
        let alice = Username::parse("alice", "username").unwrap();
        let lookalike = Username::parse("ALlCE", "username").unwrap();
        assert_eq!(lookalike.skeleton(), alice.skeleton());
        assert_eq!(lookalike.as_str(), "ALlCE");
        assert_ne!(lookalike.normalized(), alice.normalized());
    }

    #[test]
    fn three_to_fifty_characters_are_allowed() {
        assert!(Username::parse("abc", "username").is_ok());
        assert!(Username::parse(&"a".repeat(50), "username").is_ok());
        assert_eq!(code("ab"), codes::TOO_SHORT);
        assert_eq!(code(&"a".repeat(51)), codes::TOO_LONG);
    }

    #[test]
    fn an_empty_username_is_missing() {
        assert_eq!(code(""), codes::REQUIRED);
        assert_eq!(code("  "), codes::REQUIRED);
    }

    #[test]
    fn spaces_punctuation_and_non_ascii_letters_are_rejected() {
        for raw in ["john doe", "john.doe", "jöhn", "john@doe", "<script>"] {
            assert_eq!(code(raw), codes::INVALID_USERNAME, "{raw}");
        }
    }
}
