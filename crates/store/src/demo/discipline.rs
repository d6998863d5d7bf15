//! The discipline desk of the demo (issue 19): the SPP resident group's clues — the 2017–2019
//! clues and their look-back (大起底“回头看”), the clues transferred by the central inspection in
//! 2020 and handled, the year's other clues — its monthly reviews and a register of staff dealt
//! with. Generated from fixed lists; counted by the desk's reports, never typed in as figures.
use crate::{Actor, Result, Scope, Store};
use chrono::{Datelike, Duration, NaiveDate};
use duban_domain::discipline::Verdict;
use duban_domain::org::Role;

const SOURCES: [&str; 5] = ["来信来访", "上级交办", "审计移送", "案件监督发现", "其他"];
const DISPOSALS: [&str; 4] = ["谈话函询", "初步核实", "暂存待查", "予以了结"];
const OUTCOMES: [&str; 6] = [
    "了结澄清",
    "批评教育",
    "诫勉",
    "组织处理",
    "党纪处分",
    "政务处分",
];
const MATTERS: [&str; 6] = [
    "反映违规过问案件",
    "反映违规收受礼品礼金",
    "反映办案中吃拿卡要",
    "反映违规经商办企业",
    "反映工作作风粗暴",
    "反映违规使用公车",
];

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

pub(crate) async fn load_demo_desk(store: &Store) -> Result<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clues")
        .fetch_one(&store.pool)
        .await?;
    let Some(spp) = store.unit_by_code(super::SPP_CODE).await? else {
        return Ok(());
    };
    if n > 0 {
        return Ok(());
    }
    let scope = Scope {
        unit_id: spp.id,
        unit_path: spp.path.clone(),
        subtree: true,
    };
    let group = Actor {
        user_id: None,
        name: "discipline".into(),
        role: Some(Role::Discipline),
        scope: Some(scope.clone()),
    };
    let mut rows = vec![
        "clue_no,received_on,unit_code,source,subject_staff_no,subject_name,summary,disposal,disposal_on,outcome,concluded_on"
            .split(',')
            .map(String::from)
            .collect::<Vec<_>>(),
    ];
    let mut push = |no: String,
                    received: NaiveDate,
                    source: &str,
                    i: usize,
                    disposal: Option<(usize, i64)>,
                    outcome: Option<(usize, i64)>| {
        let disposed = disposal.map(|(_, after)| received + Duration::days(after));
        rows.push(vec![
            no,
            received.to_string(),
            super::SPP_CODE.into(),
            source.into(),
            String::new(),
            format!(
                "{}某{}",
                ["张", "王", "李", "赵", "刘", "陈", "杨", "黄"][i % 8],
                ["", "甲", "乙"][i % 3]
            ),
            MATTERS[i % MATTERS.len()].into(),
            disposal
                .map(|(d, _)| DISPOSALS[d].to_string())
                .unwrap_or_default(),
            disposed.map(|d| d.to_string()).unwrap_or_default(),
            outcome
                .map(|(o, _)| OUTCOMES[o].to_string())
                .unwrap_or_default(),
            match (disposed, outcome) {
                (Some(d), Some((_, after))) => (d + Duration::days(after)).to_string(),
                _ => String::new(),
            },
        ]);
    };
    // 2017–2019: 36 clues, all disposed of and concluded (the look-back's material)
    for i in 0..36usize {
        let received = day("2017-02-06") + Duration::days((i as i64) * 29);
        push(
            format!("JJ{}-{:03}", received.year(), i + 1),
            received,
            SOURCES[i % SOURCES.len()],
            i,
            Some((i % 4, 10 + (i as i64 % 12))),
            Some((i % 6, 20 + (i as i64 % 40))),
        );
    }
    // 2020: the clues transferred by the central inspection, all handled; most concluded
    for i in 0..12usize {
        let received = day("2020-01-08") + Duration::days((i as i64) * 6);
        let outcome = (i < 10).then_some(((i + 2) % 6, 60 + i as i64 * 3));
        push(
            format!("XS2020-{:03}", i + 1),
            received,
            "巡视移交",
            i + 3,
            Some((i % 2, 5 + i as i64 % 5)),
            outcome,
        );
    }
    // 2020: the year's other clues, some still open (one past its limit)
    for i in 0..14usize {
        let received = day("2020-02-17") + Duration::days((i as i64) * 18);
        let disposal = (i < 12).then_some((i % 3, 7 + i as i64 % 9));
        let outcome = (i < 8).then_some((i % 6, 25 + i as i64 * 2));
        push(
            format!("JJ2020-{:03}", i + 1),
            received,
            SOURCES[i % SOURCES.len()],
            i + 5,
            disposal,
            outcome,
        );
    }
    store.import_clues(&group, &rows).await?;
    // the 2017–2019 look-back, assessed case by case
    let lb = store
        .create_lookback(
            &group,
            &scope,
            "2017年至2019年处置的问题线索大起底“回头看”",
            day("2017-01-01"),
            day("2019-12-31"),
        )
        .await?;
    let (_, items) = store.lookback(&group, &scope, lb).await?;
    for (i, item) in items.iter().enumerate() {
        let (verdict, note) = match i {
            7 | 19 => (Verdict::Corrected, "原处置偏轻，已重新初步核实并作出处理"),
            28 => (
                Verdict::Correcting,
                "原予以了结不当，已重新初步核实，正在办理",
            ),
            _ => (Verdict::Proper, ""),
        };
        store
            .assess_clue(&group, &scope, lb, item.clue.id, verdict, note)
            .await?;
    }
    // the monthly reviews of 2020
    for m in 1..=10u32 {
        let held = NaiveDate::from_ymd_opt(2020, m, 25).unwrap_or_default();
        store
            .create_review(
                &group,
                &scope,
                &format!("2020-{m:02}"),
                held,
                "研究分析具有可查性的重点问题线索，逐件提出处置意见。",
            )
            .await?;
    }
    // the register: staff dealt with in 2020
    let mut reg = vec![
        "staff_no,name,unit_code,post,kind,filed_on,outcome"
            .split(',')
            .map(String::from)
            .collect::<Vec<_>>(),
    ];
    let kinds = [
        "违反廉洁纪律",
        "违反工作纪律",
        "违反组织纪律",
        "违反群众纪律",
        "职务违法",
        "违反生活纪律",
    ];
    let units = ["100000", "330000", "440000", "330100", "330106", "440106"];
    for i in 0..18usize {
        reg.push(vec![
            String::new(),
            format!("{}某{}", ["周", "吴", "郑", "孙", "钱", "冯"][i % 6], i + 1),
            units[i % units.len()].into(),
            ["检察官", "检察官助理", "书记员", "部门负责人"][i % 4].into(),
            kinds[i % kinds.len()].into(),
            (day("2020-01-13") + Duration::days(i as i64 * 14)).to_string(),
            [
                "党纪处分",
                "政务处分",
                "组织处理",
                "党纪处分",
                "移送司法机关",
                "",
            ][i % 6]
                .into(),
        ]);
    }
    store.import_violations(&group, &reg).await?;
    Ok(())
}

