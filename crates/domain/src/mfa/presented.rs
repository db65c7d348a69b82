use super::{BackupCode, OtpCode};
use crate::error::FieldError;
use crate::values::codes;
use std::fmt;

/// A second-factor code as a user typed it into the one `code` field: six digits are a TOTP
/// code, eight (spaces and dashes allowed, as printed) a backup code. The lengths cannot be
/// confused, so no guess is needed about what the user meant.
#[derive(Clone, PartialEq, Eq)]
pub enum PresentedCode {
    Totp(OtpCode),
    Backup(BackupCode),
}

impl PresentedCode {
    /// # Errors
    /// `REQUIRED_FIELD_MISSING` when absent or blank, `INVALID_FORMAT` for anything that is
    /// neither six nor eight digits.
    pub fn parse(raw: Option<&str>, field: &str) -> Result<Self, FieldError> {
        let s = raw.map(str::trim).unwrap_or_default();
        if s.is_empty() {
            return Err(FieldError::new(field, codes::REQUIRED, "Code is required"));
        }
        if let Some(code) = OtpCode::from_digits(s) {
            return Ok(Self::Totp(code));
        }
        BackupCode::parse(s, field).map(Self::Backup).map_err(|_| {
            FieldError::new(
                field,
                codes::INVALID_FORMAT,
                "Code must be 6 digits (authenticator) or 8 digits (backup code)",
            )
        })
    }
}

impl fmt::Debug for PresentedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Totp(code) => f.debug_tuple("Totp").field(code).finish(),
            Self::Backup(code) => f.debug_tuple("Backup").field(code).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_are_a_totp_code_and_eight_a_backup_code() {
        assert!(matches!(
            PresentedCode::parse(Some(" 123456 "), "code"),
            Ok(PresentedCode::Totp(c)) if c.as_str() == "123456"
        ));
        assert!(matches!(
            PresentedCode::parse(Some("1234-5678"), "code"),
            Ok(PresentedCode::Backup(c)) if c.as_str() == "12345678"
        ));
    }

    #[test]
    fn blank_is_required_and_other_lengths_are_invalid() {
        for raw in [None, Some(""), Some("   ")] {
            let e = PresentedCode::parse(raw, "code").unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code),
                ("code", codes::REQUIRED),
                "{raw:?}"
            );
        }
        for raw in ["12345", "1234567", "123456789", "12345a", "abcdefgh"] {
            let e = PresentedCode::parse(Some(raw), "code").unwrap_err();
            assert_eq!(e.code, codes::INVALID_FORMAT, "{raw:?}");
        }
    }

    #[test]
    fn a_presented_code_never_prints_its_digits() {
        let printed = format!(
            "{:?}",
            PresentedCode::parse(Some("12345678"), "code").unwrap()
        );
        assert!(!printed.contains("1234"), "{printed}");
    }
}
