//! Side effects of a login: the new-device alert and credential-stuffing detection.

use super::*;
use crate::ports::{Location, Sighting};

/// The fallbacks of the alert ports, after any expectation the test set (mockall tries them
/// in order): every device is known, no failure reaches the stuffing threshold, every
/// User-Agent is Chrome on Windows, and no address has a place.
pub(super) fn quiet_alerts(m: &mut Mocks) {
    m.known_devices
        .expect_observe()
        .returning(|_, _, _| Ok(crate::ports::Sighting::Known));
    m.failure_spread
        .expect_record()
        .returning(|_, _, _, _| Ok(false));
    m.device_names
        .expect_describe()
        .returning(|_| chrome_on_windows());
    m.geolocator.expect_locate().returning(|_| None);
}

fn chrome_on_windows() -> crate::ports::DeviceDescription {
    crate::ports::DeviceDescription {
        browser: "Chrome".into(),
        os: "Windows".into(),
        device: "Desktop",
    }
}

fn from_hanoi() -> ClientInfo {
    ClientInfo {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("Mozilla/5.0 (Windows NT 10.0) Chrome/120".into()),
    }
}

/// A login with the right password that gets a session, from a device the known-devices store
/// answers `sighting` for (expected once, with the digest of the device's fingerprint).
fn signs_in_from(m: &mut Mocks, user: &User, sighting: fn() -> Result<Sighting, PortErr>) {
    account_found(m, user);
    password_is(m, RIGHT);
    session_starts(m, vec![]);
    let id = user.id;
    m.known_devices
        .expect_observe()
        .withf(move |uid, device, now| {
            *uid == id && device.as_str() == "sha256(Chrome|Windows|203.0.113.0/24)" && *now == t0()
        })
        .times(1)
        .returning(move |_, _, _| sighting());
}

type PortErr = crate::error::PortError;

fn located(m: &mut Mocks, city: Option<&'static str>) {
    m.geolocator
        .expect_locate()
        .withf(|ip| ip == "203.0.113.7")
        .returning(move |_| {
            Some(Location {
                country: "VN".into(),
                city: city.map(str::to_owned),
            })
        });
}

#[tokio::test]
async fn a_login_from_a_new_device_is_audited_and_mailed_to_the_holder() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    signs_in_from(&mut m, &user, || Ok(Sighting::New));
    located(&mut m, Some("Hanoi"));
    m.outbox
        .expect_enqueue()
        .withf(|mail, now| {
            *now == t0()
                && matches!(mail, Notification::NewSignIn { to, username, at, device, ip, location }
                    if to.as_str() == "jane@example.com"
                        && username.as_str() == "jane"
                        && *at == t0()
                        && device == "Chrome on Windows"
                        && ip.as_deref() == Some("203.0.113.7")
                        && location.as_deref() == Some("Hanoi, VN"))
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));

    let ok = login(m)
        .login(by_email(PASSWORD), &from_hanoi())
        .await
        .unwrap();

    assert_eq!(
        audit_kinds(&events),
        [AuditKind::LoginSucceeded, AuditKind::NewDeviceLogin]
    );
    let events = events.lock().unwrap();
    assert_eq!(events[1].user_id, Some(user.id));
    assert_eq!(events[1].session_id, Some(ok.session_id));
    assert_eq!(events[1].client, from_hanoi());
    assert_eq!(events[1].detail.as_deref(), Some("Chrome on Windows"));
}

#[tokio::test]
async fn the_alert_names_the_country_alone_when_the_city_is_unknown() {
    let user = active_user();
    let mut m = Mocks::new();
    signs_in_from(&mut m, &user, || Ok(Sighting::New));
    located(&mut m, None);
    m.outbox
        .expect_enqueue()
        .withf(|mail, _| {
            matches!(mail, Notification::NewSignIn { location, .. } if location.as_deref() == Some("VN"))
        })
        .times(1)
        .returning(|_, _| Ok(crate::ids::MessageId::new()));
    login(m)
        .login(by_email(PASSWORD), &from_hanoi())
        .await
        .unwrap();
}

/// A login whose device is `sighting`: no alert of any kind.
async fn no_alert_for(sighting: fn() -> Result<Sighting, PortErr>) {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    signs_in_from(&mut m, &user, sighting);
    m.outbox.expect_enqueue().never();
    login(m)
        .login(by_email(PASSWORD), &from_hanoi())
        .await
        .unwrap();
    assert_eq!(audit_kinds(&events), [AuditKind::LoginSucceeded]);
}

#[tokio::test]
async fn the_accounts_first_device_raises_no_alert() {
    no_alert_for(|| Ok(Sighting::First)).await;
}

#[tokio::test]
async fn a_known_device_raises_no_alert() {
    no_alert_for(|| Ok(Sighting::Known)).await;
}

#[tokio::test]
async fn a_login_still_succeeds_when_its_device_cannot_be_looked_up() {
    no_alert_for(|| Err(port_down())).await;
}

#[tokio::test]
async fn with_alerts_off_a_new_device_is_audited_but_not_mailed() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    signs_in_from(&mut m, &user, || Ok(Sighting::New));
    m.outbox.expect_enqueue().never();
    let settings = AuthSettings {
        new_device_alerts: false,
        ..settings()
    };
    with_settings(m, settings)
        .login(by_email(PASSWORD), &from_hanoi())
        .await
        .unwrap();
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::LoginSucceeded, AuditKind::NewDeviceLogin]
    );
}

