//! One error type for pages (a Chinese error page) and, wrapped in [`ApiError`], for the JSON API.
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use duban_domain::import::CellError;
use duban_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not signed in: pages redirect to the login page, the API answers 401.
    Unauthorized,
    Forbidden,
    NotFound,
    Csrf,
    TooLarge,
    TooManyRequests,
    /// A message for the user, already in Chinese.
    BadRequest(String),
    /// A refusal of the domain's rules, rendered in the reader's language.
    Rule(duban_domain::rectification::RuleError),
    Import(Vec<CellError>),
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) | StoreError::Invalid(m) => AppError::BadRequest(m),
            StoreError::Import(errs) => AppError::Import(errs),
            StoreError::Rule(r) => AppError::Rule(r),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    /// A rule's refusal as a message in the reader's language, for a page that shows it beside
    /// the form; other errors unchanged.
    pub fn localized(self, t: Tr) -> AppError {
        match self {
            AppError::Rule(
                duban_domain::rectification::RuleError::NotPermitted
                | duban_domain::rectification::RuleError::NotAnAdjuster,
            ) => AppError::Forbidden,
            AppError::Rule(r) => AppError::BadRequest(t.rule(&r)),
            other => other,
        }
    }
}

impl From<duban_domain::rectification::RuleError> for AppError {
    fn from(r: duban_domain::rectification::RuleError) -> Self {
        AppError::Rule(r)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Rule(duban_domain::rectification::RuleError::NotPermitted) => {
                StatusCode::FORBIDDEN
            }
            AppError::BadRequest(_) | AppError::Import(_) | AppError::Rule(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Csrf => "csrf",
            AppError::TooLarge => "too_large",
            AppError::TooManyRequests => "too_many_requests",
            AppError::BadRequest(_) => "invalid",
            AppError::Rule(_) => "refused",
            AppError::Import(_) => "import_rejected",
            AppError::Internal(_) => "internal",
        }
    }
    pub fn message(&self, t: Tr) -> String {
        match self {
            AppError::Unauthorized => t.s("login.title").to_string(),
            AppError::Forbidden => t.s("error.forbidden").into(),
            AppError::NotFound => t.s("error.not_found").into(),
            AppError::Csrf => t.s("error.csrf").into(),
            AppError::TooLarge => t.s("error.too_large").into(),
            AppError::TooManyRequests => t.s("error.too_many").into(),
            AppError::BadRequest(m) => m.clone(),
            AppError::Rule(r) => t.rule(r),
            AppError::Import(_) => t.s("import.failed").into(),
            AppError::Internal(_) => t.s("error.internal").into(),
        }
    }
    fn log(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    message: &'a str,
    cells: &'a [CellError],
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthorized) {
            return Redirect::to("/login").into_response();
        }
        let t = Tr(Lang::Zh);
        let msg = self.message(t);
        let cells = match &self {
            AppError::Import(c) => c.as_slice(),
            _ => &[],
        };
        let body = ErrorPage {
            t,
            message: &msg,
            cells,
        }
        .render()
        .unwrap_or_else(|_| msg.clone());
        (self.status(), axum::response::Html(body)).into_response()
    }
}

/// The JSON form of an [`AppError`]: `{"error": code, "message": 中文说明, "problems": [...]}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let problems = match &self.0 {
            AppError::Import(c) => serde_json::to_value(c).unwrap_or_default(),
            _ => serde_json::Value::Array(vec![]),
        };
        let msg = if matches!(self.0, AppError::Unauthorized) {
            "需要登录或有效的 API 令牌".to_string()
        } else {
            self.0.message(Tr(Lang::Zh))
        };
        let body =
            serde_json::json!({"error": self.0.code(), "message": msg, "problems": problems});
        (self.0.status(), axum::Json(body)).into_response()
    }
}

/// axum's own rejections (a malformed path id, query string or upload) answer in English plain
/// text; this turns every such client error into a Chinese page, or JSON under `/api/`.
pub async fn localize_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return resp;
    }
    let err = match status {
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::METHOD_NOT_ALLOWED => AppError::BadRequest("不支持此请求方法".into()),
        _ => AppError::BadRequest("请求格式有误（路径、查询参数或上传内容无法解析）".into()),
    };
    let mut out = if api {
        ApiError(err).into_response()
    } else {
        err.into_response()
    };
    // keep the original status (400, 405, 415 …): it is the more precise one
    *out.status_mut() = status;
    out
}
