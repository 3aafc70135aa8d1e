//! Counts over the whole database, for the health listener and the tests.

use sqlx::Row;

use super::Store;

impl Store {
    /// Deliveries by state, over all couples.
    pub async fn deliveries_by_state(&self) -> anyhow::Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get("state"), r.get("n"))).collect())
    }

    /// Deliveries not yet posted, skipped or failed.
    pub async fn pending_count(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Reactions in place now (added and not removed), over all couples.
    pub async fn active_reaction_count(&self) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM reactions WHERE removed_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// How many deliveries there are, and how many of them are posted, over all couples.
    pub async fn posted_of_all(&self) -> anyhow::Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(state = 'posted'), 0) AS posted, COUNT(*) AS total FROM deliveries",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.get("posted"), row.get("total")))
    }

    /// Send attempts beyond each delivery's first, over all deliveries: the retries.
    pub async fn extra_attempts(&self) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(SUM(MAX(attempts - 1, 0)), 0) FROM deliveries")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
