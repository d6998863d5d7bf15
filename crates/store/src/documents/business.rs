//! The figures behind a document's sentences about the period's work (issue 20): letters,
//! records and the supervision letters they led to, case quality and the procuratorial work,
//! internal inspections, the registry's meetings and study sessions, the paperwork's change,
//! and the typical-case batches and special reports published — each counted over the
//! document's unit (and its subtree where the figure is the system's), each linked to the page
//! that lists it.
use super::*;
use duban_domain::documents::{
    self as d, Extras, Fig, InspectionRound, LettersWork, PaperworkWork, PlanFigures, Published,
    RecordsWork, Render, Sessions, Token, Work, q,
};
use duban_domain::records::Month;
use std::collections::BTreeMap;

impl Store {
    /// Sentences and charts from the other modules for the document's unit: the statistical
    /// period (今年1至9月, [`d::stat_period`]) for the figures the seed gives by period, the
    /// year to the document's date for what was done (inspections, meetings, publications),
    /// the document's date for what stands (overdue cases concluded).
    pub(crate) async fn document_extras(
        &self,
        unit: &Unit,
        plans: &[PlanFigures],
        as_of: NaiveDate,
        render: &dyn Render,
    ) -> Result<Extras> {
        let (from, to) = d::stat_period(as_of);
        let period = d::period_words(from, to);
        let year_start = NaiveDate::from_ymd_opt(as_of.year(), 1, 1).unwrap_or(as_of);
        let since = "今年以来".to_string();
        let national = unit.parent_id.is_none();
        let mut x = Extras::default();
        // letters: the system's, and the unit's own
        let all = self.letter_metrics(unit, true, from, to, as_of).await?;
        let own = self.letter_metrics(unit, false, from, to, as_of).await?;
        x.add(
            Token::Letters,
            d::letters_sentences(&LettersWork {
                period: period.clone(),
                scope: if national {
                    "全国检察机关".into()
                } else {
                    format!("{}及所辖检察院", unit.name)
                },
                own: if national {
                    "最高检机关".into()
                } else {
                    format!("{}本级", unit.name)
                },
                received: Fig::new(
                    all.received,
                    format!("/letters?from={from}&to={to}&as_of={as_of}"),
                ),
                ack_rate: all.ack.rate,
                reply_rate: all.reply.rate,
                own_ack_rate: own.ack.rate,
                own_reply_rate: own.reply.rate,
            }),
        );
        // records and the supervision letters sent for them
        let (mf, mt) = (Month::of(from), Month::of(to));
        let c = self.record_counts(unit, true, mf, mt).await?;
        let stats = format!("/records/stats?from={mf}&to={mt}");
        x.add(
            Token::Records,
            d::records_sentences(&RecordsWork {
                period: period.clone(),
                records: Fig::new(c.records, stats.clone()),
                filed: Fig::new(c.filed, stats),
                owed: c.staff * c.months,
                zero_reports: c.zero_reports,
                letters: self.letters_sent(unit, year_start, as_of).await?,
            }),
        );
        // case quality, and the procuratorial work of the period
        let qf = self
            .quality_figures(unit, true, from, to, &Default::default())
            .await?;
        let quality = |extra: &str| format!("/quality?from={from}&to={to}{extra}");
        if qf.ratio.an > 0 {
            let mut s = d::Say::default()
                .t(format!("{period}，受理审查逮捕、审查起诉案件"))
                .f(&Fig::new(qf.ratio.an, quality("")), "件")
                .t("，“案-件比”为")
                .x(
                    format!("1:{:.2}", qf.ratio.ratio.unwrap_or(0.0)),
                    &quality(""),
                );
            if let Some(p) = qf.plea_rate {
                s = s
                    .t("；审结案件中适用认罪认罚从宽制度")
                    .f(
                        &Fig::new(qf.with_plea, quality("&type=%E5%88%91%E4%BA%8B")),
                        "件",
                    )
                    .t("，适用率")
                    .x(d::percent(p), &quality(""));
            }
            x.add(Token::Quality, s.t("。").done());
        }
        let tag = quality(&format!("&tag={}", q("涉疫")));
        let scope = Scope {
            unit_id: unit.id,
            unit_path: unit.path.clone(),
            subtree: true,
        };
        let (over, ended) = self.overdue_counts(&scope, as_of, Some("民事")).await?;
        let event = |name: &str| qf.events.get(name).copied().unwrap_or(0);
        let of_type = |t: &str| quality(&format!("&type={}", q(t)));
        x.add(
            Token::Business,
            d::work_sentences(&Work {
                period: period.clone(),
                epidemic: (
                    Fig::new(
                        self.tagged_persons(unit, "涉疫", "批准逮捕", from, to)
                            .await?,
                        tag.clone(),
                    ),
                    Fig::new(
                        self.tagged_persons(unit, "涉疫", "提起公诉", from, to)
                            .await?,
                        tag,
                    ),
                ),
                public_interest: Fig::new(event("公益诉讼立案"), of_type("公益诉讼")),
                admin_disputes: Fig::new(event("行政争议化解"), of_type("行政")),
                civil_overdue: (
                    Fig::new(over, of_type("民事")),
                    Fig::new(ended, of_type("民事")),
                ),
                plea_persons: (
                    Fig::new(qf.persons_with_plea, of_type("刑事")),
                    Fig::new(qf.persons, of_type("刑事")),
                ),
            }),
        );
        let mut inspections =
            d::inspection_sentences(&self.inspections_made(unit, year_start, as_of).await?);
        let investigated = self.violation_tally(unit, true, from, to).await?.persons;
        inspections.extend(d::investigated_sentences(
            &period,
            &Fig::new(investigated, "/discipline"),
        ));
        x.add(Token::Inspections, inspections);
        x.add(
            Token::Sessions,
            d::session_sentences(&self.sessions(unit, &since, year_start, as_of).await?),
        );
        let published = self.published_of(unit, &since, year_start, as_of).await?;
        x.add(Token::TypicalCases, d::typical_case_sentences(&published));
        x.add(
            Token::SpecialReports,
            d::special_report_sentences(&published),
        );
        let counts = self.paperwork_counts(unit, false, from, to).await?;
        let kind = |k: duban_domain::paperwork::Kind| {
            counts
                .iter()
                .find(|c| c.kind == k.zh())
                .map_or((0, 0), |c| (c.this, c.before))
        };
        let link = format!("/paperwork?from={from}&to={to}");
        let (docs, meetings) = (
            kind(duban_domain::paperwork::Kind::Document),
            kind(duban_domain::paperwork::Kind::Meeting),
        );
        x.add(
            Token::Paperwork,
            d::paperwork_sentences(&PaperworkWork {
                period,
                issuer: if national {
                    "最高检".into()
                } else {
                    "本院".into()
                },
                documents: (Fig::new(docs.0, link.clone()), docs.1),
                meetings: (Fig::new(meetings.0, link), meetings.1),
            }),
        );
        x.charts = render.charts(plans);
        Ok(x)
    }

