//! The SMS section: `SMS_WEBHOOK_URL` selects delivery of text messages to a webhook, with
//! `SMS_WEBHOOK_TOKEN` (bearer), `SMS_WEBHOOK_TIMEOUT` and `SMS_WEBHOOK_ALLOW_HTTP`.
//!
//! Set, it offers the `sms` second factor (docs/mfa.md, "SMS delivery"); unset, `sms` answers
//! `MFA_METHOD_UNAVAILABLE`.
//! The token lives in a `SecretString` and the URL, which may hold a gateway key, is shown by
//! its origin only.

use super::reader::Reader;
use super::values;
use authd_sms::{PlainHttp, WebhookSettings, WebhookUrl};
use secrecy::SecretString;
use std::time::Duration;

/// The variables that only make sense with `SMS_WEBHOOK_URL`.
const WEBHOOK_PARTS: [&str; 3] = [
    "SMS_WEBHOOK_TOKEN",
    "SMS_WEBHOOK_TIMEOUT",
    "SMS_WEBHOOK_ALLOW_HTTP",
];

/// Well under the outbox lease (60 s), as `SMTP_TIMEOUT`: a send still running when its lease
/// ran out could be claimed and sent a second time by another instance.
const MAX_TIMEOUT: Duration = Duration::from_secs(30);

/// Where text messages go.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// `SMS_WEBHOOK_URL`, `SMS_WEBHOOK_TOKEN` and `SMS_WEBHOOK_TIMEOUT` (5s).
    pub webhook: WebhookSettings,
}

pub(super) fn sms(r: &mut Reader) -> Option<SmsConfig> {
    if !r.is_set("SMS_WEBHOOK_URL") {
        for part in WEBHOOK_PARTS {
            if r.is_set(part) {
                r.problem(
                    part,
                    "is set but SMS_WEBHOOK_URL is not: set SMS_WEBHOOK_URL too",
                );
            }
        }
        return None;
    }
    let plain_http = if r.or("SMS_WEBHOOK_ALLOW_HTTP", false, values::boolean) {
        PlainHttp::Allowed
    } else {
        PlainHttp::LoopbackOnly
    };
    let url = r.optional("SMS_WEBHOOK_URL", |v| {
        WebhookUrl::parse(v, plain_http).map_err(|e| e.to_string())
    });
    let token = r.optional("SMS_WEBHOOK_TOKEN", |v| {
        // Never repeat the value: it is a credential.
        if v.chars().all(|c| c.is_ascii_graphic()) {
            Ok(SecretString::from(v.to_owned()))
        } else {
            Err("must be printable ASCII without spaces (it is sent in an HTTP header)".to_owned())
        }
    });
    let timeout = r.or("SMS_WEBHOOK_TIMEOUT", Duration::from_secs(5), |v| {
        let d = values::short_duration(v, 1000, MAX_TIMEOUT)?;
        if d < Duration::from_millis(100) {
            Err("must be at least 100ms".to_owned())
        } else {
            Ok(d)
        }
    });
    Some(SmsConfig {
        webhook: WebhookSettings {
            url: url?,
            token,
            timeout,
        },
    })
}
