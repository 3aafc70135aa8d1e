//! Group commit of reaction events.
//!
//! Every reaction event goes through one writer thread. A caller puts its event on a
//! bounded queue and waits for the outcome; the writer takes whatever has queued up
//! (at most [`MAX_BATCH`] events), applies those events in queue order inside one write
//! transaction, and answers each caller once that transaction is committed. Under load
//! hundreds of events share one commit; an event that arrives alone is written at
//! once, without waiting for company. A full queue makes callers wait: nothing is
//! dropped, and every caller learns its outcome or its error. An event once queued is
//! applied even if its caller stops waiting.
//!
//! The writer is a thread of its own with a synchronous database connection of its own
//! (warm page cache, statements prepared once: see [`ReactionConn`]), so a batch is
//! calls into SQLite on one thread, with no hand-off per statement. It starts
//! checkpoints beside itself ([`crate::store::Checkpointer`]), so its commits rarely copy the WAL
//! into the database themselves. The thread ends when the [`ReactionIngest`] is dropped.
//!
//! The outcome of each event is the one it would get applied alone, in queue order:
//! the bot's own reactions are ignored, reactions on anything but a posted prompt or by
//! anyone outside the couple are not stored, a repeat is `Unchanged`, and "another one"
//! on the couple's latest prompt queues one on-demand prompt.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, anyhow};
use tokio::sync::{Notify, mpsc, oneshot};

use super::{Meaning, Meanings, ReactionEvent, ReactionOutcome};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::{PlatformKind, normalize_emoji};
use crate::status::Status;
use crate::store::{NewReaction, OnDemand, ReactionConn, ReactionKey, Store, failed_on_data};

/// The most events applied in one transaction.
pub const MAX_BATCH: usize = 512;
/// How many events may wait for the writer before callers are held back.
pub const QUEUE_LEN: usize = 8 * MAX_BATCH;

/// One event waiting for the writer, with the way back to its caller.
struct Job {
    ev: ReactionEvent,
    reply: oneshot::Sender<anyhow::Result<ReactionOutcome>>,
}

/// The queue into the writer thread. The writer starts with the first event, and is
/// started again if it has gone away.
pub struct ReactionIngest {
    writer: Writer,
    queue: Mutex<Option<mpsc::Sender<Job>>>,
}

/// What the writer thread works with.
#[derive(Clone)]
struct Writer {
    store: Store,
    clock: Arc<dyn Clock>,
    meanings: Arc<Meanings>,
    status: Arc<Status>,
    wake: Arc<Notify>,
}

impl ReactionIngest {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: &Config,
        status: Arc<Status>,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            writer: Writer {
                store,
                clock,
                meanings: Arc::new(Meanings::from_config(&config.reactions)),
                status,
                wake,
            },
            queue: Mutex::new(None),
        }
    }

    /// Queues one event and waits until it is committed (or has failed).
    pub async fn submit(&self, ev: &ReactionEvent) -> anyhow::Result<ReactionOutcome> {
        let (reply, answer) = oneshot::channel();
        let ev = ReactionEvent {
            platform: ev.platform,
            message_id: ev.message_id.clone(),
            user: ev.user.clone(),
            emoji: normalize_emoji(&ev.emoji),
            added: ev.added,
            by_bot: ev.by_bot,
            platform_ref: ev.platform_ref.clone(),
        };
        let mut job = Job { ev, reply };
        // A queue whose writer is gone is replaced, once.
        for _ in 0..2 {
            let queue = self.queue()?;
            match queue.send(job).await {
                Ok(()) => {
                    return answer
                        .await
                        .map_err(|_| anyhow!("the reaction writer stopped before answering"))?;
                }
                Err(mpsc::error::SendError(back)) => {
                    job = back;
                    let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                    if q.as_ref().is_some_and(|s| s.same_channel(&queue)) {
                        *q = None;
                    }
                }
            }
        }
        Err(anyhow!("the reaction writer cannot be started"))
    }

    /// The queue into a running writer, starting one if there is none.
    fn queue(&self) -> anyhow::Result<mpsc::Sender<Job>> {
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = q.as_ref().filter(|s| !s.is_closed()) {
            return Ok(s.clone());
        }
        let (tx, rx) = mpsc::channel(QUEUE_LEN);
        let writer = self.writer.clone();
        std::thread::Builder::new()
            .name("hearth-reactions".into())
            .spawn(move || writer.run(rx))
            .context("while starting the reaction writer")?;
        *q = Some(tx.clone());
        Ok(tx)
    }
}

