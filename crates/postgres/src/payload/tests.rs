use super::*;
use chrono::{TimeZone, Utc};

fn round_trip(mail: &Notification) -> Notification {
    from_json(to_json(mail).unwrap()).unwrap()
}

#[test]
fn every_notification_survives_the_outbox_unchanged() {
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
    let to = Email::from_trusted("Jane@Example.com".into());
    let username = Username::from_trusted("jane".into());
    let user_id = UserId::new();
    let mails = [
        Notification::VerifyEmail {
            user_id,
            to: to.clone(),
            username: username.clone(),
        },
        Notification::PasswordReset {
            user_id,
            to: to.clone(),
            username: username.clone(),
        },
        Notification::PasswordChanged {
            to: to.clone(),
            username: username.clone(),
            at,
        },
        Notification::AccountLocked {
            user_id: Some(user_id),
            to: to.clone(),
            username: username.clone(),
            until: at,
        },
        Notification::AccountLocked {
            user_id: None,
            to: to.clone(),
            username: username.clone(),
            until: at,
        },
        Notification::RefreshTokenReuse {
            to: to.clone(),
            username: username.clone(),
            at,
            ip: Some("192.0.2.1".into()),
        },
        Notification::MfaEnabled {
            to: to.clone(),
            username: username.clone(),
            at,
        },
        Notification::MfaDisabled {
            to: to.clone(),
            username: username.clone(),
            at,
        },
        Notification::BackupCodeUsed {
            to: to.clone(),
            username: username.clone(),
            at,
            remaining: 7,
        },
        Notification::MfaCode {
            user_id,
            to: to.clone(),
            username: username.clone(),
            target: CodeTarget::Factor(FactorId::new()),
        },
        Notification::MfaCode {
            user_id,
            to: to.clone(),
            username,
            target: CodeTarget::Challenge(TokenHash::from_trusted("ab".repeat(32))),
        },
        Notification::SmsCode {
            user_id,
            to: to.clone(),
            phone: MobileNumber::parse("+84987654321", "phone").unwrap(),
            target: CodeTarget::Factor(FactorId::new()),
        },
        Notification::SmsCode {
            user_id,
            to: to.clone(),
            phone: MobileNumber::parse("+14155550123", "phone").unwrap(),
            target: CodeTarget::Challenge(TokenHash::from_trusted("cd".repeat(32))),
        },
        Notification::NewSignIn {
            to: to.clone(),
            username: Username::from_trusted("jane".into()),
            at,
            device: "Chrome on Windows".into(),
            ip: Some("203.0.113.7".into()),
            location: Some("Hanoi, VN".into()),
        },
        Notification::NewSignIn {
            to,
            username: Username::from_trusted("jane".into()),
            at,
            device: "Unknown on Unknown".into(),
            ip: None,
            location: None,
        },
    ];
    // One of each kind: a new kind without a stored form fails to compile above, and one
    // missing from this list fails here.
    let kinds: std::collections::BTreeSet<_> = mails.iter().map(Notification::kind).collect();
    assert_eq!(kinds.len(), Notification::KINDS.len());
    for mail in &mails {
        // Notification has no PartialEq; its Debug output shows every field.
        assert_eq!(format!("{:?}", round_trip(mail)), format!("{mail:?}"));
    }
}

#[test]
fn a_stored_sign_in_alert_is_named_as_its_kind() {
    let mail = Notification::NewSignIn {
        to: Email::from_trusted("a@b.c".into()),
        username: Username::from_trusted("abc".into()),
        at: Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap(),
        device: "Firefox on Linux".into(),
        ip: None,
        location: None,
    };
    assert_eq!(to_json(&mail).unwrap()["kind"], mail.kind());
}

#[test]
fn the_stored_form_names_its_kind() {
    let mail = Notification::VerifyEmail {
        user_id: UserId::new(),
        to: Email::from_trusted("a@b.c".into()),
        username: Username::from_trusted("abc".into()),
    };
    assert_eq!(to_json(&mail).unwrap()["kind"], "verify_email");
}

#[test]
fn a_stored_backup_code_mail_keeps_the_count_left() {
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
    let mail = Notification::BackupCodeUsed {
        to: Email::from_trusted("a@b.c".into()),
        username: Username::from_trusted("abc".into()),
        at,
        remaining: 3,
    };
    let stored = to_json(&mail).unwrap();
    assert_eq!(stored["kind"], "backup_code_used");
    assert_eq!(stored["remaining"], 3);
}

#[test]
fn a_lock_mail_queued_before_the_unlock_link_still_reads_back_without_a_user() {
    let stored = serde_json::json!({
        "kind": "account_locked",
        "to": "a@b.c",
        "username": "abc",
        "until": "2024-01-01T12:30:00Z",
    });
    let mail = from_json(stored).unwrap();
    assert!(
        matches!(&mail, Notification::AccountLocked { user_id: None, to, .. }
            if to.as_str() == "a@b.c"),
        "{mail:?}"
    );
    assert_eq!(mail.link(), None);
}

#[test]
fn a_stored_lock_mail_keeps_its_user_for_the_unlock_link() {
    let user_id = UserId::new();
    let mail = Notification::AccountLocked {
        user_id: Some(user_id),
        to: Email::from_trusted("a@b.c".into()),
        username: Username::from_trusted("abc".into()),
        until: Utc.with_ymd_and_hms(2024, 1, 1, 12, 30, 0).unwrap(),
    };
    let stored = to_json(&mail).unwrap();
    assert_eq!(stored["user_id"], user_id.as_uuid().to_string());
    assert_eq!(
        from_json(stored).unwrap().link(),
        Some((user_id, authd_domain::token::TokenPurpose::AccountUnlock))
    );
}
