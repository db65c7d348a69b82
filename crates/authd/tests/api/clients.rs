//! The Perfect21 document's own Python and JavaScript clients, unchanged, against a live app
//! (drivers in `tests/clients/` at the repository root).

use crate::helpers::spawn_app;
use crate::helpers::{Backend, backends};
use rstest_reuse::apply;
use std::path::PathBuf;
use std::process::{Command, Output};

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients")
}

/// Runs a blocking command off the runtime's thread, so the app keeps serving meanwhile.
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .expect("the command starts")
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn ensure_python_requests() {
    let mut probe = Command::new("python3");
    probe.args(["-c", "import requests"]);
    let found = run(probe).await;
    if !found.status.success() {
        let mut install = Command::new("python3");
        install.args(["-m", "pip", "install", "--quiet", "requests"]);
        assert_success("python3 -m pip install requests", &run(install).await);
    }
}

#[apply(backends)]
async fn the_perfect21_python_client_works_unchanged(backend: Backend) {
    let app = spawn_app(backend).await;
    ensure_python_requests().await;
    let mut driver = Command::new("python3");
    driver
        .current_dir(clients_dir())
        .arg("perfect21_driver.py")
        .arg(app.url("/v1"))
        .arg(&app.mail_dir);

    let output = run(driver).await;

    assert_success("the Python client driver", &output);
}

#[apply(backends)]
async fn the_perfect21_javascript_client_works_unchanged_except_for_cookie_refresh_in_node(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut version = Command::new("node");
    version.arg("--version");
    let has_node = tokio::task::spawn_blocking(move || version.output())
        .await
        .expect("the command's thread")
        .is_ok_and(|o| o.status.success());
    assert!(
        has_node,
        "this test needs Node.js 18 or newer (`node` on PATH); install it, e.g. \
         `apt-get install nodejs`"
    );
    let mut driver = Command::new("node");
    driver
        .current_dir(clients_dir())
        .arg("perfect21_driver.mjs")
        .arg(app.url("/v1"))
        .arg(&app.mail_dir);

    let output = run(driver).await;

    assert_success("the JavaScript client driver", &output);
}
