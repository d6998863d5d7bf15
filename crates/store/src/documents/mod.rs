//! Official documents: drafts with history, composition from the data, publication that freezes
//! the composition and the PDF (a database trigger refuses any later change), numbering per year
//! for 专报 and 典型案例, the public list, and the rectification report's reminders.
use crate::org::Unit;
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use duban_domain::documents::{self as d, Document, Draft, Kind, RoundFacts, TypicalCase};
use duban_domain::org::Role;
use duban_domain::rectification as rules;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

mod business;
mod compose;
mod signoff;

/// What a special report or a case batch is made of, besides the office's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// tasks named in a special report (their titles and states are listed)
    #[serde(default)]
    pub tasks: Vec<i64>,
    /// meetings named in a special report
    #[serde(default)]
    pub meetings: Vec<i64>,
    /// the cases of a typical-case batch
    #[serde(default)]
    pub cases: Vec<TypicalCase>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: Kind,
    pub round_id: Option<i64>,
    pub plan_ids: Vec<i64>,
    pub as_of: NaiveDate,
    pub draft: Draft,
    pub selection: Selection,
    pub published: bool,
    pub year: i64,
    pub number: Option<i64>,
    pub version_of: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
    /// the sign-off (签发): by whom, when, with what opinion; cleared by a later save
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub sign_opinion: Option<String>,
}

impl DocRow {
    pub fn kind_zh(&self) -> &'static str {
        self.kind.zh()
    }
    pub fn title(&self) -> &str {
        &self.draft.title
    }
    pub fn number_text(&self) -> String {
        match (self.number, self.kind.numbered()) {
            (Some(n), Some(w)) => format!("{}年第{n}{w}", self.year),
            _ => String::new(),
        }
    }
}

/// One saved draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftVersion {
    pub id: i64,
    pub saved_by: String,
    pub saved_at: String,
    pub draft: Draft,
}

const COLS: &str = "d.id, d.unit_id, u.name AS unit_name, d.kind, d.round_id, d.plan_ids, d.as_of, d.draft, d.selection, d.status, d.year, d.number, d.version_of, d.created_by, d.created_at, d.published_at, d.signed_by, d.signed_at, d.sign_opinion";

fn row(r: &sqlx::any::AnyRow) -> Result<DocRow> {
    let bad = |e: serde_json::Error| StoreError::Invalid(format!("公文数据损坏：{e}"));
    let kind: String = r.try_get("kind")?;
    Ok(DocRow {
        id: crate::int(r, "id")?,
        unit_id: crate::int(r, "unit_id")?,
        unit_name: r.try_get("unit_name")?,
        kind: crate::known(Kind::parse(&kind), "公文类别", &kind)?,
        round_id: r.try_get("round_id")?,
        plan_ids: serde_json::from_str(&r.try_get::<String, _>("plan_ids")?).map_err(bad)?,
        as_of: date(&r.try_get::<String, _>("as_of")?)?,
        draft: serde_json::from_str(&r.try_get::<String, _>("draft")?).map_err(bad)?,
        selection: serde_json::from_str(&r.try_get::<String, _>("selection")?).map_err(bad)?,
        published: r.try_get::<String, _>("status")? == "published",
        year: crate::int(r, "year")?,
        number: r.try_get("number")?,
        version_of: r.try_get("version_of")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        published_at: r.try_get("published_at")?,
        signed_by: r.try_get("signed_by")?,
        signed_at: r.try_get("signed_at")?,
        sign_opinion: r.try_get("sign_opinion")?,
    })
}

fn round_facts(r: &crate::rectification::Round, org: &str) -> Result<RoundFacts> {
    Ok(RoundFacts {
        title: r.title.clone(),
        inspector: r.inspector.clone(),
        central: r.kind == rules::SourceKind::Central.as_str(),
        inspected_from: date(&r.inspected_from)?,
        inspected_to: date(&r.inspected_to)?,
        feedback: date(&r.feedback_date)?,
        org: org.to_string(),
        own: true,
    })
}

