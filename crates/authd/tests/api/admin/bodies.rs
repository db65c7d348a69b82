//! Garbage sent to `PUT /v1/admin/users/{id}`: 400 `VALIDATION_ERROR` (or 415 for a body that
//! is no JSON by its `Content-Type`), never a 5xx, and the account as it was. Malformed and
//! unknown ids on every `{userId}` route.

use crate::helpers::{Backend, backends};
use crate::helpers::{Member, Reply, TestApp, spawn_admin_app};
use rstest_reuse::apply;
use serde_json::{Value, json};

/// A JSON body, the field its answer must name (`None`: any or none).
fn json_garbage() -> Vec<(Value, Option<&'static str>)> {
    let long = "x".repeat(101);
    vec![
        (json!({"firstName": 5}), Some("firstName")),
        (json!({"firstName": ["Grace"]}), Some("firstName")),
        (json!({"lastName": true}), Some("lastName")),
        (json!({"lastName": {"a": 1}}), Some("lastName")),
        (json!({"phone": 14_155_550_100_i64}), Some("phone")),
        (json!({"phone": []}), Some("phone")),
        (json!({"status": 1}), Some("status")),
        (json!({"status": true}), Some("status")),
        (json!({"status": ["suspended"]}), Some("status")),
        (json!({"roles": "admin"}), Some("roles")),
        (json!({"roles": [1]}), Some("roles")),
        (json!({"roles": {"admin": true}}), Some("roles")),
        (json!({"roles": [["admin"]]}), Some("roles")),
        (json!({"roles": []}), Some("roles")),
        (json!({"roles": ["wizard"]}), Some("roles")),
        (json!({"emailVerified": "yes"}), Some("emailVerified")),
        (json!({"emailVerified": 1}), Some("emailVerified")),
        (json!({"role": ["admin"]}), None),
        (json!({"firstName": "Grace", "role": "admin"}), None),
        (json!({"Status": "suspended"}), None),
        (json!({"firstName": long}), Some("firstName")),
        (json!({"lastName": long}), Some("lastName")),
        (json!({"phone": "1".repeat(21)}), Some("phone")),
        (
            json!({"firstName": "Grace", "status": "banned"}),
            Some("status"),
        ),
        (json!(["firstName", "Grace"]), None),
        (json!("firstName"), None),
        (json!(42), None),
        (Value::Null, None),
    ]
}

/// `null` where only a value makes sense: not a way to leave a field alone.
fn nulls() -> Vec<(Value, &'static str)> {
    vec![
        (json!({"status": null}), "status"),
        (json!({"roles": null}), "roles"),
        (json!({"emailVerified": null}), "emailVerified"),
    ]
}

/// Raw bodies with their `Content-Type`, and the status they must answer.
fn raw_garbage() -> Vec<(&'static str, Option<&'static str>, u16)> {
    vec![
        ("not json", Some("application/json"), 400),
        ("{\"firstName\": \"Grace\"", Some("application/json"), 400),
        ("{\"firstName\": \"Grace\",}", Some("application/json"), 400),
        ("", Some("application/json"), 400),
        ("\u{0}", Some("application/json"), 400),
        (
            "{\"firstName\": \"\\ud800\"}",
            Some("application/json"),
            400,
        ),
        (
            "{\"firstName\": \"Grace\", \"firstName\": \"Eve\"}",
            Some("application/json"),
            400,
        ),
        ("{\"firstName\": \"Grace\"}", Some("text/plain"), 415),
        (
            "firstName=Grace",
            Some("application/x-www-form-urlencoded"),
            415,
        ),
        ("{\"firstName\": \"Grace\"}", Some("application/xml"), 415),
        ("", Some("text/plain"), 415),
    ]
}

async fn put_raw(
    app: &TestApp,
    admin: &Member,
    id: &str,
    body: &'static str,
    content_type: Option<&str>,
) -> Reply {
    let mut request = app
        .client
        .put(app.url(&format!("/v1/admin/users/{id}")))
        .bearer_auth(admin.token())
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    app.send(request).await
}

/// Everything an administrator can change about the account, as it is now.
async fn changeable(app: &TestApp, admin: &Member, id: &str) -> Value {
    let seen = app.admin_user(admin.token(), id).await;
    json!([
        seen["firstName"],
        seen["lastName"],
        seen["phone"],
        seen["status"],
        seen["roles"],
        seen["emailVerified"],
    ])
}

