//! The words of every email. Each notification becomes one [`Content`] (greeting, paragraphs, an
//! optional call to action, notes), from which the plain-text and the HTML part are both made,
//! so the two parts never say different things.
//!
//! Links: `{APP_BASE_URL}/verify-email?token=…`, `{APP_BASE_URL}/reset-password?token=…` and
//! `{APP_BASE_URL}/unlock-account?token=…`, pages of the application's frontend that post the
//! token to the API. The unlock link of a lock notice is optional: without a token the notice is
//! still sent, as a warning. The new sign-in alert names `APP_BASE_URL` itself, where the
//! "forgot password" form is.

mod sign_in;

use crate::html;
use authd_domain::Timestamp;
use authd_domain::mfa::EMAIL_CODE_TTL;
use authd_domain::notification::{Letter, Notification};
use authd_domain::ports::MailError;
use authd_domain::token::ACCOUNT_UNLOCK_TTL;
use chrono::Duration;
use thiserror::Error;

/// An email ready to be put into a MIME message.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The verification, reset or unlock link, when the email carries one. It holds a secret
    /// token.
    pub link: Option<String>,
}

impl std::fmt::Debug for RenderedEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bodies and the link carry single-use tokens.
        f.debug_struct("RenderedEmail")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A verification or reset letter without the token of its link: a bug upstream (the delivery
/// worker mints the token of every such letter), and a permanent failure, since sending it again
/// would fail the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a {kind} email needs the token of its link or its code, and the letter has none")]
pub struct MissingLinkToken {
    kind: &'static str,
}

impl From<MissingLinkToken> for MailError {
    fn from(e: MissingLinkToken) -> Self {
        Self::Permanent(e.to_string())
    }
}

/// What one email says, independent of its format.
pub(crate) struct Content {
    pub(crate) subject: String,
    pub(crate) greeting: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) action: Option<Action>,
    pub(crate) notes: Vec<String>,
}

pub(crate) struct Action {
    pub(crate) label: String,
    pub(crate) url: String,
}

/// Renders notifications with links under the application's base URL.
#[derive(Debug, Clone)]
pub struct Templates {
    base_url: String,
    verification_ttl: Duration,
    reset_ttl: Duration,
    unlock_ttl: Duration,
}

impl Templates {
    /// `app_base_url` is `APP_BASE_URL` (a trailing `/` is ignored); the lifetimes are only
    /// quoted in the text.
    #[must_use]
    pub fn new(app_base_url: &str, verification_ttl: Duration, reset_ttl: Duration) -> Self {
        Self {
            base_url: app_base_url.trim_end_matches('/').to_owned(),
            verification_ttl,
            reset_ttl,
            // A constant of the domain, as the mail worker's: no setting changes it.
            unlock_ttl: ACCOUNT_UNLOCK_TTL,
        }
    }

    #[must_use]
    pub fn verification_link(&self, token: &str) -> String {
        format!(
            "{}/verify-email?token={}",
            self.base_url,
            encode_query(token)
        )
    }

    #[must_use]
    pub fn reset_link(&self, token: &str) -> String {
        format!(
            "{}/reset-password?token={}",
            self.base_url,
            encode_query(token)
        )
    }

    #[must_use]
    pub fn unlock_link(&self, token: &str) -> String {
        format!(
            "{}/unlock-account?token={}",
            self.base_url,
            encode_query(token)
        )
    }

    /// # Errors
    /// [`MissingLinkToken`] for a verification or reset letter without its link's token (an
    /// unlock link is optional).
    pub fn render(&self, letter: &Letter) -> Result<RenderedEmail, MissingLinkToken> {
        let content = self.content(letter)?;
        Ok(RenderedEmail {
            subject: content.subject.clone(),
            text: text(&content),
            html: html::render(&content),
            link: content.action.as_ref().map(|a| a.url.clone()),
        })
    }

