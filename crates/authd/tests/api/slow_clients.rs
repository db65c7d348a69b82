//! Clients that hold connections without finishing their requests, driven over raw sockets: a
//! body that never comes or drips in is answered 408 `REQUEST_TIMEOUT` within
//! `CLIENT_BODY_TIMEOUT` and its connection closed; one address holds at most
//! `MAX_CONNECTIONS_PER_IP` connections, and closing them gives their places back.

use crate::helpers::{Backend, TestApp, backends, spawn_app_with};
use rstest_reuse::apply;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short, so that the suite stays fast; the default is 10 s.
const BODY_TIMEOUT: &str = "1s";
/// The deadline, and the second actix lingers before closing a connection it answered early.
const CLOSED_WITHIN: Duration = Duration::from_secs(4);

async fn slow_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("CLIENT_BODY_TIMEOUT", BODY_TIMEOUT)]).await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("the app accepts the connection")
}

fn login_head(body: &str) -> String {
    format!(
        "POST /v1/auth/login HTTP/1.1\r\nhost: authd.test\r\n\
         content-type: application/json\r\n{body}\r\n"
    )
}

/// Everything the server sends until it closes the connection, and how long that took; fails
/// the test if it is still open after `CLOSED_WITHIN`.
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    tokio::time::timeout(CLOSED_WITHIN, read)
        .await
        .expect("the server closes the connection")
        // A reset after the answer counts as closed too.
        .ok();
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn status_of(answer: &str) -> &str {
    answer.split(' ').nth(1).unwrap_or("")
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn envelope(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

fn assert_timed_out(answer: &str) {
    assert_eq!(status_of(answer), "408", "{answer}");
    assert_eq!(header(answer, "connection"), Some("close"), "{answer}");
    assert!(header(answer, "x-request-id").is_some(), "{answer}");
    let body = envelope(answer);
    assert_eq!(body["success"], false, "{answer}");
    assert_eq!(body["error"]["code"], "REQUEST_TIMEOUT", "{answer}");
    assert_eq!(body["requestId"].as_str(), header(answer, "x-request-id"));
}

#[apply(backends)]
async fn a_login_whose_body_never_comes_is_408_and_its_connection_is_closed(backend: Backend) {
    let app = slow_app(backend).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(login_head("content-length: 100\r\n").as_bytes())
        .await
        .unwrap();

    let (answer, held) = until_closed(&mut stream).await;

    assert_timed_out(&answer);
    assert!(
        held >= Duration::from_millis(900),
        "answered after {held:?}"
    );
    eprintln!("a request without its body held its connection for {held:?}");
}

/// Writes `first`, then `drips` one by one every 300 ms, until the server stops taking them.
fn drip(mut writer: tokio::net::tcp::OwnedWriteHalf, first: String, drips: Vec<String>) {
    tokio::spawn(async move {
        if writer.write_all(first.as_bytes()).await.is_err() {
            return;
        }
        for piece in drips {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if writer.write_all(piece.as_bytes()).await.is_err() {
                return;
            }
        }
    });
}

#[apply(backends)]
async fn a_body_dripped_a_byte_at_a_time_is_408_after_the_deadline(backend: Backend) {
    let app = slow_app(backend).await;
    let body = r#"{"email":"slow@example.com","password":"Tr1cky-Harbor!Lamp"}"#;
    let (mut reader, writer) = connect(&app).await.into_split();
    let head = login_head(&format!("content-length: {}\r\n", body.len()));
    drip(writer, head, body.chars().map(String::from).collect());
    let started = Instant::now();

    let mut answer = Vec::new();
    tokio::time::timeout(CLOSED_WITHIN, reader.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    let answer = String::from_utf8_lossy(&answer);

    assert_timed_out(&answer);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a dripping client is not given more time: {:?}",
        started.elapsed()
    );
}

#[apply(backends)]
async fn a_chunked_body_that_drips_forever_is_408_and_its_connection_is_closed(backend: Backend) {
    let app = slow_app(backend).await;
    let (mut reader, writer) = connect(&app).await.into_split();
    let head = login_head("transfer-encoding: chunked\r\n");
    // Sixty chunks of one byte: far longer than the deadline.
    drip(writer, head, vec!["1\r\n \r\n".to_owned(); 60]);

    let mut answer = Vec::new();
    tokio::time::timeout(CLOSED_WITHIN, reader.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection while the client still drips")
        .ok();

    assert_timed_out(&String::from_utf8_lossy(&answer));
}

#[apply(backends)]
async fn a_body_that_arrives_in_time_is_answered_and_the_connection_kept(backend: Backend) {
    let app = slow_app(backend).await;
    let body = r#"{"email":"nobody@example.com","password":"Tr1cky-Harbor!Lamp"}"#;
    let mut stream = connect(&app).await;
    let head = login_head(&format!("content-length: {}\r\n", body.len()));
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    // A second request on the same connection: it was not closed after the first.
    tokio::time::sleep(Duration::from_millis(900)).await;
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();

    let (answers, _) = until_closed(&mut stream).await;

    let (first, second) = answers
        .split_once("HTTP/1.1 200")
        .unwrap_or_else(|| panic!("two answers: {answers}"));
    assert_eq!(status_of(first), "401", "{first}");
    assert_eq!(envelope(first)["error"]["code"], "INVALID_CREDENTIALS");
    assert!(second.contains("\r\n\r\n"), "{answers}");
}

#[apply(backends)]
async fn a_body_nobody_reads_does_not_keep_the_connection(backend: Backend) {
    let app = slow_app(backend).await;
    let preflight = "OPTIONS /v1/auth/login HTTP/1.1\r\nhost: a\r\norigin: http://allowed.test\r\n\
                     access-control-request-method: POST\r\n";
    let cases = [
        (
            "GET /health/live HTTP/1.1\r\nhost: a\r\n",
            "content-length: 100",
        ),
        (
            "GET /health/live HTTP/1.1\r\nhost: a\r\n",
            "transfer-encoding: chunked",
        ),
        // Answered by the CORS layer before any handler or route.
        (preflight, "transfer-encoding: chunked"),
    ];
    for (head, framing) in cases {
        let (mut reader, writer) = connect(&app).await.into_split();
        // The body keeps coming, a chunk at a time, long after the answer.
        let chunks = if framing.starts_with("transfer") {
            vec!["1\r\n \r\n".to_owned(); 60]
        } else {
            Vec::new()
        };
        drip(writer, format!("{head}{framing}\r\n\r\n"), chunks);
        let started = Instant::now();

        let mut answer = Vec::new();
        tokio::time::timeout(CLOSED_WITHIN, reader.read_to_end(&mut answer))
            .await
            .unwrap_or_else(|_| panic!("{head}{framing}: the server closes the connection"))
            .ok();
        let answer = String::from_utf8_lossy(&answer);

        assert_eq!(status_of(&answer), "200", "{framing}: {answer}");
        assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");
        eprintln!(
            "{} with an unread body ({framing}) held its connection for {:?}",
            head.split(' ').next().unwrap_or(""),
            started.elapsed()
        );
    }
}

/// Whether the server closes `stream` without answering a request sent on it.
async fn is_refused(stream: &mut TcpStream) -> bool {
    // The write may already fail: the server shut the connection down on accept.
    let _ = stream
        .write_all(b"GET /health/live HTTP/1.1\r\nhost: a\r\n\r\n")
        .await;
    let mut buf = [0_u8; 64];
    match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(_)) | Err(_) => false,
    }
}

/// `GET /health/live` on a new connection; its status, or `None` when refused.
async fn live_on_new_connection(app: &TestApp) -> Option<String> {
    let mut stream = connect(app).await;
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
        .await
        .ok()?;
    let (answer, _) = until_closed(&mut stream).await;
    (!answer.is_empty()).then(|| status_of(&answer).to_owned())
}

/// A closed connection gives its place back once the server has seen it close: retried briefly.
async fn live_soon(app: &TestApp) -> Option<String> {
    for _ in 0..20 {
        if let Some(status) = live_on_new_connection(app).await {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[apply(backends)]
async fn one_address_holds_at_most_max_connections_per_ip(backend: Backend) {
    let app = spawn_app_with(backend, &[("MAX_CONNECTIONS_PER_IP", "4")]).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(&app).await);
    }
    // The four are open: each is served.
    for stream in &mut held {
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nhost: a\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0_u8; 12];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
    }

    let mut fifth = connect(&app).await;
    assert!(is_refused(&mut fifth).await, "a fifth connection is closed");

    drop(held.pop());
    assert_eq!(live_soon(&app).await.as_deref(), Some("200"));

    drop(held);
    for _ in 0..30 {
        assert_eq!(live_soon(&app).await.as_deref(), Some("200"));
    }
    // Nothing leaked: four may be open at once again, and a fifth still may not.
    let mut again = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nhost: a\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0_u8; 12];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
        again.push(stream);
    }
    let mut fifth = connect(&app).await;
    assert!(is_refused(&mut fifth).await, "the cap still holds");
}

#[apply(backends)]
async fn a_trusted_proxy_is_not_capped(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("MAX_CONNECTIONS_PER_IP", "2"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nhost: a\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0_u8; 12];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
        held.push(stream);
    }
}
