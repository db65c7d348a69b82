//! `ADMIN_ALLOWED_IPS`: the client address, as the rate limiter sees it, before anything else.

use super::*;

#[actix_web::test]
async fn an_address_outside_admin_allowed_ips_is_refused_before_the_token_is_read() {
    let codec = Arc::new(RolesInToken::default());
    let app = app!(
        settings(
            RoleCatalog::default(),
            Some(&["10.0.0.0/8", "2001:db8::/32"])
        ),
        codec.clone(),
        Arc::new(Counter::default())
    );
    for token in [Some("roles:admin"), None, Some("garbage")] {
        let req = request(&Method::GET, "/v1/admin/users", OUTSIDE, token);
        let res = call_service(&app, req.to_request()).await;
        assert_eq!(
            code_of(res).await,
            (403, "IP_NOT_ALLOWED".to_owned()),
            "{token:?}"
        );
    }
    assert_eq!(codec.verified.load(Ordering::SeqCst), 0);
    for peer in [INSIDE, "::ffff:10.9.9.9", "2001:db8::1"] {
        let req = request(&Method::GET, "/v1/admin/users", peer, Some("roles:admin"));
        assert_eq!(
            call_service(&app, req.to_request()).await.status(),
            200,
            "{peer}"
        );
        // Inside the network, the permission is still checked.
        let req = request(&Method::GET, "/v1/admin/users", peer, Some("roles:user"));
        assert_eq!(
            call_service(&app, req.to_request()).await.status(),
            403,
            "{peer}"
        );
    }
    // Only the admin routes are fenced.
    let req = request(&Method::GET, "/v1/users/me", OUTSIDE, Some("roles:admin"));
    assert_eq!(call_service(&app, req.to_request()).await.status(), 200);
}

#[actix_web::test]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let app = app!(settings(RoleCatalog::default(), Some(&["10.0.0.0/8"])));
    let send = |peer: &str, forwarded: &str| {
        request(&Method::GET, "/v1/admin/users", peer, Some("roles:admin"))
            .insert_header(("X-Forwarded-For", forwarded.to_owned()))
            .to_request()
    };
    assert_eq!(call_service(&app, send(PROXY, INSIDE)).await.status(), 200);
    let res = call_service(&app, send(PROXY, OUTSIDE)).await;
    assert_eq!(code_of(res).await, (403, "IP_NOT_ALLOWED".to_owned()));
    // An untrusted peer cannot claim an inside address.
    let res = call_service(&app, send(OUTSIDE, INSIDE)).await;
    assert_eq!(code_of(res).await, (403, "IP_NOT_ALLOWED".to_owned()));
    // The right-most untrusted hop is the client, whatever is written before it.
    let res = call_service(&app, send(PROXY, &format!("{INSIDE}, {OUTSIDE}"))).await;
    assert_eq!(code_of(res).await, (403, "IP_NOT_ALLOWED".to_owned()));
}

/// Admin routes count against the general limit like every `/v1` route, refused or not.
#[actix_web::test]
async fn admin_requests_count_against_the_general_limit() {
    let limiter = Arc::new(Counter::default());
    let app = app!(
        settings(RoleCatalog::default(), Some(&["10.0.0.0/8"])),
        Arc::new(RolesInToken::default()),
        limiter.clone()
    );
    let req = request(
        &Method::GET,
        "/v1/admin/users",
        OUTSIDE,
        Some("roles:admin"),
    );
    let res = call_service(&app, req.to_request()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().contains_key("x-ratelimit-remaining"));
    let req = request(
        &Method::GET,
        "/v1/admin/audit-events",
        INSIDE,
        Some("roles:admin"),
    );
    assert_eq!(call_service(&app, req.to_request()).await.status(), 200);
    let counts = limiter.0.lock().unwrap().clone();
    assert_eq!(counts.get(&format!("rl:general:{OUTSIDE}")), Some(&1));
    assert_eq!(counts.get(&format!("rl:general:{INSIDE}")), Some(&1));
}
