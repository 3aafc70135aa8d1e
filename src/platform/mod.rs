//! The boundary between the core and a chat platform.
//!
//! Adapters (shell here; Discord and Matrix beside it) turn platform events into
//! core calls and carry out [`Platform`] requests. They hold no business rules.

pub mod discord;
pub mod matrix;
pub mod shell;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::domain::{ChannelRef, PlatformKind};

/// A prompt ready to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundPrompt {
    pub delivery_id: i64,
    /// Idempotency key: the same on every attempt of this delivery.
    pub key: String,
    pub channel: ChannelRef,
    pub kind: String,
    pub practice: String,
    pub depth: String,
    pub text: String,
    pub follow_up: Option<String>,
    pub apart: Option<String>,
    /// Emoji the bot adds under the prompt so the couple can react with one tap.
    pub reactions: Vec<String>,
    /// Open a thread for answers (where the platform has threads).
    pub thread: bool,
}

/// Why a send failed, as far as retrying goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying (5xx, timeout, rate limit).
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Will not work until someone changes something (channel gone, no permission).
    Permanent { reason: String },
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transient { reason, .. } => write!(f, "temporary failure: {reason}"),
            Self::Permanent { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for SendError {}

/// What the core asks of a platform.
#[async_trait]
pub trait Platform: Send + Sync {
    fn kind(&self) -> PlatformKind;

    /// Posts a prompt and returns the platform's message id.
    async fn post_prompt(&self, prompt: &OutboundPrompt) -> Result<String, SendError>;

    /// Looks through the channel's recent messages for one carrying `key`, so a
    /// delivery that was posted just before a crash is not posted again.
    async fn find_posted(
        &self,
        channel: &ChannelRef,
        key: &str,
    ) -> Result<Option<String>, SendError>;

    /// Posts a plain notice (used to tell moderators a schedule stopped).
    async fn send_notice(&self, channel: &ChannelRef, text: &str) -> Result<(), SendError>;
}

/// The platforms the engine can send through, by kind.
#[derive(Clone, Default)]
pub struct Platforms(HashMap<PlatformKind, Arc<dyn Platform>>);

impl Platforms {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, p: Arc<dyn Platform>) -> Self {
        self.0.insert(p.kind(), p);
        self
    }

    pub fn get(&self, kind: PlatformKind) -> Option<&Arc<dyn Platform>> {
        self.0.get(&kind)
    }
}
