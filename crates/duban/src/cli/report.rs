//! Reports: the figures of the bulletin from the data, one function per report.
use crate::*;
use anyhow::{Context, bail};
use duban_domain::calendar::parse_date;
use duban_store::{Scope, Store};
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    let Cmd::Report { cmd } = cmd else {
        bail!("not a command of this group")
    };
    let scope = national_scope(&store).await?;
    match cmd {
        ReportCmd::Plans { json } => plans(&store, &scope, json).await?,
        ReportCmd::Records {
            unit,
            subtree,
            from,
            to,
            json,
        } => records(&store, unit, subtree, &from, &to, json).await?,
        ReportCmd::CaseRatio {
            unit,
            subtree,
            from,
            to,
            case_type,
            tag,
            json,
        } => case_ratio(&store, unit, subtree, (&from, &to), case_type, tag, json).await?,
        ReportCmd::Letters {
            unit,
            subtree,
            from,
            to,
            as_of,
            json,
        } => letters(&store, unit, subtree, (&from, &to, &as_of), json).await?,
        ReportCmd::Bulletin {
            plan,
            as_of,
            format,
            out,
            contact,
        } => bulletin(&store, &scope, &plan, &as_of, format, out, contact).await?,
        ReportCmd::PlanStats { plan, as_of, json } => {
            plan_stats(&store, &scope, &plan, &as_of, json).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn unit_by_code(store: &Store, unit: &str) -> anyhow::Result<duban_store::org::Unit> {
    store
        .unit_by_code(unit)
        .await?
        .with_context(|| format!("no unit {unit}"))
}

async fn plans(store: &Store, scope: &Scope, json: bool) -> anyhow::Result<()> {
    let plans = store.plans(scope).await?;
    if json {
        let v: Vec<_> = plans.iter().map(|p| serde_json::json!({"id": p.id, "title": p.title, "unit": p.unit_name, "body": p.body, "tasks": p.tasks})).collect();
        out!("{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        for p in plans {
            out!(
                "{:>4}  {}  ({}, {} 项)",
                p.id,
                p.title,
                p.unit_name,
                p.tasks
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
    json: bool,
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let month = |s: &str| duban_domain::records::Month::parse(s).map_err(|e| anyhow::anyhow!(e));
    let (from, to) = (month(from)?, month(to)?);
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    let c = store.record_counts(&u, subtree, from, to).await?;
    if json {
        out!("{}", serde_json::to_string_pretty(&c)?)?;
    } else {
        out!(
            "{}{}：{from} 至 {to}，人员 {}，记录 {} 件，零报告 {} 人次，未报送 {} 人次",
            u.name,
            if subtree { "及下级" } else { "" },
            c.staff,
            c.records,
            c.zero_reports,
            c.not_filed
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
    json: bool,
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let date = |s: &str| duban_domain::calendar::parse_date(s);
    let (from, to) = (date(from)?, date(to)?);
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    if let Some(t) = &case_type
        && !duban_domain::quality::CASE_TYPES.contains(&t.as_str())
    {
        bail!(
            "未知的案件类型“{t}”（{}）",
            duban_domain::quality::CASE_TYPES.join("、")
        );
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
    if json {
        out!("{}", serde_json::to_string_pretty(&f.report())?)?;
    } else {
        out!(
            "{}{}：{from} 至 {to}，案 {}，件 {}，案件比 {}；审结 {} 件，其中认罪认罚 {} 件",
            u.name,
            if subtree { "及下级" } else { "" },
            f.ratio.an,
            f.ratio.jian,
            f.ratio.display(),
            f.concluded,
            f.with_plea
        )?;
    }
    Ok(())
}

async fn letters(
    store: &Store,
    unit: String,
    subtree: bool,
    (from, to, as_of): (&str, &str, &str),
    json: bool,
) -> anyhow::Result<()> {
    let u = unit_by_code(store, &unit).await?;
    let (from, to, as_of) = (parse_date(from)?, parse_date(to)?, parse_date(as_of)?);
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    let m = store.letter_metrics(&u, subtree, from, to, as_of).await?;
    if json {
        out!("{}", serde_json::to_string_pretty(&m)?)?;
    } else {
        let pct = |r: &duban_domain::letters::Rate| {
            r.rate
                .map(|x| format!("{:.1}%", x * 100.0))
                .unwrap_or_else(|| "—".into())
        };
        out!(
            "{}{}：{from} 至 {to} 收到 {} 件（截至 {as_of}）",
            u.name,
            if subtree { "及下级" } else { "" },
            m.received
        )?;
        out!(
            "  7 日内程序性回复：应回复 {}，按期 {}，逾期回复 {}，逾期未回复 {}，按期率 {}",
            m.ack.due,
            m.ack.on_time,
            m.ack.late,
            m.ack.overdue_open,
            pct(&m.ack)
        )?;
        out!(
            "  3 个月内答复：应答复 {}，按期 {}，逾期答复 {}，逾期未答复 {}，按期率 {}",
            m.reply.due,
            m.reply.on_time,
            m.reply.late,
            m.reply.overdue_open,
            pct(&m.reply)
        )?;
        out!("  其中补录 {} 件", m.recorded_late.unwrap_or(0))?;
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
        anyhow::bail!("--format 须为 text、pdf、docx 或 html，而不是 {format:?}");
    }
    if !text_like && out.is_none() {
        anyhow::bail!("--format {format} 须用 --out 指定输出文件");
    }
    let mut plans = Vec::new();
    for key in plan {
        plans.push(
            store
                .plan(scope, key)
                .await?
                .with_context(|| format!("没有整改方案 {key:?}"))?,
        );
    }
    let mut row = store
        .transient_document(duban_domain::documents::Kind::Bulletin, &plans, as_of)
        .await?;
    row.draft.contact = contact;
    let render = duban_publish::official::Official;
    let doc = store.compose_document(&row, &render).await?;
    let bytes = match format.as_str() {
        "text" => duban_publish::official::text(&doc).into_bytes(),
        "html" => duban_publish::official::html_page(&doc).into_bytes(),
        "pdf" => duban_publish::official::pdf(&doc)?,
        _ => duban_publish::docx::docx(&doc)?,
    };
    match out {
        Some(path) => std::fs::write(&path, &bytes).with_context(|| format!("写入 {path} 失败"))?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}

async fn plan_stats(
    store: &Store,
    scope: &Scope,
    plan: &str,
    as_of: &str,
    json: bool,
) -> anyhow::Result<()> {
    let as_of = parse_date(as_of)?;
    let p = store
        .plan(scope, plan)
        .await?
        .with_context(|| format!("no plan {plan:?}"))?;
    let s = store.plan_stats(p.id, as_of).await?;
    let late = store.late_entries(p.id, as_of).await?;
    let adjusted = store.deadline_adjusted_tasks(p.id, as_of).await?;
    let v = serde_json::json!({"plan": p.title, "as_of": as_of.to_string(), "total": s.total,
        "immediate": s.immediate, "time_limited": s.time_limited, "long_term": s.long_term,
        "late_entries": late, "deadline_adjusted": adjusted});
    if json {
        out!("{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        out!("{}（截至 {as_of}）：共 {} 项", p.title, s.total)?;
        out!(
            "  立行立改 {} 项：已完成 {}，未完成 {}，逾期 {}",
            s.immediate.total,
            s.immediate.closed,
            s.immediate.open,
            s.immediate.overdue
        )?;
        out!(
            "  限期整改 {} 项：已完成 {}，未完成 {}，逾期 {}",
            s.time_limited.total,
            s.time_limited.closed,
            s.time_limited.open,
            s.time_limited.overdue
        )?;
        out!(
            "  长期整改 {} 项：已取得阶段性成效 {}，逾期 {}",
            s.long_term.total,
            s.long_term.with_staged_results,
            s.long_term.overdue
        )?;
        out!("  台账中补录 {late} 条；经审批调整期限的任务 {adjusted} 项")?;
    }
    Ok(())
}
