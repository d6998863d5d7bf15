//! Interference records from the command line.
use crate::*;
use anyhow::bail;
use duban_store::Store;
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
        Cmd::Records {
            cmd: RecordsCmd::Flag { from, to, level },
        } => {
            let month =
                |s: &str| duban_domain::records::Month::parse(s).map_err(|e| anyhow::anyhow!(e));
            let (from, to) = (month(&from)?, month(&to)?);
            if to < from {
                bail!(t!(
                    "--to {to} 早于 --from {from}",
                    "--to {to} is before --from {from}"
                ));
            }
            let flagged = store
                .flag_records(
                    from,
                    to,
                    level,
                    &store.supervision_rules().await?.records_flags,
                )
                .await?;
            if console::json() {
                console::print_json(&serde_json::json!({ "flagged": flagged }))?;
            } else {
                for f in &flagged {
                    out!("{} {}（{}）", f.unit_code, f.name, f.group)?;
                    for r in &f.reasons {
                        out!("  - {r}")?;
                    }
                }
                out!(
                    "{}",
                    t!(
                        "{from} 至 {to}：{} 个单位或部门报告偏少",
                        "{from} to {to}: {} units or departments report too few",
                        flagged.len()
                    )
                )?;
            }
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
