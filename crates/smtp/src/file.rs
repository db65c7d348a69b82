//! The file transport: each email becomes an `.eml` file under a directory (`MAIL_DIR`,
//! `./var/mail` by default). It lets `cargo run -p authd` work with no mail server at all.
//!
//! For the same reason it logs each verification and reset link at `info` level: a developer
//! can follow the link from the console. That log line contains a live single-use token, which
//! is acceptable only because this transport is for development; the SMTP transport will not log
//! links.

use crate::message;
use crate::sender::Sender;
use crate::templates::Templates;
use async_trait::async_trait;
use authd_domain::notification::Letter;
use authd_domain::ports::{MailError, Mailer};
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use thiserror::Error;

#[derive(Debug, Error)]
#[error("cannot create the mail directory {}: {source}", dir.display())]
pub struct FileMailerError {
    dir: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Writes every email as `<uuid>.eml` into one directory.
pub struct FileMailer {
    dir: PathBuf,
    transport: AsyncFileTransport<Tokio1Executor>,
    from: Sender,
    templates: Templates,
    probes: AtomicU64,
}

impl std::fmt::Debug for FileMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileMailer")
            .field("dir", &self.dir)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl FileMailer {
    /// Creates `dir` (and its parents) if needed.
    ///
    /// # Errors
    /// [`FileMailerError`] when the directory cannot be created.
    pub fn new(
        dir: impl Into<PathBuf>,
        from: Sender,
        templates: Templates,
    ) -> Result<Self, FileMailerError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|source| FileMailerError {
            dir: dir.clone(),
            source,
        })?;
        Ok(Self {
            transport: AsyncFileTransport::new(&dir),
            dir,
            from,
            templates,
            probes: AtomicU64::new(0),
        })
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn deliver(&self, letter: &Letter) -> Result<(), MailError> {
        let mail = &letter.notification;
        let rendered = self.templates.render(letter)?;
        let message = message::build(&self.from, mail.recipient(), &rendered)?;
        let id = self
            .transport
            .send(message)
            .await
            .map_err(|e| MailError::Transient(format!("cannot write the email file: {e}")))?;
        let file = self.dir.join(format!("{id}.eml"));
        match &rendered.link {
            Some(link) => tracing::info!(
                kind = mail.kind(),
                to = %mail.recipient(),
                file = %file.display(),
                link = %link,
                "email written (file transport; the link is logged for development only)"
            ),
            None => tracing::info!(
                kind = mail.kind(),
                to = %mail.recipient(),
                file = %file.display(),
                "email written (file transport)"
            ),
        }
        Ok(())
    }

    /// Whether a file can be created in the directory right now.
    async fn is_healthy(&self) -> bool {
        let n = self.probes.fetch_add(1, Ordering::Relaxed);
        let probe = self.dir.join(format!(".health-{}-{n}", std::process::id()));
        let written = tokio::fs::write(&probe, b"").await.is_ok();
        let _ = tokio::fs::remove_file(&probe).await;
        written
    }
}

#[cfg(test)]
mod tests;
