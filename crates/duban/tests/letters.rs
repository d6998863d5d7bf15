//! Letters from the command line.
mod common;
use common::{duban, out};

/// Issue 18, found on the way: a database migrated and imported into, never served, knows the
/// statutory years (the letters' clocks need them).
#[tokio::test]
async fn a_database_never_served_knows_the_statutory_calendar() {
    let dir = std::env::temp_dir().join(format!("duban-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/duban.db", dir.display());
    assert!(duban(&db, &["migrate"]).status.success());
    let units = dir.join("units.csv");
    std::fs::write(
        &units,
        "code,name,level,parent_code\n100000,最高人民检察院,1,\n",
    )
    .unwrap();
    let o = duban(&db, &["import", "units", units.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let letters = dir.join("letters.csv");
    std::fs::write(
        &letters,
        "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on\n2020-09-30,12309,100000,张某,,控告,反映某案办理拖延,,,\n",
    )
    .unwrap();
    let o = duban(&db, &["import", "letters", letters.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(!out(&o).contains("没有节假日数据"), "{}", out(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A local SMS gateway speaking the adapter's protocol: it checks each request's signature,
/// refuses the first message (余额不足) and accepts the rest; it keeps every request's JSON.
async fn sms_gateway(
    secret: &'static str,
) -> (
    u16,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // the head, then as many bytes as Content-Length says
                let body = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len: usize = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break buf[end + 4..end + 4 + len].to_vec();
                        }
                    }
                };
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
                let text = format!(
                    "{}\n{}\n{}\n{}\n{}",
                    s("account"),
                    s("mobile"),
                    s("content"),
                    v["timestamp"],
                    s("nonce")
                );
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
                let good = ring::hmac::verify(
                    &key,
                    text.as_bytes(),
                    &hex::decode(s("signature")).unwrap_or_default(),
                )
                .is_ok();
                let first = {
                    let mut g = keep.lock().unwrap();
                    g.push(v.clone());
                    g.len() == 1
                };
                let answer = if !good {
                    r#"{"code":"4001","message":"签名错误"}"#.to_string()
                } else if first {
                    r#"{"code":"1001","message":"余额不足"}"#.to_string()
                } else {
                    r#"{"code":"0","message":"ok","msg_id":"m1"}"#.to_string()
                };
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (port, got)
}

/// Issue 18: the writer's replies go out by e-mail (the reply letter attached as PDF) and SMS
/// through the gateway adapter; a refused SMS is tried again and its result kept; the figures say
/// how many writers were told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_reach_the_writer_by_mail_and_sms() {
    use duban_domain::letters::{Channel, LetterCategory, Step};
    use duban_store::letters::{NewLetter, StepRequest};
    for db in common::databases("delivery").await {
        let store = duban_store::Store::open(&db, None).await.unwrap();
        store.load_demo().await.unwrap();
        store.set_public_url("https://duban.example.gov.cn");
        let zj = store.unit_by_code("330000").await.unwrap().unwrap();
        let today = store.today();
        let (id, _) = store
            .submit_letter(
                &duban_store::Actor::system("test"),
                &NewLetter {
                    unit_id: zj.id,
                    received_on: today,
                    channel: Channel::Online,
                    category: LetterCategory::Request,
                    petitioner: "张三".into(),
                    phone: "138-0000-1234".into(),
                    id_number: String::new(),
                    address: String::new(),
                    email: "zhang@example.cn".into(),
                    content: "请求答复".into(),
                    files: vec![],
                },
            )
            .await
            .unwrap();
        let scope = duban_store::Scope {
            unit_id: zj.id,
            unit_path: zj.path.clone(),
            subtree: true,
        };
        store
            .letter_step(
                &duban_store::Actor::system("officer"),
                &scope,
                id,
                &StepRequest::new(Step::Ack, today, "由控告申诉检察部办理"),
            )
            .await
            .unwrap();
        let (smtp, mails) = common::smtp_sink().await;
        let (gw, texts) = sms_gateway("gateway-secret").await;
        let sweep = || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_duban"))
                .args(["sweep", "--json"])
                .env("DUBAN_DATABASE_URL", &db)
                .env("DUBAN_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
                .env("DUBAN_SMS_URL", format!("http://127.0.0.1:{gw}/sms/send"))
                .env("DUBAN_SMS_ACCOUNT", "duban")
                .env("DUBAN_SMS_SECRET", "gateway-secret")
                .env("DUBAN_SMS_SIGN", "浙江省人民检察院")
                .env("DUBAN_LOG", "error")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", common::out(&out));
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        let r = sweep();
        assert_eq!(
            (r["writers_sent"].as_i64(), r["writers_failed"].as_i64()),
            (Some(1), Some(1)),
            "{db}: {r}"
        );
        let to_writer: Vec<String> = mails
            .lock()
            .unwrap()
            .iter()
            .filter(|(to, _)| to == &vec!["zhang@example.cn".to_string()])
            .map(|(_, m)| m.clone())
            .collect();
        assert_eq!(to_writer.len(), 1, "{db}");
        assert!(
            to_writer[0].contains("application/pdf"),
            "the reply letter is attached"
        );
        {
            let t = texts.lock().unwrap();
            assert_eq!(t.len(), 1, "{db}");
            assert_eq!(t[0]["mobile"], "13800001234");
            assert_eq!(t[0]["account"], "duban");
            assert!(t[0]["content"].as_str().unwrap().contains("已受理"));
        }
        let (status, attempts, error): (String, i64, String) = sqlx::query_as(
            "SELECT status, attempts, last_error FROM letter_sends WHERE letter_id = $1 AND channel = 'sms'",
        )
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!((status.as_str(), attempts), ("pending", 1), "{db}");
        assert!(error.contains("余额不足"), "{error}");
        // its time comes again: sent
        sqlx::query("UPDATE letter_sends SET next_at = 0 WHERE letter_id = $1")
            .bind(id)
            .execute(&store.pool)
            .await
            .unwrap();
        let r = sweep();
        assert_eq!(r["writers_sent"].as_i64(), Some(1), "{db}: {r}");
        assert_eq!(texts.lock().unwrap().len(), 2);
        let o = duban(
            &db,
            &[
                "report",
                "letters",
                "--unit",
                "330000",
                "--from",
                &today.to_string(),
                "--to",
                &today.to_string(),
                "--as-of",
                &today.to_string(),
                "--json",
            ],
        );
        let m: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", out(&o)));
        assert_eq!(m["notified"], 1, "{db}: {m}");
        assert_eq!(m["assigned"]["due"], 0, "{db}: {m}");
        assert!(m["assigned"]["overdue_open"].is_number());
    }
}
