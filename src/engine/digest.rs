//! Posting weekly digests. Couples whose digest is not planned yet get their next
//! time; a digest time that has come becomes one `digests` row per slot (claimed in
//! the same transaction that moves the couple's next time on), which is leased,
//! posted with an idempotency key and retried like a delivery. A slot found more than
//! a day late (hearth was down) or while the couple is paused is skipped, not posted.

use chrono::{DateTime, Utc};

use super::Engine;
use super::backoff::backoff;
use crate::platform::{OutboundDigest, SendError};
use crate::store::PendingDigest;

/// Couples planned, slots claimed and digests posted per step.
const DIGEST_BATCH: i64 = 500;
/// A digest this late is skipped: last week's news is no news.
const STALE_SECS: i64 = 24 * 3600;

impl Engine {
    /// Plans, claims and posts digests; returns how many were posted.
    pub(super) async fn post_digests(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let h = &self.hearth;
        let now_s = now.timestamp();
        // Most ticks have no digest work: one read says so.
        if h.store
            .earliest_digest(&self.active)
            .await?
            .is_none_or(|t| t > now_s)
        {
            return Ok(0);
        }
        loop {
            let unplanned = h
                .store
                .unplanned_digests(&self.active, DIGEST_BATCH)
                .await?;
            let plans: Vec<(i64, Option<i64>)> = unplanned
                .iter()
                .map(|p| {
                    let at = crate::digest::next_at(h, p.spec.as_deref(), &p.timezone, now_s);
                    (p.couple_id, at)
                })
                .collect();
            h.store.plan_digests(&plans).await?;
            if i64::try_from(plans.len()).unwrap_or(0) < DIGEST_BATCH {
                break;
            }
        }
        h.store
            .claim_digests(now_s, &self.active, DIGEST_BATCH, |p| {
                crate::digest::next_at(h, p.spec.as_deref(), &p.timezone, now_s)
            })
            .await?;
        let mut posted = 0;
        for d in h
            .store
            .digests_to_post(now_s, &self.active, DIGEST_BATCH)
            .await?
        {
            match self.post_digest(&d, now_s).await {
                Ok(true) => posted += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(
                    digest = d.id,
                    error = format!("{e:#}"),
                    "could not post a weekly digest"
                ),
            }
        }
        Ok(posted)
    }

    async fn post_digest(&self, d: &PendingDigest, now: i64) -> anyhow::Result<bool> {
        let h = &self.hearth;
        let Some(platform) = self.platforms.get(d.channel.platform) else {
            return Ok(false);
        };
        let lease = i64::try_from(h.config.engine.lease_secs).unwrap_or(i64::MAX / 4);
        if !h.store.lease_digest(d.id, now, now + lease).await? {
            return Ok(false);
        }
        let couple = match h.store.couple(d.couple_id).await? {
            Some(c) if !c.paused && now - d.slot_at <= STALE_SECS => c,
            _ => {
                tracing::info!(
                    digest = d.id,
                    "weekly digest skipped (late, or the couple is paused)"
                );
                h.store
                    .finish_digest(d.id, "skipped", None, None, now)
                    .await?;
                return Ok(false);
            }
        };
        let p = platform.clone();
        let name = move |u: &str| p.mention(u);
        let digest = crate::digest::compose(h, &couple, d.slot_at, &name).await?;
        let out = OutboundDigest {
            digest_id: d.id,
            key: format!("hearth-digest-{}", d.id),
            channel: d.channel.clone(),
            text: digest.text,
            chart: digest.chart,
            sparkline: digest.sparkline,
        };
        match platform.post_digest(&out).await {
            Ok(message) => {
                h.store
                    .finish_digest(
                        d.id,
                        "posted",
                        message.as_deref(),
                        digest.resurfaced.as_deref(),
                        now,
                    )
                    .await?;
                tracing::info!(digest = d.id, couple = d.couple_id, "weekly digest posted");
                Ok(true)
            }
            Err(SendError::Transient {
                reason,
                retry_after,
            }) if d.attempts + 1 < i64::from(h.config.engine.max_attempts) => {
                let cfg = &h.config.engine;
                let wait = backoff(d.attempts + 1, cfg.backoff_base_secs, cfg.backoff_max_secs)
                    .max(retry_after.unwrap_or_default());
                tracing::warn!(
                    digest = d.id,
                    wait_secs = wait.as_secs(),
                    "{reason}; will retry the digest"
                );
                let at = now + i64::try_from(wait.as_secs()).unwrap_or(3600);
                h.store.retry_digest(d.id, at).await?;
                Ok(false)
            }
            Err(e) => {
                tracing::warn!(digest = d.id, channel = %d.channel, error = %e, "giving up on a weekly digest");
                h.store
                    .finish_digest(d.id, "failed", None, None, now)
                    .await?;
                Ok(false)
            }
        }
    }
}
