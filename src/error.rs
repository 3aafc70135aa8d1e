//! Two tiers of errors: [`UserError`] is shown to people as it is; everything else is
//! an internal error (`anyhow`), logged with its context chain and answered with a
//! short apology.

use std::fmt;

/// A problem the person who typed a command can fix. Its message is meant for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError(pub String);

impl UserError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// What a command handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("{0}")]
    User(#[from] UserError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for HandlerError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}
