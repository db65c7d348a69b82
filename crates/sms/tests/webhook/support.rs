//! A minimal HTTP/1.1 receiver on a real TCP port: it records every request (method, target,
//! headers, body) and answers each with the status the test chose, or never answers.

use authd_domain::sms::{Sms, SmsText};
use authd_domain::values::MobileNumber;
use authd_sms::{PlainHttp, WebhookSettings, WebhookSms, WebhookUrl};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

pub const TOKEN: &str = "t0ken-7f3a-very-secret";
/// A gateway key in the URL's path and query, as some gateways want it.
pub const PATH: &str = "/hooks/p4th-key?api_key=qu3ry-key";
pub const CODE: &str = "493817";

/// How the receiver answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// This status, with a body that echoes the request (as some gateways do).
    Status(u16),
    /// Reads the request and never answers.
    Never,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

pub struct Receiver {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, answer, Arc::clone(&log)));
            }
        });
        Self { port, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.port)
    }
}

/// One request per connection, then `Connection: close`.
async fn serve(stream: TcpStream, answer: Answer, log: Arc<Mutex<Vec<Received>>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).await.is_err() {
        return;
    }
    log.lock().unwrap().push(Received {
        method,
        target,
        headers,
        body: body.clone(),
    });
    match answer {
        Answer::Never => tokio::time::sleep(Duration::from_secs(60)).await,
        Answer::Status(status) => {
            let mut reply = format!(
                "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            if (300..400).contains(&status) {
                reply.push_str("Location: http://127.0.0.1:9/elsewhere\r\n");
            }
            reply.push_str("\r\n");
            let mut stream = reader.into_inner();
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
    }
}

pub fn settings(url: &str, token: Option<&str>, timeout: Duration) -> WebhookSettings {
    WebhookSettings {
        url: WebhookUrl::parse(url, PlainHttp::LoopbackOnly).unwrap(),
        token: token.map(|t| SecretString::from(t.to_owned())),
        timeout,
    }
}

pub fn sender(receiver: &Receiver) -> WebhookSms {
    WebhookSms::new(&settings(
        &receiver.url(),
        Some(TOKEN),
        Duration::from_secs(5),
    ))
    .unwrap()
}

pub fn sms(text: &str) -> Sms {
    Sms {
        to: MobileNumber::parse("+84 987 654 321", "phone").unwrap(),
        text: SmsText::new(text).unwrap(),
    }
}

pub fn code_sms() -> Sms {
    sms(&format!(
        "Your authd code is {CODE}. It expires in 5 minutes."
    ))
}

/// Nothing a log or an error may show: the code, the token, the URL's keys.
pub fn assert_no_secret(shown: &str) {
    for secret in [CODE, TOKEN, "p4th-key", "qu3ry-key"] {
        assert!(!shown.contains(secret), "{secret:?} leaked in {shown:?}");
    }
}
