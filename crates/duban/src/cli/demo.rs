//! Demo data: the seed's and a nation's worth for benchmarks.
use crate::*;
use anyhow::bail;
use duban_store::Store;
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
        Cmd::Demo {
            scale,
            cases_per_unit,
        } => {
            let r = match scale.as_deref() {
                None => store.load_demo().await?,
                Some("nation") => {
                    let t = std::time::Instant::now();
                    let r = store.load_nation().await?;
                    out!(
                        "nationwide organisation generated in {:.1}s",
                        t.elapsed().as_secs_f64()
                    )?;
                    let t = std::time::Instant::now();
                    let n = store.load_nation_rectification().await?;
                    let t2 = std::time::Instant::now();
                    let l = store.load_nation_letters().await?;
                    out!(
                        "letters: {} generated in {:.1}s",
                        l.letters,
                        t2.elapsed().as_secs_f64()
                    )?;
                    let t3 = std::time::Instant::now();
                    let rec = store.load_nation_records().await?;
                    out!(
                        "records: {} monthly filings, {} records ({} units planted as under-reporting) in {:.1}s",
                        rec.filings,
                        rec.records,
                        rec.planted.len(),
                        t3.elapsed().as_secs_f64()
                    )?;
                    let t4 = std::time::Instant::now();
                    let c = store.load_nation_cases(cases_per_unit).await?;
                    out!(
                        "cases: {} cases, {} events in {:.1}s",
                        c.cases,
                        c.events,
                        t4.elapsed().as_secs_f64()
                    )?;
                    store.checkpoint().await?;
                    out!(
                        "rectification: the party plan issued to {} units, {} tasks, {} ledger entries, in {:.1}s",
                        n.units,
                        n.tasks,
                        n.ledger_entries,
                        t.elapsed().as_secs_f64()
                    )?;
                    r
                }
                Some(other) => bail!("unknown scale {other:?} (use: nation)"),
            };
            out!(
                "演示数据已就绪：{} 个单位，{} 名人员，新建账号 {} 个",
                r.units,
                r.staff,
                r.users_created
            )?;
            print_logins(None)?;
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
