//! Moderators' own prompts, kept per community.

use sqlx::Row;

use super::Store;
use crate::domain::ChannelRef;

/// A stored custom prompt, tags as text (validated before they were stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomPrompt {
    pub id: i64,
    pub kind: String,
    pub practice: String,
    pub intimacy: String,
    pub depth: String,
    pub text: String,
}

impl CustomPrompt {
    /// The id it has in the catalog and in deliveries.
    pub fn prompt_id(&self) -> String {
        format!("custom-{}", self.id)
    }
}

impl Store {
    pub async fn add_custom_prompt(
        &self,
        at: &ChannelRef,
        p: &CustomPrompt,
        by: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        let res = sqlx::query(
            "INSERT INTO custom_prompts (platform, scope, kind, practice, intimacy, depth, text, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(at.platform.as_str())
        .bind(&at.scope)
        .bind(&p.kind)
        .bind(&p.practice)
        .bind(&p.intimacy)
        .bind(&p.depth)
        .bind(&p.text)
        .bind(by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(res.last_insert_rowid())
    }

    /// The custom prompts of the community `at` belongs to.
    pub async fn custom_prompts(&self, at: &ChannelRef) -> anyhow::Result<Vec<CustomPrompt>> {
        let rows = sqlx::query(
            "SELECT id, kind, practice, intimacy, depth, text FROM custom_prompts
             WHERE platform = ? AND scope = ? ORDER BY id",
        )
        .bind(at.platform.as_str())
        .bind(&at.scope)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| CustomPrompt {
                id: r.get("id"),
                kind: r.get("kind"),
                practice: r.get("practice"),
                intimacy: r.get("intimacy"),
                depth: r.get("depth"),
                text: r.get("text"),
            })
            .collect())
    }

    /// Removes one of the community's custom prompts; false if it has none by that id.
    pub async fn remove_custom_prompt(&self, at: &ChannelRef, id: i64) -> anyhow::Result<bool> {
        let res =
            sqlx::query("DELETE FROM custom_prompts WHERE id = ? AND platform = ? AND scope = ?")
                .bind(id)
                .bind(at.platform.as_str())
                .bind(&at.scope)
                .execute(&self.pool)
                .await?;
        Ok(res.rows_affected() > 0)
    }
}
