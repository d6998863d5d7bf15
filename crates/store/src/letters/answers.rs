//! How a letter is answered and routed: every step in one write, decided by the domain on facts
//! read there; the reply letters it produces; what is sent to the writer and its delivery; 交办
//! report-backs; the writer's rating and the review it opens.
use crate::{Actor, Change, Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use duban_domain::letters::Step;
use duban_domain::letters::answers::{self as rule, OrganKind, ReplyKind, StepChange};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// A step as asked for by a page, the API or the command line.
#[derive(Debug, Clone)]
pub struct StepRequest {
    pub step: Step,
    pub on: NaiveDate,
    pub body: String,
    /// why a date beyond the grace is recorded late (补录)
    pub late_reason: String,
    /// the unit of a transfer or assignment
    pub to_unit: Option<i64>,
    /// the organ outside the procuratorates (转出)
    pub organ_kind: Option<OrganKind>,
    pub organ: String,
    /// 转出: the writer has been told (by post or in person) where the letter went
    pub told: bool,
}

impl StepRequest {
    pub fn new(step: Step, on: NaiveDate, body: &str) -> StepRequest {
        StepRequest {
            step,
            on,
            body: body.to_string(),
            late_reason: String::new(),
            to_unit: None,
            organ_kind: None,
            organ: String::new(),
            told: false,
        }
    }
}

/// A reply letter kept with its letter.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyLetter {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub on_date: String,
}

/// What a unit waits for on letters: a report on an assignment it made, or a review it owes.
#[derive(Debug, Clone, Serialize)]
pub struct Awaited {
    pub letter_id: i64,
    /// "report" or "review"
    pub kind: String,
    pub due: String,
    /// the unit that owes the report (the reviewing unit's own for a review)
    pub unit_name: String,
}

/// A reply letter from a row of `letter_replies` (id, kind, number, on_date).
pub(crate) fn reply_letter(r: &sqlx::any::AnyRow) -> Result<ReplyLetter> {
    Ok(ReplyLetter {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        number: r.try_get("number")?,
        on_date: r.try_get("on_date")?,
    })
}

/// A sending to the writer and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct LetterSend {
    pub id: i64,
    pub channel: String,
    /// masked: enough to recognise, not to copy
    pub address: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub sent_at: Option<String>,
    pub created_at: String,
}

/// A 交办 and its report-back.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub from_unit: String,
    pub to_unit: String,
    pub assigned_on: String,
    pub report_due: String,
    pub reported_on: Option<String>,
    pub returns: i64,
}

/// A mobile number in mainland China (an SMS can reach it).
fn mobile(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let d = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits);
    (d.len() == 11 && d.starts_with('1')).then(|| d.to_string())
}

impl Store {
    /// The public status page's address, printed on replies and in what is sent to writers.
    pub fn status_url(&self) -> String {
        format!("{}/letters/status", self.public_url().trim_end_matches('/'))
    }

