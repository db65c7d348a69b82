//! Unit tests of the password policy.
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

fn checkinn(password: &str, context: &PasswordContext<'_>) -> Vec<Violation> {
    PasswordPolicy::checkinn().check(password, context)
}

/// The CheckInn document registers `test@example.com` with `TestPass123!`; its own rules
/// (8 characters, upper, lower, digit, special) accept it, and so must its profile.
#[test]
fn the_checkinn_profile_accepts_its_documents_example() {
    let test = for_account("test-a2b3c4", "test");
    assert_eq!(checkinn("TestPass123!", &test), vec![]);
}

#[test]
fn the_checkinn_profile_needs_eight_characters_and_every_kind() {
    let none = PasswordContext::default();
    assert_eq!(
        checkinn("Cor-Ho4!", &none),
        vec![],
        "8 characters is enough"
    );
    assert_eq!(
        checkinn("Co-Ho4!", &none),
        vec![Violation::TooShort { min: 8 }]
    );
    assert_eq!(
        checkinn("cor-ho4!", &none),
        vec![Violation::MissingUppercase]
    );
    assert_eq!(
        checkinn("COR-HO4!", &none),
        vec![Violation::MissingLowercase]
    );
    assert_eq!(checkinn("Cor-Hor!", &none), vec![Violation::MissingDigit]);
    assert_eq!(checkinn("CorHor42", &none), vec![Violation::MissingSpecial]);
    assert_eq!(
        checkinn(&format!("Aa1!{}", "x".repeat(125)), &none),
        vec![Violation::TooLong { max: 128 }]
    );
}

#[test]
fn the_checkinn_profile_needs_eight_characters_with_mfa_too() {
    let mfa = PasswordContext {
        mfa_enabled: true,
        ..PasswordContext::default()
    };
    assert_eq!(
        checkinn("Co-Ho4!", &mfa),
        vec![Violation::TooShort { min: 8 }]
    );
}

#[test]
fn the_checkinn_profile_rejects_a_listed_password_as_typed() {
    assert_eq!(
        checkinn("password", &PasswordContext::default()),
        vec![
            Violation::MissingUppercase,
            Violation::MissingDigit,
            Violation::MissingSpecial,
            Violation::TooCommon,
        ]
    );
    assert!(checkinn("QWERTYUIOP", &PasswordContext::default()).contains(&Violation::TooCommon));
}

/// Unlike Classic and Nist, the decorated word is not stripped back to the listed one.
#[test]
fn the_checkinn_profile_does_not_strip_a_listed_word_of_its_decoration() {
    let none = PasswordContext::default();
    assert_eq!(checkinn("Password123!", &none), vec![]);
    assert_eq!(classic("Password123!"), vec![Violation::TooCommon]);
}

#[test]
fn the_checkinn_profile_does_not_check_the_username_or_the_email() {
    let jane = for_account("JaneDoe", "jane.doe");
    assert_eq!(checkinn("My-JaneDoe-1", &jane), vec![]);
    assert_eq!(checkinn("My-jane.doe-1", &jane), vec![]);
}

#[test]
fn the_composition_messages_say_at_least_one() {
    let messages: Vec<_> = [
        Violation::MissingUppercase,
        Violation::MissingLowercase,
        Violation::MissingDigit,
        Violation::MissingSpecial,
    ]
    .iter()
    .map(Violation::message)
    .collect();
    assert_eq!(
        messages,
        [
            "Password must contain at least one uppercase letter",
            "Password must contain at least one lowercase letter",
            "Password must contain at least one number",
            "Password must contain at least one special character",
        ]
    );
}
