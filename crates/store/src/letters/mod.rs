//! Letters from the public: the lists, a letter with its timeline, the overdue board, repeat
//! suggestions and campaigns; handling and metrics in their own modules.
use crate::{Actor, Change, Result, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

mod answers;
mod delivery;
mod handling;
mod metrics;
mod public;
pub use answers::*;
pub use delivery::*;
pub use metrics::*;
use public::stage_key;
pub use public::*;

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
    /// where replies are e-mailed (may be empty)
    pub email: String,
    pub content: String,
    /// attachments (checked for type and size by the caller's limits)
    pub files: Vec<crate::rectification::Upload>,
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
    /// the letter's first 40 characters
    pub snippet: String,
}

impl LetterSummary {
    /// Where the letter stands, as a catalogue key: awaiting acknowledgement, being handled,
    /// answered or closed.
    pub fn stage_key(&self) -> &'static str {
        stage_key(
            self.acknowledged_on.is_some(),
            self.replied_on.is_some(),
            self.closed_on.is_some(),
        )
    }
}

/// The statement of [`Store::letters`] (binds: scope unit, subtree, then the cursor's closed, due
/// and id, then the limit), public for the tests that check its query plan. The scope's unit is
/// given as a sub-select the planner does not read: PostgreSQL costed its custom plans on the
/// queue's statistics per unit (the SPP's million rows) and so planned the list on every call,
/// where the generic plan is the same index walk.
#[doc(hidden)]
pub fn letters_sql(open_only: bool) -> String {
    format!(
        "SELECT l.id, l.received_on, u.name, l.channel, l.category, l.ack_due, l.reply_due, l.acknowledged_on, l.replied_on, l.closed_on, \
         SUBSTR(l.content, 1, 40) AS snippet FROM letter_reach r JOIN letters l ON l.id = r.letter_id JOIN units u ON u.id = l.unit_id \
         WHERE r.unit_id = (SELECT $1) AND r.subtree = $2 {} AND (r.closed, r.due, r.letter_id) > ($3, $4, $5) \
         ORDER BY r.closed, r.due, r.letter_id LIMIT $6",
        if open_only { "AND r.closed = 0" } else { "" }
    )
}

impl LetterSummary {
    /// Where the next page of a list ending with this letter starts.
    pub fn cursor(&self) -> LetterCursor {
        LetterCursor {
            closed: i64::from(self.closed_on.is_some()),
            due: if self.acknowledged_on.is_none() {
                self.ack_due.clone()
            } else {
                self.reply_due.clone()
            },
            id: self.id,
        }
    }
}

/// A position in a scope's letter queue: (closed, the deadline owed, id), written `0.2020-03-02.17`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCursor {
    pub closed: i64,
    pub due: String,
    pub id: i64,
}

impl std::fmt::Display for LetterCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.closed, self.due, self.id)
    }
}

impl std::str::FromStr for LetterCursor {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || StoreError::Invalid(format!("翻页位置“{s}”无效"));
        let mut parts = s.splitn(3, '.');
        let closed = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let due = parts.next().ok_or_else(bad)?;
        let id = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if !(0..=1).contains(&closed) || chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").is_err()
        {
            return Err(bad());
        }
        Ok(Self {
            closed,
            due: due.to_string(),
            id,
        })
    }
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
    pub email: String,
    pub events: Vec<LetterEvent>,
    pub replies: Vec<ReplyLetter>,
    pub sends: Vec<LetterSend>,
    pub assignments: Vec<Assignment>,
    /// transferred out: (date, kind of organ, organ)
    pub out: Option<(String, String, String)>,
    /// the writer's rating and comment, and the review it opened: (reviewing unit, due, done)
    pub rating: Option<(String, String)>,
    pub review: Option<(String, String, Option<String>)>,
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

const SUMMARY: &str = "SELECT l.id, l.received_on, u.name, l.channel, l.category, l.ack_due, l.reply_due, l.acknowledged_on, l.replied_on, l.closed_on, SUBSTR(l.content, 1, 40) AS snippet FROM letters l JOIN units u ON u.id = l.unit_id";

fn summary(r: &sqlx::any::AnyRow) -> Result<LetterSummary> {
    Ok(LetterSummary {
        id: r.try_get("id")?,
        received_on: r.try_get("received_on")?,
        unit_name: r.try_get("name")?,
        channel: r.try_get("channel")?,
        category: r.try_get("category")?,
        ack_due: r.try_get("ack_due")?,
        reply_due: r.try_get("reply_due")?,
        acknowledged_on: r.try_get("acknowledged_on")?,
        replied_on: r.try_get("replied_on")?,
        closed_on: r.try_get("closed_on")?,
        snippet: r.try_get("snippet")?,
    })
}

