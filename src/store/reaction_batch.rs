//! The SQL of group-committed reactions: one write transaction for a whole batch of
//! reaction events, with one statement reading everything the batch needs and one
//! writing everything it changes.
//!
//! Lists travel as one JSON array bound to one parameter (read with `json_each`) and
//! results come back as JSON arrays in a single row: each statement keeps one text
//! whatever the batch size, and a batch costs two round trips to the database (begin
//! and read; write and commit) however many events it holds.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::{ConnectOptions, SqliteConnection};

use super::{PostedRef, Store};
use crate::domain::PlatformKind;

/// A reaction row to write: added in this batch, perhaps removed again in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReaction {
    pub delivery_id: i64,
    pub user: String,
    pub emoji: String,
    pub removed: bool,
    pub platform_ref: Option<String>,
}

/// An on-demand prompt to queue ("another one").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDemand {
    pub couple_id: i64,
    pub kind: String,
    pub requested_by: String,
}

/// What one batch of reaction events needs to know.
#[derive(Debug, Default)]
pub struct BatchFacts {
    /// The posted prompt behind each known message id.
    pub posted: HashMap<String, PostedRef>,
    /// The members of each couple those prompts belong to.
    pub members: HashMap<i64, Vec<String>>,
    /// The active reactions on those prompts: (row id, delivery id, user, emoji).
    pub active: Vec<(i64, i64, String, String)>,
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
    conn: SqliteConnection,
    /// Whether a transaction may be open.
    in_batch: bool,
}

/// Page cache of the writer's connection, in KiB: the pages a batch touches are spread
/// over the reactions table and its indexes.
pub const WRITER_CACHE_KIB: u32 = 65_536;
/// WAL pages after which the writer's own commit checkpoints. Above SQLite's 1,000 so
/// that a page changed by many batches is copied into the database once, not once a
/// batch; the writer also starts checkpoints beside itself, so this is the backstop.
pub const WRITER_CHECKPOINT_PAGES: u32 = 10_000;

