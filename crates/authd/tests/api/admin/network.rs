//! `ADMIN_ALLOWED_IPS`: only clients inside the list reach `/v1/admin/*`, judged before the
//! token, by the address the rate limiter uses (the peer, or `X-Forwarded-For` behind a
//! trusted proxy).

use crate::helpers::{Backend, Member, Reply, TestApp, spawn_admin_app_with};

const ADMIN_PATHS: [&str; 2] = ["/v1/admin/users", "/v1/admin/audit-events"];

async fn admin_get(app: &TestApp, token: Option<&str>, path: &str, from: Option<&str>) -> Reply {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(client) = from {
        request = request.header("X-Forwarded-For", client);
    }
    app.send(request).await
}

/// Every admin route (with a real account as target) from the test client as `admin`.
async fn every_admin_route(app: &TestApp, admin: &Member) -> Vec<Reply> {
    let target = app.verified_user().await;
    let token = admin.token();
    vec![
        app.admin_get(token, "/v1/admin/users").await,
        app.admin_get(token, &format!("/v1/admin/users/{}", target.id))
            .await,
        app.admin_put(
            token,
            &target.id,
            &serde_json::json!({"firstName": "Grace"}),
        )
        .await,
        app.admin_action(token, &target.id, "unlock").await,
        app.admin_end_sessions(token, &target.id).await,
        app.admin_action(token, &target.id, "password-reset").await,
        app.admin_get(token, "/v1/admin/audit-events").await,
    ]
}

#[tokio::test]
async fn outside_the_list_even_an_admin_token_is_refused_before_it_is_read() {
    let (app, admin) =
        spawn_admin_app_with(Backend::Memory, &[("ADMIN_ALLOWED_IPS", "10.0.0.0/8,::1")]).await;

    for reply in every_admin_route(&app, &admin).await {
        reply.error(403, "IP_NOT_ALLOWED");
    }
    for path in ADMIN_PATHS {
        // No token, or a token that is no token at all: the address is refused first.
        admin_get(&app, None, path, None)
            .await
            .error(403, "IP_NOT_ALLOWED");
        admin_get(&app, Some("garbage"), path, None)
            .await
            .error(403, "IP_NOT_ALLOWED");
    }
    // The rest of the API does not care.
    app.me(admin.token()).await.ok(200);
}

#[tokio::test]
async fn inside_the_list_an_admin_reaches_every_route() {
    let (app, admin) = spawn_admin_app_with(
        Backend::Memory,
        &[("ADMIN_ALLOWED_IPS", "192.0.2.15, 127.0.0.0/8")],
    )
    .await;

    for reply in every_admin_route(&app, &admin).await {
        assert_eq!(reply.status, 200, "{reply:#?}");
    }
    admin_get(&app, None, "/v1/admin/users", None)
        .await
        .error(401, "MISSING_AUTH_HEADER");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_the_one_judged() {
    let (app, admin) = spawn_admin_app_with(
        Backend::Memory,
        &[
            ("ADMIN_ALLOWED_IPS", "203.0.113.0/24"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let token = Some(admin.token());

    for path in ADMIN_PATHS {
        assert_eq!(
            admin_get(&app, token, path, Some("203.0.113.9"))
                .await
                .status,
            200
        );
        // The right-most untrusted hop decides, not what the client wrote first.
        admin_get(&app, token, path, Some("203.0.113.9, 198.51.100.1"))
            .await
            .error(403, "IP_NOT_ALLOWED");
        assert_eq!(
            admin_get(&app, token, path, Some("198.51.100.1, 203.0.113.9"))
                .await
                .status,
            200
        );
        admin_get(&app, token, path, Some("198.51.100.1"))
            .await
            .error(403, "IP_NOT_ALLOWED");
        // The proxy itself is not in the list.
        admin_get(&app, token, path, None)
            .await
            .error(403, "IP_NOT_ALLOWED");
    }
}