/// The default editable parts of a new document.
fn default_draft(
    kind: Kind,
    unit: &Unit,
    round: Option<&crate::rectification::Round>,
    as_of: NaiveDate,
) -> Draft {
    let org = format!("中共{}党组", unit.name);
    if kind == Kind::Violations {
        let group = format!("驻{}纪检监察组", unit.name);
        return Draft {
            title: format!(
                "关于{}检察人员违纪违法情况的分析报告",
                duban_domain::discipline::Quarter::of(as_of).zh()
            ),
            issuer: group.clone(),
            doc_no: String::new(),
            recipient: format!("{}党组", unit.name),
            signature: group,
            body: d::default_body(kind),
            contact: String::new(),
        };
    }
    let round_title = round.map(|r| r.title.as_str()).unwrap_or("巡视");
    let title = match kind {
        Kind::Bulletin => format!("{org}关于{round_title}整改进展情况的通报"),
        Kind::Report => format!("{org}关于{round_title}整改情况的报告"),
        Kind::Special => format!("关于{round_title}整改工作情况的专报"),
        Kind::Cases | Kind::Violations => format!("{}典型案例", unit.name),
    };
    Draft {
        title,
        issuer: if matches!(kind, Kind::Special | Kind::Cases) {
            unit.name.clone()
        } else {
            org.clone()
        },
        doc_no: String::new(),
        recipient: match kind {
            Kind::Report => "中央巡视工作领导小组办公室".into(),
            Kind::Special => "中央纪委国家监委".into(),
            _ => String::new(),
        },
        signature: if matches!(kind, Kind::Special | Kind::Cases) {
            unit.name.clone()
        } else {
            org
        },
        body: d::default_body(kind),
        contact: String::new(),
    }
}

