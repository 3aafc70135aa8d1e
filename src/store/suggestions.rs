//! Prompts suggested by members, kept per community until a moderator decides.

use sqlx::Row;

use super::Store;
use crate::domain::{ChannelRef, PlatformKind};

/// A suggested prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: i64,
    pub channel: ChannelRef,
    pub author: String,
    pub author_name: String,
    pub kind: String,
    pub text: String,
    /// pending | approved | rejected
    pub state: String,
    pub reason: Option<String>,
    pub custom_prompt_id: Option<i64>,
    pub created_at: i64,
}

/// What a moderator decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approved { custom_prompt_id: i64 },
    Rejected { reason: Option<String> },
}

const COLUMNS: &str =
    "id, platform, scope, channel, author, author_name, kind, text, state, reason,
                       custom_prompt_id, created_at";

fn from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<Suggestion> {
    Ok(Suggestion {
        id: r.get("id"),
        channel: super::channel_of(r)?,
        author: r.get("author"),
        author_name: r.get("author_name"),
        kind: r.get("kind"),
        text: r.get("text"),
        state: r.get("state"),
        reason: r.get("reason"),
        custom_prompt_id: r.get("custom_prompt_id"),
        created_at: r.get("created_at"),
    })
}

impl Store {
    pub async fn add_suggestion(
        &self,
        at: &ChannelRef,
        author: &str,
        author_name: &str,
        kind: &str,
        text: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        let res = sqlx::query(
            "INSERT INTO suggestions (platform, scope, channel, author, author_name, kind, text, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(at.platform.as_str())
        .bind(&at.scope)
        .bind(&at.channel)
        .bind(author)
        .bind(author_name)
        .bind(kind)
        .bind(text)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(res.last_insert_rowid())
    }

    /// The pending suggestions of the community `at` belongs to, oldest first.
    pub async fn pending_suggestions(&self, at: &ChannelRef) -> anyhow::Result<Vec<Suggestion>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM suggestions WHERE platform = ? AND scope = ? AND state = 'pending'
             ORDER BY id"
        )))
        .bind(at.platform.as_str())
        .bind(&at.scope)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One suggestion of the community `at` belongs to.
    pub async fn suggestion(&self, at: &ChannelRef, id: i64) -> anyhow::Result<Option<Suggestion>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM suggestions WHERE id = ? AND platform = ? AND scope = ?"
        )))
        .bind(id)
        .bind(at.platform.as_str())
        .bind(&at.scope)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// How many suggestions one person has waiting in a community.
    pub async fn pending_suggestions_by(
        &self,
        at: &ChannelRef,
        author: &str,
    ) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM suggestions WHERE platform = ? AND scope = ? AND author = ?
             AND state = 'pending'",
        )
        .bind(at.platform.as_str())
        .bind(&at.scope)
        .bind(author)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records a decision on a pending suggestion; false if it was no longer pending.
    pub async fn decide_suggestion(
        &self,
        id: i64,
        decision: &Decision,
        by: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let (state, reason, custom) = match decision {
            Decision::Approved { custom_prompt_id } => ("approved", None, Some(*custom_prompt_id)),
            Decision::Rejected { reason } => ("rejected", reason.as_deref(), None),
        };
        let res = sqlx::query(
            "UPDATE suggestions SET state = ?, reason = ?, custom_prompt_id = ?, decided_by = ?,
             decided_at = ? WHERE id = ? AND state = 'pending'",
        )
        .bind(state)
        .bind(reason)
        .bind(custom)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// Every suggestion by any of `authors` on `platform` (for a couple's export).
    pub async fn suggestions_by(
        &self,
        platform: PlatformKind,
        authors: &[String],
    ) -> anyhow::Result<Vec<Suggestion>> {
        let authors = serde_json::to_string(authors)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM suggestions WHERE platform = ?
             AND author IN (SELECT value FROM json_each(?)) ORDER BY id"
        )))
        .bind(platform.as_str())
        .bind(authors)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
