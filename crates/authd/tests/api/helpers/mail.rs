//! Reading the emails authd delivers: from its mail directory (lettre's file transport: one
//! `.eml` per message, decoding just enough MIME to find subjects, recipients and links), or,
//! when it sends over SMTP, from what the test SMTP server received.

use super::TestApp;
use super::codec::b64_decode;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a test waits for the outbox worker to deliver a message.
const MAIL_TIMEOUT: Duration = Duration::from_secs(10);

/// The emails of API.md, told apart by their subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Verification,
    PasswordReset,
    PasswordChanged,
    AccountLocked,
    RefreshTokenReuse,
    /// "Your verification code": an emailed MFA code.
    MfaCode,
    /// "New sign-in to your account": a login from a device the account had not used.
    NewSignIn,
}

impl MailKind {
    fn matches(self, mail: &Mail) -> bool {
        let subject = mail.subject.to_lowercase();
        match self {
            Self::Verification => mail.text.contains("/verify-email?token="),
            Self::PasswordReset => mail.text.contains("/reset-password?token="),
            Self::PasswordChanged => subject.contains("password") && subject.contains("changed"),
            Self::AccountLocked => subject.contains("locked"),
            Self::RefreshTokenReuse => subject.contains("security alert"),
            Self::MfaCode => subject.contains("verification code"),
            Self::NewSignIn => subject.contains("new sign-in"),
        }
    }

    /// The frontend path of the link the email carries, if any.
    fn link_path(self) -> Option<&'static str> {
        match self {
            Self::Verification => Some("/verify-email"),
            Self::PasswordReset => Some("/reset-password"),
            Self::AccountLocked => Some("/unlock-account"),
            _ => None,
        }
    }
}

/// One delivered email, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub path: PathBuf,
    /// The `To` header, lower-cased.
    pub to: String,
    pub subject: String,
    /// Every decoded text part (plain and HTML), joined.
    pub text: String,
}

impl Mail {
    fn read(path: &Path) -> Option<Self> {
        let raw = std::fs::read(path).ok()?;
        let raw = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        let (head, _) = split_entity(&raw);
        let headers = parse_headers(head);
        Some(Self {
            path: path.to_owned(),
            to: header(&headers, "to").unwrap_or_default().to_lowercase(),
            subject: decode_encoded_words(&header(&headers, "subject").unwrap_or_default()),
            text: decode_entity(&raw),
        })
    }

    pub fn is_to(&self, recipient: &str) -> bool {
        self.to.contains(&recipient.to_lowercase())
    }

    /// The token in the link `{APP_BASE_URL}{path}?token=...`, percent-decoded.
    pub fn link_token(&self, base_url: &str, path: &str) -> Option<String> {
        let prefix = format!("{base_url}{path}?token=");
        let start = self.text.find(&prefix)? + prefix.len();
        let encoded: String = self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_.~%".contains(*c))
            .collect();
        Some(percent_decode(&encoded))
    }
}

impl Mail {
    /// The 6-digit code of a code mail: the first run of exactly six digits after "code is".
    pub fn mfa_code(&self) -> String {
        let start = self
            .text
            .find("code is")
            .unwrap_or_else(|| panic!("no code in {}:\n{}", self.path.display(), self.text));
        self.text[start..]
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() == 6)
            .unwrap_or_else(|| panic!("no 6-digit code in {}", self.path.display()))
            .to_owned()
    }
}

impl Mail {
    /// A message the SMTP server received, as if it had been read from a file.
    fn received(mail: &authd_testkit::smtp::ReceivedMail) -> Self {
        Self {
            path: PathBuf::from("(received over SMTP)"),
            to: mail.to.join(", ").to_lowercase(),
            subject: mail.subject.clone(),
            text: format!(
                "{}\n{}",
                mail.text,
                mail.html.as_deref().unwrap_or_default()
            ),
        }
    }
}

impl TestApp {
    /// Every delivered email of `kind` to `recipient`, in no particular order.
    pub fn mails(&self, kind: MailKind, recipient: &str) -> Vec<Mail> {
        if let Some(smtp) = &self.smtp {
            return smtp
                .messages()
                .iter()
                .map(Mail::received)
                .filter(|m| m.is_to(recipient) && kind.matches(m))
                .collect();
        }
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .filter_map(|p| Mail::read(&p))
            .filter(|m| m.is_to(recipient) && kind.matches(m))
            .collect()
    }

