//! Notices waiting for the engine to post them (a suggestion's outcome). Posted ones
//! are deleted: nothing here is kept longer than it takes to say it.

use sqlx::Row;

use super::Store;
use crate::domain::ChannelRef;

/// A notice to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNotice {
    pub id: i64,
    pub channel: ChannelRef,
    pub text: String,
    pub attempts: i64,
}

impl Store {
    /// Queues a notice for `channel`; `about` is the person it concerns (forget-me
    /// deletes it with them).
    pub async fn queue_notice(
        &self,
        channel: &ChannelRef,
        text: &str,
        about: Option<&str>,
        now: i64,
    ) -> anyhow::Result<i64> {
        let res = sqlx::query(
            "INSERT INTO notices (platform, scope, channel, text, about, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(channel.platform.as_str())
        .bind(&channel.scope)
        .bind(&channel.channel)
        .bind(text)
        .bind(about)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(res.last_insert_rowid())
    }

    /// Up to `limit` notices for the platforms in `active` (a JSON array), oldest first.
    pub async fn pending_notices(
        &self,
        active: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<PendingNotice>> {
        let rows = sqlx::query(
            "SELECT id, platform, scope, channel, text, attempts FROM notices
             WHERE platform IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?",
        )
        .bind(active)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingNotice {
                    id: r.get("id"),
                    channel: super::channel_of(r)?,
                    text: r.get("text"),
                    attempts: r.get("attempts"),
                })
            })
            .collect()
    }

    /// A notice was posted, or given up on.
    pub async fn drop_notice(&self, id: i64) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM notices WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn notice_attempted(&self, id: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE notices SET attempts = attempts + 1 WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
