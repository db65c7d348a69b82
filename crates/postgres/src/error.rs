//! Errors: [`PgError`] for setting up (connecting, migrating), and the translation of diesel
//! and pool errors into the ports' error types. No diesel type crosses a port, and no message
//! carries the database password or the values of a violated key.

use authd_domain::error::PortError;
use authd_domain::ports::CreateUserError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use std::fmt;
use std::time::Duration;

/// The unique indexes behind `EMAIL_EXISTS` and `USERNAME_EXISTS` (see the users migration and
/// the username_skeleton one). A name that differs from a taken one only in case violates both
/// username indexes, and either may be reported first.
const EMAIL_INDEX: &str = "users_email_lower_key";
const USERNAME_INDEXES: [&str; 2] = ["users_username_lower_key", "users_username_skeleton_key"];

/// Why the adapter could not be set up. Its messages never contain the database password.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The settings cannot work (a pool of zero connections).
    #[error("invalid PostgreSQL settings: {0}")]
    InvalidSettings(&'static str),
    /// The server refused or failed the connection (bad URL, credentials, database ...).
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(String),
    /// No connection within the connect timeout.
    #[error("no connection to PostgreSQL within {0:?}")]
    ConnectTimeout(Duration),
    /// Applying, reverting or listing migrations failed.
    #[error("migrations failed: {0}")]
    Migration(String),
}

/// Removes the password of a database URL from messages that might echo it.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    password: Option<String>,
}

impl Redactor {
    /// Knows the password of `url`, in URL form (`postgres://user:pw@host/db`) or key-value form
    /// (`host=... password=pw`).
    pub(crate) fn for_url(url: &str) -> Self {
        let password = if let Some((_, rest)) = url.split_once("://") {
            let authority = rest.split(['/', '?']).next().unwrap_or("");
            authority
                .rsplit_once('@')
                .and_then(|(userinfo, _)| userinfo.split_once(':'))
                .map(|(_, pw)| pw.to_owned())
        } else {
            url.split_whitespace()
                .find_map(|kv| kv.strip_prefix("password="))
                .map(|pw| pw.trim_matches('\'').to_owned())
        };
        Self {
            password: password.filter(|pw| !pw.is_empty()),
        }
    }

    pub(crate) fn clean(&self, message: impl fmt::Display) -> String {
        let message = message.to_string();
        match &self.password {
            Some(pw) => message.replace(pw.as_str(), "<redacted>"),
            None => message,
        }
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(<redacted>)")
    }
}

/// A database failure as it may appear in a log: kind and message, never the details (which
/// quote the offending values, such as an email or a token hash).
#[derive(thiserror::Error)]
#[error("{0}")]
pub(crate) struct DbFailure(String);

impl fmt::Debug for DbFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl DbFailure {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The failure of one unit of work, before it is told apart for a port.
#[derive(Debug)]
pub(crate) enum TxError {
    Db(DieselError),
    Port(PortError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        Self::Db(e)
    }
}

impl From<PortError> for TxError {
    fn from(e: PortError) -> Self {
        Self::Port(e)
    }
}

impl From<TxError> for PortError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Db(e) => port_error(&e),
            TxError::Port(e) => e,
        }
    }
}

impl From<TxError> for CreateUserError {
    fn from(e: TxError) -> Self {
        if let TxError::Db(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) =
            &e
        {
            match info.constraint_name() {
                Some(EMAIL_INDEX) => return Self::EmailTaken,
                Some(name) if USERNAME_INDEXES.contains(&name) => return Self::UsernameTaken,
                _ => {}
            }
        }
        Self::Port(e.into())
    }
}

impl From<TxError> for authd_domain::ports::ConsumeError {
    fn from(e: TxError) -> Self {
        Self::Port(e.into())
    }
}

/// Retrying later may succeed: the connection broke, the server is going away, a statement
/// timed out, or the transaction lost a race the server refused to settle.
fn is_transient(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand
            | DatabaseErrorKind::SerializationFailure => true,
            _ => {
                let m = info.message();
                [
                    "statement timeout",
                    "lock timeout",
                    "deadlock detected",
                    "terminating connection",
                    "shutting down",
                    "starting up",
                    "recovery",
                ]
                .iter()
                .any(|needle| m.contains(needle))
            }
        },
        DieselError::BrokenTransactionManager => true,
        _ => false,
    }
}

fn describe(e: &DieselError) -> DbFailure {
    match e {
        DieselError::DatabaseError(kind, info) => {
            let constraint = info
                .constraint_name()
                .map(|c| format!(" (constraint {c})"))
                .unwrap_or_default();
            DbFailure(format!("{kind:?}: {}{constraint}", info.message()))
        }
        other => DbFailure(other.to_string()),
    }
}

/// A diesel error as the ports see it.
pub(crate) fn port_error(e: &DieselError) -> PortError {
    if is_transient(e) {
        PortError::unavailable(describe(e))
    } else {
        PortError::internal(describe(e))
    }
}

/// Taking a connection from the pool failed: the database is out of reach.
pub(crate) fn pool_error(
    e: &bb8::RunError<diesel_async::pooled_connection::PoolError>,
) -> PortError {
    PortError::unavailable(DbFailure(format!("no database connection: {e}")))
}

/// Corrupt or unexpected stored data.
pub(crate) fn corrupt(what: impl Into<String>) -> PortError {
    PortError::internal(DbFailure(what.into()))
}

impl crate::store::Unreachable for TxError {
    fn unreachable(&self) -> bool {
        match self {
            Self::Db(e) => is_transient(e),
            Self::Port(e) => crate::store::Unreachable::unreachable(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_of_a_url_is_removed_from_messages() {
        let r =
            Redactor::for_url("postgres://authd:s3cr%21t@db.example:5432/authd?sslmode=disable");
        assert_eq!(
            r.clean("failed for postgres://authd:s3cr%21t@db.example"),
            "failed for postgres://authd:<redacted>@db.example"
        );
    }

    #[test]
    fn the_password_of_a_key_value_string_is_removed_from_messages() {
        let r = Redactor::for_url("host=db user=authd password=hunter2 dbname=authd");
        assert_eq!(r.clean("bad password=hunter2"), "bad password=<redacted>");
    }

    #[test]
    fn a_url_without_password_leaves_messages_alone() {
        let r = Redactor::for_url("postgres://authd@db/authd");
        assert_eq!(r.clean("connection refused"), "connection refused");
    }
}
