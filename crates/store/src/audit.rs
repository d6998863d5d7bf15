//! Reading and verifying the audit log.
use crate::{Result, Scope, Store, StoreError, scope_like, scope_sql};
use duban_domain::anchor::{Anchor, Checkpoint};
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
        actor: &crate::Actor,
        scope: &Scope,
        action_prefix: &str,
        limit: i64,
        before_seq: Option<i64>,
    ) -> Result<Vec<Entry>> {
        // the discipline desk's own entries are the desk's: other readers of the log never
        // learn a clue, a review or a register entry exists
        let desk = i64::from(
            duban_domain::access::decide(actor.role, duban_domain::access::Action::KeepDesk)
                .is_ok(),
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(audit_sql()))
            .bind(desk)
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

    /// 已办: what an account did, newest first — its own entries of the audit log, without
    /// signing in and out and without the audited reads (`*.view`), in the order of `audit_actor`.
    /// The limit is written into the statement: with it a parameter, PostgreSQL priced the
    /// generic plan over the log's yearly partitions as if it read a tenth of them and planned
    /// every call afresh (3 ms a call, for 0.2 ms of reading).
    pub async fn done_by(&self, user_id: i64, limit: u16) -> Result<Vec<Entry>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM audit_log a WHERE a.actor_id = $1 \
             AND a.action NOT IN ('user.login', 'user.logout', 'user.login_failures') AND a.action NOT LIKE '%.view' \
             ORDER BY a.seq DESC LIMIT {limit}"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// Walks the whole chain. `Ok(n)` with the number of entries when intact.
    pub async fn verify_audit(&self) -> Result<std::result::Result<i64, ChainFault>> {
        Ok(self.verify_audit_head().await?.map(|(n, _)| n))
    }

    /// [`Store::verify_audit`], answering the head it verified (sequence and hash).
    pub async fn verify_audit_head(
        &self,
    ) -> Result<std::result::Result<(i64, String), ChainFault>> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            // up to the head read above: entries committed meanwhile are the next check's
            let rows = sqlx::query(crate::sqlf!(
                "SELECT {COLS} FROM audit_log a WHERE a.seq > $1 AND a.seq <= $2 ORDER BY a.seq LIMIT 5000"
            ))
            .bind(after)
            .bind(head_seq)
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
        // an entry beyond the head is a write that committed meanwhile (the head has moved with
        // it, in the same transaction) or one slipped in without moving the head
        let beyond: Option<i64> =
            sqlx::query_scalar("SELECT MIN(seq) FROM audit_log WHERE seq > $1")
                .bind(head_seq)
                .fetch_one(&self.pool)
                .await?;
        if let Some(seq) = beyond {
            let now: i64 = sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
            if now == head_seq {
                return Ok(Err(ChainFault::Broken { seq }));
            }
        }
        Ok(v.finish(head_seq, &head_hash).map(|n| (n, head_hash)))
    }
}

/// How many earlier signed heads an anchor carries as checkpoints.
const CHECKPOINTS: i64 = 400;

impl Store {
    /// Signs the chain's current head with the installation's key, after verifying the whole
    /// chain (a broken chain is never signed), keeps the anchor and returns it.
    pub async fn sign_anchor(
        &self,
        secret: &[u8; 32],
    ) -> Result<std::result::Result<Anchor, ChainFault>> {
        if let Err(f) = self.verify_audit().await? {
            return Ok(Err(f));
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let (seq, hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        let mut checkpoints: Vec<Checkpoint> = sqlx::query(
            "SELECT seq, hash FROM audit_anchors WHERE seq < $1 ORDER BY seq DESC, id DESC LIMIT $2",
        )
        .bind(seq)
        .bind(CHECKPOINTS)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok(Checkpoint { seq: r.try_get("seq")?, hash: r.try_get("hash")? }))
        .collect::<Result<_>>()?;
        checkpoints.dedup_by_key(|c| c.seq);
        checkpoints.reverse();
        let anchor = Anchor::sign(secret, seq, &hash, &self.now_rfc3339(), checkpoints);
        sqlx::query("INSERT INTO audit_anchors (seq, hash, signed_at, public_key, signature, anchor_json) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(anchor.seq)
            .bind(&anchor.hash)
            .bind(&anchor.signed_at)
            .bind(&anchor.public_key)
            .bind(&anchor.signature)
            .bind(serde_json::to_string(&anchor).unwrap_or_default())
            .execute(&self.pool)
            .await?;
        Ok(Ok(anchor))
    }

    /// The latest signed head, as it was published.
    pub async fn latest_anchor(&self) -> Result<Option<Anchor>> {
        let r = sqlx::query("SELECT anchor_json FROM audit_anchors ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let raw: String = r.try_get("anchor_json")?;
        serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| StoreError::Invalid(format!("审计锚点无法读取：{e}")))
    }

    /// Checks the stored chain against an anchor published earlier: the anchor's signature, the
    /// chain's own links, then every anchored point. `Ok(Ok(n))` when the history holds;
    /// otherwise a Chinese sentence naming where it departs.
    pub async fn verify_against_anchor(
        &self,
        anchor: &Anchor,
        installation_key: Option<&str>,
    ) -> Result<std::result::Result<i64, String>> {
        if let Err(e) = anchor.check(installation_key) {
            return Ok(Err(e.to_string()));
        }
        let n = match self.verify_audit().await? {
            Ok(n) => n,
            Err(f) => return Ok(Err(format!("审计链本身已断裂：{f}"))),
        };
        let mut stored = std::collections::HashMap::new();
        for p in anchor.points() {
            let h: Option<String> = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(p.seq)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("hash"))
                .transpose()?;
            stored.insert(p.seq, h);
        }
        match duban_domain::anchor::first_difference(anchor, |s| stored.get(&s).cloned().flatten())
        {
            None => Ok(Ok(n)),
            Some((good, bad)) => Ok(Err(format!(
                "与已公布的历史不一致：第 {} 至第 {bad} 条审计记录之间有记录被改写或删除（第 {good} 条及以前与公布一致）",
                good + 1
            ))),
        }
    }
}

/// The audit log's page: `$1` 1 when the reader keeps the discipline desk (else its entries are
/// left out), `$2`, `$3` the scope, `$4` 1 for a national scope, `$5` the action prefix pattern,
/// `$6` the sequence to start below, `$7` the rows to read; in the order of the log's sequence.
/// The actions of the discipline desk in the log.
const DESK_ACTIONS: &str =
    "a.action LIKE 'clue%' OR a.action LIKE 'desk.%' OR a.action LIKE 'violations.%'";

#[doc(hidden)]
pub fn audit_sql() -> String {
    format!(
        "SELECT {COLS} FROM audit_log a LEFT JOIN units u ON u.id = a.unit_id \
         WHERE (($4 = 1) OR (a.unit_id IS NOT NULL AND {})) AND a.action LIKE $5 AND a.seq < $6 \
         AND ($1 = 1 OR NOT ({DESK_ACTIONS})) \
         ORDER BY a.seq DESC LIMIT $7",
        scope_sql("u", 2, 3)
    )
}
