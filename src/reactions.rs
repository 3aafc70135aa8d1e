//! Reactions on posted prompts: what emoji mean, and storing adds and removals.
//!
//! Adds and removals are written through [`ingest::ReactionIngest`], which commits
//! the events that arrive together in one transaction.

pub mod ingest;

use crate::app::Hearth;
use crate::config::ReactionConfig;
use crate::domain::{PlatformKind, normalize_emoji};

/// What a reaction says about a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Loved,
    Done,
    Another,
    Favourite,
    /// An answer 1 to 5 to a check-in.
    CheckIn(u8),
}

/// The configured meaningful emoji, normalised.
#[derive(Debug, Clone)]
pub struct Meanings(Vec<(String, Meaning)>);

impl Meanings {
    pub fn from_config(r: &ReactionConfig) -> Self {
        let mut v = Vec::new();
        for (list, m) in [
            (&r.loved, Meaning::Loved),
            (&r.done, Meaning::Done),
            (&r.another, Meaning::Another),
            (&r.favourite, Meaning::Favourite),
        ] {
            v.extend(list.iter().map(|e| (normalize_emoji(e), m)));
        }
        for (i, e) in r.check_in.iter().enumerate() {
            v.push((
                normalize_emoji(e),
                Meaning::CheckIn(u8::try_from(i + 1).unwrap_or(5)),
            ));
        }
        Self(v)
    }

    pub fn of(&self, emoji: &str) -> Option<Meaning> {
        self.of_normalized(&normalize_emoji(emoji))
    }

    /// [`Meanings::of`] an emoji already normalised.
    pub fn of_normalized(&self, emoji: &str) -> Option<Meaning> {
        self.0.iter().find(|(k, _)| k == emoji).map(|(_, m)| *m)
    }
}

/// A reaction event from a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionEvent {
    pub platform: PlatformKind,
    pub message_id: String,
    pub user: String,
    pub emoji: String,
    pub added: bool,
    pub by_bot: bool,
    /// The platform's id of the reaction itself, where removals name only that.
    pub platform_ref: Option<String>,
}

/// What became of a reaction event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReactionOutcome {
    Stored,
    /// Already known (a repeat, or a removal of something not active).
    Unchanged,
    /// The bot's own reaction.
    IgnoredBot,
    /// Not on one of our prompts.
    NotAPrompt,
    /// By someone outside the couple.
    NotMember,
}

/// Stores a reaction added or removed on a posted prompt by a couple member.
/// "Another one" on the latest prompt queues a fresh prompt of the same kind.
///
/// Returns once the change is committed, together with the other events that arrived
/// meanwhile (see [`ingest`]); events are applied in the order they are submitted.
pub async fn on_reaction(h: &Hearth, ev: &ReactionEvent) -> anyhow::Result<ReactionOutcome> {
    if ev.by_bot {
        return Ok(ReactionOutcome::IgnoredBot);
    }
    h.reactions.submit(ev).await
}

/// Clears reactions on a prompt (a moderator removed all, or all of one emoji).
pub async fn on_reactions_cleared(
    h: &Hearth,
    platform: PlatformKind,
    message_id: &str,
    emoji: Option<&str>,
) -> anyhow::Result<u64> {
    let Some(posted) = h.store.delivery_by_message(platform, message_id).await? else {
        return Ok(0);
    };
    let emoji = emoji.map(normalize_emoji);
    h.store
        .remove_all_reactions(posted.delivery_id, emoji.as_deref(), h.now_secs())
        .await
}

/// Brings the stored reactions of one posted prompt in line with what the platform
/// shows now (`present`: every (user, emoji, the reaction's own platform id if it has
/// one) on the message), after the bot was away.
/// Returns (added, removed).
pub async fn reconcile(
    h: &Hearth,
    platform: PlatformKind,
    message_id: &str,
    present: &[(String, String, Option<String>)],
    bot_user: &str,
) -> anyhow::Result<(usize, usize)> {
    let Some(posted) = h.store.delivery_by_message(platform, message_id).await? else {
        return Ok((0, 0));
    };
    let active = h.store.active_reactions(posted.delivery_id).await?;
    let now_there: Vec<(String, String, Option<String>)> = present
        .iter()
        .filter(|(u, _, _)| u != bot_user)
        .map(|(u, e, r)| (u.clone(), normalize_emoji(e), r.clone()))
        .collect();
    let (mut added, mut removed) = (0, 0);
    for (user, emoji, platform_ref) in &now_there {
        if !active.iter().any(|(u, e)| u == user && e == emoji) {
            let ev = ReactionEvent {
                platform,
                message_id: message_id.to_string(),
                user: user.clone(),
                emoji: emoji.clone(),
                added: true,
                by_bot: false,
                platform_ref: platform_ref.clone(),
            };
            if on_reaction(h, &ev).await? == ReactionOutcome::Stored {
                added += 1;
            }
        }
    }
    for (user, emoji) in &active {
        if !now_there.iter().any(|(u, e, _)| u == user && e == emoji) {
            let ev = ReactionEvent {
                platform,
                message_id: message_id.to_string(),
                user: user.clone(),
                emoji: emoji.clone(),
                added: false,
                by_bot: false,
                platform_ref: None,
            };
            if on_reaction(h, &ev).await? == ReactionOutcome::Stored {
                removed += 1;
            }
        }
    }
    if added + removed > 0 {
        tracing::info!(
            delivery = posted.delivery_id,
            added,
            removed,
            "reconciled reactions"
        );
    }
    Ok((added, removed))
}

/// A reaction removed by its own platform id (a Matrix redaction of the reaction).
pub async fn on_reaction_ref_removed(
    h: &Hearth,
    platform: PlatformKind,
    platform_ref: &str,
) -> anyhow::Result<ReactionOutcome> {
    let Some((message_id, user, emoji)) = h.store.reaction_by_ref(platform, platform_ref).await?
    else {
        return Ok(ReactionOutcome::NotAPrompt);
    };
    let ev = ReactionEvent {
        platform,
        message_id,
        user,
        emoji,
        added: false,
        by_bot: false,
        platform_ref: None,
    };
    on_reaction(h, &ev).await
}

/// Prompts posted on `platform` in the last `hours`, whose reactions an adapter should
/// compare with the platform after a (re)connect. Logs and returns nothing on error.
pub async fn to_reconcile(
    h: &Hearth,
    platform: PlatformKind,
    hours: i64,
) -> Vec<crate::store::PostedMessage> {
    let since = h.now_secs() - hours * 3600;
    match h.store.recent_posted(platform, since, 500).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(
                error = format!("{e:#}"),
                "reconcile: cannot read deliveries"
            );
            Vec::new()
        }
    }
}
