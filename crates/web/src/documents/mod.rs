//! Official documents in the browser: drafts with a live preview and history, publication, the
//! PDF/DOCX/HTML downloads, and the public pages of published bulletins and case batches with
//! their feedback channel (意见建议, which becomes a letter with its two clocks).
pub mod api;
use crate::AppState;
use crate::auth::{Form, Viewer, Visitor};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::kit::ClientAddr;
use crate::kit::{Ctx, ctx, require};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use duban_domain::access::{Action, allowed};
use duban_domain::documents::{Document, Draft, Kind, TOKENS, TypicalCase};
use duban_publish::official::{self, Official};
use duban_store::documents::{DocRow, DraftVersion, Selection};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(list).post(create))
        .route("/documents/{id}", get(show).post(save))
        .route("/documents/{id}/publish", post(publish))
        .route("/documents/{id}/sign", post(sign))
        .route("/documents/{id}/version", post(version))
        .route("/documents/{id}/file.{ext}", get(file))
        .route("/public/bulletins", get(public_list))
        .route("/public/audit-anchor.json", get(public_anchor))
        .route("/public/bulletins/{id}", get(public_show).post(feedback))
        .route("/public/bulletins/{id}/file.pdf", get(public_pdf))
}

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage {
    ctx: Ctx,
    docs: Vec<DocRow>,
    plans: Vec<duban_store::rectification::Plan>,
    owed: Vec<(duban_store::rectification::Round, bool)>,
    /// the kinds the viewer reads (the filter) and may draft (the new document's choice)
    kinds: Vec<Kind>,
    draftable: Vec<Kind>,
    can_edit: bool,
    today: String,
    error: Option<String>,
    /// the list's filters as asked, and where the next page starts
    kind: String,
    state: String,
    paged: bool,
    next: Option<i64>,
}

