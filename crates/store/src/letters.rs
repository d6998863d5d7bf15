//! Letters from the public: import of historical letters and the reply-rate metrics.
use crate::org::{ImportReport, Unit};
use crate::{Actor, Change, Result, Store, StoreError, now_rfc3339};
use chrono::NaiveDate;
use duban_domain::import::{self, CellError, Table};
use duban_domain::letters::{ClockRules, Rate, clocks};
use duban_domain::org::UnitCode;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// The letters received in a period by a unit (or its subtree): how many, and how the two replies
/// stand against their deadlines on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetterMetrics {
    pub received: u64,
    pub ack: Rate,
    pub reply: Rate,
}

impl Store {
    /// Loads historical letters (`received_on,channel,unit_code,petitioner,phone,category,content,
    /// acknowledged_on,replied_on,closed_on`). A file with any bad row imports nothing; every bad
    /// cell is reported. Deadlines are computed from the receipt by the work calendar.
    pub async fn import_letters(&self, actor: &Actor, table: &Table) -> Result<ImportReport> {
        let cal = self.work_calendar().await?;
        let rules = ClockRules::default();
        let mut w = self.write(actor).await?;
        let mut units: HashMap<UnitCode, i64> = HashMap::new();
        for r in sqlx::query("SELECT id, code FROM units")
            .fetch_all(&mut *w.tx)
            .await?
        {
            if let Ok(c) = UnitCode::parse(&r.try_get::<String, _>(1)?) {
                units.insert(c, r.try_get(0)?);
            }
        }
        let codes: HashSet<UnitCode> = units.keys().cloned().collect();
        let rows = import::validate_letters(table, &codes).map_err(StoreError::Import)?;
        let mut problems = Vec::new();
        let mut due = Vec::with_capacity(rows.len());
        for r in &rows {
            match clocks(&cal, r.received_on, &rules) {
                Ok(c) => due.push(c),
                Err(e) => problems.push(CellError {
                    row: r.row,
                    column: "received_on".into(),
                    message: e.to_string(),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Import(problems));
        }
        let now = now_rfc3339();
        let author = actor.name.clone();
        for (r, c) in rows.iter().zip(&due) {
            let unit = units[&r.unit];
            let id: i64 = sqlx::query(
                "INSERT INTO letters (first_unit_id, unit_id, received_on, unit_received_on, channel, category, petitioner, phone, content, ack_due, reply_due, \
                 acknowledged_on, replied_on, closed_on, created_at) VALUES ($1, $1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(unit)
            .bind(r.received_on.to_string())
            .bind(r.channel.as_str())
            .bind(r.category.as_str())
            .bind(&r.petitioner)
            .bind(&r.phone)
            .bind(&r.content)
            .bind(c.ack_due.to_string())
            .bind(c.reply_due.to_string())
            .bind(r.acknowledged_on.map(|d| d.to_string()))
            .bind(r.replied_on.map(|d| d.to_string()))
            .bind(r.closed_on.map(|d| d.to_string()))
            .bind(&now)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get(0)?;
            let events = [
                ("received", Some(r.received_on)),
                ("ack", r.acknowledged_on),
                ("reply", r.replied_on),
                ("close", r.closed_on),
            ];
            for (kind, on) in events {
                let Some(on) = on else { continue };
                sqlx::query("INSERT INTO letter_events (letter_id, on_date, kind, to_unit_id, body, author, created_at) VALUES ($1, $2, $3, $4, '（导入）', $5, $6)")
                    .bind(id)
                    .bind(on.to_string())
                    .bind(kind)
                    .bind(unit)
                    .bind(&author)
                    .bind(&now)
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        w.audit(Change {
            action: "letters.import",
            entity: "letters",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"rows": rows.len()})),
        })
        .await?;
        w.commit().await?;
        Ok(ImportReport {
            created: rows.len(),
            ..Default::default()
        })
    }

    /// The reply-rate figures of the letters received in [`from`, `to`] and held by `unit` (with
    /// its subtree when asked), as they stand on `as_of`. Counted in the database by the rule of
    /// [`duban_domain::letters::outcome`] (a reply made after `as_of` does not count yet).
    pub async fn letter_metrics(
        &self,
        unit: &Unit,
        subtree: bool,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<LetterMetrics> {
        let counts = |done: &str, due: &str| {
            format!(
                "SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $5 AND l.{done} <= l.{due} THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $5 AND l.{done} > l.{due} THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN (l.{done} IS NULL OR l.{done} > $5) AND l.{due} < $5 THEN 1 ELSE 0 END)"
            )
        };
        let r = sqlx::query(crate::sqlf!(
            "SELECT COUNT(*), {}, {} FROM letters l JOIN units u ON u.id = l.unit_id \
             WHERE l.received_on >= $3 AND l.received_on <= $4 AND {}",
            counts("acknowledged_on", "ack_due"),
            counts("replied_on", "reply_due"),
            crate::scope_sql("u", 1, 2)
        ))
        .bind(unit.id)
        .bind(if subtree {
            format!("{}%", unit.path)
        } else {
            String::new()
        })
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(as_of.to_string())
        .fetch_one(&self.pool)
        .await?;
        let n = |i: usize| -> Result<u64> { Ok(crate::int(&r, i)? as u64) };
        Ok(LetterMetrics {
            received: n(0)?,
            ack: Rate::new(n(1)?, n(2)?, n(3)?),
            reply: Rate::new(n(4)?, n(5)?, n(6)?),
        })
    }
}
