//! A couple's data out (export) and a person's data gone (forget-me).

use serde_json::{Value, json};
use sqlx::Row;

use super::Store;
use crate::domain::PlatformKind;

/// What `forget_user` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgetReport {
    pub reactions: u64,
    pub answers: u64,
    /// Appreciations they wrote or that were written to them.
    pub appreciations: u64,
    /// Prompts they suggested (an approved one stays as the server's prompt).
    pub suggestions: u64,
    pub memberships: u64,
    pub couples_removed: u64,
}

/// Stands in for a forgotten person wherever a record must stay (the audit log).
pub const FORGOTTEN: &str = "[forgotten]";

impl Store {
    /// Everything stored about one couple, as JSON, for `asker`: answers not yet
    /// revealed are theirs alone, so others' appear without their text.
    pub async fn export_couple(&self, couple_id: i64, asker: &str) -> anyhow::Result<Value> {
        let Some(couple) = self.couple(couple_id).await? else {
            return Ok(Value::Null);
        };
        let schedules = self.schedules_of_couple(couple_id).await?;
        let deliveries = sqlx::query(
            "SELECT id, schedule_id, kind, slot_at, state, prompt_id, prompt_text, attempts,
                    message_id, posted_at, last_error FROM deliveries WHERE couple_id = ? ORDER BY id",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        let reactions = sqlx::query(
            "SELECT r.delivery_id, r.user_id, r.emoji, r.added_at, r.removed_at FROM reactions r
             JOIN deliveries d ON d.id = r.delivery_id WHERE d.couple_id = ? ORDER BY r.id",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        let answers = sqlx::query(
            "SELECT a.delivery_id, a.user_id, a.answered_at, a.edited_at, d.revealed_at,
                    CASE WHEN d.revealed_at IS NOT NULL OR a.user_id = ?2 THEN a.text END AS text
             FROM answers a JOIN deliveries d ON d.id = a.delivery_id
             WHERE d.couple_id = ?1 ORDER BY a.id",
        )
        .bind(couple_id)
        .bind(asker)
        .fetch_all(&self.pool)
        .await?;
        let audit = sqlx::query(
            "SELECT at, actor, action, detail FROM audit_log WHERE couple_id = ? ORDER BY id",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        let pauses = self.pauses_of_couple(couple_id).await?;
        let appreciations = self.appreciations_of_couple(couple_id).await?;
        let suggestions = self
            .suggestions_by(couple.channel.platform, &couple.members)
            .await?;
        Ok(json!({
            "format": "hearth-export-v1",
            "couple": {
                "id": couple.id,
                "platform": couple.channel.platform.as_str(),
                "channel": couple.channel.channel,
                "timezone": couple.timezone,
                "depth": couple.depth,
                "paused": couple.paused,
                "members": couple.members,
                "member_timezones": couple.members.iter().zip(&couple.member_zones)
                    .map(|(m, z)| json!({"member": m, "timezone": z}))
                    .collect::<Vec<_>>(),
                "digest": couple.digest_spec,
            },
            "appreciations": appreciations.iter().map(|(from, to, text, at)| json!({
                "from": from, "to": to, "text": text, "at": rfc3339(*at),
            })).collect::<Vec<_>>(),
            "schedules": schedules.iter().map(|s| json!({
                "id": s.id, "kind": s.kind, "spec": s.spec, "timezone": s.timezone,
                "grace_secs": s.grace_secs, "next_slot_at": s.next_slot_at.map(rfc3339),
                "enabled": s.enabled, "paused": s.paused, "disabled_reason": s.disabled_reason,
            })).collect::<Vec<_>>(),
            "pauses": pauses.iter().map(|p| json!({
                "from": rfc3339(p.from_at),
                "until": p.until_at.map(rfc3339),
                "resumes_by_itself_at": p.resume_at.map(rfc3339),
            })).collect::<Vec<_>>(),
            "deliveries": deliveries.iter().map(|d| json!({
                "id": d.get::<i64, _>("id"),
                "schedule_id": d.get::<Option<i64>, _>("schedule_id"),
                "kind": d.get::<String, _>("kind"),
                "slot": rfc3339(d.get("slot_at")),
                "state": d.get::<String, _>("state"),
                "prompt_id": d.get::<Option<String>, _>("prompt_id"),
                "prompt": d.get::<Option<String>, _>("prompt_text"),
                "attempts": d.get::<i64, _>("attempts"),
                "message_id": d.get::<Option<String>, _>("message_id"),
                "posted_at": d.get::<Option<i64>, _>("posted_at").map(rfc3339),
                "last_error": d.get::<Option<String>, _>("last_error"),
            })).collect::<Vec<_>>(),
            "reactions": reactions.iter().map(|r| json!({
                "delivery_id": r.get::<i64, _>("delivery_id"),
                "user": r.get::<String, _>("user_id"),
                "emoji": r.get::<String, _>("emoji"),
                "added_at": rfc3339(r.get("added_at")),
                "removed_at": r.get::<Option<i64>, _>("removed_at").map(rfc3339),
            })).collect::<Vec<_>>(),
            "answers": answers.iter().map(|a| json!({
                "delivery_id": a.get::<i64, _>("delivery_id"),
                "user": a.get::<String, _>("user_id"),
                "text": a.get::<Option<String>, _>("text"),
                "hidden_until_reveal": a.get::<Option<String>, _>("text").is_none(),
                "answered_at": rfc3339(a.get("answered_at")),
                "edited_at": a.get::<Option<i64>, _>("edited_at").map(rfc3339),
                "revealed_at": a.get::<Option<i64>, _>("revealed_at").map(rfc3339),
            })).collect::<Vec<_>>(),
            "suggestions": suggestions.iter().map(|s| json!({
                "id": s.id, "author": s.author, "author_name": s.author_name, "kind": s.kind,
                "text": s.text, "state": s.state, "reason": s.reason,
                "custom_prompt_id": s.custom_prompt_id, "suggested_at": rfc3339(s.created_at),
            })).collect::<Vec<_>>(),
            "audit": audit.iter().map(|a| json!({
                "at": rfc3339(a.get("at")),
                "actor": a.get::<String, _>("actor"),
                "action": a.get::<String, _>("action"),
                "detail": a.get::<String, _>("detail"),
            })).collect::<Vec<_>>(),
        }))
    }

    /// Deletes everything that belongs to one person on one platform: their
    /// reactions, answers, appreciations written by or to them, their couple memberships (a couple left with nobody goes entirely),
    /// pending confirmations; and replaces their id wherever a record must remain.
    pub async fn forget_user(
        &self,
        platform: PlatformKind,
        user: &str,
    ) -> anyhow::Result<ForgetReport> {
        let p = platform.as_str();
        // Found in a read first: reactions have no index on the person (it would cost
        // every stored reaction a page write), and a read of the whole table holds up
        // no writer.
        let (deleted_before, last, found): (i64, i64, String) = sqlx::query_as(
            "SELECT (SELECT n FROM reactions_deleted), (SELECT coalesce(max(id), 0) FROM reactions),
                    (SELECT json_group_array(r.id) FROM reactions r WHERE r.user_id = ?1 AND r.delivery_id IN
                       (SELECT d.id FROM deliveries d JOIN couples c ON c.id = d.couple_id WHERE c.platform = ?2))",
        )
        .bind(user)
        .bind(p)
        .fetch_one(&self.pool)
        .await?;
        let mut tx = self.pool.begin().await?;
        // Stored since that read: new rows take ids above the highest there was, as
        // long as no row was deleted in between.
        let newer = sqlx::query(
            "DELETE FROM reactions WHERE id > ?3 AND user_id = ?1 AND delivery_id IN
               (SELECT d.id FROM deliveries d JOIN couples c ON c.id = d.couple_id WHERE c.platform = ?2)",
        )
        .bind(user)
        .bind(p)
        .bind(last)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let deleted_now: i64 = sqlx::query_scalar("SELECT n FROM reactions_deleted")
            .fetch_one(&mut *tx)
            .await?;
        let reactions = newer
            + if deleted_now == deleted_before + newer as i64 {
                sqlx::query("DELETE FROM reactions WHERE id IN (SELECT value FROM json_each(?1)) AND user_id = ?2")
                .bind(&found)
                .bind(user)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                // Rows were deleted meanwhile, so an id read may name another row now:
                // search again, inside the transaction.
                sqlx::query(
                "DELETE FROM reactions WHERE user_id = ?1 AND delivery_id IN
                   (SELECT d.id FROM deliveries d JOIN couples c ON c.id = d.couple_id WHERE c.platform = ?2)",
            )
            .bind(user)
            .bind(p)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            };
        let answers = sqlx::query(
            "DELETE FROM answers WHERE user_id = ?1 AND delivery_id IN
               (SELECT d.id FROM deliveries d JOIN couples c ON c.id = d.couple_id WHERE c.platform = ?2)",
        )
        .bind(user)
        .bind(p)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let appreciations = sqlx::query(
            "DELETE FROM appreciations WHERE (from_user = ?1 OR to_user = ?1) AND couple_id IN
               (SELECT id FROM couples WHERE platform = ?2)",
        )
        .bind(user)
        .bind(p)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let couples: Vec<i64> = sqlx::query_scalar(
            "SELECT m.couple_id FROM couple_members m JOIN couples c ON c.id = m.couple_id
             WHERE m.user_id = ? AND c.platform = ?",
        )
        .bind(user)
        .bind(p)
        .fetch_all(&mut *tx)
        .await?;
        let mut report = ForgetReport {
            reactions,
            answers,
            appreciations,
            ..ForgetReport::default()
        };
        for cid in &couples {
            report.memberships +=
                sqlx::query("DELETE FROM couple_members WHERE couple_id = ? AND user_id = ?")
                    .bind(cid)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            let left: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM couple_members WHERE couple_id = ?")
                    .bind(cid)
                    .fetch_one(&mut *tx)
                    .await?;
            if left == 0 {
                sqlx::query("DELETE FROM couples WHERE id = ?")
                    .bind(cid)
                    .execute(&mut *tx)
                    .await?;
                report.couples_removed += 1;
            }
        }
        report.suggestions =
            sqlx::query("DELETE FROM suggestions WHERE author = ? AND platform = ?")
                .bind(user)
                .bind(p)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        for stmt in [
            "DELETE FROM notices WHERE about = ?1 AND platform = ?2",
            "UPDATE suggestions SET decided_by = ?3 WHERE decided_by = ?1 AND platform = ?2",
            "DELETE FROM confirmations WHERE user_id = ?1 AND platform = ?2",
            "UPDATE deliveries SET requested_by = NULL WHERE requested_by = ?1",
            "UPDATE audit_log SET actor = ?3 WHERE actor = ?1 AND platform = ?2",
            "UPDATE audit_log SET detail = REPLACE(detail, ?1, ?3) WHERE platform = ?2 AND instr(detail, ?1) > 0",
            "UPDATE schedules SET created_by = ?3 WHERE created_by = ?1",
            "UPDATE couples SET created_by = ?3 WHERE created_by = ?1 AND platform = ?2",
            "UPDATE settings SET updated_by = ?3 WHERE updated_by = ?1 AND platform = ?2",
            "UPDATE custom_prompts SET created_by = ?3 WHERE created_by = ?1 AND platform = ?2",
        ] {
            sqlx::query(stmt)
                .bind(user)
                .bind(p)
                .bind(FORGOTTEN)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Every text value in every table, for tests that prove something is gone.
    pub async fn all_text_values(&self) -> anyhow::Result<Vec<String>> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT LIKE '_sqlx_%'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        // Table names come from sqlite_master, not from users.
        for t in tables {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{t}\"")))
                .fetch_all(&self.pool)
                .await?;
            for r in rows {
                for i in 0..r.len() {
                    if let Ok(Some(s)) = r.try_get::<Option<String>, _>(i) {
                        out.push(s);
                    }
                }
            }
        }
        Ok(out)
    }
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |t| t.to_rfc3339())
}
