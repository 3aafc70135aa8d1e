//! Pause periods of a couple (for the weekly streak) and pauses that end by themselves.

use sqlx::Row;

use super::Store;

/// One pause of a couple: `until_at` is `None` while it lasts; `resume_at` is when a
/// `pause --until` ends by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PausePeriod {
    pub from_at: i64,
    pub until_at: Option<i64>,
    pub resume_at: Option<i64>,
}

/// A posted prompt, for the streak: when it was posted and whether a member reacted
/// to it or answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostedEngagement {
    pub posted_at: i64,
    pub engaged: bool,
}

impl Store {
    /// Pauses a couple (until `resume_at`, or until someone resumes) and records the
    /// period. Pausing takes all its schedules off the clock.
    pub async fn pause_couple(
        &self,
        id: i64,
        now: i64,
        resume_at: Option<i64>,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE couples SET paused = 1 WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE schedules SET next_slot_at = NULL WHERE couple_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE pauses SET until_at = ? WHERE couple_id = ? AND until_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO pauses (couple_id, from_at, resume_at) VALUES (?, ?, ?)")
            .bind(id)
            .bind(now)
            .bind(resume_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resumes a couple at `at` and closes its open pause; the caller gives its
    /// schedules fresh next slots.
    pub async fn resume_couple(&self, id: i64, at: i64) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE couples SET paused = 0 WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE pauses SET until_at = ? WHERE couple_id = ? AND until_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Couples whose `pause --until` has come to its end by `now`, with that end.
    pub async fn pauses_ending(&self, now: i64) -> anyhow::Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT couple_id, resume_at FROM pauses
             WHERE until_at IS NULL AND resume_at IS NOT NULL AND resume_at <= ? ORDER BY resume_at",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("couple_id"), r.get("resume_at")))
            .collect())
    }

    /// Every pause of a couple, oldest first.
    pub async fn pauses_of_couple(&self, couple_id: i64) -> anyhow::Result<Vec<PausePeriod>> {
        let rows = sqlx::query(
            "SELECT from_at, until_at, resume_at FROM pauses WHERE couple_id = ? ORDER BY from_at, id",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| PausePeriod {
                from_at: r.get("from_at"),
                until_at: r.get("until_at"),
                resume_at: r.get("resume_at"),
            })
            .collect())
    }

    /// Every posted prompt of a couple with whether a member engaged with it: an
    /// active reaction by a member, or an answer.
    pub async fn posted_engagement(&self, couple_id: i64) -> anyhow::Result<Vec<PostedEngagement>> {
        let rows = sqlx::query(
            "SELECT d.posted_at,
                    EXISTS (SELECT 1 FROM reactions r
                            JOIN couple_members m ON m.couple_id = d.couple_id AND m.user_id = r.user_id
                            WHERE r.delivery_id = d.id AND r.removed_at IS NULL)
                    OR EXISTS (SELECT 1 FROM answers a WHERE a.delivery_id = d.id) AS engaged
             FROM deliveries d
             WHERE d.couple_id = ? AND d.state = 'posted' AND d.posted_at IS NOT NULL
             ORDER BY d.posted_at",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| PostedEngagement {
                posted_at: r.get("posted_at"),
                engaged: r.get::<i64, _>("engaged") != 0,
            })
            .collect())
    }
}
