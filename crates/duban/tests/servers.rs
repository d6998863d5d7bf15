//! Several servers, one PostgreSQL: two `duban serve` on the same database. A session made on
//! one works on the other; the sign-in rate limit is one allowance whichever server answers;
//! the scheduled sweep runs on one of them only. (PostgreSQL only: an SQLite file is one server's.)
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server: the process, its address and the file its log goes to.
struct Server(Child, String, std::path::PathBuf);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_file(&self.2);
    }
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.2).unwrap_or_default()
    }
}

fn start(db: &str, name: &str) -> Server {
    let log = std::env::temp_dir().join(format!("duban-servers-{}-{name}.log", std::process::id()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--listen", &addr])
        .env("DUBAN_DATABASE_URL", db)
        .env("DUBAN_LOG", "info,sqlx=warn")
        .env("DUBAN_SWEEP_MINUTES", "1")
        .env("DUBAN_LOGIN_PER_MINUTE", "4")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child, addr, log)
}

/// One HTTP/1.1 request: (status, response headers, body).
fn http(addr: &str, method: &str, path: &str, cookie: &str, form: &str) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let text = String::from_utf8_lossy(&resp).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

/// The sign-in form's CSRF cookie and token from `addr`.
fn csrf(addr: &str) -> (String, String) {
    let (_, head, body) = http(addr, "GET", "/login", "", "");
    let cookie = set_cookie(&head, "duban_csrf").expect("a CSRF cookie");
    let token = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("a CSRF token")
        .to_string();
    (cookie, token)
}

fn sign_in(addr: &str, login: &str, password: &str) -> (u16, Option<String>) {
    let (cookie, token) = csrf(addr);
    let (status, head, _) = http(
        addr,
        "POST",
        "/login",
        &cookie,
        &format!("csrf={token}&login={login}&password={password}"),
    );
    (status, set_cookie(&head, "duban_session"))
}

#[test]
fn two_servers_share_sessions_limits_and_the_sweep() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(duban_store::testing::postgres_url()) else {
        eprintln!("no PostgreSQL configured: skipped");
        return;
    };
    let demo = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("demo")
        .env("DUBAN_DATABASE_URL", &db)
        .env("DUBAN_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let a = start(&db, "a");
    let b = start(&db, "b");

    // a session made on A is good on B
    let (status, session) = sign_in(&a.1, "office", "duban2020");
    let session = session.unwrap_or_else(|| panic!("no session from A ({status})"));
    let (status, _, body) = http(&b.1, "GET", "/home", &session, "");
    assert!(status == 200 && body.contains("周婷"), "{status} {body}");

    // the sign-in limit (4 a minute from one address) is counted across both servers: the one
    // sign-in above and three more, alternating, use it up; the next is refused on either
    assert_eq!(sign_in(&b.1, "office", "wrong").0, 401);
    assert_eq!(sign_in(&a.1, "office", "wrong").0, 401);
    assert_eq!(sign_in(&b.1, "office", "wrong").0, 401);
    assert_eq!(sign_in(&a.1, "office", "wrong").0, 429);
    assert_eq!(sign_in(&b.1, "office", "wrong").0, 429);

    // both servers ticked their sweep on start; only the lease holder swept (wait for its
    // sweep to be logged, then a little longer for a second one that must not come)
    let swept = || {
        [&a, &b]
            .iter()
            .filter(|s| s.log().contains("supervision sweep"))
            .count()
    };
    for _ in 0..600 {
        if swept() > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(swept(), 1, "{}\n---\n{}", a.log(), b.log());
}
