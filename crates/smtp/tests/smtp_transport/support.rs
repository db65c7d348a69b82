//! Mailers pointed at a test server, unique recipients, and one letter of every kind.

use authd_domain::ids::UserId;
use authd_domain::notification::{Letter, Notification};
use authd_domain::token::RawToken;
use authd_domain::values::{Email, Username};
use authd_smtp::{Sender, SmtpMailer, SmtpSecurity, SmtpSettings, Templates};
use authd_testkit::smtp::SmtpServer;
use chrono::{Duration, TimeZone, Utc};
use std::sync::atomic::{AtomicU32, Ordering};

/// base64url, as the token generator makes them: `-` and `_` must survive verbatim.
pub const TOKEN: &str = "Zm9vYmFy-_0123456789abcdefghijklmnopqrstuvwx";
pub const BASE_URL: &str = "https://app.example.com";
pub const WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Plain-text settings for `server`, with a short timeout.
pub fn settings(server: &SmtpServer) -> SmtpSettings {
    SmtpSettings {
        host: server.host().to_owned(),
        port: server.port(),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        timeout: std::time::Duration::from_secs(2),
        extra_root_certificates: None,
    }
}

pub fn mailer(settings: &SmtpSettings) -> SmtpMailer {
    SmtpMailer::new(
        settings,
        Sender::parse("authd <no-reply@example.com>").unwrap(),
        Templates::new(BASE_URL, Duration::hours(24), Duration::hours(1)),
    )
    .unwrap()
}

/// An address no other test uses, so tests can share one server.
pub fn unique_address(local_prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{local_prefix}-{}-{}@example.com",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn username(name: &str) -> Username {
    Username::from_trusted(name.to_owned())
}

fn to(address: &str) -> Email {
    Email::from_trusted(address.to_owned())
}

pub fn verify_email(address: &str) -> Letter {
    Letter {
        notification: Notification::VerifyEmail {
            user_id: UserId::new(),
            to: to(address),
            username: username("ada"),
        },
        link_token: Some(RawToken::new(TOKEN.to_owned())),
        code: None,
    }
}

pub fn password_reset(address: &str) -> Letter {
    Letter {
        notification: Notification::PasswordReset {
            user_id: UserId::new(),
            to: to(address),
            username: username("ada"),
        },
        link_token: Some(RawToken::new(TOKEN.to_owned())),
        code: None,
    }
}

/// Every kind of email, each with the subject it must arrive with.
pub fn every_kind(address: impl Fn() -> String) -> Vec<(Letter, &'static str)> {
    let at = Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 0).unwrap();
    let plain = |notification| Letter {
        notification,
        link_token: None,
        code: None,
    };
    vec![
        (verify_email(&address()), "Confirm your email address"),
        (password_reset(&address()), "Reset your password"),
        (
            plain(Notification::PasswordChanged {
                to: to(&address()),
                username: username("ada"),
                at,
            }),
            "Your password was changed",
        ),
        (
            plain(Notification::AccountLocked {
                user_id: None,
                to: to(&address()),
                username: username("ada"),
                until: at,
            }),
            "Your account is temporarily locked",
        ),
        (
            plain(Notification::RefreshTokenReuse {
                to: to(&address()),
                username: username("ada"),
                at,
                ip: Some("203.0.113.7".to_owned()),
            }),
            "Security alert: a session of your account was signed out",
        ),
    ]
}
