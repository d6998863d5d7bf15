//! Imports and exports of tables and workbooks.
use crate::*;
use anyhow::{Context, bail};
use duban_domain::calendar::parse_date;
use duban_domain::org::UnitCode;
use duban_store::{Actor, Store};
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
        Cmd::Import {
            what: ImportCmd::Ledger { file, plan, unit },
        } => {
            let code = UnitCode::parse(&unit)?;
            let unit = store
                .unit_by_code(code.as_str())
                .await?
                .with_context(|| format!("unit {} does not exist", code.as_str()))?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {file}"))?;
            let table = duban_publish::sheet::read_table(&file, &bytes)?;
            let importer = duban_store::rectification::Author {
                user_id: None,
                login: "cli".into(),
                role: duban_domain::org::Role::Office,
                staff_id: None,
                departments: vec![],
            };
            let name = std::path::Path::new(&file)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| file.clone());
            let r = store
                .import_ledger(&importer, unit.id, &plan, &name, &table)
                .await
                .map_err(print_import_errors)?;
            out!(
                "导入完成：新增任务 {}，更新任务 {}，新增台账 {}，导入历史销号 {}，转为待审核申请 {}，未执行 {}",
                r.created,
                r.updated,
                r.entries,
                r.historical_closures,
                r.requests.len(),
                r.not_applied.len()
            )?;
            for line in r.requests.iter().chain(&r.not_applied) {
                out!("  {line}")?;
            }
        }
        Cmd::Export {
            what: ExportCmd::Ledger { plan, as_of, out },
        } => {
            let as_of = parse_date(&as_of)?;
            let scope = national_scope(&store).await?;
            let p = store
                .plan(&scope, &plan)
                .await?
                .with_context(|| format!("no plan {plan:?}"))?;
            let rows = store.ledger_sheet(p.id, as_of).await?;
            std::fs::write(&out, duban_publish::ledger::write_ledger(&rows)?)
                .with_context(|| format!("writing {out}"))?;
            out!(
                "{}：{} 项任务，截至 {as_of}，已写入 {out}",
                p.title,
                rows.len()
            )?;
        }
        Cmd::Import {
            what:
                what @ (ImportCmd::Units { .. }
                | ImportCmd::Staff { .. }
                | ImportCmd::Letters { .. }
                | ImportCmd::Records { .. }
                | ImportCmd::Cases { .. }),
        } => {
            let (kind, file) = match &what {
                ImportCmd::Units { file } => ("units", file),
                ImportCmd::Letters { file } => ("letters", file),
                ImportCmd::Records { file } => ("records", file),
                ImportCmd::Cases { file } => ("cases", file),
                ImportCmd::Staff { file } | ImportCmd::Ledger { file, .. } => ("staff", file),
            };
            let actor = Actor::system("cli");
            // streamed: a year of a country's filings or case events is millions of rows
            if kind == "records" {
                let checked = stream_check(file, store.records_check().await?)?;
                let r = store
                    .import_checked_records(&actor, checked)
                    .await
                    .map_err(print_import_errors)?;
                out!("导入完成：新增 {}", r.created)?;
                return Ok(ExitCode::SUCCESS);
            }
            if kind == "cases" {
                let checked = stream_check(file, store.cases_check().await?)?;
                tracing::debug!(events = checked.events.len(), "cases import: file checked");
                let r = store
                    .import_checked_cases(&actor, checked)
                    .await
                    .map_err(print_import_errors)?;
                out!(
                    "导入完成：新增事件 {}，更新已有案件 {}",
                    r.created,
                    r.updated
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
            let table = duban_publish::sheet::read_table(file, &bytes)?;
            let r = match kind {
                "units" => store.import_units(&actor, &table).await,
                "letters" => store.import_letters(&actor, &table).await,
                "records" => store.import_records(&actor, &table).await,
                _ => store.import_staff(&actor, &table, None).await,
            }
            .map_err(print_import_errors)?;
            out!(
                "导入完成：新增 {}，更新 {}，新建部门 {}",
                r.created,
                r.updated,
                r.departments_created
            )?;
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
