use super::*;
use authd_domain::ids::{FactorId, UserId};
use authd_domain::mfa::OtpCode;
use authd_domain::ports::CodeTarget;
use authd_domain::token::RawToken;
use authd_domain::values::{Email, Username};
use chrono::TimeZone;

const TOKEN: &str = "AbC-123_xyzAbC-123_xyzAbC-123_xyzAbC-123_xyz";

fn templates() -> Templates {
    Templates::new(
        "https://app.example.com/",
        Duration::hours(24),
        Duration::hours(1),
    )
}

fn at() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 0).unwrap()
}

/// Every kind of letter, as the delivery worker hands them over: the verification and the
/// reset letter (first) with the token [`TOKEN`], the notices without one.
fn every_notification(username: &str) -> Vec<Letter> {
    let to = Email::from_trusted("ada@example.com".to_owned());
    let username = Username::from_trusted(username.to_owned());
    let user_id = UserId::new();
    let with_link = |notification| Letter {
        notification,
        link_token: Some(RawToken::new(TOKEN.to_owned())),
        code: None,
    };
    let without_link = |notification| Letter {
        notification,
        link_token: None,
        code: None,
    };
    vec![
        with_link(Notification::VerifyEmail {
            user_id,
            to: to.clone(),
            username: username.clone(),
        }),
        with_link(Notification::PasswordReset {
            user_id,
            to: to.clone(),
            username: username.clone(),
        }),
        without_link(Notification::PasswordChanged {
            to: to.clone(),
            username: username.clone(),
            at: at(),
        }),
        without_link(Notification::AccountLocked {
            user_id: Some(user_id),
            to: to.clone(),
            username: username.clone(),
            until: at(),
        }),
        without_link(Notification::RefreshTokenReuse {
            to: to.clone(),
            username: username.clone(),
            at: at(),
            ip: Some("203.0.113.7".to_owned()),
        }),
        without_link(Notification::MfaEnabled {
            to: to.clone(),
            username: username.clone(),
            at: at(),
        }),
        without_link(Notification::MfaDisabled {
            to: to.clone(),
            username: username.clone(),
            at: at(),
        }),
        without_link(Notification::BackupCodeUsed {
            to: to.clone(),
            username: username.clone(),
            at: at(),
            remaining: 3,
        }),
        without_link(new_sign_in(&to, &username)),
        Letter {
            notification: Notification::MfaCode {
                user_id,
                to,
                username,
                target: CodeTarget::Factor(FactorId::new()),
            },
            link_token: None,
            code: OtpCode::from_digits(CODE),
        },
    ]
}

const CODE: &str = "048263";

#[test]
fn the_code_email_shows_the_code_how_long_it_works_and_no_link() {
    let letter = every_notification("ada").pop().unwrap();
    let email = render(&letter);
    assert_eq!(email.subject, "Your verification code");
    for part in [&email.text, &email.html] {
        assert!(part.contains(CODE), "{part}");
        assert!(part.contains("valid 10 minutes and works once"), "{part}");
    }
    assert_eq!(email.link, None);
    assert!(!format!("{letter:?}").contains(CODE));
}

#[test]
fn a_code_letter_without_its_code_is_refused_for_good() {
    let mut letter = every_notification("ada").pop().unwrap();
    letter.code = None;
    let err = templates().render(&letter).unwrap_err();
    assert!(
        matches!(MailError::from(err), MailError::Permanent(reason) if reason.contains("mfa_code"))
    );
}

fn render(letter: &Letter) -> RenderedEmail {
    templates().render(letter).unwrap()
}

#[test]
fn every_notification_renders_a_subject_a_text_and_an_html_part() {
    for letter in every_notification("ada") {
        let email = render(&letter);
        let kind = letter.notification.kind();
        assert!(!email.subject.is_empty(), "{kind}");
        assert!(email.text.contains("Hello ada,"), "{kind}");
        assert!(email.html.contains("Hello ada,"), "{kind}");
        assert!(email.html.starts_with("<!DOCTYPE html>"));
    }
}

