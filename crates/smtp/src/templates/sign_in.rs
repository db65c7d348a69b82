//! "New sign-in to your account": a login from a device (browser, OS, network) the account had
//! not used before. It carries no link with a token; it says what happened and what to do if it
//! was not the account's owner.

use super::{Content, Templates, when};
use authd_domain::Timestamp;

/// What the alert names, as the login saw it.
pub(super) struct SignIn<'a> {
    pub(super) username: &'a str,
    pub(super) at: Timestamp,
    pub(super) device: &'a str,
    pub(super) ip: Option<&'a str>,
    pub(super) location: Option<&'a str>,
}

impl Templates {
    pub(super) fn new_sign_in(&self, sign_in: &SignIn<'_>) -> Content {
        let mut paragraphs = vec![
            "Your account was just signed in to from a device it had not been used on before."
                .to_owned(),
        ];
        let mut details = vec![
            format!("Device: {}", sign_in.device),
            format!("Time: {}", when(sign_in.at)),
        ];
        if let Some(ip) = sign_in.ip {
            details.push(format!("IP address: {ip}"));
        }
        if let Some(place) = sign_in.location {
            details.push(format!("Approximate location: {place}"));
        }
        paragraphs.extend(details);
        paragraphs.push("If this was you, there is nothing to do.".to_owned());
        Content {
            subject: "New sign-in to your account".to_owned(),
            greeting: format!("Hello {},", sign_in.username),
            paragraphs,
            action: None,
            notes: vec![format!(
                "If this was not you, someone has your password: reset it at once (choose \
                 \"Forgot password\" when signing in at {}), then sign out the sessions you do \
                 not recognise in your account's security settings. Resetting the password \
                 signs out every session.",
                self.base_url
            )],
        }
    }
}
