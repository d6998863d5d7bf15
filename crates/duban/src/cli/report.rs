//! Reports: the figures of the bulletin from the data, one function per report.
use crate::*;
use anyhow::{Context, bail};
use duban_domain::calendar::parse_date;
use duban_store::{Actor, Scope, Store};
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    let Cmd::Report { cmd } = cmd else {
        bail!("not a command of this group")
    };
    let scope = national_scope(&store).await?;
    match cmd {
        ReportCmd::Plans => plans(&store, &scope).await?,
        ReportCmd::Records {
            unit,
            subtree,
            from,
            to,
        } => records(&store, unit, subtree, &from, &to).await?,
        ReportCmd::CaseRatio {
            unit,
            subtree,
            from,
            to,
            case_type,
            tag,
        } => case_ratio(&store, unit, subtree, (&from, &to), case_type, tag).await?,
        ReportCmd::Letters {
            unit,
            subtree,
            from,
            to,
            as_of,
        } => letters(&store, unit, subtree, (&from, &to, &as_of)).await?,
        ReportCmd::Clues {
            unit,
            subtree,
            from,
            to,
            as_of,
        } => clues(&store, unit, subtree, (&from, &to, &as_of)).await?,
        ReportCmd::Violations {
            unit,
            subtree,
            from,
            to,
        } => violations(&store, unit, subtree, (&from, &to)).await?,
        ReportCmd::Bulletin {
            plan,
            as_of,
            format,
            out,
            contact,
        } => bulletin(&store, &scope, &plan, &as_of, format, out, contact).await?,
        ReportCmd::PlanStats { plan, as_of } => plan_stats(&store, &scope, &plan, &as_of).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// After a unit's name in a figure's line: whether the figure covers the units below it.
fn and_below(subtree: bool) -> String {
    if subtree {
        t!("及下级", " and below")
    } else {
        String::new()
    }
}

async fn unit_by_code(store: &Store, unit: &str) -> anyhow::Result<duban_store::org::Unit> {
    store
        .unit_by_code(unit)
        .await?
        .with_context(|| t!("单位 {unit} 不存在", "no unit {unit}"))
}

async fn plans(store: &Store, scope: &Scope) -> anyhow::Result<()> {
    let plans = store.plans(scope).await?;
    if console::json() {
        let v: Vec<_> = plans.iter().map(|p| serde_json::json!({"id": p.id, "title": p.title, "unit": p.unit_name, "body": p.body, "tasks": p.tasks})).collect();
        console::print_json(&v)?;
    } else {
        for p in plans {
            out!(
                "{}",
                t!(
                    "{:>4}  {}  ({}, {} 项)",
                    "{:>4}  {}  ({}, {} tasks)",
                    p.id,
                    p.title,
                    p.unit_name,
                    p.tasks
                )
            )?;
        }
    }
    Ok(())
}

async fn records(
    store: &Store,
    unit: String,
    subtree: bool,
    from: &str,
    to: &str,
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let month = |s: &str| duban_domain::records::Month::parse(s).map_err(|e| anyhow::anyhow!(e));
    let (from, to) = (month(from)?, month(to)?);
    if to < from {
        bail!(t!(
            "--to {to} 早于 --from {from}",
            "--to {to} is before --from {from}"
        ));
    }
    let c = store.record_counts(&u, subtree, from, to).await?;
    if console::json() {
        console::print_json(&c)?;
    } else {
        out!(
            "{}",
            t!(
                "{}{}：{from} 至 {to}，人员 {}，记录 {} 件，零报告 {} 人次，未报送 {} 人次",
                "{}{}: {from} to {to}, {} staff, {} records, {} zero reports, {} staff-months not filed",
                u.name,
                and_below(subtree),
                c.staff,
                c.records,
                c.zero_reports,
                c.not_filed
            )
        )?;
    }
    Ok(())
}

async fn case_ratio(
    store: &Store,
    unit: String,
    subtree: bool,
    (from, to): (&str, &str),
    case_type: Option<String>,
    tag: Option<String>,
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let date = |s: &str| duban_domain::calendar::parse_date(s);
    let (from, to) = (date(from)?, date(to)?);
    if to < from {
        bail!(t!(
            "--to {to} 早于 --from {from}",
            "--to {to} is before --from {from}"
        ));
    }
    if let Some(t) = &case_type
        && !duban_domain::quality::CASE_TYPES.contains(&t.as_str())
    {
        bail!(t!(
            "未知的案件类型“{t}”（{}）",
            "unknown case type “{t}” ({})",
            duban_domain::quality::CASE_TYPES.join("、")
        ));
    }
    let f = store
        .quality_figures(
            &u,
            subtree,
            from,
            to,
            &duban_store::quality::CaseFilter {
                case_type,
                tag,
                level: None,
            },
        )
        .await?;
    if console::json() {
        console::print_json(&f.report())?;
    } else {
        out!(
            "{}",
            t!(
                "{}{}：{from} 至 {to}，案 {}，件 {}，案件比 {}；审结 {} 件 {} 人，其中认罪认罚 {} 件 {} 人",
                "{}{}: {from} to {to}, an {}, jian {}, ratio {}; {} concluded ({} persons), {} with plea leniency ({} persons)",
                u.name,
                and_below(subtree),
                f.ratio.an,
                f.ratio.jian,
                f.ratio.display(),
                f.concluded,
                f.persons,
                f.with_plea,
                f.persons_with_plea
            )
        )?;
    }
    Ok(())
}

/// The installation's operator reads the desk's figures (the command line acts for the
/// installation); they are printed as numbers only.
async fn clues(
    store: &Store,
    unit: String,
    subtree: bool,
    (from, to, as_of): (&str, &str, &str),
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let (from, to, as_of) = (parse_date(from)?, parse_date(to)?, parse_date(as_of)?);
    let f = store
        .clue_figures(&Actor::system("cli"), &u, subtree, (from, to, as_of))
        .await?;
    if console::json() {
        console::print_json(&f)?;
    } else {
        let words = |m: &std::collections::BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join("、")
        };
        out!(
            "{}",
            t!(
                "{}{}：{from} 至 {to} 受理问题线索 {} 件（其中巡视移交 {}），截至 {as_of}：未处置 {}，在办 {}，逾期 {}，已办结 {}，被处理 {} 人\n  来源：{}\n  处置：{}\n  结果：{}",
                "{}{}: {} clues received from {from} to {to} ({} from inspections); as of {as_of}: {} undisposed, {} open, {} overdue, {} concluded, {} persons dealt with\n  sources: {}\n  disposals: {}\n  outcomes: {}",
                u.name,
                and_below(subtree),
                f.received,
                f.from_inspection,
                f.undisposed,
                f.open,
                f.overdue,
                f.concluded,
                f.persons_dealt_with,
                words(&f.by_source),
                words(&f.by_disposal),
                words(&f.by_outcome)
            )
        )?;
    }
    Ok(())
}

