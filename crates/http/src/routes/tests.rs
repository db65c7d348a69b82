//! The route table: paths, methods, limits and access of every endpoint.

use super::*;
use actix_web::http::Method;

/// A new endpoint under `/v1` or `/api/auth` is limited unless someone decides otherwise
/// here: an `Exempt` slipped into the table by copy and paste would leave it open to guessing.
/// Introspection is for resource servers on every request they serve; its callers are
/// authenticated by the handler.
#[test]
fn every_api_route_but_health_is_rate_limited() {
    for route in table() {
        let under_api =
            route.path.starts_with(API_PREFIX) || route.path.starts_with(crate::checkinn::PREFIX);
        let exempt = route.limit == Limit::Exempt;
        assert_eq!(
            exempt,
            !under_api || route.path == "/v1/health" || route.path == "/v1/auth/introspect",
            "{} {} is {:?}",
            route.method,
            route.path,
            route.limit
        );
    }
}

/// `ENABLE_MFA=false` leaves out exactly the MFA routes.
#[test]
fn mfa_routes_exist_only_with_the_feature() {
    let paths = |features| -> Vec<&'static str> {
        endpoints(features).iter().map(|e| e.spec().path).collect()
    };
    let with = paths(Features::ALL);
    let without = paths(Features {
        mfa: false,
        ..Features::ALL
    });
    let mfa: Vec<_> = with.iter().filter(|p| !without.contains(p)).collect();
    assert_eq!(mfa.len(), 7, "{mfa:?}");
    assert!(mfa.iter().all(|p| p.starts_with("/v1/auth/mfa")), "{mfa:?}");
    assert!(without.iter().all(|p| !p.starts_with("/v1/auth/mfa")));
}

/// `API_DIALECTS` leaves out exactly the surfaces it does not name: without `checkinn`, every
/// `/api/auth` route; without `perfect21`, `/v1/auth/*` and `/v1/users/*` but not the rest
/// (the MFA routes stay: a CheckInn login of an MFA account finishes there).
#[test]
fn each_dialect_exists_only_when_configured() {
    let paths = |features| -> Vec<&'static str> {
        endpoints(features).iter().map(|e| e.spec().path).collect()
    };
    let all = paths(Features::ALL);
    let without_checkinn = paths(Features {
        checkinn: false,
        ..Features::ALL
    });
    let checkinn: Vec<_> = all
        .iter()
        .filter(|p| !without_checkinn.contains(p))
        .collect();
    assert_eq!(checkinn.len(), 12, "{checkinn:?}");
    assert!(
        checkinn.iter().all(|p| p.starts_with("/api/auth/")),
        "{checkinn:?}"
    );
    let without_perfect21 = paths(Features {
        perfect21: false,
        ..Features::ALL
    });
    assert!(without_perfect21.contains(&"/api/auth/login"));
    assert!(without_perfect21.contains(&"/v1/admin/users"));
    assert!(without_perfect21.contains(&"/v1/health"));
    assert!(
        !without_perfect21
            .iter()
            .any(|p| p.starts_with("/v1/users") || *p == "/v1/auth/login"),
        "{without_perfect21:?}"
    );
    assert!(without_perfect21.contains(&"/v1/auth/mfa/verify"));
}

/// Two entries for one method and path would leave one of them unreachable.
#[test]
fn each_method_and_path_is_declared_once() {
    let table = table();
    for (i, route) in table.iter().enumerate() {
        let again = table[i + 1..]
            .iter()
            .any(|r| r.method == route.method && r.path == route.path);
        assert!(!again, "{} {} is declared twice", route.method, route.path);
    }
}

/// Every route says who may call it: admin routes their permission behind the address
/// check, the caller's own account `users.read`, logging out only a valid token.
#[test]
fn the_table_declares_what_each_route_needs() {
    let table = table();
    for spec in &table {
        let what = format!("{} {}", spec.method, spec.path);
        let admin = spec.path.starts_with("/v1/admin/");
        assert_eq!(spec.access.admin_network(), admin, "{what}");
        let own_account = [
            "/v1/auth/change-password",
            "/api/auth/me",
            "/api/auth/update-me",
            "/api/auth/update-password",
            "/api/auth/delete-me",
        ];
        if spec.path.starts_with("/v1/users/") || own_account.contains(&spec.path) {
            assert_eq!(
                spec.access,
                Access::Permission(Permission::UsersRead),
                "{what}"
            );
        }
    }
    let bearer_only: Vec<_> = table
        .iter()
        .filter(|s| s.access == Access::Bearer)
        .map(|s| s.path)
        .collect();
    assert_eq!(
        bearer_only,
        ["/v1/auth/logout", "/api/auth/logout"],
        "only logging out needs no permission"
    );
    let admin = |method: Method, path: &str| {
        table
            .iter()
            .find(|s| s.method == method && s.path == path)
            .map(|s| s.access)
    };
    use Permission::*;
    let expected = [
        (Method::GET, "/v1/admin/users", AdminUsersRead),
        (Method::GET, "/v1/admin/users/{userId}", AdminUsersRead),
        (Method::PUT, "/v1/admin/users/{userId}", AdminUsersWrite),
        (
            Method::POST,
            "/v1/admin/users/{userId}/unlock",
            AdminUsersWrite,
        ),
        (
            Method::DELETE,
            "/v1/admin/users/{userId}/sessions",
            AdminSessionsWrite,
        ),
        (
            Method::POST,
            "/v1/admin/users/{userId}/password-reset",
            AdminUsersWrite,
        ),
        (Method::GET, "/v1/admin/audit-events", AuditRead),
    ];
    for (method, path, permission) in expected {
        assert_eq!(
            admin(method.clone(), path),
            Some(Access::Admin(permission)),
            "{method} {path}"
        );
    }
    for path in [
        "/v1/auth/login",
        "/v1/auth/register",
        "/v1/auth/refresh",
        "/v1/health",
        "/v1/auth/mfa/verify",
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh-token",
        "/api/auth/forgot-password",
        "/api/auth/reset-password/{token}",
        "/api/auth/verify-email",
        "/api/auth/resend-verification",
    ] {
        assert!(
            table
                .iter()
                .any(|s| s.path == path && s.access == Access::Public),
            "{path}"
        );
    }
}