/// What the nationwide desk generator made.
#[derive(Debug, Default, serde::Serialize)]
pub struct NationDesk {
    pub clues: u64,
    pub violations: u64,
}

/// Clues generated for a unit, over five years (2016–2020): 100,000 for ≈ 3,600 units.
const CLUES_PER_UNIT: i64 = 28;

impl Store {
    /// The desk at national scale, for benchmarks and the whole bulletin: ≈ 100,000 clues over
    /// five years in every unit (disposed of and concluded as time passed, the recent ones
    /// open), and a register whose January–September 2020 entries are 781 persons, the seed's
    /// figure, counted by the report. Set-based; skipped when generated clues exist.
    pub async fn load_nation_desk(&self) -> Result<NationDesk> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clues WHERE clue_no LIKE 'N%'")
            .fetch_one(&self.pool)
            .await?;
        if n > 0 {
            return Ok(NationDesk::default());
        }
        let now = self.now_rfc3339();
        let mut w = self.write(&Actor::system("demo")).await?;
        let units: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM units WHERE kind = 'procuratorate' ORDER BY id")
                .fetch_all(&mut *w.tx)
                .await?;
        let start = day("2016-01-04");
        let limits = duban_domain::discipline::ClueLimits::default();
        let sources = [
            "letters",
            "inspection",
            "superior",
            "audit",
            "case_supervision",
            "other",
        ];
        let ways = ["talk", "verify", "hold", "close"];
        let outcomes = [
            "cleared",
            "criticism",
            "admonition",
            "organisational",
            "party",
            "government",
            "judicial",
        ];
        let mut rows = Vec::new();
        let mut clues = 0u64;
        for (ui, unit) in units.iter().enumerate() {
            for k in 0..CLUES_PER_UNIT {
                let seq = ui as i64 * CLUES_PER_UNIT + k;
                // spread over 1,760 days (2016-01-04 … 2020-10-29)
                let received = start + Duration::days((k * 63 + (ui as i64 * 17) % 63) % 1760);
                let age = (day("2020-11-05") - received).num_days();
                let way = ways[(seq % 4) as usize];
                let disposed = (age > 20).then(|| received + Duration::days(5 + seq % 15));
                let concluded = disposed
                    .filter(|_| age > 150 || seq % 3 == 0)
                    .map(|d| d + Duration::days(20 + seq % 60));
                let concluded = concluded.filter(|c| *c <= day("2020-11-05"));
                let due = duban_domain::discipline::ClueFacts {
                    received,
                    disposal: disposed.map(|d| {
                        (
                            duban_domain::discipline::Disposal::parse(way)
                                .unwrap_or(duban_domain::discipline::Disposal::Talk),
                            d,
                        )
                    }),
                    concluded: None,
                }
                .due(&limits);
                rows.push(serde_json::json!([
                    unit,
                    format!("N{seq:06}"),
                    received.to_string(),
                    sources[(seq % 6) as usize],
                    format!("某{}", seq % 997),
                    MATTERS[(seq % 6) as usize],
                    disposed.map(|_| way),
                    disposed.map(|d| d.to_string()),
                    concluded.map(|_| outcomes[(seq % 7) as usize]),
                    concluded.map(|d| d.to_string()),
                    due.to_string(),
                ]));
                clues += 1;
            }
        }
        for chunk in rows.chunks(20_000) {
            sqlx::query(crate::sqlf!(
                "INSERT INTO clues (unit_id, clue_no, received_on, source, subject_name, summary, disposal, disposal_on, outcome, concluded_on, due_on, author, created_at) \
                 SELECT CAST(j.value ->> 0 AS BIGINT), j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, \
                 j.value ->> 8, j.value ->> 9, j.value ->> 10, 'demo', $2 FROM {}",
                self.json_rows(1)
            ))
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        }
        for (kind, code, on, cond) in [
            ("received", "source", "received_on", "true"),
            ("dispose", "disposal", "disposal_on", "disposal IS NOT NULL"),
            ("conclude", "outcome", "concluded_on", "outcome IS NOT NULL"),
        ] {
            sqlx::query(crate::sqlf!(
                "INSERT INTO clue_events (clue_id, kind, code, on_date, author, created_at) \
                 SELECT id, '{kind}', {code}, {on}, 'demo', $1 FROM clues WHERE clue_no LIKE 'N%' AND {cond}"
            ))
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        }
        // the register: 781 persons filed against in January–September 2020 (with the demo's own
        // entries of those months), others before
        let present: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM violations WHERE filed_on >= '2020-01-01' AND filed_on <= '2020-09-30'",
        )
        .fetch_one(&mut *w.tx)
        .await?;
        let planted = (781 - present).max(0);
        let kinds = [
            "integrity",
            "work",
            "organisational",
            "mass",
            "duty",
            "life",
            "political",
            "crime",
        ];
        let mut reg = Vec::new();
        for i in 0..1_500i64 {
            let unit = units[(i as usize * 37) % units.len()];
            let filed = if i < planted {
                day("2020-01-02") + Duration::days(i * 272 / planted.max(1))
            } else {
                day("2018-01-02") + Duration::days((i - planted) * 700 / (1_500 - planted))
            };
            reg.push(serde_json::json!([
                unit,
                format!("某{}", i),
                kinds[(i % 8) as usize],
                filed.to_string(),
                outcomes[1 + (i % 6) as usize]
            ]));
        }
        sqlx::query(crate::sqlf!(
            "INSERT INTO violations (unit_id, name, post, kind, filed_on, outcome, author, created_at) \
             SELECT CAST(j.value ->> 0 AS BIGINT), j.value ->> 1, '检察人员', j.value ->> 2, j.value ->> 3, j.value ->> 4, 'demo', $2 FROM {}",
            self.json_rows(1)
        ))
        .bind(serde_json::to_string(&reg).unwrap_or_default())
        .bind(&now)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        self.analyze(&["clues", "clue_events", "violations"])
            .await?;
        Ok(NationDesk {
            clues,
            violations: reg.len() as u64,
        })
    }
}