#[tokio::test]
async fn a_login_still_succeeds_when_the_alert_cannot_be_queued() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    signs_in_from(&mut m, &user, || Ok(Sighting::New));
    m.outbox
        .expect_enqueue()
        .times(1)
        .returning(|_, _| Err(port_down()));
    let ok = login(m).login(by_email(PASSWORD), &from_hanoi()).await;
    assert!(ok.is_ok());
    assert_eq!(
        audit_kinds(&events),
        [AuditKind::LoginSucceeded, AuditKind::NewDeviceLogin]
    );
}

#[tokio::test]
async fn a_login_without_an_address_is_fingerprinted_without_a_network() {
    let user = active_user();
    let id = user.id;
    let mut m = Mocks::new();
    account_found(&mut m, &user);
    password_is(&mut m, RIGHT);
    session_starts(&mut m, vec![]);
    m.known_devices
        .expect_observe()
        .withf(move |uid, device, _| *uid == id && device.as_str() == "sha256(Chrome|Windows|-)")
        .times(1)
        .returning(|_, _, _| Ok(Sighting::Known));
    login(m)
        .login(by_email(PASSWORD), &ClientInfo::default())
        .await
        .unwrap();
}

/// The failure spread of `203.0.113.7` over the target `target` answers `outcome`, once.
fn spread_answers(m: &mut Mocks, target: &'static str, outcome: fn() -> Result<bool, PortErr>) {
    m.failure_spread
        .expect_record()
        .withf(move |ip, t, limit, now| {
            ip == "203.0.113.7"
                && t == digest_of(target).as_str()
                && limit.accounts == 10
                && limit.window == Duration::minutes(15)
                && *now == t0()
        })
        .times(1)
        .returning(move |_, _, _, _| outcome());
}

fn wrong_password_counted(m: &mut Mocks, user: &User) {
    account_found(m, user);
    password_is(m, PasswordCheck::Mismatch);
    m.users
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _, _| Ok(Some(FailureOutcome::Counted { remaining: 4 })));
}

#[tokio::test]
async fn the_wrong_password_that_reaches_the_stuffing_threshold_is_audited_once() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    wrong_password_counted(&mut m, &user);
    spread_answers(&mut m, "email:jane@example.com", || Ok(true));
    let err = login(m)
        .login(by_email("wrong-password"), &from_hanoi())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
    assert_eq!(
        audit_kinds(&events),
        [
            AuditKind::LoginFailed,
            AuditKind::CredentialStuffingSuspected
        ]
    );
    let events = events.lock().unwrap();
    assert_eq!(events[1].user_id, None);
    assert_eq!(events[1].client, from_hanoi());
    assert_eq!(
        events[1].detail.as_deref(),
        Some("10 accounts in 15 minutes")
    );
}

#[tokio::test]
async fn a_failure_below_the_threshold_is_only_counted() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    wrong_password_counted(&mut m, &user);
    spread_answers(&mut m, "email:jane@example.com", || Ok(false));
    login(m)
        .login(by_email("wrong-password"), &from_hanoi())
        .await
        .unwrap_err();
    assert_eq!(audit_kinds(&events), [AuditKind::LoginFailed]);
}

#[tokio::test]
async fn an_unknown_identifier_counts_towards_the_spread_under_its_digest() {
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    m.attempts
        .expect_find_for_login()
        .returning(|_, _| Ok(LoginTarget::Unknown(Default::default())));
    m.hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    m.attempts
        .expect_record_unknown_failure()
        .times(1)
        .returning(|_, _, _| Ok(FailureOutcome::Counted { remaining: 4 }));
    spread_answers(&mut m, "email:nobody@example.com", || Ok(true));
    let input = LoginInput {
        email: Some("nobody@example.com".into()),
        ..by_email("wrong-password")
    };
    let err = login(m).login(input, &from_hanoi()).await.unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
    assert_eq!(
        audit_kinds(&events),
        [
            AuditKind::LoginFailed,
            AuditKind::CredentialStuffingSuspected
        ]
    );
}

#[tokio::test]
async fn an_outage_of_the_spread_counter_leaves_the_answer_alone() {
    let user = active_user();
    let mut m = Mocks::new();
    let events = capture_audit(&mut m);
    wrong_password_counted(&mut m, &user);
    spread_answers(&mut m, "email:jane@example.com", || Err(port_down()));
    let err = login(m)
        .login(by_email("wrong-password"), &from_hanoi())
        .await
        .unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
    assert_eq!(audit_kinds(&events), [AuditKind::LoginFailed]);
}

#[tokio::test]
async fn a_failure_without_a_client_address_is_not_counted_towards_the_spread() {
    let user = active_user();
    let mut m = Mocks::new();
    wrong_password_counted(&mut m, &user);
    m.failure_spread.expect_record().never();
    login(m)
        .login(by_email("wrong-password"), &ClientInfo::default())
        .await
        .unwrap_err();
}

#[tokio::test]
async fn a_successful_login_is_not_counted_towards_the_spread() {
    let user = active_user();
    let mut m = Mocks::new();
    signs_in_from(&mut m, &user, || Ok(Sighting::Known));
    m.failure_spread.expect_record().never();
    login(m)
        .login(by_email(PASSWORD), &from_hanoi())
        .await
        .unwrap();
}
