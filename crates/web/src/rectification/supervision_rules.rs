//! The supervision rules (lights, urging, reviewers, letter clocks, grants, integrity).
use super::*;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::kit::*;
use crate::kit::{Ctx, ctx};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use duban_domain::rectification::{self as rules, LightRules};
use serde::Deserialize;

// ---- supervision rules (administrators) ----

#[derive(Template)]
#[template(path = "rules.html")]
pub(crate) struct RulesPage {
    ctx: Ctx,
    rules: rules::SupervisionRules,
    can_edit: bool,
    flash: Option<String>,
    error: Option<String>,
}

pub(crate) async fn rules_view(
    st: &AppState,
    v: &Viewer,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let page = RulesPage {
        ctx: ctx(v, "/rectification/rules"),
        rules: st.store.supervision_rules().await?,
        can_edit: allowed(v.user.role, Action::SetSupervisionRules),
        flash,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub(crate) async fn rules_page(State(st): State<AppState>, v: Viewer) -> PageResult {
    rules_view(&st, &v, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct RulesForm {
    due_soon_days: String,
    stale_days: String,
    staged_every_days: String,
    yellow_after_days: String,
    red_after_days: String,
    reviewer_discipline: Option<String>,
    reviewer_office: Option<String>,
    // the letters' clocks (a form without them keeps them)
    #[serde(default)]
    ack_days: String,
    #[serde(default)]
    assign_report_days: String,
    #[serde(default)]
    ack_counting: String,
    #[serde(default)]
    reply_months: String,
    #[serde(default)]
    reply_counting: String,
    #[serde(default)]
    progress_every_months: String,
    #[serde(default)]
    records_remind_day: String,
    // the under-reporting thresholds
    #[serde(default)]
    flag_z: String,
    #[serde(default)]
    flag_min_staff_months: String,
    #[serde(default)]
    flag_zero_streak_months: String,
    #[serde(default)]
    flag_drop_ratio: String,
    #[serde(default)]
    flag_alpha: String,
    // roles granted the records' details (checkboxes)
    grant_leader: Option<String>,
    grant_office: Option<String>,
    grant_admin: Option<String>,
    #[serde(default)]
    ledger_grace_days: String,
    #[serde(default)]
    letter_grace_working_days: String,
    // the discipline desk's time limits, in days (a form without them keeps them)
    #[serde(default)]
    clue_undisposed: String,
    #[serde(default)]
    clue_talk: String,
    #[serde(default)]
    clue_verify: String,
    #[serde(default)]
    clue_hold: String,
    #[serde(default)]
    clue_close: String,
}

pub(crate) async fn set_rules(
    State(st): State<AppState>,
    v: Viewer,
    crate::auth::Form(f): crate::auth::Form<RulesForm>,
) -> PageResult {
    let days = |raw: &str, label: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| format!("“{label}”应为整数天数"))
    };
    let current = st.store.supervision_rules().await?;
    let old = current.letter_clocks;
    let count = |raw: &str, label: &str, old: u32| {
        if raw.trim().is_empty() {
            return Ok(old);
        }
        raw.trim()
            .parse::<u32>()
            .map_err(|_| format!("“{label}”应为正整数"))
    };
    let counting = |raw: &str, old| {
        if raw.trim().is_empty() {
            return Ok(old);
        }
        duban_domain::calendar::Counting::parse(raw)
            .ok_or_else(|| "计算方式只能是自然日或工作日".to_string())
    };
    let parsed: Result<rules::SupervisionRules, String> = (|| {
        use duban_domain::org::Role;
        let mut reviewers = Vec::new();
        if f.reviewer_discipline.is_some() {
            reviewers.push(Role::Discipline);
        }
        if f.reviewer_office.is_some() {
            reviewers.push(Role::Office);
        }
        Ok(rules::SupervisionRules {
            lights: LightRules {
                due_soon_days: days(&f.due_soon_days, "临近期限天数")?,
                stale_days: days(&f.stale_days, "未登记台账天数")?,
                staged_every_days: days(&f.staged_every_days, "阶段性成效报送周期")?,
            },
            urging: rules::urging::UrgeRules {
                yellow_after_days: days(&f.yellow_after_days, "逾期几天发黄色督办单")?,
                red_after_days: days(&f.red_after_days, "逾期几天发红色督办单")?,
            },
            reviewers,
            letter_clocks: duban_domain::letters::ClockRules {
                ack_days: count(&f.ack_days, "程序性回复期限", old.ack_days)?,
                ack_counting: counting(&f.ack_counting, old.ack_counting)?,
                reply_months: count(&f.reply_months, "办理过程或结果答复期限", old.reply_months)?,
                reply_counting: counting(&f.reply_counting, old.reply_counting)?,
                progress_every_months: count(
                    &f.progress_every_months,
                    "办理进展答复周期",
                    old.progress_every_months,
                )?,
                assign_report_days: count(
                    &f.assign_report_days,
                    "交办报告期限",
                    old.assign_report_days,
                )?,
            },
            records_remind_day: count(
                &f.records_remind_day,
                "三个规定报送提醒日",
                current.records_remind_day,
            )?,
            records_flags: {
                let old = current.records_flags;
                let real = |raw: &str, label: &str, old: f64| {
                    if raw.trim().is_empty() {
                        return Ok(old);
                    }
                    raw.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| format!("“{label}”应为数值"))
                };
                duban_domain::records::FlagRules {
                    z: real(&f.flag_z, "稳健 z 值阈值", old.z)?,
                    min_staff_months: u64::from(count(
                        &f.flag_min_staff_months,
                        "最小人月数",
                        u32::try_from(old.min_staff_months).unwrap_or(u32::MAX),
                    )?),
                    zero_streak_months: count(
                        &f.flag_zero_streak_months,
                        "连续无记录月数",
                        old.zero_streak_months as u32,
                    )? as usize,
                    drop_ratio: real(&f.flag_drop_ratio, "骤降比例", old.drop_ratio)?,
                    alpha: real(&f.flag_alpha, "显著性水平", old.alpha)?,
                }
            },
            clue_limits: {
                let old = current.clue_limits;
                let days = |raw: &str, what: &str, old: i64| -> Result<i64, String> {
                    Ok(count(raw, what, old as u32)? as i64)
                };
                duban_domain::discipline::ClueLimits {
                    undisposed: days(&f.clue_undisposed, "线索处置期限", old.undisposed)?,
                    talk: days(&f.clue_talk, "谈话函询期限", old.talk)?,
                    verify: days(&f.clue_verify, "初步核实期限", old.verify)?,
                    hold: days(&f.clue_hold, "暂存待查期限", old.hold)?,
                    close: days(&f.clue_close, "予以了结期限", old.close)?,
                }
            },
            integrity: rules::IntegrityRules {
                ledger_grace_days: count(
                    &f.ledger_grace_days,
                    "台账补录期限",
                    current.integrity.ledger_grace_days as u32,
                )? as i64,
                letter_grace_working_days: count(
                    &f.letter_grace_working_days,
                    "来信办理补录期限",
                    current.integrity.letter_grace_working_days as u32,
                )? as i64,
            },
            records_detail_roles: [
                (&f.grant_leader, Role::Leader),
                (&f.grant_office, Role::Office),
                (&f.grant_admin, Role::Admin),
            ]
            .iter()
            .filter(|(on, _)| on.is_some())
            .map(|(_, r)| *r)
            .collect(),
        })
    })();
    let result = match parsed {
        Ok(r) => st
            .store
            .set_supervision_rules(&v.user.actor(), &r)
            .await
            .map_err(AppError::from),
        Err(m) => Err(AppError::BadRequest(m)),
    };
    match result.map_err(|e| e.localized(v.t)) {
        Ok(()) => rules_view(&st, &v, Some(v.t.s("rules.saved").into()), None).await,
        Err(e) => {
            let m = form_error(e, v.t)?;
            rules_view(&st, &v, None, Some(m)).await
        }
    }
}
