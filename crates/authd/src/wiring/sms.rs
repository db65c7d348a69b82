//! Where SMS codes go: the webhook of `SMS_WEBHOOK_URL`, or nowhere (SMS factors are then not
//! offered: `MfaSettings::sms_available` is off).

use crate::app::StartupError;
use crate::config::Config;
use authd_domain::ports::SmsSender;
use authd_sms::WebhookSms;
use std::sync::Arc;

pub(super) fn sender(config: &Config) -> Result<Option<Arc<dyn SmsSender>>, StartupError> {
    let Some(sms) = &config.sms else {
        return Ok(None);
    };
    let sender = WebhookSms::new(&sms.webhook).map_err(StartupError::Sms)?;
    tracing::info!(gateway = %sms.webhook.url, "SMS codes go to a webhook");
    Ok(Some(Arc::new(sender)))
}
