//! The text messages authd sends (one-time codes of the SMS factor). Delivery goes through the
//! [`SmsSender`](crate::ports::SmsSender) port.
//!
//! The text carries a live code, so it is as secret as a token: [`SmsText`] never shows it in
//! `Debug`, and adapters never log it.

use crate::values::MobileNumber;
use std::fmt;
use thiserror::Error;

/// One text message to one phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub to: MobileNumber,
    pub text: SmsText,
}

/// The body of a text message: 1 to [`SmsText::MAX_CHARS`] characters, no control characters
/// but line breaks. `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsText(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InvalidSmsText {
    #[error("an SMS text must not be empty")]
    Empty,
    #[error("an SMS text must be at most {} characters", SmsText::MAX_CHARS)]
    TooLong,
    #[error("an SMS text must not contain control characters other than line breaks")]
    ControlCharacter,
}

impl SmsText {
    /// Three concatenated GSM-7 segments (153 characters each): longer texts cost more and some
    /// gateways refuse them; a code needs a fraction of one.
    pub const MAX_CHARS: usize = 459;

    /// # Errors
    /// [`InvalidSmsText`] for an empty or too long text or one with control characters.
    pub fn new(text: impl Into<String>) -> Result<Self, InvalidSmsText> {
        let text = text.into();
        if text.trim().is_empty() {
            Err(InvalidSmsText::Empty)
        } else if text.chars().count() > Self::MAX_CHARS {
            Err(InvalidSmsText::TooLong)
        } else if text.chars().any(|c| c.is_control() && c != '\n') {
            Err(InvalidSmsText::ControlCharacter)
        } else {
            Ok(Self(text))
        }
    }

    /// The text itself, for the adapter that sends it and nobody else.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmsText([REDACTED], {} chars)", self.0.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(text: &str) -> Sms {
        Sms {
            to: MobileNumber::parse("+84987654321", "phone").unwrap(),
            text: SmsText::new(text).unwrap(),
        }
    }

    #[test]
    fn debug_output_shows_the_number_but_never_the_text() {
        let shown = format!("{:?}", sms("Your authd code is 493817"));
        assert!(!shown.contains("493817"), "{shown}");
        assert!(
            shown.contains("+84987654321") && shown.contains("25 chars"),
            "{shown}"
        );
    }

    #[test]
    fn the_text_is_sent_as_given() {
        assert_eq!(
            sms("Code: 493817\nValid 5 minutes").text.expose(),
            "Code: 493817\nValid 5 minutes"
        );
    }

    #[test]
    fn empty_long_or_control_character_texts_are_refused() {
        assert_eq!(SmsText::new(" \n").unwrap_err(), InvalidSmsText::Empty);
        assert!(SmsText::new("é".repeat(SmsText::MAX_CHARS)).is_ok());
        assert_eq!(
            SmsText::new("é".repeat(SmsText::MAX_CHARS + 1)).unwrap_err(),
            InvalidSmsText::TooLong
        );
        assert_eq!(
            SmsText::new("code\u{0}493817").unwrap_err(),
            InvalidSmsText::ControlCharacter
        );
    }
}
