//! Signing keys made the way an operator makes them, with `authd keys generate`, and what a
//! running instance publishes of them in its JWKS.

use super::TestApp;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A key file written by `authd keys generate` and the `kid` it printed.
#[derive(Debug, Clone)]
pub struct KeyFile {
    pub path: PathBuf,
    pub kid: String,
}

/// Runs the real binary with `args` in `dir`, with nothing in its environment but `PATH`.
pub async fn authd_in(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authd"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(dir);
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .expect("authd runs")
}

/// A new, empty directory of the test's own.
pub fn key_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authd-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("create the key directory");
    dir
}

/// `authd keys generate --out dir/name`: the file and the one line it printed, the kid.
pub async fn generate_key(dir: &Path, name: &str) -> KeyFile {
    let path = dir.join(name);
    let out = path.to_str().expect("a UTF-8 temporary path");
    let output = authd_in(dir, &["keys", "generate", "--out", out]).await;
    assert!(
        output.status.success(),
        "authd keys generate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    KeyFile {
        path,
        kid: printed_kid(&output),
    }
}

/// The kid `authd keys generate` printed: its only line on standard output.
pub fn printed_kid(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line, the kid: {stdout:?}");
    lines[0].to_owned()
}

/// `JWT_PRIVATE_KEY_FILE` listing `keys` in order (the first signs).
pub fn key_list(keys: &[&KeyFile]) -> String {
    keys.iter()
        .map(|k| k.path.display().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The kids `app` publishes at `/.well-known/jwks.json`.
pub async fn jwks_kids(app: &TestApp) -> BTreeSet<String> {
    let reply = app.get("/.well-known/jwks.json").await;
    assert_eq!(reply.status, 200, "{reply:#?}");
    reply.body["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("a keys array: {reply:#?}"))
        .iter()
        .map(|k| k["kid"].as_str().expect("a kid").to_owned())
        .collect()
}
