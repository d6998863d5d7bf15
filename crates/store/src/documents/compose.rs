//! Composing a document from the data: plan figures, the special report's selection, numbering,
//! the extras (charts, rates), and publication that freezes it.
use super::*;
use crate::org::Unit;
use crate::{Actor, Change, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use duban_domain::documents::{
    self as d, Document, Extras, Inputs, Kind, PlanFigures, Render, RoundFacts,
};
use duban_domain::rectification as rules;
use serde_json::json;
use sqlx::Row;

impl Store {
    /// A plan's figures on a day: the statistics, the overdue tasks by title, and the roll-up of a
    /// cascaded plan over the scope.
    pub async fn plan_figures(
        &self,
        scope: &Scope,
        plan: &crate::rectification::Plan,
        as_of: NaiveDate,
    ) -> Result<PlanFigures> {
        let lights = self.supervision_rules().await?.lights;
        let histories = self.plan_histories_as_of(plan.id, as_of).await?;
        let only: Vec<rules::TaskHistory> = histories.iter().map(|(_, h)| h.clone()).collect();
        let stats = rules::plan_stats(&only, as_of, &lights);
        let red: std::collections::HashSet<i64> = histories
            .iter()
            .filter(|(_, h)| h.created <= as_of)
            .filter(|(_, h)| {
                let f = h.facts_on(as_of);
                h.category != rules::Category::LongTerm
                    && f.state != rules::TaskState::Closed
                    && rules::light(&f, as_of, &lights) == rules::Light::Red
            })
            .map(|(id, _)| *id)
            .collect();
        let tasks = self.tasks(plan.id).await?;
        let overdue = tasks
            .iter()
            .filter(|t| red.contains(&t.id))
            .map(|t| t.title.clone())
            .collect();
        let unit = self.unit(plan.unit_id).await?.ok_or(StoreError::NotFound)?;
        let view = self.rollup_view(scope, plan.id, as_of, &unit).await?;
        let levels = view
            .levels
            .into_iter()
            .filter(|(level, ..)| *level > unit.level)
            .collect();
        // lights of open tasks per lead department
        let mut departments: Vec<(String, usize, usize, usize)> = Vec::new();
        let by_id: std::collections::HashMap<i64, &rules::TaskHistory> =
            histories.iter().map(|(id, h)| (*id, h)).collect();
        for t in &tasks {
            let Some(h) = by_id.get(&t.id) else { continue };
            if h.created > as_of {
                continue;
            }
            let f = h.facts_on(as_of);
            if f.state == rules::TaskState::Closed {
                continue;
            }
            let dept = t.departments.first().cloned().unwrap_or_default();
            let dept = if dept.is_empty() {
                "未指定部门".to_string()
            } else {
                dept
            };
            let i = match departments.iter().position(|(d, ..)| *d == dept) {
                Some(i) => i,
                None => {
                    departments.push((dept, 0, 0, 0));
                    departments.len() - 1
                }
            };
            match rules::light(&f, as_of, &lights) {
                rules::Light::Green => departments[i].1 += 1,
                rules::Light::Yellow => departments[i].2 += 1,
                rules::Light::Red => departments[i].3 += 1,
            }
        }
        Ok(PlanFigures {
            id: plan.id,
            body: plan.body.clone(),
            title: plan.title.clone(),
            stats,
            overdue,
            levels,
            departments,
            deadline_adjusted: self.deadline_adjusted_tasks(plan.id, as_of).await?,
        })
    }

    /// Composes a document from its draft and the data as of its date (the preview; publishing
    /// freezes what this returns).
    pub async fn compose_document(&self, doc: &DocRow, render: &dyn Render) -> Result<Document> {
        let unit = self.unit(doc.unit_id).await?.ok_or(StoreError::NotFound)?;
        // the caller's scope was checked when the document was read; the text is the issuing
        // unit's, whoever previews or publishes it
        let scope = &Scope {
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            subtree: true,
        };
        let err = |e: d::ComposeError| StoreError::Invalid(e.to_string());
        if doc.kind == Kind::Cases {
            return d::compose_cases(
                &doc.draft,
                &doc.selection.cases,
                doc.number.or(Some(self.next_number(doc).await?)),
                doc.as_of,
            )
            .map_err(err);
        }
        let mut plans = Vec::new();
        for id in &doc.plan_ids {
            let p = self
                .plan(scope, &id.to_string())
                .await?
                .ok_or(StoreError::NotFound)?;
            plans.push(self.plan_figures(scope, &p, doc.as_of).await?);
        }
        // the round may be an upper unit's (a cascaded plan): its dates still bound the
        // document, but the opening names the inspected organisation only for its own unit
        let round = match doc.round_id {
            Some(id) => match self.round_by_id(id).await? {
                Some(r) => Some(RoundFacts {
                    own: r.unit_id == unit.id,
                    ..round_facts(&r, &format!("{}党组", unit.name))?
                }),
                None => None,
            },
            None => None,
        };
        let extras = if doc.kind == Kind::Violations {
            self.violation_extras(&unit, doc.as_of, render).await?
        } else {
            self.document_extras(&unit, &plans, doc.as_of, render)
                .await?
        };
        let mut draft = doc.draft.clone();
        if doc.kind == Kind::Special {
            draft
                .body
                .push_str(&self.special_selection_text(scope, &doc.selection).await?);
        }
        let number = match doc.kind.numbered() {
            Some(_) => Some(match doc.number {
                Some(n) => n,
                None => self.next_number(doc).await?,
            }),
            None => None,
        };
        d::compose(&Inputs {
            kind: doc.kind,
            draft: &draft,
            round: round.as_ref(),
            plans: &plans,
            extras: &extras,
            as_of: doc.as_of,
            number,
        })
        .map_err(err)
    }

    /// 专报: the selected tasks with their states and the selected meetings, as office text.
    pub(crate) async fn special_selection_text(
        &self,
        scope: &Scope,
        sel: &Selection,
    ) -> Result<String> {
        let mut t = String::new();
        if !sel.tasks.is_empty() {
            t.push_str("\n三、重点整改任务\n");
            for (i, id) in sel.tasks.iter().enumerate() {
                let task = sqlx::query("SELECT t.title, t.state, t.deadline, p.id AS plan_id FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(r) = task else { continue };
                let plan_id = crate::int(&r, "plan_id")?;
                if self.plan(scope, &plan_id.to_string()).await?.is_none() {
                    continue;
                }
                let state: String = r.try_get("state")?;
                let state = rules::TaskState::parse(&state)
                    .map(|s| s.zh())
                    .unwrap_or("");
                let deadline: Option<String> = r.try_get("deadline")?;
                t.push_str(&format!(
                    "{}.{}。目前{}{}。\n",
                    i + 1,
                    sanitize_line(&r.try_get::<String, _>("title")?),
                    state,
                    deadline
                        .map(|d| format!("，整改时限 {d}"))
                        .unwrap_or_default()
                ));
            }
        }
        if !sel.meetings.is_empty() {
            t.push_str(&format!(
                "\n{}、有关会议\n",
                if sel.tasks.is_empty() { "三" } else { "四" }
            ));
            for id in &sel.meetings {
                if let Some((m, items)) = self.meeting(scope, *id).await? {
                    t.push_str(&format!(
                        "{}，{}：研究事项{}项，已作出决定{}项。\n",
                        m.held_on,
                        sanitize_line(&m.title),
                        items.len(),
                        items.iter().filter(|i| i.decided_at.is_some()).count()
                    ));
                }
            }
        }
        Ok(t)
    }

    pub(crate) async fn next_number(&self, doc: &DocRow) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(number) FROM documents WHERE unit_id = $1 AND kind = $2 AND year = $3",
        )
        .bind(doc.unit_id)
        .bind(doc.kind.as_str())
        .bind(doc.year)
        .fetch_one(&self.pool)
        .await?;
        Ok(n.unwrap_or(0) + 1)
    }

    /// The desk's quarter for the confidential analysis: the register's figures over the unit's
    /// subtree from the quarter's first day to the document's date, against the whole quarter
    /// before, as sentences and a chart.
    async fn violation_extras(
        &self,
        unit: &Unit,
        as_of: NaiveDate,
        render: &dyn Render,
    ) -> Result<Extras> {
        use duban_domain::discipline::{Quarter, quarter_chart_rows, quarter_sentences};
        let q = Quarter::of(as_of);
        let p = q.previous();
        let now = self
            .violation_tally(unit, true, q.first_day(), as_of)
            .await?;
        let before = self
            .violation_tally(unit, true, p.first_day(), p.last_day())
            .await?;
        let scope_name = if unit.parent_id.is_none() {
            "全国检察机关".to_string()
        } else {
            format!("{}及所辖检察院", unit.name)
        };
        let title = format!("{}各类违纪违法人数（与{}对比）", q.zh(), p.zh());
        let svg = render.comparison(
            &title,
            &quarter_chart_rows(&now, &before),
            ["本季度", "上季度"],
        );
        let mut x = Extras {
            charts: vec![(d::Token::ChartViolations, title, svg)],
            ..Extras::default()
        };
        x.add(
            d::Token::Violations,
            vec![d::Span::generated(quarter_sentences(
                q,
                as_of,
                &scope_name,
                &now,
                &before,
            ))],
        );
        Ok(x)
    }

    /// Publishes a draft: composes it, renders its PDF with `render`, assigns its number, and
    /// freezes all three. Returns the frozen document.
    pub async fn publish_document(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
        render: &dyn Render,
    ) -> Result<Document> {
        let doc = self
            .document(scope, actor.role, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        // decided before the typesetting on what was read, and again in the write below
        duban_domain::documents::may_draft(actor.role, doc.kind)?;
        duban_domain::documents::may_publish(
            actor.role,
            &duban_domain::documents::SignFacts {
                unit_id: doc.unit_id,
                published: doc.published,
                signed: doc.signed_at.is_some(),
            },
        )?;
        let mut composed = self.compose_document(&doc, render).await?;
        // every published document carries the audit chain's latest signed head, so that readers
        // can check later that the history behind its figures was not rewritten
        if let Some(a) = self.latest_anchor().await? {
            let grouped: Vec<String> = a
                .hash
                .as_bytes()
                .chunks(16)
                .map(|c| String::from_utf8_lossy(c).to_string())
                .collect();
            let signed = crate::china_time(&a.signed_at)
                .map(|t| t.format("%Y年%-m月%-d日").to_string())
                .unwrap_or_default();
            composed.blocks.push(duban_domain::documents::Block::Para {
                spans: vec![duban_domain::documents::Span::plain(format!(
                    "（审计锚点：{signed}签名，截至第 {} 条操作记录，链头哈希 {}。核对方法见本院公开页面“审计锚点”。）",
                    a.seq,
                    grouped.join(" ")
                ))],
            });
        }
        let pdf = render.pdf(&composed).map_err(StoreError::Invalid)?;
        let mut w = self.write(actor).await?;
        let facts = super::signoff::sign_facts(&mut w, actor, id).await?;
        duban_domain::documents::may_publish(actor.role, &facts)?;
        duban_domain::documents::may_draft(actor.role, doc.kind)?;
        let sha = crate::rectification::put_blob(&mut w, &pdf).await?;
        let changed = sqlx::query(
            "UPDATE documents SET status = 'published', number = $1, content = $2, pdf_sha256 = $3, published_by = $4, published_at = $5 WHERE id = $6 AND status = 'draft' AND signed_at IS NOT NULL",
        )
        .bind(composed.number)
        .bind(json!(composed).to_string())
        .bind(&sha)
        .bind(&actor.name)
        .bind(self.now_rfc3339())
        .bind(id)
        .execute(&mut *w.tx)
        .await
        .map_err(|e| match e {
            // two drafts of the same kind published at once took the same number
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") || d.message().contains("duplicate key") => {
                StoreError::Conflict("期数已被同时发布的另一件公文占用，请再次发布".into())
            }
            e => e.into(),
        })?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict("该公文已由他人发布".into()));
        }
        w.audit(Change {
            action: "document.publish",
            entity: "document",
            entity_id: id.to_string(),
            unit_id: Some(doc.unit_id),
            before: None,
            after: Some(
                json!({"title": composed.title, "number": composed.number, "pdf_sha256": sha}),
            ),
        })
        .await?;
        w.commit().await?;
        Ok(composed)
    }
}
