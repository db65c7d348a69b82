use super::{char_len, codes, too_long};
use crate::error::FieldError;
use std::fmt;
use std::net::IpAddr;

/// Which domains a new address may have (`ALLOW_LOCAL_EMAIL_DOMAINS`). Only where an address is
/// accepted as a new one (registration): login and the mail-sending forms take any well-formed
/// address and answer as for an unknown account, so refusing one there would tell nothing new
/// but would be a second answer to keep identical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmailDomains {
    /// Names mail can be routed to across the internet: no IP literal (`[127.0.0.1]`,
    /// `[IPv6:::1]`), no bare IP address, and at least one dot (not `localhost`, not `b`).
    /// Mail to the others bounces for good, and an account that can never be verified or reset
    /// only holds its name.
    #[default]
    Routable,
    /// Any well-formed domain, for test rigs whose mail goes to `localhost`.
    AllowLocal,
}

/// An email address: at most 255 characters, one `@`, a plausible local part and domain.
/// Kept as given; [`Email::normalized`] is the case-insensitive identity used for uniqueness.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 255;

    /// Parses `raw` (surrounding whitespace trimmed). `field` names the request field in errors.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, codes::REQUIRED, "Email is required"));
        }
        if char_len(s) > Self::MAX_LEN {
            return Err(too_long(field, Self::MAX_LEN));
        }
        if garde::rules::email::parse_email(s).is_err() || s.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                codes::INVALID_EMAIL,
                "Invalid email format",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// Rebuilds a value read back from storage, where it was valid when written.
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with its local part hidden but for its first character (`j***@example.com`):
    /// enough for the owner to recognise where a code went, little for anyone else.
    #[must_use]
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((self.0.as_str(), ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }

    /// Lower-cased form: two addresses that differ only in case are the same account.
    #[must_use]
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// Refuses an address `domains` does not allow, on `field`.
    ///
    /// # Errors
    /// `INVALID_EMAIL_FORMAT` when the domain is local and `domains` is `Routable`.
    pub fn check_domain(&self, domains: EmailDomains, field: &str) -> Result<(), FieldError> {
        if domains == EmailDomains::Routable && is_local_domain(self.domain()) {
            return Err(FieldError::new(
                field,
                codes::INVALID_EMAIL,
                "Email domain cannot receive mail",
            ));
        }
        Ok(())
    }

    /// The part after the last `@`.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// The part before the `@`, for the password policy's context check.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map_or(self.0.as_str(), |(local, _)| local)
    }
}

/// An IP literal, a bare IP address, or a name without a dot (a trailing root dot aside):
/// nothing a mail server on the internet would deliver to.
fn is_local_domain(domain: &str) -> bool {
    let name = domain.strip_suffix('.').unwrap_or(domain);
    name.starts_with('[') || name.parse::<IpAddr>().is_ok() || !name.contains('.')
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&self.0).finish()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_masked_address_shows_only_the_first_character_and_the_domain() {
        let masked = |s: &str| super::Email::from_trusted(s.to_owned()).masked();
        assert_eq!(masked("jane.doe@example.com"), "j***@example.com");
        assert_eq!(
            masked("\u{e9}l\u{e8}ve@example.org"),
            "\u{e9}***@example.org"
        );
        assert_eq!(masked("a@b.c"), "a***@b.c");
    }

    use super::*;

    fn code(raw: &str) -> &'static str {
        Email::parse(raw, "email").unwrap_err().code
    }

    #[test]
    fn a_plain_address_is_accepted_and_kept_as_given() {
        let email = Email::parse("  Jane.Doe@Example.com ", "email").unwrap();
        assert_eq!(email.as_str(), "Jane.Doe@Example.com");
        assert_eq!(email.to_string(), "Jane.Doe@Example.com");
    }

    #[test]
    fn addresses_differing_only_in_case_normalize_to_the_same_identity() {
        let a = Email::parse("Jane@Example.COM", "email").unwrap();
        let b = Email::parse("jane@example.com", "email").unwrap();
        assert_eq!(a.normalized(), b.normalized());
    }

    #[test]
    fn the_local_part_is_what_comes_before_the_at_sign() {
        let email = Email::parse("jane.doe@example.com", "email").unwrap();
        assert_eq!(email.local_part(), "jane.doe");
    }

    #[test]
    fn an_empty_address_is_missing() {
        assert_eq!(code(""), codes::REQUIRED);
        assert_eq!(code("   "), codes::REQUIRED);
    }

    #[test]
    fn malformed_addresses_are_rejected_on_the_named_field() {
        for raw in [
            "jane",
            "jane@",
            "@example.com",
            "jane@@example.com",
            "ja ne@example.com",
        ] {
            let e = Email::parse(raw, "email").unwrap_err();
            assert_eq!(e.code, codes::INVALID_EMAIL, "{raw}");
            assert_eq!(e.field, "email");
        }
        assert_eq!(code("jane\u{7}@example.com"), codes::INVALID_EMAIL);
    }

    /// As registration takes a new address.
    fn new_address(raw: &str, domains: EmailDomains) -> Result<Email, FieldError> {
        let email = Email::parse(raw, "email")?;
        email.check_domain(domains, "email")?;
        Ok(email)
    }

    fn domain_refusal(raw: &str) -> Option<FieldError> {
        new_address(raw, EmailDomains::Routable).err()
    }

    #[test]
    fn local_domains_are_refused_as_new_addresses() {
        // Some IPv6 literals already fail the parser; either way the answer is the same.
        for raw in [
            "alice@[127.0.0.1]",
            "alice@[IPv6:::1]",
            "alice@[IPv6:2001:db8::1]",
            "a@b",
            "alice@localhost",
            "alice@LOCALHOST",
        ] {
            let e = domain_refusal(raw).unwrap_or_else(|| panic!("{raw} was accepted"));
            assert_eq!(
                (e.field.as_str(), e.code),
                ("email", codes::INVALID_EMAIL),
                "{raw}"
            );
        }
    }

    #[test]
    fn bare_ip_addresses_and_a_lone_root_dot_do_not_make_a_domain_routable() {
        assert!(is_local_domain("127.0.0.1"));
        assert!(is_local_domain("::1"));
        assert!(is_local_domain("localhost."));
        assert!(!is_local_domain("example.com."));
    }

    #[test]
    fn dotted_names_are_routable() {
        for raw in [
            "jane@example.com",
            "jane@mail.example.co.uk",
            "jane@xn--bcher-kva.example",
        ] {
            assert!(domain_refusal(raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn local_domains_pass_when_allowed() {
        for raw in ["alice@[127.0.0.1]", "a@b", "alice@localhost"] {
            assert!(new_address(raw, EmailDomains::AllowLocal).is_ok(), "{raw}");
        }
    }

    #[test]
    fn the_domain_is_what_follows_the_last_at_sign() {
        let email = Email::from_trusted("jane@mail@example.com".into());
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn an_address_longer_than_255_characters_is_too_long() {
        let long = format!("{}@example.com", "a".repeat(244));
        assert_eq!(long.len(), 256);
        assert_eq!(code(&long), codes::TOO_LONG);
    }
}
