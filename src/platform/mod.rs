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

/// Answers shown together, ready to post in the couple's channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundReveal {
    pub delivery_id: i64,
    /// Idempotency key: the same on every attempt of this reveal.
    pub key: String,
    pub channel: ChannelRef,
    /// The prompt that was answered.
    pub prompt: Option<String>,
    /// The prompt's thread, where the schedule opens one: the prompt's message id.
    pub thread_root: Option<String>,
    /// (member's platform id, answer), in the order they came.
    pub answers: Vec<(String, String)>,
    /// Members who had not answered when the couple's deadline passed.
    pub missing: Vec<String>,
}

impl OutboundReveal {
    /// The reveal as plain text, naming each member through `name`.
    pub fn plain_text(&self, name: impl Fn(&str) -> String) -> String {
        let heading = if self.missing.is_empty() {
            "💞 You have all answered, so here are your answers together"
        } else {
            "💞 The time to answer is up, so here is what was answered"
        };
        let mut out = match &self.prompt {
            Some(p) => format!("{heading} to: {p}\n"),
            None => format!("{heading}:\n"),
        };
        for (user, text) in &self.answers {
            out.push_str(&format!("\n{}: {text}\n", name(user)));
        }
        if !self.missing.is_empty() {
            let names: Vec<String> = self.missing.iter().map(|u| name(u)).collect();
            out.push_str(&format!(
                "\n(No answer from {} this time.)",
                names.join(", ")
            ));
        }
        out.trim_end().to_string()
    }
}

/// A couple's weekly digest, ready to post in their channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundDigest {
    pub digest_id: i64,
    /// Idempotency key: the same on every attempt of this digest.
    pub key: String,
    pub channel: ChannelRef,
    pub text: String,
    /// The check-in chart (PNG), where there is one.
    pub chart: Option<Vec<u8>>,
    /// The chart as text, for a platform that cannot show the picture.
    pub sparkline: Option<String>,
}

impl OutboundDigest {
    /// File name of the chart.
    pub const CHART_FILE: &str = "hearth-checkins.png";

    /// The digest with the chart as text: what a platform that cannot take the
    /// picture posts.
    pub fn text_with_sparkline(&self) -> String {
        match &self.sparkline {
            Some(s) => format!(
                "{}
{s}",
                self.text
            ),
            None => self.text.clone(),
        }
    }
}

/// Why a send failed, as far as retrying goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying (5xx, timeout, rate limit).
    Transient {
        reason: String,
        /// Set when the platform is rate-limiting us and said when to come back. Such a
        /// send is tried again then, and does not count against `engine.max_attempts`.
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

    /// How a member is written in a message so the platform shows their name
    /// (without notifying them where the platform would).
    fn mention(&self, user: &str) -> String {
        user.to_string()
    }

    /// Posts a weekly digest; returns the message id where the platform gives one.
    /// By default a plain notice with the chart as text (no picture).
    async fn post_digest(&self, digest: &OutboundDigest) -> Result<Option<String>, SendError> {
        self.send_notice(&digest.channel, &digest.text_with_sparkline())
            .await
            .map(|()| None)
    }

    /// Posts the couple's answers together; returns the message id where the
    /// platform gives one. By default a plain notice in the channel.
    async fn post_reveal(&self, reveal: &OutboundReveal) -> Result<Option<String>, SendError> {
        let text = reveal.plain_text(str::to_string);
        self.send_notice(&reveal.channel, &text)
            .await
            .map(|()| None)
    }
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
