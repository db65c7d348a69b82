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
        if let Some(cur) = &self.currency
            && !(cur.len() == 3 && cur.chars().all(|c| c.is_ascii_alphabetic()))
        {
            errors.push(FieldError::new(
                format!("{field}.currency"),
                codes::INVALID_FORMAT,
                "Must be a three-letter currency code such as \"USD\"",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_kept() {
        let name = PersonName::parse("  Zoë ", "firstName").unwrap();
        assert_eq!(name.as_str(), "Zoë");
    }

    #[test]
    fn an_empty_name_is_missing_on_the_named_field() {
        for raw in ["", "   "] {
            let e = PersonName::parse(raw, "lastName").unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("lastName", codes::REQUIRED));
        }
    }

    #[test]
    fn a_name_may_have_a_hundred_characters_of_any_script() {
        assert!(PersonName::parse(&"é".repeat(100), "firstName").is_ok());
        let e = PersonName::parse(&"é".repeat(101), "firstName").unwrap_err();
        assert_eq!(e.code, codes::TOO_LONG);
    }

    #[test]
    fn a_name_with_control_characters_is_rejected() {
        let e = PersonName::parse("Jane\nDoe", "firstName").unwrap_err();
        assert_eq!(e.code, codes::INVALID_FORMAT);
    }

    #[test]
    fn usual_phone_notations_are_accepted() {
        for raw in ["+1234567890", "+1 (234) 567-890", "030.1234.5678"] {
            assert_eq!(Phone::parse(raw, "phone").unwrap().as_str(), raw);
        }
    }

    #[test]
    fn a_phone_without_digits_or_with_letters_is_rejected() {
        for raw in ["", "+-()", "call me", "+1 234 CALL"] {
            let e = Phone::parse(raw, "phone").unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code),
                ("phone", codes::INVALID_FORMAT),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_phone_may_have_at_most_twenty_characters() {
        assert!(Phone::parse(&"1".repeat(20), "phone").is_ok());
        assert_eq!(
            Phone::parse(&"1".repeat(21), "phone").unwrap_err().code,
            codes::TOO_LONG
        );
    }

    fn prefs(language: Option<&str>, currency: Option<&str>) -> Preferences {
        Preferences {
            language: language.map(str::to_owned),
            currency: currency.map(str::to_owned),
            notifications: Some(NotificationPreferences {
                email: Some(true),
                sms: None,
                push: Some(false),
            }),
        }
    }

    #[test]
    fn language_tags_and_currency_codes_are_accepted() {
        assert_eq!(
            prefs(Some("en"), Some("USD")).validate("preferences"),
            Ok(())
        );
        assert_eq!(
            prefs(Some("pt-BR"), Some("eur")).validate("preferences"),
            Ok(())
        );
        assert_eq!(Preferences::default().validate("preferences"), Ok(()));
    }

    #[test]
    fn every_invalid_preference_is_reported_under_its_own_path() {
        let errors = prefs(Some("e"), Some("US"))
            .validate("preferences")
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["preferences.language", "preferences.currency"]);
        assert!(prefs(Some("en_US"), None).validate("preferences").is_err());
        assert!(
            prefs(Some(&"a".repeat(36)), None)
                .validate("preferences")
                .is_err()
        );
        assert!(prefs(None, Some("U5D")).validate("preferences").is_err());
        assert!(prefs(None, Some("USDX")).validate("preferences").is_err());
    }

    #[test]
    fn preferences_use_the_documents_json_shape() {
        let json = serde_json::to_value(prefs(Some("en"), None)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"language": "en", "notifications": {"email": true, "push": false}})
        );
    }
}
