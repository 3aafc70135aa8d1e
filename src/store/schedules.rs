//! Schedules, and the claim that turns due slots into delivery rows.

use sqlx::{QueryBuilder, Row, Sqlite};

use super::{Store, bool_i};

#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    pub couple_id: i64,
    pub kind: &'a str,
    pub spec: &'a str,
    pub timezone: &'a str,
    pub grace_secs: i64,
    pub next_slot_at: Option<i64>,
    pub thread: bool,
    pub created_by: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub id: i64,
    pub couple_id: i64,
    pub kind: String,
    pub spec: String,
    pub timezone: String,
    pub grace_secs: i64,
    pub next_slot_at: Option<i64>,
    pub enabled: bool,
    pub paused: bool,
    pub disabled_reason: Option<String>,
    pub created_by: String,
}

/// A schedule whose next slot has come.
#[derive(Debug, Clone)]
pub struct DueSchedule {
    pub id: i64,
    pub couple_id: i64,
    pub kind: String,
    pub spec: String,
    pub timezone: String,
    pub grace_secs: i64,
    pub next_slot_at: i64,
}

/// What to do with one due schedule, decided by the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotPlan {
    /// The slot to deliver (late, if within grace).
    pub deliver: Option<i64>,
    /// Missed slots to record as skipped.
    pub skipped: Vec<i64>,
    /// The schedule's next slot after now (`None`: it never fires again).
    pub next: Option<i64>,
}

/// The earliest next slot of the couples on the platforms in `?1` (a JSON array).
///
/// This and the claim walk the due index from its start and look each couple up by
/// id; the `+` keeps SQLite from starting at the couples of the platform instead,
/// which reads every couple on each call.
macro_rules! earliest_slot_sql {
    () => {
        "SELECT s.next_slot_at FROM schedules s JOIN couples c ON c.id = s.couple_id
         WHERE s.next_slot_at IS NOT NULL AND +c.platform IN (SELECT value FROM json_each(?1))
         ORDER BY s.next_slot_at LIMIT 1"
    };
}

/// A SELECT of every schedule column, followed by `$tail`.
macro_rules! select_schedules {
    ($tail:literal) => {
        concat!(
            "SELECT id, couple_id, kind, spec, timezone, grace_secs, next_slot_at, enabled, paused, ",
            "disabled_reason, created_by FROM schedules ",
            $tail
        )
    };
}

fn schedule_row(r: &sqlx::sqlite::SqliteRow) -> ScheduleRow {
    ScheduleRow {
        id: r.get("id"),
        couple_id: r.get("couple_id"),
        kind: r.get("kind"),
        spec: r.get("spec"),
        timezone: r.get("timezone"),
        grace_secs: r.get("grace_secs"),
        next_slot_at: r.get("next_slot_at"),
        enabled: r.get::<i64, _>("enabled") != 0,
        paused: r.get::<i64, _>("paused") != 0,
        disabled_reason: r.get("disabled_reason"),
        created_by: r.get("created_by"),
    }
}

impl Store {
    pub async fn add_schedule(&self, s: &NewSchedule<'_>, now: i64) -> anyhow::Result<i64> {
        let res = sqlx::query(
            "INSERT INTO schedules (couple_id, kind, spec, timezone, grace_secs, next_slot_at,
                                    thread, created_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s.couple_id)
        .bind(s.kind)
        .bind(s.spec)
        .bind(s.timezone)
        .bind(s.grace_secs)
        .bind(s.next_slot_at)
        .bind(bool_i(s.thread))
        .bind(s.created_by)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(res.last_insert_rowid())
    }

    pub async fn schedules_of_couple(&self, couple_id: i64) -> anyhow::Result<Vec<ScheduleRow>> {
        let rows = sqlx::query(select_schedules!("WHERE couple_id = ? ORDER BY id"))
            .bind(couple_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(schedule_row).collect())
    }

    pub async fn schedule(&self, id: i64) -> anyhow::Result<Option<ScheduleRow>> {
        let row = sqlx::query(select_schedules!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(schedule_row))
    }

