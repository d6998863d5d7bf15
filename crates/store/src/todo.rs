//! The workbench (待办): each kind of work an account has today, counted and listed by the same
//! statement, so that the number on the home page is the length of the list it opens. Which kinds
//! an account sees and what counts as "to do" are the domain's ([`duban_domain::todo`]); reviews
//! are filtered by the same decision the review itself is judged by.
use crate::users::User;
use crate::{Result, Store};
use chrono::NaiveDate;
use duban_domain::ledger::{EntryActor, EntryKind, EntryTask};
use duban_domain::org::Role;
use duban_domain::records::Month;
use duban_domain::rectification::{self as rules, LightRules, SupervisionRules, Why};
use duban_domain::todo::{Kind, LETTER_WARNING_WORKING_DAYS};
use serde::Serialize;
use sqlx::Row;

/// One thing to do.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub title: String,
    pub unit: String,
    /// the day that matters (a deadline, a due day, the day it was issued or requested)
    pub on: Option<String>,
    /// why it is here, in Chinese and in English
    pub note_zh: String,
    pub note_en: String,
    pub href: String,
}

/// A page of one kind's list: its items, how many there are in all, and where the next page
/// starts (letters only: every other kind is bounded by a person's or a unit's work).
#[derive(Debug, Clone, Serialize)]
pub struct TodoList {
    pub kind: Kind,
    pub count: i64,
    pub items: Vec<Item>,
    pub next: Option<String>,
}

/// The kinds an account sees under `rules` (the domain's choice).
fn kinds_of(user: &User, rules: &SupervisionRules) -> Vec<Kind> {
    duban_domain::todo::kinds(user.role, &rules.reviewers, user.staff_id.is_some())
}

/// Letters shown on one page of the workbench's letter list.
const LETTER_PAGE: i64 = 50;

/// Of the tasks held, those overdue or due soon (time-limited, [`Kind::TasksDue`]) or owing a
/// staged result now or soon (long-term, [`Kind::StagedOwed`]): the light's own reasons
/// ([`rules::why`]), the most overdue first.
fn tasks_due(
    tasks: &[crate::rectification::Task],
    kind: Kind,
    today: NaiveDate,
    lights: &LightRules,
) -> Vec<Item> {
    let mut out: Vec<(Why, Item)> = vec![];
    for t in tasks {
        let why = rules::why(&t.facts(), today, lights);
        let wanted = matches!(
            (kind, why),
            (Kind::TasksDue, Why::Overdue { .. } | Why::DueSoon { .. })
                | (
                    Kind::StagedOwed,
                    Why::StagedOverdue { .. } | Why::StagedDueSoon { .. }
                )
        );
        if wanted {
            out.push((
                why,
                Item {
                    href: format!("/rectification/tasks/{}", t.id),
                    note_zh: why.zh().unwrap_or_default(),
                    note_en: why.en().unwrap_or_default(),
                    on: t.deadline.map(|d| d.to_string()),
                    unit: t.departments.join("、"),
                    title: t.title.clone(),
                },
            ));
        }
    }
    out.sort_by_key(|(why, _)| match *why {
        Why::Overdue { days } | Why::StagedOverdue { days } => -days,
        Why::DueSoon { days } | Why::StagedDueSoon { days } => days,
        _ => i64::MAX,
    });
    out.into_iter().map(|(_, i)| i).collect()
}

impl Store {
    /// The kinds of work `user` sees today, each with its count.
    pub async fn todo(&self, user: &User) -> Result<Vec<(Kind, i64)>> {
        // the rules are read once for every kind of the page
        let rules = self.supervision_rules().await?;
        let mut out = vec![];
        // the tasks the account's person holds, read once for both kinds that judge them
        let mut held = None;
        for kind in kinds_of(user, &rules) {
            let n = match kind {
                Kind::LettersDue => self.letters_due(user, None, 0).await?.0,
                Kind::TasksDue | Kind::StagedOwed => {
                    let tasks = match held.take() {
                        Some(t) => t,
                        None => self.held_tasks(user).await?,
                    };
                    let n = tasks_due(&tasks, kind, self.today(), &rules.lights).len();
                    held = Some(tasks);
                    n as i64
                }
                _ => self.list_of(user, kind, None, &rules).await?.count,
            };
            out.push((kind, n));
        }
        Ok(out)
    }

