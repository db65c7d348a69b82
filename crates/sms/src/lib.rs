//! authd's SMS adapter: [`WebhookSms`] POSTs each text as JSON to an HTTP(S) endpoint of the
//! operator's choice (their SMS gateway, or a small relay to one), which is how authd stays
//! independent of any SMS provider's API.
//!
//! It sends the codes of the SMS second factor, handed to it by the outbox worker
//! (docs/mfa.md, "SMS delivery").

mod failure;
mod settings;
mod webhook;

pub use settings::{InvalidWebhookUrl, PlainHttp, SmsSetupError, WebhookSettings, WebhookUrl};
pub use webhook::WebhookSms;
