//! Couples and their members.

use sqlx::Row;

use super::Store;
use crate::domain::ChannelRef;

/// A couple registered in a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Couple {
    pub id: i64,
    pub channel: ChannelRef,
    pub timezone: String,
    pub depth: String,
    pub paused: bool,
    pub members: Vec<String>,
    /// Reveal answers this long after the prompt even if not everyone answered;
    /// `None` waits for every member.
    pub reveal_after_secs: Option<i64>,
    /// Each member's own timezone, in the order of `members`; `None`: the couple's.
    pub member_zones: Vec<Option<String>>,
    /// The weekly digest's schedule: `None` the configured default, `Some("off")` none.
    pub digest_spec: Option<String>,
    /// When the next digest is due (`None`: not planned yet, or off).
    pub digest_next_at: Option<i64>,
}

impl Couple {
    pub fn has_member(&self, user: &str) -> bool {
        self.members.iter().any(|m| m == user)
    }

    /// The timezone a member lives in: their own if set, else the couple's.
    pub fn zone_of(&self, user: &str) -> &str {
        self.members
            .iter()
            .position(|m| m == user)
            .and_then(|i| self.member_zones.get(i))
            .and_then(Option::as_deref)
            .unwrap_or(&self.timezone)
    }
}

impl Store {
    /// Registers a couple; `None` if the channel already has one.
    pub async fn create_couple(
        &self,
        channel: &ChannelRef,
        members: &[String],
        timezone: &str,
        depth: &str,
        by: &str,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query(
            "INSERT INTO couples (platform, scope, channel, timezone, depth, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, channel) DO NOTHING",
        )
        .bind(channel.platform.as_str())
        .bind(&channel.scope)
        .bind(&channel.channel)
        .bind(timezone)
        .bind(depth)
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 0 {
            return Ok(None);
        }
        let id = res.last_insert_rowid();
        for m in members {
            sqlx::query(
                "INSERT OR IGNORE INTO couple_members (couple_id, user_id, added_at) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(m)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    pub async fn couple_in_channel(&self, channel: &ChannelRef) -> anyhow::Result<Option<Couple>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM couples WHERE platform = ? AND channel = ?")
                .bind(channel.platform.as_str())
                .bind(&channel.channel)
                .fetch_optional(&self.pool)
                .await?;
        match id {
            Some(id) => self.couple(id).await,
            None => Ok(None),
        }
    }

    pub async fn couple(&self, id: i64) -> anyhow::Result<Option<Couple>> {
        let Some(row) = sqlx::query(
            "SELECT id, platform, scope, channel, timezone, depth, paused, reveal_after_secs,
                    digest_spec, digest_next_at FROM couples WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let member_rows = sqlx::query(
            "SELECT user_id, timezone FROM couple_members WHERE couple_id = ? ORDER BY added_at, user_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let members = member_rows.iter().map(|r| r.get("user_id")).collect();
        let member_zones = member_rows.iter().map(|r| r.get("timezone")).collect();
        Ok(Some(Couple {
            id: row.get("id"),
            channel: super::channel_of(&row)?,
            timezone: row.get("timezone"),
            depth: row.get("depth"),
            paused: row.get::<i64, _>("paused") != 0,
            members,
            reveal_after_secs: row.get("reveal_after_secs"),
            member_zones,
            digest_spec: row.get("digest_spec"),
            digest_next_at: row.get("digest_next_at"),
        }))
    }

    /// Removes a couple and everything that hangs off it.
    pub async fn remove_couple(&self, id: i64) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM couples WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets (or with `None` clears) one member's own timezone; false if they are not
    /// a member of the couple.
    pub async fn set_member_timezone(
        &self,
        couple_id: i64,
        user: &str,
        timezone: Option<&str>,
    ) -> anyhow::Result<bool> {
        let res = sqlx::query(
            "UPDATE couple_members SET timezone = ? WHERE couple_id = ? AND user_id = ?",
        )
        .bind(timezone)
        .bind(couple_id)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() > 0)
    }

    pub async fn set_couple_depth(&self, id: i64, depth: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE couples SET depth = ? WHERE id = ?")
            .bind(depth)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many couples there are (for logs and benchmarks).
    pub async fn couple_count(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM couples")
            .fetch_one(&self.pool)
            .await?)
    }
}