    /// The kinds `user` sees (the domain's choice from the account's rights and the reviewers the
    /// supervision rules name).
    pub async fn todo_kinds(&self, user: &User) -> Result<Vec<Kind>> {
        Ok(kinds_of(user, &self.supervision_rules().await?))
    }

    /// One kind's list for `user` (`after`: the letters' page cursor). A kind the account does
    /// not see is an empty list.
    pub async fn todo_list(
        &self,
        user: &User,
        kind: Kind,
        after: Option<&str>,
    ) -> Result<TodoList> {
        let rules = self.supervision_rules().await?;
        self.list_of(user, kind, after, &rules).await
    }

    async fn list_of(
        &self,
        user: &User,
        kind: Kind,
        after: Option<&str>,
        rules: &SupervisionRules,
    ) -> Result<TodoList> {
        let empty = TodoList {
            kind,
            count: 0,
            items: vec![],
            next: None,
        };
        if !kinds_of(user, rules).contains(&kind) {
            return Ok(empty);
        }
        let today = self.today();
        let items = match kind {
            Kind::Review => self.reviews_for(user, &rules.reviewers).await?,
            Kind::Adjustments => self.adjustments_for(user, &rules.reviewers).await?,
            Kind::TasksDue | Kind::StagedOwed => {
                tasks_due(&self.held_tasks(user).await?, kind, today, &rules.lights)
            }
            Kind::Notices => self.open_notices_for(user).await?,
            Kind::NoticesOverdue => self.notices_overdue(user, today).await?,
            Kind::LettersDue => {
                let (count, items, next) = self.letters_due(user, after, LETTER_PAGE).await?;
                return Ok(TodoList {
                    kind,
                    count,
                    items,
                    next,
                });
            }
            Kind::MyFiling => self.my_filing_owed(user, today).await?,
            Kind::UnitsUnfiled => {
                self.units_unfiled(user, today, rules.records_remind_day)
                    .await?
            }
            Kind::RecordLetters => self.record_letters_open(user).await?,
            Kind::Documents => self.drafts_for(user).await?,
            Kind::Hits => self.open_hits(user).await?,
        };
        Ok(TodoList {
            count: items.len() as i64,
            items,
            ..empty
        })
    }

