//! What several `duban serve` on one database share besides the data: rate-limit windows and
//! leases on the scheduled jobs. Neither is backed up (both are minutes long).
use crate::{Result, Store};
use sqlx::Row;

impl Store {
    /// Counts a hit of `key` in `bucket`'s fixed window of `window_secs` and returns the hits in
    /// the current window, this one included — one statement, so two servers counting at once
    /// both see the other's hit.
    pub async fn rate_hit(&self, bucket: &str, key: &str, window_secs: i64) -> Result<i64> {
        let now = chrono::Utc::now();
        let expired = (now - chrono::Duration::seconds(window_secs)).to_rfc3339();
        let r = sqlx::query(
            "INSERT INTO rate_hits (bucket, key, started, n) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (bucket, key) DO UPDATE SET \
             n = CASE WHEN rate_hits.started <= $4 THEN 1 ELSE rate_hits.n + 1 END, \
             started = CASE WHEN rate_hits.started <= $4 THEN excluded.started ELSE rate_hits.started END \
             RETURNING n",
        )
        .bind(bucket)
        .bind(key)
        .bind(now.to_rfc3339())
        .bind(&expired)
        .fetch_one(&self.pool)
        .await?;
        crate::int(&r, "n")
    }

    /// Forgets windows that ended more than `older_than_secs` ago (the scheduler's tidying).
    pub async fn forget_rate_hits(&self, older_than_secs: i64) -> Result<u64> {
        let before = (chrono::Utc::now() - chrono::Duration::seconds(older_than_secs)).to_rfc3339();
        Ok(sqlx::query("DELETE FROM rate_hits WHERE started < $1")
            .bind(before)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Takes or renews the lease `name` for `holder` until `secs` from now, when it is free,
    /// expired or already `holder`'s. True when `holder` holds it: of several servers running
    /// the same scheduled job, only the holder runs it.
    pub async fn take_lease(&self, name: &str, holder: &str, secs: i64) -> Result<bool> {
        let now = chrono::Utc::now();
        let until = (now + chrono::Duration::seconds(secs)).to_rfc3339();
        sqlx::query(
            "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
             WHERE leases.until < $4 OR leases.holder = excluded.holder",
        )
        .bind(name)
        .bind(holder)
        .bind(&until)
        .bind(now.to_rfc3339())
        .execute(&self.pool)
        .await?;
        let r = sqlx::query("SELECT holder FROM leases WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get::<String, _>("holder")? == holder)
    }
}
