//! The seed's internal inspections and the discipline group's recommendation as demo data (issue
//! 19): the SPP's directly affiliated institutions and two stationed offices join the
//! organisation; the fifth round of internal inspections (第五轮系统内巡视) inspects 2 provincial
//! procuratorates (regular), 4 institutions (mobile) and looks back at 2 institutions, each a
//! round of the rectification engine with its plan, tasks and ledger; and the group's 2019 No. 1
//! recommendation (纪检监察建议书) is followed up by the institution it went to, its tasks closed on
//! the group's review.
use super::rectification::{STANDARD, d, staff_id};
use crate::rectification::{
    Author, EntryKind, NewEntry, NewTask, Upload, add_history_in, insert_plan, insert_problem,
    insert_task,
};
use crate::{Actor, Result, Scope, Store};
use duban_domain::org::Role;
use duban_domain::rectification::{Category, SourceKind};

/// The SPP's directly affiliated institutions (直属事业单位) in the demo.
const INSTITUTIONS: [(&str, &str); 6] = [
    ("100A01", "检察日报社"),
    ("100A02", "中国检察出版社"),
    ("100A03", "国家检察官学院"),
    ("100A04", "最高人民检察院检察技术信息研究中心"),
    ("100A05", "最高人民检察院检察理论研究所"),
    ("100A06", "最高人民检察院机关服务中心"),
];

/// Stationed offices (派驻检察室) of two basic procuratorates, after the seed's offices stationed
/// at public security organs.
const STATIONED: [(&str, &str, &str); 2] = [
    (
        "330106-P01",
        "杭州市西湖区人民检察院驻西湖公安分局检察室",
        "330106",
    ),
    (
        "440106-P01",
        "广州市天河区人民检察院驻天河公安分局检察室",
        "440106",
    ),
];

/// (kind, unit code, inspector, from, to, feedback, problems: (feedback, task, closes))
type Inspection = (
    SourceKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, bool)],
);

const ROUND_TITLE: &str = "最高检党组第五轮系统内巡视";

const INSPECTIONS: [Inspection; 8] = [
    (
        SourceKind::Internal,
        "330000",
        "最高检党组第一巡视组",
        "2020-06-01",
        "2020-07-10",
        "2020-08-20",
        &[
            (
                "落实全面从严治党主体责任有差距",
                "压实党组主体责任，制定责任清单并逐级签订责任书",
                true,
            ),
            (
                "检察业务管理不够精细，案-件比偏高",
                "建立案-件比月度通报制度，压降不必要的退回补充侦查和延长审查起诉期限",
                false,
            ),
            (
                "干部队伍建设存在短板，年轻干部培养不足",
                "制定年轻干部培养计划，开展轮岗交流",
                false,
            ),
        ],
    ),
    (
        SourceKind::Internal,
        "440000",
        "最高检党组第二巡视组",
        "2020-06-01",
        "2020-07-10",
        "2020-08-21",
        &[
            (
                "贯彻落实上级决策部署不够有力",
                "建立重大决策部署落实督办台账，按月跟踪",
                true,
            ),
            (
                "基层检察院办案质效不均衡",
                "开展基层院建设专项督导，对办案质效靠后的基层院挂牌督办",
                false,
            ),
            (
                "执行中央八项规定精神不够严格",
                "开展公务接待、公车使用专项检查",
                false,
            ),
        ],
    ),
    (
        SourceKind::Mobile,
        "100A01",
        "最高检党组第三巡视组",
        "2020-06-08",
        "2020-06-30",
        "2020-07-31",
        &[
            (
                "意识形态工作责任制落实不到位",
                "健全稿件三审制度，落实意识形态工作责任制",
                true,
            ),
            (
                "经营管理制度不健全",
                "修订广告、发行经营管理办法，建立合同审查制度",
                false,
            ),
        ],
    ),
    (
        SourceKind::Mobile,
        "100A02",
        "最高检党组第三巡视组",
        "2020-06-08",
        "2020-06-30",
        "2020-07-31",
        &[
            (
                "党组织建设薄弱，组织生活不规范",
                "规范“三会一课”，建立组织生活记录台账",
                true,
            ),
            ("选题和出版管理不严", "完善选题论证和出版审核制度", false),
        ],
    ),
    (
        SourceKind::Mobile,
        "100A03",
        "最高检党组第四巡视组",
        "2020-06-08",
        "2020-06-30",
        "2020-08-03",
        &[
            (
                "教育培训与检察实战结合不够紧密",
                "修订培训方案，增加案例教学和实训课程比重",
                false,
            ),
            ("财务管理不规范", "开展财务专项清理，完善报销审批流程", true),
        ],
    ),
    (
        SourceKind::Mobile,
        "100A04",
        "最高检党组第四巡视组",
        "2020-06-08",
        "2020-06-30",
        "2020-08-03",
        &[
            (
                "政府采购和项目管理存在风险",
                "建立信息化项目全过程监管机制，开展采购合规审查",
                false,
            ),
            (
                "网络安全责任落实不到位",
                "开展网络安全等级保护测评并整改",
                true,
            ),
        ],
    ),
    (
        SourceKind::LookBack,
        "100A05",
        "最高检党组第五巡视组",
        "2020-06-15",
        "2020-06-30",
        "2020-07-31",
        &[(
            "上轮巡视反馈问题整改不彻底，科研管理制度未完全落地",
            "对照上轮巡视整改台账逐项复核，完善科研项目管理办法",
            false,
        )],
    ),
    (
        SourceKind::LookBack,
        "100A06",
        "最高检党组第五巡视组",
        "2020-06-15",
        "2020-06-30",
        "2020-07-31",
        &[(
            "上轮巡视指出的资产管理问题仍有反弹",
            "开展国有资产清查，建立资产台账和定期盘点制度",
            true,
        )],
    ),
];

