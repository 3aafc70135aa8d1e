//! The SQL of sending deliveries in batches: what choosing their prompts needs (the
//! couples' histories and reactions, their communities' custom prompts), read for the
//! whole batch at once; leasing them and recording their prompts in one
//! transaction; recording many posts in one transaction.
//!
//! Lists travel as one JSON array bound to one parameter (read with `json_each`), so
//! each statement keeps one text whatever the batch size.

use std::collections::HashMap;

use anyhow::Context;

use super::{CustomPrompt, Store};
use crate::domain::PlatformKind;

/// What choosing prompts for a batch of deliveries needs to know about their couples.
#[derive(Debug, Default)]
pub struct SelectionInputs {
    /// Prompt ids given, oldest first, by (couple, kind).
    pub history: HashMap<(i64, String), Vec<String>>,
    /// (prompt id, emoji) of the active reactions on each couple's prompts.
    pub signals: HashMap<i64, Vec<(String, String)>>,
    /// The custom prompts of each community asked for, by (platform, scope), oldest
    /// first (a community without any has no entry).
    pub custom: HashMap<(PlatformKind, String), Vec<CustomPrompt>>,
}

/// A delivery to lease, with the prompt chosen for it if it has none yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRequest {
    pub id: i64,
    /// (prompt id, text) to record before the first attempt.
    pub prompt: Option<(String, String)>,
}

type HistoryRow = (i64, String, String);
/// platform, scope, id, kind, practice, intimacy, depth, text.
type CustomRow = (String, String, i64, String, String, String, String, String);

