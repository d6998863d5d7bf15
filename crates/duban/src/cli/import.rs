//! Imports and exports of tables and workbooks. Every import ends the same way: counts added,
//! updated and refused, and the problems with their row and column — as text, or as one JSON
//! document with `--json` — and exit code 1 when the file was refused (nothing is imported then).
use crate::*;
use anyhow::{Context, bail};
use duban_domain::calendar::parse_date;
use duban_domain::import::CellError;
use duban_domain::org::UnitCode;
use duban_store::{Actor, Store};
use serde::Serialize;
use settings::Settings;
use std::process::ExitCode;

/// What an import did, or why it refused the file.
#[derive(Serialize, Default)]
struct Outcome {
    added: usize,
    updated: usize,
    /// rows with a problem (any problem refuses the whole file)
    refused: usize,
    problems: Vec<CellError>,
    /// what a kind of import adds to the counts (departments made, ledger requests, …)
    #[serde(flatten)]
    more: serde_json::Map<String, serde_json::Value>,
}

impl Outcome {
    fn refused(problems: Vec<CellError>) -> Outcome {
        let mut rows: Vec<usize> = problems.iter().map(|p| p.row).filter(|r| *r > 0).collect();
        rows.sort_unstable();
        rows.dedup();
        Outcome {
            refused: rows.len(),
            problems,
            ..Default::default()
        }
    }
}

/// Prints the outcome (text through `text`, or JSON) and ends with its exit code.
fn finish(
    r: Result<Outcome, duban_store::StoreError>,
    text: impl FnOnce(&Outcome) -> String,
) -> anyhow::Result<ExitCode> {
    let o = match r {
        Ok(o) => o,
        Err(duban_store::StoreError::Import(problems)) => Outcome::refused(problems),
        Err(e) => return Err(e.into()),
    };
    let refused = !o.problems.is_empty();
    if console::json() {
        console::print_json(&o)?;
    } else if refused {
        for p in &o.problems {
            eprintln!("{p}");
        }
        eprintln!(
            "{}",
            t!(
                "导入失败：{} 处问题（{} 行），未导入任何数据",
                "import refused: {} problem(s) in {} row(s); nothing was imported",
                o.problems.len(),
                o.refused
            )
        );
    } else {
        out!("{}", text(&o))?;
    }
    Ok(ExitCode::from(if refused {
        console::REFUSED
    } else {
        console::DONE
    }))
}

/// A file that cannot be read as a table is refused like a file with problems.
fn unreadable(e: impl std::fmt::Display) -> duban_store::StoreError {
    duban_store::StoreError::Import(vec![CellError {
        row: 0,
        column: "-".into(),
        message: e.to_string(),
    }])
}

fn read_table(file: &str) -> Result<duban_domain::import::Table, duban_store::StoreError> {
    let bytes = std::fs::read(file).map_err(|e| unreadable(format!("{file}：{e}")))?;
    duban_publish::sheet::read_table(file, &bytes).map_err(unreadable)
}

