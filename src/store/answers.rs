//! Answers to conversation prompts, kept hidden until the reveal, and the reveal's
//! progress from decided to posted.

use sqlx::Row;

use super::Store;
use crate::domain::{ChannelRef, PlatformKind};

/// A posted prompt someone may answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerTarget {
    pub delivery_id: i64,
    pub couple_id: i64,
    pub kind: String,
    pub revealed: bool,
}

/// What became of a submitted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// The answers were already shown together: nothing was changed.
    AlreadyRevealed,
    Saved {
        /// It replaced the member's earlier answer.
        edited: bool,
        /// This answer was the last one missing: the reveal is now decided.
        revealed: bool,
        /// Members who have not answered yet.
        waiting_for: Vec<String>,
    },
}

/// A decided reveal waiting to be posted.
#[derive(Debug, Clone)]
pub struct PendingReveal {
    pub delivery_id: i64,
    pub couple_id: i64,
    pub channel: ChannelRef,
    pub prompt_text: Option<String>,
    /// The prompt's message, where a thread hangs off it.
    pub prompt_message: Option<String>,
    pub thread: bool,
    /// When the reveal was decided; None: the deadline passed, not yet decided.
    pub revealed_at: Option<i64>,
}

fn target(r: &sqlx::sqlite::SqliteRow) -> AnswerTarget {
    AnswerTarget {
        delivery_id: r.get("id"),
        couple_id: r.get("couple_id"),
        kind: r.get("kind"),
        revealed: r.get::<Option<i64>, _>("revealed_at").is_some(),
    }
}

/// When the next reveal of the platforms in `?1` (a JSON array) needs the engine: a
/// decided one when its lease (or retry time) runs out, an undecided one at its
/// couple's deadline. Read from the small index of prompts with open answers.
macro_rules! earliest_reveal_sql {
    () => {
        "SELECT MIN(CASE WHEN d.revealed_at IS NOT NULL THEN COALESCE(d.reveal_lease_until, 0)
                         WHEN c.reveal_after_secs IS NOT NULL
                         THEN COALESCE(d.posted_at, d.answers_open_since) + c.reveal_after_secs END)
         FROM deliveries d JOIN couples c ON c.id = d.couple_id
         WHERE d.answers_open_since IS NOT NULL
           AND +c.platform IN (SELECT value FROM json_each(?1))"
    };
}
pub(super) use earliest_reveal_sql;

impl Store {
    /// The couple's most recently posted prompt that takes written answers
    /// (conversation and appreciation prompts).
    pub async fn latest_answerable(&self, couple_id: i64) -> anyhow::Result<Option<AnswerTarget>> {
        let row = sqlx::query(
            "SELECT id, couple_id, kind, revealed_at FROM deliveries
             WHERE couple_id = ? AND state = 'posted' AND kind IN ('conversation', 'appreciation')
             ORDER BY posted_at DESC, id DESC LIMIT 1",
        )
        .bind(couple_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(target))
    }

    /// A posted delivery on `platform`, by id.
    pub async fn answer_target(
        &self,
        platform: PlatformKind,
        delivery_id: i64,
    ) -> anyhow::Result<Option<AnswerTarget>> {
        let row = sqlx::query(
            "SELECT d.id, d.couple_id, d.kind, d.revealed_at FROM deliveries d
             JOIN couples c ON c.id = d.couple_id
             WHERE d.id = ? AND c.platform = ? AND d.state = 'posted'",
        )
        .bind(delivery_id)
        .bind(platform.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(target))
    }

