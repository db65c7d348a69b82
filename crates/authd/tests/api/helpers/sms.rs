//! A real local HTTP receiver standing in for the SMS gateway of `SMS_WEBHOOK_URL`: it records
//! the JSON body (`{to, text}`) of every POST and answers each with the next status of its
//! script (then 200).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One text the gateway accepted (answered 2xx).
#[derive(Debug, Clone)]
pub struct Text {
    pub to: String,
    pub text: String,
}

impl Text {
    /// The 6-digit code of the text.
    pub fn code(&self) -> String {
        self.text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap_or_else(|| panic!("no code in {:?}", self.text))
            .to_owned()
    }
}

#[derive(Default)]
struct State {
    /// Statuses to answer, in order; 200 once empty.
    script: VecDeque<u16>,
    accepted: Vec<Text>,
    /// Every request, answered 2xx or not.
    requests: usize,
}

#[derive(Clone)]
pub struct SmsGateway {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl SmsGateway {
    /// A gateway that answers `script`, one status per request, then 200.
    pub async fn start(script: &[u16]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            script: script.iter().copied().collect(),
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Self { port, state }
    }

    /// For `SMS_WEBHOOK_URL` (plain HTTP is allowed on loopback).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/sms", self.port)
    }

    pub fn accepted(&self) -> Vec<Text> {
        self.state.lock().unwrap().accepted.clone()
    }

    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }

    /// Waits up to 10 s for the `n`-th accepted text; it.
    pub async fn wait_for_text(&self, n: usize) -> Text {
        for _ in 0..500 {
            if let Some(text) = self.accepted().get(n - 1) {
                return text.clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "text {n} never arrived; accepted {:?} of {} requests",
            self.accepted(),
            self.requests()
        );
    }
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
        return;
    }
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).await.is_err() {
        return;
    }
    let status = {
        let mut s = state.lock().unwrap();
        s.requests += 1;
        let status = s.script.pop_front().unwrap_or(200);
        if (200..300).contains(&status) {
            let json: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
            s.accepted.push(Text {
                to: json["to"].as_str().expect("to").to_owned(),
                text: json["text"].as_str().expect("text").to_owned(),
            });
        }
        status
    };
    let reply =
        format!("HTTP/1.1 {status} Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let mut stream = reader.into_inner();
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}
