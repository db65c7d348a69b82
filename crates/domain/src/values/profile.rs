use super::{char_len, codes, too_long};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A first or last name: 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, codes::REQUIRED, "Must not be empty"));
        }
        if char_len(s) > Self::MAX_LEN {
            return Err(too_long(field, Self::MAX_LEN));
        }
        if s.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                codes::INVALID_FORMAT,
                "Must not contain control characters",
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
}

/// A phone number: at most 20 characters of digits, spaces and `+-().`, with at least one digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub const MAX_LEN: usize = 20;

    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if char_len(s) > Self::MAX_LEN {
            return Err(too_long(field, Self::MAX_LEN));
        }
        let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if !s.chars().all(allowed) || !s.chars().any(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                codes::INVALID_FORMAT,
                "Invalid phone number",
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
}

/// Profile preferences (the CheckInn document's shape). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<NotificationPreferences>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPreferences {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<bool>,
}

impl Preferences {
    /// `language`: a BCP 47-like tag of 2–35 characters; `currency`: three ASCII letters (ISO 4217).
    pub fn validate(&self, field: &str) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(lang) = &self.language {
            let ok = (2..=35).contains(&lang.len())
                && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                errors.push(FieldError::new(
                    format!("{field}.language"),
                    codes::INVALID_FORMAT,
                    "Must be a language tag such as \"en\" or \"pt-BR\"",
                ));
            }
        }
        if let Some(cur) = &self.currency {
            if !(cur.len() == 3 && cur.chars().all(|c| c.is_ascii_alphabetic())) {
                errors.push(FieldError::new(
                    format!("{field}.currency"),
                    codes::INVALID_FORMAT,
                    "Must be a three-letter currency code such as \"USD\"",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
