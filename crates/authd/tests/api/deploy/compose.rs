//! deploy/compose.yaml: valid by the Compose specification's schema, two authd instances behind
//! nginx that start after a successful `authd migrate`, Redis with a password, and every secret
//! from `.env`, whose example leaves them empty.

use super::{deploy, run, scratch, text, tool, yaml_documents};
use serde_json::Value;

fn check_compose(path: &std::path::Path) -> std::process::Output {
    run(
        &tool("check-jsonschema"),
        &[
            "--builtin-schema",
            "vendor.compose-spec",
            path.to_str().unwrap(),
        ],
    )
}

fn compose() -> Value {
    let text = std::fs::read_to_string(deploy().join("compose.yaml")).unwrap();
    yaml_documents(&text).remove(0)
}

#[test]
fn the_compose_file_passes_the_compose_specification_schema() {
    let out = check_compose(&deploy().join("compose.yaml"));
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_broken_compose_file_is_refused_by_the_schema() {
    let broken = "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        \
                  condition: service_done\n  b:\n    image: x\n";
    let out = check_compose(&scratch("compose.yaml", broken));
    assert!(!out.status.success(), "accepted:\n{}", text(&out));
}

#[test]
fn two_instances_behind_nginx_start_after_the_migration_with_secrets_from_env() {
    let compose = compose();
    let services = compose["services"].as_object().unwrap();
    for instance in ["authd-1", "authd-2"] {
        let service = &services[instance];
        assert_eq!(
            service["depends_on"]["migrate"]["condition"], "service_completed_successfully",
            "{instance}"
        );
        assert_eq!(service["build"]["dockerfile"], "deploy/docker/Dockerfile");
        assert_eq!(service["environment"]["AUTO_MIGRATE"], "false");
        assert_eq!(
            service["healthcheck"]["test"],
            serde_json::json!(["CMD", "/usr/local/bin/authd", "healthcheck"])
        );
        for secret in [
            "DB_PASSWORD",
            "REDIS_PASSWORD",
            "JWT_ACCESS_SECRET",
            "JWT_REFRESH_SECRET",
            "MFA_ENCRYPTION_KEY",
        ] {
            let value = service["environment"][secret].as_str().unwrap_or_default();
            assert!(
                value.starts_with("${") && value.contains(":?"),
                "{instance} {secret} must come from .env and be required: {value:?}"
            );
        }
    }
    assert_eq!(
        services["migrate"]["command"],
        serde_json::json!(["migrate"])
    );
    assert!(
        services["postgres"]["image"]
            .as_str()
            .unwrap()
            .starts_with("postgres:15")
    );
    assert!(
        services["redis"]["image"]
            .as_str()
            .unwrap()
            .starts_with("redis:7")
    );
    assert!(
        services["redis"]["command"]
            .to_string()
            .contains("requirepass")
    );
    assert!(services["mailpit"]["ports"].to_string().contains("8025"));

    // nginx balances over both instances, with the config the compose file mounts.
    let mount = services["proxy"]["volumes"][0].as_str().unwrap();
    let conf_path = deploy().join(mount.split(':').next().unwrap());
    let conf = std::fs::read_to_string(&conf_path).unwrap();
    for instance in ["authd-1:3000", "authd-2:3000"] {
        assert!(conf.contains(&format!("server {instance}")), "{conf}");
    }
}

#[test]
fn the_env_example_names_every_required_secret_and_fills_in_none() {
    let compose = std::fs::read_to_string(deploy().join("compose.yaml")).unwrap();
    let example = std::fs::read_to_string(deploy().join(".env.example")).unwrap();
    let required: Vec<&str> = compose
        .split("${")
        .skip(1)
        .filter_map(|s| s.split_once(":?").map(|(name, _)| name))
        .filter(|name| !name.contains('}'))
        .collect();
    assert!(!required.is_empty());
    for name in required {
        let line = example
            .lines()
            .find(|l| l.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} is not in deploy/.env.example"));
        assert_eq!(
            line,
            format!("{name}="),
            "the example must not fill in a secret"
        );
    }
}
