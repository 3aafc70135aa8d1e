//! Deliveries: one row per prompt to post, from pending to posted (or skipped, failed).

use sqlx::Row;

use super::Store;
use crate::domain::{ChannelRef, PlatformKind};

/// When the earliest open delivery of the platforms in `?1` (a JSON array) may be
/// sent: a pending one's retry time, a sending one's lease end. Read from the
/// open-deliveries index; the `+` keeps SQLite from reading every couple first.
macro_rules! earliest_attempt_sql {
    () => {
        "SELECT MIN(CASE d.state WHEN 'pending' THEN COALESCE(d.next_attempt_at, 0)
                                 ELSE COALESCE(d.lease_until, 0) END)
         FROM deliveries d JOIN couples c ON c.id = d.couple_id
         WHERE d.state IN ('pending', 'sending')
           AND +c.platform IN (SELECT value FROM json_each(?1))"
    };
}
pub(super) use earliest_attempt_sql;

/// A delivery waiting to be sent, with where it goes.
#[derive(Debug, Clone)]
pub struct OpenDelivery {
    pub id: i64,
    pub schedule_id: Option<i64>,
    pub couple_id: i64,
    pub kind: String,
    pub slot_at: i64,
    pub prompt_id: Option<String>,
    pub attempts: i64,
    pub channel: ChannelRef,
    pub couple_depth: String,
    pub thread: bool,
}

/// A posted prompt, found by its platform message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedRef {
    pub delivery_id: i64,
    pub couple_id: i64,
    pub kind: String,
    pub prompt_id: Option<String>,
}

/// One line of a couple's history.
#[derive(Debug, Clone)]
pub struct HistoryItem {
    pub delivery_id: i64,
    pub kind: String,
    pub prompt_id: Option<String>,
    pub text: Option<String>,
    pub posted_at: i64,
    /// Active reactions as (user, emoji).
    pub reactions: Vec<(String, String)>,
}

