use super::*;
use crate::dto::admin::events::ActivityEventData;
use crate::dto::responses::SessionData;
use authd_domain::audit::{AuditEvent, AuditKind};
use authd_domain::directory::PageRequest;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::lockout::LockoutState;
use authd_domain::ports::{Geolocator, Location};
use authd_domain::services::SessionView;
use authd_domain::session::{ClientInfo, Session};
use authd_domain::user::{AccountStatus, Profile};
use authd_domain::values::{Email, PasswordHash, PersonName, Username};
use chrono::TimeZone;
use serde_json::{Value, json};

fn at(unix: i64) -> authd_domain::Timestamp {
    chrono::Utc
        .timestamp_opt(unix, 0)
        .single()
        .unwrap_or_else(|| panic!("{unix}"))
}

const T: i64 = 1_701_426_600; // 2023-12-01T10:30:00Z

fn user() -> User {
    User {
        id: UserId::new(),
        email: Email::parse("user@example.com", "email").unwrap(),
        username: Username::parse("johndoe", "username").unwrap(),
        password_hash: PasswordHash::from_trusted("$2b$12$hash".to_owned()),
        profile: Profile {
            first_name: Some(PersonName::parse("John", "firstName").unwrap()),
            ..Profile::default()
        },
        status: AccountStatus::Active,
        email_verified: true,
        phone_verified: false,
        roles: vec![RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))],
        lockout: LockoutState {
            failed_attempts: 3,
            last_failed_at: Some(at(T - 60)),
            locked_until: Some(at(T + 1800)),
        },
        mfa_enabled: true,
        last_login: None,
        created_at: at(T - 86_400),
        updated_at: at(T),
    }
}

fn json_of(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| panic!("{e}"))
}

fn page_of<T>(items: Vec<T>, page: u32, limit: u32, total: u64) -> Page<T> {
    Page {
        items,
        request: PageRequest::new(Some(page), Some(limit)).unwrap_or_else(|e| panic!("{e}")),
        total,
    }
}

#[test]
fn the_user_list_has_the_shape_of_seed_section_15() {
    let u = user();
    let body = json_of(&UserList::from(&page_of(vec![u.clone()], 1, 20, 150)));
    assert_eq!(
        body["pagination"],
        json!({"page": 1, "limit": 20, "total": 150, "pages": 8})
    );
    let listed = &body["users"][0];
    let mut fields: Vec<&String> = listed
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    fields.sort();
    assert_eq!(
        fields,
        [
            "createdAt",
            "email",
            "emailVerified",
            "firstName",
            "id",
            "lastLogin",
            "lastName",
            "roles",
            "status",
            "username"
        ]
    );
    assert_eq!(listed["id"], u.id.to_string());
    assert_eq!(listed["lastName"], Value::Null);
    assert_eq!(listed["lastLogin"], Value::Null);
    assert_eq!(listed["roles"], json!(["user"]));
    assert_eq!(listed["createdAt"], "2023-11-30T10:30:00Z");
}

#[test]
fn pages_round_up_and_an_empty_listing_has_none() {
    let pages = |total, limit| {
        json_of(&Pagination::from(&page_of(
            Vec::<()>::new(),
            1,
            limit,
            total,
        )))["pages"]
            .clone()
    };
    assert_eq!(pages(0, 20), 0);
    assert_eq!(pages(1, 20), 1);
    assert_eq!(pages(20, 20), 1);
    assert_eq!(pages(21, 20), 2);
    assert_eq!(pages(100, 1), 100);
}

#[test]
fn the_user_detail_adds_lockout_mfa_and_sessions_to_the_profile() {
    let u = user();
    let view = AdminUserView {
        user: u,
        permissions: Permissions::none().with(authd_domain::authorization::Permission::UsersRead),
        active_sessions: 2,
    };
    let body = json_of(&AdminUserDetail::from(&view));
    assert_eq!(body["failedLoginAttempts"], 3);
    assert_eq!(body["lastFailedLogin"], "2023-12-01T10:29:00Z");
    assert_eq!(body["accountLockedUntil"], "2023-12-01T11:00:00Z");
    assert_eq!(body["mfaEnabled"], true);
    assert_eq!(body["activeSessions"], 2);
    assert_eq!(body["permissions"], json!(["users.read"]));
    assert_eq!(body["phone"], Value::Null);
    assert_eq!(body["phoneVerified"], false);
    assert!(body.get("passwordHash").is_none() && !body.to_string().contains("$2b$"));
}

