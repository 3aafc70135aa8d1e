//! Check-in answers: the reactions members left on posted check-in prompts.

use sqlx::Row;

use super::Store;

/// One active reaction on a posted check-in prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinReaction {
    pub delivery_id: i64,
    pub posted_at: i64,
    pub user: String,
    pub emoji: String,
    pub added_at: i64,
}

impl Store {
    /// Active reactions on a couple's check-in prompts posted at or after `since`,
    /// by prompt, member, then oldest first (so a later answer can replace an earlier).
    pub async fn checkin_reactions(
        &self,
        couple_id: i64,
        since: i64,
    ) -> anyhow::Result<Vec<CheckinReaction>> {
        let rows = sqlx::query(
            "SELECT d.id, d.posted_at, r.user_id, r.emoji, r.added_at FROM deliveries d
             JOIN reactions r ON r.delivery_id = d.id
             WHERE d.couple_id = ? AND d.kind = 'check-in' AND d.state = 'posted'
               AND d.posted_at >= ? AND r.removed_at IS NULL
             ORDER BY d.id, r.user_id, r.added_at, r.id",
        )
        .bind(couple_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| CheckinReaction {
                delivery_id: r.get("id"),
                posted_at: r.get("posted_at"),
                user: r.get("user_id"),
                emoji: r.get("emoji"),
                added_at: r.get("added_at"),
            })
            .collect())
    }
}