/// Why a batch failed.
enum Failed {
    /// The database refused the batch as a whole (busy, closed, unreadable): every
    /// event in it gets the error.
    Database(anyhow::Error),
    /// A statement failed on what it was given, perhaps because of one event: each
    /// event is tried again alone.
    Content(anyhow::Error),
}

impl Failed {
    fn from_sql(e: anyhow::Error) -> Failed {
        if failed_on_data(&e) {
            Failed::Content(e)
        } else {
            Failed::Database(e)
        }
    }
}

impl Writer {
    /// Drains the queue batch by batch until every sender is gone: waits for an event,
    /// then takes whatever else has queued up, to [`MAX_BATCH`].
    ///
    /// After every batch it asks for a checkpoint beside it (one at a time: asking
    /// while one runs changes nothing). Copying the WAL into the database as it goes
    /// keeps the WAL short, so the writer's own commits never reach the size at which
    /// they would checkpoint themselves; with a checkpoint only every fourth batch,
    /// the p99 event→commit latency under load was about half again as long.
    fn run(self, mut rx: mpsc::Receiver<Job>) {
        let mut conn = None;
        let checkpoints = match self.store.checkpointer() {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "no background checkpoints");
                None
            }
        };
        while let Some(first) = rx.blocking_recv() {
            let mut jobs = Vec::with_capacity(MAX_BATCH);
            jobs.push(first);
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            self.write(&mut conn, jobs);
            if let Some(c) = &checkpoints {
                c.request();
            }
        }
    }

    /// Applies one batch and answers its callers. If applying fails, each event is
    /// tried again alone, so one bad event fails only its own caller.
    fn write(&self, conn: &mut Option<ReactionConn>, jobs: Vec<Job>) {
        let now = self.clock.now().timestamp();
        let events: Vec<&ReactionEvent> = jobs.iter().map(|j| &j.ev).collect();
        let result = self.apply(conn, &events, now);
        drop(events);
        match result {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(Failed::Database(e)) => {
                tracing::error!(
                    error = format!("{e:#}"),
                    events = jobs.len(),
                    "reactions not stored"
                );
                for job in jobs {
                    let _ = job.reply.send(Err(anyhow!("{e:#}")));
                }
            }
            Err(Failed::Content(e)) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    let _ = job.reply.send(Err(e));
                }
            }
            Err(Failed::Content(e)) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    events = jobs.len(),
                    "reaction batch failed; applying its events one by one"
                );
                for job in jobs {
                    let r = match self.apply(conn, &[&job.ev], now) {
                        Ok(o) => Ok(o[0]),
                        Err(Failed::Database(e) | Failed::Content(e)) => Err(e),
                    };
                    let _ = job.reply.send(r);
                }
            }
        }
    }

    /// Applies `events` in order in one transaction; their outcomes once committed.
    /// The writer's connection is opened when first needed and again after a failure.
    fn apply(
        &self,
        conn: &mut Option<ReactionConn>,
        events: &[&ReactionEvent],
        now: i64,
    ) -> Result<Vec<ReactionOutcome>, Failed> {
        if self.store.is_closed() {
            *conn = None;
            return Err(Failed::Database(anyhow!("the database is closed")));
        }
        let c = match conn {
            Some(c) => c,
            None => conn.insert(
                self.store
                    .open_reaction_writer()
                    .map_err(Failed::Database)?,
            ),
        };
        let (outcomes, enqueued) = match self.plan(c, events, now) {
            Ok(r) => r,
            Err(e) => {
                // Start the next batch afresh, on a new connection.
                c.roll_back();
                *conn = None;
                return Err(Failed::from_sql(e));
            }
        };
        let stored = outcomes
            .iter()
            .filter(|o| **o == ReactionOutcome::Stored)
            .count();
        self.status
            .reactions
            .fetch_add(stored as u64, Ordering::Relaxed);
        if enqueued {
            self.wake.notify_one();
        }
        tracing::debug!(events = events.len(), stored, "reactions committed");
        Ok(outcomes)
    }

    /// Reads what the batch needs, works out each event's outcome in order, and writes
    /// the result: removals of rows that were active, the new rows, and any on-demand
    /// prompt "another one" asked for; then commits. True if a prompt was queued.
    fn plan(
        &self,
        tx: &mut ReactionConn,
        events: &[&ReactionEvent],
        now: i64,
    ) -> anyhow::Result<(Vec<ReactionOutcome>, bool)> {
        /// Where the active reaction of one (delivery, user, emoji) is.
        enum Slot {
            Stored(i64),
            New(usize),
        }
        let is_another = |e: &ReactionEvent| {
            e.added && self.meanings.of_normalized(&e.emoji) == Some(Meaning::Another)
        };
        let mut platforms: Vec<PlatformKind> = Vec::new();
        for e in events.iter().filter(|e| !e.by_bot) {
            if !platforms.contains(&e.platform) {
                platforms.push(e.platform);
            }
        }
        let mut active: HashMap<(i64, &str, &str), Slot> = HashMap::new();
        // Couple ids are unique across platforms.
        let mut another: HashMap<i64, (Option<i64>, bool)> = HashMap::new();
        for &platform in &platforms {
            let on = || {
                events
                    .iter()
                    .filter(move |e| !e.by_bot && e.platform == platform)
            };
            let mut seen: HashSet<ReactionKey<'_>> = HashSet::new();
            let keys: Vec<ReactionKey<'_>> = on()
                .map(|e| (e.message_id.as_str(), e.user.as_str(), e.emoji.as_str()))
                .filter(|k| seen.insert(*k))
                .collect();
            let mut another_on: Vec<&str> = on()
                .filter(|e| is_another(e))
                .map(|e| e.message_id.as_str())
                .collect();
            another_on.sort_unstable();
            another_on.dedup();
            let facts = tx.facts(platform, &keys, &another_on)?;
            let lookups = tx.lookups();
            for (at, row) in facts.active {
                let (m, user, emoji) = keys[at];
                if let Some(p) = lookups.posted(platform, m) {
                    active.insert((p.delivery_id, user, emoji), Slot::Stored(row));
                }
            }
            another.extend(facts.another);
        }

        let lookups = tx.lookups();
        let mut removed = Vec::new();
        let mut rows: Vec<NewReaction> = Vec::new();
        let mut on_demand: Vec<OnDemand> = Vec::new();
        let mut outcomes = Vec::with_capacity(events.len());
        for ev in events {
            if ev.by_bot {
                outcomes.push(ReactionOutcome::IgnoredBot);
                continue;
            }
            let Some(p) = lookups.posted(ev.platform, &ev.message_id) else {
                outcomes.push(ReactionOutcome::NotAPrompt);
                continue;
            };
            if !lookups.is_member(p.couple_id, &ev.user) {
                outcomes.push(ReactionOutcome::NotMember);
                continue;
            }
            let key = (p.delivery_id, ev.user.as_str(), ev.emoji.as_str());
            let changed = if ev.added {
                let new = !active.contains_key(&key);
                if new {
                    active.insert(key, Slot::New(rows.len()));
                    rows.push(NewReaction {
                        delivery_id: p.delivery_id,
                        user: &ev.user,
                        emoji: &ev.emoji,
                        removed: false,
                        platform_ref: ev.platform_ref.as_deref(),
                    });
                    // "Another one" on the couple's latest prompt: one on-demand prompt
                    // of its kind, unless one is already waiting.
                    if is_another(ev)
                        && let Some((latest, open)) = another.get_mut(&p.couple_id)
                        && *latest == Some(p.delivery_id)
                        && !*open
                    {
                        *open = true;
                        on_demand.push(OnDemand {
                            couple_id: p.couple_id,
                            kind: p.kind.clone(),
                            requested_by: ev.user.clone(),
                        });
                    }
                }
                new
            } else {
                match active.remove(&key) {
                    Some(Slot::Stored(row)) => {
                        removed.push(row);
                        true
                    }
                    // Added earlier in this batch: its row is written already removed.
                    Some(Slot::New(i)) => {
                        rows[i].removed = true;
                        true
                    }
                    None => false,
                }
            };
            outcomes.push(if changed {
                ReactionOutcome::Stored
            } else {
                ReactionOutcome::Unchanged
            });
        }
        tx.write_and_commit(now, &removed, &rows, &on_demand)?;
        Ok((outcomes, !on_demand.is_empty()))
    }
}
