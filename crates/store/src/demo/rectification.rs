//! The seed's rectification as demo data: the round, the party group's plan (87 tasks: 30
//! time-limited, 15 of them closed after review and 15 open on schedule; 57 long-term with staged
//! results) and the discipline group's 49 measures (17 immediate, 15 time-limited, 17 long-term),
//! with ledgers dated from January 2020, as they stood on 2020-11-05.
use crate::demo::{DISCIPLINE_GROUP, SPP_DEPARTMENTS, Tx, department_ids, insert_staff};
use crate::rectification::{
    Author, EntryKind, NewEntry, NewTask, Upload, add_history_in, insert_plan, insert_problem,
    insert_round, insert_task,
};
use crate::{Result, Write};
use chrono::NaiveDate;
use duban_domain::org::Role;
use duban_domain::rectification::Category;
use serde_json::{Value, json};

pub const ROUND_TITLE: &str = "十九届中央第四轮巡视";
pub const PARTY_PLAN: &str = "最高检党组巡视整改方案";
pub const DISCIPLINE_PLAN: &str = "驻院纪检监察组巡视整改措施";

/// The five biweekly consultations (双周碰头会) of 2020 and their minutes.
pub const MEETINGS: [(&str, &str); 5] = [
    (
        "2020-05-08",
        "院整改办与驻院纪检监察组会商整改方案执行情况，逐项核对三个清单，明确各厅局每月20日前更新工作台账。",
    ),
    (
        "2020-06-05",
        "通报长期整改任务首轮阶段性成效报送情况，要求各牵头领导督促分管部门按期报送。",
    ),
    (
        "2020-07-03",
        "会商限期整改任务推进情况，对临近完成时限的任务逐项研究，点对点督促。",
    ),
    (
        "2020-07-31",
        "研究销号审核标准，重申不搞形式销号，佐证材料须能证明整改实效和制度执行。",
    ),
    (
        "2020-09-04",
        "集中审议限期整改任务的销号申请，逐项核对佐证材料，对材料不足的退回补充。",
    ),
];

const TASKS: &str = include_str!("../../demo/tasks.tsv");

const FEEDBACK: [(&str, &str); 3] = [
    (
        "党的领导弱化",
        "在抓政治建设上存在温差、落差、偏差，贯彻落实党中央重大决策部署和习近平总书记重要指示批示精神不够到位",
    ),
    (
        "党的建设缺失",
        "检察机关党的建设和业务建设结合不紧，基层党组织建设有短板，干部队伍建设存在薄弱环节",
    ),
    (
        "全面从严治党不力",
        "主体责任和监督责任落实不到位，检察权运行监督制约机制不完善，形式主义、官僚主义问题仍有表现",
    ),
];

pub(crate) const STANDARD: &str = "对照反馈问题整改到位，有制度成果或工作成效，并有佐证材料";

pub(crate) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

pub(crate) async fn staff_id(tx: &mut Tx, no: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
            .bind(no)
            .fetch_one(&mut **tx)
            .await?,
    )
}

