//! deploy/nginx/authd.conf run for real (Debian's nginx binary, on loopback, in the foreground)
//! in front of two authd processes: requests reach both instances, one instance going away costs
//! no request, and `/metrics` is not exposed. Only the upstream addresses and the listening
//! address are rewritten for loopback; the rest of the file is used as it is.

use super::{deploy, scratch};
use crate::helpers::{Child, Scrape};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// nginx in the foreground, stopped when dropped.
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The compose stack's proxy configuration with `authd-1`, `authd-2` and the listening port
/// replaced; panics if the file no longer has the shape this relies on.
fn loopback_conf(instances: [u16; 2], listen: u16) -> String {
    let conf = std::fs::read_to_string(deploy().join("nginx/authd.conf")).unwrap();
    let mut out = conf.clone();
    for (from, to) in [
        (
            "server authd-1:3000",
            format!("server 127.0.0.1:{}", instances[0]),
        ),
        (
            "server authd-2:3000",
            format!("server 127.0.0.1:{}", instances[1]),
        ),
        ("listen 80;", format!("listen 127.0.0.1:{listen};")),
        ("listen [::]:80;", String::new()),
    ] {
        assert_eq!(conf.matches(from).count(), 1, "`{from}` in authd.conf");
        out = out.replace(from, &to);
    }
    out
}

fn start_nginx(conf: &str) -> Nginx {
    let site = scratch("authd.conf", conf);
    let dir = site.parent().unwrap().to_path_buf();
    let main = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  \
         proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path \
         {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {site};\n}}\n",
        d = dir.display(),
        site = site.display()
    );
    let main_path = dir.join("nginx.conf");
    std::fs::write(&main_path, main).unwrap();
    let nginx = authd_testkit::deploy_tools::nginx().unwrap_or_else(|e| panic!("nginx: {e}"));
    let test = Command::new(&nginx)
        .args(["-t", "-p", dir.to_str().unwrap(), "-c"])
        .arg(&main_path)
        .args(["-e", dir.join("error.log").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t refuses the configuration:\n{}",
        String::from_utf8_lossy(&test.stderr)
    );
    let child = Command::new(&nginx)
        .args(["-p", dir.to_str().unwrap(), "-c"])
        .arg(&main_path)
        .args(["-e", dir.join("error.log").to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Nginx(child)
}

async fn instance() -> Child {
    let vars: BTreeMap<String, String> = [
        ("HOST", "127.0.0.1"),
        ("LOG_LEVEL", "warn"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("BCRYPT_ROUNDS", "4"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Child::spawn(vars).await
}

/// `GET /v1/health` requests the instance at `base` answered 200, by its own metrics.
async fn health_requests(client: &reqwest::Client, base: &str) -> f64 {
    let scrape = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Scrape::parse(&scrape)
        .value("authd_http_requests_total{route=\"/v1/health\",method=\"GET\",status=\"200\"}")
}

#[tokio::test]
async fn nginx_spreads_requests_over_both_instances_and_routes_around_a_stopped_one() {
    let mut first = instance().await;
    let second = instance().await;
    let port = free_port();
    let _nginx = start_nginx(&loopback_conf([first.port(), second.port()], port));
    let proxy = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();

    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .get(format!("{proxy}/health/live"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "nginx did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    for _ in 0..20 {
        let reply = client
            .get(format!("{proxy}/v1/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
    }
    for child in [&first, &second] {
        let served = health_requests(&client, &format!("http://127.0.0.1:{}", child.port())).await;
        assert!(served >= 5.0, "an instance served {served} of 20 requests");
    }

    let metrics = client.get(format!("{proxy}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 404, "the proxy must not expose /metrics");

    first.terminate().await;
    for _ in 0..10 {
        let reply = client
            .get(format!("{proxy}/v1/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            reply.status(),
            200,
            "a request was lost to the stopped instance"
        );
    }
}
