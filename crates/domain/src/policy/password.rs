//! The password policy. Every rule is checked and every failure reported, so a user fixes their
//! password in one round trip.
//!
//! Three profiles: `Classic` (the Perfect21 document: 12+ characters with upper, lower, digit and
//! special), `Nist` (NIST SP 800-63B-4: 15+ characters, 8 with MFA, no composition rules) and
//! `CheckInn` (the CheckInn document: 8+ characters with upper, lower, digit and special). All
//! cap the length at 128 characters and reject passwords from the bundled list of common
//! passwords. `Classic` and `Nist` also reject passwords that contain the username or the
//! email's local part, and a listed word decorated with digits and symbols (`Password123!`);
//! `CheckInn` does neither, since its document's own example (`test@example.com` with
//! `TestPass123!`) must register.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The bundled list of the most common passwords, lower-cased, one per line.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyProfile {
    Classic,
    Nist,
    /// The CheckInn document's rules (`PASSWORD_POLICY=checkinn`): 8+ characters with upper,
    /// lower, digit and special.
    CheckInn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub profile: PolicyProfile,
    /// Minimum length in characters (Classic: 12; Nist: 15).
    pub min_length: usize,
    /// Nist only: the minimum for accounts with MFA on.
    pub min_length_with_mfa: usize,
    pub max_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::classic()
    }
}

/// What the policy knows about the account the password is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    pub username: Option<&'a str>,
    pub email_local_part: Option<&'a str>,
    pub mfa_enabled: bool,
}

/// One failed rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    TooShort { min: usize },
    TooLong { max: usize },
    MissingUppercase,
    MissingLowercase,
    MissingDigit,
    MissingSpecial,
    TooCommon,
    ContainsUsername,
    ContainsEmail,
}

impl Violation {
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::TooShort { min } => format!("Password must be at least {min} characters"),
            Self::TooLong { max } => format!("Password must be at most {max} characters"),
            Self::MissingUppercase => {
                "Password must contain at least one uppercase letter".to_owned()
            }
            Self::MissingLowercase => {
                "Password must contain at least one lowercase letter".to_owned()
            }
            Self::MissingDigit => "Password must contain at least one number".to_owned(),
            Self::MissingSpecial => {
                "Password must contain at least one special character".to_owned()
            }
            Self::TooCommon => "Password is too common".to_owned(),
            Self::ContainsUsername => "Password must not contain the username".to_owned(),
            Self::ContainsEmail => "Password must not contain the email address".to_owned(),
        }
    }
}

/// Fragments shorter than this are not checked for containment (`"al"` would reject too much).
const MIN_CONTEXT_FRAGMENT: usize = 3;

impl PasswordPolicy {
    #[must_use]
    pub const fn classic() -> Self {
        Self {
            profile: PolicyProfile::Classic,
            min_length: 12,
            min_length_with_mfa: 12,
            max_length: 128,
        }
    }

    #[must_use]
    pub const fn nist() -> Self {
        Self {
            profile: PolicyProfile::Nist,
            min_length: 15,
            min_length_with_mfa: 8,
            max_length: 128,
        }
    }

    /// The CheckInn document's policy: at least 8 characters, one upper-case letter, one
    /// lower-case letter, one digit and one special character.
    #[must_use]
    pub const fn checkinn() -> Self {
        Self {
            profile: PolicyProfile::CheckInn,
            min_length: 8,
            min_length_with_mfa: 8,
            max_length: 128,
        }
    }

    /// Every rule `password` breaks, in a stable order; empty when it is acceptable.
    #[must_use]
    pub fn check(&self, password: &str, context: &PasswordContext<'_>) -> Vec<Violation> {
        let mut violations = Vec::new();
        let length = password.chars().count();
        let min = if context.mfa_enabled {
            self.min_length_with_mfa
        } else {
            self.min_length
        };
        if length < min {
            violations.push(Violation::TooShort { min });
        }
        if length > self.max_length {
            violations.push(Violation::TooLong {
                max: self.max_length,
            });
        }
        if self.has_composition_rules() {
            if !password.chars().any(char::is_uppercase) {
                violations.push(Violation::MissingUppercase);
            }
            if !password.chars().any(char::is_lowercase) {
                violations.push(Violation::MissingLowercase);
            }
            if !password.chars().any(|c| c.is_ascii_digit()) {
                violations.push(Violation::MissingDigit);
            }
            if !password
                .chars()
                .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
            {
                violations.push(Violation::MissingSpecial);
            }
        }
        if self.is_common(password) {
            violations.push(Violation::TooCommon);
        }
        if self.profile == PolicyProfile::CheckInn {
            return violations;
        }
        let lowered = password.to_lowercase();
        if contains_fragment(&lowered, context.username) {
            violations.push(Violation::ContainsUsername);
        }
        if contains_fragment(&lowered, context.email_local_part) {
            violations.push(Violation::ContainsEmail);
        }
        violations
    }

    /// Upper, lower, digit and special: Perfect21's and CheckInn's rules, not NIST's.
    fn has_composition_rules(&self) -> bool {
        matches!(
            self.profile,
            PolicyProfile::Classic | PolicyProfile::CheckInn
        )
    }

    /// Listed as typed (whatever its case); except under CheckInn, also listed once the leading
    /// and trailing digits and symbols are stripped (`Password123!` is common because
    /// `password` is). CheckInn checks only the password as typed: its composition rules
    /// already force the decoration, and its document's example `TestPass123!` must pass.
    fn is_common(&self, password: &str) -> bool {
        let lowered = password.to_lowercase();
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            return true;
        }
        let core = lowered.trim_matches(|c: char| !c.is_alphabetic());
        self.profile != PolicyProfile::CheckInn
            && !core.is_empty()
            && COMMON_PASSWORDS.contains(core)
    }
}

fn contains_fragment(lowered_password: &str, fragment: Option<&str>) -> bool {
    fragment.is_some_and(|f| {
        let f = f.to_lowercase();
        f.chars().count() >= MIN_CONTEXT_FRAGMENT && lowered_password.contains(&f)
    })
}

#[cfg(test)]
mod tests;
