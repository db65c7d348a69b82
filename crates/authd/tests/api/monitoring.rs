//! deploy/monitoring: the alerting rules pass `promtool check rules` and their own unit tests
//! (`promtool test rules`), every query of the Grafana dashboard is valid PromQL, and every
//! metric a rule or a panel reads is one a live authd exports after traffic. `promtool` comes
//! from Debian's `prometheus` package, unpacked without installing it (`authd_testkit::debian`).

use crate::helpers::{Backend, Scrape, spawn_app_with};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn monitoring() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/monitoring")
}

fn promtool() -> PathBuf {
    authd_testkit::debian::promtool().unwrap_or_else(|e| panic!("promtool: {e}"))
}

/// Runs promtool with `args` in `dir`, feeding it `stdin`; panics with its output on failure.
fn run_promtool(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(promtool())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?} failed:\n{text}");
    text
}

/// Every `expr` of the alerting rules.
fn rule_exprs() -> Vec<String> {
    let rules = std::fs::read_to_string(monitoring().join("alerts.yml")).unwrap();
    let mut exprs = Vec::new();
    let mut lines = rules.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim_start().strip_prefix("expr:") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        if rest.trim() == "|" {
            let mut block = String::new();
            while let Some(next) = lines.peek() {
                let next_indent = next.len() - next.trim_start().len();
                if !next.trim().is_empty() && next_indent <= indent {
                    break;
                }
                block.push_str(next.trim());
                block.push(' ');
                lines.next();
            }
            exprs.push(block);
        } else {
            exprs.push(rest.trim().to_owned());
        }
    }
    exprs
}

/// Every query of the dashboard, with Grafana's variables replaced by what Prometheus accepts.
fn dashboard_exprs() -> Vec<String> {
    let text = std::fs::read_to_string(monitoring().join("grafana/authd.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut exprs = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().unwrap();
            exprs.push(
                expr.replace("$__rate_interval", "5m")
                    .replace("$job", ".+")
                    .replace("$instance", ".+"),
            );
        }
    }
    assert!(exprs.len() >= 20, "the dashboard lost its panels");
    exprs
}

/// The metric names a query reads: its identifiers that name authd's or the process's metrics.
fn metric_names(expr: &str) -> BTreeSet<String> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|word| word.starts_with("authd_") || word.starts_with("process_"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_alerting_rules_are_valid_and_each_fires_on_its_unit_test() {
    let dir = monitoring();
    run_promtool(&dir, &["check", "rules", "alerts.yml"], None);
    let tested = run_promtool(&dir, &["test", "rules", "alerts.test.yml"], None);
    assert!(tested.contains("SUCCESS"), "{tested}");
    let tests = std::fs::read_to_string(dir.join("alerts.test.yml")).unwrap();
    let rules = std::fs::read_to_string(dir.join("alerts.yml")).unwrap();
    for alert in rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
    {
        assert!(
            tests.contains(&format!("alertname: {alert}\n")),
            "{alert} has no unit test in alerts.test.yml"
        );
    }
}

#[test]
fn every_dashboard_query_is_valid_promql() {
    let dir = std::env::temp_dir().join(format!("authd-dashboard-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, expr) in dashboard_exprs().iter().enumerate() {
        let quoted = serde_json::to_string(expr).unwrap();
        rules.push_str(&format!(
            "      - record: dashboard:panel_{i}\n        expr: {quoted}\n"
        ));
    }
    std::fs::write(dir.join("dashboard.yml"), rules).unwrap();
    run_promtool(&dir, &["check", "rules", "dashboard.yml"], None);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn every_metric_a_rule_or_panel_reads_is_exported_and_the_scrape_passes_promtool() {
    let app = spawn_app_with(Backend::Postgres, &[("METRICS_SAMPLE_INTERVAL", "100ms")]).await;
    let user = app.verified_user().await;
    app.login(&user).await;
    app.scrape_until("authd_backend_up{backend=\"database\"}", |up| up == 1.0)
        .await;
    let scrape: Scrape = app
        .scrape_until("authd_emails_sent_total{kind=\"verify_email\"}", |n| {
            n >= 1.0
        })
        .await;

    let mut missing = BTreeSet::new();
    for expr in rule_exprs().iter().chain(&dashboard_exprs()) {
        for name in metric_names(expr) {
            if !scrape.has_sample_named(&name) {
                missing.insert(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "read by a rule or panel but not exported: {missing:?}\n{}",
        scrape.text
    );

    let dir = std::env::temp_dir();
    run_promtool(&dir, &["check", "metrics"], Some(&scrape.text));
}
