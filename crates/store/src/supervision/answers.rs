//! The 督办单 loop: the person a notice is addressed to opens it (read), answers it with the
//! measures taken and the date they promise, and the issuer sees read / answered / overdue.
use crate::{Actor, Change, Result, Scope, Store, StoreError, scope_like, scope_sql};
use chrono::NaiveDate;
use duban_domain::documents::{Block, Document, Span};
use duban_domain::rectification::urging::{NoticeFacts, may_answer};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// One notice with what the task and the answer say, for its page and its printed 督办单.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeDetail {
    pub id: i64,
    pub kind: String,
    pub level: String,
    pub issued_on: String,
    pub days_overdue: i64,
    pub task_id: i64,
    pub task: String,
    pub measure: String,
    pub deadline: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub addressee_id: Option<i64>,
    pub addressee: Option<String>,
    pub read_at: Option<String>,
    pub answered_at: Option<String>,
    pub answered_by: Option<String>,
    pub answer: String,
    pub promised_on: Option<String>,
}

impl NoticeDetail {
    /// The notice's number as printed: 督办〔year〕id号.
    pub fn number(&self) -> String {
        format!(
            "督办〔{}〕{}号",
            self.issued_on.get(..4).unwrap_or(""),
            self.id
        )
    }
}

impl NoticeDetail {
    /// The one-page 督办单 in the official style (the bulletins' typesetting): number, issuer,
    /// recipient, task, deadline, days overdue, what is asked, and the answer once given.
    pub fn document(&self) -> Document {
        let colour = match self.level.as_str() {
            "blue" => "蓝色",
            "yellow" => "黄色",
            "red" => "红色",
            _ => "",
        };
        let para = |t: String| Block::Para {
            spans: vec![Span::plain(t)],
        };
        let fact = |head: &str, t: String| Block::Heading3 {
            head: format!("{head}："),
            rest: vec![Span::generated(t)],
        };
        let office = format!("{}整改办", self.unit_name);
        let (recipient, who) = match &self.addressee {
            Some(a) => (format!("{a}同志"), String::new()),
            // the office answers a notice on a task with no lead leader (urging::may_answer)
            None => (
                office.clone(),
                "（该任务未指定牵头领导，由整改办回复）".to_string(),
            ),
        };
        let mut blocks = vec![
            fact("整改任务", self.task.clone()),
            fact("整改措施", self.measure.clone()),
            fact(
                "完成时限",
                format!(
                    "{}；已逾期{}天",
                    self.deadline.clone().unwrap_or_else(|| "长期".into()),
                    self.days_overdue
                ),
            ),
            para(format!(
                "现予{colour}督办{who}。请于收到本督办单之日起{}日内，将已采取的整改措施和承诺完成时间回复本单位整改办，并抓紧推进落实，确保整改到位。",
                duban_domain::todo::NOTICE_ANSWER_DAYS
            )),
        ];
        if self.answered_at.is_some() {
            blocks.push(fact("回复情况", self.answer.clone()));
            let at = self
                .answered_at
                .as_deref()
                .and_then(crate::china_time)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            blocks.push(fact(
                "承诺完成时间",
                format!(
                    "{}（{}，{at}回复）",
                    self.promised_on.clone().unwrap_or_default(),
                    self.answered_by.clone().unwrap_or_default()
                ),
            ));
        }
        Document {
            marking: String::new(),
            kind: duban_domain::documents::Kind::Report,
            issuer: office.clone(),
            doc_no: self.number(),
            number: None,
            title: format!("{colour}督办单"),
            recipient,
            blocks,
            signature: office,
            date: crate::day(&self.issued_on).unwrap_or_default(),
        }
    }
}