#[test]
fn the_verification_email_links_to_the_frontend_verify_page_with_the_token() {
    let email = render(&every_notification("ada")[0]);
    let link = format!("https://app.example.com/verify-email?token={TOKEN}");
    assert_eq!(email.link.as_deref(), Some(link.as_str()));
    assert!(email.text.contains(&link));
    assert!(email.html.contains(&format!("href=\"{link}\"")));
    assert!(email.text.contains("expires in 24 hours"));
}

#[test]
fn the_reset_email_links_to_the_frontend_reset_page_with_the_token() {
    let email = render(&every_notification("ada")[1]);
    let link = format!("https://app.example.com/reset-password?token={TOKEN}");
    assert_eq!(email.link.as_deref(), Some(link.as_str()));
    assert!(email.text.contains(&link));
    assert!(email.html.contains(&link));
    assert!(email.text.contains("expires in 1 hour."));
}

#[test]
fn notices_without_an_action_carry_no_link() {
    for letter in &every_notification("ada")[2..] {
        assert_eq!(render(letter).link, None);
    }
}

#[test]
fn a_verification_or_reset_letter_without_its_token_is_refused_for_good() {
    for mut letter in every_notification("ada").into_iter().take(2) {
        letter.link_token = None;
        let kind = letter.notification.kind();
        let err = templates().render(&letter).unwrap_err();
        assert!(
            matches!(MailError::from(err), MailError::Permanent(reason) if reason.contains(kind)),
            "{kind}"
        );
    }
}

/// The lock notice of `every_notification`, with the unlock token [`TOKEN`].
fn lock_notice_with_link() -> Letter {
    Letter {
        link_token: Some(RawToken::new(TOKEN.to_owned())),
        code: None,
        ..every_notification("ada").swap_remove(3)
    }
}

#[test]
fn the_lock_email_offers_a_single_use_unlock_link_that_also_clears_the_failures() {
    let email = render(&lock_notice_with_link());
    let link = format!("https://app.example.com/unlock-account?token={TOKEN}");
    assert_eq!(email.link.as_deref(), Some(link.as_str()));
    assert!(
        email
            .text
            .contains(&format!("Unlock my account:\n{link}\n"))
    );
    assert!(email.html.contains(&format!("href=\"{link}\"")));
    assert!(email.html.contains("Unlock my account"));
    for part in [&email.text, &email.html] {
        assert!(part.contains("works once within 30 minutes"), "{part}");
        assert!(part.contains("clears the failed attempts"), "{part}");
        assert!(part.contains("locked until 2025-03-04 05:06 UTC"), "{part}");
    }
}

#[test]
fn a_lock_email_without_its_token_is_still_sent_as_a_warning_without_a_link() {
    let letter = &every_notification("ada")[3];
    assert!(matches!(
        letter.notification,
        Notification::AccountLocked { .. }
    ));
    assert!(letter.link_token.is_none());
    let email = templates().render(letter).unwrap();
    assert_eq!(email.link, None);
    assert!(!email.text.contains("unlock-account"));
    assert!(!email.text.contains("works once"));
    assert!(
        email
            .text
            .contains("You can sign in again after that time.")
    );
    assert!(email.text.contains("someone may be guessing your password"));
}

#[test]
fn no_sentence_carries_a_run_of_spaces() {
    let mut letters = every_notification("ada");
    letters.push(lock_notice_with_link());
    for letter in letters {
        let email = render(&letter);
        assert!(!email.text.contains("  "), "{}", email.text);
    }
}

#[test]
fn times_and_the_ip_address_appear_in_the_security_notices() {
    let all = every_notification("ada");
    assert!(render(&all[3]).text.contains("2025-03-04 05:06 UTC"));
    let reuse = render(&all[4]);
    assert!(reuse.text.contains("203.0.113.7"));
}

