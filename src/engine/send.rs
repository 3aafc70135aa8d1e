//! Sending, a batch at a time: choose the prompts, lease the deliveries, make sure
//! none was already posted, post them, record the message ids. Each step is one
//! transaction for the whole batch (the posts are recorded as they come back,
//! whatever came back together at once), so a burst of due slots costs a few commits,
//! not several per delivery. Transient failures back off; permanent ones stop the
//! schedule and tell the moderators once.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use std::collections::HashMap;
use std::sync::Arc;

use super::backoff::backoff;
use super::{Engine, SEND_BATCH, TickReport};
use crate::catalog::Prompt;
use crate::catalog::tags::{Depth, Kind};
use crate::domain::{PlatformKind, delivery_key};
use crate::platform::{OutboundPrompt, Platform, SendError};
use crate::store::{LeaseRequest, OpenDelivery};

/// Posts recorded in one transaction at most.
const SEND_BATCH_USIZE: usize = SEND_BATCH as usize;

#[derive(Clone, Copy)]
enum Outcome {
    Posted,
    Retry,
    Failed,
    NotMine,
}

/// A leased delivery ready to post.
struct Ready {
    d: OpenDelivery,
    platform: Arc<dyn Platform>,
    attempts_before: i64,
    prompt: OutboundPrompt,
}

/// What posting one delivery came to.
enum Post {
    /// On the platform under this message id (just posted, or found from before).
    Done(String),
    Error(SendError),
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
            if batch.is_empty() || shutdown.is_some_and(CancellationToken::is_cancelled) {
                return Ok(());
            }
            let outcomes = self.send_batch(&batch, now, shutdown).await?;
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