    /// Persons in the unit's subtree's cases with `tag` that had `event` in [from, to].
    async fn tagged_persons(
        &self,
        unit: &Unit,
        tag: &str,
        event: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(crate::sqlf!(
            "SELECT CAST(COALESCE(SUM(COALESCE(c.persons, 1)), 0) AS BIGINT) FROM case_tags t JOIN cases c ON c.id = t.case_id \
             WHERE t.tag = $3 AND c.unit_id IN (SELECT u.id FROM units u WHERE {}) AND EXISTS \
             (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.event = $4 AND e.on_date >= $5 AND e.on_date <= $6)",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(unit.id)
        .bind(format!("{}%", unit.path))
        .bind(tag)
        .bind(event)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u64)
    }

    /// Supervision letters (督促函) the unit issued in [from, to] — those to the units directly
    /// below it (procuratorates by level, institutions) and to its own departments — by whom
    /// they went to.
    async fn letters_sent(
        &self,
        unit: &Unit,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, Fig)>> {
        let rows = sqlx::query(
            "SELECT CASE WHEN l.unit_id = $1 THEN 0 WHEN u.kind = 'institution' THEN 9 ELSE u.level END AS level, COUNT(DISTINCT l.subject_code) AS n \
             FROM supervision_letters l JOIN units u ON u.id = l.unit_id WHERE (u.parent_id = $1 OR (l.unit_id = $1 AND l.subject_code LIKE '%/%')) \
             AND l.issued_on >= $2 AND l.issued_on <= $3 GROUP BY CASE WHEN l.unit_id = $1 THEN 0 WHEN u.kind = 'institution' THEN 9 ELSE u.level END ORDER BY 1",
        )
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        let mut departments = None;
        for r in rows {
            let (level, n) = (crate::int(&r, "level")?, crate::int(&r, "n")? as u64);
            let f = Fig::new(n, "/records/letters");
            match level {
                0 => departments = Some(f),
                2 => out.push(("省级检察院党组".to_string(), f)),
                3 => out.push(("市级检察院党组".to_string(), f)),
                9 => out.push(("直属事业单位党组织".to_string(), f)),
                _ => out.push(("基层检察院党组".to_string(), f)),
            }
        }
        out.extend(departments.map(|f| ("机关厅级单位党组织".to_string(), f)));
        Ok(out)
    }

    /// Internal inspections the unit made whose feedback fell in [from, to]: per round (the
    /// title before its "·"), how many of what kind of unit were inspected how.
    async fn inspections_made(
        &self,
        unit: &Unit,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<InspectionRound>> {
        let rows = sqlx::query(
            "SELECT r.title, r.kind, u.level, u.kind AS unit_kind FROM rounds r JOIN units u ON u.id = r.unit_id \
             WHERE r.issued_by = $1 AND r.kind IN ('internal', 'mobile', 'lookback') AND r.feedback_date >= $2 AND r.feedback_date <= $3 ORDER BY r.id",
        )
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut rounds: Vec<InspectionRound> = Vec::new();
        for r in rows {
            let title: String = r.try_get("title")?;
            let title = title
                .split_once('·')
                .map_or(title.as_str(), |(t, _)| t)
                .to_string();
            let (kind, level, unit_kind): (String, i64, String) = (
                r.try_get("kind")?,
                crate::int(&r, "level")?,
                r.try_get("unit_kind")?,
            );
            let whom = match (unit_kind.as_str(), level) {
                ("institution", _) => "直属事业单位",
                (_, 2) => "省级检察院党组",
                (_, 3) => "市级检察院党组",
                _ => "基层检察院党组",
            };
            let how = match kind.as_str() {
                "mobile" => "机动巡视",
                "lookback" => "巡视“回头看”",
                _ => "常规巡视",
            };
            let i = match rounds.iter().position(|x| x.title == title) {
                Some(i) => i,
                None => {
                    rounds.push(InspectionRound {
                        title,
                        parts: Vec::new(),
                    });
                    rounds.len() - 1
                }
            };
            let parts = &mut rounds[i].parts;
            match parts.iter_mut().find(|(w, h, _)| w == whom && h == how) {
                Some((.., f)) => f.n += 1,
                None => parts.push((whom.into(), how.into(), Fig::new(1, "/rectification"))),
            }
        }
        Ok(rounds)
    }

    /// The registry's internal meetings (by organiser and title), collective study sessions and
    /// research visits (by organiser) of the unit in [from, to].
    async fn sessions(
        &self,
        unit: &Unit,
        period: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Sessions> {
        let rows = sqlx::query(
            "SELECT w.kind, w.organiser, CASE WHEN w.kind = 'internal' THEN w.title ELSE '' END AS title, COUNT(*) AS n FROM paperwork w \
             WHERE w.unit_id = $1 AND w.kind IN ('internal', 'study', 'visit') AND w.held_on >= $2 AND w.held_on <= $3 \
             GROUP BY w.kind, w.organiser, CASE WHEN w.kind = 'internal' THEN w.title ELSE '' END ORDER BY MIN(w.held_on)",
        )
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let link = format!("/paperwork?from={from}&to={to}");
        let mut s = Sessions {
            period: period.to_string(),
            ..Sessions::default()
        };
        let mut by_kind: BTreeMap<&str, Vec<(String, String, Fig)>> = BTreeMap::new();
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            let who: String = r.try_get("organiser")?;
            let who = if who.trim().is_empty() {
                unit.name.clone()
            } else {
                who
            };
            let f = Fig::new(crate::int(r, "n")? as u64, link.clone());
            let k = match kind.as_str() {
                "internal" => "internal",
                "study" => "study",
                _ => "visit",
            };
            by_kind
                .entry(k)
                .or_default()
                .push((who, r.try_get("title")?, f));
        }
        // the rectification meetings (会商研究), by their series: 第3次双周碰头会 → 双周碰头会
        let mut series: Vec<(String, String, Fig)> = Vec::new();
        for title in sqlx::query_scalar::<_, String>(
            "SELECT title FROM meetings WHERE unit_id = $1 AND held_on >= $2 AND held_on <= $3 ORDER BY held_on, id",
        )
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?
        {
            let name = d::meeting_series(&title);
            match series.iter_mut().find(|(_, t, _)| *t == name) {
                Some((.., f)) => f.n += 1,
                None => series.push((String::new(), name, Fig::new(1, "/rectification/meetings"))),
            }
        }
        series.extend(by_kind.remove("internal").unwrap_or_default());
        s.meetings = series;
        s.studies = by_kind
            .remove("study")
            .unwrap_or_default()
            .into_iter()
            .map(|(w, _, f)| (w, f))
            .collect();
        s.visits = by_kind
            .remove("visit")
            .unwrap_or_default()
            .into_iter()
            .map(|(w, _, f)| (w, f))
            .collect();
        Ok(s)
    }

    /// Typical-case batches (and their cases) and special reports (by recipient) the unit
    /// published, dated in [from, to].
    async fn published_of(
        &self,
        unit: &Unit,
        period: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Published> {
        let rows = sqlx::query(
            "SELECT kind, selection, draft FROM documents WHERE unit_id = $1 AND status = 'published' AND kind IN ('cases', 'special') \
             AND as_of >= $2 AND as_of <= $3 ORDER BY id",
        )
        .bind(unit.id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut p = Published {
            period: period.to_string(),
            ..Published::default()
        };
        let link = |k: &str| format!("/documents?kind={k}&state=published");
        p.batches.link = link("cases");
        p.cases.link = link("cases");
        for r in rows {
            let kind: String = r.try_get("kind")?;
            if kind == "cases" {
                let sel: Selection =
                    serde_json::from_str(&r.try_get::<String, _>("selection")?).unwrap_or_default();
                p.batches.n += 1;
                p.cases.n += sel.cases.len() as u64;
            } else {
                let draft: Draft =
                    serde_json::from_str(&r.try_get::<String, _>("draft")?).unwrap_or_default();
                let to = draft.recipient.trim().to_string();
                match p.specials.iter_mut().find(|(w, _)| *w == to) {
                    Some((_, f)) => f.n += 1,
                    None => p.specials.push((to, Fig::new(1, link("special")))),
                }
            }
        }
        Ok(p)
    }
}
