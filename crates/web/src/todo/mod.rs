//! The workbench (工作台): the home page's 待办 with counts, each opening its list
//! (`/todo/{kind}`); the same through `GET /api/v1/todo`. The kinds and what counts are the
//! domain's and the store's; this module only shows them.
pub mod api;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::kit::{Ctx, PageResult, ctx, html};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use duban_domain::todo::Kind;
use duban_store::todo::Item;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/home", get(home))
        .route("/todo/{kind}", get(list))
}

/// One line of the workbench.
pub(crate) struct Line {
    pub kind: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
}

pub(crate) fn href(kind: Kind) -> String {
    format!("/todo/{}", kind.as_str())
}

pub(crate) fn label(t: Tr, kind: Kind) -> &'static str {
    t.s(&format!("todo.{}", kind.as_str()))
}

/// One line of 已办: when, what, and the page of what it was done to (when it has one).
pub(crate) struct Done {
    pub at: String,
    pub action: String,
    pub href: Option<String>,
}

/// How many of an account's own actions 已办 shows.
pub(crate) const DONE: u16 = 15;

/// The page of what an audited action was done to.
pub(crate) fn done_href(entity: &str, id: &str) -> Option<String> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let base = match entity {
        "task" => "/rectification/tasks",
        "plan" => "/rectification/plans",
        "notice" => "/rectification/notices",
        "meeting" => "/rectification/meetings",
        "letter" => "/letters",
        "document" => "/documents",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    children: i64,
    duty: &'static str,
    today: String,
    lines: Vec<Line>,
    done: Vec<Done>,
}

async fn home(State(st): State<AppState>, v: Viewer) -> PageResult {
    let children = st.store.count_children(v.user.unit_id).await?;
    let duty = v.t.s(&format!("duty.{}", v.user.role.as_str()));
    let lines = st
        .store
        .todo(&v.user)
        .await?
        .into_iter()
        .map(|(k, count)| Line {
            kind: k.as_str(),
            label: label(v.t, k),
            count,
            href: href(k),
        })
        .collect();
    let done = st
        .store
        .done_by(v.user.id, DONE)
        .await?
        .into_iter()
        .map(|e| Done {
            href: done_href(&e.entity, &e.entity_id),
            action: v.t.audit_action(&e.action).to_string(),
            at: e.at,
        })
        .collect();
    html(HomePage {
        ctx: ctx(&v, "/home"),
        children,
        duty,
        today: v.today.to_string(),
        lines,
        done,
    })
}

#[derive(Template)]
#[template(path = "todo.html")]
struct ListPage {
    ctx: Ctx,
    title: &'static str,
    count: i64,
    items: Vec<Item>,
    next: Option<String>,
    paged: bool,
    kind: &'static str,
    en: bool,
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    after: Option<String>,
}

async fn list(
    State(st): State<AppState>,
    v: Viewer,
    Path(kind): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let kind = Kind::parse(&kind).ok_or(AppError::NotFound)?;
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let l = st.store.todo_list(&v.user, kind, after).await?;
    html(ListPage {
        ctx: ctx(&v, "/home"),
        title: label(v.t, kind),
        count: l.count,
        items: l.items,
        next: l.next.map(|n| crate::kit::percent_encode(&n)),
        paged: after.is_some(),
        kind: kind.as_str(),
        en: v.t.0 == crate::i18n::Lang::En,
    })
}
