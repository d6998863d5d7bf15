//! What the HTTP tests share: a browser-like client over the in-process app and a demo app.
#![allow(dead_code)]
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use duban_store::{Store, testing};
use duban_web::{AppState, WebSettings, build_app};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn body_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A browser-like client: keeps cookies, knows the current CSRF token.
pub struct Client {
    pub app: Router,
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
}

impl Client {
    pub fn new(app: &Router) -> Client {
        Client {
            app: app.clone(),
            cookies: vec![],
            csrf: String::new(),
        }
    }
    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let resp = self.app.clone().oneshot(req).await.unwrap();
        for sc in resp.headers().get_all(header::SET_COOKIE) {
            let kv = sc.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(ck, _)| ck != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            self.csrf = body[i + 19..i + 19 + 64].to_string();
        }
        Resp {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }
    pub async fn post_json(&mut self, path: &str, v: &serde_json::Value) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", self.csrf.clone())
            .body(Body::from(v.to_string()))
            .unwrap();
        self.send(req).await
    }
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut f: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        f.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&f).unwrap();
        self.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes())
            .await
    }
    pub async fn post_raw(&mut self, path: &str, ct: &str, body: Vec<u8>) -> Resp {
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
    pub async fn login(app: &Router, login: &str) -> Client {
        let mut c = Client::new(app);
        c.get("/login").await;
        let r = c
            .post_form("/login", &[("login", login), ("password", "duban2020")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login {login}: {}", r.body);
        let home = c.get("/home").await;
        assert_eq!(home.status, StatusCode::OK);
        c
    }
}

pub async fn app_with(store: Store) -> Router {
    store.load_demo().await.unwrap();
    build_app(AppState::new(
        store,
        WebSettings {
            max_upload_bytes: 64 * 1024,
            ..WebSettings::default()
        },
    ))
}

pub async fn app() -> (Router, Store) {
    let store = testing::sqlite().await;
    (app_with(store.clone()).await, store)
}

/// A multipart body of text fields and files: (content type, body).
pub fn multipart_form(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "dubanboundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, content) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Client {
    /// A new API token of this signed-in account.
    pub async fn token(&mut self) -> String {
        let r = self.post_form("/account/tokens", &[("name", "test")]).await;
        let i = r.body.find("id=\"new-token\">").expect("token shown") + 15;
        r.body[i..i + 68].to_string()
    }
}

/// An API request with a bearer token and a JSON body.
pub fn api(method: &str, path: &str, token: &str, v: &serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(v.to_string()))
        .unwrap()
}
