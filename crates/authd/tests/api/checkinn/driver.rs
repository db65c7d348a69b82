//! The CheckInn document's axios interceptor, verbatim, run by Node with the real axios against a
//! live app whose access tokens expire at once (`tests/clients/checkinn_driver.mjs`; the driver's
//! header says what it shows and why the document's code needs its header snippet run before
//! every request).

use super::client::spawn_checkinn_app_with;
use crate::helpers::{Backend, backends};
use rstest_reuse::apply;
use std::path::PathBuf;
use std::process::{Command, Output};

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients")
}

/// Runs a blocking command off the runtime's thread, so the app keeps serving meanwhile.
async fn run(mut command: Command) -> Output {
    let program = format!("{command:?}");
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .unwrap_or_else(|e| panic!("{program} starts (this test needs Node.js 18+ and npm): {e}"))
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

/// `npm ci` from the committed lock file on the first run (a fresh clone, CI); offline
/// afterwards. Once per test process: the tests of both backends ask at once, and two `npm ci`
/// in one directory would delete each other's `node_modules`.
async fn ensure_axios() {
    static INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            let package = clients_dir().join("checkinn");
            if package.join("node_modules/axios/package.json").exists() {
                return;
            }
            let mut install = Command::new("npm");
            install.current_dir(&package).args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ]);
            assert_success("npm ci in tests/clients/checkinn", &run(install).await);
        })
        .await;
}

#[apply(backends)]
async fn the_documents_axios_interceptor_refreshes_an_expired_token_and_retries(backend: Backend) {
    // The document's own variable names: JWT_EXPIRES_IN is JWT_ACCESS_EXPIRY.
    let app = spawn_checkinn_app_with(backend, &[("JWT_EXPIRES_IN", "1s")]).await;
    ensure_axios().await;
    let mut driver = Command::new("node");
    driver
        .current_dir(clients_dir())
        .arg("checkinn_driver.mjs")
        .arg(&app.address)
        .arg(&app.mail_dir);

    let output = run(driver).await;

    assert_success("the CheckInn axios driver", &output);
}
