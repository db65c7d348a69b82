//! authd's mail adapter: the text of every email the domain sends ([`Templates`]) and the
//! transports that deliver them through lettre: [`SmtpMailer`] to a real mail server (STARTTLS or
//! TLS, optional login), and [`FileMailer`], which writes each email as an `.eml` file (the
//! embedded default, for development). Both use the same templates and MIME message.

mod file;
mod html;
mod message;
mod sender;
mod smtp;
mod templates;

pub use file::{FileMailer, FileMailerError};
pub use sender::{InvalidSender, Sender};
pub use smtp::{InvalidSmtpSecurity, SmtpError, SmtpMailer, SmtpSecurity, SmtpSettings};
pub use templates::{MissingLinkToken, RenderedEmail, Templates};
