//! Reading and verifying the audit log.
use crate::{Result, Scope, Store, scope_like, scope_sql};
use duban_domain::audit::{ChainFault, Entry, Verifier};
use sqlx::Row;
use sqlx::any::AnyRow;

fn entry(r: &AnyRow) -> Result<Entry> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        unit_id: r.try_get("unit_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLS: &str = "a.seq, a.at, a.actor_id, a.actor, a.action, a.entity, a.entity_id, a.unit_id, a.before_json, a.after_json, a.prev_hash, a.hash";

impl Store {
    /// Audit entries visible to a scope, newest first. Entries without a unit (logins, national
    /// settings such as the calendar, imports) are visible to national scopes only.
    pub async fn audit_entries(
        &self,
        scope: &Scope,
        action_prefix: &str,
        limit: i64,
        before_seq: Option<i64>,
    ) -> Result<Vec<Entry>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM audit_log a LEFT JOIN units u ON u.id = a.unit_id \
             WHERE (($3 = 1) OR (a.unit_id IS NOT NULL AND {})) AND a.action LIKE $4 AND a.seq < $5 \
             ORDER BY a.seq DESC LIMIT $6",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(i64::from(scope.is_national()))
        .bind(format!("{action_prefix}%"))
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// Walks the whole chain. `Ok(n)` with the number of entries when intact.
    pub async fn verify_audit(&self) -> Result<std::result::Result<i64, ChainFault>> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(crate::sqlf!(
                "SELECT {COLS} FROM audit_log a WHERE a.seq > $1 ORDER BY a.seq LIMIT 5000"
            ))
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = entry(r)?;
                if let Err(f) = v.push(&e) {
                    return Ok(Err(f));
                }
                after = e.seq;
            }
        }
        Ok(v.finish(head_seq, &head_hash))
    }
}
