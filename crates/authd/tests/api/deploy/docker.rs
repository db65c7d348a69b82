//! deploy/docker/Dockerfile: hadolint finds nothing, and it builds and runs what this
//! repository is (the package, a locked build, the binary the HEALTHCHECK calls, a numeric
//! non-root user that the Kubernetes pods also run as, the port).

use super::{deploy, root, run, scratch, text, tool};

fn dockerfile() -> String {
    std::fs::read_to_string(deploy().join("docker/Dockerfile")).unwrap()
}

fn hadolint(path: &std::path::Path) -> std::process::Output {
    run(&tool("hadolint"), &[path.to_str().unwrap()])
}

#[test]
fn hadolint_finds_nothing_in_the_dockerfile() {
    let out = hadolint(&deploy().join("docker/Dockerfile"));
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn hadolint_refuses_a_careless_dockerfile() {
    let careless = "FROM debian:latest\nRUN cd /tmp && apt-get install curl\n";
    let out = hadolint(&scratch("Dockerfile", careless));
    assert!(!out.status.success(), "accepted:\n{}", text(&out));
}

#[test]
fn the_dockerfile_builds_the_authd_package_locked_and_runs_it_unprivileged() {
    let file = dockerfile();
    let manifest = std::fs::read_to_string(root().join("crates/authd/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"authd\""));
    assert!(
        file.contains("cargo build --release --locked -p authd"),
        "a locked release build of the authd package"
    );
    assert!(file.contains("target/release/authd"));
    assert!(
        file.contains("ENTRYPOINT [\"/usr/local/bin/authd\"]")
            && file.contains("CMD [\"/usr/local/bin/authd\", \"healthcheck\"]"),
        "{file}"
    );
    // The build image's toolchain is no older than the workspace's `rust-version`.
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let minimum = workspace
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    let pinned = file
        .lines()
        .find_map(|l| l.strip_prefix("ARG RUST_VERSION="))
        .unwrap();
    assert!(
        minor_version(pinned) >= minor_version(minimum),
        "rust:{pinned} is older than rust-version {minimum}"
    );

    // A numeric user that is not root, the same the Kubernetes pods run as.
    let user = file.lines().find_map(|l| l.strip_prefix("USER ")).unwrap();
    let uid = user.split(':').next().unwrap();
    assert!(uid.parse::<u32>().is_ok_and(|u| u > 0), "USER {user}");
    let deployment =
        std::fs::read_to_string(deploy().join("kubernetes/base/deployment.yaml")).unwrap();
    assert!(
        deployment.contains(&format!("runAsUser: {uid}")),
        "runAsUser {uid}"
    );

    // The port it listens on is the one it exposes and Kubernetes sends traffic to.
    assert!(file.contains("PORT=3000") && file.contains("EXPOSE 3000"));
    assert!(deployment.contains("containerPort: 3000"));
}

#[test]
fn the_build_context_holds_every_workspace_member_and_nothing_secret() {
    let file = dockerfile();
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).unwrap();
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let members = workspace
        .lines()
        .find_map(|l| l.strip_prefix("members = "))
        .unwrap();
    // Each member glob's top directory, and the embedded migrations.
    let mut needed: Vec<String> = members
        .split('"')
        .filter(|s| s.contains('/'))
        .map(|s| s.split('/').next().unwrap().to_owned())
        .collect();
    needed.push("migrations".to_owned());
    for dir in needed {
        assert!(
            file.contains(&format!("COPY {dir} ./{dir}")),
            "the Dockerfile does not copy {dir}/"
        );
        assert!(
            ignore.contains(&format!("!{dir}/")),
            ".dockerignore does not let {dir}/ into the context"
        );
    }
    for kept_out in ["**/target/", "**/.env", "**/*.pem"] {
        assert!(ignore.contains(kept_out), ".dockerignore lacks {kept_out}");
    }
}

/// `(major, minor)` of `1.95` or `1.95.0`.
fn minor_version(version: &str) -> (u32, u32) {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}
