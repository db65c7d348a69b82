//! authd's SMS adapter: [`WebhookSms`] POSTs each text as JSON to an HTTP(S) endpoint of the
//! operator's choice (their SMS gateway, or a small relay to one), which is how authd stays
//! independent of any SMS provider's API.
//!
//! Not used by any flow yet: the SMS factor and the outbox routing of texts come next
//! (docs/mfa.md, "SMS delivery (groundwork)").

mod failure;
mod settings;
mod webhook;

pub use settings::{InvalidWebhookUrl, PlainHttp, SmsSetupError, WebhookSettings, WebhookUrl};
pub use webhook::WebhookSms;
