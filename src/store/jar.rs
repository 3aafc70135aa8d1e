//! The appreciation jar: appreciations members wrote, revealed answers to
//! appreciation prompts, and prompts a member loved. Only the first are stored here;
//! the others are read from the answers and reactions they come from, so forgetting
//! an answer or a reaction takes it out of the jar too.

use sqlx::Row;

use super::Store;

/// Where a jar item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JarSource {
    /// `appreciate @partner …`
    Note,
    /// An answer to an appreciation prompt, once the answers were shown together.
    Answer,
    /// A prompt a member reacted to with a "loved" emoji.
    Loved,
}

/// One item in a couple's jar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JarItem {
    /// Stable across reads and naming nobody: `a<id>`, `n<answer id>` or
    /// `l<delivery id>`.
    pub key: String,
    pub source: JarSource,
    /// Who wrote it, or (for a loved prompt) the first member who loved it.
    pub from: String,
    /// Whom a note is for.
    pub to: Option<String>,
    pub text: String,
    pub at: i64,
}

impl Store {
    /// Stores an appreciation from one member to another.
    pub async fn add_appreciation(
        &self,
        couple_id: i64,
        from: &str,
        to: &str,
        text: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        let res = sqlx::query(
            "INSERT INTO appreciations (couple_id, from_user, to_user, text, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(couple_id)
        .bind(from)
        .bind(to)
        .bind(text)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(res.last_insert_rowid())
    }

    /// The couple's jar items from `since` (inclusive) to `until` (exclusive), oldest
    /// first. `loved` lists the emoji that mean "loved". Reactions and answers count
    /// only while their member is still in the couple.
    pub async fn jar_items(
        &self,
        couple_id: i64,
        since: i64,
        until: i64,
        loved: &[String],
    ) -> anyhow::Result<Vec<JarItem>> {
        // Reactions are stored normalised (no variation selector), so is the list.
        let loved: Vec<String> = loved
            .iter()
            .map(|e| crate::domain::normalize_emoji(e))
            .collect();
        let loved = serde_json::to_string(&loved)?;
        let rows = sqlx::query(
            "SELECT 'a' || a.id AS key, 'note' AS source, a.from_user AS who, a.to_user AS whom,
                    a.text AS text, a.created_at AS at
             FROM appreciations a
             WHERE a.couple_id = ?1 AND a.created_at >= ?2 AND a.created_at < ?3
             UNION ALL
             SELECT 'n' || n.id, 'answer', n.user_id, NULL, n.text, d.revealed_at
             FROM deliveries d
             JOIN answers n ON n.delivery_id = d.id
             JOIN couple_members m ON m.couple_id = d.couple_id AND m.user_id = n.user_id
             WHERE d.couple_id = ?1 AND d.kind = 'appreciation' AND d.revealed_at IS NOT NULL
               AND d.revealed_at >= ?2 AND d.revealed_at < ?3
             UNION ALL
             SELECT 'l' || d.id, 'loved', MIN(r.user_id), NULL,
                    COALESCE(d.prompt_text, ''), MIN(r.added_at)
             FROM deliveries d
             JOIN reactions r ON r.delivery_id = d.id AND r.removed_at IS NULL
             JOIN couple_members m ON m.couple_id = d.couple_id AND m.user_id = r.user_id
             WHERE d.couple_id = ?1 AND d.state = 'posted'
               AND r.emoji IN (SELECT value FROM json_each(?4))
               AND r.added_at >= ?2 AND r.added_at < ?3
             GROUP BY d.id
             ORDER BY at, key",
        )
        .bind(couple_id)
        .bind(since)
        .bind(until)
        .bind(&loved)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| JarItem {
                key: r.get("key"),
                source: match r.get::<&str, _>("source") {
                    "note" => JarSource::Note,
                    "answer" => JarSource::Answer,
                    _ => JarSource::Loved,
                },
                from: r.get("who"),
                to: r.get("whom"),
                text: r.get("text"),
                at: r.get("at"),
            })
            .collect())
    }

    /// The couple's written appreciations, oldest first (for export).
    pub async fn appreciations_of_couple(
        &self,
        couple_id: i64,
    ) -> anyhow::Result<Vec<(String, String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT from_user, to_user, text, created_at FROM appreciations
             WHERE couple_id = ? ORDER BY created_at, id",
        )
        .bind(couple_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("from_user"),
                    r.get("to_user"),
                    r.get("text"),
                    r.get("created_at"),
                )
            })
            .collect())
    }
}
