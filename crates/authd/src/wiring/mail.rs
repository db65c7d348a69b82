//! The mail transport: SMTP when `SMTP_HOST` is set, `.eml` files otherwise; and the `email`
//! probe of `/v1/health`. Either way mail goes through the outbox, so the transport is only ever
//! called by the delivery worker.

use crate::app::StartupError;
use crate::config::{Config, SmtpConfig};
use async_trait::async_trait;
use authd_domain::ports::Mailer;
use authd_http::{Probe, ProbeStatus};
use authd_smtp::{FileMailer, SmtpMailer, SmtpSettings, Templates};
use std::sync::Arc;

pub(super) fn mailer(config: &Config) -> Result<Arc<dyn Mailer>, StartupError> {
    let templates = Templates::new(
        &config.server.app_base_url,
        config.auth.verification_ttl,
        config.auth.reset_ttl,
    );
    let from = config.mail.from.clone();
    if let Some(smtp) = &config.mail.smtp {
        let mailer =
            SmtpMailer::new(&settings(smtp)?, from, templates).map_err(StartupError::Smtp)?;
        tracing::info!(
            host = %smtp.host,
            port = smtp.port,
            security = ?smtp.security,
            authenticated = smtp.username.is_some(),
            "mail: SMTP"
        );
        return Ok(Arc::new(mailer));
    }
    let mailer =
        FileMailer::new(&config.mail.dir, from, templates).map_err(StartupError::Mailer)?;
    tracing::info!(
        dir = %config.mail.dir.display(),
        "mail is written to files (set SMTP_HOST to send it); verification and reset links are \
         also logged"
    );
    Ok(Arc::new(mailer))
}

fn settings(smtp: &SmtpConfig) -> Result<SmtpSettings, StartupError> {
    let extra_root_certificates = match &smtp.ca_file {
        Some(path) => Some(
            std::fs::read(path).map_err(|source| StartupError::SmtpCaFile {
                path: path.clone(),
                source,
            })?,
        ),
        None => None,
    };
    Ok(SmtpSettings {
        host: smtp.host.clone(),
        port: smtp.port,
        security: smtp.security,
        username: smtp.username.clone(),
        password: smtp.password.clone(),
        timeout: smtp.timeout,
        extra_root_certificates,
    })
}

/// `email` in `/v1/health`: whether the mail transport accepts mail right now.
pub(super) struct MailerProbe(pub(super) Arc<dyn Mailer>);

#[async_trait]
impl Probe for MailerProbe {
    async fn status(&self) -> ProbeStatus {
        if self.0.is_healthy().await {
            ProbeStatus::Healthy
        } else {
            ProbeStatus::Unhealthy
        }
    }
}