/// The recommendation's follow-up tasks: (measure, category, deadline, closed on review).
const RECOMMENDATION_TASKS: [(&str, Category, Option<&str>, bool); 3] = [
    (
        "召开专题民主生活会，深刻剖析管党治党责任落实不到位问题",
        Category::TimeLimited,
        Some("2020-03-31"),
        true,
    ),
    (
        "制定党委（党组）管党治党主体责任清单和领导班子成员“一岗双责”清单",
        Category::TimeLimited,
        Some("2020-06-30"),
        true,
    ),
    (
        "建立廉政风险点排查防控长效机制，每半年向驻院纪检监察组报告一次",
        Category::LongTerm,
        None,
        false,
    ),
];

fn entry(
    task_id: i64,
    date: chrono::NaiveDate,
    kind: EntryKind,
    body: String,
    files: Vec<Upload>,
) -> NewEntry {
    NewEntry {
        task_id,
        date,
        kind,
        body,
        corrects_id: None,
        files,
        late_reason: String::new(),
    }
}

fn table(rows: &[[&str; 5]]) -> Vec<Vec<String>> {
    std::iter::once(["code", "name", "level", "parent_code", "kind"])
        .chain(rows.iter().copied())
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

pub(crate) async fn load_demo_inspections(store: &Store) -> Result<()> {
    let done: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE kind IN ('mobile', 'discipline')")
            .fetch_one(&store.pool)
            .await?;
    let Some(spp) = store.unit_by_code(super::SPP_CODE).await? else {
        return Ok(());
    };
    if done > 0 {
        return Ok(());
    }
    let operator = Actor::system("demo");
    // the organisation's other units, through the units import
    let mut rows: Vec<[&str; 5]> = INSTITUTIONS
        .iter()
        .map(|(c, n)| [*c, *n, "1", super::SPP_CODE, "institution"])
        .collect();
    rows.extend(
        STATIONED
            .iter()
            .map(|(c, n, p)| [*c, *n, "4", *p, "stationed"]),
    );
    store.import_units(&operator, &table(&rows)).await?;
    // the group issues its 2019 No. 1 recommendation
    let group = Actor {
        user_id: None,
        name: "discipline".into(),
        role: Some(Role::Discipline),
        scope: Some(Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        }),
    };
    let press = store
        .unit_by_code("100A02")
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    let (recommendation, _) = store
        .issue_recommendation(
            &group,
            spp.id,
            &press.code,
            "关于督促落实管党治党主体责任的纪检监察建议书",
            Some(d("2019-11-20")),
        )
        .await?;
    // the fifth round of internal inspections: a round per inspected unit
    let mut rounds = Vec::new();
    for (kind, code, inspector, from, to, feedback, _) in INSPECTIONS {
        let unit = store
            .unit_by_code(code)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        let id = store
            .create_round(
                &operator,
                unit.id,
                kind,
                &format!("{ROUND_TITLE}·{}", unit.name),
                inspector,
                d(from),
                d(to),
                d(feedback),
            )
            .await?;
        sqlx::query("UPDATE rounds SET issued_by = $1 WHERE id = $2")
            .bind(spp.id)
            .bind(id)
            .execute(&store.pool)
            .await?;
        rounds.push((id, unit.id, unit.name));
    }
    let mut w = store.write(&operator).await?;
    let office = Author {
        user_id: None,
        login: "office".into(),
        role: Role::Office,
        staff_id: Some(staff_id(&mut w.tx, "SPP0102").await?),
        departments: vec![],
    };
    let discipline = Author {
        user_id: None,
        login: "discipline".into(),
        role: Role::Discipline,
        staff_id: Some(staff_id(&mut w.tx, "SPP0501").await?),
        departments: vec![],
    };
    let keeper = Author {
        user_id: None,
        login: "office".into(),
        role: Role::Office,
        staff_id: None,
        departments: vec![],
    };
    for ((round, unit, name), (_, _, _, _, _, feedback, problems)) in
        rounds.iter().zip(INSPECTIONS.iter())
    {
        let adopted = d(feedback) + chrono::Duration::days(30);
        let plan = insert_plan(
            &mut w,
            *round,
            *unit,
            &format!("{name}落实{ROUND_TITLE}反馈意见整改方案"),
            "对照巡视反馈问题逐项制定整改措施，明确责任领导、责任部门和完成时限。",
            &adopted.to_string(),
        )
        .await?;
        for (i, (problem, measure, closes)) in problems.iter().enumerate() {
            let problem_id = insert_problem(&mut w, plan, i as i64 + 1, problem, "").await?;
            let task = insert_task(
                &mut w,
                &NewTask {
                    plan_id: plan,
                    problem_id: Some(problem_id),
                    title: measure,
                    measure,
                    category: Category::TimeLimited,
                    deadline: Some(d("2020-12-31")),
                    standard: STANDARD,
                    lead_leader_id: None,
                    responsible_id: None,
                    departments: vec![],
                    created_on: adopted,
                },
            )
            .await?;
            let mut steps = vec![
                (
                    "2020-09-15",
                    EntryKind::Progress,
                    format!("{measure}：已制定工作方案，明确分工"),
                    vec![],
                ),
                (
                    "2020-10-15",
                    EntryKind::Progress,
                    format!("{measure}：按计划推进，完成阶段任务"),
                    vec![],
                ),
            ];
            if *closes {
                steps.push((
                    "2020-10-20",
                    EntryKind::ClosureRequest,
                    format!("已完成“{measure}”，附整改报告"),
                    vec![Upload {
                        filename: format!("整改报告-{round}-{}.txt", i + 1),
                        bytes: format!("《{measure}》整改报告（演示佐证材料）").into_bytes(),
                    }],
                ));
            }
            for (date, kind, body, files) in steps {
                let e = entry(task, d(date), kind, body, files);
                add_history_in(&mut w, &keeper, &e, "").await?;
            }
            if *closes {
                let e = entry(
                    task,
                    d("2020-10-28"),
                    EntryKind::Approve,
                    "经审核，整改措施落实到位，佐证材料充分，同意销号".into(),
                    vec![],
                );
                add_history_in(&mut w, &office, &e, "").await?;
            }
        }
    }
    // the institution answers the recommendation on the engine; the group reviews each closure
    let plan = insert_plan(
        &mut w,
        recommendation,
        press.id,
        "落实驻院纪检监察组2019年第1号纪检监察建议书整改方案",
        "针对管党治党责任落实不到位等问题，逐项制定整改措施，按期向驻院纪检监察组书面报告。",
        "2019-12-10",
    )
    .await?;
    for (i, (measure, category, deadline, closes)) in RECOMMENDATION_TASKS.iter().enumerate() {
        let task = insert_task(
            &mut w,
            &NewTask {
                plan_id: plan,
                problem_id: None,
                title: measure,
                measure,
                category: *category,
                deadline: deadline.map(d),
                standard: STANDARD,
                lead_leader_id: None,
                responsible_id: None,
                departments: vec![],
                created_on: d("2019-12-10"),
            },
        )
        .await?;
        let mut steps = vec![(
            "2020-01-15".to_string(),
            EntryKind::Progress,
            format!("{measure}：已部署，明确责任人"),
            vec![],
        )];
        if *category == Category::LongTerm {
            for on in ["2020-06-30", "2020-10-30"] {
                steps.push((
                    on.into(),
                    EntryKind::Staged,
                    format!("{measure}：半年度排查已完成，已向驻院纪检监察组报告"),
                    vec![],
                ));
            }
        }
        if *closes {
            let on = deadline.map(d).unwrap_or_default() - chrono::Duration::days(10);
            steps.push((
                on.to_string(),
                EntryKind::ClosureRequest,
                format!("已完成“{measure}”，附相关材料"),
                vec![Upload {
                    filename: format!("建议书整改材料-{}.txt", i + 1),
                    bytes: format!("《{measure}》整改材料（演示佐证材料）").into_bytes(),
                }],
            ));
        }
        for (date, kind, body, files) in steps {
            let e = entry(task, d(&date), kind, body, files);
            add_history_in(&mut w, &keeper, &e, "").await?;
        }
        if *closes {
            let e = entry(
                task,
                deadline.map(d).unwrap_or_default(),
                EntryKind::Approve,
                "驻院纪检监察组监督检查：整改到位，同意销号".into(),
                vec![],
            );
            add_history_in(&mut w, &discipline, &e, "").await?;
        }
    }
    w.commit().await?;
    Ok(())
}

