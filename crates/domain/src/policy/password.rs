//! The password policy. Every rule is checked and every failure reported, so a user fixes their
//! password in one round trip.
//!
//! Two profiles: `Classic` (the Perfect21 document: 12+ characters with upper, lower, digit and
//! special) and `Nist` (NIST SP 800-63B-4: 15+ characters, 8 with MFA, no composition rules).
//! Both cap the length at 128 characters and reject passwords from the bundled list of common
//! passwords and passwords that contain the username or the email's local part.

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
            Self::MissingUppercase => "Password must contain an uppercase letter".to_owned(),
            Self::MissingLowercase => "Password must contain a lowercase letter".to_owned(),
            Self::MissingDigit => "Password must contain a number".to_owned(),
            Self::MissingSpecial => "Password must contain a special character".to_owned(),
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
        if self.profile == PolicyProfile::Classic {
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
        if is_common(password) {
            violations.push(Violation::TooCommon);
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
}

/// Listed as given, or listed once the leading and trailing digits and symbols are stripped
/// (`Password123!` is common because `password` is).
fn is_common(password: &str) -> bool {
    let lowered = password.to_lowercase();
    let core = lowered.trim_matches(|c: char| !c.is_alphabetic());
    COMMON_PASSWORDS.contains(lowered.as_str())
        || (!core.is_empty() && COMMON_PASSWORDS.contains(core))
}

fn contains_fragment(lowered_password: &str, fragment: Option<&str>) -> bool {
    fragment.is_some_and(|f| {
        let f = f.to_lowercase();
        f.chars().count() >= MIN_CONTEXT_FRAGMENT && lowered_password.contains(&f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "Correct-Horse-42!";

    fn classic(password: &str) -> Vec<Violation> {
        PasswordPolicy::classic().check(password, &PasswordContext::default())
    }

    fn nist(password: &str, mfa_enabled: bool) -> Vec<Violation> {
        let context = PasswordContext {
            mfa_enabled,
            ..PasswordContext::default()
        };
        PasswordPolicy::nist().check(password, &context)
    }

    fn for_account<'a>(username: &'a str, email_local_part: &'a str) -> PasswordContext<'a> {
        PasswordContext {
            username: Some(username),
            email_local_part: Some(email_local_part),
            mfa_enabled: false,
        }
    }

    #[test]
    fn a_long_mixed_password_passes_the_classic_policy() {
        assert_eq!(classic(STRONG), vec![]);
    }

    #[test]
    fn the_classic_policy_is_the_default() {
        assert_eq!(PasswordPolicy::default(), PasswordPolicy::classic());
    }

    #[test]
    fn each_classic_rule_is_reported_on_its_own() {
        assert_eq!(classic("Cor-Horse-4!"), vec![], "12 characters is enough");
        assert_eq!(
            classic("Co-Horse-4!"),
            vec![Violation::TooShort { min: 12 }]
        );
        assert_eq!(
            classic("correct-horse-42!"),
            vec![Violation::MissingUppercase]
        );
        assert_eq!(
            classic("CORRECT-HORSE-42!"),
            vec![Violation::MissingLowercase]
        );
        assert_eq!(classic("Correct-Horse-XL!"), vec![Violation::MissingDigit]);
        assert_eq!(classic("CorrectHorse42x"), vec![Violation::MissingSpecial]);
    }

    #[test]
    fn a_space_is_not_a_special_character() {
        assert_eq!(classic("Correct Horse 42"), vec![Violation::MissingSpecial]);
    }

    #[test]
    fn every_failing_rule_is_listed_together() {
        assert_eq!(
            classic("abc"),
            vec![
                Violation::TooShort { min: 12 },
                Violation::MissingUppercase,
                Violation::MissingDigit,
                Violation::MissingSpecial,
            ]
        );
        let context = for_account("jane", "jane.doe");
        assert_eq!(
            PasswordPolicy::classic().check("jane.doe", &context),
            vec![
                Violation::TooShort { min: 12 },
                Violation::MissingUppercase,
                Violation::MissingDigit,
                Violation::ContainsUsername,
                Violation::ContainsEmail,
            ]
        );
    }

    #[test]
    fn the_length_limit_is_counted_in_characters_not_bytes() {
        // 128 two-byte characters: 256 bytes, but exactly at the limit.
        let at_limit = format!("Aa1!{}", "é".repeat(124));
        assert_eq!(at_limit.chars().count(), 128);
        assert_eq!(classic(&at_limit), vec![]);
        let over = format!("{at_limit}é");
        assert_eq!(classic(&over), vec![Violation::TooLong { max: 128 }]);
        // Eleven characters of 4 bytes each are still too short.
        assert_eq!(
            classic("Aa1!🔐🔐🔐🔐🔐🔐🔐"),
            vec![Violation::TooShort { min: 12 }]
        );
    }

    #[test]
    fn the_nist_profile_needs_fifteen_characters_and_no_composition() {
        assert_eq!(nist("violet tractor gym", false), vec![]);
        assert_eq!(nist("violettractorgy", false), vec![]);
        assert_eq!(
            nist("violettractorg", false),
            vec![Violation::TooShort { min: 15 }]
        );
    }

    #[test]
    fn the_nist_profile_accepts_eight_characters_with_mfa() {
        assert_eq!(nist("vtgymzqp", true), vec![]);
        assert_eq!(nist("vtgymzq", true), vec![Violation::TooShort { min: 8 }]);
        assert_eq!(
            nist("vtgymzqp", false),
            vec![Violation::TooShort { min: 15 }]
        );
    }

    #[test]
    fn the_nist_profile_caps_the_length_at_128_characters() {
        assert_eq!(nist(&"ж".repeat(128), false), vec![]);
        assert_eq!(
            nist(&"ж".repeat(129), false),
            vec![Violation::TooLong { max: 128 }]
        );
    }

    #[test]
    fn a_listed_password_is_rejected_whatever_its_case() {
        assert!(nist("1q2w3e4r5t", true).contains(&Violation::TooCommon));
        assert!(nist("QWERTYUIOP", true).contains(&Violation::TooCommon));
    }

    #[test]
    fn a_listed_word_decorated_with_digits_and_symbols_is_rejected() {
        assert_eq!(classic("Password123!"), vec![Violation::TooCommon]);
        assert_eq!(classic("!!Password2024##"), vec![Violation::TooCommon]);
        assert_eq!(nist("2024password!!!!", false), vec![Violation::TooCommon]);
    }

    #[test]
    fn a_listed_word_inside_a_longer_password_is_not_rejected() {
        assert_eq!(classic("MyPassword-Is-Long-42"), vec![]);
    }

    #[test]
    fn the_bundled_list_holds_about_ten_thousand_lower_case_passwords() {
        assert!(
            COMMON_PASSWORDS.len() >= 9_000,
            "{}",
            COMMON_PASSWORDS.len()
        );
        assert!(COMMON_PASSWORDS.contains("password"));
        assert!(COMMON_PASSWORDS.contains("123456"));
        assert!(
            COMMON_PASSWORDS
                .iter()
                .all(|p| *p == p.to_lowercase().as_str())
        );
    }

    #[test]
    fn the_examples_of_the_perfect21_document_pass_for_johndoe() {
        let johndoe = for_account("johndoe", "user");
        let policy = PasswordPolicy::classic();
        assert_eq!(policy.check("SecurePass123!", &johndoe), vec![]);
        assert_eq!(policy.check("NewSecurePass123!", &johndoe), vec![]);
    }

    /// The document's cURL example registers `testuser` / `test@example.com` with
    /// `TestPass123!`: the rules of API.md reject it twice, as a listed word (`testpass`) and
    /// because it contains the email's local part (`test`).
    #[test]
    fn the_test_pass_example_breaks_the_blocklist_and_the_email_rule() {
        let testuser = for_account("testuser", "test");
        assert_eq!(
            PasswordPolicy::classic().check("TestPass123!", &testuser),
            vec![Violation::TooCommon, Violation::ContainsEmail]
        );
        assert_eq!(
            PasswordPolicy::classic().check("SecurePass123!", &testuser),
            vec![]
        );
    }

    #[test]
    fn a_password_containing_the_username_is_rejected_whatever_the_case() {
        let context = for_account("JohnDoe", "someone");
        assert_eq!(
            PasswordPolicy::classic().check("xx-JOHNDOE-42-Yy", &context),
            vec![Violation::ContainsUsername]
        );
    }

    #[test]
    fn a_password_containing_the_email_local_part_is_rejected_whatever_the_case() {
        let context = for_account("someone", "Jane.Smith");
        assert_eq!(
            PasswordPolicy::classic().check("My-jane.smith-42", &context),
            vec![Violation::ContainsEmail]
        );
    }

    #[test]
    fn fragments_shorter_than_three_characters_are_not_checked() {
        let context = for_account("al", "jo");
        assert_eq!(
            PasswordPolicy::classic().check("Alpha-Joker-42", &context),
            vec![]
        );
    }

    #[test]
    fn every_violation_has_a_message_for_people() {
        assert_eq!(
            Violation::TooShort { min: 12 }.message(),
            "Password must be at least 12 characters"
        );
        assert_eq!(Violation::TooCommon.message(), "Password is too common");
    }
}