    /// Saves (or replaces) `user`'s answer unless the reveal is decided, and decides
    /// the reveal when every member of the couple has answered. One transaction that
    /// writes first, so it holds SQLite's write lock throughout: two answers arriving
    /// at the same instant cannot both see themselves as the last, nor both miss it.
    pub async fn submit_answer(
        &self,
        delivery_id: i64,
        couple_id: i64,
        user: &str,
        text: &str,
        now: i64,
    ) -> anyhow::Result<SubmitOutcome> {
        let mut tx = self.pool.begin().await?;
        let open = sqlx::query(
            "UPDATE deliveries SET answers_open_since = COALESCE(answers_open_since, ?1)
             WHERE id = ?2 AND revealed_at IS NULL",
        )
        .bind(now)
        .bind(delivery_id)
        .execute(&mut *tx)
        .await?;
        if open.rows_affected() == 0 {
            return Ok(SubmitOutcome::AlreadyRevealed);
        }
        let existed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM answers WHERE delivery_id = ? AND user_id = ?",
        )
        .bind(delivery_id)
        .bind(user)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO answers (delivery_id, user_id, text, answered_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (delivery_id, user_id) DO UPDATE SET text = ?3, edited_at = ?4",
        )
        .bind(delivery_id)
        .bind(user)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let waiting_for: Vec<String> = sqlx::query_scalar(
            "SELECT m.user_id FROM couple_members m WHERE m.couple_id = ?1
               AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.delivery_id = ?2 AND a.user_id = m.user_id)
             ORDER BY m.added_at, m.user_id",
        )
        .bind(couple_id)
        .bind(delivery_id)
        .fetch_all(&mut *tx)
        .await?;
        let revealed = waiting_for.is_empty()
            && sqlx::query(
                "UPDATE deliveries SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
            )
            .bind(now)
            .bind(delivery_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
        tx.commit().await?;
        Ok(SubmitOutcome::Saved {
            edited: existed > 0,
            revealed,
            waiting_for,
        })
    }

    /// `user`'s own answer to a delivery, if any (to show it back to them for editing).
    pub async fn own_answer(&self, delivery_id: i64, user: &str) -> anyhow::Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT text FROM answers WHERE delivery_id = ? AND user_id = ?")
                .bind(delivery_id)
                .bind(user)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The answers to a delivery as (user, text), in the order they came, but only
    /// once the reveal is decided: before that, nobody reads them.
    pub async fn revealed_answers(
        &self,
        delivery_id: i64,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT a.user_id, a.text FROM answers a JOIN deliveries d ON d.id = a.delivery_id
             WHERE a.delivery_id = ? AND d.revealed_at IS NOT NULL ORDER BY a.answered_at, a.id",
        )
        .bind(delivery_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("user_id"), r.get("text")))
            .collect())
    }

    /// Who has answered a delivery (never what), for progress messages.
    pub async fn answered_by(&self, delivery_id: i64) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM answers WHERE delivery_id = ? ORDER BY answered_at, id",
        )
        .bind(delivery_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many of a couple's prompts every current member answered.
    pub async fn answered_by_all_count(&self, couple_id: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries d WHERE d.couple_id = ?1 AND d.revealed_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM couple_members m WHERE m.couple_id = ?1
                    AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.delivery_id = d.id AND a.user_id = m.user_id))",
        )
        .bind(couple_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The couples `user` belongs to on `platform`.
    pub async fn couples_of_member(
        &self,
        platform: PlatformKind,
        user: &str,
    ) -> anyhow::Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT m.couple_id FROM couple_members m JOIN couples c ON c.id = m.couple_id
             WHERE m.user_id = ? AND c.platform = ? ORDER BY m.couple_id",
        )
        .bind(user)
        .bind(platform.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets a couple's reveal deadline (`None`: wait for every member).
    pub async fn set_reveal_after(&self, couple_id: i64, secs: Option<i64>) -> anyhow::Result<()> {
        sqlx::query("UPDATE couples SET reveal_after_secs = ? WHERE id = ?")
            .bind(secs)
            .bind(couple_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Decides a reveal whose deadline passed; false if it was decided already.
    pub async fn decide_reveal(&self, id: i64, now: i64) -> anyhow::Result<bool> {
        Ok(sqlx::query(
            "UPDATE deliveries SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Reveals to post now, in one read of the small index of open answers (so an idle
    /// wake-up costs one query): decided ones whose lease (or retry time) has run out,
    /// and undecided ones whose couple's deadline has passed (`revealed_at` None).
    pub async fn reveals_to_post(
        &self,
        now: i64,
        active: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<PendingReveal>> {
        let rows = sqlx::query(
            "SELECT d.id, d.couple_id, d.prompt_text, d.message_id, d.revealed_at, c.platform, c.scope, c.channel,
                    COALESCE(s.thread, 0) AS thread
             FROM deliveries d JOIN couples c ON c.id = d.couple_id
             LEFT JOIN schedules s ON s.id = d.schedule_id
             WHERE d.answers_open_since IS NOT NULL
               AND ((d.revealed_at IS NOT NULL AND COALESCE(d.reveal_lease_until, 0) <= ?1)
                 OR (d.revealed_at IS NULL AND c.reveal_after_secs IS NOT NULL
                     AND COALESCE(d.posted_at, d.answers_open_since) + c.reveal_after_secs <= ?1))
               AND +c.platform IN (SELECT value FROM json_each(?2))
             ORDER BY d.id LIMIT ?3",
        )
        .bind(now)
        .bind(active)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingReveal {
                    delivery_id: r.get("id"),
                    couple_id: r.get("couple_id"),
                    channel: super::channel_of(r)?,
                    prompt_text: r.get("prompt_text"),
                    prompt_message: r.get("message_id"),
                    thread: r.get::<i64, _>("thread") != 0,
                    revealed_at: r.get("revealed_at"),
                })
            })
            .collect()
    }

    /// Takes a reveal for posting until `until` (compare-and-set: one poster at a time).
    pub async fn lease_reveal(&self, id: i64, now: i64, until: i64) -> anyhow::Result<bool> {
        Ok(sqlx::query(
            "UPDATE deliveries SET reveal_lease_until = ?1
             WHERE id = ?2 AND answers_open_since IS NOT NULL AND revealed_at IS NOT NULL
               AND COALESCE(reveal_lease_until, 0) <= ?3",
        )
        .bind(until)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// The reveal is out (or given up on: `message_id` None): it leaves the open set.
    pub async fn finish_reveal(&self, id: i64, message_id: Option<&str>) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE deliveries SET answers_open_since = NULL, reveal_lease_until = NULL,
                    reveal_message_id = ? WHERE id = ?",
        )
        .bind(message_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Try posting a reveal again at `at`.
    pub async fn retry_reveal(&self, id: i64, at: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE deliveries SET reveal_lease_until = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
