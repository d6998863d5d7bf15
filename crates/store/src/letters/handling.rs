//! Handling letters: import of historical letters, registration (public and officer), the
//! writer's rating, steps with their dates, links, hearings and backlog campaigns.
use super::*;
use crate::org::ImportReport;
use crate::{Actor, Bind, Change, Result, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::import::{self, CellError, Table};
use duban_domain::letters::clocks;
use duban_domain::org::UnitCode;
use serde_json::json;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// The body of the steps an import records (a historical letter's answers are not held).
const IMPORTED: &str = "（导入）";

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
            if let Ok(c) = UnitCode::parse(&r.try_get::<String, _>("code")?) {
                units.insert(c, r.try_get("id")?);
            }
        }
        let codes: HashSet<UnitCode> = units.keys().cloned().collect();
        let rows =
            import::validate_letters(table, &codes, w.today()).map_err(StoreError::Import)?;
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
        let now = self.now_rfc3339();
        let author = actor.name.clone();
        self.progress.phase("写入来信", Some(rows.len() as u64));
        let ids = w.new_ids("letters", rows.len()).await?;
        let mut letters = Vec::with_capacity(rows.len());
        let mut events = Vec::with_capacity(rows.len() * 3);
        let mut texts = Vec::with_capacity(rows.len());
        let day = |d: Option<NaiveDate>| d.map_or(Bind::Null, |d| Bind::Text(d.to_string()));
        for ((r, c), id) in rows.iter().zip(&due).zip(&ids) {
            let (id, unit) = (*id, units[&r.unit]);
            letters.push([
                Bind::Int(id),
                Bind::Int(unit),
                Bind::Int(unit),
                day(Some(r.received_on)),
                day(Some(r.received_on)),
                r.channel.as_str().into(),
                r.category.as_str().into(),
                r.petitioner.as_str().into(),
                r.phone.as_str().into(),
                r.content.as_str().into(),
                day(Some(c.ack_due)),
                day(Some(c.reply_due)),
                day(r.acknowledged_on),
                day(r.replied_on),
                day(r.closed_on),
                now.as_str().into(),
            ]);
            // the text a letter is found by: its content and the bodies of its answers
            let mut text = r.content.clone();
            for (kind, on) in [
                ("received", Some(r.received_on)),
                ("ack", r.acknowledged_on),
                ("reply", r.replied_on),
                ("close", r.closed_on),
            ] {
                let Some(on) = on else { continue };
                events.push([
                    Bind::Int(id),
                    day(Some(on)),
                    kind.into(),
                    Bind::Int(unit),
                    IMPORTED.into(),
                    author.as_str().into(),
                    now.as_str().into(),
                ]);
                if kind != "received" {
                    text.push('\n');
                    text.push_str(IMPORTED);
                }
            }
            texts.push((id, text));
        }
        let mut bulk = self.bulk().await?;
        let written = async {
            // on PostgreSQL the figures are added once for the whole file, not letter by letter
            let pg = w.backend == crate::Backend::Postgres;
            if pg {
                crate::org::bulk_load(&mut w.tx).await?;
            }
            bulk.load(
                &mut w,
                "letters",
                [
                    "id",
                    "first_unit_id",
                    "unit_id",
                    "received_on",
                    "unit_received_on",
                    "channel",
                    "category",
                    "petitioner",
                    "phone",
                    "content",
                    "ack_due",
                    "reply_due",
                    "acknowledged_on",
                    "replied_on",
                    "closed_on",
                    "created_at",
                ],
                None,
                letters,
            )
            .await?;
            if pg {
                crate::org::add_letter_tallies(&mut w.tx, &json!(ids).to_string()).await?;
            }
            bulk.load(
                &mut w,
                "letter_events",
                [
                    "letter_id",
                    "on_date",
                    "kind",
                    "to_unit_id",
                    "body",
                    "author",
                    "created_at",
                ],
                None,
                events,
            )
            .await?;
            crate::search::index_new_letters(&mut bulk, &mut w, texts).await
        }
        .await;
        bulk.finish().await?;
        written?;
        self.progress.advance(rows.len() as u64);
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
        if !l.email.trim().is_empty() && !duban_domain::letters::answers::valid_email(&l.email) {
            return Err(StoreError::Invalid(format!(
                "电子邮箱“{}”无效",
                l.email.trim().chars().take(60).collect::<String>()
            )));
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
            .queue_write(Box::new(LetterWork {
                actor: actor.clone(),
                letter: l.clone(),
                code_hash: hash,
                clocks: c,
            }))
            .await?;
        Ok((id, code))
    }

    /// The writer rates the result reply, once, after it was sent (满意 / 基本满意 / 不满意, with a
    /// comment); dissatisfaction opens a review by the unit above the holder. `false` when the
    /// code is wrong.
    pub async fn rate_letter(
        &self,
        raw_code: &str,
        rating: duban_domain::letters::answers::Rating,
        comment: &str,
    ) -> Result<bool> {
        use duban_domain::letters::answers::{REVIEW_DAYS, Rating, review_unit};
        let Some(code) = duban_domain::letters::normalize_query_code(raw_code) else {
            return Ok(false);
        };
        let comment = duban_domain::text::optional(comment, 500)
            .map_err(|e| StoreError::Invalid(format!("意见{e}")))?;
        let mut w = self.write(&Actor::system("public")).await?;
        let Some(r) = sqlx::query(
            "SELECT l.id, l.replied_on, l.rating, l.unit_id, u.path FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.query_hash = $1",
        )
        .bind(duban_domain::auth::secret_digest(&code))
        .fetch_optional(&mut *w.tx)
        .await?
        else {
            return Ok(false);
        };
        let (id, replied, rated, unit, path): (i64, Option<String>, Option<String>, i64, String) = (
            r.try_get("id")?,
            r.try_get("replied_on")?,
            r.try_get("rating")?,
            r.try_get("unit_id")?,
            r.try_get("path")?,
        );
        if replied.is_none() {
            return Err(StoreError::Invalid("收到办理结果答复后才能评价".into()));
        }
        if rated.is_some() {
            return Err(StoreError::Invalid("您已评价过".into()));
        }
        let today = w.today();
        let (reviewer, due) = if rating == Rating::Unsatisfied {
            (
                review_unit(&duban_domain::access::path_ids(&path)),
                Some((today + chrono::Duration::days(REVIEW_DAYS)).to_string()),
            )
        } else {
            (None, None)
        };
        sqlx::query(
            "UPDATE letters SET rating = $1, rating_comment = $2, rated_on = $3, review_unit_id = $4, review_due = $5 WHERE id = $6",
        )
        .bind(rating.as_str())
        .bind(&comment)
        .bind(today.to_string())
        .bind(reviewer)
        .bind(due)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("INSERT INTO letter_events (letter_id, on_date, kind, to_unit_id, body, author, created_at) VALUES ($1, $2, 'rated', $3, $4, 'public', $5)")
            .bind(id)
            .bind(today.to_string())
            .bind(reviewer)
            .bind(format!("{}{}{}", rating.zh(), if comment.is_empty() { "" } else { "：" }, comment))
            .bind(w.now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "letter.rate",
            entity: "letter",
            entity_id: id.to_string(),
            unit_id: Some(unit),
            before: None,
            after: Some(json!({"rating": rating.as_str(), "review_unit": reviewer})),
        })
        .await?;
        w.commit().await?;
        Ok(true)
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
    let now = w.now_rfc3339();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO letters (query_hash, first_unit_id, unit_id, received_on, unit_received_on, channel, category, petitioner, phone, content, ack_due, reply_due, created_at, id_number, address, email) \
         VALUES ($1, $2, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
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
    .bind(l.email.trim())
    .fetch_one(&mut *w.tx)
    .await?;
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
    crate::search::index_new_letter_in(w, id, &l.content).await?;
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

impl Store {
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
            .bind(self.now_rfc3339())
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
        if held_on > self.today() + chrono::Duration::days(365) {
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
            .bind(self.now_rfc3339())
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
}

impl Store {
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
        if deadline < self.today() {
            return Err(StoreError::Invalid("完成期限不能早于今天".into()));
        }
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        let id: i64 = sqlx::query_scalar("INSERT INTO campaigns (unit_id, title, deadline, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(scope.unit_id)
            .bind(title.trim())
            .bind(deadline.to_string())
            .bind(self.now_rfc3339())
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
}

/// A letter from the public waiting in the write queue.
struct LetterWork {
    actor: Actor,
    letter: NewLetter,
    code_hash: String,
    clocks: duban_domain::letters::Clocks,
}

impl crate::queue::Job for LetterWork {
    fn actor(&self) -> Actor {
        self.actor.clone()
    }
    fn run<'a>(
        &'a self,
        w: &'a mut crate::Write,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<i64>> + Send + 'a>> {
        Box::pin(insert_letter_in(
            w,
            &self.actor,
            &self.letter,
            &self.code_hash,
            &self.clocks,
        ))
    }
}