/// The seed's stationed offices (派驻检察机构 4,099) at national scale.
pub const NATION_OFFICES: usize = 4099;

impl Store {
    /// The national organisation's stationed offices: 4,099 spread over the basic procuratorates,
    /// through the units import (after every other national phase, whose figures they leave
    /// alone). Idempotent; returns how many were made.
    pub async fn load_nation_offices(&self) -> Result<u64> {
        let have: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM units WHERE kind = 'stationed' AND code LIKE '%-Z%'",
        )
        .fetch_one(&self.pool)
        .await?;
        if have > 0 {
            return Ok(0);
        }
        let basics: Vec<(String, String)> = sqlx::query_as(
            "SELECT code, name FROM units WHERE level = 4 AND kind = 'procuratorate' ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        if basics.is_empty() {
            return Ok(0);
        }
        let mut table = vec![
            ["code", "name", "level", "parent_code", "kind"]
                .map(String::from)
                .to_vec(),
        ];
        for i in 0..NATION_OFFICES {
            let (code, name) = &basics[i % basics.len()];
            let k = i / basics.len() + 1;
            table.push(vec![
                format!("{code}-Z{k:02}"),
                format!("{name}驻第{k}公安派出所检察室"),
                "4".into(),
                code.clone(),
                "stationed".into(),
            ]);
        }
        let r = self.import_units(&Actor::system("demo"), &table).await?;
        Ok(r.created as u64)
    }
}