pub(crate) async fn load(w: &mut Write, spp: i64) -> Result<()> {
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE unit_id = $1 AND title = $2")
            .bind(spp)
            .bind(ROUND_TITLE)
            .fetch_one(&mut *w.tx)
            .await?;
    if exists > 0 {
        return Ok(());
    }
    // a responsible person (负责人) in each department
    let depts = department_ids(&mut w.tx).await?;
    let heads: Vec<Vec<Value>> = SPP_DEPARTMENTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let person: String = ["王", "李", "张", "刘", "杨", "黄", "赵", "周", "徐", "朱"]
                [i % 10]
                .to_string()
                + [
                    "建华", "志强", "晓东", "海燕", "卫国", "丽娟", "红梅", "振宇", "文涛", "雪松",
                ][(i / 2) % 10];
            vec![
                json!(format!("SPPD{:02}", i + 1)),
                json!(person),
                json!(spp),
                json!(depts[&(spp, name.to_string())]),
                json!("负责人"),
                json!(0),
            ]
        })
        .collect();
    insert_staff(&mut w.tx, &heads).await?;
    let leaders: Vec<i64> = {
        let mut v = Vec::new();
        for no in [
            "SPP0001", "SPP0002", "SPP0003", "SPP0004", "SPP0005", "SPP0006",
        ] {
            v.push(staff_id(&mut w.tx, no).await?);
        }
        v
    };
    let head_of = |i: usize| format!("SPPD{:02}", i % SPP_DEPARTMENTS.len() + 1);
    let discipline_dept = depts[&(spp, DISCIPLINE_GROUP.to_string())];
    let discipline_head = staff_id(&mut w.tx, "SPP0501").await?;

    let round = insert_round(
        w,
        spp,
        duban_domain::rectification::SourceKind::Central,
        ROUND_TITLE,
        "中央第四巡视组",
        "2019-09-09",
        "2019-11-25",
        "2020-01-03",
        "2020-03-03",
    )
    .await?;
    let reviewer_discipline = Author {
        user_id: None,
        login: "discipline".into(),
        role: Role::Discipline,
        staff_id: Some(staff_id(&mut w.tx, "SPP0501").await?),
        departments: vec![discipline_dept],
    };
    let reviewer_office = Author {
        user_id: None,
        login: "office".into(),
        role: Role::Office,
        staff_id: Some(staff_id(&mut w.tx, "SPP0102").await?),
        departments: vec![depts[&(spp, "办公厅".to_string())]],
    };
    for (plan_key, title, body) in [
        ("party", PARTY_PLAN, "最高检党组"),
        ("discipline", DISCIPLINE_PLAN, "驻院纪检监察组"),
    ] {
        let plan = insert_plan(w, round, spp, title, body, "2020-01-21").await?;
        let mut problems = Vec::new();
        for (i, (f, m)) in FEEDBACK.iter().enumerate() {
            problems.push(insert_problem(w, plan, i as i64 + 1, f, m).await?);
        }
        let rows: Vec<(Category, &str)> = TASKS
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() == 3 && f[0] == plan_key)
                    .then(|| (Category::parse(f[1]).unwrap_or(Category::LongTerm), f[2]))
            })
            .collect();
        let mut closable_seen = 0;
        for (i, (cat, measure)) in rows.iter().enumerate() {
            // which tasks were closed by 2020-11-05
            let (deadline, close_on) = match cat {
                Category::Immediate => (Some(d("2020-03-31")), Some(("2020-02-20", "2020-02-26"))),
                Category::TimeLimited => {
                    closable_seen += 1;
                    let closed = if plan_key == "party" {
                        closable_seen <= 15
                    } else {
                        closable_seen <= 10
                    };
                    if closed {
                        (Some(d("2020-09-30")), Some(("2020-08-25", "2020-09-08")))
                    } else {
                        (Some(d("2020-12-31")), None)
                    }
                }
                Category::LongTerm => (None, None),
            };
            let (lead, dept_ids, responsible) = if plan_key == "party" {
                let lead_dept =
                    depts[&(spp, SPP_DEPARTMENTS[i % SPP_DEPARTMENTS.len()].to_string())];
                let mut ds = vec![(lead_dept, true)];
                // the 第一检察厅 (the demo "dept" account) shares the open time-limited tasks
                let first = depts[&(spp, "第一检察厅".to_string())];
                if *cat == Category::TimeLimited && close_on.is_none() && lead_dept != first {
                    ds.push((first, false));
                } else if i % 3 == 0 {
                    ds.push((
                        depts[&(
                            spp,
                            SPP_DEPARTMENTS[(i + 7) % SPP_DEPARTMENTS.len()].to_string(),
                        )],
                        false,
                    ));
                }
                (leaders[i % 5], ds, staff_id(&mut w.tx, &head_of(i)).await?)
            } else {
                (leaders[5], vec![(discipline_dept, true)], discipline_head)
            };
            let task = insert_task(
                w,
                &NewTask {
                    plan_id: plan,
                    problem_id: Some(problems[i % problems.len()]),
                    title: measure,
                    measure: &format!("{measure}，明确责任人和完成时限，建立工作台账"),
                    category: *cat,
                    deadline,
                    standard: STANDARD,
                    lead_leader_id: Some(lead),
                    responsible_id: Some(responsible),
                    departments: dept_ids.clone(),
                    created_on: d("2020-01-21"),
                },
            )
            .await?;
            let keeper = Author {
                user_id: None,
                login: "dept".into(),
                role: Role::Dept,
                staff_id: Some(responsible),
                departments: dept_ids.iter().map(|x| x.0).collect(),
            };
            let entry = |date: &str, kind: EntryKind, body: String, files: Vec<Upload>| NewEntry {
                task_id: task,
                date: d(date),
                kind,
                body,
                corrects_id: None,
                files,
                late_reason: String::new(),
            };
            // a progress entry every month until the closure request (or through October)
            const MONTHLY: [&str; 9] = [
                "2020-02-20",
                "2020-03-20",
                "2020-04-20",
                "2020-05-20",
                "2020-06-20",
                "2020-07-20",
                "2020-08-20",
                "2020-09-20",
                "2020-10-20",
            ];
            let progress_dates: Vec<&str> = match (cat, close_on) {
                (Category::Immediate, _) => vec!["2020-02-10"],
                (_, Some((request, _))) => {
                    MONTHLY.iter().copied().filter(|d| *d < request).collect()
                }
                _ => MONTHLY.to_vec(),
            };
            for date in progress_dates {
                add_history_in(
                    w,
                    &keeper,
                    &entry(
                        date,
                        EntryKind::Progress,
                        format!("{measure}：按方案推进，本阶段工作已落实"),
                        vec![],
                    ),
                    "",
                )
                .await?;
            }
            if *cat == Category::LongTerm {
                for date in ["2020-04-15", "2020-07-10", "2020-10-05", "2020-10-30"] {
                    add_history_in(
                        w,
                        &keeper,
                        &entry(
                            date,
                            EntryKind::Staged,
                            format!("{measure}：取得阶段性成效"),
                            vec![],
                        ),
                        "",
                    )
                    .await?;
                }
            }
            if let Some((request, approve)) = close_on {
                let file = Upload {
                    filename: format!("整改情况报告-{}.txt", i + 1),
                    bytes: format!("关于“{measure}”整改完成情况的报告（演示佐证材料）")
                        .into_bytes(),
                };
                add_history_in(
                    w,
                    &keeper,
                    &entry(
                        request,
                        EntryKind::ClosureRequest,
                        format!("已对照完成标准完成“{measure}”，形成制度成果，附整改情况报告"),
                        vec![file],
                    ),
                    "",
                )
                .await?;
                let reviewer = if plan_key == "party" {
                    &reviewer_discipline
                } else {
                    &reviewer_office
                };
                add_history_in(
                    w,
                    reviewer,
                    &entry(
                        approve,
                        EntryKind::Approve,
                        "经审核，整改措施落实到位，佐证材料充分，同意销号".into(),
                        vec![],
                    ),
                    "",
                )
                .await?;
            }
        }
    }
    load_matters(w, spp, &leaders, &depts, &reviewer_discipline).await
}

