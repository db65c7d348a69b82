//! Which SMTP failures are worth trying again. The outbox keeps a transient failure and retries
//! it with backoff, and gives up on a permanent one, so a mistake here either loses mail or
//! retries it for nothing.

use authd_domain::ports::MailError;
use lettre::transport::smtp::Error;
use lettre::transport::smtp::response::{Category, Code, Severity};

/// Permanent only when the server rejected this message for good (a 5xx reply); everything
/// else (refused or dropped connections, timeouts, TLS failures, 4xx) may work later.
///
/// A 5xx about authentication (530, 534, 535, 538) is the exception: it says our login is
/// wrong, not the message, so every message would fail alike. Treating it as transient keeps the
/// mail queued until the operator fixes `SMTP_USER`/`SMTP_PASSWORD`.
pub(super) fn classify(e: &Error) -> MailError {
    // lettre's text names the reply code and the server's words, never the credentials.
    let detail = e.to_string();
    match e.status() {
        Some(code) if is_authentication(code) => MailError::Transient(format!(
            "the SMTP server refused authd's login, check SMTP_USER and SMTP_PASSWORD: \
             {detail}"
        )),
        _ if e.is_permanent() => MailError::Permanent(detail),
        _ if e.is_tls() => {
            MailError::Transient(format!("TLS with the SMTP server failed: {detail}"))
        }
        _ => MailError::Transient(detail),
    }
}

/// 53x: "authentication required", "mechanism too weak", "invalid credentials", "encryption
/// required for the mechanism" (RFC 4954).
fn is_authentication(code: Code) -> bool {
    code.severity == Severity::PermanentNegativeCompletion
        && code.category == Category::Unspecified3
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::transport::smtp::response::Detail;

    fn code(severity: Severity, category: Category, detail: Detail) -> Code {
        Code::new(severity, category, detail)
    }

    #[test]
    fn a_login_rejection_is_recognised_and_a_rejected_mailbox_is_not() {
        let rejected_login = code(
            Severity::PermanentNegativeCompletion,
            Category::Unspecified3,
            Detail::Five,
        );
        let unknown_mailbox = code(
            Severity::PermanentNegativeCompletion,
            Category::MailSystem,
            Detail::Zero,
        );
        assert!(is_authentication(rejected_login));
        assert!(!is_authentication(unknown_mailbox));
    }
}
