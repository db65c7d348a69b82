use super::*;

fn role(s: &str) -> RoleName {
    RoleName::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_default_catalog_is_api_md_s() {
    let c = RoleCatalog::default();
    assert_eq!(c.default_role(), &role("user"));
    assert_eq!(c.self_assignable(), &[role("user")]);
    let user = c.permissions_of(&[role("user")]);
    assert_eq!(user.iter().collect::<Vec<_>>(), vec![Permission::UsersRead]);
    let moderator = c.permissions_of(&[role("moderator")]);
    assert!(
        moderator.contains(Permission::AdminUsersRead) && moderator.contains(Permission::AuditRead)
    );
    assert!(!moderator.contains(Permission::AdminUsersWrite));
    assert_eq!(c.permissions_of(&[role("admin")]), Permissions::all());
    assert_eq!(
        c.roles_granting(Permission::AdminRolesWrite),
        vec![role("admin")]
    );
}

#[test]
fn permissions_of_several_roles_is_their_union_and_unknown_roles_grant_nothing() {
    let c = RoleCatalog::parse("a=users.read;b=audit.read", "a", None)
        .unwrap_or_else(|e| panic!("{e}"));
    let both = c.permissions_of(&[role("a"), role("b"), role("gone")]);
    assert_eq!(
        both.iter().collect::<Vec<_>>(),
        vec![Permission::UsersRead, Permission::AuditRead]
    );
    assert!(c.permissions_of(&[role("gone")]).is_empty());
}

#[test]
fn custom_roles_as_the_checkinn_document_names_them() {
    let c = RoleCatalog::parse(
        "Customer=users.read;HotelPartner=users.read;Admin=*",
        "Customer",
        Some("Customer, HotelPartner"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(c.is_self_assignable(&role("HotelPartner")));
    assert!(!c.is_self_assignable(&role("Admin")));
    assert!(!c.is_defined(&role("admin")), "names are compared exactly");
}

#[test]
fn bad_configuration_is_refused_with_one_line_naming_the_variable() {
    let cases: [(&str, &str, Option<&str>, &str); 7] = [
        ("user", "user", None, "ROLE_PERMISSIONS: `user` is not"),
        ("user=users.read;user=*", "user", None, "listed twice"),
        (
            "user=users.rede",
            "user",
            None,
            "unknown permission `users.rede`",
        ),
        ("", "user", None, "no role is defined"),
        (
            "user=users.read",
            "guest",
            None,
            "DEFAULT_ROLE: role `guest` is not defined",
        ),
        (
            "user=users.read;admin=*",
            "user",
            Some("user,admin"),
            "SELF_ASSIGNABLE_ROLES: role `admin` grants more",
        ),
        ("9lives=*", "x", None, "is not a role name"),
    ];
    for (map, default, assignable, expected) in cases {
        let err = RoleCatalog::parse(map, default, assignable)
            .err()
            .map(|e| e.to_string());
        let err = err.unwrap_or_else(|| panic!("{map:?} was accepted"));
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains('\n'));
    }
}

#[test]
fn permissions_travel_as_their_names() {
    let set = Permissions::none()
        .with(Permission::AuditRead)
        .with(Permission::UsersRead);
    let json = serde_json::to_string(&set).unwrap_or_default();
    assert_eq!(json, r#"["users.read","audit.read"]"#);
    let back: Permissions = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, set);
    assert!(serde_json::from_str::<Permissions>(r#"["users.write"]"#).is_err());
}

#[test]
fn role_names_are_validated() {
    for ok in ["user", "HotelPartner", "ops.read-only", "team:blue_2"] {
        assert!(RoleName::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["", "1x", "a b", "ünï", &"a".repeat(65), "*"] {
        assert!(RoleName::parse(bad).is_err(), "{bad}");
    }
}