/// Feeds a file's rows to an import checker without holding the file (a year of a country's
/// filings or case events is millions of rows), reporting the rows checked.
fn stream_check<C: duban_domain::import::RowCheck>(
    store: &Store,
    file: &str,
    mut check: C,
) -> Result<C::Out, duban_store::StoreError> {
    let path = std::path::Path::new(file);
    // a CSV's lines are counted first (a second per gigabyte) so that the bar knows its end
    let total = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => std::fs::File::open(path)
            .and_then(|f| {
                use std::io::BufRead;
                let mut r = std::io::BufReader::with_capacity(1 << 20, f);
                let mut n = 0u64;
                loop {
                    let buf = r.fill_buf()?;
                    if buf.is_empty() {
                        break Ok(n);
                    }
                    n += buf.iter().filter(|b| **b == b'\n').count() as u64;
                    let len = buf.len();
                    r.consume(len);
                }
            })
            .ok(),
        _ => None,
    };
    let progress = store.progress();
    progress.phase(&t!("校验 {}", "checking {}", file), total);
    duban_publish::sheet::each_row(path, |i, row| {
        check.check_row(i, row);
        if i % 10_000 == 0 {
            progress.advance(10_000);
        }
    })
    .map_err(unreadable)?;
    check.done().map_err(duban_store::StoreError::Import)
}

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    let actor = Actor::system("cli");
    match cmd {
        Cmd::Import {
            what: ImportCmd::Ledger { file, plan, unit },
        } => {
            let code = UnitCode::parse(&unit)?;
            let unit = store
                .unit_by_code(code.as_str())
                .await?
                .with_context(|| t!("单位 {} 不存在", "unit {} does not exist", code.as_str()))?;
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
            let r = match read_table(&file) {
                Ok(table) => {
                    store
                        .import_ledger(&importer, unit.id, &plan, &name, &table)
                        .await
                }
                Err(e) => Err(e),
            };
            store.progress().finish();
            let r = r.map(|r| {
                let mut more = serde_json::Map::new();
                more.insert("plan_created".into(), r.plan_created.into());
                more.insert("entries".into(), r.entries.into());
                more.insert("historical_closures".into(), r.historical_closures.into());
                more.insert("requests".into(), r.requests.clone().into());
                more.insert("not_applied".into(), r.not_applied.clone().into());
                Outcome {
                    added: r.created,
                    updated: r.updated,
                    more,
                    ..Default::default()
                }
            });
            finish(r, |o| {
                let list = |k: &str| -> Vec<String> {
                    o.more[k]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (requests, not_applied) = (list("requests"), list("not_applied"));
                let mut text = t!(
                    "导入完成：新增任务 {}，更新任务 {}，新增台账 {}，导入历史销号 {}，转为待审核申请 {}，未执行 {}",
                    "imported: {} tasks added, {} updated, {} ledger entries, {} historical closures, {} requests for review, {} not applied",
                    o.added,
                    o.updated,
                    o.more["entries"],
                    o.more["historical_closures"],
                    requests.len(),
                    not_applied.len()
                );
                for line in requests.iter().chain(&not_applied) {
                    text.push_str(&format!("\n  {line}"));
                }
                text
            })
        }
        Cmd::Export {
            what: ExportCmd::Ledger { plan, as_of, out },
        } => {
            let as_of = parse_date(&as_of)?;
            let scope = national_scope(&store).await?;
            let p = store
                .plan(&scope, &plan)
                .await?
                .with_context(|| t!("没有整改方案 {:?}", "no plan {:?}", plan))?;
            let rows = store.ledger_sheet(p.id, as_of).await?;
            std::fs::write(&out, duban_publish::ledger::write_ledger(&rows)?)
                .with_context(|| t!("写入 {} 失败", "writing {}", out))?;
            if console::json() {
                console::print_json(&serde_json::json!({
                    "plan": p.title, "as_of": as_of.to_string(), "tasks": rows.len(), "out": out
                }))?;
            } else {
                out!(
                    "{}",
                    t!(
                        "{}：{} 项任务，截至 {}，已写入 {}",
                        "{}: {} tasks as of {}, written to {}",
                        p.title,
                        rows.len(),
                        as_of,
                        out
                    )
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Import { what } => {
            let r = match &what {
                ImportCmd::Records { file } => {
                    match stream_check(&store, file, store.records_check().await?) {
                        Ok(checked) => store.import_checked_records(&actor, checked).await,
                        Err(e) => Err(e),
                    }
                }
                ImportCmd::Cases { file } => {
                    match stream_check(&store, file, store.cases_check().await?) {
                        Ok(checked) => store.import_checked_cases(&actor, checked).await,
                        Err(e) => Err(e),
                    }
                }
                ImportCmd::Units { file }
                | ImportCmd::Staff { file, .. }
                | ImportCmd::Letters { file }
                | ImportCmd::Clues { file }
                | ImportCmd::Violations { file } => match read_table(file) {
                    Ok(table) => match &what {
                        ImportCmd::Units { .. } => store.import_units(&actor, &table).await,
                        ImportCmd::Letters { .. } => store.import_letters(&actor, &table).await,
                        ImportCmd::Clues { .. } => store.import_clues(&actor, &table).await,
                        ImportCmd::Violations { .. } => {
                            store.import_violations(&actor, &table).await
                        }
                        ImportCmd::Staff {
                            accounts,
                            code_days,
                            ..
                        } => {
                            let opts = duban_store::staff::StaffImport {
                                accounts: accounts.then_some(*code_days),
                            };
                            store.import_staff(&actor, &table, None, opts).await
                        }
                        _ => bail!("not a command of this group"),
                    },
                    Err(e) => Err(e),
                },
                ImportCmd::Ledger { .. } => bail!("not a command of this group"),
            };
            store.progress().finish();
            let departments = matches!(what, ImportCmd::Staff { .. } | ImportCmd::Units { .. });
            // the codes go to their file before anything is reported: they exist nowhere else
            if let (
                Ok(r),
                ImportCmd::Staff {
                    codes_out: Some(out),
                    ..
                },
            ) = (&r, &what)
            {
                crate::cli::user::write_codes(out, &r.codes)?;
            }
            let r = r.map(|r| {
                let mut more = serde_json::Map::new();
                if departments {
                    more.insert("departments_created".into(), r.departments_created.into());
                }
                if matches!(what, ImportCmd::Staff { .. }) {
                    more.insert("accounts_created".into(), r.codes.len().into());
                    more.insert("accounts_disabled".into(), r.accounts_disabled.into());
                }
                Outcome {
                    added: r.created,
                    updated: r.updated,
                    more,
                    ..Default::default()
                }
            });
            finish(r, |o| match o.more.get("departments_created") {
                Some(d) if o.more.contains_key("accounts_created") => t!(
                    "导入完成：新增 {}，更新 {}，新建部门 {}，开通账号 {}，因离职停用账号 {}",
                    "imported: {} added, {} updated, {} departments created, {} accounts opened, {} accounts disabled on leaving",
                    o.added,
                    o.updated,
                    d,
                    o.more["accounts_created"],
                    o.more["accounts_disabled"]
                ),
                Some(d) => t!(
                    "导入完成：新增 {}，更新 {}，新建部门 {}",
                    "imported: {} added, {} updated, {} departments created",
                    o.added,
                    o.updated,
                    d
                ),
                None => t!(
                    "导入完成：新增 {}，更新 {}",
                    "imported: {} added, {} updated",
                    o.added,
                    o.updated
                ),
            })
        }
        _ => bail!("not a command of this group"),
    }
}
