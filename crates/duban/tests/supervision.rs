//! The supervision sweep with a real SMTP sink on loopback, and two processes racing.
mod common;
use common::smtp_sink;
use std::process::{Command, Stdio};

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
    let dbs = common::databases("sweep").await;
    for db in dbs {
        let store = duban_store::Store::open(&db, None).await.unwrap();
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
        // the party plan (87 tasks each, never started) are all overdue; so are the 9 open tasks
        // of the fifth internal round (due 2020-12-31)
        assert_eq!(notices, 15 + 5 + 2 * 87 + 9, "{db}");
        assert_eq!(
            count("SELECT COUNT(*) FROM notices WHERE kind = 'notice' AND level = 'red'").await,
            20 + 2 * 87 + 9
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
            20 + 2 * 87 + 9,
            "{db}: {counts:?}"
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}
