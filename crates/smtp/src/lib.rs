//! authd's mail adapter: the text of every email the domain sends ([`Templates`]) and the
//! transports that deliver them through lettre. Today that is [`FileMailer`], which writes each
//! email as an `.eml` file (the embedded default, for development); SMTP comes later and will
//! reuse the same templates and message builder.

mod file;
mod html;
mod message;
mod sender;
mod templates;

pub use file::{FileMailer, FileMailerError};
pub use sender::{InvalidSender, Sender};
pub use templates::{MissingLinkToken, RenderedEmail, Templates};