    pub async fn remove_schedule(&self, id: i64) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM schedules WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Pauses (next slot cleared) or resumes (with the given next slot) a schedule.
    pub async fn set_schedule_paused(
        &self,
        id: i64,
        paused: bool,
        next_slot_at: Option<i64>,
        now: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE schedules SET paused = ?, next_slot_at = ?, updated_at = ? WHERE id = ?",
        )
        .bind(bool_i(paused))
        .bind(next_slot_at)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets a schedule's next slot (re-enabling it if it had been disabled).
    pub async fn set_next_slot(&self, id: i64, next_slot_at: Option<i64>) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE schedules SET next_slot_at = ?, enabled = 1, disabled_reason = NULL
             WHERE id = ?",
        )
        .bind(next_slot_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stops a schedule after a permanent failure. Returns true only the first time,
    /// so moderators are told once.
    pub async fn disable_schedule(&self, id: i64, reason: &str, now: i64) -> anyhow::Result<bool> {
        let res = sqlx::query(
            "UPDATE schedules SET enabled = 0, next_slot_at = NULL, disabled_reason = ?,
                    updated_at = ?
             WHERE id = ? AND enabled = 1",
        )
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// The earliest next slot of any schedule.
    /// `active` is a JSON array of the platform names this process serves.
    pub async fn earliest_slot(&self, active: &str) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(earliest_slot_sql!())
            .bind(active)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The earliest time anything is due: a schedule's next slot, a delivery's retry
    /// or the end of a lease, a queued notice (retried a minute later per failed
    /// attempt), a reveal to post or a couple's answer deadline, the end of a
    /// `pause --until`. One read, so an
    /// engine wake-up with nothing due asks the database once; each part reads its
    /// own small index.
    pub async fn earliest_due(&self, active: &str) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(concat!(
            "SELECT MIN(t) FROM (SELECT (",
            earliest_slot_sql!(),
            ") AS t UNION ALL SELECT (",
            super::deliveries::earliest_attempt_sql!(),
            ") UNION ALL SELECT (",
            "SELECT MIN(n.created_at + 60 * n.attempts) FROM notices n
             WHERE n.platform IN (SELECT value FROM json_each(?1))",
            ") UNION ALL SELECT (",
            super::answers::earliest_reveal_sql!(),
            ") UNION ALL SELECT (",
            "SELECT MIN(p.resume_at) FROM pauses p JOIN couples c ON c.id = p.couple_id
             WHERE p.until_at IS NULL AND p.resume_at IS NOT NULL
               AND +c.platform IN (SELECT value FROM json_each(?1))",
            ") UNION ALL SELECT (",
            super::digests::earliest_digest_sql!(),
            "))"
        ))
        .bind(active)
        .fetch_one(&self.pool)
        .await?)
    }

    /// In one transaction: reads up to `limit` due schedules, asks `plan` what to do
    /// with each, inserts the delivery rows (UNIQUE per schedule and slot) and
    /// advances the next slots. Only couples on the platforms in `active` (a JSON array)
    /// are claimed. Returns (schedules claimed, deliveries queued, slots skipped).
    pub async fn claim_due(
        &self,
        now: i64,
        limit: i64,
        active: &str,
        mut plan: impl FnMut(&DueSchedule) -> SlotPlan,
    ) -> anyhow::Result<(usize, usize, usize)> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(
            "SELECT s.id, s.couple_id, s.kind, s.spec, s.timezone, s.grace_secs, s.next_slot_at
             FROM schedules s JOIN couples c ON c.id = s.couple_id
             WHERE s.next_slot_at IS NOT NULL AND s.next_slot_at <= ?
               AND +c.platform IN (SELECT value FROM json_each(?))
             ORDER BY s.next_slot_at LIMIT ?",
        )
        .bind(now)
        .bind(active)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok((0, 0, 0));
        }
        let mut inserts: Vec<(i64, i64, String, i64, &'static str)> = Vec::new();
        let mut nexts: Vec<(i64, Option<i64>)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let due = DueSchedule {
                id: r.get("id"),
                couple_id: r.get("couple_id"),
                kind: r.get("kind"),
                spec: r.get("spec"),
                timezone: r.get("timezone"),
                grace_secs: r.get("grace_secs"),
                next_slot_at: r.get("next_slot_at"),
            };
            let p = plan(&due);
            if let Some(slot) = p.deliver {
                inserts.push((due.id, due.couple_id, due.kind.clone(), slot, "pending"));
            }
            for slot in p.skipped {
                inserts.push((due.id, due.couple_id, due.kind.clone(), slot, "skipped"));
            }
            nexts.push((due.id, p.next));
        }
        let delivered = inserts.iter().filter(|i| i.4 == "pending").count();
        let skipped = inserts.len() - delivered;
        // 6 binds a row; stay far below SQLite's bind limit.
        for chunk in inserts.chunks(2000) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO deliveries (schedule_id, couple_id, kind, slot_at, state, created_at) ",
            );
            qb.push_values(chunk, |mut b, (sid, cid, kind, slot, state)| {
                b.push_bind(*sid)
                    .push_bind(*cid)
                    .push_bind(kind.as_str())
                    .push_bind(*slot)
                    .push_bind(*state)
                    .push_bind(now);
            });
            qb.push(" ON CONFLICT (schedule_id, slot_at) DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in nexts.chunks(5000) {
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new("UPDATE schedules SET next_slot_at = v.column2 FROM (");
            qb.push_values(chunk, |mut b, (id, next)| {
                b.push_bind(*id).push_bind(*next);
            });
            qb.push(") AS v WHERE schedules.id = v.column1");
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok((rows.len(), delivered, skipped))
    }
}

impl Store {
    /// Stops every schedule of the couple in `channel` (the bot lost access to it).
    /// Returns how many were running.
    pub async fn disable_channel_schedules(
        &self,
        channel: &crate::domain::ChannelRef,
        reason: &str,
        now: i64,
    ) -> anyhow::Result<u64> {
        let res = sqlx::query(
            "UPDATE schedules SET enabled = 0, next_slot_at = NULL, disabled_reason = ?, updated_at = ?
             WHERE enabled = 1 AND couple_id IN (SELECT id FROM couples WHERE platform = ? AND channel = ?)",
        )
        .bind(reason)
        .bind(now)
        .bind(channel.platform.as_str())
        .bind(&channel.channel)
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected())
    }
}
