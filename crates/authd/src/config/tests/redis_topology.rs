//! `REDIS_SENTINELS` with `REDIS_SENTINEL_MASTER`, `REDIS_CLUSTER_NODES`, and how they sit with
//! one server's variables: exactly one way to reach Redis, TLS as asked for (a CA file without
//! it refused), passwords never shown.

use super::*;
use crate::config::redis::RedisTopology;
use authd_redis::RedisTopology as Adapter;

fn redis(vars: &[(&str, &str)]) -> RedisConfig {
    parse(vars).unwrap().redis.expect("Redis is configured")
}

fn nodes(list: &[(&str, u16)]) -> Vec<(String, u16)> {
    list.iter().map(|(h, p)| ((*h).to_owned(), *p)).collect()
}

#[test]
fn sentinels_name_the_master_and_carry_both_passwords_to_the_adapter_only() {
    let config = redis(&[
        (
            "REDIS_SENTINELS",
            "10.0.0.1:26379, sentinel-b,[fd00::3]:26380",
        ),
        ("REDIS_SENTINEL_MASTER", "authd-main"),
        ("REDIS_SENTINEL_PASSWORD", "sentinel-s3cret"),
        ("REDIS_USERNAME", "authd"),
        ("REDIS_PASSWORD", PASSWORD),
        ("REDIS_DB", "2"),
    ]);
    assert_eq!(
        config.topology,
        RedisTopology::Sentinel {
            sentinels: nodes(&[
                ("10.0.0.1", 26379),
                ("sentinel-b", 26379),
                ("fd00::3", 26380)
            ]),
            master: "authd-main".to_owned(),
            db: 2,
            tls: false,
        }
    );
    let shown = format!("{} {config:?}", config.target());
    assert!(
        shown.contains("authd-main") && shown.contains("[fd00::3]:26380"),
        "{shown}"
    );
    assert!(
        !shown.contains("sentinel-s3cret") && !shown.contains(PASSWORD),
        "{shown}"
    );
    match config.settings().topology {
        Adapter::Sentinel {
            login,
            sentinel_password,
            db,
            ..
        } => {
            assert_eq!(login.username.as_deref(), Some("authd"));
            assert_eq!(login.password.as_deref(), Some(PASSWORD));
            assert_eq!(sentinel_password.as_deref(), Some("sentinel-s3cret"));
            assert_eq!(db, 2);
        }
        other => panic!("sentinels became {other:?}"),
    }
}

#[test]
fn cluster_nodes_default_to_port_6379_and_take_the_data_password() {
    let config = redis(&[
        ("REDIS_CLUSTER_NODES", "node-a:7000,node-b,[::1]:7002"),
        ("REDIS_PASSWORD", PASSWORD),
        ("REDIS_POOL_MAX", "4"),
    ]);
    let expected = nodes(&[("node-a", 7000), ("node-b", 6379), ("::1", 7002)]);
    assert_eq!(
        config.topology,
        RedisTopology::Cluster {
            nodes: expected.clone(),
            tls: false,
        }
    );
    assert!(!format!("{} {config:?}", config.target()).contains(PASSWORD));
    let settings = config.settings();
    assert_eq!(settings.pool_max, 4);
    match settings.topology {
        Adapter::Cluster { nodes, login, tls } => {
            assert!(!tls);
            assert_eq!(nodes, expected);
            assert_eq!(login.password.as_deref(), Some(PASSWORD));
        }
        other => panic!("a cluster became {other:?}"),
    }
}

#[test]
fn two_ways_to_reach_redis_are_one_line_naming_both() {
    for (first, a, second, b) in [
        (
            "REDIS_URL",
            "redis://cache",
            "REDIS_CLUSTER_NODES",
            "n1:7000",
        ),
        ("REDIS_HOST", "cache", "REDIS_SENTINELS", "s1"),
        ("REDIS_SENTINELS", "s1", "REDIS_CLUSTER_NODES", "n1"),
    ] {
        let errors = problems(&[(first, a), (second, b), ("REDIS_SENTINEL_MASTER", "m")]);
        let lines: Vec<String> = errors
            .iter()
            .map(ToString::to_string)
            .filter(|line| line.contains(first) && line.contains(second))
            .collect();
        assert_eq!(lines.len(), 1, "{errors}");
    }
    // REDIS_URL with REDIS_HOST has a message of its own, which must not let a third way by.
    for third in ["REDIS_SENTINELS", "REDIS_CLUSTER_NODES"] {
        let errors = problems(&[
            ("REDIS_URL", "redis://cache"),
            ("REDIS_HOST", "cache"),
            (third, "n1"),
            ("REDIS_SENTINEL_MASTER", "m"),
        ]);
        let lines: Vec<String> = errors
            .iter()
            .map(ToString::to_string)
            .filter(|line| {
                ["REDIS_URL", "REDIS_HOST", third]
                    .iter()
                    .all(|way| line.contains(way))
            })
            .collect();
        assert_eq!(lines.len(), 1, "{errors}");
    }
}

