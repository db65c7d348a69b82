//! What a login reports beyond its answer: a sign-in from a device the account had not used
//! before (an audit event, and a mail to the holder when `NEW_DEVICE_ALERTS` is on), and failed
//! logins from one address spread over many accounts (credential stuffing). These are side
//! effects: a failure of theirs is logged and never changes the login's answer.

use super::Login;
use crate::Timestamp;
use crate::audit::{AuditEvent, AuditKind};
use crate::ids::SessionId;
use crate::notification::Notification;
use crate::policy::device::{device_label, fingerprint_text};
use crate::ports::{DeviceFingerprint, Location, Sighting};
use crate::services::shared::audit;
use crate::session::ClientInfo;
use crate::token::TokenHash;
use crate::user::User;

impl Login {
    /// Records the device of a completed login (its session is `session_id`) and, when the
    /// account has used other devices but never this one, says so. The account's first device
    /// is nothing to warn about.
    pub(super) async fn observe_device(
        &self,
        user: &User,
        session_id: SessionId,
        now: Timestamp,
        client: &ClientInfo,
    ) {
        let described = self
            .ports
            .device_names
            .describe(client.user_agent.as_deref());
        let text = fingerprint_text(&described.browser, &described.os, client.ip.as_deref());
        // Only the digest is stored: the network of an address is personal data.
        let fingerprint =
            DeviceFingerprint::from_digest(self.ports.tokens.digest(&text).as_str().to_owned());
        match self
            .ports
            .known_devices
            .observe(user.id, &fingerprint, now)
            .await
        {
            Ok(Sighting::New) => {}
            Ok(Sighting::First | Sighting::Known) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not look the login's device up; no sign-in alert");
                return;
            }
        }
        let device = device_label(&described.browser, &described.os);
        audit(
            &*self.ports.audit,
            AuditEvent::new(AuditKind::NewDeviceLogin, now, Some(user.id), client)
                .with_session(session_id)
                .with_detail(device.clone()),
        )
        .await;
        if !self.settings.new_device_alerts {
            return;
        }
        let location = client
            .ip
            .as_deref()
            .and_then(|ip| self.ports.geolocator.locate(ip))
            .map(place);
        let mail = Notification::NewSignIn {
            to: user.email.clone(),
            username: user.username.clone(),
            at: now,
            device,
            ip: client.ip.clone(),
            location,
        };
        if let Err(e) = self.ports.outbox.enqueue(&mail, now).await {
            tracing::error!(error = %e, "could not queue the new sign-in alert");
        }
    }

    /// Counts a failed login (a wrong password, or an identifier naming no account) against
    /// its address's spread over distinct targets; the failure that reaches the threshold is
    /// audited, once per address and window. `target` is the identifier's digest, never its
    /// text. A request without an address is not counted.
    pub(super) async fn count_failure_spread(
        &self,
        target: &TokenHash,
        now: Timestamp,
        client: &ClientInfo,
    ) {
        let Some(ip) = client.ip.as_deref() else {
            return;
        };
        let limit = self.settings.stuffing;
        let source = crate::policy::device::failure_source(ip);
        match self
            .ports
            .failure_spread
            .record(&source, target.as_str(), limit, now)
            .await
        {
            Ok(false) => {}
            Ok(true) => {
                audit(
                    &*self.ports.audit,
                    AuditEvent::new(AuditKind::CredentialStuffingSuspected, now, None, client)
                        .with_detail(format!(
                            "{} accounts in {} minutes",
                            limit.accounts,
                            limit.window.num_minutes()
                        )),
                )
                .await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not count the failed login's spread over accounts");
            }
        }
    }
}

/// `Hanoi, VN`, or `VN` when the database knows only the country.
fn place(location: Location) -> String {
    match location.city {
        Some(city) => format!("{city}, {}", location.country),
        None => location.country,
    }
}
