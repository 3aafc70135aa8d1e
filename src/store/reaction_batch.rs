//! The SQL of group-committed reactions: one write transaction for a whole batch of
//! reaction events, with one statement reading everything the batch needs and one
//! writing everything it changes.
//!
//! Lists travel as one JSON array bound to one parameter (read with `json_each`) and
//! results come back as JSON arrays in a single row: each statement keeps one text
//! (prepared once, kept in the connection's statement cache) whatever the batch size.
//! Results name what they are about by its position in the list sent, so little text
//! travels back.
//!
//! The connection is a plain synchronous one (rusqlite, on the same SQLite library
//! sqlx links), used only from the reaction writer's own thread: a statement is a call
//! into SQLite, not a hand-off to a worker thread and back.
//!
//! The connection keeps its [`Lookups`] (posted prompts, couple members) from batch to
//! batch; the read asks only for what they lack, plus the active reactions the events
//! name and the epoch that tells whether the lookups are still true.

use std::collections::{HashMap, HashSet};

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags, params};
use sqlx::sqlite::SqliteConnectOptions;

use super::Store;
use super::reaction_lookups::{Lookups, PostedPrompt};
use crate::domain::PlatformKind;

/// A reaction row to write: added in this batch, perhaps removed again in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReaction<'a> {
    pub delivery_id: i64,
    pub user: &'a str,
    pub emoji: &'a str,
    pub removed: bool,
    pub platform_ref: Option<&'a str>,
}

/// An on-demand prompt to queue ("another one").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDemand {
    pub couple_id: i64,
    pub kind: String,
    pub requested_by: String,
}

/// What one batch of reaction events needs to know besides the lookups.
#[derive(Debug, Default)]
pub struct BatchFacts {
    /// For the keys asked about that are active reactions: (position of the key in
    /// the list given, row id).
    pub active: Vec<(usize, i64)>,
    /// For the couples asked about: their latest posted delivery, and whether an
    /// on-demand prompt is already waiting or being sent.
    pub another: HashMap<i64, (Option<i64>, bool)>,
}

/// The reaction writer's own connection. It stays with the writer, so its page cache
/// stays warm from one batch to the next (SQLite empties a connection's cache whenever
/// another connection has written), and it is larger than the pool's.
///
/// A batch is [`ReactionConn::facts`] (which begins the transaction), then
/// [`ReactionConn::write_and_commit`]; after any error, [`ReactionConn::roll_back`].
pub struct ReactionConn {
    conn: Connection,
    /// Whether a transaction may be open.
    in_batch: bool,
    lookups: Lookups,
}

/// Page cache of the writer's connection, in KiB: the pages a batch touches are spread
/// over the reactions table and its indexes.
pub const WRITER_CACHE_KIB: u32 = 65_536;
/// WAL pages after which the writer's own commit checkpoints. Above SQLite's 1,000 so
/// that a page changed by many batches is copied into the database once, not once a
/// batch; the writer also starts checkpoints beside itself, so this is the backstop.
pub const WRITER_CHECKPOINT_PAGES: u32 = 10_000;

/// The reaction writer's connection settings on top of `base` (the pool's): a larger
/// page cache and checkpoint interval, and statement journals kept in memory (a batch's
/// multi-row statements journal the pages they change so that one failing statement
/// can be undone alone; in a file that is a write per page besides the WAL's).
///
/// With the pool's `journal_mode=WAL` and `synchronous=NORMAL`, a commit is durable
/// against a crash of the process (it is in the WAL file once the commit returns); a
/// crash of the machine or power loss may lose the last commits before a checkpoint,
/// never corrupt the database.
pub fn reaction_writer_options(base: SqliteConnectOptions) -> SqliteConnectOptions {
    base.pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
        .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
        .pragma("temp_store", "memory")
}

/// How long a statement of the writer waits for another connection's write lock.
const WRITER_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a synchronous connection to the database at `path` with the pool's settings
/// (WAL, `synchronous=NORMAL`, foreign keys, busy timeout) and the writer's (see
/// [`reaction_writer_options`]). Blocking: call it on a thread of its own.
fn open_writer_conn(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("while opening the database {}", path.display()))?;
    conn.busy_timeout(WRITER_BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "the database {} is not in WAL mode ({mode})",
        path.display()
    );
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cache_size", format!("-{WRITER_CACHE_KIB}"))?;
    conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
    conn.pragma_update(None, "temp_store", "memory")?;
    Ok(conn)
}