#[test]
fn the_mfa_notices_say_what_changed_when_and_how_many_backup_codes_are_left() {
    let all = every_notification("ada");
    let on = render(&all[5]);
    assert!(on.subject.contains("turned on"), "{}", on.subject);
    assert!(on.text.contains("2025-03-04 05:06 UTC"));
    let off = render(&all[6]);
    assert!(off.subject.contains("turned off"), "{}", off.subject);
    assert!(off.text.contains("remembered device"));
    let used = render(&all[7]);
    assert!(
        used.text.contains("3 backup codes are left"),
        "{}",
        used.text
    );
    for (remaining, words) in [
        (1, "1 backup code is left"),
        (0, "No backup codes are left"),
    ] {
        let letter = Letter {
            notification: Notification::BackupCodeUsed {
                to: Email::from_trusted("ada@example.com".to_owned()),
                username: Username::from_trusted("ada".to_owned()),
                at: at(),
                remaining,
            },
            link_token: None,
            code: None,
        };
        assert!(render(&letter).text.contains(words), "{remaining}");
    }
}

#[test]
fn markup_in_a_username_is_escaped_in_the_html_part_only() {
    for letter in every_notification("<b>x&y</b>") {
        let email = render(&letter);
        assert!(
            !email.html.contains("<b>x&y</b>"),
            "{}",
            letter.notification.kind()
        );
        assert!(email.html.contains("&lt;b&gt;x&amp;y&lt;/b&gt;"));
        assert!(email.text.contains("<b>x&y</b>"));
    }
}

#[test]
fn characters_outside_base64url_are_percent_encoded_in_links() {
    assert_eq!(
        templates().verification_link("a+b/c="),
        "https://app.example.com/verify-email?token=a%2Bb%2Fc%3D"
    );
}

#[test]
fn lifetimes_read_naturally() {
    assert_eq!(human(Duration::hours(24)), "24 hours");
    assert_eq!(human(Duration::days(2)), "2 days");
    assert_eq!(human(Duration::minutes(30)), "30 minutes");
    assert_eq!(human(Duration::hours(1)), "1 hour");
}

fn new_sign_in(to: &Email, username: &Username) -> Notification {
    Notification::NewSignIn {
        to: to.clone(),
        username: username.clone(),
        at: at(),
        device: "Firefox on Linux".to_owned(),
        ip: Some("198.51.100.23".to_owned()),
        location: Some("Hanoi, VN".to_owned()),
    }
}

fn sign_in_letter(notification: Notification) -> Letter {
    Letter {
        notification,
        link_token: None,
        code: None,
    }
}

#[test]
fn the_new_sign_in_alert_names_the_device_time_ip_and_place_and_what_to_do() {
    let to = Email::from_trusted("ada@example.com".to_owned());
    let username = Username::from_trusted("ada".to_owned());
    let email = render(&sign_in_letter(new_sign_in(&to, &username)));

    assert_eq!(email.subject, "New sign-in to your account");
    for part in [&email.text, &email.html] {
        for shown in [
            "Firefox on Linux",
            "2025-03-04 05:06 UTC",
            "198.51.100.23",
            "Hanoi, VN",
            "If this was not you",
            "Forgot password",
            "https://app.example.com",
        ] {
            assert!(part.contains(shown), "{shown} missing from {part}");
        }
    }
    assert_eq!(email.link, None, "the alert carries no token");
}

#[test]
fn the_new_sign_in_alert_leaves_out_what_is_unknown() {
    let letter = sign_in_letter(Notification::NewSignIn {
        to: Email::from_trusted("ada@example.com".to_owned()),
        username: Username::from_trusted("ada".to_owned()),
        at: at(),
        device: "Unknown browser".to_owned(),
        ip: None,
        location: None,
    });

    let email = render(&letter);

    assert!(email.text.contains("Unknown browser"), "{}", email.text);
    assert!(!email.text.contains("IP address"), "{}", email.text);
    assert!(!email.text.contains("location"), "{}", email.text);
}

#[test]
fn markup_in_the_device_name_is_escaped_in_the_html_part() {
    let letter = sign_in_letter(Notification::NewSignIn {
        to: Email::from_trusted("ada@example.com".to_owned()),
        username: Username::from_trusted("ada".to_owned()),
        at: at(),
        device: "<img src=x onerror=alert(1)>".to_owned(),
        ip: None,
        location: None,
    });

    let email = render(&letter);

    assert!(!email.html.contains("<img"), "{}", email.html);
    assert!(email.html.contains("&lt;img"), "{}", email.html);
}
