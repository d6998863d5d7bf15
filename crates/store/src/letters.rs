//! Letters from the public: import of historical letters and the reply-rate metrics.
use crate::org::{ImportReport, Unit};
use crate::{Actor, Change, Result, Store, StoreError, now_rfc3339};
use chrono::NaiveDate;
use duban_domain::import::{self, CellError, Table};
use duban_domain::letters::{Rate, clocks};
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
    /// of these letters, how many had a step recorded late (补录), when counted
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_late: Option<u64>,
}

impl Store {
    /// Loads historical letters (`received_on,channel,unit_code,petitioner,phone,category,content,
    /// acknowledged_on,replied_on,closed_on`). A file with any bad row imports nothing; every bad
    /// cell is reported. Deadlines are computed from the receipt by the work calendar.
    pub async fn import_letters(&self, actor: &Actor, table: &Table) -> Result<ImportReport> {
        let cal = self.work_calendar().await?;
        let rules = self.supervision_rules().await?.letter_clocks;
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
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
            crate::search::index_letter_in(&mut w, id).await?;
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
        let r = sqlx::query(crate::sqlf!(
            "SELECT COUNT(*), {} FROM letters l WHERE l.unit_id IN (SELECT u.id FROM units u WHERE {}) \
             AND l.received_on >= $3 AND l.received_on <= $4",
            metric_counts(),
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
        let late = sqlx::query(crate::sqlf!(
            "SELECT COUNT(DISTINCT e.letter_id) FROM letter_events e JOIN letters l ON l.id = e.letter_id \
             WHERE e.late_days > 0 AND e.on_date <= $5 AND l.unit_id IN (SELECT u.id FROM units u WHERE {}) \
             AND l.received_on >= $3 AND l.received_on <= $4",
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
        Ok(LetterMetrics {
            received: n(0)?,
            ack: Rate::new(n(1)?, n(2)?, n(3)?),
            reply: Rate::new(n(4)?, n(5)?, n(6)?),
            recorded_late: Some(crate::int(&late, 0)? as u64),
        })
    }
}

/// The reply-rate counts of a set of letters on `$5` (as of): received, then on time, late and
/// overdue open for the acknowledgement and for the reply.
fn metric_counts() -> String {
    let counts = |done: &str, due: &str| {
        format!(
            "SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $5 AND l.{done} <= l.{due} THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.{done} IS NOT NULL AND l.{done} <= $5 AND l.{done} > l.{due} THEN 1 ELSE 0 END), \
             SUM(CASE WHEN (l.{done} IS NULL OR l.{done} > $5) AND l.{due} < $5 THEN 1 ELSE 0 END)"
        )
    };
    format!(
        "{}, {}",
        counts("acknowledged_on", "ack_due"),
        counts("replied_on", "reply_due")
    )
}

/// Reply rates of one row of a breakdown: a unit (its own letters or its whole subtree) or a level.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsRow {
    pub unit_id: i64,
    pub name: String,
    pub level: i64,
    pub metrics: LetterMetrics,
}

fn add_counts(a: &mut [u64; 7], b: &[u64; 7]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

fn metrics_of(c: &[u64; 7]) -> LetterMetrics {
    LetterMetrics {
        received: c[0],
        ack: Rate::new(c[1], c[2], c[3]),
        reply: Rate::new(c[4], c[5], c[6]),
        recorded_late: None,
    }
}

impl Store {
    /// The same figures as [`Store::letter_metrics`] broken down: the unit's own letters, each
    /// directly subordinate unit with its whole subtree, and each level below the unit. Counted
    /// once per holding unit in SQL, folded here.
    pub async fn letter_metrics_breakdown(
        &self,
        unit: &Unit,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<(Vec<MetricsRow>, Vec<MetricsRow>)> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT l.unit_id, COUNT(*), {} FROM letters l WHERE l.unit_id IN (SELECT u.id FROM units u WHERE u.path LIKE $2) \
             AND l.received_on >= $3 AND l.received_on <= $4 GROUP BY l.unit_id",
            metric_counts()
        ))
        .bind(unit.id)
        .bind(format!("{}%", unit.path))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(as_of.to_string())
        .fetch_all(&self.pool)
        .await?;
        let units = sqlx::query("SELECT id, path, level, name FROM units WHERE path LIKE $1")
            .bind(format!("{}%", unit.path))
            .fetch_all(&self.pool)
            .await?;
        let mut info: HashMap<i64, (String, i64, String)> = HashMap::new();
        for u in &units {
            info.insert(
                u.try_get(0)?,
                (u.try_get(1)?, crate::int(u, 2)?, u.try_get(3)?),
            );
        }
        let children: Vec<(i64, String, i64, String)> = units
            .iter()
            .filter_map(|u| {
                let (id, path, level, name): (i64, String, i64, String) = (
                    u.try_get(0).ok()?,
                    u.try_get(1).ok()?,
                    crate::int(u, 2).ok()?,
                    u.try_get(3).ok()?,
                );
                (level == unit.level + 1).then_some((id, path, level, name))
            })
            .collect();
        let mut own = [0u64; 7];
        let mut per_child: Vec<[u64; 7]> = vec![[0; 7]; children.len()];
        let mut per_level: std::collections::BTreeMap<i64, [u64; 7]> = Default::default();
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let mut c = [0u64; 7];
            for (i, v) in c.iter_mut().enumerate() {
                *v = crate::int(r, i + 1)? as u64;
            }
            let Some((path, level, _)) = info.get(&id) else {
                continue;
            };
            add_counts(per_level.entry(*level).or_default(), &c);
            if id == unit.id {
                add_counts(&mut own, &c);
            } else if let Some(i) = children.iter().position(|ch| path.starts_with(&ch.1)) {
                add_counts(&mut per_child[i], &c);
            }
        }
        let mut by_unit = vec![MetricsRow {
            unit_id: unit.id,
            name: unit.name.clone(),
            level: unit.level,
            metrics: metrics_of(&own),
        }];
        for (ch, c) in children.iter().zip(&per_child) {
            if c[0] > 0 {
                by_unit.push(MetricsRow {
                    unit_id: ch.0,
                    name: ch.3.clone(),
                    level: ch.2,
                    metrics: metrics_of(c),
                });
            }
        }
        let by_level = per_level
            .iter()
            .map(|(level, c)| MetricsRow {
                unit_id: 0,
                name: String::new(),
                level: *level,
                metrics: metrics_of(c),
            })
            .collect();
        Ok((by_unit, by_level))
    }
}

/// A letter as it arrives.
#[derive(Clone)]
pub struct NewLetter {
    pub unit_id: i64,
    pub received_on: NaiveDate,
    pub channel: duban_domain::letters::Channel,
    pub category: duban_domain::letters::LetterCategory,
    pub petitioner: String,
    pub phone: String,
    pub id_number: String,
    pub address: String,
    pub content: String,
    /// attachments (checked for type and size by the caller's limits)
    pub files: Vec<crate::rectification::Upload>,
}

/// What the writer sees with the query code, and nothing else.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub received_on: String,
    pub unit_name: String,
    pub ack_due: String,
    pub reply_due: String,
    pub acknowledged_on: Option<String>,
    pub replied_on: Option<String>,
    pub closed_on: Option<String>,
    /// (date, kind, text) of each reply sent to the writer
    pub replies: Vec<(String, String, String)>,
    /// the writer's rating of the result reply: "satisfied" or "unsatisfied"
    pub rating: Option<String>,
}

