//! The `From` address of outgoing mail (`SMTP_FROM`), parsed once at start-up.

use lettre::message::Mailbox;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A valid `From` mailbox such as `authd <no-reply@localhost>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender(Mailbox);

#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{input:?} is not a valid mailbox (expected e.g. \"authd <no-reply@example.com>\")")]
pub struct InvalidSender {
    input: String,
}

impl Sender {
    /// The sender used when `SMTP_FROM` is not set.
    pub const DEFAULT: &'static str = "authd <no-reply@localhost>";

    /// # Errors
    /// [`InvalidSender`] unless `raw` is an address, optionally with a display name.
    pub fn parse(raw: &str) -> Result<Self, InvalidSender> {
        Mailbox::from_str(raw.trim())
            .map(Self)
            .map_err(|_| InvalidSender {
                input: raw.to_owned(),
            })
    }

    pub(crate) fn mailbox(&self) -> &Mailbox {
        &self.0
    }
}

/// `authd <no-reply@localhost>`.
impl Default for Sender {
    fn default() -> Self {
        // A literal known to be valid: no parsing, no failure path.
        Self(Mailbox::new(
            Some("authd".to_owned()),
            lettre::Address::new_dangerous("no-reply", "localhost"),
        ))
    }
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_mailbox_is_a_valid_sender() {
        let sender = Sender::parse("authd <no-reply@example.com>").unwrap();
        assert_eq!(sender.mailbox().email.to_string(), "no-reply@example.com");
    }

    #[test]
    fn the_default_sender_is_authd_at_localhost() {
        assert_eq!(Sender::default().to_string(), Sender::DEFAULT);
        assert_eq!(Sender::parse(Sender::DEFAULT).unwrap(), Sender::default());
    }

    #[test]
    fn text_without_an_address_is_rejected() {
        assert!(Sender::parse("not an address").is_err());
    }
}
