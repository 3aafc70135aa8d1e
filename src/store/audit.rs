//! The audit log of configuration changes, server settings, and pending confirmations.

use sqlx::Row;

use super::Store;
use crate::domain::ChannelRef;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub couple_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

impl Store {
    pub async fn audit(
        &self,
        channel: &ChannelRef,
        couple_id: Option<i64>,
        actor: &str,
        action: &str,
        detail: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, platform, scope, couple_id, actor, action, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(now)
        .bind(channel.platform.as_str())
        .bind(&channel.scope)
        .bind(couple_id)
        .bind(actor)
        .bind(action)
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` entries of a community, newest first.
    pub async fn audit_entries(
        &self,
        channel: &ChannelRef,
        limit: i64,
    ) -> anyhow::Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, couple_id, actor, action, detail FROM audit_log
             WHERE platform = ? AND scope = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(channel.platform.as_str())
        .bind(&channel.scope)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                at: r.get("at"),
                couple_id: r.get("couple_id"),
                actor: r.get("actor"),
                action: r.get("action"),
                detail: r.get("detail"),
            })
            .collect())
    }

    /// Server defaults (timezone, depth) of a community, if set.
    pub async fn settings(
        &self,
        channel: &ChannelRef,
    ) -> anyhow::Result<(Option<String>, Option<String>)> {
        let row =
            sqlx::query("SELECT timezone, depth FROM settings WHERE platform = ? AND scope = ?")
                .bind(channel.platform.as_str())
                .bind(&channel.scope)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map_or((None, None), |r| (r.get("timezone"), r.get("depth"))))
    }

    pub async fn set_settings(
        &self,
        channel: &ChannelRef,
        timezone: Option<&str>,
        depth: Option<&str>,
        by: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO settings (platform, scope, timezone, depth, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (platform, scope) DO UPDATE SET
                timezone = COALESCE(?3, timezone), depth = COALESCE(?4, depth),
                updated_at = ?5, updated_by = ?6",
        )
        .bind(channel.platform.as_str())
        .bind(&channel.scope)
        .bind(timezone)
        .bind(depth)
        .bind(now)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remembers that `user` asked for `action` and must confirm before `expires_at`.
    pub async fn request_confirmation(
        &self,
        channel: &ChannelRef,
        user: &str,
        action: &str,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO confirmations (platform, user_id, action, expires_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (platform, user_id, action) DO UPDATE SET expires_at = ?4",
        )
        .bind(channel.platform.as_str())
        .bind(user)
        .bind(action)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Consumes a pending confirmation; true if one was waiting and not expired.
    pub async fn take_confirmation(
        &self,
        channel: &ChannelRef,
        user: &str,
        action: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let expires: Option<i64> = sqlx::query_scalar(
            "DELETE FROM confirmations WHERE platform = ? AND user_id = ? AND action = ?
             RETURNING expires_at",
        )
        .bind(channel.platform.as_str())
        .bind(user)
        .bind(action)
        .fetch_optional(&self.pool)
        .await?;
        Ok(expires.is_some_and(|e| e >= now))
    }
}