impl Store {
    /// Registers a letter and returns its id and the query code, which is stored only as a digest
    /// and shown once. Both clocks start at this receipt.
    pub async fn submit_letter(&self, actor: &Actor, l: &NewLetter) -> Result<(i64, String)> {
        // the right alone (the unit is the registering account's own, or the public's choice)
        duban_domain::access::decide(actor.role, duban_domain::access::Action::HandleLetters)?;
        if l.content.trim().is_empty() {
            return Err(StoreError::Invalid("请填写信访内容".into()));
        }
        if l.content.chars().count() > import::LETTER_MAX_CHARS {
            return Err(StoreError::Invalid(format!(
                "信访内容不超过 {} 字",
                import::LETTER_MAX_CHARS
            )));
        }
        let id_number = l.id_number.trim();
        if !id_number.is_empty() && !import::valid_id_number(id_number) {
            return Err(StoreError::Invalid(
                "身份证号码应为 18 位（最后一位可为 X），且校验码正确".into(),
            ));
        }
        if !l.phone.trim().is_empty() && !import::valid_phone(&l.phone) {
            return Err(StoreError::Invalid(format!(
                "电话号码“{}”无效",
                l.phone.trim()
            )));
        }
        // a letter is never refused for want of next year's holiday schedule
        let (c, _provisional) = duban_domain::letters::clocks_lenient(
            &self.work_calendar().await?,
            l.received_on,
            &self.supervision_rules().await?.letter_clocks,
        )
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let code = duban_domain::letters::new_query_code();
        let hash = duban_domain::auth::secret_digest(&code);
        // written with whatever else is queued (group commit), acknowledged once committed
        let id = self
            .queue_write(crate::rectification::Work::Letter {
                actor: actor.clone(),
                letter: l.clone(),
                code_hash: hash,
                clocks: c,
            })
            .await?;
        Ok((id, code))
    }

    /// The writer rates the result reply, once, after it was sent. `false` when the code is wrong.
    pub async fn rate_letter(
        &self,
        raw_code: &str,
        satisfied: bool,
        comment: &str,
    ) -> Result<bool> {
        let Some(code) = duban_domain::letters::normalize_query_code(raw_code) else {
            return Ok(false);
        };
        let comment = duban_domain::text::optional(comment, 500)
            .map_err(|e| StoreError::Invalid(format!("意见{e}")))?;
        let mut w = self.write(&Actor::system("public")).await?;
        let Some(r) = sqlx::query(
            "SELECT id, replied_on, rating, unit_id FROM letters WHERE query_hash = $1",
        )
        .bind(duban_domain::auth::secret_digest(&code))
        .fetch_optional(&mut *w.tx)
        .await?
        else {
            return Ok(false);
        };
        let (id, replied, rating, unit): (i64, Option<String>, Option<String>, i64) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        if replied.is_none() {
            return Err(StoreError::Invalid("收到办理结果答复后才能评价".into()));
        }
        if rating.is_some() {
            return Err(StoreError::Invalid("您已评价过".into()));
        }
        let value = if satisfied {
            "satisfied"
        } else {
            "unsatisfied"
        };
        sqlx::query(
            "UPDATE letters SET rating = $1, rating_comment = $2, rated_on = $3 WHERE id = $4",
        )
        .bind(value)
        .bind(&comment)
        .bind(crate::today().to_string())
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "letter.rate",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"rating": value})),
        })
        .await?;
        w.commit().await?;
        Ok(true)
    }

    /// The public status of the letter with this query code (as typed), or `None`.
    pub async fn letter_status(&self, raw_code: &str) -> Result<Option<PublicStatus>> {
        let Some(code) = duban_domain::letters::normalize_query_code(raw_code) else {
            return Ok(None);
        };
        let Some(r) = sqlx::query(
            "SELECT l.id, l.received_on, u.name, l.ack_due, l.reply_due, l.acknowledged_on, l.replied_on, l.closed_on, l.rating FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.query_hash = $1",
        )
        .bind(duban_domain::auth::secret_digest(&code))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = r.try_get(0)?;
        let replies = sqlx::query("SELECT on_date, kind, body FROM letter_events WHERE letter_id = $1 AND kind IN ('ack', 'reply', 'progress', 'close') ORDER BY on_date, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|e| Ok((e.try_get(0)?, e.try_get(1)?, e.try_get(2)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(PublicStatus {
            received_on: r.try_get(1)?,
            unit_name: r.try_get(2)?,
            ack_due: r.try_get(3)?,
            reply_due: r.try_get(4)?,
            acknowledged_on: r.try_get(5)?,
            replied_on: r.try_get(6)?,
            closed_on: r.try_get(7)?,
            replies,
            rating: r.try_get(8)?,
        }))
    }
}

/// A letter in a unit's list.
#[derive(Debug, Clone, Serialize)]
pub struct LetterSummary {
    pub id: i64,
    pub received_on: String,
    pub unit_name: String,
    pub channel: String,
    pub category: String,
    pub ack_due: String,
    pub reply_due: String,
    pub acknowledged_on: Option<String>,
    pub replied_on: Option<String>,
    pub closed_on: Option<String>,
}