impl Store {
    /// A notice on a task in scope; `None` for one outside it (as for one that does not exist).
    pub async fn notice(&self, scope: &Scope, id: i64) -> Result<Option<NoticeDetail>> {
        let r = sqlx::query(crate::sqlf!(
            "SELECT n.id, n.kind, n.level, n.issued_on, n.days_overdue, n.task_id, t.title, t.measure, t.deadline, \
             u.id AS unit_id, u.name AS unit_name, n.addressee_id, s.name AS addressee, n.read_at, n.answered_at, \
             COALESCE(au.display_name, n.answered_by) AS answered_by, \
             n.answer, n.promised_on FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id \
             JOIN units u ON u.id = p.unit_id LEFT JOIN staff s ON s.id = n.addressee_id \
             LEFT JOIN users au ON au.login = n.answered_by WHERE n.id = $3 AND {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some(NoticeDetail {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            level: r.try_get("level")?,
            issued_on: r.try_get("issued_on")?,
            days_overdue: r.try_get("days_overdue")?,
            task_id: r.try_get("task_id")?,
            task: r.try_get("title")?,
            measure: r.try_get("measure")?,
            deadline: r.try_get("deadline")?,
            unit_id: r.try_get("unit_id")?,
            unit_name: r.try_get("unit_name")?,
            addressee_id: r.try_get("addressee_id")?,
            addressee: r.try_get("addressee")?,
            read_at: r.try_get("read_at")?,
            answered_at: r.try_get("answered_at")?,
            answered_by: r.try_get("answered_by")?,
            answer: r.try_get("answer")?,
            promised_on: r.try_get("promised_on")?,
        }))
    }

    /// Marks a notice read when the person it is addressed to opens it (once; nothing for anyone
    /// else, nor audited: reading is not a change of the record).
    pub async fn notice_read(&self, staff_id: Option<i64>, id: i64) -> Result<()> {
        let Some(staff) = staff_id else { return Ok(()) };
        sqlx::query(
            "UPDATE notices SET read_at = $1 WHERE id = $2 AND addressee_id = $3 AND read_at IS NULL",
        )
        .bind(self.now_rfc3339())
        .bind(id)
        .bind(staff)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the answer to a notice: the domain decides on the facts read in the write
    /// ([`may_answer`]): who it is addressed to, whether it was answered, the account's person.
    pub async fn answer_notice(
        &self,
        actor: &Actor,
        id: i64,
        measures: &str,
        promised_on: NaiveDate,
    ) -> Result<()> {
        let (Some(role), Some(scope), Some(user_id)) = (actor.role, &actor.scope, actor.user_id)
        else {
            return Err(duban_domain::rectification::RuleError::NotTheAddressee.into());
        };
        let mut w = self.write(actor).await?;
        let r = sqlx::query(crate::sqlf!(
            "SELECT n.addressee_id, n.answered_at, u.id AS unit_id FROM notices n JOIN tasks t ON t.id = n.task_id \
             JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id WHERE n.id = $3 AND n.kind = 'notice' AND {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let staff: Option<i64> = sqlx::query_scalar("SELECT staff_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let unit_id: i64 = r.try_get("unit_id")?;
        let facts = NoticeFacts {
            addressee: r.try_get("addressee_id")?,
            answered: r.try_get::<Option<String>, _>("answered_at")?.is_some(),
        };
        may_answer(
            role,
            staff,
            unit_id == scope.unit_id,
            facts,
            measures,
            promised_on,
            w.today(),
        )?;
        sqlx::query(
            "UPDATE notices SET answered_at = $1, answered_by = $2, answer = $3, promised_on = $4, \
             read_at = COALESCE(read_at, $1) WHERE id = $5 AND answered_at IS NULL",
        )
        .bind(w.now_rfc3339())
        .bind(&actor.name)
        .bind(measures.trim())
        .bind(promised_on.to_string())
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "notice.answer",
            entity: "notice",
            entity_id: id.to_string(),
            unit_id: Some(unit_id),
            before: None,
            after: Some(json!({"measures": measures.trim(), "promised_on": promised_on})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}