impl Store {
    /// Opens the reaction writer's connection: the pool's settings plus a larger page
    /// cache and checkpoint interval.
    pub async fn open_reaction_writer(&self) -> anyhow::Result<ReactionConn> {
        let conn = self
            .options
            .clone()
            .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
            .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
            .connect()
            .await
            .context("while opening the reaction writer's connection")?;
        Ok(ReactionConn {
            conn,
            in_batch: false,
        })
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

/// The posted prompts behind the message ids `?1` on platform `?2` (the oldest
/// delivery where two share a message id, as [`Store::delivery_by_message`] finds),
/// their couples' members and their active reactions; for the message ids `?3`, the
/// couple's latest posted delivery and whether it has an open on-demand prompt (the
/// rules of [`Store::latest_posted`] and [`Store::has_open_on_demand`]).
macro_rules! read_sql {
    () => {
        "
WITH p AS MATERIALIZED (
    SELECT j.value AS message_id, d.id, d.couple_id, d.kind, d.prompt_id
    FROM json_each(?1) j CROSS JOIN deliveries d
    WHERE d.id = (SELECT MIN(x.id) FROM deliveries x JOIN couples c ON c.id = x.couple_id
                  WHERE x.message_id = j.value AND c.platform = ?2)
)
SELECT
    (SELECT json_group_array(json_array(message_id, id, couple_id, kind, prompt_id)) FROM p),
    (SELECT json_group_array(json_array(m.couple_id, m.user_id)) FROM couple_members m
     WHERE m.couple_id IN (SELECT couple_id FROM p)),
    (SELECT json_group_array(json_array(r.id, r.delivery_id, r.user_id, r.emoji)) FROM reactions r
     WHERE r.removed_at IS NULL AND r.delivery_id IN (SELECT id FROM p)),
    (SELECT json_group_array(json_array(
        a.couple_id,
        (SELECT l.id FROM deliveries l WHERE l.couple_id = a.couple_id AND l.state = 'posted'
         ORDER BY l.posted_at DESC, l.id DESC LIMIT 1),
        EXISTS (SELECT 1 FROM deliveries o WHERE o.couple_id = a.couple_id
                AND o.schedule_id IS NULL AND o.state IN ('pending', 'sending'))))
     FROM (SELECT DISTINCT couple_id FROM p
           WHERE message_id IN (SELECT value FROM json_each(?3))) a)"
    };
}

/// The first read of a batch begins its transaction. `BEGIN IMMEDIATE` takes the write
/// lock first, so what the batch reads cannot change before it writes, and a busy
/// database shows before any work is done.
const BEGIN_AND_READ: &str = concat!("BEGIN IMMEDIATE;", read_sql!());
const READ: &str = read_sql!();

/// Marks the rows `?2` removed at `?1`, writes the new rows `?3` in order, queues the
/// on-demand prompts `?4` (as [`Store::enqueue_on_demand`] does), and commits.
const WRITE_AND_COMMIT: &str = "
UPDATE reactions SET removed_at = ?1
WHERE id IN (SELECT value FROM json_each(?2)) AND removed_at IS NULL;
INSERT INTO reactions (delivery_id, user_id, emoji, added_at, removed_at, platform_ref)
SELECT value ->> 0, value ->> 1, value ->> 2, ?1, CASE WHEN value ->> 3 THEN ?1 END, value ->> 4
FROM json_each(?3) ORDER BY key;
INSERT INTO deliveries (couple_id, kind, slot_at, state, requested_by, created_at)
SELECT value ->> 0, value ->> 1, ?1, 'pending', value ->> 2, ?1
FROM json_each(?4) ORDER BY key;
COMMIT;";

type PostedRow = (String, i64, i64, String, Option<String>);
/// The four JSON arrays of [`READ`].
type FactsRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn parse<T: serde::de::DeserializeOwned>(json: Option<String>) -> anyhow::Result<Vec<T>> {
    match json {
        Some(s) => serde_json::from_str(&s).context("while reading a reaction batch"),
        None => Ok(Vec::new()),
    }
}

impl ReactionConn {
    /// Everything a batch of events on `platform` needs: see [`BatchFacts`].
    /// `another_on` names the message ids whose couples' on-demand state is needed.
    /// The first call of a batch begins its transaction, in the same round trip.
    pub async fn facts(
        &mut self,
        platform: PlatformKind,
        message_ids: &[&str],
        another_on: &[&str],
    ) -> anyhow::Result<BatchFacts> {
        let row: Result<FactsRow, _> =
            sqlx::query_as(if self.in_batch { READ } else { BEGIN_AND_READ })
                .bind(serde_json::to_string(message_ids)?)
                .bind(platform.as_str())
                .bind(serde_json::to_string(another_on)?)
                .fetch_one(&mut self.conn)
                .await;
        self.in_batch = true;
        let (posted, members, active, another) = row?;
        let mut facts = BatchFacts::default();
        for (message_id, delivery_id, couple_id, kind, prompt_id) in parse::<PostedRow>(posted)? {
            let p = PostedRef {
                delivery_id,
                couple_id,
                kind,
                prompt_id,
            };
            facts.posted.insert(message_id, p);
        }
        for (couple_id, user) in parse::<(i64, String)>(members)? {
            facts.members.entry(couple_id).or_default().push(user);
        }
        facts.active = parse(active)?;
        for (couple_id, latest, open) in parse::<(i64, Option<i64>, i64)>(another)? {
            facts.another.insert(couple_id, (latest, open != 0));
        }
        Ok(facts)
    }

    /// Writes a batch's changes at `now` and commits: the rows `removed` marked
    /// removed, then the `new` rows in order (their ids follow it), then the on-demand
    /// prompts. Without a transaction begun by [`ReactionConn::facts`] there is
    /// nothing to write.
    pub async fn write_and_commit(
        &mut self,
        now: i64,
        removed: &[i64],
        new: &[NewReaction],
        on_demand: &[OnDemand],
    ) -> anyhow::Result<()> {
        if !self.in_batch {
            anyhow::ensure!(
                removed.is_empty() && new.is_empty() && on_demand.is_empty(),
                "reaction changes without a transaction"
            );
            return Ok(());
        }
        let new: Vec<serde_json::Value> = new
            .iter()
            .map(|r| serde_json::json!([r.delivery_id, r.user, r.emoji, r.removed, r.platform_ref]))
            .collect();
        let on_demand: Vec<serde_json::Value> = on_demand
            .iter()
            .map(|o| serde_json::json!([o.couple_id, o.kind, o.requested_by]))
            .collect();
        sqlx::query(WRITE_AND_COMMIT)
            .bind(now)
            .bind(serde_json::to_string(removed)?)
            .bind(serde_json::to_string(&new)?)
            .bind(serde_json::to_string(&on_demand)?)
            .execute(&mut self.conn)
            .await?;
        self.in_batch = false;
        Ok(())
    }

    /// Ends a failed batch: rolls back whatever of its transaction is open.
    pub async fn roll_back(&mut self) {
        if std::mem::take(&mut self.in_batch) {
            // Fails harmlessly if the transaction never began or already ended.
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        }
    }
}