/// A letter with its writer's data and its history, for the units on its path.
#[derive(Debug, Clone, Serialize)]
pub struct LetterDetail {
    pub summary: LetterSummary,
    pub id_number: String,
    pub address: String,
    /// reminders and notices issued on it: (issued on, kind, level, days overdue, addressee)
    pub notices: Vec<(String, String, String, i64, Option<String>)>,
    /// letters linked to it as the same writer's on the same matter: (id, received on, unit)
    pub links: Vec<(i64, String, String)>,
    /// public hearings: (held on, participants, outcome)
    pub hearings: Vec<(String, String, String)>,
    /// attachments: (id, filename, size)
    pub files: Vec<(i64, String, i64)>,
    pub unit_id: i64,
    pub first_unit_name: String,
    pub unit_received_on: String,
    pub petitioner: String,
    pub phone: String,
    pub content: String,
    pub events: Vec<LetterEvent>,
}

/// A step on a letter's timeline: its business date, the unit it came from and went to, and
/// when it was recorded (with the delay and reason when recorded late, 补录).
#[derive(Debug, Clone, Serialize)]
pub struct LetterEvent {
    pub on_date: String,
    pub kind: String,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub body: String,
    pub author: String,
    pub recorded_at: String,
    pub late_days: i64,
    pub late_reason: String,
}

const SUMMARY: &str = "SELECT l.id, l.received_on, u.name, l.channel, l.category, l.ack_due, l.reply_due, l.acknowledged_on, l.replied_on, l.closed_on FROM letters l JOIN units u ON u.id = l.unit_id";

fn summary(r: &sqlx::any::AnyRow) -> Result<LetterSummary> {
    Ok(LetterSummary {
        id: r.try_get(0)?,
        received_on: r.try_get(1)?,
        unit_name: r.try_get(2)?,
        channel: r.try_get(3)?,
        category: r.try_get(4)?,
        ack_due: r.try_get(5)?,
        reply_due: r.try_get(6)?,
        acknowledged_on: r.try_get(7)?,
        replied_on: r.try_get(8)?,
        closed_on: r.try_get(9)?,
    })
}