/// The other matters the office supervises on the same engine, after the seed: the file of
/// important instructions, the follow-up of procuratorial recommendations, and the rules the
/// rectification produced with checks of their execution.
async fn load_matters(
    w: &mut Write,
    spp: i64,
    leaders: &[i64],
    depts: &std::collections::HashMap<(i64, String), i64>,
    reviewer: &Author,
) -> Result<()> {
    use duban_domain::rectification::SourceKind;
    type MatterTask<'a> = (Category, &'a str, &'a str, Option<&'a str>, bool);
    let matters: [(SourceKind, &str, &str, &str, &str, Vec<MatterTask>); 3] = [
        (
            SourceKind::Instruction,
            "贯彻落实习近平总书记重要指示批示精神专档（2020年）",
            "最高检党组",
            "贯彻落实重要指示批示精神督办台账",
            "最高检党组",
            vec![
                (
                    Category::TimeLimited,
                    "建立最高检党组贯彻落实习近平总书记重要指示批示精神、党中央重大决策部署情况专档",
                    "办公厅",
                    Some("2020-06-30"),
                    true,
                ),
                (
                    Category::TimeLimited,
                    "健全与最高检办公厅信息情况通报机制，逐项跟踪落实情况",
                    "办公厅",
                    Some("2021-06-30"),
                    false,
                ),
                (
                    Category::LongTerm,
                    "贯彻落实重要指示批示精神注重实事求是、结合检察实际，按季度向党组报告落实情况",
                    "办公厅",
                    None,
                    false,
                ),
            ],
        ),
        (
            SourceKind::Recommendation,
            "最高检检察建议落实跟踪",
            "教育部、住房和城乡建设部等被建议单位",
            "检察建议落实情况跟踪督办",
            "最高检相关检察厅",
            vec![
                (
                    Category::LongTerm,
                    "持续推进“一号检察建议”落实，跟踪校园安全和防治性侵工作成效",
                    "第九检察厅",
                    None,
                    false,
                ),
                (
                    Category::TimeLimited,
                    "跟进“四号检察建议”（窨井盖综合治理）落实，督促被建议单位书面回复并核查整改成效",
                    "第八检察厅",
                    Some("2021-06-30"),
                    false,
                ),
            ],
        ),
        (
            SourceKind::Rules,
            "巡视整改制度建设",
            "整改办",
            "巡视整改制度建设及执行检查",
            "整改办",
            vec![
                (
                    Category::TimeLimited,
                    "制定检察委员会集体学习制度",
                    "办公厅",
                    Some("2020-06-30"),
                    true,
                ),
                (
                    Category::TimeLimited,
                    "制定检察机关案件质量主要评价指标",
                    "案件管理办公室",
                    Some("2020-06-30"),
                    true,
                ),
                (
                    Category::TimeLimited,
                    "制定检察官业绩考评制度",
                    "政治部",
                    Some("2020-06-30"),
                    true,
                ),
                (
                    Category::LongTerm,
                    "对新制定的制度开展常态化执行情况监督检查，建立台账管理、督查督办制度",
                    "办公厅",
                    None,
                    false,
                ),
            ],
        ),
    ];
    let monthly: Vec<String> = (2..=13)
        .map(|m| {
            if m <= 12 {
                format!("2020-{m:02}-15")
            } else {
                "2021-01-15".into()
            }
        })
        .collect();
    for (mi, (kind, source, by, title, body, tasks)) in matters.into_iter().enumerate() {
        let round = insert_round(
            w,
            spp,
            kind,
            source,
            by,
            "2020-02-15",
            "2020-02-15",
            "2020-02-15",
            "2020-04-15",
        )
        .await?;
        let plan = insert_plan(w, round, spp, title, body, "2020-02-15").await?;
        for (ti, (cat, measure, dept, deadline, closes)) in tasks.into_iter().enumerate() {
            let dept_id = depts
                .get(&(spp, dept.to_string()))
                .copied()
                .unwrap_or(depts[&(spp, "办公厅".to_string())]);
            let lead = leaders[(mi + ti) % 5];
            let task = insert_task(
                w,
                &NewTask {
                    plan_id: plan,
                    problem_id: None,
                    title: measure,
                    measure: &format!("{measure}，明确责任部门和完成时限，建立工作台账"),
                    category: cat,
                    deadline: deadline.map(d),
                    standard: STANDARD,
                    lead_leader_id: Some(lead),
                    responsible_id: None,
                    departments: vec![(dept_id, true)],
                    created_on: d("2020-02-15"),
                },
            )
            .await?;
            let keeper = Author {
                user_id: None,
                login: "dept".into(),
                role: Role::Dept,
                staff_id: None,
                departments: vec![dept_id],
            };
            let entry = |date: &str, kind: EntryKind, body: String, files: Vec<Upload>| NewEntry {
                task_id: task,
                date: d(date),
                kind,
                body,
                corrects_id: None,
                files,
                late_reason: String::new(),
            };
            let last = if closes { "2020-06-15" } else { "2021-01-15" };
            for date in monthly.iter().filter(|m| m.as_str() <= last) {
                add_history_in(
                    w,
                    &keeper,
                    &entry(
                        date,
                        EntryKind::Progress,
                        format!("{measure}：本月工作已按计划推进"),
                        vec![],
                    ),
                    "",
                )
                .await?;
                if cat == Category::LongTerm
                    && ["2020-04-15", "2020-07-15", "2020-10-15", "2020-12-15"]
                        .contains(&date.as_str())
                {
                    let what = if kind == SourceKind::Rules {
                        "执行情况检查：制度执行到位，发现的问题已督促整改"
                    } else {
                        "取得阶段性成效"
                    };
                    add_history_in(
                        w,
                        &keeper,
                        &entry(
                            date,
                            EntryKind::Staged,
                            format!("{measure}：{what}"),
                            vec![],
                        ),
                        "",
                    )
                    .await?;
                }
            }
            if closes {
                let file = Upload {
                    filename: format!("制度文本-{}-{}.txt", mi + 1, ti + 1),
                    bytes: format!("《{measure}》制度文本（演示佐证材料）").into_bytes(),
                };
                add_history_in(
                    w,
                    &keeper,
                    &entry(
                        "2020-06-20",
                        EntryKind::ClosureRequest,
                        format!("已完成“{measure}”，制度已印发施行，附制度文本"),
                        vec![file],
                    ),
                    "",
                )
                .await?;
                add_history_in(
                    w,
                    reviewer,
                    &entry(
                        "2020-06-28",
                        EntryKind::Approve,
                        "经审核，制度已出台并施行，同意销号".into(),
                        vec![],
                    ),
                    "",
                )
                .await?;
            }
        }
    }
    Ok(())
}
