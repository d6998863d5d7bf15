//! The public's side: the form anyone can use without signing in, the query code shown once, the
//! status page that code opens and the rating of the reply. Limited per client address.
use crate::AppState;
use crate::auth::{Form, Visitor};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::kit::ClientAddr;
use crate::kit::PageResult;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use duban_domain::letters::{Channel, LetterCategory};
use duban_store::letters::{NewLetter, PublicStatus};
use serde::Deserialize;

/// A unit the public may write to.
pub struct Addressee {
    pub id: i64,
    pub name: String,
}

/// One level of the form's unit choice: its field, its options, the chosen one (0 for none).
pub(crate) struct Level {
    pub field: &'static str,
    pub label: &'static str,
    pub options: Vec<Addressee>,
    pub chosen: i64,
}

/// The form's three cascading choices (the SPP or a province; a city-level unit; a county-level
/// unit) filled for a chosen unit: each level lists the children of the level above's choice.
pub(crate) async fn levels(st: &AppState, chosen: Option<i64>) -> Result<Vec<Level>, AppError> {
    // the chain of the chosen unit below the SPP: its path /spp/province/city/county/
    let mut chain: Vec<i64> = Vec::new();
    if let Some(u) = match chosen {
        Some(id) => st.store.unit(id).await?,
        None => None,
    } {
        chain = duban_domain::access::path_ids(&u.path);
    }
    let first = addressees(st).await?;
    let spp = first.first().map(|a| a.id);
    // the SPP is chosen on the first level; below it the chain goes province → city → county
    let below: Vec<i64> = chain.iter().copied().skip(1).collect();
    let pick = |i: usize| -> i64 {
        if i == 0 {
            below
                .first()
                .copied()
                .or(chosen.filter(|c| Some(*c) == spp))
                .unwrap_or(0)
        } else {
            below.get(i).copied().unwrap_or(0)
        }
    };
    let mut out = vec![Level {
        field: "province",
        label: "letters.level_province",
        options: first,
        chosen: pick(0),
    }];
    for (i, (field, label)) in [
        ("city", "letters.level_city"),
        ("county", "letters.level_county"),
    ]
    .into_iter()
    .enumerate()
    {
        let parent = out[i].chosen;
        let options = if parent == 0 || Some(parent) == spp {
            vec![]
        } else {
            st.store
                .children(parent)
                .await?
                .into_iter()
                .filter(|u| !u.kind.is_attached())
                .map(|u| Addressee {
                    id: u.id,
                    name: u.name,
                })
                .collect()
        };
        out.push(Level {
            field,
            label,
            options,
            chosen: pick(i + 1),
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "letter_new.html")]
pub(crate) struct FormPage {
    t: Tr,
    csrf: String,
    levels: Vec<Level>,
    /// a search for a unit by name (the form's way to a unit without scripts), and what it found
    q: String,
    found: Vec<Found>,
    categories: [LetterCategory; 6],
    error: Option<String>,
    unit: i64,
    category: String,
    petitioner: String,
    phone: String,
    id_number: String,
    address: String,
    email: String,
    content: String,
    /// the query code, shown once after a letter is accepted
    code: Option<String>,
    /// files uploaded with a refused try, kept for this visitor
    kept: Vec<duban_store::kept::Kept>,
}

pub(crate) async fn addressees(st: &AppState) -> Result<Vec<Addressee>, AppError> {
    // the SPP and the provincial procuratorates; a letter is routed on from there
    let spp = st.store.unit_by_code("100000").await?;
    let mut out = Vec::new();
    if let Some(spp) = spp {
        out.push(Addressee {
            id: spp.id,
            name: spp.name.clone(),
        });
        out.extend(
            st.store
                .children(spp.id)
                .await?
                .into_iter()
                .filter(|u| !u.kind.is_attached())
                .map(|u| Addressee {
                    id: u.id,
                    name: u.name,
                }),
        );
    }
    Ok(out)
}

pub(crate) fn page(v: &Visitor, levels: Vec<Level>) -> FormPage {
    FormPage {
        t: Tr(v.0.lang),
        csrf: v.0.csrf.clone(),
        levels,
        q: String::new(),
        found: vec![],
        categories: LetterCategory::ALL,
        error: None,
        unit: 0,
        category: String::new(),
        petitioner: String::new(),
        phone: String::new(),
        id_number: String::new(),
        address: String::new(),
        email: String::new(),
        content: String::new(),
        code: None,
        kept: vec![],
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct FormQuery {
    /// a unit chosen from the search's results
    unit: Option<i64>,
    /// a search for a unit by name
    #[serde(default)]
    q: String,
}

/// Longest unit search.
const UNIT_QUERY_CHARS: usize = 20;

/// A unit found by name: its full name (the province's and city's names before a county's) and
/// its chain below the SPP (province, city, county ids), which the form's levels take.
pub(crate) struct Found {
    pub id: i64,
    pub name: String,
    pub chain: Vec<i64>,
}

/// Units whose name or code holds `q`, at most 20.
async fn search_units(st: &AppState, q: &str) -> Result<Vec<Found>, AppError> {
    let q: String = q.trim().chars().take(UNIT_QUERY_CHARS).collect();
    // LIKE's own characters are matched as typed
    if q.is_empty() || q.contains(['%', '_', '\\']) {
        return Ok(vec![]);
    }
    let Some(spp) = st.store.unit_by_code("100000").await? else {
        return Ok(vec![]);
    };
    let everyone = duban_store::Scope {
        unit_id: spp.id,
        unit_path: spp.path.clone(),
        subtree: true,
    };
    let (units, _) = st.store.units(&everyone, None, &q, 20, 0).await?;
    let mut out = Vec::with_capacity(units.len());
    // the public writes to procuratorates; an institution or a stationed office is not one
    for u in units.into_iter().filter(|u| !u.kind.is_attached()) {
        let chain: Vec<i64> = duban_domain::access::path_ids(&u.path)
            .into_iter()
            .skip(1)
            .collect();
        let mut names = Vec::with_capacity(chain.len());
        for id in chain.iter().filter(|id| **id != u.id) {
            if let Some(a) = st.store.unit(*id).await? {
                names.push(a.name);
            }
        }
        names.push(u.name);
        out.push(Found {
            id: u.id,
            name: names.join(" › "),
            chain,
        });
    }
    Ok(out)
}

pub(crate) async fn form_page(
    State(st): State<AppState>,
    v: Visitor,
    axum::extract::Query(q): axum::extract::Query<FormQuery>,
) -> PageResult {
    let mut p = page(&v, levels(&st, q.unit).await?);
    p.found = search_units(&st, &q.q).await?;
    p.q = q.q.chars().take(UNIT_QUERY_CHARS).collect();
    Ok(Html(p.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct UnitsQuery {
    parent: Option<i64>,
    #[serde(default)]
    q: String,
}

/// The units under one (`parent`) or found by name (`q`), for the form's cascading choice:
/// `{"units": [{"id", "name", "chain": [province, city, county ids]}]}`.
pub(crate) async fn units_json(
    State(st): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<UnitsQuery>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let units: Vec<serde_json::Value> = match q.parent {
        Some(parent) => st
            .store
            .children(parent)
            .await?
            .into_iter()
            .filter(|u| !u.kind.is_attached())
            .map(|u| {
                let chain: Vec<i64> = duban_domain::access::path_ids(&u.path)
                    .into_iter()
                    .skip(1)
                    .collect();
                serde_json::json!({"id": u.id, "name": u.name, "chain": chain})
            })
            .collect(),
        None => search_units(&st, &q.q)
            .await?
            .into_iter()
            .map(|f| serde_json::json!({"id": f.id, "name": f.name, "chain": f.chain}))
            .collect(),
    };
    Ok(axum::Json(serde_json::json!({ "units": units })))
}

/// Attachments a member of the public may send with a letter: at most 3 files, 10 MB in all, of
/// the evidence types (PDF, OFD, images, Word, Excel, text).
pub(crate) const PUBLIC_FILES: usize = 3;
pub(crate) const PUBLIC_FILES_BYTES: usize = 10 * 1024 * 1024;

/// The public form, urlencoded or (with attachments) multipart; the CSRF token of a multipart form
/// travels in the query string.
pub(crate) async fn letter_form(
    req: axum::extract::Request,
) -> Result<(LetterForm, Vec<duban_store::rectification::Upload>), AppError> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(f) = Form::<LetterForm>::from_request(req, &())
            .await
            .map_err(|_| AppError::BadRequest("表单内容有误".into()))?;
        return Ok((f, vec![]));
    }
    let mut mp = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|_| AppError::BadRequest("表单内容有误".into()))?;
    let map = crate::kit::multipart_error;
    let mut f = LetterForm::default();
    let mut files = Vec::new();
    let mut total = 0;
    while let Some(field) = mp.next_field().await.map_err(map)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let filename = field.file_name().unwrap_or("").trim().to_string();
            let bytes = field.bytes().await.map_err(map)?;
            if filename.is_empty() && bytes.is_empty() {
                continue;
            }
            total += bytes.len();
            if files.len() >= PUBLIC_FILES || total > PUBLIC_FILES_BYTES {
                return Err(AppError::BadRequest(format!(
                    "附件最多 {PUBLIC_FILES} 个，合计不超过 {} MB",
                    PUBLIC_FILES_BYTES / 1024 / 1024
                )));
            }
            duban_store::rectification::evidence_type(&filename)
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
            files.push(duban_store::rectification::Upload {
                filename,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(map)?;
        match name.as_str() {
            "unit" => f.unit = text,
            "province" => f.province = text,
            "city" => f.city = text,
            "county" => f.county = text,
            "category" => f.category = text,
            "petitioner" => f.petitioner = text,
            "phone" => f.phone = text,
            "id_number" => f.id_number = text,
            "address" => f.address = text,
            "email" => f.email = text,
            "content" => f.content = text,
            "kept" => f.kept.push(text),
            _ => {}
        }
    }
    Ok((f, files))
}

#[derive(Deserialize, Default)]
pub(crate) struct LetterForm {
    /// the unit written to: the deepest of province, city and county chosen (or `unit`)
    #[serde(default)]
    unit: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    petitioner: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    content: String,
    /// tokens of files kept from a refused try
    #[serde(skip)]
    kept: Vec<String>,
}

pub(crate) async fn submit(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    req: axum::extract::Request,
) -> PageResult {
    let (f, new_files) = match letter_form(req).await {
        Ok(x) => x,
        Err(AppError::BadRequest(m)) => {
            let mut p = page(&v, levels(&st, None).await?);
            p.error = Some(m);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(p.render()?)).into_response());
        }
        Err(e) => return Err(e),
    };
    // the files kept from a refused try come first, then the ones chosen now, within the limits
    let (kept, mut files): (Vec<_>, Vec<_>) = st
        .store
        .kept_uploads(&v.0.csrf, &f.kept)
        .await?
        .into_iter()
        .unzip();
    files.extend(new_files.iter().cloned());
    let kept_tokens = f.kept.clone();
    let mut p = page(&v, vec![]);
    p.unit = f.chosen().unwrap_or(0);
    p.category = f.category.clone();
    p.petitioner = f.petitioner.chars().take(50).collect();
    p.phone = f.phone.chars().take(30).collect();
    p.id_number = f.id_number.chars().take(18).collect();
    p.address = f.address.chars().take(200).collect();
    p.email = f.email.chars().take(254).collect();
    p.content = f
        .content
        .chars()
        .take(duban_domain::import::LETTER_MAX_CHARS)
        .collect();
    let result: Result<String, AppError> = async {
        if !st.letters_limiter.allow(&addr.0).await {
            return Err(AppError::TooManyRequests);
        }
        let bad = |m: &str| AppError::BadRequest(m.to_string());
        if files.len() > PUBLIC_FILES
            || files.iter().map(|f| f.bytes.len()).sum::<usize>() > PUBLIC_FILES_BYTES
        {
            return Err(AppError::BadRequest(format!(
                "附件最多 {PUBLIC_FILES} 个，合计不超过 {} MB",
                PUBLIC_FILES_BYTES / 1024 / 1024
            )));
        }
        // any procuratorate of the four levels; the levels chosen above it must be its own
        let unit = match f.chosen() {
            Some(id) => st.store.unit(id).await?,
            None => None,
        }
        .ok_or_else(|| bad("请选择受理的检察院"))?;
        let path = duban_domain::access::path_ids(&unit.path);
        if !f.above().iter().all(|id| path.contains(id)) {
            return Err(bad("所选的省、市、县三级检察院不一致，请重新选择"));
        }
        let category = LetterCategory::parse(&f.category).ok_or_else(|| bad("请选择信访类别"))?;
        let petitioner = duban_domain::text::optional(&f.petitioner, 50)
            .map_err(|e| AppError::BadRequest(format!("姓名{e}")))?;
        let content = f.content.replace("\r\n", "\n");
        if content.trim().is_empty() {
            return Err(bad("请填写信访内容"));
        }
        let address = duban_domain::text::optional(&f.address, 200)
            .map_err(|e| AppError::BadRequest(format!("地址{e}")))?;
        let letter = NewLetter {
            unit_id: unit.id,
            received_on: st.store.today(),
            channel: Channel::Online,
            category,
            petitioner,
            phone: f.phone.trim().to_string(),
            id_number: f.id_number,
            address,
            email: f.email.trim().chars().take(254).collect(),
            content,
            files,
        };
        Ok(st
            .store
            .submit_letter(&duban_store::Actor::system("public"), &letter)
            .await?
            .1)
    }
    .await;
    if result.is_ok() {
        st.store.drop_kept(&v.0.csrf, &kept_tokens).await?;
    } else {
        // what was uploaded waits for the next try (a refused submission keeps nothing else)
        p.kept = kept;
        p.kept
            .extend(st.store.keep_uploads(&v.0.csrf, &new_files).await?);
    }
    let (status, message) = match result {
        Ok(code) => {
            p.code = Some(code);
            return Ok(Html(p.render()?).into_response());
        }
        Err(AppError::TooManyRequests) => (
            StatusCode::TOO_MANY_REQUESTS,
            "提交过于频繁，请稍后再试".to_string(),
        ),
        Err(AppError::BadRequest(m)) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        Err(other) => return Err(other),
    };
    // the form again, as typed (the page that shows the code has no form)
    p.levels = levels(&st, (p.unit != 0).then_some(p.unit)).await?;
    p.error = Some(message);
    Ok((status, Html(p.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "letter_status.html")]
pub(crate) struct StatusPage {
    t: Tr,
    csrf: String,
    error: Option<String>,
    status: Option<PublicStatus>,
    /// the code as typed, to rate the reply on the same page
    code: String,
    flash: Option<String>,
}

pub(crate) const WRONG_CODE: &str = "查询码不正确：请核对后重新输入（16 位，字母不区分大小写）";

impl LetterForm {
    /// The unit chosen: the deepest level given.
    fn chosen(&self) -> Option<i64> {
        [&self.county, &self.city, &self.province, &self.unit]
            .into_iter()
            .find_map(|v| v.trim().parse().ok())
    }
    /// The levels chosen above the deepest, which must lie on its path.
    fn above(&self) -> Vec<i64> {
        [&self.province, &self.city, &self.county]
            .into_iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }
}

impl StatusPage {
    fn new(v: &Visitor) -> StatusPage {
        StatusPage {
            t: Tr(v.0.lang),
            csrf: v.0.csrf.clone(),
            error: None,
            status: None,
            code: String::new(),
            flash: None,
        }
    }
    fn refuse(mut self, status: StatusCode, message: &str) -> PageResult {
        self.error = Some(message.to_string());
        Ok((status, Html(self.render()?)).into_response())
    }
}

pub(crate) async fn status_page(v: Visitor) -> PageResult {
    Ok(Html(StatusPage::new(&v).render()?).into_response())
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(crate) async fn status(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let mut p = StatusPage::new(&v);
    if !st.codes_limiter.allow(&addr.0).await {
        return p.refuse(StatusCode::TOO_MANY_REQUESTS, "查询过于频繁，请稍后再试");
    }
    match st
        .store
        .letter_status(&f.code.chars().take(64).collect::<String>())
        .await?
    {
        Some(s) => {
            p.status = Some(s);
            p.code = f.code.chars().take(64).collect();
            Ok(Html(p.render()?).into_response())
        }
        None => {
            p.error = Some(WRONG_CODE.into());
            // the code as typed stays in the box, to be corrected
            p.code = f.code.chars().take(64).collect();
            Ok((StatusCode::NOT_FOUND, Html(p.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct RateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// The writer rates the result reply (满意 / 基本满意 / 不满意, with a comment).
pub(crate) async fn rate(
    State(st): State<AppState>,
    v: Visitor,
    addr: ClientAddr,
    Form(f): Form<RateForm>,
) -> PageResult {
    let mut p = StatusPage::new(&v);
    if !st.codes_limiter.allow(&addr.0).await {
        return p.refuse(StatusCode::TOO_MANY_REQUESTS, "查询过于频繁，请稍后再试");
    }
    let Some(rating) = duban_domain::letters::answers::Rating::parse(&f.rating) else {
        p.error = Some(Tr(v.0.lang).s("letters.choose_rating").to_string());
        p.code = f.code.chars().take(64).collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(p.render()?)).into_response());
    };
    let code: String = f.code.chars().take(64).collect();
    let (status, message) = match st.store.rate_letter(&code, rating, &f.comment).await {
        Ok(true) => (StatusCode::OK, None),
        Ok(false) => (StatusCode::NOT_FOUND, Some(WRONG_CODE.to_string())),
        Err(duban_store::StoreError::Invalid(m)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(m)),
        Err(e) => return Err(e.into()),
    };
    if status == StatusCode::OK {
        p.flash = Some("感谢您的评价".into());
    }
    p.error = message;
    p.status = st.store.letter_status(&code).await?;
    p.code = code;
    Ok((status, Html(p.render()?)).into_response())
}