    fn content(&self, letter: &Letter) -> Result<Content, MissingLinkToken> {
        let notification = &letter.notification;
        let token = || {
            letter
                .link_token
                .as_ref()
                .map(|t| t.expose())
                .ok_or(MissingLinkToken {
                    kind: notification.kind(),
                })
        };
        Ok(match notification {
            Notification::NewSignIn {
                username,
                at,
                device,
                ip,
                location,
                ..
            } => self.new_sign_in(&sign_in::SignIn {
                username: username.as_str(),
                at: *at,
                device,
                ip: ip.as_deref(),
                location: location.as_deref(),
            }),
            Notification::VerifyEmail { username, .. } => Content {
                subject: "Confirm your email address".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![
                    "Thanks for signing up. Please confirm that this email address is yours to \
                     activate your account."
                        .to_owned(),
                ],
                action: Some(Action {
                    label: "Confirm my email address".to_owned(),
                    url: self.verification_link(token()?),
                }),
                notes: vec![
                    format!(
                        "The link works once and expires in {}.",
                        human(self.verification_ttl)
                    ),
                    "If you did not create an account, you can ignore this email.".to_owned(),
                ],
            },
            Notification::PasswordReset { username, .. } => Content {
                subject: "Reset your password".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![
                    "Someone asked to reset the password of your account. If it was you, choose \
                     a new password with the link below."
                        .to_owned(),
                ],
                action: Some(Action {
                    label: "Choose a new password".to_owned(),
                    url: self.reset_link(token()?),
                }),
                notes: vec![
                    format!(
                        "The link works once and expires in {}.",
                        human(self.reset_ttl)
                    ),
                    "If you did not ask for this, ignore this email: your password stays \
                     unchanged."
                        .to_owned(),
                ],
            },
            Notification::PasswordChanged { username, at, .. } => Content {
                subject: "Your password was changed".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![format!(
                    "The password of your account was changed on {}. Your other sessions were \
                     signed out.",
                    when(*at)
                )],
                action: None,
                notes: vec![
                    "If you did not do this, reset your password at once and contact support."
                        .to_owned(),
                ],
            },
            Notification::AccountLocked {
                username, until, ..
            } => {
                // A lock notice whose lock is over (or one queued before the link existed)
                // comes without a token: it is then only the warning.
                let action = letter.link_token.as_ref().map(|t| Action {
                    label: "Unlock my account".to_owned(),
                    url: self.unlock_link(t.expose()),
                });
                let mut notes = Vec::new();
                if action.is_some() {
                    notes.push(format!(
                        "The link works once within {}. It also clears the failed attempts, so \
                         the count starts again from zero.",
                        human(self.unlock_ttl)
                    ));
                }
                notes.push(
                    "If these attempts were not yours, someone may be guessing your password: \
                     consider resetting it."
                        .to_owned(),
                );
                Content {
                    subject: "Your account is temporarily locked".to_owned(),
                    greeting: format!("Hello {username},"),
                    paragraphs: vec![format!(
                        "After several failed sign-in attempts your account is locked until {}. \
                         You can sign in again after that time{}.",
                        when(*until),
                        if action.is_some() {
                            ", or unlock it now with the link below"
                        } else {
                            ""
                        }
                    )],
                    action,
                    notes,
                }
            }
            Notification::RefreshTokenReuse {
                username, at, ip, ..
            } => Content {
                subject: "Security alert: a session of your account was signed out".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![format!(
                    "On {}{} a sign-in token of your account was used again after it had been \
                     replaced. This can mean that someone copied it, so we signed that session \
                     out on every device that shared it.",
                    when(*at),
                    ip.as_deref()
                        .map(|ip| format!(" (from IP address {ip})"))
                        .unwrap_or_default()
                )],
                action: None,
                notes: vec![
                    "Sign in again. If you do not recognise this activity, change your password."
                        .to_owned(),
                ],
            },
            Notification::MfaEnabled { username, at, .. } => Content {
                subject: "Two-step verification was turned on".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![format!(
                    "Two-step verification was turned on for your account on {}. From now on, \
                     signing in asks for a code (from your authenticator app, or sent by email) \
                     after your password.",
                    when(*at)
                )],
                action: None,
                notes: vec![
                    "Keep your backup codes somewhere safe: each one lets you in once if you \
                     lose your phone."
                        .to_owned(),
                    "If you did not do this, reset your password at once and contact support."
                        .to_owned(),
                ],
            },
            Notification::MfaDisabled { username, at, .. } => Content {
                subject: "Two-step verification was turned off".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![format!(
                    "Two-step verification was turned off for your account on {}. Signing in \
                     now asks only for your password, and every remembered device was \
                     forgotten.",
                    when(*at)
                )],
                action: None,
                notes: vec![
                    "If you did not do this, reset your password at once, turn two-step \
                     verification on again and contact support."
                        .to_owned(),
                ],
            },
            Notification::BackupCodeUsed {
                username,
                at,
                remaining,
                ..
            } => Content {
                subject: "A backup code of your account was used".to_owned(),
                greeting: format!("Hello {username},"),
                paragraphs: vec![format!(
                    "A backup code of your account was used on {}. {} left.",
                    when(*at),
                    match remaining {
                        0 => "No backup codes are".to_owned(),
                        1 => "1 backup code is".to_owned(),
                        n => format!("{n} backup codes are"),
                    }
                )],
                action: None,
                notes: vec![
                    "Each code works once. Make a new set in your security settings before you \
                     run out."
                        .to_owned(),
                    "If this was not you, someone has your password and a backup code: reset \
                     your password and make new backup codes at once."
                        .to_owned(),
                ],
            },
            // Never mailed: the delivery worker hands SMS codes to the SMS gateway. One that got
            // here anyway is refused for good rather than mailed without its code.
            Notification::SmsCode { .. } => {
                return Err(MissingLinkToken {
                    kind: notification.kind(),
                });
            }
            Notification::MfaCode { username, .. } => {
                let code = letter.code.as_ref().ok_or(MissingLinkToken {
                    kind: notification.kind(),
                })?;
                Content {
                    subject: "Your verification code".to_owned(),
                    greeting: format!("Hello {username},"),
                    paragraphs: vec![
                        "Your verification code is:".to_owned(),
                        code.as_str().to_owned(),
                    ],
                    action: None,
                    notes: vec![
                        format!(
                            "The code is valid {} and works once.",
                            human(EMAIL_CODE_TTL)
                        ),
                        "If you did not just try to sign in or change your two-step verification, \
                         someone has your password: change it at once."
                            .to_owned(),
                    ],
                }
            }
        })
    }
}

/// The plain-text part. The link sits alone on its line, so no client wraps it.
fn text(content: &Content) -> String {
    let mut out = format!("{}\n\n", content.greeting);
    for paragraph in &content.paragraphs {
        out.push_str(paragraph);
        out.push_str("\n\n");
    }
    if let Some(action) = &content.action {
        out.push_str(&format!("{}:\n{}\n\n", action.label, action.url));
    }
    for note in &content.notes {
        out.push_str(note);
        out.push_str("\n\n");
    }
    out.push_str("-- \nauthd\n");
    out
}

fn when(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// "24 hours", "1 hour", "30 minutes".
fn human(ttl: Duration) -> String {
    let (n, unit) = if ttl.num_days() >= 1 && ttl.num_hours() % 24 == 0 && ttl.num_days() > 1 {
        (ttl.num_days(), "day")
    } else if ttl.num_hours() >= 1 && ttl.num_minutes() % 60 == 0 {
        (ttl.num_hours(), "hour")
    } else {
        (ttl.num_minutes().max(1), "minute")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters. Tokens are base64url, which
/// passes unchanged; the encoding only guards against a token format change.
fn encode_query(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
