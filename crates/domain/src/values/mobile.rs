use super::{Phone, codes};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A phone number an SMS can be sent to: E.164, a `+`, the country code and the number, 7 to
/// 15 digits in all, the first not 0 (`+84987654321`).
///
/// A profile's [`Phone`] accepts any usual notation ("030.1234.5678", "+1 (234) 567-890"), but
/// an SMS gateway needs the international form, and a national number cannot be turned into
/// one without guessing the country. So the separators a person types are dropped and the
/// rest must be E.164; nothing else is guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MobileNumber(String);

impl MobileNumber {
    const MIN_DIGITS: usize = 7;
    const MAX_DIGITS: usize = 15;

    /// `raw` without spaces, dots, dashes and parentheses must be E.164.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !" .-()".contains(*c))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or_default();
        let is_e164 = compact.starts_with('+')
            && (Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0');
        if is_e164 {
            Ok(Self(compact))
        } else {
            Err(FieldError::new(
                field,
                codes::INVALID_FORMAT,
                "Must be an international phone number: +, the country code and the number, \
                 such as +84987654321",
            ))
        }
    }

    /// The profile's phone, if it is written in international form.
    pub fn from_phone(phone: &Phone, field: &str) -> Result<Self, FieldError> {
        Self::parse(phone.as_str(), field)
    }

    /// The number as shown back to its owner: the `+`, the first two and the last three digits
    /// (`+84******321`).
    #[must_use]
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let n = digits.len();
        format!("+{}{}{}", &digits[..2], "*".repeat(n - 5), &digits[n - 3..])
    }

    /// `+` and digits only.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_shows_the_country_and_the_last_three_digits() {
        let n = MobileNumber::parse("+84987654321", "phone").unwrap();
        assert_eq!(n.masked(), "+84******321");
        let short = MobileNumber::parse("+1234567", "phone").unwrap();
        assert_eq!(short.masked(), "+12**567");
    }

    #[test]
    fn international_numbers_keep_only_the_plus_and_the_digits() {
        for (raw, e164) in [
            ("+84987654321", "+84987654321"),
            (" +1 (234) 567-8901 ", "+12345678901"),
            ("+44.20.7946.0958", "+442079460958"),
        ] {
            assert_eq!(MobileNumber::parse(raw, "phone").unwrap().as_str(), e164);
        }
    }

    #[test]
    fn national_short_long_or_lettered_numbers_are_refused_on_the_named_field() {
        for raw in [
            "030.1234.5678",
            "0987654321",
            "+0987654321",
            "+123456",
            "+1234567890123456",
            "+1 234 CALL",
            "++84987654321",
            "",
        ] {
            let e = MobileNumber::parse(raw, "phone").unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code),
                ("phone", codes::INVALID_FORMAT),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_profile_phone_converts_only_when_it_is_international() {
        let international = Phone::parse("+84 98 765 4321", "phone").unwrap();
        let national = Phone::parse("098 765 4321", "phone").unwrap();
        assert_eq!(
            MobileNumber::from_phone(&international, "phone")
                .unwrap()
                .as_str(),
            "+84987654321"
        );
        assert!(MobileNumber::from_phone(&national, "phone").is_err());
    }
}
