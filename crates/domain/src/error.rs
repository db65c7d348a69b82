//! Errors shared by every port and use case: the infrastructure failed. Each use case has its own
//! error enum for the cases a caller branches on, plus `Infra(InfraError)` for these.

use thiserror::Error;

type Source = Box<dyn std::error::Error + Send + Sync>;

/// What a port returns when its backing technology fails. Speaks no adapter's language.
#[derive(Debug, Error)]
pub enum PortError {
    /// The backing service cannot be reached or timed out; retrying later may succeed.
    #[error("backing service unavailable: {0}")]
    Unavailable(#[source] Source),
    /// Anything else: a bug, corrupt data, a constraint the domain did not expect.
    #[error("storage failure: {0}")]
    Internal(#[source] Source),
}

impl PortError {
    pub fn unavailable(e: impl Into<Source>) -> Self {
        Self::Unavailable(e.into())
    }

    pub fn internal(e: impl Into<Source>) -> Self {
        Self::Internal(e.into())
    }
}

/// The infrastructure side of every use-case error.
#[derive(Debug, Error)]
pub enum InfraError {
    /// The password-hashing queue is full; the caller should retry shortly (503 SERVICE_BUSY).
    #[error("password hashing is saturated")]
    Busy,
    /// A backing service is down (503).
    #[error(transparent)]
    Unavailable(Source),
    /// A bug or an unexpected failure (500).
    #[error(transparent)]
    Internal(Source),
}

impl From<PortError> for InfraError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Unavailable(s) => Self::Unavailable(s),
            PortError::Internal(s) => Self::Internal(s),
        }
    }
}

impl InfraError {
    pub fn internal(e: impl Into<Source>) -> Self {
        Self::Internal(e.into())
    }
}

/// One rejected input field. `field` is the request's own field name (`newPassword` on a reset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    /// A finer machine-readable code: `INVALID_EMAIL_FORMAT`, `FIELD_TOO_LONG`, ...
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// Every problem found in one request's input.
#[derive(Debug, Clone, PartialEq, Eq, Error, Default)]
#[error("invalid input ({} problem(s))", .0.len())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was collected.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}