    /// Waits until at least `count` emails of `kind` reached `recipient`, and returns them.
    pub async fn wait_for_mails(&self, kind: MailKind, recipient: &str, count: usize) -> Vec<Mail> {
        let deadline = Instant::now() + MAIL_TIMEOUT;
        loop {
            let mails = self.mails(kind, recipient);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} {kind:?} email(s) to {recipient} within {MAIL_TIMEOUT:?}, \
                 found {} in {}",
                mails.len(),
                if self.smtp.is_some() {
                    "the SMTP server's mailbox".to_owned()
                } else {
                    self.mail_dir.display().to_string()
                }
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn wait_for_mail(&self, kind: MailKind, recipient: &str) -> Mail {
        self.wait_for_mails(kind, recipient, 1)
            .await
            .into_iter()
            .next()
            .expect("one mail")
    }

    /// Asserts that exactly `count` emails of `kind` reach `recipient`, waiting long enough
    /// for a delivery that should not happen to show up.
    pub async fn assert_mail_count(&self, kind: MailKind, recipient: &str, count: usize) {
        if count > 0 {
            self.wait_for_mails(kind, recipient, count).await;
        }
        // The outbox polls every 20 ms in tests; 25 polls is plenty for a stray duplicate.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let found = self.mails(kind, recipient).len();
        assert_eq!(found, count, "{kind:?} emails to {recipient}");
    }

    /// Waits for the first email of `kind` (which must carry a link) and returns its token.
    pub async fn token_from_mail(&self, kind: MailKind, recipient: &str) -> String {
        let mail = self.wait_for_mail(kind, recipient).await;
        self.token_in(&mail, kind)
    }

    pub fn token_in(&self, mail: &Mail, kind: MailKind) -> String {
        let path = kind.link_path().expect("this kind of mail carries a link");
        mail.link_token(super::APP_BASE_URL, path)
            .unwrap_or_else(|| {
                panic!(
                    "{kind:?} mail {} holds no link {}{path}?token=...:\n{}",
                    mail.path.display(),
                    super::APP_BASE_URL,
                    mail.text
                )
            })
    }
}

fn split_entity(raw: &str) -> (&str, &str) {
    raw.split_once("\n\n").unwrap_or((raw, ""))
}

/// Unfolds continuation lines; names are lower-cased.
fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_lowercase(), value.trim().to_owned()));
        }
    }
    out
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Headers plus every decoded leaf part, recursively through multiparts.
fn decode_entity(raw: &str) -> String {
    let (head, body) = split_entity(raw);
    let headers = parse_headers(head);
    let content_type = header(&headers, "content-type").unwrap_or_else(|| "text/plain".into());
    if content_type.to_lowercase().starts_with("multipart/") {
        let Some(boundary) = param(&content_type, "boundary") else {
            return body.to_owned();
        };
        let delimiter = format!("--{boundary}");
        return body
            .split(&delimiter)
            .skip(1)
            .filter(|part| !part.starts_with("--"))
            .map(|part| decode_entity(part.trim_start_matches('\n')))
            .collect::<Vec<_>>()
            .join("\n");
    }
    let encoding = header(&headers, "content-transfer-encoding")
        .unwrap_or_default()
        .to_lowercase();
    match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => b64_decode(body)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_else(|| body.to_owned()),
        _ => body.to_owned(),
    }
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
}

fn quoted_printable(body: &str) -> String {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let Some(b) = bytes.get(i + 1..i + 3).and_then(hex_byte) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes.get(i + 1..i + 3).and_then(hex_byte)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 2047 `=?utf-8?B?...?=` / `=?utf-8?Q?...?=` words, as lettre writes non-ASCII subjects.
fn decode_encoded_words(value: &str) -> String {
    value
        .split_whitespace()
        .map(|word| {
            let inner = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?="));
            let Some(mut parts) = inner.map(|w| w.splitn(3, '?')) else {
                return word.to_owned();
            };
            let (_charset, enc, text) = (parts.next(), parts.next(), parts.next());
            match (enc.map(str::to_ascii_lowercase).as_deref(), text) {
                (Some("b"), Some(t)) => b64_decode(t)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_else(|| word.to_owned()),
                (Some("q"), Some(t)) => quoted_printable(&t.replace('_', " ")),
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
