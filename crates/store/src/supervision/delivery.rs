//! Delivery of notices: claiming the unsent for the mailer, marking them sent, and the lists.
use super::*;
use crate::{Result, Scope, Store, now_epoch};
use sqlx::Row;

impl Store {
    /// Claims up to `limit` undelivered e-mails (a claim lapses after five minutes, so a crashed
    /// sender's mail is retried, and two senders never take the same one).
    pub async fn claim_mail(&self, limit: i64) -> Result<Vec<OutMail>> {
        let now = now_epoch();
        // On PostgreSQL the rows are locked as they are picked (another sender skips them);
        // SQLite runs one writer at a time.
        let lock = match self.backend {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let ids = sqlx::query(crate::sqlf!(
            "UPDATE notices SET claimed_at = $1 WHERE id IN (SELECT id FROM notices WHERE sent_at IS NULL AND email <> '' AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY id LIMIT $3{lock}) RETURNING id"
        ))
        .bind(now)
        .bind(now - 300)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in ids {
            let id: i64 = r.try_get("id")?;
            let n = sqlx::query(
                "SELECT n.email, n.kind, n.level, n.days_overdue, n.issued_on, t.title, t.deadline, s.name, n.letter_id, n.dedupe, l.received_on, l.category \
                 FROM notices n LEFT JOIN tasks t ON t.id = n.task_id LEFT JOIN letters l ON l.id = n.letter_id LEFT JOIN staff s ON s.id = n.addressee_id WHERE n.id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            let (email, kind, level, days, issued): (String, String, String, i64, String) = (
                n.try_get("email")?,
                n.try_get("kind")?,
                n.try_get("level")?,
                n.try_get("days_overdue")?,
                n.try_get("issued_on")?,
            );
            let name: Option<String> = n.try_get("name")?;
            let letter: Option<i64> = n.try_get("letter_id")?;
            let dedupe: String = n.try_get("dedupe")?;
            let (subject, body) = match letter {
                None if dedupe.starts_with("report:") => {
                    // report:{soon|overdue}:{due}:{round title}
                    let mut parts = dedupe.splitn(4, ':').skip(1);
                    let (when, due, round) = (
                        parts.next().unwrap_or(""),
                        parts.next().unwrap_or(""),
                        parts.next().unwrap_or(""),
                    );
                    let to = name.as_deref().unwrap_or("同志");
                    let state = if when == "overdue" {
                        "已逾期"
                    } else {
                        "即将到期"
                    };
                    (
                        format!("【提醒】{round}整改情况报告{state}"),
                        format!(
                            "{to}：\n\n{round}整改情况报告应于 {due} 前报送（巡视反馈后 2 个月内），目前尚未发布。请在“公文通报”中起草并发布。\n\n督办系统\n{issued}"
                        ),
                    )
                }
                None if dedupe.starts_with("records:") => {
                    let month = dedupe.trim_start_matches("records:");
                    let to = name.as_deref().unwrap_or("同志");
                    (
                        format!("【提醒】请报送 {month} 三个规定记录报告"),
                        format!(
                            "{to}：\n\n您尚未报送 {month} 过问或干预、插手司法办案等重大事项记录报告。有相关情况的请逐件记录，没有的请报送零报告。\n\n驻院纪检监察组\n{issued}"
                        ),
                    )
                }
                Some(letter) => letter_notice_text(
                    &kind,
                    &level,
                    days,
                    &issued,
                    letter,
                    &n.try_get::<String, _>("dedupe")?,
                    &n.try_get::<Option<String>, _>("received_on")?
                        .unwrap_or_default(),
                    &n.try_get::<Option<String>, _>("category")?
                        .unwrap_or_default(),
                    name.as_deref(),
                ),
                None => notice_text(
                    &kind,
                    &level,
                    days,
                    &issued,
                    &n.try_get::<Option<String>, _>("title")?.unwrap_or_default(),
                    n.try_get::<Option<String>, _>("deadline")?.as_deref(),
                    name.as_deref(),
                ),
            };
            out.push(OutMail {
                notice_id: id,
                to: email,
                subject,
                body,
            });
        }
        Ok(out)
    }

    pub async fn mark_sent(&self, notice_id: i64) -> Result<()> {
        sqlx::query("UPDATE notices SET sent_at = $1 WHERE id = $2")
            .bind(self.now_rfc3339())
            .bind(notice_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One page of the notices in scope, newest first; with `addressee`, only those addressed to
    /// that staff member. Keyset paging on (issued on, id) — `after` is the [`Notice::cursor`] of
    /// the previous page's last row — read in the order of an index (`notices_issued`, or
    /// `notices_addressee_issued` for one addressee): returns the page and the next cursor.
    pub async fn notices(
        &self,
        scope: &Scope,
        addressee: Option<i64>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<Notice>, Option<String>)> {
        self.notices_filtered(scope, addressee, &NoticeFilter::default(), after, limit)
            .await
    }

    /// [`Store::notices`] narrowed by kind or colour and by answer state.
    pub async fn notices_filtered(
        &self,
        scope: &Scope,
        addressee: Option<i64>,
        filter: &NoticeFilter,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<Notice>, Option<String>)> {
        let (after_on, after_id) = match after {
            None => ("9999-12-31".to_string(), i64::MAX),
            Some(c) => {
                let bad = || crate::StoreError::Invalid(format!("分页位置“{c}”无效"));
                let (on, id) = c.rsplit_once('.').ok_or_else(bad)?;
                crate::day(on).map_err(|_| bad())?;
                (on.to_string(), id.parse::<i64>().map_err(|_| bad())?)
            }
        };
        let sql = filtered_notices_sql(addressee.is_some(), filter, self.today());
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.unit_id)
            .bind(i64::from(scope.subtree))
            .bind(addressee.unwrap_or(0))
            .bind(after_on)
            .bind(after_id)
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let mut items = rows
            .iter()
            .map(|r| {
                Ok(Notice {
                    id: r.try_get("id")?,
                    task_id: r.try_get("task_id")?,
                    task: r.try_get("title")?,
                    unit_name: r.try_get("unit_name")?,
                    kind: r.try_get("kind")?,
                    level: r.try_get("level")?,
                    addressee: r.try_get("name")?,
                    issued_on: r.try_get("issued_on")?,
                    days_overdue: r.try_get("days_overdue")?,
                    sent_at: r.try_get("sent_at")?,
                    read_at: r.try_get("read_at")?,
                    answered_at: r.try_get("answered_at")?,
                    promised_on: r.try_get("promised_on")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(Notice::cursor)
        } else {
            None
        };
        Ok((items, next))
    }

    /// Reminders and notices counted per lead leader of the tasks in scope, the 50 with the most
    /// red notices first: a subtree's from the counts kept per scope and leader (migration 0055),
    /// a unit's own from those kept per unit (0029) — the scope's kept rows, never its notices
    /// nor every unit of it.
    pub async fn notice_counts(&self, scope: &Scope) -> Result<Vec<LeaderCount>> {
        let rows = sqlx::query(crate::sqlf!("{}", notice_counts_sql(scope.subtree)))
            .bind(scope.unit_id)
            .fetch_all(&self.pool)
            .await?;
        let n = crate::int;
        rows.iter()
            .map(|r| {
                Ok(LeaderCount {
                    leader: r.try_get("leader")?,
                    unit: r.try_get("unit")?,
                    reminders: n(r, "reminders")?,
                    blue: n(r, "blue")?,
                    yellow: n(r, "yellow")?,
                    red: n(r, "red")?,
                })
            })
            .collect()
    }
}

/// The board's counts per lead leader for scope `$1`: a subtree (`subtree`) or the unit alone.
/// The 50 leaders with the most red, then yellow notices are picked from the kept rows by their
/// numbers alone, then named with their units (two leaders of one name are two rows: they are
/// two people).
pub fn notice_counts_sql(subtree: bool) -> String {
    let (table, key) = match subtree {
        true => ("notice_scopes", "scope_id"),
        false => ("notice_tallies", "unit_id"),
    };
    format!(
        "SELECT COALESCE(s.name, '—') AS leader, COALESCE(lu.name, '') AS unit, x.reminders, x.blue, x.yellow, x.red FROM (\
         SELECT k.leader_id, k.reminders, k.blue, k.yellow, k.red FROM {table} k \
         WHERE k.{key} = $1 AND k.reminders + k.blue + k.yellow + k.red > 0 \
         ORDER BY k.red DESC, k.yellow DESC, k.leader_id LIMIT 50) x \
         LEFT JOIN staff s ON s.id = x.leader_id LEFT JOIN units lu ON lu.id = s.unit_id ORDER BY x.red DESC, x.yellow DESC, 1, 2"
    )
}

/// What the board may be narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeFilter {
    /// `reminder`, or a notice's colour `blue` / `yellow` / `red`
    pub level: Option<&'static str>,
    pub state: Option<AnswerState>,
}

/// Where a notice stands with the person it is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerState {
    /// not yet opened
    Unread,
    /// not yet answered (opened or not)
    Unanswered,
    /// unanswered past the answering time (`todo::NOTICE_ANSWER_DAYS`)
    Overdue,
    Answered,
}

impl AnswerState {
    pub const ALL: [AnswerState; 4] = [
        AnswerState::Unread,
        AnswerState::Unanswered,
        AnswerState::Overdue,
        AnswerState::Answered,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerState::Unread => "unread",
            AnswerState::Unanswered => "unanswered",
            AnswerState::Overdue => "overdue",
            AnswerState::Answered => "answered",
        }
    }
}

impl NoticeFilter {
    /// From the board's query: unknown values are refused, empty ones mean any.
    pub fn parse(level: &str, state: &str) -> Result<NoticeFilter> {
        let level = match level.trim() {
            "" => None,
            l => Some(
                ["reminder", "blue", "yellow", "red"]
                    .into_iter()
                    .find(|k| *k == l)
                    .ok_or_else(|| crate::StoreError::Invalid(format!("督办类别“{l}”无效")))?,
            ),
        };
        let state = match state.trim() {
            "" => None,
            s => Some(
                AnswerState::ALL
                    .into_iter()
                    .find(|k| k.as_str() == s)
                    .ok_or_else(|| crate::StoreError::Invalid(format!("回复状态“{s}”无效")))?,
            ),
        };
        Ok(NoticeFilter { level, state })
    }
    /// The SQL conditions, from fixed texts and a date computed here (nothing typed reaches it).
    fn sql(&self, today: chrono::NaiveDate) -> String {
        let mut out = String::new();
        match self.level {
            Some("reminder") => out.push_str(" AND n.kind = 'reminder'"),
            Some(l) => out.push_str(&format!(" AND n.kind = 'notice' AND n.level = '{l}'")),
            None => {}
        }
        let due = today - chrono::Duration::days(duban_domain::todo::NOTICE_ANSWER_DAYS);
        let state = match self.state {
            None => String::new(),
            Some(AnswerState::Unread) => {
                " AND n.kind = 'notice' AND n.read_at IS NULL AND n.answered_at IS NULL".into()
            }
            Some(AnswerState::Unanswered) => {
                " AND n.kind = 'notice' AND n.answered_at IS NULL".into()
            }
            Some(AnswerState::Overdue) => format!(
                " AND n.kind = 'notice' AND n.answered_at IS NULL AND n.issued_on <= '{due}'"
            ),
            Some(AnswerState::Answered) => " AND n.answered_at IS NOT NULL".into(),
        };
        out.push_str(&state);
        out
    }
}

/// [`notices_sql`] with a filter's conditions.
fn filtered_notices_sql(
    one_addressee: bool,
    filter: &NoticeFilter,
    today: chrono::NaiveDate,
) -> String {
    notices_sql_with(one_addressee, &filter.sql(today))
}

/// The board's notices after a cursor: `$1`, `$2` the scope (its unit, and 1 with the units
/// below), `$3` the addressee (with `one_addressee`), `$4`, `$5` the cursor, `$6` the rows to read.
#[doc(hidden)]
pub fn notices_sql(one_addressee: bool) -> String {
    notices_sql_with(one_addressee, "")
}

/// [`notices_sql`] with `conditions` on the notices `n`. A scope's notices are its own queue's
/// rows (`notice_reach`, migration 0061), walked newest first; an addressee's are theirs (by
/// addressee and issue day), each checked against the scope's queue by key.
fn notices_sql_with(one_addressee: bool, conditions: &str) -> String {
    let cols = "n.id, n.task_id, t.title, u.name AS unit_name, n.kind, n.level, s.name, n.issued_on, n.days_overdue, n.sent_at, \
         n.read_at, n.answered_at, n.promised_on";
    let rest = "JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id \
         LEFT JOIN staff s ON s.id = n.addressee_id";
    if one_addressee {
        format!(
            "SELECT {cols} FROM notices n {rest} \
             WHERE n.addressee_id = $3 AND EXISTS (SELECT 1 FROM notice_reach r WHERE r.unit_id = $1 AND r.subtree = $2 \
             AND r.issued_on = n.issued_on AND r.notice_id = n.id){conditions} \
             AND (n.issued_on < $4 OR (n.issued_on = $4 AND n.id < $5)) ORDER BY n.issued_on DESC, n.id DESC LIMIT $6"
        )
    } else {
        format!(
            "SELECT {cols} FROM notice_reach r JOIN notices n ON n.id = r.notice_id {rest} \
             WHERE r.unit_id = $1 AND r.subtree = $2 AND $3 = 0{conditions} \
             AND (r.issued_on < $4 OR (r.issued_on = $4 AND r.notice_id < $5)) ORDER BY r.issued_on DESC, r.notice_id DESC LIMIT $6"
        )
    }
}
