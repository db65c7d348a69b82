use std::fmt;

/// A way to present a second factor, spelled as the API spells it (`methods` of `MFA_REQUIRED`,
/// `type` of the setup request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MfaMethod {
    Totp,
    Email,
    Sms,
    BackupCode,
}

impl MfaMethod {
    pub const ALL: [Self; 4] = [Self::Totp, Self::Email, Self::Sms, Self::BackupCode];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Email => "email",
            Self::Sms => "sms",
            Self::BackupCode => "backup_code",
        }
    }

    /// The method named `raw`, exactly as the API spells it (no case folding: the contract is
    /// lower-case, and one spelling per method keeps stored rows comparable).
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

impl fmt::Display for MfaMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_round_trips_through_its_api_spelling() {
        for method in MfaMethod::ALL {
            assert_eq!(MfaMethod::parse(method.as_str()), Some(method));
        }
        assert_eq!(MfaMethod::BackupCode.to_string(), "backup_code");
    }

    #[test]
    fn unknown_or_differently_cased_names_are_not_methods() {
        for raw in ["", "TOTP", "backup-code", "push", " totp"] {
            assert_eq!(MfaMethod::parse(raw), None, "{raw:?}");
        }
    }
}
