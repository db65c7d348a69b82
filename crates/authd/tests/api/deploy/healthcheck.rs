//! `authd healthcheck`, the container's HEALTHCHECK: exit 0 when the instance is ready, 1 when
//! it answers anything else or nothing (never 2, which Docker reserves).

use crate::helpers::{Backend, spawn_app};
use std::io::{Read, Write};
use std::process::{Command, Output};

/// The real binary with only `vars` (plus `PATH`), in a directory without a `.env`.
async fn healthcheck(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authd"));
    command
        .arg("healthcheck")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .envs(vars.iter().copied());
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

fn says(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_ready_instance_passes_by_its_url_and_by_the_configured_host_and_port() {
    let app = spawn_app(Backend::Memory).await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();

    let by_url = healthcheck(&["--url", &app.address], &[]).await;
    assert_eq!(by_url.status.code(), Some(0), "{}", says(&by_url));
    assert!(says(&by_url).contains("200"), "{}", says(&by_url));

    // As in the image: HOST=0.0.0.0 is reached on loopback.
    let by_config = healthcheck(&[], &[("HOST", "0.0.0.0"), ("PORT", &port)]).await;
    assert_eq!(by_config.status.code(), Some(0), "{}", says(&by_config));
}

#[tokio::test]
async fn nothing_listening_or_a_bad_configuration_fails_with_exit_code_1() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let refused = healthcheck(&[], &[("PORT", &free)]).await;
    assert_eq!(refused.status.code(), Some(1), "{}", says(&refused));
    assert!(
        says(&refused).contains(&format!("127.0.0.1:{free}")),
        "{}",
        says(&refused)
    );

    let bad = healthcheck(&[], &[("PORT", "http")]).await;
    assert_eq!(bad.status.code(), Some(1), "{}", says(&bad));
    assert!(says(&bad).contains("PORT"), "{}", says(&bad));
}

#[tokio::test]
async fn an_instance_that_is_not_ready_fails_with_exit_code_1() {
    // A server that answers every request as authd does while PostgreSQL or Redis is down.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0_u8; 1024];
        let n = stream.read(&mut request).unwrap();
        stream
            .write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .unwrap();
        String::from_utf8_lossy(&request[..n]).into_owned()
    });
    let out = healthcheck(&["--url", &address], &[]).await;
    let request = server.join().unwrap();
    assert!(
        request.starts_with("GET /health/ready HTTP/1.1\r\n"),
        "{request}"
    );
    assert_eq!(out.status.code(), Some(1), "{}", says(&out));
    assert!(says(&out).contains("503"), "{}", says(&out));
}
