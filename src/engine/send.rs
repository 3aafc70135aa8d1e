//! Sending: lease a delivery, pick its prompt, make sure it was not already posted,
//! post it, record the message id. Transient failures back off; permanent ones stop
//! the schedule and tell the moderators once.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::{Engine, SEND_BATCH, TickReport};
use crate::catalog::tags::{Depth, Kind};
use crate::domain::delivery_key;
use crate::platform::{OutboundPrompt, Platform, SendError};
use crate::store::OpenDelivery;

enum Outcome {
    Posted,
    Retry,
    Failed,
    NotMine,
}

impl Engine {
    pub(super) async fn send_ready(
        &self,
        now: DateTime<Utc>,
        report: &mut TickReport,
        shutdown: Option<&CancellationToken>,
    ) -> anyhow::Result<()> {
        let mut seen = std::collections::HashSet::new();
        loop {
            let batch = self
                .hearth
                .store
                .open_deliveries(now.timestamp(), SEND_BATCH, &self.active)
                .await?;
            let batch: Vec<OpenDelivery> =
                batch.into_iter().filter(|d| seen.insert(d.id)).collect();
            if batch.is_empty() {
                return Ok(());
            }
            let concurrency = self.hearth.config.engine.send_concurrency;
            let outcomes: Vec<Outcome> = futures::stream::iter(batch)
                .map(|d| async move {
                    if shutdown.is_some_and(CancellationToken::is_cancelled) {
                        return Outcome::NotMine;
                    }
                    match self.send_one(&d, now).await {
                        Ok(o) => o,
                        Err(e) => {
                            tracing::error!(
                                delivery = d.id,
                                error = format!("{e:#}"),
                                "send failed"
                            );
                            Outcome::Retry
                        }
                    }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
            let status = &self.hearth.status;
            for o in outcomes {
                use std::sync::atomic::Ordering::Relaxed;
                match o {
                    Outcome::Posted => {
                        report.posted += 1;
                        status.sent.fetch_add(1, Relaxed);
                    }
                    Outcome::Retry => {
                        report.retried += 1;
                        status.retried.fetch_add(1, Relaxed);
                    }
                    Outcome::Failed => {
                        report.failed += 1;
                        status.failed.fetch_add(1, Relaxed);
                    }
                    Outcome::NotMine => {}
                }
            }
            if shutdown.is_some_and(CancellationToken::is_cancelled) {
                return Ok(());
            }
        }
    }

    async fn send_one(&self, d: &OpenDelivery, now: DateTime<Utc>) -> anyhow::Result<Outcome> {
        let h = &self.hearth;
        let Some(platform) = self.platforms.get(d.channel.platform) else {
            return Ok(Outcome::NotMine);
        };
        let Some(attempts_before) = h
            .store
            .lease_delivery(
                d.id,
                now.timestamp(),
                i64::try_from(h.config.engine.lease_secs).unwrap_or(i64::MAX),
            )
            .await?
        else {
            return Ok(Outcome::NotMine);
        };
        let key = delivery_key(d.id);
        let Some(prompt) = self.prompt_for(d).await? else {
            let why = format!(
                "no {} prompt fits this couple (depth {})",
                d.kind, d.couple_depth
            );
            tracing::warn!(delivery = d.id, "{why}");
            h.store.mark_failed(d.id, &why).await?;
            return Ok(Outcome::Failed);
        };
        // A delivery tried before may have been posted just before a crash or a lost
        // answer: look before posting again.
        if attempts_before > 0 {
            match platform.find_posted(&d.channel, &key).await {
                Ok(Some(message_id)) => {
                    tracing::info!(delivery = d.id, "found already posted; recording it");
                    h.store.mark_posted(d.id, &message_id, h.now_secs()).await?;
                    return Ok(Outcome::Posted);
                }
                Ok(None) => {}
                Err(e) => {
                    return self
                        .failed(d, attempts_before + 1, e, platform.as_ref())
                        .await;
                }
            }
        }
        let started = std::time::Instant::now();
        let posted = platform.post_prompt(&prompt).await;
        h.status.observe_send(started.elapsed());
        match posted {
            Ok(message_id) => {
                h.store.mark_posted(d.id, &message_id, h.now_secs()).await?;
                Ok(Outcome::Posted)
            }
            Err(e) => {
                self.failed(d, attempts_before + 1, e, platform.as_ref())
                    .await
            }
        }
    }

    /// Builds the outbound prompt, choosing and recording it on the first attempt.
    async fn prompt_for(&self, d: &OpenDelivery) -> anyhow::Result<Option<OutboundPrompt>> {
        let h = &self.hearth;
        let kind: Kind = d.kind.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
        let known = match d.prompt_id.as_deref() {
            Some(id) => super::prompt_by_id(h, &d.channel, id).await?,
            None => None,
        };
        let prompt = match known {
            Some(p) => p,
            None => {
                let depth: Depth = d.couple_depth.parse().unwrap_or(Depth::Light);
                let seed = (d.couple_id as u64).rotate_left(32) ^ d.id as u64;
                let Some(p) =
                    super::choose_for(h, d.couple_id, &d.channel, kind, depth, seed).await?
                else {
                    return Ok(None);
                };
                h.store.set_delivery_prompt(d.id, &p.id, &p.text).await?;
                p
            }
        };
        let r = &h.config.reactions;
        let reactions = if !r.pre_add {
            Vec::new()
        } else if kind == Kind::CheckIn {
            r.check_in.clone()
        } else {
            [&r.loved, &r.done, &r.another, &r.favourite]
                .into_iter()
                .filter_map(|v| v.first().cloned())
                .collect()
        };
        Ok(Some(OutboundPrompt {
            delivery_id: d.id,
            key: delivery_key(d.id),
            channel: d.channel.clone(),
            kind: kind.as_str().to_string(),
            practice: prompt.practice.as_str().to_string(),
            depth: prompt.depth.as_str().to_string(),
            text: prompt.text.clone(),
            follow_up: prompt.follow_up.clone(),
            apart: prompt.apart.clone(),
            reactions,
            thread: d.thread,
        }))
    }

    async fn failed(
        &self,
        d: &OpenDelivery,
        attempts: i64,
        err: SendError,
        platform: &dyn Platform,
    ) -> anyhow::Result<Outcome> {
        let h = &self.hearth;
        let cfg = &h.config.engine;
        match err {
            SendError::Transient {
                reason,
                retry_after,
            } if attempts < i64::from(cfg.max_attempts) => {
                let wait = backoff(attempts, cfg.backoff_base_secs, cfg.backoff_max_secs)
                    .max(retry_after.unwrap_or_default());
                tracing::warn!(
                    delivery = d.id,
                    attempts,
                    wait_secs = wait.as_secs(),
                    "{reason}; will retry"
                );
                let retry_at = h.now_secs() + i64::try_from(wait.as_secs()).unwrap_or(i64::MAX / 2);
                h.store.mark_retry(d.id, retry_at, &reason).await?;
                Ok(Outcome::Retry)
            }
            SendError::Transient { reason, .. } => {
                let why = format!("gave up after {attempts} attempts: {reason}");
                tracing::error!(delivery = d.id, "{why}");
                h.store.mark_failed(d.id, &why).await?;
                Ok(Outcome::Failed)
            }
            SendError::Permanent { reason } => {
                tracing::error!(delivery = d.id, channel = %d.channel, "{reason}; stopping the schedule");
                h.store.mark_failed(d.id, &reason).await?;
                if let Some(sid) = d.schedule_id
                    && h.store.disable_schedule(sid, &reason, h.now_secs()).await?
                {
                    let note = format!(
                        "hearth stopped schedule #{sid} in this channel: {reason}. \
                         A moderator can fix the cause and run `schedule resume {sid}`."
                    );
                    if let Err(e) = platform.send_notice(&d.channel, &note).await {
                        tracing::warn!(schedule = sid, error = %e, "could not tell the moderators in the channel");
                    }
                }
                Ok(Outcome::Failed)
            }
        }
    }
}

/// Capped exponential backoff: base, 2·base, 4·base, … up to `max` seconds.
pub fn backoff(attempt: i64, base_secs: u64, max_secs: u64) -> StdDuration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    StdDuration::from_secs(base_secs.saturating_mul(1u64 << exp).min(max_secs))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1, 5, 600).as_secs(), 5);
        assert_eq!(backoff(2, 5, 600).as_secs(), 10);
        assert_eq!(backoff(4, 5, 600).as_secs(), 40);
        assert_eq!(backoff(30, 5, 600).as_secs(), 600);
    }
}