impl Store {
    /// For each (couple, kind) in `wanted`: the prompt ids given to the couple for
    /// that kind, oldest first; for their couples, (prompt id, emoji) of every active
    /// reaction on their prompts; and the custom prompts of the `communities`
    /// ((platform, scope) pairs). One read, each list as one JSON value: a year of
    /// history is hundreds of rows, and a row costs more to fetch than its share of
    /// one string.
    pub async fn selection_inputs(
        &self,
        wanted: &[(i64, &str)],
        communities: &[(PlatformKind, &str)],
    ) -> anyhow::Result<SelectionInputs> {
        let mut inputs = SelectionInputs::default();
        if wanted.is_empty() && communities.is_empty() {
            return Ok(inputs);
        }
        let wanted_json = serde_json::to_string(wanted)?;
        let communities: Vec<(&str, &str)> =
            communities.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let (history, signals, custom): (Option<String>, Option<String>, Option<String>) =
            sqlx::query_as(
                "WITH w AS MATERIALIZED (
                 SELECT DISTINCT value ->> 0 AS couple_id, value ->> 1 AS kind FROM json_each(?1)
             ),
             k AS MATERIALIZED (
                 SELECT DISTINCT value ->> 0 AS platform, value ->> 1 AS scope FROM json_each(?2)
             )
             SELECT
                 (SELECT json_group_array(json_array(w.couple_id, w.kind,
                     (SELECT group_concat(h.prompt_id, char(30) ORDER BY h.id) FROM prompt_history h
                      WHERE h.couple_id = w.couple_id AND h.kind = w.kind)))
                  FROM w),
                 (SELECT json_group_array(json_array(d.couple_id, d.prompt_id, r.emoji))
                  FROM reactions r JOIN deliveries d ON d.id = r.delivery_id
                  WHERE d.couple_id IN (SELECT couple_id FROM w)
                    AND r.removed_at IS NULL AND d.prompt_id IS NOT NULL),
                 (SELECT json_group_array(json_array(p.platform, p.scope, p.id, p.kind, p.practice,
                                                     p.intimacy, p.depth, p.text) ORDER BY p.id)
                  FROM k JOIN custom_prompts p ON p.platform = k.platform AND p.scope = k.scope)",
            )
            .bind(wanted_json)
            .bind(serde_json::to_string(&communities)?)
            .fetch_one(&self.pool)
            .await?;
        if let Some(h) = history {
            let rows: Vec<(i64, String, Option<String>)> =
                serde_json::from_str(&h).context("while reading prompt histories")?;
            for (couple, kind, joined) in rows {
                let ids = joined
                    .map(|j| j.split('\u{1e}').map(str::to_string).collect())
                    .unwrap_or_default();
                inputs.history.insert((couple, kind), ids);
            }
        }
        if let Some(s) = signals {
            let rows: Vec<HistoryRow> =
                serde_json::from_str(&s).context("while reading reaction signals")?;
            for (couple, prompt, emoji) in rows {
                inputs
                    .signals
                    .entry(couple)
                    .or_default()
                    .push((prompt, emoji));
            }
        }
        if let Some(c) = custom {
            let rows: Vec<CustomRow> =
                serde_json::from_str(&c).context("while reading custom prompts")?;
            for (platform, scope, id, kind, practice, intimacy, depth, text) in rows {
                let platform = PlatformKind::parse(&platform).ok_or_else(|| {
                    anyhow::anyhow!("unknown platform {platform:?} in the database")
                })?;
                inputs
                    .custom
                    .entry((platform, scope))
                    .or_default()
                    .push(CustomPrompt {
                        id,
                        kind,
                        practice,
                        intimacy,
                        depth,
                        text,
                    });
            }
        }
        Ok(inputs)
    }

    /// Leases the deliveries in `batch` that are still open at `now` (pending and due,
    /// or held by a sender whose lease ran out: so two senders never take the same
    /// one), counts the attempt, records the prompt chosen for each leased one that
    /// needs one, and commits.
    /// Returns, for each delivery leased, the attempts made before this one.
    pub async fn lease_deliveries(
        &self,
        batch: &[LeaseRequest],
        now: i64,
        lease_secs: i64,
    ) -> anyhow::Result<HashMap<i64, i64>> {
        if batch.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<i64> = batch.iter().map(|r| r.id).collect();
        let prompts: Vec<(i64, &str, &str)> = batch
            .iter()
            .filter_map(|r| {
                r.prompt
                    .as_ref()
                    .map(|(p, t)| (r.id, p.as_str(), t.as_str()))
            })
            .collect();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Which of them are open, then lease exactly those: the write lock taken by
        // BEGIN IMMEDIATE keeps anyone else from changing them in between.
        let (open,): (Option<String>,) = sqlx::query_as(
            "SELECT json_group_array(json_array(id, attempts)) FROM deliveries
             WHERE id IN (SELECT value FROM json_each(?1))
               AND ((state = 'pending' AND COALESCE(next_attempt_at, 0) <= ?2)
                 OR (state = 'sending' AND COALESCE(lease_until, 0) <= ?2))",
        )
        .bind(serde_json::to_string(&ids)?)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let leased: HashMap<i64, i64> = match open {
            Some(j) => serde_json::from_str::<Vec<(i64, i64)>>(&j)
                .context("while reading open deliveries")?
                .into_iter()
                .collect(),
            None => HashMap::new(),
        };
        let leased_ids: Vec<i64> = leased.keys().copied().collect();
        sqlx::query(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, lease_until = ?1
             WHERE id IN (SELECT value FROM json_each(?2))",
        )
        .bind(now + lease_secs)
        .bind(serde_json::to_string(&leased_ids)?)
        .execute(&mut *tx)
        .await?;
        let prompts: Vec<&(i64, &str, &str)> = prompts
            .iter()
            .filter(|p| leased.contains_key(&p.0))
            .collect();
        if !prompts.is_empty() {
            sqlx::query(
                "UPDATE deliveries SET prompt_id = v.value ->> 1, prompt_text = v.value ->> 2
                 FROM json_each(?1) v
                 WHERE deliveries.id = v.value ->> 0",
            )
            .bind(serde_json::to_string(&prompts)?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(leased)
    }

    /// Records successful posts, (delivery id, message id), in one transaction, and
    /// adds their prompts to the couples' histories. A delivery already recorded as
    /// posted is left as it is.
    pub async fn mark_posted_many(&self, posted: &[(i64, String)], now: i64) -> anyhow::Result<()> {
        if posted.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(posted)?;
        let mut tx = self.pool.begin().await?;
        // The history rows first, while the deliveries not yet posted can still be told
        // from the ones posted before (a post found again after a crash).
        sqlx::query(
            "INSERT INTO prompt_history (couple_id, kind, prompt_id, delivery_id, given_at)
             SELECT d.couple_id, d.kind, d.prompt_id, d.id, ?2
             FROM json_each(?1) v JOIN deliveries d ON d.id = v.value ->> 0
             WHERE d.state <> 'posted' AND d.prompt_id IS NOT NULL
             ORDER BY v.key",
        )
        .bind(&json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE deliveries SET state = 'posted', message_id = v.value ->> 1, posted_at = ?2,
                    lease_until = NULL, last_error = NULL
             FROM json_each(?1) v
             WHERE deliveries.id = v.value ->> 0 AND deliveries.state <> 'posted'",
        )
        .bind(&json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives deliveries leased but not tried back (the sender is stopping): pending
    /// again, the attempt not counted.
    pub async fn release_deliveries(&self, ids: &[i64]) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE deliveries SET state = 'pending', lease_until = NULL,
                    attempts = MAX(attempts - 1, 0)
             WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'sending'",
        )
        .bind(serde_json::to_string(ids)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
