//! Reactions on posted prompts: every add and removal is kept with its time.

use sqlx::Row;

use super::Store;

/// How often one member used one emoji on a couple's prompts (active reactions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    pub user: String,
    pub emoji: String,
    pub count: i64,
}

impl Store {
    /// Records a reaction; false if the same one was already active.
    pub async fn add_reaction(
        &self,
        delivery_id: i64,
        user: &str,
        emoji: &str,
        now: i64,
        platform_ref: Option<&str>,
    ) -> anyhow::Result<bool> {
        let res = sqlx::query(
            "INSERT OR IGNORE INTO reactions (delivery_id, user_id, emoji, added_at, platform_ref)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(delivery_id)
        .bind(user)
        .bind(emoji)
        .bind(now)
        .bind(platform_ref)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// Marks a reaction removed; false if it was not active.
    pub async fn remove_reaction(
        &self,
        delivery_id: i64,
        user: &str,
        emoji: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let res = sqlx::query(
            "UPDATE reactions SET removed_at = ?
             WHERE delivery_id = ? AND user_id = ? AND emoji = ? AND removed_at IS NULL",
        )
        .bind(now)
        .bind(delivery_id)
        .bind(user)
        .bind(emoji)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// Marks every active reaction on a delivery removed (optionally one emoji only).
    pub async fn remove_all_reactions(
        &self,
        delivery_id: i64,
        emoji: Option<&str>,
        now: i64,
    ) -> anyhow::Result<u64> {
        let res = sqlx::query(
            "UPDATE reactions SET removed_at = ?
             WHERE delivery_id = ? AND removed_at IS NULL AND (?3 IS NULL OR emoji = ?3)",
        )
        .bind(now)
        .bind(delivery_id)
        .bind(emoji)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected())
    }

    /// Active reactions on one delivery as (user, emoji).
    pub async fn active_reactions(
        &self,
        delivery_id: i64,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT user_id, emoji FROM reactions WHERE delivery_id = ? AND removed_at IS NULL
             ORDER BY added_at, id",
        )
        .bind(delivery_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("user_id"), r.get("emoji")))
            .collect())
    }

    /// Active reaction counts per member and emoji over a couple's prompts.
    pub async fn reaction_counts(&self, couple_id: i64) -> anyhow::Result<Vec<ReactionCount>> {
        let rows = sqlx::query(
            "SELECT r.user_id, r.emoji, COUNT(*) AS n FROM reactions r
             JOIN deliveries d ON d.id = r.delivery_id
             WHERE d.couple_id = ? AND r.removed_at IS NULL
             GROUP BY r.user_id, r.emoji ORDER BY n DESC, r.emoji",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ReactionCount {
                user: r.get("user_id"),
                emoji: r.get("emoji"),
                count: r.get("n"),
            })
            .collect())
    }

    /// How many of a couple's posted prompts got at least one reaction.
    pub async fn reacted_delivery_count(&self, couple_id: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(DISTINCT r.delivery_id) FROM reactions r
             JOIN deliveries d ON d.id = r.delivery_id
             WHERE d.couple_id = ? AND r.removed_at IS NULL",
        )
        .bind(couple_id)
        .fetch_one(&self.pool)
        .await?)
    }
}

impl Store {
    /// The (prompt message id, user, emoji) of an active reaction known by its platform id.
    pub async fn reaction_by_ref(
        &self,
        platform: crate::domain::PlatformKind,
        platform_ref: &str,
    ) -> anyhow::Result<Option<(String, String, String)>> {
        let row = sqlx::query(
            "SELECT d.message_id, r.user_id, r.emoji FROM reactions r
             JOIN deliveries d ON d.id = r.delivery_id JOIN couples c ON c.id = d.couple_id
             WHERE r.platform_ref = ? AND c.platform = ? AND r.removed_at IS NULL",
        )
        .bind(platform_ref)
        .bind(platform.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get("message_id"), r.get("user_id"), r.get("emoji"))))
    }
}
