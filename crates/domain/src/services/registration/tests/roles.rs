//! The role a registration asks for (`SELF_ASSIGNABLE_ROLES`).

use super::*;

/// Registrations of a deployment whose registrations may ask for `customer` or `partner`.
fn registration_with_roles(m: Mocks) -> Registration {
    let catalog = crate::authorization::RoleCatalog::parse(
        "customer=users.read;partner=users.read;admin=*",
        "customer",
        Some("customer,partner"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    build_with_roles(
        m,
        settings().email_domains,
        Duration::zero(),
        Arc::new(catalog),
    )
}

/// A registration asking for `role` (none: `None`) stores exactly one account, with `expected`.
async fn registers_as(role: Option<&str>, expected: &'static str) {
    let mut m = Mocks::new();
    hashes(&mut m);
    m.users
        .expect_create()
        .withf(move |user, _| {
            user.roles == [RoleName::parse(expected).unwrap_or_else(|e| panic!("{e}"))]
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let input = RegisterInput {
        role: role.map(str::to_owned),
        ..valid_input()
    };
    let user = registration_with_roles(m)
        .register(input, &ClientInfo::default())
        .await
        .unwrap();
    assert_eq!(user.roles[0].as_str(), expected);
}

#[tokio::test]
async fn a_registration_gets_the_default_role_unless_it_asks_for_another() {
    registers_as(None, "customer").await;
    registers_as(Some(""), "customer").await;
}

#[tokio::test]
async fn a_registration_may_ask_for_a_self_assignable_role() {
    registers_as(Some("partner"), "partner").await;
    registers_as(Some("customer"), "customer").await;
}

#[tokio::test]
async fn a_role_outside_the_self_assignable_ones_is_refused_and_nothing_is_stored() {
    // Configured but not offered, not configured, another spelling, not a role name at all.
    for asked in ["admin", "root", "Partner", "partner ", "a=b"] {
        let mut m = Mocks::new();
        nothing_is_stored(&mut m);
        m.rate_limiter.expect_hit().never();
        let events = capture_audit(&mut m);
        let input = RegisterInput {
            role: Some(asked.into()),
            ..valid_input()
        };
        let Err(RegisterError::Validation(errors)) = registration_with_roles(m)
            .register(input, &ClientInfo::default())
            .await
        else {
            panic!("{asked}: expected a validation error");
        };
        let fields: Vec<(&str, &str)> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(fields, [("role", "ROLE_NOT_ALLOWED")], "{asked}");
        assert!(audit_kinds(&events).is_empty());
    }
}

#[tokio::test]
async fn a_refused_role_is_reported_with_every_other_problem() {
    let mut m = Mocks::new();
    nothing_is_stored(&mut m);
    let input = RegisterInput {
        email: "not-an-email".into(),
        role: Some("admin".into()),
        ..valid_input()
    };
    let Err(RegisterError::Validation(errors)) = registration(m)
        .register(input, &ClientInfo::default())
        .await
    else {
        panic!("expected a validation error");
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "role"]);
}
