//! deploy/, read and checked from outside without a cluster, a Docker daemon or a network (after
//! the one-time install of the checkers, `authd_testkit::deploy_tools`): the kustomize overlay
//! renders (`kubectl kustomize`) and every object validates strictly against the Kubernetes JSON
//! schemas (`kubernetes-validate`); the compose file validates against the Compose
//! specification (`check-jsonschema`); hadolint finds nothing in the Dockerfile; and what these
//! files say about authd (the package, the binary, the user, the port, the probes, the
//! migration step) matches the repository. Each checker is also shown to refuse a broken file.
//! `authd healthcheck`, the image's HEALTHCHECK, is run against live and dead servers.

mod compose;
mod docker;
mod healthcheck;
mod kubernetes;
mod nginx;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `deploy/` in the repository.
fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The repository's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tool(name: &str) -> PathBuf {
    authd_testkit::deploy_tools::bin().join(name)
}

/// Runs `program` with `args`; its output, whatever the exit status.
fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// YAML (one or more documents) as JSON, by the checkers' venv's PyYAML: a list of documents.
fn yaml_documents(yaml: &str) -> Vec<serde_json::Value> {
    let mut child = Command::new(tool("python"))
        .args([
            "-c",
            "import sys, yaml, json; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(yaml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "not YAML: {}", text(&out));
    let docs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

/// A file of the test's own, in a directory of its own under the temp dir (left there: small).
fn scratch(name: &str, contents: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("authd-deploy-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}
