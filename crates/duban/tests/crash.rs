//! Crash durability: the server is killed with SIGKILL while sixteen clients write ledger entries
//! through the API; every entry it acknowledged is in the database afterwards, and the audit
//! chain verifies. Three rounds per backend (SQLite and PostgreSQL).
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn duban(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env("DUBAN_DATABASE_URL", db)
        .env("DUBAN_LOG", "warn")
        .output()
        .unwrap()
}

/// One HTTP/1.1 request on a fresh connection: the status, or `None` when the server is gone.
fn post(addr: &str, path: &str, token: &str, body: &str) -> Option<u16> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).ok()?;
    let head = String::from_utf8_lossy(&resp);
    head.split(' ').nth(1)?.parse().ok()
}

async fn url_list() -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("duban-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut v = vec![format!("sqlite://{}/duban.db", dir.display())];
    v.extend(duban_store::testing::postgres_url().await);
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_writes_survive_kill_9() {
    for db in url_list().await {
        let o = duban(&db, &["demo"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let store = duban_store::Store::open(&db, None).await.unwrap();
        let office = store.user_by_login("office").await.unwrap().unwrap();
        let token = store.create_token(&office, "crash").await.unwrap();
        let plan = store
            .plan(&office.scope(), "最高检党组巡视整改方案")
            .await
            .unwrap()
            .unwrap();
        let tasks: Vec<i64> = store
            .tasks(plan.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.state != duban_domain::rectification::TaskState::Closed)
            .map(|t| t.id)
            .take(16)
            .collect();
        // the demo database's day (pinned to the seed's 2020-11-05)
        let today = store.today().to_string();
        drop(store);
        let acked: Arc<Mutex<Vec<String>>> = Arc::default();
        for round in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let addr = format!("127.0.0.1:{port}");
            let mut server = Command::new(env!("CARGO_BIN_EXE_duban"))
                .args(["serve", "--listen", &addr])
                .env("DUBAN_DATABASE_URL", &db)
                .env("DUBAN_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let start = Instant::now();
            while duban(&db, &["healthcheck", "--http", &addr]).status.code() != Some(0) {
                assert!(start.elapsed() < Duration::from_secs(20), "{db}: no server");
                std::thread::sleep(Duration::from_millis(100));
            }
            let clients: Vec<_> = tasks
                .iter()
                .enumerate()
                .map(|(c, &task)| {
                    let (addr, token, today, acked) =
                        (addr.clone(), token.clone(), today.clone(), acked.clone());
                    std::thread::spawn(move || {
                        for i in 0.. {
                            let body = format!("crash-{round}-{c}-{i}");
                            let json = format!(
                                r#"{{"kind": "progress", "date": "{today}", "body": "{body}"}}"#
                            );
                            match post(
                                &addr,
                                &format!("/api/v1/tasks/{task}/entries"),
                                &token,
                                &json,
                            ) {
                                Some(200) => acked.lock().unwrap().push(body),
                                Some(s) => panic!("status {s} for {body}"),
                                None => break,
                            }
                        }
                    })
                })
                .collect();
            std::thread::sleep(Duration::from_millis(1500 + 500 * round as u64));
            server.kill().unwrap(); // SIGKILL
            server.wait().unwrap();
            for c in clients {
                c.join().unwrap();
            }
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() > 100,
            "{db}: only {} writes acknowledged",
            acked.len()
        );
        let store = duban_store::Store::open(&db, None).await.unwrap();
        let mut kept = std::collections::HashSet::new();
        for &t in &tasks {
            for e in store.ledger(t).await.unwrap() {
                kept.insert(e.body);
            }
        }
        let lost: Vec<&String> = acked.iter().filter(|b| !kept.contains(*b)).collect();
        assert!(lost.is_empty(), "{db}: acknowledged and lost: {lost:?}");
        let o = duban(&db, &["audit", "verify"]);
        assert!(
            o.status.success(),
            "{db}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        eprintln!("{db}: {} acknowledged writes, none lost", acked.len());
    }
}