    /// Closure requests of the account's own unit that the account may review: the same decision
    /// ([`duban_domain::ledger::may_add`] for an approval) the review itself is judged by.
    async fn reviews_for(&self, user: &User, reviewers: &[Role]) -> Result<Vec<Item>> {
        let rows = sqlx::query(
            "SELECT t.id, t.title, t.deadline, u.name FROM tasks t JOIN plans p ON p.id = t.plan_id \
             JOIN units u ON u.id = p.unit_id JOIN rounds r ON r.id = p.round_id \
             WHERE (p.unit_id = $1 OR r.issued_by = $1) AND t.state = 'closure_requested' \
             ORDER BY t.deadline, t.id LIMIT 500",
        )
        .bind(user.unit_id)
        .fetch_all(&self.pool)
        .await?;
        let depts = user.departments();
        let actor = EntryActor {
            user_id: Some(user.id),
            role: user.role,
            staff: user.staff_id,
            departments: &depts,
        };
        let mut conn = self.pool.acquire().await?;
        let mut out = vec![];
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let f = crate::rectification::entries::entry_facts(&mut conn, self.backend, id, false)
                .await?;
            let task = EntryTask {
                category: f.category,
                state: f.state,
                lead_leader: f.lead,
                responsible: f.responsible,
                departments: &f.depts,
                request_authors: &f.request_authors,
                earlier_evidence: f.earlier_evidence,
                source: f.source,
            };
            if duban_domain::ledger::may_add(&actor, &task, EntryKind::Approve, reviewers).is_ok() {
                out.push(Item {
                    title: r.try_get("title")?,
                    unit: r.try_get("name")?,
                    on: r.try_get("deadline")?,
                    note_zh: "申请销号，待审核".into(),
                    note_en: "closure requested, awaiting review".into(),
                    href: format!("/rectification/tasks/{id}"),
                });
            }
        }
        Ok(out)
    }

    /// Pending adjustment requests of the account's own unit that the account may decide.
    async fn adjustments_for(&self, user: &User, reviewers: &[Role]) -> Result<Vec<Item>> {
        let rows = sqlx::query(
            "SELECT a.task_id, a.field, a.after_value, a.requested_by, a.requested_by_name, a.requested_at, t.title, u.name \
             FROM task_adjustments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id \
             JOIN units u ON u.id = p.unit_id WHERE a.state = 'pending' AND p.unit_id = $1 ORDER BY a.id LIMIT 500",
        )
        .bind(user.unit_id)
        .fetch_all(&self.pool)
        .await?;
        let actor = duban_domain::adjustment::AdjActor {
            user_id: Some(user.id),
            role: user.role,
            staff: user.staff_id,
        };
        let mut out = vec![];
        for r in rows {
            let by: Option<i64> = r.try_get("requested_by")?;
            let pending = duban_domain::adjustment::AdjState::Pending;
            if duban_domain::adjustment::decide(&actor, pending, by, reviewers).is_err() {
                continue;
            }
            let (field, after): (String, String) = (r.try_get("field")?, r.try_get("after_value")?);
            let who: String = r.try_get("requested_by_name")?;
            let at: String = r.try_get("requested_at")?;
            let what_zh = if field == "deadline" {
                "完成时限"
            } else {
                "任务类别"
            };
            let what_en = if field == "deadline" {
                "deadline"
            } else {
                "category"
            };
            out.push(Item {
                title: r.try_get("title")?,
                unit: r.try_get("name")?,
                on: crate::china_time(&at).map(|t| t.date().to_string()),
                note_zh: format!("{who}申请将{what_zh}改为 {after}"),
                note_en: format!("{who} asks to change the {what_en} to {after}"),
                href: format!("/rectification/tasks/{}", r.try_get::<i64, _>("task_id")?),
            });
        }
        Ok(out)
    }

    /// The tasks the account's person holds (as lead leader, responsible person or through a
    /// department), in scope.
    async fn held_tasks(&self, user: &User) -> Result<Vec<crate::rectification::Task>> {
        self.my_tasks(&user.scope(), user.staff_id, &user.departments())
            .await
    }

    /// Supervision notices the account is to answer and has not: those addressed to its person,
    /// and — for the office the domain lets answer them — its unit's notices addressed to nobody.
    async fn open_notices_for(&self, user: &User) -> Result<Vec<Item>> {
        use duban_domain::rectification::urging::{NoticeFacts, may_answer};
        let today = self.today();
        let unaddressed = NoticeFacts {
            addressee: None,
            answered: false,
        };
        let office = may_answer(
            user.role,
            user.staff_id,
            true,
            unaddressed,
            "-",
            today,
            today,
        )
        .is_ok();
        // two lookups: by the addressee's index, and from the unit's plans for the notices
        // addressed to nobody (COALESCE keeps the planner off the country's unaddressed notices)
        let rows = sqlx::query(
            "SELECT n.id AS id, n.level AS level, n.issued_on AS issued_on, n.days_overdue AS days_overdue, \
             t.title AS title, u.name AS name FROM notices n \
             JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id \
             WHERE n.addressee_id = $1 AND n.answered_at IS NULL AND n.kind = 'notice' \
             UNION ALL \
             SELECT n.id AS id, n.level AS level, n.issued_on AS issued_on, n.days_overdue AS days_overdue, \
             t.title AS title, u.name AS name FROM plans p \
             JOIN units u ON u.id = p.unit_id JOIN tasks t ON t.plan_id = p.id JOIN notices n ON n.task_id = t.id \
             WHERE $2 = 1 AND p.unit_id = $3 AND COALESCE(n.addressee_id, 0) = 0 AND n.answered_at IS NULL AND n.kind = 'notice' \
             ORDER BY issued_on DESC, id DESC LIMIT 500",
        )
        .bind(user.staff_id.unwrap_or(-1))
        .bind(i64::from(office))
        .bind(user.unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let level: String = r.try_get("level")?;
                let days: i64 = r.try_get("days_overdue")?;
                let (zh, en) = match level.as_str() {
                    "red" => ("红色督办", "red notice"),
                    "yellow" => ("黄色督办", "yellow notice"),
                    _ => ("蓝色督办", "blue notice"),
                };
                Ok(Item {
                    title: r.try_get("title")?,
                    unit: r.try_get("name")?,
                    on: r.try_get("issued_on")?,
                    note_zh: format!("{zh}，逾期 {days} 天，待回复"),
                    note_en: format!("{en}, {days} days overdue, awaiting your answer"),
                    href: format!("/rectification/notices/{}", r.try_get::<i64, _>("id")?),
                })
            })
            .collect()
    }

    /// Notices on the account's own unit's tasks left unanswered for more than
    /// [`duban_domain::todo::NOTICE_ANSWER_DAYS`] after they were issued.
    async fn notices_overdue(&self, user: &User, today: NaiveDate) -> Result<Vec<Item>> {
        let before = today - chrono::Duration::days(duban_domain::todo::NOTICE_ANSWER_DAYS);
        // from the unit's own tasks (materialised), then each task's notices by key; the day
        // bound as a value the planner does not see (a sub-select), so that PostgreSQL's plan
        // does not depend on the notices' issue days and is prepared once
        let rows = sqlx::query(
            "WITH mine AS MATERIALIZED (SELECT t.id, t.title, u.name FROM plans p JOIN tasks t ON t.plan_id = p.id \
             JOIN units u ON u.id = p.unit_id WHERE p.unit_id = $1) \
             SELECT n.id, n.level, n.issued_on, s.name AS addressee, m.title, m.name FROM mine m JOIN notices n ON n.task_id = m.id \
             LEFT JOIN staff s ON s.id = n.addressee_id \
             WHERE n.kind = 'notice' AND n.answered_at IS NULL AND n.issued_on < (SELECT $2) \
             ORDER BY n.issued_on, n.id LIMIT 500",
        )
        .bind(user.unit_id)
        .bind(before.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let issued: String = r.try_get("issued_on")?;
                let days = (today - crate::day(&issued)?).num_days();
                let who: Option<String> = r.try_get("addressee")?;
                let (who_zh, who_en) = match &who {
                    Some(w) => (w.clone(), w.clone()),
                    None => ("整改办".to_string(), "the office".to_string()),
                };
                Ok(Item {
                    title: r.try_get("title")?,
                    unit: r.try_get("name")?,
                    on: Some(issued),
                    note_zh: format!("发出 {days} 天，{who_zh}尚未回复"),
                    note_en: format!("issued {days} days ago, not answered by {who_en}"),
                    href: format!("/rectification/notices/{}", r.try_get::<i64, _>("id")?),
                })
            })
            .collect()
    }

    /// Open letters in the account's scope whose owed deadline falls within two working days
    /// (or has passed), from the scope's letter queue: count and page in index order.
    async fn letters_due(
        &self,
        user: &User,
        after: Option<&str>,
        limit: i64,
    ) -> Result<(i64, Vec<Item>, Option<String>)> {
        let today = self.today();
        let cal = self.work_calendar().await?;
        let until = cal
            .deadline(
                today,
                duban_domain::calendar::Period::Days(LETTER_WARNING_WORKING_DAYS),
                duban_domain::calendar::Counting::Working,
            )
            .unwrap_or(today + chrono::Duration::days(2))
            .to_string();
        let scope = user.scope();
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM letter_reach WHERE unit_id = $1 AND subtree = $2 AND closed = 0 AND due <= $3",
        )
        .bind(scope.unit_id)
        .bind(i64::from(scope.subtree))
        .bind(&until)
        .fetch_one(&self.pool)
        .await?;
        if limit == 0 {
            return Ok((count, vec![], None));
        }
        let (due, id) = match after.and_then(|a| a.split_once('.')) {
            Some((d, i)) => (d.to_string(), i.parse::<i64>().unwrap_or(0)),
            None => (String::new(), 0),
        };
        let rows = sqlx::query(
            "SELECT l.id, l.category, l.received_on, r.due, l.acknowledged_on, u.name FROM letter_reach r \
             JOIN letters l ON l.id = r.letter_id JOIN units u ON u.id = l.unit_id \
             WHERE r.unit_id = $1 AND r.subtree = $2 AND r.closed = 0 AND r.due <= $3 AND (r.due, r.letter_id) > ($4, $5) \
             ORDER BY r.due, r.letter_id LIMIT $6",
        )
        .bind(scope.unit_id)
        .bind(i64::from(scope.subtree))
        .bind(&until)
        .bind(&due)
        .bind(id)
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut items = vec![];
        let mut last = None;
        for r in rows.iter().take(limit as usize) {
            let id: i64 = r.try_get("id")?;
            let due: String = r.try_get("due")?;
            let acked = r.try_get::<Option<String>, _>("acknowledged_on")?.is_some();
            let late = crate::day(&due)?.signed_duration_since(today).num_days();
            let (step_zh, step_en) = if acked {
                ("答复", "reply")
            } else {
                ("告知受理", "acknowledgement")
            };
            let (note_zh, note_en) = if late < 0 {
                (
                    format!("{step_zh}已逾期 {} 天", -late),
                    format!("{step_en} {} days overdue", -late),
                )
            } else {
                (
                    format!("{step_zh}期限 {due}"),
                    format!("{step_en} due {due}"),
                )
            };
            let category: String = r.try_get("category")?;
            items.push(Item {
                title: format!("{category} · {}", r.try_get::<String, _>("received_on")?),
                unit: r.try_get("name")?,
                on: Some(due.clone()),
                note_zh,
                note_en,
                href: format!("/letters/{id}"),
            });
            last = Some(format!("{due}.{id}"));
        }
        let next = if rows.len() as i64 > limit {
            last
        } else {
            None
        };
        Ok((count, items, next))
    }

    /// The account's own monthly report for this month, when not yet filed.
    async fn my_filing_owed(&self, user: &User, today: NaiveDate) -> Result<Vec<Item>> {
        let Some(staff) = user.staff_id else {
            return Ok(vec![]);
        };
        let month = Month::of(today).to_string();
        let filed: Option<i64> =
            sqlx::query_scalar("SELECT id FROM record_filings WHERE staff_id = $1 AND month = $2")
                .bind(staff)
                .bind(&month)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match filed {
            Some(_) => vec![],
            None => vec![Item {
                title: format!("{month} 过问干预记录报告"),
                unit: user.unit_name.clone(),
                on: None,
                note_zh: "本月尚未填报（无事项也须零报告）".into(),
                note_en: "not filed this month (a zero report if there is nothing to record)"
                    .into(),
                href: "/records".into(),
            }],
        })
    }

    /// The account's own unit and, for a subtree scope, each unit directly below it with all of
    /// its own subordinates, where someone has not filed the last month whose reports are all
    /// due ([`duban_domain::records::last_due_month`]); from the kept tallies, O(units below).
    async fn units_unfiled(
        &self,
        user: &User,
        today: NaiveDate,
        remind_day: u32,
    ) -> Result<Vec<Item>> {
        let month = duban_domain::records::last_due_month(today, remind_day);
        // the units shown, then the sums of their subtrees
        let units: Vec<(i64, String)> = sqlx::query(
            "SELECT id, name FROM units WHERE id = $1 OR (parent_id = $1 AND $2 = 1) ORDER BY path",
        )
        .bind(user.unit_id)
        .bind(i64::from(user.subtree))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_>>()?;
        // own unit alone (as -1), each unit below with its subtree from the scopes' kept rows
        // (migrations 0052, 0060): the staff in post that month and the filings of the month,
        // in one prepared statement
        let sums = |kind: &str, own: &str, kept: &str, col: &str, month: &str| {
            format!(
                "SELECT '{kind}' AS k, -1 AS id, CAST(COALESCE(SUM(x.{col}), 0) AS BIGINT) AS n FROM {own} x WHERE x.unit_id = $1 AND x.month {month} \
                 UNION ALL SELECT '{kind}', c.id, CAST(COALESCE(SUM(x.{col}), 0) AS BIGINT) FROM units c JOIN {kept} x ON x.scope_id = c.id AND x.month {month} \
                 WHERE c.parent_id = $1 AND $2 = 1 GROUP BY c.id"
            )
        };
        let mut staff: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        let mut filed: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        for r in sqlx::query(crate::sqlf!(
            "{} UNION ALL {}",
            sums("staff", "post_tallies", "post_scopes", "delta", "<= $3"),
            sums("filed", "filing_tallies", "filing_scopes", "filed", "= $4")
        ))
        .bind(user.unit_id)
        .bind(i64::from(user.subtree))
        .bind(duban_domain::identity::month_number(month))
        .bind(month.to_string())
        .fetch_all(&self.pool)
        .await?
        {
            let into = if r.try_get::<String, _>("k")? == "staff" {
                &mut staff
            } else {
                &mut filed
            };
            into.insert(r.try_get("id")?, crate::int(&r, "n")?);
        }
        let mut out = vec![];
        for (id, name) in units {
            let key = if id == user.unit_id { -1 } else { id };
            let staff = staff.get(&key).copied().unwrap_or(0);
            let filed = filed.get(&key).copied().unwrap_or(0);
            if filed >= staff {
                continue;
            }
            let (zh, en) = if id == user.unit_id {
                ("（本单位）", " (this unit)")
            } else {
                ("（含下级）", " (with the units below)")
            };
            out.push(Item {
                title: name.clone(),
                unit: name,
                on: None,
                note_zh: format!("{month}{zh}应报 {staff} 人，已报 {filed} 人"),
                note_en: format!("{month}{en}: {filed} of {staff} filed"),
                href: format!("/records?month={month}"),
            });
        }
        Ok(out)
    }

    /// Supervision letters (督促函) issued in scope and not yet answered.
    async fn record_letters_open(&self, user: &User) -> Result<Vec<Item>> {
        Ok(self
            .open_supervision_letters(&user.scope())
            .await?
            .into_iter()
            .map(|l| Item {
                title: format!("督促函 · {} · {}", l.subject_name, l.period),
                unit: l.unit_name,
                on: l.due_on.clone(),
                note_zh: format!("待{}回复", l.subject_name),
                note_en: format!("awaiting {}'s answer", l.subject_name),
                href: "/records/letters".into(),
            })
            .collect())
    }

    /// Drafts to sign off (a leader, of their own unit) or, signed, to publish.
    async fn drafts_for(&self, user: &User) -> Result<Vec<Item>> {
        // a leader signs off the drafts of their own unit; those who manage documents publish
        // the signed ones
        let signer = user.role == duban_domain::org::Role::Leader;
        Ok(self
            .documents(&user.scope(), Some(user.role))
            .await?
            .into_iter()
            .filter(|d| !d.published)
            .filter(|d| match signer {
                true => d.signed_at.is_none() && d.unit_id == user.unit_id,
                false => d.signed_at.is_some(),
            })
            .map(|d| Item {
                href: format!("/documents/{}", d.id),
                title: d.title().to_string(),
                unit: d.unit_name.clone(),
                on: Some(d.as_of.to_string()),
                note_zh: if signer {
                    "草稿，待签发"
                } else {
                    "已签发，待发布"
                }
                .into(),
                note_en: if signer {
                    "draft, awaiting sign-off"
                } else {
                    "signed off, to publish"
                }
                .into(),
            })
            .collect())
    }

    /// Process-monitoring hits in scope not yet turned into supervised matters.
    async fn open_hits(&self, user: &User) -> Result<Vec<Item>> {
        Ok(self
            .open_case_hits(&user.scope())
            .await?
            .into_iter()
            .map(|h| Item {
                title: format!("{} · {}", h.case_no, h.rule),
                unit: h.unit_name,
                on: Some(h.on_date),
                note_zh: "流程监控发现，尚未转为督办事项".into(),
                note_en: "monitoring hit, not yet a supervised matter".into(),
                href: "/quality".into(),
            })
            .collect())
    }
}
