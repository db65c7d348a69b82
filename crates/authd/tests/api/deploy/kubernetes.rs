//! deploy/kubernetes: the example overlay renders, validates strictly against the Kubernetes
//! schemas of the oldest and newest versions checked, and holds what docs/deployment.md
//! promises (3 replicas, the probes, a locked-down pod, the migration Job, the autoscaler).

use super::{deploy, run, scratch, text, tool, yaml_documents};
use serde_json::Value;

/// The Kubernetes versions the manifests are validated against.
const VERSIONS: [&str; 2] = ["1.30.0", "1.37.0"];

/// The example overlay, and its example Secrets, which the overlay itself leaves out (applied by
/// mistake, their empty values would overwrite the real Secrets made out of band): rendered in
/// the overlay's namespace beside it.
fn render() -> String {
    let overlay = deploy().join("kubernetes/overlays/example");
    let secrets = std::fs::read_to_string(overlay.join("secrets.example.yaml")).unwrap();
    let secrets_dir = scratch("secrets.example.yaml", &secrets);
    let secrets_dir = secrets_dir.parent().unwrap();
    std::fs::write(
        secrets_dir.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: authd\n\
         resources:\n  - secrets.example.yaml\n",
    )
    .unwrap();
    format!("{}---\n{}", kustomize(&overlay), kustomize(secrets_dir))
}

fn kustomize(dir: &std::path::Path) -> String {
    let kubectl = authd_testkit::deploy_tools::kubectl().unwrap_or_else(|e| panic!("{e}"));
    let out = run(&kubectl, &["kustomize", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "kubectl kustomize failed:\n{}",
        text(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn validate(path: &std::path::Path, version: &str) -> std::process::Output {
    run(
        &tool("kubernetes-validate"),
        &["--strict", "-k", version, path.to_str().unwrap()],
    )
}

fn object<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| {
            d["kind"] == kind
                && d["metadata"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with(name)
        })
        .unwrap_or_else(|| panic!("no {kind} {name} in the rendered overlay"))
}

/// Whether the generated ConfigMap sets `name`.
fn rendered_config_sets(docs: &[Value], name: &str) -> bool {
    object(docs, "ConfigMap", "authd-config")["data"]
        .as_object()
        .unwrap()
        .contains_key(name)
}

#[test]
fn the_example_overlay_renders_and_every_object_passes_the_kubernetes_schemas() {
    let rendered = render();
    let path = scratch("authd.yaml", &rendered);
    for version in VERSIONS {
        let out = validate(&path, version);
        assert!(out.status.success(), "against {version}:\n{}", text(&out));
    }
    let docs = yaml_documents(&rendered);
    let mut kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in [
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Job",
        "Namespace",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Secret",
        "Service",
    ] {
        assert!(kinds.contains(&kind), "no {kind} among {kinds:?}");
    }
    for doc in &docs {
        if doc["kind"] != "Namespace" {
            assert_eq!(doc["metadata"]["namespace"], "authd", "{doc}");
        }
    }
}

#[test]
fn a_broken_manifest_is_refused_by_the_validator() {
    // A typo'd field (strict mode) and a replica count that is not a number.
    let broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  \
                  replicas: three\n  selector:\n    matchLabels: {a: b}\n  template:\n    \
                  metadata:\n      labels: {a: b}\n    spec:\n      containers:\n        \
                  - name: x\n          image: x\n          livenessProbes: {}\n";
    let out = validate(&scratch("broken.yaml", broken), VERSIONS[1]);
    assert!(!out.status.success(), "accepted:\n{}", text(&out));
}

#[test]
fn the_deployment_runs_three_locked_down_replicas_probed_on_the_health_endpoints() {
    let docs = yaml_documents(&render());
    let deployment = object(&docs, "Deployment", "authd");
    assert_eq!(deployment["spec"]["replicas"], 3);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let container = &pod["containers"][0];
    assert_eq!(container["image"], "registry.example.com/authd:0.1.0");
    assert_eq!(
        container["livenessProbe"]["httpGet"]["path"],
        "/health/live"
    );
    assert_eq!(
        container["readinessProbe"]["httpGet"]["path"],
        "/health/ready"
    );
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"], serde_json::json!(["ALL"]));
    assert!(container["resources"]["requests"]["cpu"].is_string());
    assert!(container["resources"]["limits"]["memory"].is_string());
    // Whatever order the Job and the pods start in, no pod serves a schema with pending
    // migrations: AUTO_MIGRATE keeps its default.
    let env = container["env"].as_array().unwrap();
    assert!(!env.iter().any(|e| e["name"] == "AUTO_MIGRATE"), "{env:?}");
    assert!(!rendered_config_sets(&docs, "AUTO_MIGRATE"));
    // The configuration reaches the pods under the generated (hashed) name.
    let config = object(&docs, "ConfigMap", "authd-config");
    assert_eq!(
        container["envFrom"][0]["configMapRef"]["name"],
        config["metadata"]["name"]
    );

    let job = object(&docs, "Job", "authd-migrate");
    let migrate = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(migrate["args"], serde_json::json!(["migrate"]));
    assert_eq!(migrate["image"], container["image"]);

    let hpa = object(&docs, "HorizontalPodAutoscaler", "authd");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu");
    assert_eq!(hpa["spec"]["minReplicas"], 3);

    // Every selector picks the server pods.
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    let service = object(&docs, "Service", "authd");
    let pdb = object(&docs, "PodDisruptionBudget", "authd");
    let policy = object(&docs, "NetworkPolicy", "authd");
    for selector in [
        &service["spec"]["selector"],
        &pdb["spec"]["selector"]["matchLabels"],
        &policy["spec"]["podSelector"]["matchLabels"],
    ] {
        for (key, value) in selector.as_object().unwrap() {
            assert_eq!(&labels[key], value, "{selector} does not select {labels}");
        }
    }
}
