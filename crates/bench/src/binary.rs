//! The release build of `authd` under test, and where the report goes: both found through
//! `cargo metadata`, so a `CARGO_TARGET_DIR` is respected.

use crate::error::BenchError;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone)]
pub struct Paths {
    pub workspace: PathBuf,
    pub authd: PathBuf,
    /// `target/bench`: the report, the key and each server's log.
    pub out_dir: PathBuf,
}

/// The same packages as the documented `cargo build --release -p authd -p authd-bench`: cargo
/// resolves the features of shared dependencies over the packages it is asked for, so any
/// other selection would build most of them again with another feature set, minutes on a fresh
/// clone. After the documented build this one finds nothing to do.
const BUILD: [&str; 6] = ["build", "--release", "-p", "authd", "-p", "authd-bench"];

/// Builds `authd` in release mode (see [`BUILD`]) and returns where things are.
///
/// # Errors
/// The build fails, or cargo's metadata cannot be read.
pub fn build_release() -> Result<Paths, BenchError> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .map_err(BenchError::io(env!("CARGO_MANIFEST_DIR")))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the release binary: cargo {}", BUILD.join(" "));
    let status = Command::new(&cargo)
        .args(BUILD)
        .current_dir(&workspace)
        .status()
        .map_err(|e| BenchError::setup(format!("could not run cargo: {e}")))?;
    if !status.success() {
        return Err(BenchError::setup(format!(
            "cargo {} failed ({status})",
            BUILD.join(" ")
        )));
    }
    let target = target_directory(&cargo, &workspace)?;
    let out_dir = target.join("bench");
    std::fs::create_dir_all(&out_dir).map_err(BenchError::io(&out_dir))?;
    Ok(Paths {
        authd: target.join("release").join("authd"),
        out_dir,
        workspace,
    })
}

fn target_directory(cargo: &std::ffi::OsStr, workspace: &Path) -> Result<PathBuf, BenchError> {
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(workspace)
        .output()
        .map_err(|e| BenchError::setup(format!("could not run cargo metadata: {e}")))?;
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| BenchError::setup(format!("cargo metadata: {e}")))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| BenchError::setup("cargo metadata names no target_directory"))
}