#[apply(backends)]
async fn garbage_bodies_are_refused_and_change_nothing(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let login = app.login(&user).await;
    let before = changeable(&app, &admin, &user.id).await;

    for (body, field) in json_garbage() {
        let reply = app.admin_put(admin.token(), &user.id, &body).await;
        assert!(reply.status < 500, "{body}: {reply:#?}");
        let fields: Vec<String> = reply
            .validation_details()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        if let Some(field) = field {
            // `roles[0]` names the element of `roles` at fault.
            assert!(
                fields.len() == 1 && fields[0].starts_with(field),
                "{body}: {reply:#?}"
            );
        }
    }
    for (body, content_type, status) in raw_garbage() {
        let reply = put_raw(&app, &admin, &user.id, body, content_type).await;
        if status == 415 {
            reply.error(415, "UNSUPPORTED_MEDIA_TYPE");
        } else {
            reply.error(400, "VALIDATION_ERROR");
        }
    }
    // A body without a Content-Type is not taken for JSON.
    put_raw(&app, &admin, &user.id, "{\"firstName\": \"Grace\"}", None)
        .await
        .error(415, "UNSUPPORTED_MEDIA_TYPE");

    // An empty object changes nothing; the admin is told so by the unchanged account.
    let empty = app.admin_put(admin.token(), &user.id, &json!({})).await;
    assert_eq!(empty.ok(200)["status"], "active");

    assert_eq!(changeable(&app, &admin, &user.id).await, before);
    // Nothing was taken for a suspension or a role change either: the token still works.
    app.me(&login.access_token).await.ok(200);
}

#[apply(backends)]
async fn null_for_a_field_that_cannot_be_cleared_is_refused(backend: Backend) {
    let (app, admin) = spawn_admin_app(backend).await;
    let user = app.verified_user().await;
    let before = changeable(&app, &admin, &user.id).await;

    let mut answered = Vec::new();
    for (body, field) in nulls() {
        let reply = app.admin_put(admin.token(), &user.id, &body).await;
        let named = reply.status == 400
            && reply.body["error"]["details"][0]["field"] == field
            && reply.body["error"]["code"] == "VALIDATION_ERROR";
        answered.push((body.to_string(), reply.status, named));
    }
    assert!(
        answered.iter().all(|(_, _, named)| *named),
        "each refused, naming its field: {answered:?}"
    );
    assert_eq!(changeable(&app, &admin, &user.id).await, before);
}

/// `(method, path)` of every route with a `{userId}`.
fn user_routes(id: &str) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    let base = format!("/v1/admin/users/{id}");
    vec![
        (Method::GET, base.clone()),
        (Method::PUT, base.clone()),
        (Method::POST, format!("{base}/unlock")),
        (Method::DELETE, format!("{base}/sessions")),
        (Method::POST, format!("{base}/password-reset")),
    ]
}

async fn call(app: &TestApp, admin: &Member, method: reqwest::Method, path: &str) -> Reply {
    let mut request = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(admin.token());
    if method == reqwest::Method::PUT {
        request = request.json(&json!({"firstName": "Grace"}));
    }
    app.send(request).await
}

#[apply(backends)]
async fn every_user_route_refuses_a_malformed_id_and_answers_404_for_an_unknown_one(
    backend: Backend,
) {
    let (app, admin) = spawn_admin_app(backend).await;

    for bad in [
        "not-a-uuid",
        "1",
        "00000000-0000-4000-8000-00000000000g",
        "00000000000040008000000000000000a",
        "%27%20OR%201=1--",
        "%E2%82%AC",
    ] {
        for (method, path) in user_routes(bad) {
            let reply = call(&app, &admin, method.clone(), &path).await;
            assert_eq!(
                reply.validation_details(),
                [("userId".to_owned(), "INVALID_FORMAT".to_owned())],
                "{method} {path}"
            );
        }
    }
    let unknown = uuid::Uuid::new_v4().to_string();
    for (method, path) in user_routes(&unknown) {
        call(&app, &admin, method, &path)
            .await
            .error(404, "USER_NOT_FOUND");
    }
}
