//! A throw-away SMTP server for tests: a real aiosmtpd process (Python, from PyPI) on a random
//! loopback port, storing every message it accepts in a Maildir that tests read back, decoded,
//! as [`ReceivedMail`]. [`server`] starts one plain-text server per test process on first use;
//! tests that stop the server, or need TLS or a login, start one of their own with
//! [`SmtpServer::start_new`] or [`SmtpServer::start_with`], so as not to disturb the others.
//!
//! Recipients whose local part starts with `reject-` are refused with 550 (permanent), those
//! starting with `defer-` with 451 (temporary); every other recipient is accepted.
//!
//! aiosmtpd comes from the machine's `python3` when it can import it, else from a venv that is
//! made once under the temp dir (see `python.rs`). Tests that run in parallel share the server:
//! give each test recipients of its own and pick its messages with [`SmtpServer::wait_for`].

mod mailbox;
mod process;
mod python;

pub use mailbox::ReceivedMail;

use process::Process;
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

static SERVER: OnceCell<SmtpServer> = OnceCell::const_new();

/// The test process's shared plain-text server, started on first use.
pub async fn server() -> &'static SmtpServer {
    SERVER.get_or_init(SmtpServer::start_new).await
}

/// How clients reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerTls {
    /// Plain text only.
    #[default]
    None,
    /// Plain text until `STARTTLS`, which the server requires before any mail.
    StartTls,
    /// TLS from the first byte (SMTPS, as on port 465).
    Implicit,
}

/// What a standalone server offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// TLS uses a fresh self-signed certificate for `127.0.0.1` and `localhost`; see
    /// [`SmtpServer::certificate_pem`].
    pub tls: ServerTls,
    /// When set, AUTH (PLAIN, LOGIN) with this user and password is required before any mail.
    pub login: Option<(String, String)>,
}

/// A running throw-away SMTP server on `127.0.0.1`.
#[derive(Debug)]
pub struct SmtpServer {
    process: Process,
}

impl SmtpServer {
    /// Starts a plain-text server of its own; it is stopped and deleted when dropped.
    pub async fn start_new() -> Self {
        Self::start_with(ServerOptions::default()).await
    }

    /// Starts a server of its own with TLS and/or a login.
    pub async fn start_with(options: ServerOptions) -> Self {
        let process = match tokio::task::spawn_blocking(move || Process::start_new(options)).await {
            Ok(process) => process,
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("starting the SMTP server was cancelled: {e}"),
            },
        };
        Self { process }
    }

    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// The server's self-signed certificate (PEM), for a client to trust; `None` without TLS.
    pub fn certificate_pem(&self) -> Option<Vec<u8>> {
        let path = self.process.certificate_path()?;
        Some(
            std::fs::read(&path)
                .unwrap_or_else(|e| panic!("could not read {}: {e}", path.display())),
        )
    }

    /// Kills the server: connections are refused until [`SmtpServer::start`]. Blocks the calling
    /// thread until it is down.
    pub fn stop(&self) {
        self.process.stop();
    }

    /// Starts the stopped server again on the same port, keeping the mail it received; blocks
    /// the calling thread until it accepts connections.
    pub fn start(&self) {
        self.process.start();
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        mailbox::read_all(&self.process.maildir())
    }

    /// How many received messages match `filter`.
    pub fn count(&self, filter: impl Fn(&ReceivedMail) -> bool) -> usize {
        self.messages().iter().filter(|m| filter(m)).count()
    }

    /// The first received message that matches `filter`, waiting up to `timeout` for it;
    /// panics, listing what did arrive, when none does.
    pub async fn wait_for(
        &self,
        filter: impl Fn(&ReceivedMail) -> bool,
        timeout: Duration,
    ) -> ReceivedMail {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if let Some(found) = messages.iter().find(|m| filter(m)) {
                return found.clone();
            }
            if Instant::now() > deadline {
                let seen: Vec<String> = messages
                    .iter()
                    .map(|m| format!("{:?} to {:?}", m.subject, m.to))
                    .collect();
                panic!(
                    "no matching message within {timeout:?}; the server received {}:\n{}",
                    seen.len(),
                    seen.join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Whether `mail` went to `address` (compared case-insensitively, as mail servers do).
pub fn addressed_to(mail: &ReceivedMail, address: &str) -> bool {
    mail.to.iter().any(|to| to.eq_ignore_ascii_case(address))
}

#[cfg(test)]
mod tests;
