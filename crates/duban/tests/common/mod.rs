//! What the command-line and browser tests share: the `duban` binary run on a database, and
//! headless Chromium from Debian driven over WebDriver (chromedriver) with the waits a real page
//! needs. Screenshots land in target/screenshots/.
#![allow(dead_code)]
pub use fantoccini::{ClientBuilder, Locator};
use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// chromedriver, and Chromium's profile folder: both gone when dropped.
pub struct Driver(Child, std::path::PathBuf);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        // a browser whose session was not closed (a test that failed before closing it) outlives
        // its killed driver: every process started on this test's profile goes too
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", "--"])
            .arg(format!("--user-data-dir={}", self.1.display()))
            .status();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

/// Polls the page's main heading until it starts with `prefix` (navigation may still be under way).
pub async fn wait_h1(c: &fantoccini::Client, prefix: &str) -> String {
    let mut last = String::new();
    for _ in 0..300 {
        if let Ok(e) = c.find(Locator::Css("main h1")).await {
            if let Ok(t) = e.text().await {
                if t.starts_with(prefix) {
                    return t;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("heading never started with {prefix:?}; last seen {last:?}");
}

/// Clicks what submits a form or follows a link and waits for the next page to load: the page
/// after often has the same heading as the one before, so the heading alone cannot tell.
pub async fn submit(c: &fantoccini::Client, what: Locator<'_>) {
    c.execute("window.__duban_before = true;", vec![])
        .await
        .unwrap();
    c.find(what).await.unwrap().click().await.unwrap();
    new_page(c, "the click").await;
}

/// Waits until the page marked before an action has been replaced by the next one.
pub async fn new_page(c: &fantoccini::Client, after: &str) {
    for _ in 0..300 {
        if let Ok(v) = c
            .execute("return window.__duban_before === undefined;", vec![])
            .await
        {
            if v.as_bool() == Some(true) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no new page after {after}");
}

/// Like [`submit`] for an irreversible action: the page asks for confirmation (`expect` is in
/// the question), which is accepted.
pub async fn submit_confirmed(c: &fantoccini::Client, what: Locator<'_>, expect: &str) {
    c.execute("window.__duban_before = true;", vec![])
        .await
        .unwrap();
    c.find(what).await.unwrap().click().await.unwrap();
    let mut asked = None;
    for _ in 0..100 {
        if let Ok(t) = c.get_alert_text().await {
            asked = Some(t);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked = asked.expect("no confirmation was asked");
    assert!(asked.contains(expect), "{asked}");
    c.accept_alert().await.unwrap();
    new_page(c, "the confirmation").await;
}

/// Signs in as `login` (demo password) from the sign-in page.
pub async fn sign_in(c: &fantoccini::Client, base: &str, login: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys(login)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("duban2020")
        .await
        .unwrap();
    submit(c, Locator::Css("main.login button[type=submit]")).await;
    wait_h1(c, "欢迎").await;
}

/// Signs out through the header's form and in again as `login`.
pub async fn sign_in_as(c: &fantoccini::Client, base: &str, login: &str) {
    submit(c, Locator::Css("header form[action='/logout'] button")).await;
    sign_in(c, base, login).await;
}

/// Serves the web application on `store` at a free loopback port; returns its base address.
pub async fn serve(store: &duban_store::Store) -> String {
    let app = duban_web::build_app(duban_web::AppState::new(
        store.clone(),
        duban_web::WebSettings::default(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(duban_web::serve(listener, app, std::future::pending()));
    base
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether the browser tests run here (they need Chromium and ChromeDriver, installed by
/// scripts/install-deps.sh; DUBAN_SKIP_BROWSER=1 skips them).
pub fn browser_wanted() -> bool {
    if std::env::var("DUBAN_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped by DUBAN_SKIP_BROWSER=1");
        return false;
    }
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists()
            && std::path::Path::new("/usr/bin/chromedriver").exists(),
        "Chromium and ChromeDriver are needed: run scripts/install-deps.sh (or set DUBAN_SKIP_BROWSER=1)"
    );
    true
}

/// Starts chromedriver and a headless Chromium session (Chinese, 1280×900); returns the driver
/// (stopped when dropped), the session and the screenshots' folder.
pub async fn browser() -> (Driver, fantoccini::Client, std::path::PathBuf) {
    let port = free_port();
    let profile = std::env::temp_dir().join(format!("duban-chromium-{}", std::process::id()));
    let driver = Driver(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        profile.clone(),
    );
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900", "--lang=zh-CN", format!("--user-data-dir={}", profile.display())]
        }
    }))
    .unwrap();
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver did not start");
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    (driver, c, shots)
}

/// Runs `duban ARGS` on the database `db` (no input).
pub fn duban(db: &str, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env("DUBAN_DATABASE_URL", db)
        .env("DUBAN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"").unwrap();
    child.wait_with_output().unwrap()
}

pub fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A minimal SMTP server that accepts every message and keeps (recipients, data).
pub async fn smtp_sink() -> (
    u16,
    std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = tokio::io::BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store
                                .lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let up = line.to_ascii_uppercase();
                    let reply: &[u8] = if up.starts_with("EHLO") || up.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if up.starts_with("RCPT TO:") {
                        rcpt.push(
                            line[8..]
                                .trim()
                                .trim_matches(|c| c == '<' || c == '>')
                                .to_string(),
                        );
                        b"250 ok\r\n"
                    } else if up.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if up.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

/// The databases a command-line test runs on: a fresh SQLite file, and the test PostgreSQL's
/// fresh database when one is configured.
pub async fn databases(tag: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("duban-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join("d.db"));
    let mut dbs = vec![format!("sqlite://{}/d.db", dir.display())];
    if let Some(pg) = duban_store::testing::postgres().await {
        use sqlx::Row;
        let db: String = sqlx::query("SELECT current_database()::text AS db")
            .fetch_one(&pg.pool)
            .await
            .unwrap()
            .try_get("db")
            .unwrap();
        let base = std::env::var("DUBAN_TEST_PG_URL").unwrap();
        dbs.push(format!(
            "{}/{db}",
            base.split('?').next().unwrap().rsplit_once('/').unwrap().0
        ));
    }
    dbs
}

/// Types `value` into the field `css` (cleared first).
pub async fn fill(c: &fantoccini::Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

/// Clicks the option, radio or box `css`.
pub async fn choose(c: &fantoccini::Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The demo on a fresh SQLite database with the demo's day pinned, served on loopback: the store
/// and the base address.
pub async fn demo_server() -> (duban_store::Store, String) {
    let store = duban_store::testing::sqlite().await;
    store.load_demo().await.unwrap();
    store
        .pin_database(Some(duban_store::demo::DEMO_DAY))
        .await
        .unwrap();
    let base = serve(&store).await;
    (store, base)
}