impl Store {
    /// One page of the letters held by units in scope, open ones first by the deadline they owe,
    /// after `after` (a [`LetterSummary::cursor`] of the previous page's last row). Read from the
    /// scope's queue (`letter_reach`) in index order: the cost is the page's, whatever the
    /// history behind it.
    pub async fn letters(
        &self,
        scope: &crate::Scope,
        open_only: bool,
        after: Option<&LetterCursor>,
        limit: i64,
    ) -> Result<Vec<LetterSummary>> {
        let start = LetterCursor {
            closed: -1,
            due: String::new(),
            id: 0,
        };
        let after = after.unwrap_or(&start);
        let rows = sqlx::query(sqlx::AssertSqlSafe(letters_sql(open_only)))
            .bind(scope.unit_id)
            .bind(i64::from(scope.subtree))
            .bind(after.closed)
            .bind(&after.due)
            .bind(after.id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
    }

    /// A page of [`Store::letters`] after a cursor as written in a link (`after`; none or empty
    /// for the first page), with the cursor where the next page starts (none on the last page).
    pub async fn letters_page(
        &self,
        scope: &crate::Scope,
        open_only: bool,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<LetterSummary>, Option<String>)> {
        let after = after
            .filter(|a| !a.is_empty())
            .map(str::parse::<LetterCursor>)
            .transpose()?;
        let mut items = self
            .letters(scope, open_only, after.as_ref(), limit + 1)
            .await?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|l| l.cursor().to_string())
        } else {
            None
        };
        Ok((items, next))
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
            "SELECT l.id, l.received_on, f.name AS first_unit, u.name AS unit, l.channel, l.category, l.ack_due, COALESCE(l.acknowledged_on, '') AS acknowledged_on, l.reply_due, \
             COALESCE(l.replied_on, '') AS replied_on, COALESCE(l.closed_on, '') AS closed_on, COALESCE(l.rating, '') AS rating, l.content, l.petitioner, l.phone, l.id_number, l.address, \
             (SELECT COALESCE(MAX(e.late_days), 0) FROM letter_events e WHERE e.letter_id = l.id) AS late_days \
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
        // the export's columns after the number, in order; the personal data only when asked
        const COLUMNS: [&str; 16] = [
            "received_on",
            "first_unit",
            "unit",
            "channel",
            "category",
            "ack_due",
            "acknowledged_on",
            "reply_due",
            "replied_on",
            "closed_on",
            "rating",
            "content",
            "petitioner",
            "phone",
            "id_number",
            "address",
        ];
        let cols = if personal { 16 } else { 12 };
        for r in &rows {
            let mut row = Vec::with_capacity(cols + 2);
            row.push(r.try_get::<i64, _>("id")?.to_string());
            for &col in &COLUMNS[..cols] {
                if col == "petitioner" {
                    row.push(late_mark(r.try_get("late_days")?));
                }
                let v: String = r.try_get(col)?;
                row.push(match col {
                    "channel" => {
                        duban_domain::letters::Channel::parse(&v).map_or(v, |c| c.zh().to_string())
                    }
                    "category" => duban_domain::letters::LetterCategory::parse(&v)
                        .map_or(v, |c| c.zh().to_string()),
                    "rating" => match v.as_str() {
                        "satisfied" => "满意".into(),
                        "unsatisfied" => "不满意".into(),
                        _ => v,
                    },
                    _ => v,
                });
            }
            if !personal {
                row.push(late_mark(r.try_get("late_days")?));
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
        let n: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM units u WHERE {} AND (u.id IN (SELECT unit_id FROM letters WHERE id = $3) \
             OR u.id IN (SELECT first_unit_id FROM letters WHERE id = $3) \
             OR u.id IN (SELECT from_unit_id FROM letter_events WHERE letter_id = $3) OR u.id IN (SELECT to_unit_id FROM letter_events WHERE letter_id = $3))",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
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
        let extra = sqlx::query("SELECT l.unit_id, f.name AS first_unit, l.unit_received_on, l.petitioner, l.phone, l.content, l.id_number, l.address, l.email, \
             l.out_on, l.out_kind, l.out_organ, l.rating, l.rating_comment, rv.name AS review_unit, l.review_due, l.reviewed_on \
             FROM letters l JOIN units f ON f.id = l.first_unit_id LEFT JOIN units rv ON rv.id = l.review_unit_id WHERE l.id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let events = sqlx::query(
            "SELECT e.on_date, e.kind, fu.name AS from_unit, tu.name AS to_unit, e.body, COALESCE(au.display_name, e.author) AS author, \
             e.created_at, e.late_days, e.late_reason FROM letter_events e LEFT JOIN units fu ON fu.id = e.from_unit_id \
             LEFT JOIN units tu ON tu.id = e.to_unit_id LEFT JOIN users au ON au.login = e.author \
             WHERE e.letter_id = $1 ORDER BY e.on_date, e.id",
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
        .map(|e| Ok((e.try_get("issued_on")?, e.try_get("kind")?, e.try_get("level")?, e.try_get("days_overdue")?, e.try_get("name")?)))
        .collect::<Result<Vec<_>>>()?;
        let links = sqlx::query(
            "SELECT o.id, o.received_on, u.name FROM letter_links k JOIN letters o ON o.id = CASE WHEN k.letter_id = $1 THEN k.other_id ELSE k.letter_id END \
             JOIN units u ON u.id = o.unit_id WHERE k.letter_id = $1 OR k.other_id = $1 ORDER BY o.received_on",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|e| Ok((e.try_get("id")?, e.try_get("received_on")?, e.try_get("name")?)))
        .collect::<Result<Vec<_>>>()?;
        let hearings = sqlx::query("SELECT held_on, participants, outcome FROM hearings WHERE letter_id = $1 ORDER BY held_on, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|e| Ok((e.try_get("held_on")?, e.try_get("participants")?, e.try_get("outcome")?)))
            .collect::<Result<Vec<_>>>()?;
        let files = sqlx::query(
            "SELECT id, filename, size FROM letter_files WHERE letter_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|e| Ok((e.try_get("id")?, e.try_get("filename")?, e.try_get("size")?)))
        .collect::<Result<Vec<_>>>()?;
        let (replies, sends, assignments) = self.letter_answers(id).await?;
        let detail = LetterDetail {
            summary: summary(&r)?,
            id_number: extra.try_get("id_number")?,
            address: extra.try_get("address")?,
            notices,
            links,
            hearings,
            files,
            unit_id: extra.try_get("unit_id")?,
            first_unit_name: extra.try_get("first_unit")?,
            unit_received_on: extra.try_get("unit_received_on")?,
            petitioner: extra.try_get("petitioner")?,
            phone: extra.try_get("phone")?,
            content: extra.try_get("content")?,
            email: extra.try_get("email")?,
            events,
            replies,
            sends,
            assignments,
            out: match extra.try_get::<Option<String>, _>("out_on")? {
                Some(on) => Some((
                    on,
                    extra
                        .try_get::<Option<String>, _>("out_kind")?
                        .unwrap_or_default(),
                    extra.try_get("out_organ")?,
                )),
                None => None,
            },
            rating: match extra.try_get::<Option<String>, _>("rating")? {
                Some(r) => Some((r, extra.try_get("rating_comment")?)),
                None => None,
            },
            review: match extra.try_get::<Option<String>, _>("review_unit")? {
                Some(u) => Some((
                    u,
                    extra
                        .try_get::<Option<String>, _>("review_due")?
                        .unwrap_or_default(),
                    extra.try_get("reviewed_on")?,
                )),
                None => None,
            },
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
            "SELECT u.id, u.name, u.level, COUNT(*) AS open, \
             SUM(CASE WHEN l.acknowledged_on IS NULL AND l.ack_due < $3 THEN 1 ELSE 0 END) AS ack_overdue, \
             SUM(CASE WHEN l.replied_on IS NULL AND l.reply_due < $3 THEN 1 ELSE 0 END) AS reply_overdue \
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
                    unit_id: r.try_get("id")?,
                    unit_name: r.try_get("name")?,
                    level: r.try_get("level")?,
                    open: crate::int(r, "open")? as u64,
                    ack_overdue: crate::int(r, "ack_overdue")? as u64,
                    reply_overdue: crate::int(r, "reply_overdue")? as u64,
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
            "SELECT o.id, o.received_on, u.name, SUBSTR(o.content, 1, 60) AS excerpt, \
             CASE WHEN l.id_number <> '' AND o.id_number = l.id_number THEN 'id_number' WHEN l.phone <> '' AND o.phone = l.phone THEN 'phone' ELSE 'name' END AS matched_by \
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
                let by: String = r.try_get("matched_by")?;
                Ok(RepeatSuggestion {
                    id: r.try_get("id")?,
                    received_on: r.try_get("received_on")?,
                    unit_name: r.try_get("name")?,
                    excerpt: r.try_get("excerpt")?,
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
        Ok(Some((
            r.try_get("filename")?,
            r.try_get("content_type")?,
            r.try_get("content")?,
        )))
    }

    /// Campaigns of units in scope with their progress (targets closed so far).
    pub async fn campaigns(&self, scope: &crate::Scope) -> Result<Vec<Campaign>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT c.id, u.name, c.title, c.deadline, COUNT(cl.letter_id) AS targets, SUM(CASE WHEN l.closed_on IS NOT NULL THEN 1 ELSE 0 END) AS closed \
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
                    id: r.try_get("id")?,
                    unit_name: r.try_get("name")?,
                    title: r.try_get("title")?,
                    deadline: r.try_get("deadline")?,
                    targets: crate::int(r, "targets")?,
                    closed: crate::int(r, "closed")?,
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
