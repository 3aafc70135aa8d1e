//! The weekly digest's schedule per couple and its posts. A couple's next digest
//! time lives on the couple (`digest_next_at`, NULL until planned); at that time the
//! engine claims a `digests` row for the slot (UNIQUE per couple and slot, so a slot
//! is posted once) and posts it like a delivery: leased, keyed, retried.

use sqlx::Row;

use super::Store;
use crate::domain::ChannelRef;

/// A couple whose digest needs planning or claiming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestPlan {
    pub couple_id: i64,
    /// `None`: the configured default.
    pub spec: Option<String>,
    pub timezone: String,
    /// The slot that came (claiming) or `None` (planning).
    pub due_at: Option<i64>,
}

/// A claimed digest slot waiting to be posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDigest {
    pub id: i64,
    pub couple_id: i64,
    pub channel: ChannelRef,
    pub slot_at: i64,
    pub attempts: i64,
}

/// When the engine is next needed for digests, for the platforms in `?1` (a JSON
/// array): now if a couple's digest is not planned yet, else the earliest planned
/// digest, or a claimed one's retry or lease end.
macro_rules! earliest_digest_sql {
    () => {
        "SELECT MIN(t) FROM (
           SELECT (SELECT 0 FROM couples c
                   WHERE c.digest_next_at IS NULL AND (c.digest_spec IS NULL OR c.digest_spec <> 'off')
                     AND +c.platform IN (SELECT value FROM json_each(?1)) LIMIT 1) AS t
           UNION ALL
           SELECT (SELECT MIN(c.digest_next_at) FROM couples c
                   WHERE c.digest_next_at IS NOT NULL
                     AND +c.platform IN (SELECT value FROM json_each(?1)))
           UNION ALL
           SELECT (SELECT MIN(MAX(g.next_attempt_at, COALESCE(g.lease_until, 0))) FROM digests g
                   JOIN couples c ON c.id = g.couple_id
                   WHERE g.state = 'pending' AND +c.platform IN (SELECT value FROM json_each(?1))))"
    };
}
pub(crate) use earliest_digest_sql;

