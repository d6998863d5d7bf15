//! The supervision rules, read from the database each time so every server agrees.
use crate::{Actor, Change, Result, Store, StoreError};
use duban_domain::rectification::{self as rules};
use serde_json::json;
use sqlx::Row;

pub(crate) const RULES_KEY: &str = "supervision.rules";

/// The supervision rules in force, read through `conn` (defaults until an administrator sets them).
pub(crate) async fn rules_on(conn: &mut sqlx::AnyConnection) -> Result<rules::SupervisionRules> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(RULES_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>("value")?)
            .map_err(|e| StoreError::Invalid(format!("数据库中的督办规则无法读取：{e}")))?,
        None => rules::SupervisionRules::default(),
    })
}

impl crate::Write {
    /// The supervision rules as read in this transaction, read once for all the ledger entries
    /// a batch writes (nothing in a batch changes them; a change of the rules is a write of its
    /// own).
    pub(crate) async fn supervision_rules(&mut self) -> Result<rules::SupervisionRules> {
        if self.rules.is_none() {
            self.rules = Some(rules_on(&mut *self.tx).await?);
        }
        Ok(self.rules.clone().unwrap_or_default())
    }
}

impl Store {
    /// The supervision rules in force: thresholds of the lights, the escalation of notices, and the
    /// roles that review closures. Read from the database each time, so every server agrees.
    pub async fn supervision_rules(&self) -> Result<rules::SupervisionRules> {
        rules_on(&mut *self.pool.acquire().await?).await
    }

    /// Changes the supervision rules (validated, audited). Kept roll-ups and the sweep's quiet days
    /// were computed under the old rules, so they are dropped.
    pub async fn set_supervision_rules(
        &self,
        actor: &Actor,
        new: &rules::SupervisionRules,
    ) -> Result<()> {
        new.validate().map_err(StoreError::Invalid)?;
        let mut w = self.write(actor).await?;
        w.decide_national(duban_domain::access::Action::SetSupervisionRules)?;
        let old = rules_on(&mut *w.tx).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(RULES_KEY)
            .bind(serde_json::to_string(new).unwrap_or_default())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM plan_rollup")
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM task_quiet")
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "settings.supervision",
            entity: "settings",
            entity_id: RULES_KEY.into(),
            unit_id: None,
            before: Some(json!(old)),
            after: Some(json!(new)),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}