async fn violations(
    store: &Store,
    unit: String,
    subtree: bool,
    (from, to): (&str, &str),
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let (from, to) = (parse_date(from)?, parse_date(to)?);
    let f = store
        .violation_figures(&Actor::system("cli"), &u, subtree, from, to)
        .await?;
    if console::json() {
        console::print_json(&f)?;
    } else {
        let words = |m: &std::collections::BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join("、")
        };
        out!(
            "{}",
            t!(
                "{}{}：{from} 至 {to} 立案查处 {} 人\n  层级：{}\n  类别：{}\n  结果：{}",
                "{}{}: {} persons filed against from {from} to {to}\n  levels: {}\n  kinds: {}\n  outcomes: {}",
                u.name,
                and_below(subtree),
                f.persons,
                words(&f.by_level),
                words(&f.by_kind),
                words(&f.by_outcome)
            )
        )?;
    }
    Ok(())
}

async fn letters(
    store: &Store,
    unit: String,
    subtree: bool,
    (from, to, as_of): (&str, &str, &str),
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let (from, to, as_of) = (parse_date(from)?, parse_date(to)?, parse_date(as_of)?);
    if to < from {
        bail!(t!(
            "--to {to} 早于 --from {from}",
            "--to {to} is before --from {from}"
        ));
    }
    let m = store.letter_metrics(&u, subtree, from, to, as_of).await?;
    if console::json() {
        console::print_json(&m)?;
    } else {
        let pct = |r: &duban_domain::letters::Rate| {
            r.rate
                .map(|x| format!("{:.1}%", x * 100.0))
                .unwrap_or_else(|| "—".into())
        };
        out!(
            "{}",
            t!(
                "{}{}：{from} 至 {to} 收到 {} 件（截至 {as_of}）",
                "{}{}: {} received from {from} to {to} (as of {as_of})",
                u.name,
                and_below(subtree),
                m.received
            )
        )?;
        out!(
            "{}",
            t!(
                "  7 日内程序性回复：应回复 {}，按期 {}，逾期回复 {}，逾期未回复 {}，按期率 {}",
                "  procedural reply within 7 days: {} due, {} on time, {} late, {} overdue and open, on-time rate {}",
                m.ack.due,
                m.ack.on_time,
                m.ack.late,
                m.ack.overdue_open,
                pct(&m.ack)
            )
        )?;
        out!(
            "{}",
            t!(
                "  3 个月内答复：应答复 {}，按期 {}，逾期答复 {}，逾期未答复 {}，按期率 {}",
                "  answer within 3 months: {} due, {} on time, {} late, {} overdue and open, on-time rate {}",
                m.reply.due,
                m.reply.on_time,
                m.reply.late,
                m.reply.overdue_open,
                pct(&m.reply)
            )
        )?;
        out!(
            "{}",
            t!(
                "  其中补录 {} 件",
                "  of which recorded late: {}",
                m.recorded_late.unwrap_or(0)
            )
        )?;
        if let Some(a) = &m.assigned {
            out!(
                "{}",
                t!(
                    "  交办报告：应报告 {}，按期 {}，逾期报告 {}，逾期未报告 {}，按期率 {}",
                    "  reports on assignments: {} due, {} on time, {} late, {} overdue and open, on-time rate {}",
                    a.due,
                    a.on_time,
                    a.late,
                    a.overdue_open,
                    pct(a)
                )
            )?;
        }
        if let Some(s) = &m.satisfaction {
            out!(
                "{}",
                t!(
                    "  已告知来信人 {} 件；评价 {} 件：满意 {}，基本满意 {}，不满意 {}",
                    "  writers notified: {}; rated: {} (satisfied {}, mostly {}, not satisfied {})",
                    m.notified.unwrap_or(0),
                    s.rated,
                    s.satisfied,
                    s.basic,
                    s.unsatisfied
                )
            )?;
        }
    }
    Ok(())
}

