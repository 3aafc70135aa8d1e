//! The delivery engine: claims due slots into delivery rows, then sends them.
//!
//! It also posts queued notices, the reveals of answered prompts and weekly digests,
//! and ends dated pauses. It sleeps until the earliest due slot, retry, notice,
//! reveal, digest or pause end, or until woken by a change: no task per schedule and
//! no busy polling. Tests drive it one [`Engine::tick`] at a time with a manual clock.
//!
//! ## A wake-up with nothing due
//!
//! When nothing is due, a wake-up learns when something next will be from one read,
//! [`Store::earliest_due`](crate::store::Store::earliest_due) (a few index seeks, but
//! a round trip to sqlx's worker thread, about 100 µs). It keeps what it read as a
//! hint, together with the database's [`ChangeStamp`] taken just *before* that read.
//! The next wake-up first takes the stamp again (a few µs, see
//! [`Store::change_stamp`](crate::store::Store::change_stamp)); while it is equal and
//! the hinted time is still ahead, nothing can have become due, and the hint is the
//! answer. This is exact, not a guess:
//!
//! - what is due is a function of the database's content alone (and of the platforms
//!   this engine serves, fixed for its life); the clock only says whether the
//!   earliest time has come, which is checked against the hint on every wake-up;
//! - the stamp changes on every commit by any other connection, in this process (the
//!   commands, the reaction writer, the engine's own writes) or in another one on the
//!   same file (the `hearth` CLI, a second bot), so any new slot, retry, notice,
//!   reveal, deadline or pause end is seen at the next wake-up;
//! - the stamp is taken before the read, so a commit landing between the two makes
//!   the next stamp differ: the hint is never newer than what it was checked against.
//!
//! If the stamp cannot be read, there is no hint and every wake-up reads.

mod backoff;
mod choose;
mod digest;
mod notices;
pub mod plan;
mod reveal;
mod send;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::app::Hearth;
use crate::platform::Platforms;
use crate::schedule::{ScheduleSpec, Zone};
use crate::store::{ChangeStamp, SlotPlan};

pub use choose::{choose_for, prompt_by_id};

/// Schedules claimed per transaction.
const CLAIM_BATCH: i64 = 1000;
/// Deliveries read per send round.
const SEND_BATCH: i64 = 500;
/// Longest sleep: the loop re-reads the clock at least this often.
const MAX_SLEEP: StdDuration = StdDuration::from_secs(300);

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    pub claimed: usize,
    pub queued: usize,
    pub skipped: usize,
    pub posted: usize,
    pub retried: usize,
    pub failed: usize,
    /// Answers shown together.
    pub revealed: usize,
    /// Weekly digests posted.
    pub digests: usize,
}

pub struct Engine {
    pub(crate) hearth: Hearth,
    pub(crate) platforms: Platforms,
    /// Names of the platforms this process sends to, as a JSON array for SQL.
    active: String,
    /// One tick at a time within a process (across processes the leases decide).
    /// Guards the hint of the last wake-up that found nothing due.
    tick_lock: Mutex<Option<Hint>>,
    /// Set while a checkpoint the engine started runs.
    checkpointing: Arc<AtomicBool>,
}

/// What a wake-up with nothing due read: the earliest due time (`None`: nothing is
/// waiting), valid while the database's stamp is still `stamp` (see the module docs).
#[derive(Debug, Clone, Copy)]
struct Hint {
    stamp: ChangeStamp,
    next: Option<i64>,
}