impl Store {
    /// A new draft document of a unit in the caller's scope. Bulletins, reports and special
    /// reports name plans (of one round); a case batch names none.
    pub async fn create_document(
        &self,
        actor: &Actor,
        scope: &Scope,
        unit: &Unit,
        kind: Kind,
        plan_ids: &[i64],
        as_of: NaiveDate,
    ) -> Result<i64> {
        if !scope.covers(unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        // a case batch or the violations analysis draws on no plan
        let plan_ids = if kind.uses_plans() { plan_ids } else { &[] };
        let mut round = None;
        if kind.uses_plans() {
            if plan_ids.is_empty() {
                return Err(StoreError::Invalid("请选择整改方案".into()));
            }
            for id in plan_ids {
                let p = self
                    .plan(scope, &id.to_string())
                    .await?
                    .ok_or_else(|| StoreError::Invalid(format!("没有编号为 {id} 的整改方案")))?;
                match &round {
                    None => round = Some(p.round_id),
                    Some(r) if *r != p.round_id => {
                        return Err(StoreError::Invalid("所选方案须属于同一轮巡视".into()));
                    }
                    _ => {}
                }
            }
        }
        let round_row = match round {
            Some(id) => self.round_by_id(id).await?,
            None => None,
        };
        let draft = default_draft(kind, unit, round_row.as_ref(), as_of);
        let mut w = self.write(actor).await?;
        d::may_draft(actor.role, kind)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO documents (unit_id, kind, round_id, plan_ids, as_of, draft, year, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(unit.id)
        .bind(kind.as_str())
        .bind(round)
        .bind(json!(plan_ids).to_string())
        .bind(as_of.to_string())
        .bind(json!(draft).to_string())
        .bind(as_of.year() as i64)
        .bind(&actor.name)
        .bind(self.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "document.create",
            entity: "document",
            entity_id: id.to_string(),
            unit_id: Some(unit.id),
            before: None,
            after: Some(
                json!({"kind": kind.as_str(), "plans": plan_ids, "as_of": as_of.to_string()}),
            ),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// An unsaved document of `kind` over `plans` (one round) with the default draft: what
    /// `duban report bulletin` composes.
    pub async fn transient_document(
        &self,
        kind: Kind,
        plans: &[crate::rectification::Plan],
        as_of: NaiveDate,
    ) -> Result<DocRow> {
        let first = plans
            .first()
            .ok_or_else(|| StoreError::Invalid("请选择整改方案".into()))?;
        if plans.iter().any(|p| p.round_id != first.round_id) {
            return Err(StoreError::Invalid("所选方案须属于同一轮巡视".into()));
        }
        let unit = self
            .unit(first.unit_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let round = self.round_by_id(first.round_id).await?;
        Ok(DocRow {
            id: 0,
            unit_id: unit.id,
            unit_name: unit.name.clone(),
            kind,
            round_id: Some(first.round_id),
            plan_ids: plans.iter().map(|p| p.id).collect(),
            as_of,
            draft: default_draft(kind, &unit, round.as_ref(), as_of),
            selection: Selection::default(),
            published: false,
            year: as_of.year() as i64,
            number: None,
            version_of: None,
            created_by: String::new(),
            created_at: String::new(),
            published_at: None,
            signed_by: None,
            signed_at: None,
            sign_opinion: None,
        })
    }

    /// A round by id, whoever's it is: a plan (already checked against the caller's scope) may be
    /// a lower unit's copy under an upper unit's round.
    async fn round_by_id(&self, id: i64) -> Result<Option<crate::rectification::Round>> {
        let everywhere = Scope {
            unit_id: 0,
            unit_path: String::new(),
            subtree: true,
        };
        Ok(self
            .rounds(&everywhere)
            .await?
            .into_iter()
            .find(|r| r.id == id))
    }

    /// Documents of the units in scope that `role` reads, newest first.
    pub async fn documents(&self, scope: &Scope, role: Option<Role>) -> Result<Vec<DocRow>> {
        sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM documents d JOIN units u ON u.id = d.unit_id WHERE {} AND {} ORDER BY d.id DESC LIMIT 500",
            crate::scope_sql("u", 1, 2),
            secret_sql(3)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(i64::from(d::reads_confidential(role)))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(row)
        .collect()
    }

    /// One page of the documents in scope, newest first, keyset-paged on the id (`before`: the
    /// last id of the previous page), narrowed by kind and state (`draft`, `signed` — signed
    /// off, not yet published —, `published`). Returns the page and where the next one starts.
    pub async fn documents_page(
        &self,
        scope: &Scope,
        role: Option<Role>,
        kind: Option<Kind>,
        state: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<DocRow>, Option<i64>)> {
        // fixed texts chosen here: nothing typed reaches the statement
        let state_sql = match state {
            None => "",
            Some("draft") => " AND d.status = 'draft' AND d.signed_at IS NULL",
            Some("signed") => " AND d.status = 'draft' AND d.signed_at IS NOT NULL",
            Some("published") => " AND d.status = 'published'",
            Some(other) => {
                return Err(StoreError::Invalid(format!("公文状态“{other}”无效")));
            }
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(documents_sql(state_sql)))
            .bind(scope.unit_id)
            .bind(crate::scope_like(scope))
            .bind(kind.map(|k| k.as_str()).unwrap_or(""))
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit + 1)
            .bind(i64::from(d::reads_confidential(role)))
            .fetch_all(&self.pool)
            .await?;
        let mut docs = rows.iter().map(row).collect::<Result<Vec<_>>>()?;
        let next = if docs.len() as i64 > limit {
            docs.truncate(limit as usize);
            docs.last().map(|d| d.id)
        } else {
            None
        };
        Ok((docs, next))
    }

    /// One document in scope that `role` reads; `None` for another unit's or a confidential one
    /// (as for one that does not exist).
    pub async fn document(
        &self,
        scope: &Scope,
        role: Option<Role>,
        id: i64,
    ) -> Result<Option<DocRow>> {
        sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $3 AND {} AND {}",
            crate::scope_sql("u", 1, 2),
            secret_sql(4)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(id)
        .bind(i64::from(d::reads_confidential(role)))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(row)
        .transpose()
    }

    /// Saves the editable parts of a draft (kept in its history). Refused once published. Returns
    /// what was removed from the text as raw HTML, for the writer to see.
    pub async fn save_document(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        draft: &Draft,
        selection: &Selection,
        as_of: NaiveDate,
    ) -> Result<Vec<String>> {
        let doc = self
            .document(scope, actor.role, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if doc.published {
            return Err(StoreError::Invalid(
                "已发布的公文不能修改；如需修改，请另建新版本".into(),
            ));
        }
        for (what, v, max) in [
            ("标题", &draft.title, 200),
            ("发文机关", &draft.issuer, 100),
            ("发文字号", &draft.doc_no, 50),
            ("主送机关", &draft.recipient, 100),
            ("署名", &draft.signature, 100),
            ("联系方式", &draft.contact, 300),
        ] {
            if v.chars().count() > max {
                return Err(StoreError::Invalid(format!("{what}不超过 {max} 字")));
            }
        }
        if draft.title.trim().is_empty() {
            return Err(StoreError::Invalid("请填写标题".into()));
        }
        if draft.body.chars().count() > 60_000 {
            return Err(StoreError::Invalid("正文不超过 60000 字".into()));
        }
        let parsed = d::parse_office(&draft.body).map_err(StoreError::Invalid)?;
        let unit = self.unit(doc.unit_id).await?.ok_or(StoreError::NotFound)?;
        for c in &selection.cases {
            d::parse_office(&c.summary)
                .map_err(|e| StoreError::Invalid(format!("案例“{}”：{e}", c.title)))?;
            // a typical case is one of the unit's (or its lower units') cases
            let known: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cases c JOIN units u ON u.id = c.unit_id WHERE c.case_no = $1 AND (u.id = $2 OR u.path LIKE $3)",
            )
            .bind(c.case_ref.trim())
            .bind(unit.id)
            .bind(format!("{}%", unit.path))
            .fetch_one(&self.pool)
            .await?;
            if known == 0 {
                return Err(StoreError::Invalid(format!(
                    "案件编号“{}”不在本单位及下级单位的案件数据中",
                    c.case_ref.trim()
                )));
            }
        }
        let mut w = self.write(actor).await?;
        d::may_draft(actor.role, doc.kind)?;
        let now = self.now_rfc3339();
        // a change after the sign-off takes the signature away (signoff.rs); saving it unchanged
        // keeps it — compared with what the write reads
        let kept = sqlx::query("SELECT draft, selection, as_of FROM documents WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *w.tx)
            .await?;
        let unchanged = serde_json::from_str::<Draft>(&kept.try_get::<String, _>("draft")?)
            .ok()
            .as_ref()
            == Some(draft)
            && serde_json::from_str::<Selection>(&kept.try_get::<String, _>("selection")?)
                .ok()
                .as_ref()
                == Some(selection)
            && kept.try_get::<String, _>("as_of")? == as_of.to_string();
        let changed = sqlx::query(
            "UPDATE documents SET signed_by = CASE WHEN $6 = 1 THEN signed_by END, \
             signed_at = CASE WHEN $6 = 1 THEN signed_at END, sign_opinion = CASE WHEN $6 = 1 THEN sign_opinion END, \
             draft = $1, selection = $2, as_of = $3, year = $4 WHERE id = $5 AND status = 'draft'",
        )
            .bind(json!(draft).to_string())
            .bind(json!(selection).to_string())
            .bind(as_of.to_string())
            .bind(as_of.year() as i64)
            .bind(id)
            .bind(i64::from(unchanged))
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict(
                "该公文刚刚已发布，不能再修改；如需修改，请另建新版本".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO document_drafts (document_id, draft, selection, as_of, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(json!(draft).to_string())
        .bind(json!(selection).to_string())
        .bind(as_of.to_string())
        .bind(&actor.name)
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "document.save",
            entity: "document",
            entity_id: id.to_string(),
            unit_id: Some(doc.unit_id),
            before: None,
            after: Some(json!({"title": draft.title, "as_of": as_of.to_string()})),
        })
        .await?;
        w.commit().await?;
        Ok(parsed.removed)
    }

    /// The saved drafts of a document, newest first.
    pub async fn document_history(
        &self,
        scope: &Scope,
        role: Option<Role>,
        id: i64,
    ) -> Result<Vec<DraftVersion>> {
        if self.document(scope, role, id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query("SELECT id, saved_by, saved_at, draft FROM document_drafts WHERE document_id = $1 ORDER BY id DESC LIMIT 200")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(DraftVersion {
                    id: crate::int(r, "id")?,
                    saved_by: r.try_get("saved_by")?,
                    saved_at: r.try_get("saved_at")?,
                    draft: serde_json::from_str(&r.try_get::<String, _>("draft")?)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                })
            })
            .collect()
    }

    /// A new draft copying a document (published or not): the way to change a published one.
    pub async fn new_version(&self, actor: &Actor, scope: &Scope, id: i64) -> Result<i64> {
        let doc = self
            .document(scope, actor.role, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut w = self.write(actor).await?;
        d::may_draft(actor.role, doc.kind)?;
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO documents (unit_id, kind, round_id, plan_ids, as_of, draft, selection, year, version_of, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(doc.unit_id)
        .bind(doc.kind.as_str())
        .bind(doc.round_id)
        .bind(json!(doc.plan_ids).to_string())
        .bind(doc.as_of.to_string())
        .bind(json!(doc.draft).to_string())
        .bind(json!(doc.selection).to_string())
        .bind(doc.year)
        .bind(id)
        .bind(&actor.name)
        .bind(self.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "document.new_version",
            entity: "document",
            entity_id: new.to_string(),
            unit_id: Some(doc.unit_id),
            before: None,
            after: Some(json!({"version_of": id})),
        })
        .await?;
        w.commit().await?;
        Ok(new)
    }

    /// The frozen composition of a published document: within `scope`, or with no scope (the public)
    /// only a bulletin or a case batch.
    pub async fn published_document(
        &self,
        id: i64,
        scope: Option<(&Scope, Option<Role>)>,
    ) -> Result<Option<(DocRow, Document)>> {
        let r = sqlx::query(crate::sqlf!(
            "SELECT {COLS}, d.content, u.path FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $1 AND d.status = 'published'"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let doc = row(&r)?;
        let path: String = r.try_get("path")?;
        let visible = match scope {
            Some((s, role)) => {
                s.covers(doc.unit_id, &path)
                    && (!doc.kind.confidential() || d::reads_confidential(role))
            }
            None => doc.kind.public(),
        };
        if !visible {
            return Ok(None);
        }
        let content: String = r.try_get("content")?;
        let composed =
            serde_json::from_str(&content).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Some((doc, composed)))
    }

    /// The frozen PDF of a published document.
    pub async fn document_pdf(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "SELECT b.content FROM documents d JOIN blobs b ON b.sha256 = d.pdf_sha256 WHERE d.id = $1 AND d.status = 'published'",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Published public documents (bulletins and case batches), newest first.
    pub async fn public_documents(&self) -> Result<Vec<DocRow>> {
        sqlx::query(crate::sqlf!(
            "SELECT {COLS} FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.status = 'published' AND d.kind IN ('bulletin', 'cases') ORDER BY d.published_at DESC, d.id DESC LIMIT 500"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(row)
        .collect()
    }

    /// Reminders of the rectification report due two months after feedback: to the office staff
    /// of the round's unit, once when due within `days`, once when overdue, until a report for
    /// the round is published.
    pub async fn sweep_reports(&self, as_of: NaiveDate, days: i64) -> Result<u64> {
        let soon = (as_of + chrono::Duration::days(days)).to_string();
        let mut w = self.write(&Actor::system("scheduler")).await?;
        let n = sqlx::query(
            "INSERT INTO notices (filer_id, kind, level, dedupe, addressee_id, issued_on, days_overdue, email, created_at) \
             SELECT s.id, 'reminder', CASE WHEN r.report_due < $1 THEN 'red' ELSE 'yellow' END, \
               'report:' || CASE WHEN r.report_due < $1 THEN 'overdue' ELSE 'soon' END || ':' || r.report_due || ':' || r.title, \
               s.id, $1, 0, MAX(us.email), $3 \
             FROM rounds r JOIN users us ON us.unit_id = r.unit_id AND us.role = 'office' AND us.disabled = 0 JOIN staff s ON s.id = us.staff_id \
             WHERE r.report_due <= $2 AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.round_id = r.id AND d.unit_id = r.unit_id AND d.kind = 'report' AND d.status = 'published') \
             GROUP BY s.id, r.id, r.report_due, r.title ON CONFLICT DO NOTHING",
        )
        .bind(as_of.to_string())
        .bind(&soon)
        .bind(self.now_rfc3339())
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n > 0 {
            w.audit(Change {
                action: "supervision.sweep_reports",
                entity: "notices",
                entity_id: as_of.to_string(),
                unit_id: None,
                before: None,
                after: Some(json!({"reminders": n})),
            })
            .await?;
        }
        w.commit().await?;
        Ok(n)
    }

    /// Rounds whose rectification report is still owed, with its due date, for the documents page.
    pub async fn reports_owed(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(crate::rectification::Round, bool)>> {
        let mut out = Vec::new();
        for r in self.rounds(scope).await? {
            let done: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM documents WHERE round_id = $1 AND unit_id = $2 AND kind = 'report' AND status = 'published'",
            )
            .bind(r.id)
            .bind(r.unit_id)
            .fetch_one(&self.pool)
            .await?;
            out.push((r, done > 0));
        }
        Ok(out)
    }
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Invalid(format!("日期 {s} 无效")))
}

/// 2020年1月
/// Text from the data placed into office markup: tags and tokens neutralised.
fn sanitize_line(s: &str) -> String {
    s.replace(['<', '>'], "")
        .replace("{{", "｛｛")
        .replace('\n', " ")
}

/// The documents list's page: `$1`, `$2` the scope, `$3` the kind ('' for any), `$4` the id
/// to start below, `$5` the rows to read; `state` one of the fixed conditions of
/// [`Store::documents_page`]. Read in the order of the primary key.
#[doc(hidden)]
pub fn documents_sql(state: &str) -> String {
    format!(
        "SELECT {COLS} FROM documents d JOIN units u ON u.id = d.unit_id WHERE {} AND {} \
         AND ($3 = '' OR d.kind = $3){state} AND d.id < $4 ORDER BY d.id DESC LIMIT $5",
        crate::scope_sql("u", 1, 2),
        secret_sql(6)
    )
}

/// `$n = 1` (the reader reads confidential kinds) or the document is of another kind; the kinds
/// are the domain's, spelled here from its list (nothing typed reaches the statement).
fn secret_sql(n: usize) -> String {
    let kinds: Vec<String> = Kind::ALL
        .iter()
        .filter(|k| k.confidential())
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    format!("(${n} = 1 OR d.kind NOT IN ({}))", kinds.join(", "))
}
