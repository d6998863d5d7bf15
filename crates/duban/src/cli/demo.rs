//! Demo data: the seed's and a nation's worth for benchmarks.
use crate::*;
use anyhow::bail;
use duban_store::Store;
use settings::Settings;
use std::process::ExitCode;

/// The seed's demo: the records, then the publications (typeset here, where the typesetter is).
pub(crate) async fn seed_demo(store: &Store) -> anyhow::Result<duban_store::demo::DemoReport> {
    let r = store.load_demo().await?;
    store
        .load_demo_publications(&duban_publish::official::Official)
        .await?;
    Ok(r)
}

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
        Cmd::Demo {
            scale,
            cases_per_unit,
            provinces,
            years,
        } => {
            let r = match scale.as_deref() {
                None => (seed_demo(&store).await?, serde_json::Map::new()),
                Some("nation") => {
                    let progress = store.progress();
                    let step = |zh: &str, en: &str| {
                        progress.phase(if console::en() { en } else { zh }, None)
                    };
                    let mut done = serde_json::Map::new();
                    let t = std::time::Instant::now();
                    step(
                        "生成全国组织机构与人员",
                        "generating the nationwide organisation",
                    );
                    let r = store.load_nation(provinces.into()).await?;
                    let say = |line: String| -> anyhow::Result<()> {
                        if !console::json() {
                            out!("{line}")?;
                        }
                        Ok(())
                    };
                    say(t!(
                        "全国组织机构已生成（{:.1} 秒）",
                        "nationwide organisation generated in {:.1}s",
                        t.elapsed().as_secs_f64()
                    ))?;
                    let t = std::time::Instant::now();
                    step("下发整改方案并生成台账", "issuing the plan and its ledgers");
                    let n = store.load_nation_rectification().await?;
                    let t2 = std::time::Instant::now();
                    step("生成来信", "generating letters");
                    let l = store.load_nation_letters(years).await?;
                    say(t!(
                        "来信：生成 {} 件（{:.1} 秒）",
                        "letters: {} generated in {:.1}s",
                        l.letters,
                        t2.elapsed().as_secs_f64()
                    ))?;
                    let t3 = std::time::Instant::now();
                    step("生成过问干预记录", "generating interference records");
                    let rec = store.load_nation_records().await?;
                    say(t!(
                        "过问干预记录：月度报告 {} 份，记录 {} 条（{} 个单位设为报告偏少）（{:.1} 秒）",
                        "records: {} monthly filings, {} records ({} units planted as under-reporting) in {:.1}s",
                        rec.filings,
                        rec.records,
                        rec.planted.len(),
                        t3.elapsed().as_secs_f64()
                    ))?;
                    let t5 = std::time::Instant::now();
                    step(
                        "生成问题线索与立案查处",
                        "generating clues and the violations register",
                    );
                    let desk = store.load_nation_desk().await?;
                    say(t!(
                        "纪检监察：问题线索 {} 件，立案查处 {} 人次（{:.1} 秒）",
                        "discipline desk: {} clues, {} register entries in {:.1}s",
                        desk.clues,
                        desk.violations,
                        t5.elapsed().as_secs_f64()
                    ))?;
                    let t4 = std::time::Instant::now();
                    step("生成案件流程事件", "generating case events");
                    let c = store.load_nation_cases(cases_per_unit).await?;
                    say(t!(
                        "案件：{} 件，流程事件 {} 条（{:.1} 秒）",
                        "cases: {} cases, {} events in {:.1}s",
                        c.cases,
                        c.events,
                        t4.elapsed().as_secs_f64()
                    ))?;
                    store.checkpoint().await?;
                    say(t!(
                        "整改：党组方案下发至 {} 个单位，任务 {} 项，台账 {} 条（{:.1} 秒）",
                        "rectification: the party plan issued to {} units, {} tasks, {} ledger entries, in {:.1}s",
                        n.units,
                        n.tasks,
                        n.ledger_entries,
                        t.elapsed().as_secs_f64()
                    ))?;
                    let t6 = std::time::Instant::now();
                    step("设立派驻检察室", "setting up the stationed offices");
                    let offices = store.load_nation_offices().await?;
                    say(t!(
                        "派驻检察室：{} 个（{:.1} 秒）",
                        "stationed offices: {} in {:.1}s",
                        offices,
                        t6.elapsed().as_secs_f64()
                    ))?;
                    for (k, v) in [
                        ("letters", l.letters as u64),
                        ("stationed_offices", offices),
                        ("filings", rec.filings as u64),
                        ("records", rec.records as u64),
                        ("cases", c.cases as u64),
                        ("events", c.events as u64),
                        ("plan_units", n.units as u64),
                        ("tasks", n.tasks as u64),
                        ("ledger_entries", n.ledger_entries as u64),
                        ("clues", desk.clues),
                        ("violations", desk.violations),
                    ] {
                        done.insert(k.into(), v.into());
                    }
                    (r, done)
                }
                Some(other) => bail!(t!(
                    "未知的规模 {:?}（可用：nation）",
                    "unknown scale {:?} (use: nation)",
                    other
                )),
            };
            let (r, mut more) = r;
            if console::json() {
                more.insert("units".into(), r.units.into());
                more.insert("staff".into(), r.staff.into());
                more.insert("users_created".into(), r.users_created.into());
                console::print_json(&more)?;
            } else {
                out!(
                    "{}",
                    t!(
                        "演示数据已就绪：{} 个单位，{} 名人员，新建账号 {} 个",
                        "demo data ready: {} units, {} staff, {} accounts created",
                        r.units,
                        r.staff,
                        r.users_created
                    )
                )?;
                print_logins(None)?;
            }
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