async fn bulletin(
    store: &Store,
    scope: &Scope,
    plan: &[String],
    as_of: &str,
    format: String,
    out: Option<String>,
    contact: String,
) -> anyhow::Result<()> {
    let as_of = parse_date(as_of)?;
    let text_like = matches!(format.as_str(), "text" | "html");
    if !text_like && !matches!(format.as_str(), "pdf" | "docx") {
        anyhow::bail!(t!(
            "--format 须为 text、pdf、docx 或 html，而不是 {format:?}",
            "--format must be text, pdf, docx or html, not {format:?}"
        ));
    }
    if !text_like && out.is_none() && !console::json() {
        anyhow::bail!(t!(
            "--format {format} 须用 --out 指定输出文件",
            "--format {format} needs --out FILE"
        ));
    }
    let mut plans = Vec::new();
    for key in plan {
        plans.push(
            store
                .plan(scope, key)
                .await?
                .with_context(|| t!("没有整改方案 {key:?}", "no plan {key:?}"))?,
        );
    }
    let mut row = store
        .transient_document(duban_domain::documents::Kind::Bulletin, &plans, as_of)
        .await?;
    row.draft.contact = contact;
    let render = duban_publish::official::Official;
    let doc = store.compose_document(&row, &render).await?;
    if console::json() && out.is_none() {
        return console::print_json(&doc);
    }
    let bytes = match format.as_str() {
        "text" => duban_publish::official::text(&doc).into_bytes(),
        "html" => duban_publish::official::html_page(&doc).into_bytes(),
        "pdf" => duban_publish::official::pdf(&doc)?,
        _ => duban_publish::docx::docx(&doc)?,
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes)
                .with_context(|| t!("写入 {path} 失败", "writing {path}"))?;
            if console::json() {
                console::print_json(
                    &serde_json::json!({"out": path, "format": format, "bytes": bytes.len()}),
                )?;
            }
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}

async fn plan_stats(store: &Store, scope: &Scope, plan: &str, as_of: &str) -> anyhow::Result<()> {
    let as_of = parse_date(as_of)?;
    let p = store
        .plan(scope, plan)
        .await?
        .with_context(|| t!("没有整改方案 {plan:?}", "no plan {plan:?}"))?;
    let s = store.plan_stats(p.id, as_of).await?;
    let late = store.late_entries(p.id, as_of).await?;
    let adjusted = store.deadline_adjusted_tasks(p.id, as_of).await?;
    let v = serde_json::json!({"plan": p.title, "as_of": as_of.to_string(), "total": s.total,
        "immediate": s.immediate, "time_limited": s.time_limited, "long_term": s.long_term,
        "late_entries": late, "deadline_adjusted": adjusted});
    if console::json() {
        console::print_json(&v)?;
    } else {
        out!(
            "{}",
            t!(
                "{}（截至 {as_of}）：共 {} 项",
                "{} (as of {as_of}): {} tasks",
                p.title,
                s.total
            )
        )?;
        out!(
            "{}",
            t!(
                "  立行立改 {} 项：已完成 {}，未完成 {}，逾期 {}",
                "  immediate: {}, {} closed, {} open, {} overdue",
                s.immediate.total,
                s.immediate.closed,
                s.immediate.open,
                s.immediate.overdue
            )
        )?;
        out!(
            "{}",
            t!(
                "  限期整改 {} 项：已完成 {}，未完成 {}，逾期 {}",
                "  time-limited: {}, {} closed, {} open, {} overdue",
                s.time_limited.total,
                s.time_limited.closed,
                s.time_limited.open,
                s.time_limited.overdue
            )
        )?;
        out!(
            "{}",
            t!(
                "  长期整改 {} 项：已取得阶段性成效 {}，逾期 {}",
                "  long-term: {}, {} with staged results, {} overdue",
                s.long_term.total,
                s.long_term.with_staged_results,
                s.long_term.overdue
            )
        )?;
        out!(
            "{}",
            t!(
                "  台账中补录 {late} 条；经审批调整期限的任务 {adjusted} 项",
                "  {late} ledger entries recorded late; {adjusted} tasks with an approved new deadline"
            )
        )?;
    }
    Ok(())
}