impl ListPage {
    /// The list with the same filters, from the start or before an id.
    fn href(&self, before: Option<&i64>) -> String {
        crate::kit::link(
            "/documents",
            &[
                ("kind", self.kind.clone()),
                ("state", self.state.clone()),
                ("before", before.map(i64::to_string).unwrap_or_default()),
            ],
        )
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    state: String,
    before: Option<i64>,
}

/// Documents on one page of the list.
const DOCS_PAGE: i64 = 50;

async fn list_view(st: &AppState, v: &Viewer, q: ListQuery, error: Option<String>) -> PageResult {
    require(v, Action::ReadDocuments)?;
    let scope = v.user.scope();
    let kind = match q.kind.trim() {
        "" => None,
        k => {
            Some(Kind::parse(k).ok_or_else(|| AppError::BadRequest(format!("公文类别“{k}”无效")))?)
        }
    };
    let state = Some(q.state.trim()).filter(|s| !s.is_empty());
    let (docs, next) = st
        .store
        .documents_page(&scope, Some(v.user.role), kind, state, q.before, DOCS_PAGE)
        .await?;
    let page = ListPage {
        ctx: ctx(v, "/documents"),
        docs,
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        state: state.unwrap_or("").to_string(),
        paged: q.before.is_some(),
        next,
        // a document is the unit's own: it draws on the unit's plans (copies' figures roll up)
        plans: st.store.plans_of_unit(&scope, v.user.unit_id).await?,
        owed: st.store.reports_owed(&scope).await?,
        kinds: Kind::ALL
            .iter()
            .copied()
            .filter(|k| {
                !k.confidential() || duban_domain::documents::reads_confidential(Some(v.user.role))
            })
            .collect(),
        draftable: Kind::ALL
            .iter()
            .copied()
            .filter(|k| duban_domain::documents::may_draft(Some(v.user.role), *k).is_ok())
            .collect(),
        can_edit: allowed(v.user.role, Action::ManageDocuments),
        today: st.store.today().to_string(),
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn list(
    State(st): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> PageResult {
    list_view(&st, &v, q, None).await
}

fn date(raw: &str) -> Result<chrono::NaiveDate, AppError> {
    duban_domain::calendar::parse_date(raw).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The form posts `plans` once per ticked plan.
async fn create(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.as_str())
            .unwrap_or("")
    };
    let r: Result<i64, AppError> = async {
        let kind = Kind::parse(get("kind"))
            .ok_or_else(|| AppError::BadRequest("请选择公文类别".into()))?;
        let as_of = date(get("as_of"))?;
        let plans: Vec<i64> = f
            .iter()
            .filter(|(n, _)| n == "plans")
            .filter_map(|(_, x)| x.parse().ok())
            .collect();
        let unit = st
            .store
            .unit(v.user.unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(st
            .store
            .create_document(&v.user.actor(), &v.user.scope(), &unit, kind, &plans, as_of)
            .await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => list_view(&st, &v, ListQuery::default(), Some(m)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocPage {
    ctx: Ctx,
    doc: DocRow,
    /// the composed document as HTML (frozen once published), or why it cannot be composed
    preview: Result<String, String>,
    history: Vec<DraftVersion>,
    tokens: &'static [(&'static str, &'static str)],
    can_edit: bool,
    /// the domain's decisions on this draft for the reader: may they sign it off, publish it
    can_sign: bool,
    can_publish: bool,
    error: Option<String>,
    removed: Vec<String>,
    flash: Option<String>,
    /// what a special report may name: (id, label, ticked)
    task_options: Vec<(i64, String, bool)>,
    meeting_options: Vec<(i64, String, bool)>,
    /// the cases of a batch, one a block: 编号|标题|摘要
    cases: String,
}

fn cases_text(cases: &[TypicalCase]) -> String {
    cases
        .iter()
        .map(|c| {
            format!(
                "{}｜{}｜{}",
                c.case_ref,
                c.title,
                c.summary.replace('\n', " ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn composed(
    st: &AppState,
    v: &Viewer,
    doc: &DocRow,
) -> Result<Result<Document, String>, AppError> {
    if doc.published {
        let (_, d) = st
            .store
            .published_document(doc.id, Some((&v.user.scope(), Some(v.user.role))))
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(Ok(d));
    }
    match st.store.compose_document(doc, &Official).await {
        Ok(d) => Ok(Ok(d)),
        Err(duban_store::StoreError::Invalid(m)) => Ok(Err(m)),
        Err(e) => Err(e.into()),
    }
}

async fn doc_view(
    st: &AppState,
    v: &Viewer,
    doc: DocRow,
    error: Option<String>,
    removed: Vec<String>,
    flash: Option<String>,
) -> PageResult {
    let preview = composed(st, v, &doc).await?.map(|d| official::html(&d));
    let facts = duban_domain::documents::SignFacts {
        unit_id: doc.unit_id,
        published: doc.published,
        signed: doc.signed_at.is_some(),
    };
    let page = DocPage {
        ctx: ctx(v, "/documents"),
        history: st
            .store
            .document_history(&v.user.scope(), Some(v.user.role), doc.id)
            .await?,
        task_options: if doc.kind == Kind::Special {
            let mut v = Vec::new();
            for p in &doc.plan_ids {
                for t in st.store.tasks(*p).await? {
                    let on = doc.selection.tasks.contains(&t.id);
                    v.push((t.id, format!("{}. {}", t.seq, t.title), on));
                }
            }
            v
        } else {
            Vec::new()
        },
        meeting_options: if doc.kind == Kind::Special {
            st.store
                .meetings(&v.user.scope())
                .await?
                .into_iter()
                .map(|m| {
                    let on = doc.selection.meetings.contains(&m.id);
                    (m.id, format!("{} {}", m.held_on, m.title), on)
                })
                .collect()
        } else {
            Vec::new()
        },
        cases: cases_text(&doc.selection.cases),
        doc,
        preview,
        tokens: TOKENS,
        can_edit: allowed(v.user.role, Action::ManageDocuments),
        can_sign: duban_domain::documents::may_sign(
            Some((v.user.role, &v.user.scope())),
            &facts,
            "",
        )
        .is_ok(),
        can_publish: duban_domain::documents::may_publish(Some(v.user.role), &facts).is_ok(),
        error: error.clone(),
        removed,
        flash,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn load(st: &AppState, v: &Viewer, id: i64) -> Result<DocRow, AppError> {
    require(v, Action::ReadDocuments)?;
    st.store
        .document(&v.user.scope(), Some(v.user.role), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn show(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let doc = load(&st, &v, id).await?;
    doc_view(&st, &v, doc, None, vec![], None).await
}

/// The draft form: its fields, and the ticked tasks and meetings of a special report (repeated
/// `task` and `meeting` fields).
struct SaveForm {
    fields: Vec<(String, String)>,
}

impl SaveForm {
    fn get(&self, k: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn ids(&self, k: &str, what: &str) -> Result<Vec<i64>, AppError> {
        self.fields
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| {
                v.trim()
                    .parse()
                    .map_err(|_| AppError::BadRequest(format!("{what}编号“{}”应为数字", v.trim())))
            })
            .collect()
    }
}

/// One case a line: 编号｜标题｜摘要 (｜ or |).
fn parse_cases(raw: &str) -> Result<Vec<TypicalCase>, AppError> {
    raw.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let parts: Vec<&str> = l.splitn(3, ['|', '｜']).collect();
            match parts.as_slice() {
                [r, t, s] if !t.trim().is_empty() => Ok(TypicalCase {
                    case_ref: r.trim().to_string(),
                    title: t.trim().to_string(),
                    summary: s.trim().to_string(),
                }),
                _ => Err(AppError::BadRequest(format!(
                    "案例第 {} 行应为“案件编号｜案例标题｜案情摘要”",
                    i + 1
                ))),
            }
        })
        .collect()
}

async fn save(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = SaveForm { fields };
    let mut doc = load(&st, &v, id).await?;
    let draft = Draft {
        title: f.get("title"),
        issuer: f.get("issuer"),
        doc_no: f.get("doc_no"),
        recipient: f.get("recipient"),
        signature: f.get("signature"),
        body: f.get("body").replace("\r\n", "\n"),
        contact: f.get("contact"),
    };
    let r: Result<Vec<String>, AppError> = async {
        let as_of = date(&f.get("as_of"))?;
        let selection = Selection {
            tasks: f.ids("task", "任务")?,
            meetings: f.ids("meeting", "会议")?,
            cases: parse_cases(&f.get("cases"))?,
        };
        let removed = st
            .store
            .save_document(
                &v.user.actor(),
                &v.user.scope(),
                id,
                &draft,
                &selection,
                as_of,
            )
            .await?;
        Ok(removed)
    }
    .await;
    match r {
        Ok(removed) => {
            let doc = load(&st, &v, id).await?;
            doc_view(
                &st,
                &v,
                doc,
                None,
                removed,
                Some(v.t.s("documents.saved").into()),
            )
            .await
        }
        Err(AppError::BadRequest(m)) => {
            // keep what was typed
            doc.draft = draft;
            doc_view(&st, &v, doc, Some(m), vec![], None).await
        }
        Err(e) => Err(e),
    }
}

async fn publish(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let doc = load(&st, &v, id).await?;
    // typesetting is CPU work: off the async workers
    let store = st.store.clone();
    let (actor, scope) = (v.user.actor(), v.user.scope());
    let r = tokio::task::spawn_blocking(move || {
        tokio::runtime::Handle::current()
            .block_on(store.publish_document(&actor, &scope, id, &Official))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match r.map_err(|e| AppError::from(e).localized(v.t)) {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => doc_view(&st, &v, doc, Some(m), vec![], None).await,
        Err(e) => Err(e),
    }
}

/// Sign-off (签发) by a leader of the issuing unit, with an optional opinion.
async fn sign(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let doc = load(&st, &v, id).await?;
    let opinion = fields
        .iter()
        .find(|(k, _)| k == "opinion")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let r = st.store.sign_document(&v.user.actor(), id, opinion).await;
    match r.map_err(|e| AppError::from(e).localized(v.t)) {
        Ok(()) => {
            let doc = load(&st, &v, id).await?;
            let flash = Some(v.t.s("documents.signed_flash").to_string());
            doc_view(&st, &v, doc, None, vec![], flash).await
        }
        Err(AppError::BadRequest(m)) => doc_view(&st, &v, doc, Some(m), vec![], None).await,
        Err(e) => Err(e),
    }
}

async fn version(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let new = st
        .store
        .new_version(&v.user.actor(), &v.user.scope(), id)
        .await?;
    Ok(Redirect::to(&format!("/documents/{new}")).into_response())
}

/// PDF, DOCX or HTML of a document: the frozen ones once published, the live composition of a
/// draft otherwise.
async fn file(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, ext)): Path<(i64, String)>,
) -> PageResult {
    let doc = load(&st, &v, id).await?;
    if doc.published && ext == "pdf" {
        let pdf = st.store.document_pdf(id).await?.ok_or(AppError::NotFound)?;
        return Ok(crate::kit::download(
            &format!("{}.pdf", doc.draft.title),
            "application/pdf".into(),
            pdf,
        ));
    }
    let d = composed(&st, &v, &doc)
        .await?
        .map_err(AppError::BadRequest)?;
    Ok(match ext.as_str() {
        "pdf" => {
            let pdf = tokio::task::spawn_blocking(move || official::pdf(&d))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
            crate::kit::download(
                &format!("{}（草稿）.pdf", doc.draft.title),
                "application/pdf".into(),
                pdf,
            )
        }
        "docx" => crate::kit::download(
            &format!("{}.docx", doc.draft.title),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
            duban_publish::docx::docx(&d).map_err(|e| AppError::Internal(e.to_string()))?,
        ),
        "html" => crate::kit::download(
            &format!("{}.html", doc.draft.title),
            "text/html; charset=utf-8".into(),
            official::html_page(&d).into_bytes(),
        ),
        _ => return Err(AppError::NotFound),
    })
}

#[derive(Template)]
#[template(path = "public_documents.html")]
struct PublicList {
    t: Tr,
    docs: Vec<DocRow>,
    /// the audit chain's latest signed head, published for anyone to check history against
    anchor: Option<duban_domain::anchor::Anchor>,
}

async fn public_list(State(st): State<AppState>, v: Visitor) -> PageResult {
    let page = PublicList {
        t: Tr(v.0.lang),
        docs: st.store.public_documents().await?,
        anchor: st.store.latest_anchor().await?,
    };
    Ok(Html(page.render()?).into_response())
}

/// The latest signed head of the audit chain, as JSON to keep and check with
/// `duban audit verify --anchor FILE`.
async fn public_anchor(State(st): State<AppState>) -> PageResult {
    let a = st.store.latest_anchor().await?.ok_or(AppError::NotFound)?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )],
        serde_json::to_string_pretty(&a).unwrap_or_default(),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "public_document.html")]
struct PublicPage {
    t: Tr,
    csrf: String,
    doc: DocRow,
    html: String,
    error: Option<String>,
    code: Option<String>,
    name: String,
    phone: String,
    content: String,
}

async fn public_page(st: &AppState, v: &Visitor, id: i64) -> Result<PublicPage, AppError> {
    let (doc, composed) = st
        .store
        .published_document(id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicPage {
        t: Tr(v.0.lang),
        csrf: v.0.csrf.clone(),
        html: official::html(&composed),
        doc,
        error: None,
        code: None,
        name: String::new(),
        phone: String::new(),
        content: String::new(),
    })
}

async fn public_show(State(st): State<AppState>, v: Visitor, Path(id): Path<i64>) -> PageResult {
    Ok(Html(public_page(&st, &v, id).await?.render()?).into_response())
}

async fn public_pdf(State(st): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let (doc, _) = st
        .store
        .published_document(id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    let pdf = st.store.document_pdf(id).await?.ok_or(AppError::NotFound)?;
    Ok(crate::kit::download(
        &format!("{}.pdf", doc.draft.title),
        "application/pdf".into(),
        pdf,
    ))
}

#[derive(Deserialize)]
struct FeedbackForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    content: String,
}

/// 意见建议 on a published document: a letter to the issuing unit, with both clocks.
async fn feedback(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Path(id): Path<i64>,
    Form(f): Form<FeedbackForm>,
) -> PageResult {
    let mut page = public_page(&st, &v, id).await?;
    page.name = f.name.chars().take(50).collect();
    page.phone = f.phone.chars().take(30).collect();
    page.content = f
        .content
        .chars()
        .take(duban_domain::import::LETTER_MAX_CHARS)
        .collect();
    let r: Result<String, AppError> = async {
        if !st.letters_limiter.allow(&addr.0).await {
            return Err(AppError::TooManyRequests);
        }
        if f.content.trim().is_empty() {
            return Err(AppError::BadRequest("请填写意见建议".into()));
        }
        let petitioner = duban_domain::text::optional(&f.name, 50)
            .map_err(|e| AppError::BadRequest(format!("姓名{e}")))?;
        let letter = duban_store::letters::NewLetter {
            unit_id: page.doc.unit_id,
            received_on: st.store.today(),
            channel: duban_domain::letters::Channel::Online,
            category: duban_domain::letters::LetterCategory::Suggestion,
            petitioner,
            phone: f.phone.trim().to_string(),
            id_number: String::new(),
            address: String::new(),
            email: String::new(),
            content: format!(
                "【对《{}》的意见建议】\n{}",
                page.doc.draft.title,
                f.content.replace("\r\n", "\n")
            ),
            files: vec![],
        };
        Ok(st
            .store
            .submit_letter(&duban_store::Actor::system("public"), &letter)
            .await?
            .1)
    }
    .await;
    let status = match r {
        Ok(code) => {
            page.code = Some(code);
            page.content.clear();
            StatusCode::OK
        }
        Err(AppError::BadRequest(m)) => {
            page.error = Some(m);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::TooManyRequests) => {
            page.error = Some(page.t.s("error.too_many").into());
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(e) => return Err(e),
    };
    Ok((status, Html(page.render()?)).into_response())
}