#[test]
fn sentinels_need_a_master_name_and_its_variables_need_sentinels() {
    let errors = problems(&[("REDIS_SENTINELS", "s1:26379")]);
    assert!(
        errors.to_string().contains("REDIS_SENTINEL_MASTER"),
        "{errors}"
    );
    for stray in ["REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_PASSWORD"] {
        let errors = problems(&[("REDIS_URL", "redis://cache"), (stray, "x")]);
        assert!(errors.mentions(stray), "{errors}");
        let errors = problems(&[("REDIS_CLUSTER_NODES", "n1"), (stray, "x")]);
        assert!(errors.mentions(stray), "{errors}");
    }
    let errors = problems(&[
        ("REDIS_SENTINELS", "s1"),
        ("REDIS_SENTINEL_MASTER", "two words"),
    ]);
    assert!(errors.mentions("REDIS_SENTINEL_MASTER"), "{errors}");
}

/// A PEM-looking CA file (the configuration checks no more), removed when dropped.
struct CaFile(std::path::PathBuf);

impl CaFile {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("authd-ca-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const SENTINELS: [(&str, &str); 2] = [("REDIS_SENTINELS", "s1"), ("REDIS_SENTINEL_MASTER", "m")];
const CLUSTER: [(&str, &str); 1] = [("REDIS_CLUSTER_NODES", "n1:7000")];

#[test]
fn redis_tls_is_tls_to_sentinels_and_cluster_nodes_with_the_ca_file() {
    let ca = CaFile::new();
    for base in [&SENTINELS[..], &CLUSTER[..]] {
        let mut vars = base.to_vec();
        vars.extend([("REDIS_TLS", "true"), ("REDIS_TLS_CA_FILE", ca.path())]);
        let config = redis(&vars);
        assert!(config.tls(), "{base:?}");
        assert!(
            config.target().contains("REDIS_TLS_CA_FILE"),
            "{}",
            config.target()
        );
        let settings = config.settings();
        assert_eq!(
            settings.tls_ca_file.as_deref(),
            Some(std::path::Path::new(ca.path()))
        );
        assert!(matches!(
            settings.topology,
            Adapter::Sentinel { tls: true, .. } | Adapter::Cluster { tls: true, .. }
        ));

        let mut plain = base.to_vec();
        plain.push(("REDIS_TLS", "false"));
        assert!(
            !redis(&plain).tls(),
            "REDIS_TLS=false is plain text, as given"
        );
        let mut ca_alone = base.to_vec();
        ca_alone.push(("REDIS_TLS_CA_FILE", ca.path()));
        let errors = problems(&ca_alone);
        assert!(errors.mentions("REDIS_TLS_CA_FILE"), "{errors}");
    }
}

#[test]
fn what_a_cluster_or_sentinels_cannot_honour_is_refused() {
    for base in [&SENTINELS[..], &CLUSTER[..]] {
        for (name, value) in [
            ("REDIS_PORT", "7000"),
            ("REDIS_USERNAME", "authd"),
            ("REDIS_TLS", "maybe"),
        ] {
            let mut vars = base.to_vec();
            vars.push((name, value));
            let errors = problems(&vars);
            assert!(errors.mentions(name), "{name} with {base:?}: {errors}");
        }
    }
    let errors = problems(&[("REDIS_CLUSTER_NODES", "n1"), ("REDIS_DB", "1")]);
    assert!(errors.mentions("REDIS_DB"), "{errors}");
}

#[test]
fn a_bad_node_list_is_one_line_without_any_password() {
    for bad in [
        "",
        " , n1",
        "n1,,n2",
        "::1:7000",
        "[::1:7000",
        "n1:0",
        "n1:port",
        "bad host",
    ] {
        for way in ["REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] {
            let errors = problems(&[
                (way, bad),
                ("REDIS_SENTINEL_MASTER", "m"),
                ("REDIS_PASSWORD", PASSWORD),
            ]);
            let text = errors.to_string();
            if bad.is_empty() {
                // An empty value counts as unset: then REDIS_PASSWORD has nothing to go with.
                assert!(errors.mentions("REDIS_PASSWORD"), "{text}");
            } else {
                assert!(errors.mentions(way), "{way}={bad:?}: {text}");
            }
            assert!(!text.contains(PASSWORD), "{text}");
        }
    }
}
