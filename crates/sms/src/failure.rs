//! Which webhook answers are worth trying again. The outbox will retry a transient failure with
//! backoff and give up on a permanent one, so a mistake here either loses a text or retries it
//! for nothing.

use authd_domain::ports::SmsError;
use reqwest13::StatusCode;
use std::error::Error as _;
use std::time::Duration;

/// 2xx is delivered. The gateway being down or busy (5xx), throttling (429), or not ready
/// (408, 425) may pass: transient. Any other answer says this request is wrong and will stay
/// wrong (a refused number, a bad token, a wrong URL, a redirect): permanent.
///
/// A rejected token (401, 403) would fail every text alike, and the SMTP transport keeps such
/// mail queued; a text, though, carries a code that expires in minutes, so retrying it for
/// hours until the token is fixed helps nobody. The message names the variable to fix.
pub(crate) fn classify_status(status: StatusCode, origin: &str) -> Result<(), SmsError> {
    let code = status.as_u16();
    match code {
        200..=299 => Ok(()),
        408 | 425 | 429 | 500..=599 => Err(SmsError::Transient(format!(
            "the SMS webhook at {origin} answered {status}"
        ))),
        401 | 403 => Err(SmsError::Permanent(format!(
            "the SMS webhook at {origin} answered {status}: check SMS_WEBHOOK_TOKEN"
        ))),
        300..=399 => Err(SmsError::Permanent(format!(
            "the SMS webhook at {origin} answered a redirect ({status}), which is not \
             followed: set SMS_WEBHOOK_URL to the final address"
        ))),
        _ => Err(SmsError::Permanent(format!(
            "the SMS webhook at {origin} refused the text: {status}"
        ))),
    }
}

/// No answer at all: refused or dropped connections, DNS, TLS, timeouts. All may pass.
///
/// reqwest's own message holds the whole URL (whose path or query may carry a gateway key), so
/// only the causes below it are shown; they name the connection, never the request.
pub(crate) fn classify_error(e: &reqwest13::Error, origin: &str, timeout: Duration) -> SmsError {
    if e.is_timeout() {
        return SmsError::Transient(format!(
            "the SMS webhook at {origin} did not answer within {timeout:?}"
        ));
    }
    let mut causes = Vec::new();
    let mut source = e.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let what = if e.is_connect() {
        "cannot connect to"
    } else {
        "no answer from"
    };
    SmsError::Transient(format!(
        "{what} the SMS webhook at {origin}: {}",
        if causes.is_empty() {
            "unknown error".to_owned()
        } else {
            causes.join(": ")
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(code: u16) -> &'static str {
        match classify_status(StatusCode::from_u16(code).unwrap(), "https://h:443") {
            Ok(()) => "sent",
            Err(SmsError::Transient(_)) => "transient",
            Err(SmsError::Permanent(_)) => "permanent",
        }
    }

    #[test]
    fn every_status_class_lands_where_documented() {
        for code in [200, 201, 202, 204, 299] {
            assert_eq!(class(code), "sent", "{code}");
        }
        for code in [408, 425, 429, 500, 502, 503, 504, 599] {
            assert_eq!(class(code), "transient", "{code}");
        }
        for code in [
            301, 302, 307, 400, 401, 403, 404, 405, 409, 410, 413, 422, 451,
        ] {
            assert_eq!(class(code), "permanent", "{code}");
        }
    }

    #[test]
    fn a_rejected_token_says_which_variable_to_fix() {
        let e = classify_status(StatusCode::UNAUTHORIZED, "https://h:443").unwrap_err();
        assert!(e.to_string().contains("SMS_WEBHOOK_TOKEN"), "{e}");
    }
}
