//! Posting reveals: answers shown together once the reveal is decided (every member
//! answered, or the couple's deadline passed). Like a delivery, a reveal is leased
//! before posting, sent with an idempotency key, and retried on temporary failures.

use chrono::{DateTime, Utc};

use super::Engine;
use crate::platform::{OutboundReveal, SendError};
use crate::store::PendingReveal;

/// Reveals posted per tick at most (the rest wait for the next tick).
const REVEAL_BATCH: i64 = 100;
/// How long a reveal whose post keeps failing is retried before it is given up
/// (the answers stay readable in `history`).
const GIVE_UP_SECS: i64 = 24 * 3600;

impl Engine {
    /// Posts the decided reveals, deciding first those whose deadline passed.
    /// Returns how many were posted.
    pub(super) async fn post_reveals(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let h = &self.hearth;
        let now_s = now.timestamp();
        let pending = h
            .store
            .reveals_to_post(now_s, &self.active, REVEAL_BATCH)
            .await?;
        let mut posted = 0;
        for r in pending {
            match self.post_reveal(&r, now_s).await {
                Ok(true) => posted += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(
                    delivery = r.delivery_id,
                    error = format!("{e:#}"),
                    "could not post a reveal"
                ),
            }
        }
        Ok(posted)
    }

    async fn post_reveal(&self, r: &PendingReveal, now: i64) -> anyhow::Result<bool> {
        let h = &self.hearth;
        let Some(platform) = self.platforms.get(r.channel.platform) else {
            return Ok(false);
        };
        let revealed_at = match r.revealed_at {
            Some(t) => t,
            None => {
                if h.store.decide_reveal(r.delivery_id, now).await? {
                    tracing::info!(delivery = r.delivery_id, "answer deadline passed");
                }
                now
            }
        };
        let lease = i64::try_from(h.config.engine.lease_secs).unwrap_or(i64::MAX / 4);
        if !h
            .store
            .lease_reveal(r.delivery_id, now, now + lease)
            .await?
        {
            return Ok(false);
        }
        let answers = h.store.revealed_answers(r.delivery_id).await?;
        let members = h
            .store
            .couple(r.couple_id)
            .await?
            .map(|c| c.members)
            .unwrap_or_default();
        let missing = members
            .into_iter()
            .filter(|m| !answers.iter().any(|(u, _)| u == m))
            .collect();
        let reveal = OutboundReveal {
            delivery_id: r.delivery_id,
            key: format!("hearth-reveal-{}", r.delivery_id),
            channel: r.channel.clone(),
            prompt: r.prompt_text.clone(),
            thread_root: if r.thread {
                r.prompt_message.clone()
            } else {
                None
            },
            answers,
            missing,
        };
        if reveal.answers.is_empty() {
            // Everyone who answered was forgotten meanwhile: nothing left to show.
            h.store.finish_reveal(r.delivery_id, None).await?;
            return Ok(false);
        }
        match platform.post_reveal(&reveal).await {
            Ok(message) => {
                h.store
                    .finish_reveal(r.delivery_id, message.as_deref())
                    .await?;
                tracing::info!(delivery = r.delivery_id, "answers revealed");
                Ok(true)
            }
            Err(e) if now - revealed_at > GIVE_UP_SECS => {
                tracing::error!(delivery = r.delivery_id, error = %e, "gave up posting a reveal; the answers stay in history");
                h.store.finish_reveal(r.delivery_id, None).await?;
                Ok(false)
            }
            Err(e) => {
                let wait = match &e {
                    SendError::Transient { retry_after, .. } => {
                        retry_after.map_or(30, |d| i64::try_from(d.as_secs()).unwrap_or(30).max(1))
                    }
                    SendError::Permanent { .. } => 600,
                };
                tracing::warn!(delivery = r.delivery_id, error = %e, wait_secs = wait, "reveal not posted; will retry");
                h.store.retry_reveal(r.delivery_id, now + wait).await?;
                Ok(false)
            }
        }
    }
}
