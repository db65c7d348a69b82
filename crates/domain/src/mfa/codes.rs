use crate::error::FieldError;
use crate::values::codes;
use std::fmt;

/// A 6-digit one-time code (TOTP, email or SMS) as the user typed it. Never printed: within its
/// step it is as good as the factor.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpCode([u8; OtpCode::DIGITS]);

impl OtpCode {
    pub const DIGITS: usize = 6;

    /// Exactly six ASCII digits after trimming; authenticator apps show `123 456`, but users copy
    /// the digits, and a strict format keeps `INVALID_MFA_CODE` for codes that are merely wrong.
    ///
    /// # Errors
    /// `REQUIRED_FIELD_MISSING` when blank, `INVALID_FORMAT` otherwise.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, codes::REQUIRED, "Code is required"));
        }
        Self::from_digits(s)
            .ok_or_else(|| FieldError::new(field, codes::INVALID_FORMAT, "Code must be 6 digits"))
    }

    /// `s` if it is exactly six ASCII digits: for adapters that computed a code.
    #[must_use]
    pub fn from_digits(s: &str) -> Option<Self> {
        let bytes: [u8; Self::DIGITS] = s.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_digit).then_some(Self(bytes))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Equality that takes the same time wherever the codes differ, so response times do not
    /// tell an attacker how many leading digits of a guess were right.
    #[must_use]
    pub fn ct_eq(&self, other: &Self) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpCode(******)")
    }
}

/// A single-use 8-digit backup code. Shown once at setup, stored only as a keyed digest.
#[derive(Clone, PartialEq, Eq)]
pub struct BackupCode([u8; BackupCode::DIGITS]);

impl BackupCode {
    pub const DIGITS: usize = 8;
    /// Exclusive upper bound of the number a code spells.
    pub const SPACE: u32 = 100_000_000;

    /// Eight ASCII digits; spaces and dashes anywhere are ignored, because people copy codes
    /// from a printout as `1234 5678` or `1234-5678`.
    ///
    /// # Errors
    /// `REQUIRED_FIELD_MISSING` when blank, `INVALID_FORMAT` otherwise.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let invalid =
            || FieldError::new(field, codes::INVALID_FORMAT, "Backup code must be 8 digits");
        let mut digits = [0_u8; Self::DIGITS];
        let mut len = 0;
        for c in raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-') && !c.is_whitespace())
        {
            if !c.is_ascii_digit() || len == Self::DIGITS {
                return Err(invalid());
            }
            // An ASCII digit is one byte.
            digits[len] = c as u8;
            len += 1;
        }
        match len {
            0 => Err(FieldError::new(
                field,
                codes::REQUIRED,
                "Backup code is required",
            )),
            Self::DIGITS => Ok(Self(digits)),
            _ => Err(invalid()),
        }
    }

    /// The code spelling `n` with leading zeros, for the adapter that draws codes at random;
    /// `None` past eight digits.
    #[must_use]
    pub fn from_number(n: u32) -> Option<Self> {
        if n >= Self::SPACE {
            return None;
        }
        let mut digits = [b'0'; Self::DIGITS];
        let mut rest = n;
        for d in digits.iter_mut().rev() {
            // `rest % 10` is below 10, so the cast cannot truncate.
            *d = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        Some(Self(digits))
    }

    /// The eight digits, without separators.
    #[must_use]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for BackupCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackupCode(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_otp_code_is_six_digits_after_trimming() {
        let code = OtpCode::parse("  012345\n", "code").unwrap();
        assert_eq!(code.as_str(), "012345");
    }

    #[test]
    fn anything_but_six_digits_is_not_an_otp_code() {
        for raw in [
            "12345",
            "1234567",
            "12345a",
            "123 456",
            "１２３４５６",
            "-12345",
            "12345٣",
        ] {
            let err = OtpCode::parse(raw, "code").unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code),
                ("code", codes::INVALID_FORMAT),
                "{raw:?}"
            );
        }
        assert_eq!(
            OtpCode::parse("   ", "code").unwrap_err().code,
            codes::REQUIRED
        );
    }

    #[test]
    fn otp_codes_compare_by_value_and_never_print() {
        let a = OtpCode::parse("123456", "code").unwrap();
        assert!(a.ct_eq(&OtpCode::parse("123456", "code").unwrap()));
        assert!(!a.ct_eq(&OtpCode::parse("123457", "code").unwrap()));
        assert!(!a.ct_eq(&OtpCode::parse("023456", "code").unwrap()));
        assert!(!format!("{a:?}").contains("123456"));
    }

    #[test]
    fn a_backup_code_tolerates_spaces_and_dashes_as_users_type_them() {
        for raw in [
            "12345678",
            "1234 5678",
            "1234-5678",
            " 12-34 56-78 ",
            "1234\t5678",
        ] {
            assert_eq!(
                BackupCode::parse(raw, "code").unwrap().as_str(),
                "12345678",
                "{raw:?}"
            );
        }
    }

    #[test]
    fn anything_but_eight_digits_is_not_a_backup_code() {
        for raw in [
            "1234567",
            "123456789",
            "1234567a",
            "1234_5678",
            "１２３４５６７８",
        ] {
            assert_eq!(
                BackupCode::parse(raw, "code").unwrap_err().code,
                codes::INVALID_FORMAT,
                "{raw:?}"
            );
        }
        for raw in ["", " - - "] {
            assert_eq!(
                BackupCode::parse(raw, "code").unwrap_err().code,
                codes::REQUIRED,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn backup_codes_from_numbers_keep_leading_zeros_and_stop_at_eight_digits() {
        assert_eq!(BackupCode::from_number(42).unwrap().as_str(), "00000042");
        assert_eq!(
            BackupCode::from_number(99_999_999).unwrap().as_str(),
            "99999999"
        );
        assert_eq!(BackupCode::from_number(BackupCode::SPACE), None);
        assert!(!format!("{:?}", BackupCode::from_number(12_345_678).unwrap()).contains("1234"));
    }
}