/// Starts passive checkpoints on a connection and thread of its own, so that copying
/// the WAL into the database happens beside the reaction writer rather than inside
/// one of its commits. The thread ends when the [`Checkpointer`] is dropped.
pub struct Checkpointer {
    ask: mpsc::SyncSender<()>,
}

impl Checkpointer {
    /// Asks for a checkpoint; nothing happens if one is still asked for or running.
    pub fn request(&self) {
        let _ = self.ask.try_send(());
    }
}

impl Store {
    /// Opens the reaction writer's connection (see [`reaction_writer_options`]).
    /// Blocking: the writer calls it on its own thread.
    pub fn open_reaction_writer(&self) -> anyhow::Result<ReactionConn> {
        let conn = open_writer_conn(&self.path)
            .context("while opening the reaction writer's connection")?;
        Ok(ReactionConn {
            conn,
            in_batch: false,
            lookups: Lookups::default(),
        })
    }

    /// Starts a [`Checkpointer`] for this database.
    pub fn checkpointer(&self) -> anyhow::Result<Checkpointer> {
        let (ask, asked) = mpsc::sync_channel::<()>(1);
        let path = self.path.clone();
        std::thread::Builder::new()
            .name("hearth-checkpoint".into())
            .spawn(move || {
                let conn = match open_writer_conn(&path) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = format!("{e:#}"), "no background checkpoints");
                        return;
                    }
                };
                while asked.recv().is_ok() {
                    let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Err(e) = done {
                        tracing::debug!(error = %e, "checkpoint not done");
                    }
                }
            })
            .context("while starting the checkpoint thread")?;
        Ok(Checkpointer { ask })
    }

    /// Copies what it can of the WAL into the database without waiting for (or
    /// holding up) readers and the writer: SQLite's passive checkpoint.
    pub async fn checkpoint(&self) -> anyhow::Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether [`Store::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }
}

/// The lookups' epoch; the posted prompts behind the message ids `?1` on platform `?2`
/// (by position in `?1`; the oldest delivery where two share a message id, as
/// [`Store::delivery_by_message`] finds) and the members of their couples and of the
/// couples `?5`; which of the keys `?3` (`[delivery id, or position in ?1; user;
/// emoji]`) are active reactions (by position in `?3`); for the couples `?4` (`[couple
/// id, or position in ?1]`), the couple's latest posted delivery and whether it has an
/// open on-demand prompt (the rules of [`Store::latest_posted`] and
/// [`Store::has_open_on_demand`]).
macro_rules! read_sql {
    () => {
        "
WITH p AS MATERIALIZED (
    SELECT j.key AS i, d.id, d.couple_id, d.kind
    FROM json_each(?1) j CROSS JOIN deliveries d
    WHERE d.id = (SELECT MIN(x.id) FROM deliveries x JOIN couples c ON c.id = x.couple_id
                  WHERE x.message_id = j.value AND c.platform = ?2)
)
SELECT
    (SELECT n FROM reaction_lookups_epoch),
    (SELECT json_group_array(json_array(i, id, couple_id, kind)) FROM p),
    (SELECT json_group_array(json_array(m.couple_id, m.user_id)) FROM couple_members m
     WHERE m.couple_id IN (SELECT couple_id FROM p UNION SELECT value FROM json_each(?5))),
    (SELECT json_group_array(json_array(k.key, r.id)) FROM json_each(?3) k JOIN reactions r
     ON r.delivery_id = coalesce(k.value ->> 0, (SELECT p.id FROM p WHERE p.i = k.value ->> 1))
        AND r.user_id = k.value ->> 2 AND r.emoji = k.value ->> 3 AND r.removed_at IS NULL),
    (SELECT json_group_array(json_array(
        a.couple_id,
        (SELECT l.id FROM deliveries l WHERE l.couple_id = a.couple_id AND l.state = 'posted'
         ORDER BY l.posted_at DESC, l.id DESC LIMIT 1),
        EXISTS (SELECT 1 FROM deliveries o WHERE o.couple_id = a.couple_id
                AND o.schedule_id IS NULL AND o.state IN ('pending', 'sending'))))
     FROM (SELECT DISTINCT coalesce(q.value ->> 0,
                                    (SELECT p.couple_id FROM p WHERE p.i = q.value ->> 1)) AS couple_id
           FROM json_each(?4) q) a
     WHERE a.couple_id IS NOT NULL)"
    };
}

/// The first read of a batch begins its transaction. `BEGIN IMMEDIATE` takes the write
/// lock first, so what the batch reads cannot change before it writes, and a busy
/// database shows before any work is done.
const BEGIN: &str = "BEGIN IMMEDIATE";
const READ: &str = read_sql!();

/// Marks the rows `?2` removed at `?1`.
const REMOVE: &str = "UPDATE reactions SET removed_at = ?1
WHERE id IN (SELECT value FROM json_each(?2)) AND removed_at IS NULL";
/// Writes the new rows `?2` in order.
const INSERT: &str = "
INSERT INTO reactions (delivery_id, user_id, emoji, added_at, removed_at, platform_ref)
SELECT value ->> 0, value ->> 1, value ->> 2, ?1, CASE WHEN value ->> 3 THEN ?1 END, value ->> 4
FROM json_each(?2) ORDER BY key";
/// Queues the on-demand prompts `?2` (as [`Store::enqueue_on_demand`] does).
const ON_DEMAND: &str = "
INSERT INTO deliveries (couple_id, kind, slot_at, state, requested_by, created_at)
SELECT value ->> 0, value ->> 1, ?1, 'pending', value ->> 2, ?1
FROM json_each(?2) ORDER BY key";

/// The five columns of [`READ`]: the epoch and four JSON arrays.
type FactsRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn parse<T: serde::de::DeserializeOwned>(json: Option<&str>) -> anyhow::Result<Vec<T>> {
    match json {
        Some(s) => serde_json::from_str(s).context("while reading a reaction batch"),
        None => Ok(Vec::new()),
    }
}

/// A reaction an event names: (message id, user, emoji).
pub type ReactionKey<'a> = (&'a str, &'a str, &'a str);

/// Where a message id points in a read: a known posted prompt (delivery, couple), or a
/// position in the message ids asked about.
#[derive(Clone, Copy)]
enum Target {
    Known(i64, i64),
    Ask(usize),
}

/// The posted prompts, members, active reactions and on-demand state of [`READ`].
type PostedRow = (usize, i64, i64, String);

impl ReactionConn {
    /// What the writer knows about posted prompts and couple members, as of the
    /// batch's last [`ReactionConn::facts`].
    pub fn lookups(&self) -> &Lookups {
        &self.lookups
    }

    /// What a batch of events on `platform` needs: the lookups of every message the
    /// `keys` name are brought up to date (see [`ReactionConn::lookups`]), and
    /// [`BatchFacts`] tells which keys are active reactions and, for the couples of
    /// the messages `another_on`, their on-demand state. Keys on messages that are no
    /// posted prompt, or by someone outside the couple, may be left unanswered.
    /// The first call of a batch begins its transaction.
    pub fn facts(
        &mut self,
        platform: PlatformKind,
        keys: &[ReactionKey<'_>],
        another_on: &[&str],
    ) -> anyhow::Result<BatchFacts> {
        if !self.in_batch {
            self.lookups.age();
        }
        loop {
            // What the lookups know, and what to ask for.
            let mut ask: Vec<&str> = Vec::new();
            let mut targets: HashMap<&str, Target> = HashMap::new();
            let mut couples: HashSet<i64> = HashSet::new();
            for m in keys.iter().map(|k| k.0).chain(another_on.iter().copied()) {
                if targets.contains_key(m) {
                    continue;
                }
                let known = self
                    .lookups
                    .touch_posted(platform, m)
                    .map(|p| (p.delivery_id, p.couple_id));
                let t = match known {
                    Some((d, c)) => {
                        if !self.lookups.touch_members(c) {
                            couples.insert(c);
                        }
                        Target::Known(d, c)
                    }
                    None => {
                        ask.push(m);
                        Target::Ask(ask.len() - 1)
                    }
                };
                targets.insert(m, t);
            }
            let mut sent = Vec::with_capacity(keys.len());
            let mut key_json = Vec::with_capacity(keys.len());
            for (at, (m, user, emoji)) in keys.iter().enumerate() {
                let (d, i) = match targets.get(m) {
                    Some(Target::Known(d, c)) => {
                        if !couples.contains(c) && !self.lookups.is_member(*c, user) {
                            continue;
                        }
                        (Some(*d), None)
                    }
                    Some(Target::Ask(i)) => (None, Some(*i)),
                    None => continue,
                };
                sent.push(at);
                key_json.push((d, i, *user, *emoji));
            }
            let another_json: Vec<(Option<i64>, Option<usize>)> = another_on
                .iter()
                .filter_map(|m| match targets.get(m)? {
                    Target::Known(_, c) => Some((Some(*c), None)),
                    Target::Ask(i) => Some((None, Some(*i))),
                })
                .collect();
            let couples_json: Vec<i64> = couples.iter().copied().collect();

            if !self.in_batch {
                self.conn.execute_batch(BEGIN)?;
                self.in_batch = true;
            }
            let (epoch, posted, members, active, another): FactsRow =
                self.conn.prepare_cached(READ)?.query_row(
                    params![
                        serde_json::to_string(&ask)?,
                        platform.as_str(),
                        serde_json::to_string(&key_json)?,
                        serde_json::to_string(&another_json)?,
                        serde_json::to_string(&couples_json)?,
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?;
            if !self.lookups.check_epoch(epoch) {
                // Something the lookups held changed: ask again, knowing nothing.
                continue;
            }

            let posted: Vec<PostedRow> = parse(posted.as_deref())?;
            let mut by_couple: HashMap<i64, Vec<String>> =
                couples.iter().map(|c| (*c, Vec::new())).collect();
            for (_, _, couple_id, _) in &posted {
                by_couple.entry(*couple_id).or_default();
            }
            for (couple_id, user) in parse::<(i64, String)>(members.as_deref())? {
                by_couple.entry(couple_id).or_default().push(user);
            }
            for (i, delivery_id, couple_id, kind) in posted {
                let m = ask
                    .get(i)
                    .context("a reaction batch read an unknown message")?;
                let p = PostedPrompt {
                    delivery_id,
                    couple_id,
                    kind,
                };
                self.lookups.insert_posted(platform, (*m).to_string(), p);
            }
            for (couple_id, users) in by_couple {
                self.lookups.insert_members(couple_id, users);
            }

            let mut facts = BatchFacts::default();
            for (at, row_id) in parse::<(usize, i64)>(active.as_deref())? {
                let key = sent
                    .get(at)
                    .context("a reaction batch read an unknown key")?;
                facts.active.push((*key, row_id));
            }
            for (couple_id, latest, open) in parse::<(i64, Option<i64>, i64)>(another.as_deref())? {
                facts.another.insert(couple_id, (latest, open != 0));
            }
            return Ok(facts);
        }
    }

    /// Writes a batch's changes at `now` and commits: the rows `removed` marked
    /// removed, then the `new` rows in order (their ids follow it), then the on-demand
    /// prompts. Without a transaction begun by [`ReactionConn::facts`] there is
    /// nothing to write.
    pub fn write_and_commit(
        &mut self,
        now: i64,
        removed: &[i64],
        new: &[NewReaction<'_>],
        on_demand: &[OnDemand],
    ) -> anyhow::Result<()> {
        if !self.in_batch {
            anyhow::ensure!(
                removed.is_empty() && new.is_empty() && on_demand.is_empty(),
                "reaction changes without a transaction"
            );
            return Ok(());
        }
        let new: Vec<_> = new
            .iter()
            .map(|r| (r.delivery_id, r.user, r.emoji, r.removed, r.platform_ref))
            .collect();
        let on_demand: Vec<_> = on_demand
            .iter()
            .map(|o| (o.couple_id, &o.kind, &o.requested_by))
            .collect();
        if !removed.is_empty() {
            self.conn
                .prepare_cached(REMOVE)?
                .execute(params![now, serde_json::to_string(removed)?])?;
        }
        if !new.is_empty() {
            self.conn
                .prepare_cached(INSERT)?
                .execute(params![now, serde_json::to_string(&new)?])?;
        }
        if !on_demand.is_empty() {
            self.conn
                .prepare_cached(ON_DEMAND)?
                .execute(params![now, serde_json::to_string(&on_demand)?])?;
        }
        self.conn.execute_batch("COMMIT")?;
        self.in_batch = false;
        Ok(())
    }

    /// Ends a failed batch: rolls back whatever of its transaction is open.
    pub fn roll_back(&mut self) {
        if std::mem::take(&mut self.in_batch) {
            // Fails harmlessly if the transaction never began or already ended.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Whether a failed statement failed on the data it was given, perhaps because of one
/// event of a batch, rather than on the database as a whole (busy, closed, full,
/// unreadable). SQLite's primary result codes that depend on the data written:
/// ERROR (a trigger's RAISE among others), TOOBIG, CONSTRAINT, MISMATCH, RANGE.
pub fn failed_on_data(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let sqlx_code = || {
            c.downcast_ref::<sqlx::Error>()
                .and_then(sqlx::Error::as_database_error)
                .and_then(|d| d.code()?.parse::<i32>().ok())
        };
        let code = match c.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, _)) => Some(f.extended_code),
            _ => sqlx_code(),
        };
        code.is_some_and(|code| matches!(code & 0xff, 1 | 18 | 19 | 20 | 25))
    })
}
