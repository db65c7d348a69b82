use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// A minimal SMTP client: the dialogue of one message, each reply's code checked.
fn send(port: u16, to: &str, subject: &str) -> Result<(), String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
    let mut writer = stream;
    let mut expect = |code: &str| -> Result<(), String> {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            if !line.starts_with(code) {
                return Err(format!("expected {code}, got {line:?}"));
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(());
            }
        }
    };
    expect("220")?;
    let data = format!("From: t@localhost\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nHello\r\n.\r\n");
    for (command, code) in [
        ("EHLO localhost\r\n".to_owned(), "250"),
        ("MAIL FROM:<t@localhost>\r\n".to_owned(), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_owned(), "354"),
        (data, "250"),
        ("QUIT\r\n".to_owned(), "221"),
    ] {
        writer
            .write_all(command.as_bytes())
            .map_err(|e| e.to_string())?;
        expect(code)?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_to_the_server_can_be_read_back() {
    let smtp = server().await;
    send(smtp.port(), "ada@example.com", "First").unwrap();
    let mail = smtp
        .wait_for(
            |m| addressed_to(m, "ada@example.com"),
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(mail.subject, "First");
    assert_eq!(mail.text.trim_end(), "Hello");
    assert_eq!(mail.html, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_refuses_mail_and_keeps_what_it_had_after_start() {
    let smtp = SmtpServer::start_new().await;
    send(smtp.port(), "bob@example.com", "Before").unwrap();
    smtp.stop();
    assert!(send(smtp.port(), "bob@example.com", "During").is_err());
    smtp.start();
    send(smtp.port(), "bob@example.com", "After").unwrap();
    let subjects: Vec<String> = smtp.messages().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects, ["Before", "After"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_and_defer_recipients_are_refused_with_550_and_451() {
    let smtp = server().await;
    let reject = send(smtp.port(), "reject-x@example.com", "No").unwrap_err();
    let defer = send(smtp.port(), "defer-x@example.com", "Later").unwrap_err();
    assert!(reject.contains("550"), "{reject}");
    assert!(defer.contains("451"), "{defer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_standalone_server_stops_it_and_deletes_its_files() {
    let smtp = SmtpServer::start_new().await;
    let (port, dir) = (smtp.port(), smtp.process.dir().to_owned());
    drop(smtp);
    assert!(!dir.exists(), "{} is left behind", dir.display());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
