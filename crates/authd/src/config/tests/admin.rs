use super::*;
use authd_domain::authorization::{Permission, RoleName};

fn role(name: &str) -> RoleName {
    RoleName::parse(name).unwrap()
}

/// The one line a problem prints, as start-up shows it.
fn one_line(vars: &[(&str, &str)], variable: &str) -> String {
    let errors = problems(vars);
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert!(errors.mentions(variable), "{errors}");
    let line = errors.to_string();
    assert!(!line.contains('\n'), "{line}");
    assert!(line.starts_with(&format!("{variable}: ")), "{line}");
    assert!(
        !line.starts_with(&format!("{variable}: {variable}")),
        "the variable is named once: {line}"
    );
    line
}

#[test]
fn without_role_variables_the_default_catalog_applies() {
    let config = parse(&[]).unwrap();
    let roles = &config.auth.roles;
    assert_eq!(roles.default_role(), &role("user"));
    assert_eq!(roles.self_assignable(), &[role("user")]);
    assert!(
        roles
            .permissions_of(&[role("admin")])
            .contains(Permission::AdminRolesWrite)
    );
    assert!(
        roles
            .permissions_of(&[role("moderator")])
            .contains(Permission::AuditRead)
    );
}

#[test]
fn custom_roles_a_default_role_and_self_assignable_roles_are_read() {
    let config = parse(&[
        (
            "ROLE_PERMISSIONS",
            "Customer=users.read;HotelPartner=users.read;Admin=*",
        ),
        ("DEFAULT_ROLE", "Customer"),
        ("SELF_ASSIGNABLE_ROLES", "Customer, HotelPartner"),
    ])
    .unwrap();
    let roles = &config.auth.roles;
    assert_eq!(roles.default_role(), &role("Customer"));
    assert!(roles.is_self_assignable(&role("HotelPartner")));
    assert!(!roles.is_self_assignable(&role("Admin")));
    assert!(!roles.is_defined(&role("admin")), "names are exact");
}

#[test]
fn a_bad_role_configuration_is_one_line_naming_its_variable() {
    // The variables, the one that the line names, and a word the line quotes.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case<'_>; 5] = [
        (
            &[("ROLE_PERMISSIONS", "user=users.read;admin=everything")],
            "ROLE_PERMISSIONS",
            "everything",
        ),
        (
            &[("ROLE_PERMISSIONS", "user users.read")],
            "ROLE_PERMISSIONS",
            "user users.read",
        ),
        (&[("DEFAULT_ROLE", "guest")], "DEFAULT_ROLE", "guest"),
        (&[("DEFAULT_ROLE", "admin")], "DEFAULT_ROLE", "admin"),
        (
            &[("SELF_ASSIGNABLE_ROLES", "user,moderator")],
            "SELF_ASSIGNABLE_ROLES",
            "moderator",
        ),
    ];
    for (vars, variable, named) in cases {
        let line = one_line(vars, variable);
        assert!(line.contains(named), "{line}");
    }
}

#[test]
fn admin_allowed_ips_take_networks_and_bare_addresses_and_default_to_any() {
    assert_eq!(parse(&[]).unwrap().server.admin_allowed_ips, None);
    assert_eq!(
        parse(&[("ADMIN_ALLOWED_IPS", " , ")])
            .unwrap()
            .server
            .admin_allowed_ips,
        None,
        "an empty list means any"
    );
    let config = parse(&[(
        "ADMIN_ALLOWED_IPS",
        "10.0.0.0/8, 203.0.113.7, 2001:db8::/32, ::1",
    )])
    .unwrap();
    let shown: Vec<String> = config
        .server
        .admin_allowed_ips
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown,
        ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32", "::1/128"]
    );
}

#[test]
fn a_bad_admin_network_is_one_line() {
    let line = one_line(
        &[("ADMIN_ALLOWED_IPS", "10.0.0.0/8, office")],
        "ADMIN_ALLOWED_IPS",
    );
    assert!(line.contains("office"), "{line}");
    one_line(&[("ADMIN_ALLOWED_IPS", "10.0.0.0/33")], "ADMIN_ALLOWED_IPS");
}

#[test]
fn alerts_are_on_and_stuffing_is_ten_accounts_in_fifteen_minutes_by_default() {
    let config = parse(&[]).unwrap();
    assert!(config.auth.new_device_alerts);
    assert_eq!(config.auth.stuffing.accounts, 10);
    assert_eq!(config.auth.stuffing.window, Duration::minutes(15));

    let config = parse(&[
        ("NEW_DEVICE_ALERTS", "false"),
        ("STUFFING_THRESHOLD", "25"),
        ("STUFFING_WINDOW", "1h"),
    ])
    .unwrap();
    assert!(!config.auth.new_device_alerts);
    assert_eq!(config.auth.stuffing.accounts, 25);
    assert_eq!(config.auth.stuffing.window, Duration::hours(1));
}

#[test]
fn bad_alert_and_stuffing_values_are_one_line_each() {
    one_line(&[("NEW_DEVICE_ALERTS", "sometimes")], "NEW_DEVICE_ALERTS");
    for bad in ["1", "10001", "ten"] {
        one_line(&[("STUFFING_THRESHOLD", bad)], "STUFFING_THRESHOLD");
    }
    for bad in ["0", "15 minutes"] {
        one_line(&[("STUFFING_WINDOW", bad)], "STUFFING_WINDOW");
    }
}

#[test]
fn the_bootstrap_admin_needs_an_email_and_a_password_and_defaults_its_username() {
    assert!(parse(&[]).unwrap().bootstrap_admin.is_none());
    let config = parse(&[
        ("BOOTSTRAP_ADMIN_EMAIL", "root@example.com"),
        ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
    ])
    .unwrap();
    let admin = config.bootstrap_admin.clone().unwrap();
    assert_eq!(admin.email, "root@example.com");
    assert_eq!(admin.username, "admin");
    assert_eq!(admin.password.expose_secret(), PASSWORD);
    assert!(
        !format!("{config:?}").contains(PASSWORD),
        "the password shows in Debug"
    );

    let config = parse(&[
        ("BOOTSTRAP_ADMIN_EMAIL", "root@example.com"),
        ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
        ("BOOTSTRAP_ADMIN_USERNAME", "root"),
    ])
    .unwrap();
    assert_eq!(config.bootstrap_admin.unwrap().username, "root");
}

#[test]
fn half_a_bootstrap_admin_is_one_line_naming_the_missing_half() {
    let line = one_line(
        &[("BOOTSTRAP_ADMIN_EMAIL", "root@example.com")],
        "BOOTSTRAP_ADMIN_PASSWORD",
    );
    assert!(line.contains("BOOTSTRAP_ADMIN_EMAIL"), "{line}");
    let line = one_line(
        &[("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD)],
        "BOOTSTRAP_ADMIN_EMAIL",
    );
    assert!(!line.contains(PASSWORD), "{line}");
    one_line(
        &[("BOOTSTRAP_ADMIN_USERNAME", "root")],
        "BOOTSTRAP_ADMIN_USERNAME",
    );
}

#[test]
fn the_geoip_database_is_a_path_and_unset_means_no_places() {
    assert_eq!(parse(&[]).unwrap().geoip_database, None);
    let config = parse(&[("GEOIP_DATABASE", "/var/lib/GeoIP/GeoLite2-City.mmdb")]).unwrap();
    assert_eq!(
        config.geoip_database,
        Some(PathBuf::from("/var/lib/GeoIP/GeoLite2-City.mmdb"))
    );
}