    /// Sends one batch: chooses the prompts of those without one (their inputs read
    /// in one query), leases the batch and records the choices in one transaction,
    /// posts `engine.send_concurrency` at a time, and records the posts as they come
    /// back, whatever has come back together in one transaction.
    async fn send_batch(
        &self,
        batch: &[OpenDelivery],
        now: DateTime<Utc>,
        shutdown: Option<&CancellationToken>,
    ) -> anyhow::Result<Vec<Outcome>> {
        let h = &self.hearth;
        let mine: Vec<(&OpenDelivery, Arc<dyn Platform>)> = batch
            .iter()
            .filter_map(|d| Some((d, self.platforms.get(d.channel.platform)?.clone())))
            .collect();
        let mut outcomes: Vec<Outcome> = (mine.len()..batch.len())
            .map(|_| Outcome::NotMine)
            .collect();
        let prompts = self.prompts_for(&mine).await?;
        let requests: Vec<LeaseRequest> = mine
            .iter()
            .zip(&prompts)
            .map(|((d, _), p)| LeaseRequest {
                id: d.id,
                prompt: p
                    .as_ref()
                    .filter(|(_, fresh)| *fresh)
                    .map(|(p, _)| (p.id.clone(), p.text.clone())),
            })
            .collect();
        let lease = i64::try_from(h.config.engine.lease_secs).unwrap_or(i64::MAX);
        let leased = h
            .store
            .lease_deliveries(&requests, now.timestamp(), lease)
            .await?;
        let mut ready = Vec::with_capacity(leased.len());
        for ((d, platform), prompt) in mine.into_iter().zip(prompts) {
            let Some(&attempts_before) = leased.get(&d.id) else {
                outcomes.push(Outcome::NotMine);
                continue;
            };
            let Some((prompt, _)) = prompt else {
                let why = format!(
                    "no {} prompt fits this couple (depth {})",
                    d.kind, d.couple_depth
                );
                tracing::warn!(delivery = d.id, "{why}");
                h.store.mark_failed(d.id, &why).await?;
                outcomes.push(Outcome::Failed);
                continue;
            };
            let prompt = self.outbound(d, &prompt);
            ready.push(Ready {
                d: d.clone(),
                platform,
                attempts_before,
                prompt,
            });
        }
        let concurrency = h.config.engine.send_concurrency;
        let mut posts = futures::stream::iter(ready)
            .map(|r| async move {
                if shutdown.is_some_and(CancellationToken::is_cancelled) {
                    return (r, None);
                }
                let post = self.post(&r).await;
                (r, Some(post))
            })
            .buffer_unordered(concurrency)
            .ready_chunks(SEND_BATCH_USIZE);
        while let Some(chunk) = posts.next().await {
            let mut done: Vec<(i64, String)> = Vec::new();
            let mut unsent: Vec<i64> = Vec::new();
            for (r, post) in &chunk {
                match post {
                    Some(Post::Done(message_id)) => done.push((r.d.id, message_id.clone())),
                    Some(Post::Error(_)) => {}
                    None => unsent.push(r.d.id),
                }
            }
            // A post not recorded is found on the platform when its lease runs out
            // and it is tried again; it is not posted twice.
            let recorded = match h.store.mark_posted_many(&done, h.now_secs()).await {
                Ok(()) => Outcome::Posted,
                Err(e) => {
                    tracing::error!(
                        deliveries = done.len(),
                        error = format!("{e:#}"),
                        "posted, but not recorded; will look for them again"
                    );
                    Outcome::Retry
                }
            };
            outcomes.extend(done.iter().map(|_| recorded));
            // Stopping: what was leased but not tried goes back as it was.
            if let Err(e) = h.store.release_deliveries(&unsent).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "leases not given back; they run out on their own"
                );
            }
            outcomes.extend(unsent.iter().map(|_| Outcome::NotMine));
            for (r, post) in chunk {
                if let Some(Post::Error(e)) = post {
                    let o = self
                        .failed(&r.d, r.attempts_before + 1, e, r.platform.as_ref())
                        .await;
                    outcomes.push(o.unwrap_or_else(|e| {
                        tracing::error!(delivery = r.d.id, error = format!("{e:#}"), "send failed");
                        Outcome::Retry
                    }));
                }
            }
        }
        Ok(outcomes)
    }

    /// Posts one leased delivery. One tried before may have been posted just before a
    /// crash or a lost answer: look before posting again.
    async fn post(&self, r: &Ready) -> Post {
        if r.attempts_before > 0 {
            match r.platform.find_posted(&r.d.channel, &r.prompt.key).await {
                Ok(Some(message_id)) => {
                    tracing::info!(delivery = r.d.id, "found already posted; recording it");
                    return Post::Done(message_id);
                }
                Ok(None) => {}
                Err(e) => return Post::Error(e),
            }
        }
        let started = std::time::Instant::now();
        let posted = r.platform.post_prompt(&r.prompt).await;
        self.hearth.status.observe_send(started.elapsed());
        match posted {
            Ok(message_id) => Post::Done(message_id),
            Err(e) => Post::Error(e),
        }
    }

    /// The prompt of each delivery, and whether it was chosen now (so is to be
    /// recorded): the one recorded on an earlier attempt if it still exists, else a
    /// new choice. The couples' histories and reactions and their communities' custom
    /// prompts are read in one query.
    async fn prompts_for(
        &self,
        batch: &[(&OpenDelivery, Arc<dyn Platform>)],
    ) -> anyhow::Result<Vec<Option<(Prompt, bool)>>> {
        let h = &self.hearth;
        let mut communities: Vec<(PlatformKind, &str)> = batch
            .iter()
            .map(|(d, _)| (d.channel.platform, d.channel.scope.as_str()))
            .collect();
        communities.sort_unstable();
        communities.dedup();
        // Those without a catalog prompt yet; one with a custom prompt still known keeps
        // it, so its history is read but not used.
        let wanted: Vec<(i64, &str)> = batch
            .iter()
            .filter(|(d, _)| {
                d.prompt_id
                    .as_deref()
                    .is_none_or(|id| h.catalog.get(id).is_none())
            })
            .map(|(d, _)| (d.couple_id, d.kind.as_str()))
            .collect();
        let mut inputs = h.store.selection_inputs(&wanted, &communities).await?;
        let custom: HashMap<(PlatformKind, String), Vec<Prompt>> = inputs
            .custom
            .drain()
            .map(|(community, prompts)| (community, super::choose::as_prompts(&prompts)))
            .collect();
        let known = |d: &OpenDelivery| -> Option<Prompt> {
            let id = d.prompt_id.as_deref()?;
            h.catalog
                .get(id)
                .or_else(|| custom_of(&custom, d).iter().find(|p| p.id == id))
                .cloned()
        };
        let mut chosen = Vec::with_capacity(batch.len());
        for (d, _) in batch {
            if let Some(p) = known(d) {
                chosen.push(Some((p, false)));
                continue;
            }
            let kind: Kind = d.kind.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let depth: Depth = d.couple_depth.parse().unwrap_or(Depth::Light);
            let seed = (d.couple_id as u64).rotate_left(32) ^ d.id as u64;
            let history = inputs
                .history
                .entry((d.couple_id, d.kind.clone()))
                .or_default();
            let signals = inputs
                .signals
                .get(&d.couple_id)
                .map_or(&[][..], Vec::as_slice);
            let past: Vec<&str> = history.iter().map(String::as_str).collect();
            let custom = custom_of(&custom, d);
            let p = super::choose::choose_among(h, custom, kind, depth, &past, signals, seed);
            // A second delivery of the same kind for this couple in this batch gets
            // another prompt.
            if let Some(p) = &p {
                history.push(p.id.clone());
            }
            chosen.push(p.map(|p| (p, true)));
        }
        Ok(chosen)
    }

    /// The prompt as the platform gets it.
    fn outbound(&self, d: &OpenDelivery, prompt: &Prompt) -> OutboundPrompt {
        let r = &self.hearth.config.reactions;
        let reactions = if !r.pre_add {
            Vec::new()
        } else if prompt.kind == Kind::CheckIn {
            r.check_in.clone()
        } else {
            [&r.loved, &r.done, &r.another, &r.favourite]
                .into_iter()
                .filter_map(|v| v.first().cloned())
                .collect()
        };
        OutboundPrompt {
            delivery_id: d.id,
            key: delivery_key(d.id),
            channel: d.channel.clone(),
            kind: d.kind.clone(),
            practice: prompt.practice.as_str().to_string(),
            depth: prompt.depth.as_str().to_string(),
            text: prompt.text.clone(),
            follow_up: prompt.follow_up.clone(),
            apart: prompt.apart.clone(),
            reactions,
            thread: d.thread,
        }
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
            // A platform that rate-limits us says when to come back: waiting is not
            // failing, so such a send is tried again however many attempts it took
            // (under a busy homeserver's message limit, many prompts wait their turn).
            SendError::Transient {
                reason,
                retry_after,
            } if attempts < i64::from(cfg.max_attempts) || retry_after.is_some() => {
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

/// The custom prompts of `d`'s community, from those read for a batch.
fn custom_of<'c>(
    custom: &'c HashMap<(PlatformKind, String), Vec<Prompt>>,
    d: &OpenDelivery,
) -> &'c [Prompt] {
    custom
        .get(&(d.channel.platform, d.channel.scope.clone()))
        .map_or(&[], Vec::as_slice)
}
