//! The supervision sweep with a real SMTP sink on loopback, and two processes racing.
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts every message and keeps (recipients, data).
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
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

fn sweep(db: &str, smtp: &str, as_of: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["sweep", "--as-of", as_of])
        .env("DUBAN_DATABASE_URL", db)
        .env("DUBAN_SMTP_URL", smtp)
        .env("DUBAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

// multi-threaded: the test blocks on child processes while the sink answers them
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweeps_issue_once_and_mail_the_lead_leader() {
    let mut dbs = vec![{
        let dir = std::env::temp_dir().join(format!("duban-sweep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join("d.db"));
        format!("sqlite://{}/d.db", dir.display())
    }];
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
    for db in dbs {
        let store = duban_store::Store::open(&db).await.unwrap();
        store.load_demo().await.unwrap();
        let (port, got) = smtp_sink().await;
        let smtp = format!("smtp://127.0.0.1:{port}");
        // two processes sweep the same day at once: nothing is issued or mailed twice
        let a = sweep(&db, &smtp, "2021-01-20");
        let b = sweep(&db, &smtp, "2021-01-20");
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(
            a.status.success() && b.status.success(),
            "{}{}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
        );
        let count = |sql: &'static str| {
            let store = store.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap()
            }
        };
        let notices = count("SELECT COUNT(*) FROM notices WHERE kind = 'notice'").await;
        // the SPP's 15 + 5 open time-limited tasks are 20 days overdue; the two provinces' copies of
        // the party plan (87 tasks each, never started) are all overdue
        assert_eq!(notices, 15 + 5 + 2 * 87, "{db}");
        assert_eq!(
            count("SELECT COUNT(*) FROM notices WHERE kind = 'notice' AND level = 'red'").await,
            20 + 2 * 87
        );
        let mailed = count("SELECT COUNT(*) FROM notices WHERE sent_at IS NOT NULL").await;
        let with_mail = count("SELECT COUNT(*) FROM notices WHERE email <> ''").await;
        assert!(
            mailed > 0 && mailed == with_mail,
            "{db}: {mailed} of {with_mail}"
        );
        let messages = got.lock().unwrap().clone();
        assert_eq!(
            messages.len() as i64,
            mailed,
            "{db}: one message per notice, none twice"
        );
        // notices go to the lead leader (陈立新 has the "leader" account), reminders to the responsible person
        assert!(
            messages.iter().any(
                |(to, m)| to == &vec!["leader@demo.duban.example".to_string()]
                    && m.contains("Subject: =?utf-8?b?44CQ57qi6Imy")
            ),
            "a red notice (【红色…) to the lead leader"
        );
        // (besides the monthly reminders to file interference records, 【提醒】…, which go to
        // every staff member with an account who has not filed)
        assert!(
            messages
                .iter()
                .filter(|(_, m)| !m.contains("Subject: =?utf-8?b?44CQ5o+Q6YaS44CR"))
                .all(|(to, _)| to.len() == 1
                    && (to[0] == "leader@demo.duban.example"
                        || to[0] == "discipline@demo.duban.example")),
            "{messages:?}"
        );
        // run again the same day: nothing new
        let again = sweep(&db, &smtp, "2021-01-20").wait_with_output().unwrap();
        assert!(
            String::from_utf8_lossy(&again.stdout).contains("发出提醒 0 次、督办通知 0 份"),
            "{}",
            String::from_utf8_lossy(&again.stdout)
        );
        assert_eq!(got.lock().unwrap().len() as i64, mailed);
        // the board in the store: counts per leader
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let counts = store.notice_counts(&admin.scope()).await.unwrap();
        assert_eq!(
            counts.iter().map(|c| c.red).sum::<i64>(),
            20 + 2 * 87,
            "{db}: {counts:?}"
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}