impl Store {
    /// Queues a prompt asked for now (no schedule).
    pub async fn enqueue_on_demand(
        &self,
        couple_id: i64,
        kind: &str,
        requested_by: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        let res = sqlx::query(
            "INSERT INTO deliveries (couple_id, kind, slot_at, state, requested_by, created_at)
             VALUES (?, ?, ?, 'pending', ?, ?)",
        )
        .bind(couple_id)
        .bind(kind)
        .bind(now)
        .bind(requested_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(res.last_insert_rowid())
    }

    /// Deliveries ready to send now: pending ones whose retry time has come, and
    /// ones a crashed sender held whose lease ran out. Read from the open-deliveries
    /// index (the `+` keeps SQLite from reading every couple of the platform first).
    pub async fn open_deliveries(
        &self,
        now: i64,
        limit: i64,
        active: &str,
    ) -> anyhow::Result<Vec<OpenDelivery>> {
        let rows = sqlx::query(
            "SELECT d.id, d.schedule_id, d.couple_id, d.kind, d.slot_at, d.prompt_id, d.attempts,
                    c.platform, c.scope, c.channel, c.depth, COALESCE(s.thread, 0) AS thread
             FROM deliveries d
             JOIN couples c ON c.id = d.couple_id
             LEFT JOIN schedules s ON s.id = d.schedule_id
             WHERE d.state IN ('pending', 'sending')
               AND ((d.state = 'pending' AND COALESCE(d.next_attempt_at, 0) <= ?1)
                 OR (d.state = 'sending' AND COALESCE(d.lease_until, 0) <= ?1))
               AND +c.platform IN (SELECT value FROM json_each(?3))
             ORDER BY d.slot_at, d.id LIMIT ?2",
        )
        .bind(now)
        .bind(limit)
        .bind(active)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OpenDelivery {
                    id: r.get("id"),
                    schedule_id: r.get("schedule_id"),
                    couple_id: r.get("couple_id"),
                    kind: r.get("kind"),
                    slot_at: r.get("slot_at"),
                    prompt_id: r.get("prompt_id"),
                    attempts: r.get("attempts"),
                    channel: super::channel_of(r)?,
                    couple_depth: r.get("depth"),
                    thread: r.get::<i64, _>("thread") != 0,
                })
            })
            .collect()
    }

    /// A transient failure: try again at `retry_at`.
    pub async fn mark_retry(&self, id: i64, retry_at: i64, error: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = ?, lease_until = NULL,
                    last_error = ?
             WHERE id = ? AND state = 'sending'",
        )
        .bind(retry_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up on a delivery, keeping why.
    pub async fn mark_failed(&self, id: i64, error: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE deliveries SET state = 'failed', lease_until = NULL, last_error = ? WHERE id = ?",
        )
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When the engine next has a send to retry or a lease to reclaim.
    pub async fn earliest_attempt(&self, active: &str) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(earliest_attempt_sql!())
            .bind(active)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Finds the delivery a platform message belongs to.
    pub async fn delivery_by_message(
        &self,
        platform: PlatformKind,
        message_id: &str,
    ) -> anyhow::Result<Option<PostedRef>> {
        let row = sqlx::query(
            "SELECT d.id, d.couple_id, d.kind, d.prompt_id FROM deliveries d
             JOIN couples c ON c.id = d.couple_id
             WHERE d.message_id = ? AND c.platform = ?",
        )
        .bind(message_id)
        .bind(platform.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PostedRef {
            delivery_id: r.get("id"),
            couple_id: r.get("couple_id"),
            kind: r.get("kind"),
            prompt_id: r.get("prompt_id"),
        }))
    }

    /// The couple's most recently posted prompt.
    pub async fn latest_posted(&self, couple_id: i64) -> anyhow::Result<Option<PostedRef>> {
        let row = sqlx::query(
            "SELECT id, couple_id, kind, prompt_id FROM deliveries
             WHERE couple_id = ? AND state = 'posted' ORDER BY posted_at DESC, id DESC LIMIT 1",
        )
        .bind(couple_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PostedRef {
            delivery_id: r.get("id"),
            couple_id: r.get("couple_id"),
            kind: r.get("kind"),
            prompt_id: r.get("prompt_id"),
        }))
    }

    /// The last `limit` posted prompts of a couple, newest first, with reactions.
    pub async fn history(&self, couple_id: i64, limit: i64) -> anyhow::Result<Vec<HistoryItem>> {
        let rows = sqlx::query(
            "SELECT id, kind, prompt_id, prompt_text, posted_at FROM deliveries
             WHERE couple_id = ? AND state = 'posted' ORDER BY posted_at DESC, id DESC LIMIT ?",
        )
        .bind(couple_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.get("id");
            let reactions = self.active_reactions(id).await?;
            out.push(HistoryItem {
                delivery_id: id,
                kind: r.get("kind"),
                prompt_id: r.get("prompt_id"),
                text: r.get("prompt_text"),
                posted_at: r.get("posted_at"),
                reactions,
            });
        }
        Ok(out)
    }

    /// Counts of a couple's deliveries by state.
    pub async fn delivery_counts(&self, couple_id: i64) -> anyhow::Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM deliveries WHERE couple_id = ? GROUP BY state ORDER BY state",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get("state"), r.get("n"))).collect())
    }

    /// Every delivery row of a schedule as (slot, state), for tests and checks.
    pub async fn deliveries_of_schedule(
        &self,
        schedule_id: i64,
    ) -> anyhow::Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT slot_at, state FROM deliveries WHERE schedule_id = ? ORDER BY slot_at",
        )
        .bind(schedule_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("slot_at"), r.get("state")))
            .collect())
    }
}

impl Store {
    /// Whether a prompt asked for on demand is still waiting to go out.
    pub async fn has_open_on_demand(&self, couple_id: i64) -> anyhow::Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE couple_id = ? AND schedule_id IS NULL
             AND state IN ('pending', 'sending')",
        )
        .bind(couple_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }
}

/// A posted prompt's place on its platform, for reconciling reactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedMessage {
    pub delivery_id: i64,
    pub channel: String,
    pub message_id: String,
}

impl Store {
    /// Prompts posted on `platform` since `since`, newest first, at most `limit`.
    pub async fn recent_posted(
        &self,
        platform: PlatformKind,
        since: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<PostedMessage>> {
        let rows = sqlx::query(
            "SELECT d.id, c.channel, d.message_id FROM deliveries d JOIN couples c ON c.id = d.couple_id
             WHERE c.platform = ? AND d.state = 'posted' AND d.posted_at >= ? AND d.message_id IS NOT NULL
             ORDER BY d.posted_at DESC LIMIT ?",
        )
        .bind(platform.as_str())
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| PostedMessage {
                delivery_id: r.get("id"),
                channel: r.get("channel"),
                message_id: r.get("message_id"),
            })
            .collect())
    }
}
