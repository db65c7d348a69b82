//! Turning a rendered email into a MIME message: `multipart/alternative` with a plain-text and an
//! HTML part. Both parts use 7bit/8bit transfer encoding, never quoted-printable, so a long
//! token in a link is never split by a soft line break: the link can be copied from the raw
//! message as it is.

use crate::sender::Sender;
use crate::templates::RenderedEmail;
use authd_domain::ports::MailError;
use authd_domain::values::Email;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};

/// # Errors
/// [`MailError::Permanent`] when the recipient is not a deliverable address or the message
/// cannot be built: trying again would fail the same way.
pub(crate) fn build(
    from: &Sender,
    to: &Email,
    email: &RenderedEmail,
) -> Result<Message, MailError> {
    let to: Mailbox = to
        .as_str()
        .parse()
        .map_err(|e| MailError::Permanent(format!("invalid recipient address: {e}")))?;
    Message::builder()
        .from(from.mailbox().clone())
        .to(to)
        .subject(email.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, &email.text))
                .singlepart(part(ContentType::TEXT_HTML, &email.html)),
        )
        .map_err(|e| MailError::Permanent(format!("cannot build the message: {e}")))
}

fn part(content_type: ContentType, content: &str) -> SinglePart {
    SinglePart::builder()
        .header(content_type)
        .body(unwrapped_body(content))
}

/// 7bit for ASCII, 8bit otherwise. lettre would pick quoted-printable for any line over 76
/// characters (a link with a token is longer), so the body is handed over pre-encoded. RFC 5322
/// allows lines up to 998 bytes; only beyond that (never in our templates) does lettre choose.
fn unwrapped_body(content: &str) -> Body {
    const MAX_LINE: usize = 998;
    let crlf = content.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits = crlf.split("\r\n").all(|line| line.len() <= MAX_LINE);
    let bare_cr = crlf.matches('\r').count() != crlf.matches("\r\n").count();
    if !fits || bare_cr || crlf.contains('\0') {
        return Body::new(content.to_owned());
    }
    let encoding = if crlf.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    Body::dangerous_pre_encoded(crlf.into_bytes(), encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str) -> RenderedEmail {
        RenderedEmail {
            subject: "Subject".to_owned(),
            text: text.to_owned(),
            html: format!("<p>{text}</p>"),
            link: None,
        }
    }

    fn formatted(text: &str) -> String {
        let from = Sender::parse("authd <no-reply@localhost>").unwrap();
        let to = Email::from_trusted("ada@example.com".to_owned());
        let message = build(&from, &to, &rendered(text)).unwrap();
        String::from_utf8(message.formatted()).unwrap()
    }

    #[test]
    fn a_long_link_survives_verbatim_in_both_parts() {
        let link = format!(
            "http://localhost:3000/verify-email?token={}",
            "x".repeat(120)
        );
        let raw = formatted(&format!("Open:\n{link}\n"));
        assert_eq!(raw.matches(&link).count(), 2);
        assert!(raw.contains("multipart/alternative"));
        assert!(!raw.contains("quoted-printable"));
    }

    #[test]
    fn non_ascii_text_is_sent_as_8bit_not_quoted_printable() {
        let raw = formatted("Grüße, Zoë");
        assert!(raw.contains("Content-Transfer-Encoding: 8bit"));
        assert!(raw.contains("Grüße, Zoë"));
    }

    #[test]
    fn an_undeliverable_recipient_is_a_permanent_failure() {
        let from = Sender::parse("authd <no-reply@localhost>").unwrap();
        let to = Email::from_trusted("not an address".to_owned());
        assert!(matches!(
            build(&from, &to, &rendered("x")),
            Err(MailError::Permanent(_))
        ));
    }
}