    /// A step on a letter: the domain decides on the facts read in this write ([`rule::decide_step`]);
    /// replies set their dates, routing moves the letter, a 交办 opens a report-back, the writer's
    /// reply letters are composed and numbered, and what the writer is told is queued for sending.
    pub async fn letter_step(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        id: i64,
        req: &StepRequest,
    ) -> Result<()> {
        let cal = self.work_calendar().await?;
        let rules = self.supervision_rules().await?;
        let grace = rules.integrity.letter_grace_working_days;
        let status_url = self.status_url();
        if !self.on_path(scope, id).await? {
            return Err(StoreError::NotFound);
        }
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        let r = sqlx::query(
            "SELECT l.received_on, l.unit_id, l.closed_on, l.out_on, l.petitioner, l.phone, l.email, l.review_unit_id, l.reviewed_on, u.path \
             FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let holder: i64 = r.try_get("unit_id")?;
        let holder_path: String = r.try_get("path")?;
        let received = r
            .try_get::<String, _>("received_on")?
            .parse::<NaiveDate>()
            .map_err(|_| StoreError::Invalid("收到日期有误".into()))?;
        let holds: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT COUNT(*) FROM units u WHERE u.id = $3 AND {}",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(holder)
        .fetch_one(&mut *w.tx)
        .await?;
        let assignment = sqlx::query(
            "SELECT id, from_unit_id, to_unit_id, reported_on FROM letter_assignments WHERE letter_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *w.tx)
        .await?;
        let assignment = match assignment {
            Some(a) => Some((
                a.try_get::<i64, _>("id")?,
                a.try_get::<i64, _>("from_unit_id")?,
                a.try_get::<i64, _>("to_unit_id")?,
                a.try_get::<Option<String>, _>("reported_on")?.is_some(),
            )),
            None => None,
        };
        let target = match req.to_unit {
            Some(t) => sqlx::query("SELECT path FROM units WHERE id = $1")
                .bind(t)
                .fetch_optional(&mut *w.tx)
                .await?
                .map(|u| u.try_get::<String, _>("path").map(|p| (t, p)))
                .transpose()?,
            None => None,
        };
        if req.to_unit.is_some() && target.is_none() {
            return Err(StoreError::Invalid("该单位不在检察机关组织体系内".into()));
        }
        let facts = rule::StepFacts {
            holder,
            holder_path: holder_path.clone(),
            actor_unit: scope.unit_id,
            holds: holds > 0,
            closed: r.try_get::<Option<String>, _>("closed_on")?.is_some(),
            out: r.try_get::<Option<String>, _>("out_on")?.is_some(),
            assignment: assignment.map(|(_, f, t, rep)| (f, t, rep)),
            review_unit: r.try_get("review_unit_id")?,
            reviewed: r.try_get::<Option<String>, _>("reviewed_on")?.is_some(),
            target,
        };
        let late_days = duban_domain::letters::decide_step_date(
            received,
            req.on,
            self.today(),
            grace,
            &req.late_reason,
            &cal,
        )?;
        let change = rule::decide_step(req.step, &facts, &req.organ)?;
        let body = req.body.trim();
        if body.is_empty() {
            return Err(duban_domain::rectification::RuleError::EmptyBody.into());
        }
        let on_s = req.on.to_string();
        let exec = |sql: &'static str| sqlx::query(sql);
        // the unit that speaks: the holder, or the assigning / reviewing unit for their steps
        let mut speaker = holder;
        let (mut from, mut to) = (Some(holder), None);
        let mut organ_text = String::new();
        match &change {
            StepChange::Acknowledge => {
                exec("UPDATE letters SET acknowledged_on = COALESCE(acknowledged_on, $1) WHERE id = $2")
                    .bind(&on_s).bind(id).execute(&mut *w.tx).await?;
            }
            StepChange::Reply => {
                exec("UPDATE letters SET replied_on = COALESCE(replied_on, $1), acknowledged_on = COALESCE(acknowledged_on, $1) WHERE id = $2")
                    .bind(&on_s).bind(id).execute(&mut *w.tx).await?;
            }
            StepChange::Progress => {}
            StepChange::Close => {
                exec("UPDATE letters SET closed_on = $1 WHERE id = $2")
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
            }
            StepChange::Supervise { holder } => {
                (from, to) = (Some(scope.unit_id), Some(*holder));
                speaker = scope.unit_id;
            }
            StepChange::Move { to: t, assign } => {
                exec("UPDATE letters SET unit_id = $1, unit_received_on = $2 WHERE id = $3")
                    .bind(t)
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                to = Some(*t);
                if *assign {
                    let due = rule::report_due(req.on, rules.letter_clocks.assign_report_days);
                    exec("INSERT INTO letter_assignments (letter_id, from_unit_id, to_unit_id, assigned_on, report_due, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(id).bind(holder).bind(t).bind(&on_s).bind(due.to_string()).bind(w.now_rfc3339())
                        .execute(&mut *w.tx).await?;
                }
            }
            StepChange::Report | StepChange::ReturnReport => {
                let Some((aid, assigner, _, _)) = assignment else {
                    return Err(StoreError::NotFound);
                };
                to = Some(assigner);
                if change == StepChange::Report {
                    exec("UPDATE letter_assignments SET reported_on = $1 WHERE id = $2")
                        .bind(&on_s)
                        .bind(aid)
                        .execute(&mut *w.tx)
                        .await?;
                } else {
                    let due = rule::report_due(req.on, rules.letter_clocks.assign_report_days);
                    exec("UPDATE letter_assignments SET reported_on = NULL, returns = returns + 1, report_due = $1 WHERE id = $2")
                        .bind(due.to_string()).bind(aid).execute(&mut *w.tx).await?;
                    (from, to, speaker) = (Some(assigner), Some(holder), assigner);
                }
            }
            StepChange::TransferOut => {
                let kind = req.organ_kind.unwrap_or(OrganKind::Other);
                organ_text = duban_domain::text::required(&req.organ, 100)
                    .map_err(|e| StoreError::Invalid(format!("机关名称{e}")))?;
                exec("UPDATE letters SET out_kind = $1, out_organ = $2, out_on = $3 WHERE id = $4")
                    .bind(kind.as_str())
                    .bind(&organ_text)
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                if req.told {
                    // told where the letter went: answered, and done here
                    exec("UPDATE letters SET replied_on = COALESCE(replied_on, $1), acknowledged_on = COALESCE(acknowledged_on, $1), closed_on = COALESCE(closed_on, $1) WHERE id = $2")
                        .bind(&on_s).bind(id).execute(&mut *w.tx).await?;
                }
            }
            StepChange::Review => {
                exec("UPDATE letters SET reviewed_on = $1 WHERE id = $2")
                    .bind(&on_s)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                speaker = scope.unit_id;
                (from, to) = (Some(scope.unit_id), Some(holder));
            }
        }
        let event_body = if organ_text.is_empty() {
            body.to_string()
        } else {
            format!(
                "{}（{}）\n{body}",
                organ_text,
                req.organ_kind.unwrap_or(OrganKind::Other).zh()
            )
        };
        exec("INSERT INTO letter_events (letter_id, on_date, kind, from_unit_id, to_unit_id, body, author, created_at, late_days, late_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(&on_s)
            .bind(req.step.as_str())
            .bind(from)
            .bind(to)
            .bind(&event_body)
            .bind(&actor.name)
            .bind(self.now_rfc3339())
            .bind(late_days)
            .bind(if late_days > 0 { req.late_reason.trim() } else { "" })
            .execute(&mut *w.tx)
            .await?;
        // the reply letters: the writer's (and, for a transfer out, the organ's)
        let unit_name: String = sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
            .bind(speaker)
            .fetch_one(&mut *w.tx)
            .await?;
        let out_now = facts.out || change == StepChange::TransferOut;
        let mut kinds: Vec<ReplyKind> = Vec::new();
        if change == StepChange::TransferOut {
            kinds.extend([ReplyKind::TransferOut, ReplyKind::TransferNotice]);
        } else if let Some(k) = ReplyKind::of_step(req.step, out_now) {
            kinds.push(k);
        }
        let petitioner: String = r.try_get("petitioner")?;
        let organ = if organ_text.is_empty() {
            sqlx::query_scalar::<_, String>("SELECT out_organ FROM letters WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *w.tx)
                .await?
        } else {
            organ_text.clone()
        };
        let mut writer_reply = None;
        for kind in kinds {
            let rid = self
                .compose_reply_in(
                    &mut w,
                    id,
                    speaker,
                    kind,
                    received,
                    req.on,
                    &unit_name,
                    &petitioner,
                    body,
                    &organ,
                    &status_url,
                )
                .await?;
            if kind != ReplyKind::TransferOut {
                writer_reply = Some(rid);
            }
        }
        // what the writer is told, where they gave a way to reach them
        let to_name = match (&change, to) {
            (StepChange::TransferOut, _) => organ.clone(),
            (_, Some(t)) => {
                sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
                    .bind(t)
                    .fetch_one(&mut *w.tx)
                    .await?
            }
            _ => String::new(),
        };
        let letter_no = rule::letter_number(received, id);
        if let Some((subject, mail, sms)) =
            rule::writer_message(req.step, &unit_name, &to_name, &letter_no, &status_url)
        {
            let email: String = r.try_get("email")?;
            let phone: String = r.try_get("phone")?;
            let mut sends = Vec::new();
            if !email.trim().is_empty() {
                sends.push(("email", email.trim().to_string(), mail));
            }
            if let Some(m) = mobile(&phone) {
                sends.push(("sms", m, sms));
            }
            for (channel, address, text) in sends {
                exec("INSERT INTO letter_sends (letter_id, reply_id, channel, address, subject, body, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(id).bind(writer_reply).bind(channel).bind(&address).bind(&subject).bind(&text)
                    .bind(crate::now_epoch()).bind(w.now_rfc3339())
                    .execute(&mut *w.tx).await?;
            }
        }
        if req.step.is_public() {
            // replies are searched too
            crate::search::index_letter_in(&mut w, id).await?;
        }
        w.audit(Change {
            action: "letter.step",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(holder),
            before: None,
            after: Some(json!({"step": req.step.as_str(), "on": on_s, "to_unit": to})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// Composes, numbers and keeps a reply letter from the unit's template (else the built-in).
    #[allow(clippy::too_many_arguments)]
    async fn compose_reply_in(
        &self,
        w: &mut crate::Write,
        letter: i64,
        unit: i64,
        kind: ReplyKind,
        received: NaiveDate,
        on: NaiveDate,
        unit_name: &str,
        petitioner: &str,
        body: &str,
        organ: &str,
        status_url: &str,
    ) -> Result<i64> {
        let template: Option<String> = sqlx::query_scalar(
            "SELECT body FROM letter_templates WHERE unit_id = $1 AND kind = $2",
        )
        .bind(unit)
        .bind(kind.as_str())
        .fetch_optional(&mut *w.tx)
        .await?;
        let year = i64::from(on.year());
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM letter_replies WHERE unit_id = $1 AND year = $2",
        )
        .bind(unit)
        .bind(year)
        .fetch_one(&mut *w.tx)
        .await?;
        let doc = rule::compose_reply(
            template.as_deref().unwrap_or(kind.default_template()),
            &rule::ReplyFacts {
                kind,
                unit_name: unit_name.to_string(),
                petitioner: petitioner.to_string(),
                letter_id: letter,
                received,
                on,
                seq,
                body: body.to_string(),
                organ: organ.to_string(),
                status_url: status_url.to_string(),
            },
        );
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letter_replies (letter_id, unit_id, kind, year, seq, number, on_date, document, author, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(letter)
        .bind(unit)
        .bind(kind.as_str())
        .bind(year)
        .bind(seq)
        .bind(&doc.doc_no)
        .bind(on.to_string())
        .bind(serde_json::to_string(&doc).map_err(|e| StoreError::Invalid(e.to_string()))?)
        .bind(w.actor().name.clone())
        .bind(w.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        Ok(id)
    }

    /// The reply letters, sendings and assignments of a letter (the caller has checked scope).
    pub(crate) async fn letter_answers(
        &self,
        id: i64,
    ) -> Result<(Vec<ReplyLetter>, Vec<LetterSend>, Vec<Assignment>)> {
        let replies = sqlx::query(
            "SELECT id, kind, number, on_date FROM letter_replies WHERE letter_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(reply_letter)
        .collect::<Result<Vec<_>>>()?;
        let sends = sqlx::query("SELECT id, channel, address, subject, status, attempts, last_error, sent_at, created_at FROM letter_sends WHERE letter_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(LetterSend {
                    id: r.try_get("id")?,
                    channel: r.try_get("channel")?,
                    address: rule::mask_address(&r.try_get::<String, _>("address")?),
                    subject: r.try_get("subject")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    sent_at: r.try_get("sent_at")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let assignments = sqlx::query("SELECT f.name AS from_unit, t.name AS to_unit, a.assigned_on, a.report_due, a.reported_on, a.returns FROM letter_assignments a \
             JOIN units f ON f.id = a.from_unit_id JOIN units t ON t.id = a.to_unit_id WHERE a.letter_id = $1 ORDER BY a.id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Assignment {
                    from_unit: r.try_get("from_unit")?,
                    to_unit: r.try_get("to_unit")?,
                    assigned_on: r.try_get("assigned_on")?,
                    report_due: r.try_get("report_due")?,
                    reported_on: r.try_get("reported_on")?,
                    returns: r.try_get("returns")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((replies, sends, assignments))
    }

    /// A reply letter of a letter on the caller's path, composed as kept.
    pub async fn letter_reply(
        &self,
        scope: &crate::Scope,
        letter: i64,
        reply: i64,
    ) -> Result<Option<(ReplyLetter, duban_domain::documents::Document)>> {
        if !self.on_path(scope, letter).await? {
            return Ok(None);
        }
        self.reply_where("letter_id = $1 AND id = $2", letter, reply)
            .await
    }

    /// A reply letter to the writer who holds the letter's query code (never the organ's letter).
    pub async fn public_reply(
        &self,
        raw_code: &str,
        reply: i64,
    ) -> Result<Option<(ReplyLetter, duban_domain::documents::Document)>> {
        let Some(code) = duban_domain::letters::normalize_query_code(raw_code) else {
            return Ok(None);
        };
        let Some(letter): Option<i64> =
            sqlx::query_scalar("SELECT id FROM letters WHERE query_hash = $1")
                .bind(duban_domain::auth::secret_digest(&code))
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        self.reply_where(
            "letter_id = $1 AND id = $2 AND kind <> 'transfer_out'",
            letter,
            reply,
        )
        .await
    }

    async fn reply_where(
        &self,
        cond: &str,
        letter: i64,
        reply: i64,
    ) -> Result<Option<(ReplyLetter, duban_domain::documents::Document)>> {
        let Some(r) = sqlx::query(crate::sqlf!(
            "SELECT id, kind, number, on_date, document FROM letter_replies WHERE {cond}"
        ))
        .bind(letter)
        .bind(reply)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let doc = serde_json::from_str(&r.try_get::<String, _>("document")?)
            .map_err(|e| StoreError::Invalid(format!("答复文书无法读取：{e}")))?;
        Ok(Some((reply_letter(&r)?, doc)))
    }

    /// The 20 most pressing things the unit waits for or owes on letters, by deadline: reports on
    /// its assignments not yet in, and reviews after a writer's dissatisfaction. Read from partial
    /// indexes of the open ones.
    pub async fn letters_awaited(&self, unit: i64) -> Result<Vec<Awaited>> {
        let mut out = Vec::new();
        for (kind, sql) in [
            (
                "report",
                "SELECT a.letter_id, a.report_due AS due, u.name FROM letter_assignments a JOIN units u ON u.id = a.to_unit_id \
                 WHERE a.from_unit_id = $1 AND a.reported_on IS NULL ORDER BY a.report_due LIMIT 20",
            ),
            (
                "review",
                "SELECT l.id AS letter_id, l.review_due AS due, u.name FROM letters l JOIN units u ON u.id = l.review_unit_id \
                 WHERE l.review_unit_id = $1 AND l.review_unit_id IS NOT NULL AND l.reviewed_on IS NULL ORDER BY l.review_due LIMIT 20",
            ),
        ] {
            for r in sqlx::query(sql).bind(unit).fetch_all(&self.pool).await? {
                out.push(Awaited {
                    letter_id: r.try_get("letter_id")?,
                    kind: kind.to_string(),
                    due: r.try_get::<Option<String>, _>("due")?.unwrap_or_default(),
                    unit_name: r.try_get("name")?,
                });
            }
        }
        out.sort_by(|a, b| a.due.cmp(&b.due));
        out.truncate(20);
        Ok(out)
    }

    /// A unit's reply templates: each kind with the unit's own text, or the built-in one.
    pub async fn letter_templates(&self, unit: i64) -> Result<Vec<(ReplyKind, String, bool)>> {
        let mut own = std::collections::HashMap::new();
        for r in sqlx::query("SELECT kind, body FROM letter_templates WHERE unit_id = $1")
            .bind(unit)
            .fetch_all(&self.pool)
            .await?
        {
            own.insert(
                r.try_get::<String, _>("kind")?,
                r.try_get::<String, _>("body")?,
            );
        }
        Ok(ReplyKind::ALL
            .iter()
            .map(|k| match own.get(k.as_str()) {
                Some(b) => (*k, b.clone(), true),
                None => (*k, k.default_template().to_string(), false),
            })
            .collect())
    }

    /// Saves the actor's unit's template of a kind, checked first ([`rule::check_template`]);
    /// an empty body restores the built-in one.
    pub async fn save_letter_template(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        kind: ReplyKind,
        body: &str,
    ) -> Result<()> {
        let body = body.replace("\r\n", "\n");
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        if body.trim().is_empty() {
            sqlx::query("DELETE FROM letter_templates WHERE unit_id = $1 AND kind = $2")
                .bind(scope.unit_id)
                .bind(kind.as_str())
                .execute(&mut *w.tx)
                .await?;
        } else {
            rule::check_template(kind, &body)?;
            sqlx::query(
                "INSERT INTO letter_templates (unit_id, kind, body, author, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (unit_id, kind) DO UPDATE SET body = excluded.body, author = excluded.author, updated_at = excluded.updated_at",
            )
            .bind(scope.unit_id)
            .bind(kind.as_str())
            .bind(&body)
            .bind(&actor.name)
            .bind(w.now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        }
        w.audit(Change {
            action: "letter.template",
            entity: "letter_template",
            entity_id: kind.as_str().to_string(),
            unit_id: Some(scope.unit_id),
            before: None,
            after: Some(json!({"kind": kind.as_str(), "restored": body.trim().is_empty()})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}
