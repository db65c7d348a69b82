//! Reading what the server received: one file per message in a Maildir, decoded by mail-parser
//! (quoted-printable, base64, charsets), so tests compare text as a reader would see it.

use mail_parser::{MessageParser, PartType};
use std::fs;
use std::path::Path;
use std::time::SystemTime;

/// One message as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope recipients (`RCPT TO`), as the client sent them.
    pub to: Vec<String>,
    /// The `From` header's address.
    pub from: String,
    pub subject: String,
    /// The decoded `text/plain` part (empty when there is none).
    pub text: String,
    /// The decoded `text/html` part, when the message has one.
    pub html: Option<String>,
    /// The message exactly as it arrived, headers included.
    pub raw: String,
}

/// Every message in the Maildir at `dir`, oldest first.
pub(super) fn read_all(dir: &Path) -> Vec<ReceivedMail> {
    let mut files: Vec<(SystemTime, std::path::PathBuf)> = ["new", "cur"]
        .iter()
        .flat_map(|sub| fs::read_dir(dir.join(sub)).into_iter().flatten().flatten())
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.path()))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, path)| fs::read(&path).ok())
        .map(|bytes| parse(&bytes))
        .collect()
}

fn parse(bytes: &[u8]) -> ReceivedMail {
    let raw = String::from_utf8_lossy(bytes).into_owned();
    let Some(message) = MessageParser::default().parse(bytes) else {
        panic!("the SMTP server stored a message that cannot be parsed:\n{raw}");
    };
    // aiosmtpd records the envelope in headers of its own.
    let to = message
        .header_raw("X-RcptTo")
        .unwrap_or_default()
        .split(',')
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    let from = message
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_owned();
    // The parts themselves, not `body_text`/`body_html`: those convert one format into the other
    // when a message lacks it, which would hide a missing part.
    let part_text = |html: bool| {
        message.parts.iter().find_map(|part| match &part.body {
            PartType::Html(t) if html => Some(t.to_string()),
            PartType::Text(t) if !html => Some(t.to_string()),
            _ => None,
        })
    };
    ReceivedMail {
        to,
        from,
        subject: message.subject().unwrap_or_default().to_owned(),
        text: part_text(false).unwrap_or_default(),
        html: part_text(true),
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_parts_are_decoded_and_the_envelope_recipients_are_listed() {
        let raw = "X-RcptTo: ada@example.com, bob@example.com\r\n\
                   From: authd <no-reply@localhost>\r\n\
                   Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\
                   MIME-Version: 1.0\r\n\
                   Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
                   --b\r\nContent-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                   Open http://x/verify-email?token=3Dabc=\r\ndef\r\n\
                   --b\r\nContent-Type: text/html; charset=utf-8\r\n\
                   Content-Transfer-Encoding: base64\r\n\r\n\
                   PHA+aGk8L3A+\r\n\
                   --b--\r\n";
        let mail = parse(raw.as_bytes());
        assert_eq!(mail.to, ["ada@example.com", "bob@example.com"]);
        assert_eq!(mail.from, "no-reply@localhost");
        assert_eq!(mail.subject, "Grüße");
        assert_eq!(
            mail.text.trim_end(),
            "Open http://x/verify-email?token=abcdef"
        );
        assert_eq!(mail.html.as_deref(), Some("<p>hi</p>"));
    }

    #[test]
    fn a_plain_text_message_has_no_html_part() {
        let raw = "X-RcptTo: ada@example.com\r\nSubject: Hi\r\n\r\nHello\r\n";
        let mail = parse(raw.as_bytes());
        assert_eq!(mail.text.trim_end(), "Hello");
        assert_eq!(mail.html, None);
    }
}
