//! How a login names an account, and the key under which its failures are counted when it names
//! none.

use crate::ports::{LoginName, TokenGenerator};
use crate::token::TokenHash;
use crate::values::{Email, Username};

/// The identifier of one login request.
pub(super) struct Identifier {
    pub(super) name: LoginName,
    /// `email:<address>` or `username:<name>`, trimmed and lowercased: every spelling of one
    /// identifier is counted together, as the accounts' case-insensitive lookup finds them.
    normalized: String,
}

impl Identifier {
    /// Malformed text names no account, yet is counted like a well-formed unknown address, so
    /// that it is answered the same way.
    pub(super) fn email(raw: &str) -> Self {
        Self {
            name: Email::parse(raw, "email").map_or(LoginName::Malformed, LoginName::Email),
            normalized: format!("email:{}", raw.trim().to_lowercase()),
        }
    }

    pub(super) fn username(raw: &str) -> Self {
        Self {
            name: Username::parse(raw, "username")
                .map_or(LoginName::Malformed, LoginName::Username),
            normalized: format!("username:{}", raw.trim().to_lowercase()),
        }
    }

    /// The SHA-256 of the normalized identifier: storage never holds the address itself.
    pub(super) fn key(&self, tokens: &dyn TokenGenerator) -> TokenHash {
        tokens.digest(&self.normalized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_an_address_is_one_identifier() {
        let a = Identifier::email("  Jane@Example.COM ");
        let b = Identifier::email("jane@example.com");
        assert_eq!(a.normalized, b.normalized);
        assert_eq!(a.normalized, "email:jane@example.com");
        assert!(matches!(a.name, LoginName::Email(_)));
    }

    #[test]
    fn an_email_and_a_username_of_the_same_text_are_different_identifiers() {
        assert_ne!(
            Identifier::email("jane").normalized,
            Identifier::username("jane").normalized
        );
    }

    #[test]
    fn a_malformed_identifier_names_no_account_but_has_a_key() {
        let malformed = Identifier::email(" Not An Email ");
        assert_eq!(malformed.name, LoginName::Malformed);
        assert_eq!(malformed.normalized, "email:not an email");
    }
}