#[test]
fn the_update_answer_has_the_shape_of_seed_section_17() {
    let body = json_of(&UpdatedUser::from(&user()));
    let mut fields: Vec<&String> = body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    fields.sort();
    assert_eq!(
        fields,
        [
            "email",
            "firstName",
            "id",
            "lastName",
            "roles",
            "status",
            "updatedAt",
            "username"
        ]
    );
    assert_eq!(body["updatedAt"], "2023-12-01T10:30:00Z");
}

fn event(kind: AuditKind, client: ClientInfo) -> AuditEvent {
    AuditEvent::new(kind, at(T), Some(UserId::new()), &client)
}

#[test]
fn an_audit_event_names_its_actor_and_note() {
    let admin = UserId::new();
    let e = event(
        AuditKind::AccountSuspended,
        ClientInfo {
            ip: Some("192.168.1.10".into()),
            user_agent: Some("curl/8".into()),
        },
    )
    .by(admin)
    .with_detail("by policy");
    let body = json_of(&AuditEventList::from(&page_of(vec![e.clone()], 1, 20, 1)));
    let shown = &body["events"][0];
    assert_eq!(shown["type"], "account_suspended");
    assert_eq!(shown["actorId"], admin.to_string());
    assert_eq!(
        shown["userId"],
        e.user_id.map(|u| u.to_string()).unwrap_or_default()
    );
    assert_eq!(shown["ipAddress"], "192.168.1.10");
    assert_eq!(shown["userAgent"], "curl/8");
    assert_eq!(shown["note"], "by policy");
    assert_eq!(shown["createdAt"], "2023-12-01T10:30:00Z");
    assert_eq!(body["pagination"]["total"], 1);
}

#[test]
fn an_activity_event_reads_its_device_as_sessions_do_and_none_without_a_user_agent() {
    let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    let signed_in = event(
        AuditKind::LoginSucceeded,
        ClientInfo {
            ip: Some("192.168.1.100".into()),
            user_agent: Some(chrome.into()),
        },
    );
    let body = json_of(&ActivityEventData::from(&signed_in));
    assert_eq!(
        body["device"],
        json!({"browser": "Chrome", "os": "Windows", "device": "Desktop"})
    );
    assert_eq!(body["type"], "login_succeeded");
    assert!(body.get("userId").is_none() && body.get("actorId").is_none());
    let by_admin = json_of(&ActivityEventData::from(&event(
        AuditKind::AccountSuspended,
        ClientInfo::default(),
    )));
    assert_eq!(by_admin["device"], Value::Null);
    assert_eq!(by_admin["ipAddress"], Value::Null);
}

struct Hanoi;

impl Geolocator for Hanoi {
    fn locate(&self, ip: &str) -> Option<Location> {
        (ip == "203.0.113.7").then(|| Location {
            country: "VN".to_owned(),
            city: Some("Hanoi".to_owned()),
        })
    }
}

#[test]
fn a_session_is_located_by_the_geolocator_or_null() {
    let session = |ip: Option<&str>| SessionView {
        session: Session {
            id: SessionId::new(),
            user_id: UserId::new(),
            client: ClientInfo {
                ip: ip.map(str::to_owned),
                user_agent: None,
            },
            remember_me: false,
            created_at: at(T),
            last_activity: at(T),
            revoked_at: None,
        },
        is_current: true,
    };
    let located = json_of(&SessionData::new(&session(Some("203.0.113.7")), &Hanoi));
    assert_eq!(
        located["location"],
        json!({"country": "VN", "city": "Hanoi"})
    );
    for ip in [Some("10.0.0.1"), None] {
        let unknown = json_of(&SessionData::new(&session(ip), &Hanoi));
        assert_eq!(unknown["location"], Value::Null, "{ip:?}");
    }
    let nowhere = authd_domain::ports::NoGeolocation;
    let body = json_of(&SessionData::new(&session(Some("203.0.113.7")), &nowhere));
    assert_eq!(body["location"], Value::Null);
}