impl Store {
    /// Letters held by units in scope, open ones first by their next deadline.
    pub async fn letters(
        &self,
        scope: &crate::Scope,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<LetterSummary>> {
        let rows = sqlx::query(crate::sqlf!(
            "{SUMMARY} WHERE {} AND ($3 = 0 OR l.closed_on IS NULL) \
             ORDER BY CASE WHEN l.closed_on IS NULL THEN 0 ELSE 1 END, CASE WHEN l.acknowledged_on IS NULL THEN l.ack_due ELSE l.reply_due END, l.id LIMIT $4",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(i64::from(open_only))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary).collect()
    }

    /// The letters held by units in scope and received in [from, to], as a table for export. The
    /// writer's data (name, phone, ID number, address) is included only with `personal`, which the
    /// caller must have the right to; such an export is audited.
    pub async fn export_letters(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        from: NaiveDate,
        to: NaiveDate,
        personal: bool,
    ) -> Result<Vec<Vec<String>>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT l.id, l.received_on, f.name, u.name, l.channel, l.category, l.ack_due, COALESCE(l.acknowledged_on, ''), l.reply_due, \
             COALESCE(l.replied_on, ''), COALESCE(l.closed_on, ''), COALESCE(l.rating, ''), l.content, l.petitioner, l.phone, l.id_number, l.address, \
             (SELECT COALESCE(MAX(e.late_days), 0) FROM letter_events e WHERE e.letter_id = l.id) \
             FROM letters l JOIN units u ON u.id = l.unit_id JOIN units f ON f.id = l.first_unit_id \
             WHERE {} AND l.received_on BETWEEN $3 AND $4 ORDER BY l.received_on, l.id LIMIT 200000",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut head: Vec<String> = [
            "编号",
            "收到日期",
            "首次收到单位",
            "办理单位",
            "来源",
            "类别",
            "程序性回复期限",
            "程序性回复日期",
            "答复期限",
            "答复日期",
            "办结日期",
            "评价",
            "内容",
            "补录",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if personal {
            head.extend(["来信人", "电话", "身份证号", "地址"].map(String::from));
        }
        let mut out = vec![head];
        let cols = if personal { 17 } else { 13 };
        for r in &rows {
            let mut row = Vec::with_capacity(cols + 1);
            row.push(r.try_get::<i64, _>(0)?.to_string());
            for i in 1..cols {
                if i == 13 {
                    row.push(late_mark(r.try_get(17)?));
                }
                let v: String = r.try_get(i)?;
                row.push(match i {
                    4 => {
                        duban_domain::letters::Channel::parse(&v).map_or(v, |c| c.zh().to_string())
                    }
                    5 => duban_domain::letters::LetterCategory::parse(&v)
                        .map_or(v, |c| c.zh().to_string()),
                    11 => match v.as_str() {
                        "satisfied" => "满意".into(),
                        "unsatisfied" => "不满意".into(),
                        _ => v,
                    },
                    _ => v,
                });
            }
            if !personal {
                row.push(late_mark(r.try_get(17)?));
            }
            out.push(row);
        }
        if personal {
            let mut w = self.write(actor).await?;
            w.audit(Change {
                action: "letters.export_personal",
                entity: "letters",
                entity_id: format!("{from}..{to}"),
                unit_id: Some(scope.unit_id),
                before: None,
                after: Some(json!({"letters": rows.len()})),
            })
            .await?;
            w.commit().await?;
        }
        Ok(out)
    }

    /// Whether the caller's scope covers a unit on the letter's path (the first receiving unit,
    /// the holding unit, any unit it was routed from or to).
    async fn on_path(&self, scope: &crate::Scope, id: i64) -> Result<bool> {
        let n: i64 = sqlx::query(crate::sqlf!(
            "SELECT COUNT(*) FROM units u WHERE {} AND (u.id IN (SELECT unit_id FROM letters WHERE id = $3) \
             OR u.id IN (SELECT first_unit_id FROM letters WHERE id = $3) \
             OR u.id IN (SELECT from_unit_id FROM letter_events WHERE letter_id = $3) OR u.id IN (SELECT to_unit_id FROM letter_events WHERE letter_id = $3))",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }

    /// A letter for a caller whose scope covers a unit on its path (the holding unit, or one it
    /// passed through). The view of the writer's data is audited.
    pub async fn letter_in_scope(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        id: i64,
    ) -> Result<Option<LetterDetail>> {
        if !self.on_path(scope, id).await? {
            return Ok(None);
        }
        let Some(r) = sqlx::query(crate::sqlf!(
            "{SUMMARY} JOIN units f ON f.id = l.first_unit_id WHERE l.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let extra = sqlx::query("SELECT l.unit_id, f.name, l.unit_received_on, l.petitioner, l.phone, l.content, l.id_number, l.address FROM letters l JOIN units f ON f.id = l.first_unit_id WHERE l.id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let events = sqlx::query(
            "SELECT e.on_date, e.kind, fu.name AS from_unit, tu.name AS to_unit, e.body, e.author, e.created_at, e.late_days, e.late_reason FROM letter_events e LEFT JOIN units fu ON fu.id = e.from_unit_id \
             LEFT JOIN units tu ON tu.id = e.to_unit_id WHERE e.letter_id = $1 ORDER BY e.on_date, e.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|e| {
            Ok(LetterEvent {
                on_date: e.try_get("on_date")?,
                kind: e.try_get("kind")?,
                from_unit: e.try_get("from_unit")?,
                to_unit: e.try_get("to_unit")?,
                body: e.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
                author: e.try_get("author")?,
                recorded_at: e.try_get("created_at")?,
                late_days: e.try_get("late_days")?,
                late_reason: e.try_get("late_reason")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let notices = sqlx::query(
            "SELECT n.issued_on, n.kind, n.level, n.days_overdue, s.name FROM notices n LEFT JOIN staff s ON s.id = n.addressee_id WHERE n.letter_id = $1 ORDER BY n.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|e| Ok((e.try_get(0)?, e.try_get(1)?, e.try_get(2)?, e.try_get(3)?, e.try_get(4)?)))
        .collect::<Result<Vec<_>>>()?;
        let links = sqlx::query(
            "SELECT o.id, o.received_on, u.name FROM letter_links k JOIN letters o ON o.id = CASE WHEN k.letter_id = $1 THEN k.other_id ELSE k.letter_id END \
             JOIN units u ON u.id = o.unit_id WHERE k.letter_id = $1 OR k.other_id = $1 ORDER BY o.received_on",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|e| Ok((e.try_get(0)?, e.try_get(1)?, e.try_get(2)?)))
        .collect::<Result<Vec<_>>>()?;
        let hearings = sqlx::query("SELECT held_on, participants, outcome FROM hearings WHERE letter_id = $1 ORDER BY held_on, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|e| Ok((e.try_get(0)?, e.try_get(1)?, e.try_get(2)?)))
            .collect::<Result<Vec<_>>>()?;
        let files = sqlx::query(
            "SELECT id, filename, size FROM letter_files WHERE letter_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|e| Ok((e.try_get(0)?, e.try_get(1)?, e.try_get(2)?)))
        .collect::<Result<Vec<_>>>()?;
        let detail = LetterDetail {
            summary: summary(&r)?,
            id_number: extra.try_get(6)?,
            address: extra.try_get(7)?,
            notices,
            links,
            hearings,
            files,
            unit_id: extra.try_get(0)?,
            first_unit_name: extra.try_get(1)?,
            unit_received_on: extra.try_get(2)?,
            petitioner: extra.try_get(3)?,
            phone: extra.try_get(4)?,
            content: extra.try_get(5)?,
            events,
        };
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "letter.view",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(detail.unit_id),
            before: None,
            after: None,
        })
        .await?;
        w.commit().await?;
        Ok(Some(detail))
    }

    /// A step on a letter held in scope: replies set their dates (the first of each kind counts for
    /// the clocks), transfer and assignment move the letter to another unit (its own receipt date is
    /// kept; the public clock runs on), supervision is recorded for a lower unit's handling.
    pub async fn letter_step(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        id: i64,
        step: duban_domain::letters::Step,
        on: NaiveDate,
        body: &str,
        late_reason: &str,
        to_unit: Option<i64>,
    ) -> Result<()> {
        use duban_domain::letters::Step;
        let cal = self.work_calendar().await?;
        let grace = self
            .supervision_rules()
            .await?
            .integrity
            .letter_grace_working_days;
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        let r = sqlx::query(crate::sqlf!(
            "SELECT l.received_on, l.unit_id, l.closed_on, u.path FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let received: String = r.try_get(0)?;
        let holder: i64 = r.try_get(1)?;
        let closed: Option<String> = r.try_get(2)?;
        let holder_path: String = r.try_get(3)?;
        let received = received
            .parse::<NaiveDate>()
            .map_err(|_| StoreError::Invalid("收到日期有误".into()))?;
        let late_days = duban_domain::letters::decide_step_date(
            received,
            on,
            crate::today(),
            grace,
            late_reason,
            &cal,
        )?;
        if closed.is_some() && step != Step::Progress {
            return Err(StoreError::Invalid("该件已办结".into()));
        }
        if body.trim().is_empty() {
            return Err(StoreError::Invalid(format!("请填写{}内容", step.zh())));
        }
        let on_s = on.to_string();
        let mut to = None;
        match step {
            Step::Ack => {
                sqlx::query("UPDATE letters SET acknowledged_on = COALESCE(acknowledged_on, $1) WHERE id = $2").bind(&on_s).bind(id).execute(&mut *w.tx).await?;
            }
            Step::Reply => {
                sqlx::query("UPDATE letters SET replied_on = COALESCE(replied_on, $1), acknowledged_on = COALESCE(acknowledged_on, $1) WHERE id = $2")
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
            }
            Step::Progress => {}
            Step::Close => {
                sqlx::query("UPDATE letters SET closed_on = $1 WHERE id = $2")
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
            }
            Step::Supervise => {
                // a higher unit urges the holding unit's handling
                if holder == scope.unit_id {
                    return Err(StoreError::Invalid(
                        "督办由上级院对下级院办理的信访件作出".into(),
                    ));
                }
                to = Some(holder);
            }
            Step::Transfer | Step::Assign => {
                let target = to_unit
                    .ok_or_else(|| StoreError::Invalid(format!("请选择{}的单位", step.zh())))?;
                let Some(t) = sqlx::query("SELECT path FROM units WHERE id = $1")
                    .bind(target)
                    .fetch_optional(&mut *w.tx)
                    .await?
                else {
                    return Err(StoreError::Invalid("该单位不在检察机关组织体系内".into()));
                };
                let path: String = t.try_get(0)?;
                if target == holder {
                    return Err(StoreError::Invalid("该件已由此单位办理".into()));
                }
                if step == Step::Assign && !path.starts_with(&holder_path) {
                    return Err(StoreError::Invalid("交办只能交给下级单位".into()));
                }
                sqlx::query("UPDATE letters SET unit_id = $1, unit_received_on = $2 WHERE id = $3")
                    .bind(target)
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                to = Some(target);
            }
        }
        let from = if step == Step::Supervise {
            scope.unit_id
        } else {
            holder
        };
        sqlx::query("INSERT INTO letter_events (letter_id, on_date, kind, from_unit_id, to_unit_id, body, author, created_at, late_days, late_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(&on_s)
            .bind(step.as_str())
            .bind(from)
            .bind(to)
            .bind(body.trim())
            .bind(&actor.name)
            .bind(now_rfc3339())
            .bind(late_days)
            .bind(if late_days > 0 { late_reason.trim() } else { "" })
            .execute(&mut *w.tx)
            .await?;
        if step.is_public() {
            // replies are searched too
            crate::search::index_letter_in(&mut w, id).await?;
        }
        w.audit(Change {
            action: "letter.step",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(holder),
            before: None,
            after: Some(json!({"step": step.as_str(), "on": on_s, "to_unit": to})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}

/// The demo's letters, January to September 2020: 200 at the SPP (every reply on time: the seed's
/// "two 100%") and 150 each at 浙江 and 广东, two of whose replies each came late — 496 of 500 on
/// time, the seed's 99.2% three-month rate. Loaded once.
pub(crate) async fn load_demo_letters(store: &Store) -> Result<()> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM letters")
        .fetch_one(&store.pool)
        .await?
        .try_get(0)?;
    if n > 0 {
        return Ok(());
    }
    const SURNAMES: [&str; 12] = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    ];
    const GIVEN: [&str; 10] = [
        "建国", "秀英", "志强", "丽华", "海涛", "桂兰", "明亮", "淑珍", "永刚", "红霞",
    ];
    const MATTERS: [(&str, &str); 6] = [
        ("控告", "控告某派出所民警违法取证，请求依法监督"),
        ("举报", "举报某单位工作人员插手过问案件"),
        ("申诉", "不服法院民事判决，申请检察机关监督"),
        ("求决", "请求国家司法救助，因案致贫生活困难"),
        ("意见建议", "对检务公开和12309服务提出改进建议"),
        ("其他", "咨询未成年人检察工作相关规定"),
    ];
    const CHANNELS: [&str; 5] = ["网上", "来信", "来访", "12309", "转来"];
    let start = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap_or_default();
    let mut table: Table = vec![
        import::LETTER_COLUMNS
            .iter()
            .map(|(c, _)| c.to_string())
            .collect(),
    ];
    for (unit, count, late) in [
        ("100000", 200usize, 0usize),
        ("330000", 150, 2),
        ("440000", 150, 2),
    ] {
        for i in 0..count {
            let received = start + chrono::Duration::days((i * 272 / count) as i64);
            let (category, content) = MATTERS[i % MATTERS.len()];
            let reply = received + chrono::Duration::days(if i < late { 100 } else { 45 });
            table.push(vec![
                received.to_string(),
                CHANNELS[i % CHANNELS.len()].into(),
                unit.into(),
                format!(
                    "{}{}",
                    SURNAMES[i % SURNAMES.len()],
                    GIVEN[(i / 3) % GIVEN.len()]
                ),
                if i % 3 == 0 {
                    format!("138{:08}", 10_000_000 + i * 7919 % 89_999_999)
                } else {
                    String::new()
                },
                category.into(),
                format!("{content}（演示来信 {unit}-{:03}）", i + 1),
                (received + chrono::Duration::days(3)).to_string(),
                reply.to_string(),
                reply.to_string(),
            ]);
        }
    }
    store.import_letters(&Actor::system("demo"), &table).await?;
    Ok(())
}

/// The generator's matters: eight per category (控告, 举报, 申诉, 求决, 意见建议, 其他), in turn.
const NATION_MATTERS: [&str; 48] = [
    "控告某派出所民警违法取证，请求检察机关依法监督",
    "举报某村干部侵占集体土地补偿款",
    "不服法院民事判决，申请检察机关抗诉",
    "请求国家司法救助，因案致贫生活困难",
    "建议进一步推进检务公开，方便群众查询案件进度",
    "咨询未成年人检察工作相关规定",
    "控告某看守所工作人员体罚在押人员",
    "举报某干部插手过问案件，干预司法办案",
    "不服不起诉决定，申请复查",
    "请求督促执行拖欠多年的劳动报酬",
    "对12309检察服务热线接听服务提出改进建议",
    "询问刑事申诉的受理条件和办理期限",
    "控告某公司非法集资，公安机关立案后久拖不决",
    "举报某法官收受当事人财物",
    "不服行政判决，申请检察监督",
    "请求解决因案件久拖造成的生活困难",
    "建议加强对校园周边治安的法律监督",
    "咨询公益诉讼线索的反映渠道",
    "控告某派出所对报案不予立案",
    "举报某检察人员违规会见案件当事人",
    "不服刑事判决，认为量刑过重，提出申诉",
    "请求检察机关督促相关部门依法赔偿",
    "对检察建议落实情况提出意见",
    "咨询民事执行监督的办理程序",
    "控告某执法人员违法查封扣押冻结财产",
    "举报某企业污染环境，损害社会公共利益",
    "不服法院再审裁定，请求检察机关监督",
    "请求依法保护农民工合法权益",
    "建议规范律师阅卷预约流程",
    "咨询认罪认罚从宽制度的适用",
    "控告某单位拒不执行生效判决",
    "举报某公职人员违规经商办企业",
    "不服国家赔偿决定，提出申诉",
    "请求对涉案企业合规整改情况进行监督",
    "对信访接待场所设置提出改进意见",
    "咨询刑事被害人救助的申请材料",
    "控告侦查人员超期羁押犯罪嫌疑人",
    "举报有关人员在案件办理中弄虚作假",
    "不服民事调解书，申请检察监督",
    "请求督促相关部门解决征地补偿纠纷",
    "建议加大对电信网络诈骗犯罪的打击力度",
    "咨询检察听证的参加方式",
    "控告某法院审理期限严重超期",
    "举报某律师与办案人员不正当交往",
    "不服公安机关撤销案件决定，请求监督",
    "请求帮助追回被骗养老钱",
    "建议在基层检察院设立便民服务窗口",
    "咨询司法救助资金的发放程序",
];

/// What the nationwide letters generator made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NationLetters {
    pub letters: u64,
}

impl Store {
    /// A nationwide year of letters (2020) for benchmarks: about 1,060,000, spread over every unit
    /// (SPP 3,000, provinces 2,000, cities 500, basic units 250), every one acknowledged in 2 days;
    /// result replies in 40 days, except one in 125 outside the SPP, answered after 100 days — the
    /// SPP's two 100% and 99.2% nationwide. Set-based; idempotent (units with letters are skipped).
    pub async fn load_nation_letters(&self) -> Result<NationLetters> {
        let cal = self.work_calendar().await?;
        let rules = self.supervision_rules().await?.letter_clocks;
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let mut w = self.write(&Actor::system("demo")).await?;
        sqlx::query("CREATE TEMP TABLE nation_days (idx BIGINT PRIMARY KEY, received_on TEXT, ack_due TEXT, reply_due TEXT, ack_on TEXT, reply_on TEXT, late_on TEXT)").execute(&mut *w.tx).await?;
        // 48 matters, eight per category in the order of the categories below (k % 6), so that a
        // letter's content fits its category; each tokenized once for the search index
        sqlx::query("CREATE TEMP TABLE nation_texts (idx BIGINT PRIMARY KEY, content TEXT NOT NULL, tokens TEXT NOT NULL)")
            .execute(&mut *w.tx)
            .await?;
        for (i, content) in NATION_MATTERS.iter().enumerate() {
            sqlx::query("INSERT INTO nation_texts (idx, content, tokens) VALUES ($1, $2, $3)")
                .bind(i as i64)
                .bind(*content)
                .bind(crate::search::index_tokens(content))
                .execute(&mut *w.tx)
                .await?;
        }
        sqlx::query("CREATE TEMP TABLE nation_nums (k BIGINT PRIMARY KEY)")
            .execute(&mut *w.tx)
            .await?;
        let mut days = Vec::new();
        for i in 0..366i64 {
            let d = start + chrono::Duration::days(i);
            let c = clocks(&cal, d, &rules).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let s = |x: NaiveDate| serde_json::Value::String(x.to_string());
            days.push(vec![
                json!(i),
                s(d),
                s(c.ack_due),
                s(c.reply_due),
                s(d + chrono::Duration::days(2)),
                s(d + chrono::Duration::days(40)),
                s(d + chrono::Duration::days(100)),
            ]);
        }
        let cols: Vec<String> = [
            "idx",
            "received_on",
            "ack_due",
            "reply_due",
            "ack_on",
            "reply_on",
            "late_on",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for chunk in days.chunks(100) {
            crate::backup::insert_rows(
                &mut w.tx,
                "nation_days",
                &cols,
                &[true, false, false, false, false, false, false],
                chunk,
                "",
            )
            .await?;
        }
        let nums: Vec<Vec<serde_json::Value>> = (0..3000i64).map(|k| vec![json!(k)]).collect();
        for chunk in nums.chunks(500) {
            crate::backup::insert_rows(
                &mut w.tx,
                "nation_nums",
                &["k".to_string()],
                &[true],
                chunk,
                "",
            )
            .await?;
        }
        let per_unit =
            "CASE u.level WHEN 1 THEN 3000 WHEN 2 THEN 2000 WHEN 3 THEN 500 ELSE 250 END";
        let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM letters")
            .fetch_one(&mut *w.tx)
            .await?;
        let now = now_rfc3339();
        let inserted = sqlx::query(crate::sqlf!(
            "INSERT INTO letters (first_unit_id, unit_id, received_on, unit_received_on, channel, category, petitioner, phone, content, ack_due, reply_due, acknowledged_on, replied_on, closed_on, created_at) \
             SELECT u.id, u.id, d.received_on, d.received_on, \
               CASE n.k % 5 WHEN 0 THEN 'online' WHEN 1 THEN 'post' WHEN 2 THEN 'visit' WHEN 3 THEN 'hotline' ELSE 'transferred' END, \
               CASE n.k % 6 WHEN 0 THEN 'accusation' WHEN 1 THEN 'report' WHEN 2 THEN 'appeal' WHEN 3 THEN 'request' WHEN 4 THEN 'suggestion' ELSE 'other' END, \
               '', '', t.content, d.ack_due, d.reply_due, d.ack_on, \
               CASE WHEN u.level > 1 AND n.k % 125 = 7 THEN d.late_on ELSE d.reply_on END, \
               CASE WHEN u.level > 1 AND n.k % 125 = 7 THEN d.late_on ELSE d.reply_on END, $1 \
             FROM units u JOIN nation_nums n ON n.k < {per_unit} JOIN nation_days d ON d.idx = n.k * 366 / ({per_unit}) JOIN nation_texts t ON t.idx = n.k % 48 \
             WHERE NOT EXISTS (SELECT 1 FROM letters x WHERE x.unit_id = u.id) ORDER BY u.id, n.k"
        ))
        .bind(&now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        sqlx::query("DROP TABLE nation_days")
            .execute(&mut *w.tx)
            .await?;
        let index = match self.backend {
            crate::Backend::Sqlite => {
                "INSERT INTO letters_fts (rowid, tokens) SELECT l.id, t.tokens"
            }
            crate::Backend::Postgres => {
                "INSERT INTO letters_fts (letter_id, tokens) SELECT l.id, to_tsvector('simple', t.tokens)"
            }
        };
        sqlx::query(crate::sqlf!(
            "{index} FROM letters l JOIN nation_texts t ON t.content = l.content WHERE l.id > $1 ORDER BY l.id"
        ))
        .bind(before)
        .execute(&mut *w.tx)
        .await?;
        for t in ["nation_nums", "nation_texts"] {
            sqlx::query(crate::sqlf!("DROP TABLE {t}"))
                .execute(&mut *w.tx)
                .await?;
        }
        w.audit(Change {
            action: "demo.nation.letters",
            entity: "letters",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"letters": inserted})),
        })
        .await?;
        w.commit().await?;
        Ok(NationLetters { letters: inserted })
    }
}

/// Inserts a received letter and its receipt event, audited without the writer's data.
pub(crate) async fn insert_letter_in(
    w: &mut crate::Write,
    actor: &Actor,
    l: &NewLetter,
    code_hash: &str,
    c: &duban_domain::letters::Clocks,
) -> Result<i64> {
    let now = now_rfc3339();
    let id: i64 = sqlx::query(
        "INSERT INTO letters (query_hash, first_unit_id, unit_id, received_on, unit_received_on, channel, category, petitioner, phone, content, ack_due, reply_due, created_at, id_number, address) \
         VALUES ($1, $2, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(code_hash)
    .bind(l.unit_id)
    .bind(l.received_on.to_string())
    .bind(l.channel.as_str())
    .bind(l.category.as_str())
    .bind(l.petitioner.trim())
    .bind(l.phone.trim())
    .bind(&l.content)
    .bind(c.ack_due.to_string())
    .bind(c.reply_due.to_string())
    .bind(&now)
    .bind(l.id_number.trim().to_uppercase())
    .bind(l.address.trim())
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    for f in &l.files {
        let sha = crate::rectification::put_blob(w, &f.bytes).await?;
        sqlx::query("INSERT INTO letter_files (letter_id, sha256, filename, content_type, size) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&sha)
            .bind(&f.filename)
            .bind(crate::rectification::evidence_type(&f.filename)?)
            .bind(f.bytes.len() as i64)
            .execute(&mut *w.tx)
            .await?;
    }
    sqlx::query("INSERT INTO letter_events (letter_id, on_date, kind, to_unit_id, author, created_at) VALUES ($1, $2, 'received', $3, $4, $5)")
        .bind(id)
        .bind(l.received_on.to_string())
        .bind(l.unit_id)
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
    crate::search::index_letter_in(w, id).await?;
    // the audit records the receipt, never the writer's personal data
    w.audit(Change {
        action: "letter.receive",
        entity: "letter",
        entity_id: id.to_string(),
        unit_id: Some(l.unit_id),
        before: None,
        after: Some(json!({"channel": l.channel.as_str(), "category": l.category.as_str(), "received_on": l.received_on.to_string()})),
    })
    .await?;
    Ok(id)
}

/// A unit's open letters and how many are past a deadline, on a day.
#[derive(Debug, Clone, Serialize)]
pub struct BoardRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub level: i64,
    pub open: u64,
    pub ack_overdue: u64,
    pub reply_overdue: u64,
}

impl Store {
    /// The overdue board: per unit in scope holding open letters, the open ones and those past the
    /// acknowledgement or the reply deadline on `as_of`, most overdue first.
    pub async fn letter_board(
        &self,
        scope: &crate::Scope,
        as_of: NaiveDate,
    ) -> Result<Vec<BoardRow>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT u.id, u.name, u.level, COUNT(*), \
             SUM(CASE WHEN l.acknowledged_on IS NULL AND l.ack_due < $3 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN l.replied_on IS NULL AND l.reply_due < $3 THEN 1 ELSE 0 END) \
             FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.closed_on IS NULL AND l.received_on <= $3 AND {} \
             GROUP BY u.id, u.name, u.level ORDER BY 6 DESC, 5 DESC, u.level, u.name",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(as_of.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BoardRow {
                    unit_id: r.try_get(0)?,
                    unit_name: r.try_get(1)?,
                    level: r.try_get(2)?,
                    open: crate::int(r, 3)? as u64,
                    ack_overdue: crate::int(r, 4)? as u64,
                    reply_overdue: crate::int(r, 5)? as u64,
                })
            })
            .collect()
    }
}

/// Per-level totals of board rows: (level, units, open, ack overdue, reply overdue).
pub fn board_levels(rows: &[BoardRow]) -> Vec<(i64, u64, u64, u64, u64)> {
    let mut out: Vec<(i64, u64, u64, u64, u64)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|l| l.0 == r.level) {
            Some(l) => {
                l.1 += 1;
                l.2 += r.open;
                l.3 += r.ack_overdue;
                l.4 += r.reply_overdue;
            }
            None => out.push((r.level, 1, r.open, r.ack_overdue, r.reply_overdue)),
        }
    }
    out.sort_by_key(|l| l.0);
    out
}

/// A letter suggested as the same writer's on the same matter.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatSuggestion {
    pub id: i64,
    pub received_on: String,
    pub unit_name: String,
    pub excerpt: String,
    /// what they share: "phone", "id_number" or "name"
    pub by: &'static str,
}

/// A backlog campaign (信访积案清理) and its progress.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub unit_name: String,
    pub title: String,
    pub deadline: String,
    pub targets: i64,
    pub closed: i64,
}

impl Store {
    /// Letters in scope from the same writer (same ID number or phone; or the same name where
    /// neither letter has one) in the same category, not linked yet: candidates for 重复信访.
    pub async fn repeat_suggestions(
        &self,
        scope: &crate::Scope,
        id: i64,
    ) -> Result<Vec<RepeatSuggestion>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT o.id, o.received_on, u.name, SUBSTR(o.content, 1, 60), \
             CASE WHEN l.id_number <> '' AND o.id_number = l.id_number THEN 'id_number' WHEN l.phone <> '' AND o.phone = l.phone THEN 'phone' ELSE 'name' END \
             FROM letters l JOIN letters o ON o.id <> l.id AND o.category = l.category AND ( \
               (l.id_number <> '' AND o.id_number = l.id_number) OR (l.phone <> '' AND o.phone = l.phone) \
               OR (l.petitioner <> '' AND o.petitioner = l.petitioner AND l.phone = '' AND o.phone = '' AND l.id_number = '' AND o.id_number = '')) \
             JOIN units u ON u.id = o.unit_id \
             WHERE l.id = $3 AND {} AND NOT EXISTS (SELECT 1 FROM letter_links k WHERE (k.letter_id = l.id AND k.other_id = o.id) OR (k.letter_id = o.id AND k.other_id = l.id)) \
             ORDER BY o.received_on DESC LIMIT 20",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let by: String = r.try_get(4)?;
                Ok(RepeatSuggestion {
                    id: r.try_get(0)?,
                    received_on: r.try_get(1)?,
                    unit_name: r.try_get(2)?,
                    excerpt: r.try_get(3)?,
                    by: match by.as_str() {
                        "id_number" => "id_number",
                        "phone" => "phone",
                        _ => "name",
                    },
                })
            })
            .collect()
    }

    /// Whether a letter is held by a unit in scope (handling rights).
    async fn held_in_scope(&self, scope: &crate::Scope, id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(crate::sqlf!(
            "SELECT l.unit_id FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Links two letters held in scope as the same writer's on the same matter.
    pub async fn link_letters(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        id: i64,
        other: i64,
    ) -> Result<()> {
        let Some(unit) = self.held_in_scope(scope, id).await? else {
            return Err(StoreError::NotFound);
        };
        if other == id || self.held_in_scope(scope, other).await?.is_none() {
            return Err(StoreError::Invalid(
                "只能关联本单位（或下级）办理的其他来信".into(),
            ));
        }
        let (a, b) = (id.min(other), id.max(other));
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        sqlx::query("INSERT INTO letter_links (letter_id, other_id, author, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(a)
            .bind(b)
            .bind(&actor.name)
            .bind(now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "letter.link",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"other": other})),
        })
        .await?;
        w.commit().await
    }

    /// Records a public hearing (公开听证) on a letter held in scope.
    pub async fn add_hearing(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        id: i64,
        held_on: NaiveDate,
        participants: &str,
        outcome: &str,
    ) -> Result<()> {
        let Some(unit) = self.held_in_scope(scope, id).await? else {
            return Err(StoreError::NotFound);
        };
        if participants.trim().is_empty() || outcome.trim().is_empty() {
            return Err(StoreError::Invalid("请填写听证参加人员和听证结果".into()));
        }
        if held_on > crate::today() + chrono::Duration::days(365) {
            return Err(StoreError::Invalid("听证日期有误".into()));
        }
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        sqlx::query("INSERT INTO hearings (letter_id, held_on, participants, outcome, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(held_on.to_string())
            .bind(participants.trim())
            .bind(outcome.trim())
            .bind(&actor.name)
            .bind(now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "letter.hearing",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"held_on": held_on.to_string()})),
        })
        .await?;
        w.commit().await
    }

    /// An attachment of a letter on the caller's path: (filename, content type, bytes).
    pub async fn letter_file(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        letter: i64,
        file: i64,
    ) -> Result<Option<(String, String, Vec<u8>)>> {
        // the same visibility as the letter itself; the download is audited like a view
        if !self.on_path(scope, letter).await? {
            return Ok(None);
        }
        let Some(r) = sqlx::query("SELECT f.filename, f.content_type, b.content FROM letter_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.id = $1 AND f.letter_id = $2")
            .bind(file)
            .bind(letter)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut w = self.write(actor).await?;
        w.audit(Change {
            action: "letter.file",
            entity: "letter",
            entity_id: letter.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"file": file})),
        })
        .await?;
        w.commit().await?;
        Ok(Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    }

    /// Starts a backlog campaign at the caller's unit: its targets are the letters held in scope,
    /// received on or before `older_than`, still open.
    pub async fn create_campaign(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        title: &str,
        deadline: NaiveDate,
        older_than: NaiveDate,
    ) -> Result<(i64, u64)> {
        if title.trim().is_empty() {
            return Err(StoreError::Invalid("请填写专项名称".into()));
        }
        if deadline < crate::today() {
            return Err(StoreError::Invalid("完成期限不能早于今天".into()));
        }
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        let id: i64 = sqlx::query_scalar("INSERT INTO campaigns (unit_id, title, deadline, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(scope.unit_id)
            .bind(title.trim())
            .bind(deadline.to_string())
            .bind(now_rfc3339())
            .fetch_one(&mut *w.tx)
            .await?;
        let n = sqlx::query(crate::sqlf!(
            "INSERT INTO campaign_letters (campaign_id, letter_id) SELECT $3, l.id FROM letters l JOIN units u ON u.id = l.unit_id \
             WHERE {} AND l.closed_on IS NULL AND l.received_on <= $4",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .bind(older_than.to_string())
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(
                "该日期前没有未办结的来信，无需清理".into(),
            ));
        }
        w.audit(Change {
            action: "campaign.create",
            entity: "campaign",
            entity_id: id.to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(
                json!({"title": title.trim(), "deadline": deadline.to_string(), "targets": n}),
            ),
        })
        .await?;
        w.commit().await?;
        Ok((id, n))
    }

    /// Campaigns of units in scope with their progress (targets closed so far).
    pub async fn campaigns(&self, scope: &crate::Scope) -> Result<Vec<Campaign>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT c.id, u.name, c.title, c.deadline, COUNT(cl.letter_id), SUM(CASE WHEN l.closed_on IS NOT NULL THEN 1 ELSE 0 END) \
             FROM campaigns c JOIN units u ON u.id = c.unit_id LEFT JOIN campaign_letters cl ON cl.campaign_id = c.id LEFT JOIN letters l ON l.id = cl.letter_id \
             WHERE {} GROUP BY c.id, u.name, c.title, c.deadline ORDER BY c.id DESC",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Campaign {
                    id: r.try_get(0)?,
                    unit_name: r.try_get(1)?,
                    title: r.try_get(2)?,
                    deadline: r.try_get(3)?,
                    targets: crate::int(r, 4)?,
                    closed: crate::int(r, 5)?,
                })
            })
            .collect()
    }

    /// A campaign in scope with its target letters.
    pub async fn campaign(
        &self,
        scope: &crate::Scope,
        id: i64,
    ) -> Result<Option<(Campaign, Vec<LetterSummary>)>> {
        let Some(c) = self
            .campaigns(scope)
            .await?
            .into_iter()
            .find(|c| c.id == id)
        else {
            return Ok(None);
        };
        let rows = sqlx::query(crate::sqlf!(
            "{SUMMARY} JOIN campaign_letters cl ON cl.letter_id = l.id WHERE cl.campaign_id = $1 \
             ORDER BY CASE WHEN l.closed_on IS NULL THEN 0 ELSE 1 END, l.received_on, l.id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some((c, rows.iter().map(summary).collect::<Result<_>>()?)))
    }
}

/// How an export marks a step recorded late: the longest delay of the letter's steps, or nothing.
fn late_mark(days: i64) -> String {
    if days > 0 {
        format!("补录（迟 {days} 天）")
    } else {
        String::new()
    }
}