impl Engine {
    pub fn new(hearth: Hearth, platforms: Platforms) -> Self {
        let active: Vec<&str> = crate::domain::PlatformKind::ALL
            .into_iter()
            .filter(|k| platforms.get(*k).is_some())
            .map(|k| k.as_str())
            .collect();
        Self {
            hearth,
            platforms,
            active: serde_json::to_string(&active).unwrap_or_else(|_| "[]".into()),
            tick_lock: Mutex::new(None),
            checkpointing: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn hearth(&self) -> &Hearth {
        &self.hearth
    }

    /// Claims due slots, then sends what is ready.
    pub async fn tick(&self, now: DateTime<Utc>) -> anyhow::Result<TickReport> {
        Ok(self.tick_with(now, None).await?.0)
    }

    /// One wake-up of [`Engine::run`]: a tick, then how long to sleep before the
    /// next slot or retry (at most [`MAX_SLEEP`]).
    pub async fn wake(&self, now: DateTime<Utc>) -> anyhow::Result<(TickReport, StdDuration)> {
        self.wake_with(now, None).await
    }

    async fn wake_with(
        &self,
        now: DateTime<Utc>,
        shutdown: Option<&CancellationToken>,
    ) -> anyhow::Result<(TickReport, StdDuration)> {
        let (report, next) = match self.tick_with(now, shutdown).await? {
            (report, Some(next)) => (report, next),
            (report, None) => (report, self.hearth.store.earliest_due(&self.active).await?),
        };
        Ok((report, sleep_until(next, now)))
    }

    /// A tick that stops taking new deliveries once `shutdown` is cancelled. When
    /// nothing was due it also returns the earliest due time, read or hinted (nothing
    /// has been written since, so the caller can sleep until then).
    async fn tick_with(
        &self,
        now: DateTime<Utc>,
        shutdown: Option<&CancellationToken>,
    ) -> anyhow::Result<(TickReport, Option<Option<i64>>)> {
        let mut hint = self.tick_lock.lock().await;
        let mut report = TickReport::default();
        let not_due = |next: Option<i64>| next.is_none_or(|at| at > now.timestamp());
        // Taken before the read: see the module docs.
        let stamp = self.hearth.store.change_stamp();
        if let (Some(stamp), Some(h)) = (stamp, *hint)
            && h.stamp == stamp
            && not_due(h.next)
        {
            return Ok((report, Some(h.next)));
        }
        let next = self.hearth.store.earliest_due(&self.active).await?;
        if not_due(next) {
            *hint = stamp.map(|stamp| Hint { stamp, next });
            return Ok((report, Some(next)));
        }
        *hint = None;
        // Pauses given an end date (`pause --until`) that has come.
        for (couple, at) in self.hearth.store.pauses_ending(now.timestamp()).await? {
            let at = DateTime::from_timestamp(at, 0).unwrap_or(now);
            crate::commands::pause::resume_couple(&self.hearth, couple, at).await?;
            tracing::info!(couple, "pause ended on its date; prompts resume");
        }
        self.send_notices().await?;
        report.revealed = self.post_reveals(now).await?;
        report.digests = self.post_digests(now).await?;
        loop {
            let (claimed, queued, skipped) = self.claim_due(now).await?;
            report.claimed += claimed;
            report.queued += queued;
            report.skipped += skipped;
            if claimed < usize::try_from(CLAIM_BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
        if report.claimed > 0 {
            // The claim's pages go to the database while the deliveries are sent.
            self.checkpoint_beside();
        }
        self.send_ready(now, &mut report, shutdown).await?;
        if report != TickReport::default() {
            tracing::debug!(?report, "tick");
            self.checkpoint_beside();
        }
        Ok((report, None))
    }

    /// Only the claim step: due schedules become delivery rows, next slots advance.
    /// Each distinct spec and zone is parsed once per claim (many schedules share
    /// them, and parsing a cron line costs more than planning its slots).
    pub async fn claim_due(&self, now: DateTime<Utc>) -> anyhow::Result<(usize, usize, usize)> {
        let mut specs: HashMap<String, Option<ScheduleSpec>> = HashMap::new();
        let mut zones: HashMap<String, Option<Zone>> = HashMap::new();
        self.hearth
            .store
            .claim_due(now.timestamp(), CLAIM_BATCH, &self.active, |due| {
                let spec = specs
                    .entry(due.spec.clone())
                    .or_insert_with(|| ScheduleSpec::parse(&due.spec).ok());
                let zone = *zones
                    .entry(due.timezone.clone())
                    .or_insert_with(|| Zone::parse(&due.timezone).ok());
                let (Some(spec), Some(zone)) = (spec.as_ref(), zone) else {
                    tracing::error!(
                        schedule = due.id,
                        "stored schedule no longer parses; stopping it"
                    );
                    return SlotPlan::default();
                };
                let Some(due_at) = DateTime::from_timestamp(due.next_slot_at, 0) else {
                    return SlotPlan::default();
                };
                plan::plan_slots(spec, zone, due_at, now, Duration::seconds(due.grace_secs))
            })
            .await
    }

    /// Runs until `shutdown` is cancelled. A send under way when it is cancelled
    /// finishes; anything not yet taken stays pending for the next start.
    pub async fn run(&self, shutdown: CancellationToken) {
        tracing::info!("engine started");
        self.hearth.status.set_engine_running(true);
        while !shutdown.is_cancelled() {
            let now = self.hearth.now();
            let result = self.wake_with(now, Some(&shutdown)).await;
            self.hearth.status.ticked(now.timestamp());
            let wait = match result {
                Ok((_, wait)) => wait,
                Err(e) => {
                    tracing::error!(
                        error = format!("{e:#}"),
                        "engine tick failed; retrying soon"
                    );
                    StdDuration::from_secs(5)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.hearth.wake.notified() => {}
                () = shutdown.cancelled() => {}
            }
        }
        self.hearth.status.set_engine_running(false);
        tracing::info!("engine stopped");
    }
}

impl Engine {
    /// Starts a passive checkpoint beside the engine (unless one it started still
    /// runs): what the tick wrote is copied from the WAL into the database without
    /// the tick's commits waiting for it (see [`crate::store::POOL_CHECKPOINT_PAGES`]).
    fn checkpoint_beside(&self) {
        if self.checkpointing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (store, flag) = (self.hearth.store.clone(), self.checkpointing.clone());
        tokio::spawn(async move {
            if let Err(e) = store.checkpoint().await {
                tracing::debug!(error = format!("{e:#}"), "checkpoint not done");
            }
            flag.store(false, Ordering::Release);
        });
    }
}

/// How long to sleep: until `next` (the earliest slot or retry), at most [`MAX_SLEEP`].
fn sleep_until(next: Option<i64>, now: DateTime<Utc>) -> StdDuration {
    next.map_or(MAX_SLEEP, |t| {
        let secs = u64::try_from(t - now.timestamp()).unwrap_or(0);
        StdDuration::from_secs(secs).min(MAX_SLEEP)
    })
}
