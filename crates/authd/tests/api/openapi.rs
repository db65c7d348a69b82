//! The OpenAPI document as served by a real `authd` process (the embedded default), checked from
//! outside with the tools a client's developer would use: `openapi-spec-validator` (valid
//! OpenAPI 3.1), the router (every documented operation is routed), and a property-based run of
//! schemathesis, which sends generated valid and invalid requests to every operation and fails
//! on a 5xx, an undocumented status, header or content type, a body that contradicts its schema,
//! an accepted invalid request, an ignored `Authorization` or a wrong 405.
//!
//! `AUTHD_FUZZ_EXAMPLES` raises the number of examples per operation (`just fuzz-api`), and then
//! drops the fixed seed so that each long run explores new inputs.

use crate::helpers::{Child, PASSWORD};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Examples per operation in `cargo test`: the whole run stays well under a minute on 2 cores.
const EXAMPLES: &str = "25";
const FUZZ_EMAIL: &str = "fuzz@example.com";

struct Served {
    child: Child,
    dir: PathBuf,
}

impl Served {
    /// The embedded default, with the limits that would stop a fuzzer from one address (rate
    /// limits, lockout) off, and one account whose token the fuzzer uses.
    async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("authd-openapi-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("mail")).unwrap();
        let vars: BTreeMap<String, String> = [
            ("BCRYPT_ROUNDS", "4"),
            ("REQUIRE_EMAIL_VERIFICATION", "false"),
            ("RATE_LIMIT_ENABLED", "false"),
            ("ENABLE_ACCOUNT_LOCKOUT", "false"),
            // The CheckInn delete-me would delete the fuzz account with its token alone, and
            // every later operation would fail to log in.
            ("CHECKINN_DELETE_ME_REQUIRES_PASSWORD", "true"),
            ("HASH_QUEUE_MAX", "1000"),
            ("LOG_LEVEL", "warn"),
            ("MAIL_DIR", dir.join("mail").to_str().unwrap_or_default()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let child = Child::spawn(vars).await;
        Self { child, dir }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.child.port())
    }

    async fn document(&self) -> Value {
        let res = reqwest::get(format!("{}/v1/openapi.json", self.base()))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/json");
        res.json().await.unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `program` with `args` in `dir` (schemathesis leaves a cache there) off the async
/// runtime; its exit status and output.
async fn run(program: PathBuf, args: Vec<String>, dir: &Path) -> (bool, String) {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(&program)
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_served_document_is_valid_openapi_3_1() {
    let served = Served::start().await;
    let document = served.document().await;
    assert_eq!(document["openapi"], "3.1.0");
    let file = served.dir.join("openapi.json");
    std::fs::write(&file, document.to_string()).unwrap();
    let validator = authd_testkit::api_tools::bin().join("openapi-spec-validator");
    let (ok, output) = run(
        validator,
        vec!["--schema".into(), "3.1".into(), file.display().to_string()],
        &served.dir,
    )
    .await;
    assert!(ok, "openapi-spec-validator rejects the document:\n{output}");
}

/// Not the router's 404 (an unknown path) nor its 405 (an undeclared method): the operation
/// reaches its handler.
#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let served = Served::start().await;
    let document = served.document().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut count = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{session_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{file}", "swagger-ui.css");
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = client
                .request(method.clone(), format!("{}{concrete}", served.base()))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            assert_ne!(status, 405, "{method} {path} is not routed");
            assert!(
                !(status == 404 && body.contains("Resource not found")),
                "{method} {path} is not routed: {body}"
            );
            count += 1;
        }
    }
    assert!(count >= 30, "only {count} operations");
}

/// The schemathesis configuration: the bearer token comes from logging the fuzz account in,
/// again whenever an operation (logout) revoked it.
fn schemathesis_config(dir: &Path) -> PathBuf {
    let config = format!(
        "[auth.dynamic.openapi.bearerAuth]\n\
         path = \"/v1/auth/login\"\n\
         payload = {{ email = \"{FUZZ_EMAIL}\", password = \"{PASSWORD}\" }}\n\
         extract_selector = \"/data/accessToken\"\n\
         retry_on = [401]\n"
    );
    let file = dir.join("schemathesis.toml");
    std::fs::write(&file, config).unwrap();
    file
}

#[tokio::test]
async fn schemathesis_finds_no_answer_that_contradicts_the_document() {
    let bin = authd_testkit::api_tools::bin();
    let served = Served::start().await;
    // The account's password is none of the document's examples, so no generated request can
    // deactivate it or change its password: the fuzzer keeps a working token throughout.
    let registered = reqwest::Client::new()
        .post(format!("{}/v1/auth/register", served.base()))
        .json(&json!({"email": FUZZ_EMAIL, "username": "fuzzer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);

    let long_run = std::env::var("AUTHD_FUZZ_EXAMPLES").ok();
    let examples = long_run.clone().unwrap_or_else(|| EXAMPLES.to_owned());
    let config = schemathesis_config(&served.dir);
    let mut args: Vec<String> = [
        "--config-file",
        config.to_str().unwrap_or_default(),
        "run",
        &format!("{}/v1/openapi.json", served.base()),
        "--checks",
        "all",
        // Schema-valid input may still be refused on its meaning (a random one-time token is
        // 404 `INVALID_TOKEN`): that is the API working, not a defect.
        "--exclude-checks",
        "positive_data_acceptance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        &examples,
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    if long_run.is_none() {
        args.extend(["--seed".to_owned(), "1".to_owned()]);
    }
    let (ok, output) = run(bin.join("schemathesis"), args, &served.dir).await;
    if long_run.is_some() {
        println!("{output}");
    }
    assert!(ok, "schemathesis found defects:\n{output}");
}

/// What a browser with no internet needs: the page and every file it loads come from this server
/// (the page's links are relative, and its `Content-Security-Policy` allows no other origin), and
/// it loads this server's document without sending it to an online validator.
#[tokio::test]
async fn the_interactive_docs_load_everything_from_the_server() {
    let served = Served::start().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = client
        .get(format!("{}/docs", served.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");

    let page = client
        .get(format!("{}/docs/", served.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert!(!csp.contains("http"), "{csp}");
    let html = page.text().await.unwrap();
    let linked: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.ends_with(".js") || s.ends_with(".css") || s.ends_with(".png"))
        .collect();
    assert!(linked.len() >= 5, "{html}");
    for file in linked {
        assert!(!file.contains("//"), "{file} is not on this server");
        let name = file.trim_start_matches("./");
        let res = client
            .get(format!("{}/docs/{name}", served.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}");
    }
    let init = client
        .get(format!("{}/docs/swagger-initializer.js", served.base()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("\"url\": \"/v1/openapi.json\""), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");

    // Everything else keeps the strict policy.
    let me = client
        .get(format!("{}/v1/users/me", served.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.headers()["content-security-policy"],
        "default-src 'self'"
    );
}