impl Store {
    /// Sets a couple's digest schedule (`None`: the default, `"off"`: none) and
    /// leaves the next time for the engine to plan.
    pub async fn set_digest_spec(&self, couple_id: i64, spec: Option<&str>) -> anyhow::Result<()> {
        sqlx::query("UPDATE couples SET digest_spec = ?, digest_next_at = NULL WHERE id = ?")
            .bind(spec)
            .bind(couple_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// When digests next need the engine (planning, a slot, a retry), for the
    /// platforms in `active`: one read, so a tick with no digest work does no more.
    pub async fn earliest_digest(&self, active: &str) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(earliest_digest_sql!())
            .bind(active)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Up to `limit` couples whose digest is on but not planned.
    pub async fn unplanned_digests(
        &self,
        active: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<DigestPlan>> {
        let rows = sqlx::query(
            "SELECT id, digest_spec, timezone FROM couples c
             WHERE c.digest_next_at IS NULL AND (c.digest_spec IS NULL OR c.digest_spec <> 'off')
               AND +c.platform IN (SELECT value FROM json_each(?)) LIMIT ?",
        )
        .bind(active)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| plan_of(r, None)).collect())
    }

    /// Sets the planned digest times; a couple given `None` has no next digest
    /// (its schedule has no next slot) and is set to `off`.
    pub async fn plan_digests(&self, plans: &[(i64, Option<i64>)]) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        for (couple, at) in plans {
            sqlx::query(
                "UPDATE couples SET digest_next_at = ?2,
                        digest_spec = CASE WHEN ?2 IS NULL THEN 'off' ELSE digest_spec END
                 WHERE id = ?1",
            )
            .bind(couple)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// In one transaction: each couple whose digest time has come gets a digest row
    /// for that slot, and its next time from `next` (asked with the plan). Returns
    /// how many slots were claimed.
    pub async fn claim_digests(
        &self,
        now: i64,
        active: &str,
        limit: i64,
        mut next: impl FnMut(&DigestPlan) -> Option<i64>,
    ) -> anyhow::Result<usize> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(
            "SELECT id, digest_spec, timezone, digest_next_at FROM couples c
             WHERE c.digest_next_at IS NOT NULL AND c.digest_next_at <= ?
               AND +c.platform IN (SELECT value FROM json_each(?)) LIMIT ?",
        )
        .bind(now)
        .bind(active)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let plan = plan_of(r, r.get("digest_next_at"));
            sqlx::query(
                "INSERT INTO digests (couple_id, slot_at, next_attempt_at) VALUES (?, ?, ?)
                 ON CONFLICT (couple_id, slot_at) DO NOTHING",
            )
            .bind(plan.couple_id)
            .bind(plan.due_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let at = next(&plan);
            sqlx::query(
                "UPDATE couples SET digest_next_at = ?2,
                        digest_spec = CASE WHEN ?2 IS NULL THEN 'off' ELSE digest_spec END
                 WHERE id = ?1",
            )
            .bind(plan.couple_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Claimed digests ready to post (not leased by another process), oldest first.
    pub async fn digests_to_post(
        &self,
        now: i64,
        active: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<PendingDigest>> {
        let rows = sqlx::query(
            "SELECT g.id, g.couple_id, g.slot_at, g.attempts, c.platform, c.scope, c.channel
             FROM digests g JOIN couples c ON c.id = g.couple_id
             WHERE g.state = 'pending' AND g.next_attempt_at <= ?1
               AND COALESCE(g.lease_until, 0) <= ?1
               AND c.platform IN (SELECT value FROM json_each(?2))
             ORDER BY g.next_attempt_at, g.id LIMIT ?3",
        )
        .bind(now)
        .bind(active)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingDigest {
                    id: r.get("id"),
                    couple_id: r.get("couple_id"),
                    channel: super::channel_of(r)?,
                    slot_at: r.get("slot_at"),
                    attempts: r.get("attempts"),
                })
            })
            .collect()
    }

    /// Takes a digest for posting until `until`; false if someone else has it.
    pub async fn lease_digest(&self, id: i64, now: i64, until: i64) -> anyhow::Result<bool> {
        let res = sqlx::query(
            "UPDATE digests SET lease_until = ?3, attempts = attempts + 1
             WHERE id = ?1 AND state = 'pending' AND COALESCE(lease_until, 0) <= ?2",
        )
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// A digest is done: `posted` (with what it resurfaced), `skipped` or `failed`.
    pub async fn finish_digest(
        &self,
        id: i64,
        state: &str,
        message_id: Option<&str>,
        resurfaced: Option<&str>,
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE digests SET state = ?2, message_id = ?3, resurfaced = ?4, posted_at = ?5,
                    lease_until = NULL WHERE id = ?1",
        )
        .bind(id)
        .bind(state)
        .bind(message_id)
        .bind(resurfaced)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Tries a digest again at `at`.
    pub async fn retry_digest(&self, id: i64, at: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE digests SET lease_until = NULL, next_attempt_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The jar items the couple's last `n` digests brought back.
    pub async fn recently_resurfaced(&self, couple_id: i64, n: i64) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT resurfaced FROM digests WHERE couple_id = ? AND resurfaced IS NOT NULL
             ORDER BY slot_at DESC LIMIT ?",
        )
        .bind(couple_id)
        .bind(n)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every digest slot of a couple as (slot, state), for tests and checks.
    pub async fn digests_of_couple(&self, couple_id: i64) -> anyhow::Result<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT slot_at, state FROM digests WHERE couple_id = ? ORDER BY slot_at")
                .bind(couple_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("slot_at"), r.get("state")))
            .collect())
    }
}

fn plan_of(r: &sqlx::sqlite::SqliteRow, due_at: Option<i64>) -> DigestPlan {
    DigestPlan {
        couple_id: r.get("id"),
        spec: r.get("digest_spec"),
        timezone: r.get("timezone"),
        due_at,
    }
}
