//! `rememberDevice: true` on the second step: a device token, unless storage refuses the device
//! because MFA went off or the password changed meanwhile.

use super::{challenge_of, consumed, finishes, input, step_won, up_to_the_code, verify};
use crate::audit::AuditKind;
use crate::services::login::MfaLoginInput;
use crate::services::login::tests::login;
use crate::services::test_support::{Mocks, TOTP_NOW, audit_kinds, capture_audit, mfa_user, t0};
use crate::session::ClientInfo;
use chrono::Duration;

#[tokio::test]
async fn remember_device_hands_out_a_device_token_for_thirty_days() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    up_to_the_code(&mut m, &user);
    step_won(&mut m);
    consumed(&mut m, Some(challenge_of(&user)));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    finishes(&mut m, &["first-refresh", "device"]);
    let uid = user.id;
    let verified = user.password_hash.clone();
    m.mfa
        .expect_remember_device()
        .withf(move |d, hash| {
            *hash == verified
                && d.user_id == uid
                && d.hash.as_str() == "hash-device"
                && d.user_agent.as_deref() == Some("Firefox")
                && d.ip.as_deref() == Some("203.0.113.7")
                && d.expires_at == t0() + Duration::days(30)
        })
        .times(1)
        .returning(|_, _| Ok(true));
    let client = ClientInfo {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("Firefox".into()),
    };
    let ok = login(m)
        .verify_mfa(
            MfaLoginInput {
                remember_device: Some(true),
                ..input(TOTP_NOW)
            },
            &client,
        )
        .await
        .unwrap();
    let device = ok.device.expect("a device token");
    assert_eq!(device.raw.expose(), "device");
    assert_eq!(device.expires_at, t0() + Duration::days(30));
    assert_eq!(
        audit_kinds(&events),
        [
            AuditKind::MfaSucceeded,
            AuditKind::LoginSucceeded,
            AuditKind::DeviceRemembered
        ]
    );
}

#[tokio::test]
async fn no_device_token_when_mfa_went_off_or_the_password_changed_meanwhile() {
    let user = mfa_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    up_to_the_code(&mut m, &user);
    step_won(&mut m);
    consumed(&mut m, Some(challenge_of(&user)));
    m.sessions
        .expect_create()
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    finishes(&mut m, &["first-refresh", "device"]);
    // Storage refuses: `disable` or a password change committed after the session began.
    m.mfa
        .expect_remember_device()
        .times(1)
        .returning(|_, _| Ok(false));
    let ok = verify(
        m,
        MfaLoginInput {
            remember_device: Some(true),
            ..input(TOTP_NOW)
        },
    )
    .await
    .unwrap();
    assert!(
        ok.device.is_none(),
        "no deviceToken for a device not stored"
    );
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::MfaSucceeded, AuditKind::LoginSucceeded]
    );
}
