//! Platform-neutral identities: where a couple lives, who acts, and what emoji mean.
//!
//! Adapters translate their own ids into these; the core never sees serenity or
//! matrix-sdk types.

use std::fmt;

/// Which chat platform a channel lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlatformKind {
    Discord,
    Matrix,
    Shell,
}

impl PlatformKind {
    pub const ALL: [PlatformKind; 3] = [Self::Discord, Self::Matrix, Self::Shell];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discord => "discord",
            Self::Matrix => "matrix",
            Self::Shell => "shell",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for PlatformKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel (Discord) or room (Matrix) on a platform.
///
/// `scope` is the community the channel belongs to (a Discord guild id, a Matrix
/// community name from config, `local` in the shell): server defaults and custom
/// prompts are kept per scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelRef {
    pub platform: PlatformKind,
    pub scope: String,
    pub channel: String,
}

impl ChannelRef {
    pub fn new(
        platform: PlatformKind,
        scope: impl Into<String>,
        channel: impl Into<String>,
    ) -> Self {
        Self {
            platform,
            scope: scope.into(),
            channel: channel.into(),
        }
    }
}

impl fmt::Display for ChannelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.platform, self.scope, self.channel)
    }
}

/// Who sent a command or a reaction, with the rights the adapter found for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Platform user id (Discord snowflake, Matrix `@user:server`, a shell name).
    pub user: String,
    /// A name to show people.
    pub display: String,
    /// Moderator in this channel, as the adapter judged it from platform rights.
    pub is_moderator: bool,
    /// The bot itself (its own events are ignored).
    pub is_bot: bool,
}

impl Actor {
    pub fn member(user: impl Into<String>) -> Self {
        let user = user.into();
        Self {
            display: user.clone(),
            user,
            is_moderator: false,
            is_bot: false,
        }
    }

    pub fn moderator(user: impl Into<String>) -> Self {
        Self {
            is_moderator: true,
            ..Self::member(user)
        }
    }
}

/// Strips emoji presentation selectors so that "❤" and "❤️" compare equal.
pub fn normalize_emoji(e: &str) -> String {
    e.trim().chars().filter(|c| *c != '\u{FE0F}').collect()
}

/// Idempotency key of a delivery: the same on every retry, so platforms can drop repeats.
pub fn delivery_key(delivery_id: i64) -> String {
    format!("hearth-{delivery_id}")
}

/// Reverse of [`delivery_key`].
pub fn parse_delivery_key(key: &str) -> Option<i64> {
    key.strip_prefix("hearth-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_variation_selector_is_ignored() {
        assert_eq!(normalize_emoji("❤️"), normalize_emoji("❤"));
        assert_ne!(normalize_emoji("❤️"), normalize_emoji("⭐"));
    }

    #[test]
    fn delivery_key_round_trips() {
        assert_eq!(parse_delivery_key(&delivery_key(42)), Some(42));
        assert_eq!(parse_delivery_key("other-42"), None);
        assert_eq!(parse_delivery_key("hearth-x"), None);
    }
}
