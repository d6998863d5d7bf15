//! The seed's publications as records (issue 20): the discipline group's 7 special reports
//! (专报) to the CCDI, the 10 batches of typical 涉疫 cases with their 55 cases, and the
//! supervision letters (督促函) the SPP sent to the units and departments the records flag finds
//! under-reporting. Each through the application's own path — drafted, signed off, published
//! with its PDF; drafted and issued — so that the bulletin counts what the pages list. Loaded by
//! `duban demo` and `serve --demo` (they have the typesetter); skipped when present.
use crate::documents::Selection;
use crate::{Actor, Result, Scope, Store};
use chrono::NaiveDate;
use duban_domain::documents::{Draft, Kind, Render, TypicalCase};
use duban_domain::records::Month;

/// Special reports' dates (the group reported monthly from March).
const SPECIAL_DATES: [&str; 7] = [
    "2020-03-31",
    "2020-04-30",
    "2020-05-29",
    "2020-06-30",
    "2020-07-31",
    "2020-08-31",
    "2020-09-30",
];

/// Typical-case batches: weekly from February 11, and their sizes (55 cases in all).
const BATCHES: [(&str, &str, usize); 10] = [
    ("2020-02-11", "依法惩治妨害新冠肺炎疫情防控违法犯罪", 5),
    ("2020-02-18", "依法惩治涉疫情诈骗犯罪", 6),
    ("2020-02-25", "依法惩治制售伪劣防护物资犯罪", 5),
    ("2020-03-03", "依法惩治哄抬物价、非法经营犯罪", 6),
    ("2020-03-10", "依法惩治暴力伤医和妨害公务犯罪", 5),
    ("2020-03-17", "依法惩治非法猎捕、交易野生动物犯罪", 6),
    ("2020-03-24", "依法惩治编造、故意传播虚假疫情信息犯罪", 5),
    ("2020-03-31", "涉疫情防控公益诉讼", 6),
    ("2020-04-07", "服务保障企业复工复产", 5),
    ("2020-04-14", "依法惩治涉境外输入疫情犯罪", 6),
];

const CRIMES: [&str; 6] = [
    "妨害传染病防治案",
    "诈骗案（虚假销售口罩）",
    "销售伪劣产品案",
    "非法经营案",
    "妨害公务案",
    "非法收购、出售珍贵、濒危野生动物案",
];

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

impl Store {
    /// The demo's publications and supervision letters; returns how many documents were
    /// published.
    pub async fn load_demo_publications(&self, render: &dyn Render) -> Result<u64> {
        let Some(spp) = self.unit_by_code(super::SPP_CODE).await? else {
            return Ok(0);
        };
        let done: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM documents WHERE unit_id = $1 AND kind IN ('special', 'cases')",
        )
        .bind(spp.id)
        .fetch_one(&self.pool)
        .await?;
        if done > 0 {
            return Ok(0);
        }
        let scope = Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let actor = Actor::system("demo");
        let Some(plan) = self
            .plan(&scope, super::rectification::DISCIPLINE_PLAN)
            .await?
        else {
            return Ok(0);
        };
        let mut published = 0;
        for (i, date) in SPECIAL_DATES.iter().enumerate() {
            let as_of = day(date);
            let id = self
                .create_document(&actor, &scope, &spp, Kind::Special, &[plan.id], as_of)
                .await?;
            let draft = Draft {
                title: format!(
                    "关于最高检党组落实巡视整改主体责任情况的专报（{}月）",
                    3 + i
                ),
                issuer: "中央纪委国家监委驻最高人民检察院纪检监察组".into(),
                doc_no: String::new(),
                recipient: "中央纪委国家监委".into(),
                signature: "中央纪委国家监委驻最高人民检察院纪检监察组".into(),
                body: duban_domain::documents::default_body(Kind::Special),
                contact: String::new(),
            };
            self.save_document(&actor, &scope, id, &draft, &Selection::default(), as_of)
                .await?;
            self.sign_document(&actor, id, "同意报送").await?;
            self.publish_document(&actor, &scope, id, render).await?;
            published += 1;
        }
        // the demo's 涉疫 cases, for the batches' references
        let cases: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.case_no, u.name FROM case_tags t JOIN cases c ON c.id = t.case_id JOIN units u ON u.id = c.unit_id \
             WHERE t.tag = '涉疫' ORDER BY c.case_no LIMIT 55",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut k = 0;
        for (n, (date, theme, size)) in BATCHES.iter().enumerate() {
            let as_of = day(date);
            let id = self
                .create_document(&actor, &scope, &spp, Kind::Cases, &[], as_of)
                .await?;
            let mut chosen = Vec::new();
            for _ in 0..*size {
                let (case_no, unit) = cases
                    .get(k % cases.len().max(1))
                    .cloned()
                    .unwrap_or_else(|| (format!("DEMO-{k}"), spp.name.clone()));
                let crime = CRIMES[k % CRIMES.len()];
                chosen.push(TypicalCase {
                    case_ref: case_no,
                    title: format!("{unit}办理{crime}"),
                    summary: format!(
                        "【基本案情】疫情防控期间，被告人实施{crime}所涉行为，危害疫情防控秩序。\n\
                         【检察履职】检察机关依法快捕快诉，提前介入引导取证，适用认罪认罚从宽制度。\n\
                         【典型意义】依法从严惩治妨害疫情防控犯罪，为疫情防控提供有力司法保障。"
                    ),
                });
                k += 1;
            }
            let draft = Draft {
                title: format!("全国检察机关{theme}典型案例（第{}批）", n + 1),
                issuer: "最高人民检察院".into(),
                doc_no: String::new(),
                recipient: String::new(),
                signature: "最高人民检察院".into(),
                body: format!(
                    "为依法惩治妨害疫情防控违法犯罪，最高人民检察院发布{theme}典型案例。"
                ),
                contact: String::new(),
            };
            let sel = Selection {
                cases: chosen,
                ..Selection::default()
            };
            self.save_document(&actor, &scope, id, &draft, &sel, as_of)
                .await?;
            self.sign_document(&actor, id, "同意发布").await?;
            self.publish_document(&actor, &scope, id, render).await?;
            published += 1;
        }
        self.issue_demo_supervision_letters(&scope).await?;
        Ok(published)
    }

    /// 督促函 from the unit of `scope` to the provincial procuratorates and its own departments
    /// that the records flag finds under-reporting over January–September 2020, drafted from the
    /// flag and issued.
    async fn issue_demo_supervision_letters(&self, scope: &Scope) -> Result<u64> {
        let (from, to) = (
            Month::parse("2020-01").map_err(crate::StoreError::Invalid)?,
            Month::parse("2020-09").map_err(crate::StoreError::Invalid)?,
        );
        let rules = self.supervision_rules().await?.records_flags;
        let actor = Actor::system("demo");
        let mut n = 0;
        for f in self.flag_records(from, to, None, &rules).await? {
            if f.group != "第2级" && f.group != "最高检内设部门" {
                continue;
            }
            let id = self
                .draft_supervision_letter(&actor, scope, &f, from, to)
                .await?;
            self.supervision_letter_step(&actor, scope, id, "issue", "")
                .await?;
            n += 1;
        }
        Ok(n)
    }
}
