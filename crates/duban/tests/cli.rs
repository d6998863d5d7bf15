//! The `duban` binary as operators use it.
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn duban(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env("DUBAN_DATABASE_URL", db)
        .env("DUBAN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("duban-cli-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// sqlite always; PostgreSQL too when DUBAN_TEST_PG_URL is set (a fresh database each).
async fn urls(name: &str) -> Vec<String> {
    let mut v = vec![format!("sqlite://{}/duban.db", tmp(name).display())];
    v.extend(duban_store::testing::postgres_url().await);
    v
}

#[tokio::test]
async fn demo_import_users_audit_on_each_backend() {
    for db in urls("main").await {
        let o = duban(&db, &["migrate"], None);
        assert!(o.status.success(), "{}", out(&o));
        let a = duban(&db, &["demo"], None);
        assert!(
            a.status.success() && out(&a).contains("50 个单位"),
            "{}",
            out(&a)
        );
        assert!(out(&a).contains("xihu.office"));
        let b = duban(&db, &["demo"], None);
        assert!(
            out(&b).contains("50 个单位") && out(&b).contains("新建账号 0 个"),
            "{}",
            out(&b)
        );

        let dir = tmp("files");
        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            "code,name,level,parent_code\n330300,温州市人民检察院,3,330000\n330301,,9,999999\n",
        )
        .unwrap();
        let o = duban(&db, &["import", "units", bad.to_str().unwrap()], None);
        assert!(!o.status.success());
        let text = out(&o);
        assert!(
            text.contains("第 3 行，name 列")
                && text.contains("第 3 行，level 列")
                && text.contains("未导入任何数据"),
            "{text}"
        );
        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            "code,name,level,parent_code\n330300,温州市人民检察院,3,330000\n",
        )
        .unwrap();
        let o = duban(&db, &["import", "units", good.to_str().unwrap()], None);
        assert!(
            o.status.success() && out(&o).contains("新增 1"),
            "{}",
            out(&o)
        );
        let staff = dir.join("staff.csv");
        std::fs::write(&staff, "staff_id,name,unit_code,department,post,is_leader\nW1,钱一,330300,办公室,检察长,1\nW1,钱二,330300,办公室,,0\n").unwrap();
        let o = duban(&db, &["import", "staff", staff.to_str().unwrap()], None);
        assert!(
            !o.status.success() && out(&o).contains("第 3 行，staff_id 列"),
            "{}",
            out(&o)
        );

        let o = duban(
            &db,
            &[
                "user",
                "add",
                "--login",
                "wz.letters",
                "--unit",
                "330300",
                "--role",
                "letters",
            ],
            Some("wenzhou2020\n"),
        );
        assert!(o.status.success(), "{}", out(&o));
        let o = duban(
            &db,
            &[
                "user", "add", "--login", "x", "--unit", "999999", "--role", "letters",
            ],
            Some("wenzhou2020\n"),
        );
        assert!(!o.status.success());
        let o = duban(
            &db,
            &[
                "user", "add", "--login", "weak.pw", "--unit", "330300", "--role", "letters",
            ],
            Some("123\n"),
        );
        assert!(
            !o.status.success() && out(&o).contains("密码"),
            "{}",
            out(&o)
        );

        let o = duban(&db, &["audit", "verify"], None);
        assert!(
            o.status.success() && out(&o).contains("审计链完整"),
            "{}",
            out(&o)
        );
        let o = duban(&db, &["healthcheck"], None);
        assert!(o.status.success(), "{}", out(&o));

        // tamper: someone with database rights drops the guard and edits entry 2
        let store = duban_store::Store::open(&db, None).await.unwrap();
        match store.backend {
            duban_store::Backend::Sqlite => sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
                .execute(&store.pool)
                .await
                .unwrap(),
            duban_store::Backend::Postgres => {
                sqlx::raw_sql("DROP TRIGGER audit_log_no_change ON audit_log")
                    .execute(&store.pool)
                    .await
                    .unwrap()
            }
        };
        sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
            .execute(&store.pool)
            .await
            .unwrap();
        let o = duban(&db, &["audit", "verify"], None);
        assert!(
            o.status.code() == Some(2) && out(&o).contains("entry 2"),
            "{}",
            out(&o)
        );
    }
}

#[test]
fn calendar_deadline_prints_the_date() {
    let db = format!("sqlite://{}/duban.db", tmp("cal").display());
    let o = duban(
        &db,
        &[
            "calendar",
            "deadline",
            "--start",
            "2020-09-25",
            "--days",
            "7",
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2020-10-09");
    let o = duban(
        &db,
        &[
            "calendar",
            "deadline",
            "--start",
            "2020-09-25",
            "--days",
            "5",
            "--counting",
            "working",
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2020-10-09");
    let o = duban(
        &db,
        &[
            "calendar",
            "deadline",
            "--start",
            "2021-01-31",
            "--months",
            "1",
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2021-03-01");
    let o = duban(
        &db,
        &[
            "calendar",
            "deadline",
            "--start",
            "2026-12-20",
            "--months",
            "3",
        ],
        None,
    );
    assert!(
        !o.status.success() && out(&o).contains("2027"),
        "{}",
        out(&o)
    );
    let o = duban(
        &db,
        &[
            "calendar",
            "deadline",
            "--start",
            "2020-02-30",
            "--days",
            "3",
        ],
        None,
    );
    assert!(!o.status.success() && out(&o).contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn backup_while_serving_then_restore() {
    let dir = tmp("backup");
    let db = format!("sqlite://{}/duban.db", dir.display());
    assert!(duban(&db, &["demo"], None).status.success());
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
        // a pool of three: the server says so in its metrics
        .env("DUBAN_DB_CONNECTIONS", "3")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut healthy = false;
    for _ in 0..100 {
        if duban(&db, &["healthcheck", "--http", &addr], None)
            .status
            .success()
        {
            healthy = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(healthy, "server did not become healthy");
    let metrics = {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            c,
            "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut body = String::new();
        c.read_to_string(&mut body).unwrap();
        body
    };
    assert!(metrics.contains("duban_db_pool_max 3\n"), "{metrics}");
    let o = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["--db", &db, "audit", "verify"])
        .env("DUBAN_DB_CONNECTIONS", "0")
        .output()
        .unwrap();
    assert!(
        !o.status.success() && out(&o).contains("db_connections"),
        "{}",
        out(&o)
    );
    let file = dir.join("backup.jsonl");
    let o = duban(&db, &["backup", "--to", file.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", out(&o));
    let _ = server.kill();
    let _ = server.wait();
    let fresh = format!("sqlite://{}/restored.db", dir.display());
    let o = duban(&fresh, &["restore", "--from", file.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = duban(&fresh, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = duban(&fresh, &["demo"], None);
    assert!(
        out(&o).contains("50 个单位") && out(&o).contains("新建账号 0 个"),
        "{}",
        out(&o)
    );
    // a second restore into a non-empty database needs --force
    let o = duban(&fresh, &["restore", "--from", file.to_str().unwrap()], None);
    assert!(!o.status.success() && out(&o).contains("--force"));
}

#[tokio::test]
async fn plan_stats_and_ledger_workbooks() {
    for db in urls("rect").await {
        assert!(duban(&db, &["demo"], None).status.success());
        let o = duban(&db, &["report", "plans", "--json"], None);
        let plans: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            plans.as_array().unwrap().len(),
            16,
            "{db}: two plans, the party plan's copies in two provinces, three other supervised matters, \
             eight internal inspections' plans and the recommendation's"
        );
        let o = duban(
            &db,
            &[
                "report",
                "plan-stats",
                "--plan",
                "最高检党组巡视整改方案",
                "--as-of",
                "2020-11-05",
                "--json",
            ],
            None,
        );
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            s,
            serde_json::json!({"plan": "最高检党组巡视整改方案", "as_of": "2020-11-05", "total": 87,
                "immediate": {"total": 0, "closed": 0, "open": 0, "overdue": 0},
                "time_limited": {"total": 30, "closed": 15, "open": 15, "overdue": 0},
                "long_term": {"total": 57, "with_staged_results": 57, "overdue": 0},
                "late_entries": 0, "deadline_adjusted": 0}),
            "{db}"
        );
        let id = plans[1]["id"].as_i64().unwrap().to_string();
        let o = duban(
            &db,
            &[
                "report",
                "plan-stats",
                "--plan",
                &id,
                "--as-of",
                "2020-11-05",
                "--json",
            ],
            None,
        );
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (
                s["total"].as_i64(),
                s["immediate"]["total"].as_i64(),
                s["time_limited"]["total"].as_i64(),
                s["long_term"]["total"].as_i64()
            ),
            (Some(49), Some(17), Some(15), Some(17))
        );
        let dir = tmp("xlsx");
        let file = dir.join("party.xlsx");
        let o = duban(
            &db,
            &[
                "export",
                "ledger",
                "--plan",
                "1",
                "--as-of",
                "2020-11-05",
                "--out",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let o = duban(
            &db,
            &[
                "import",
                "ledger",
                file.to_str().unwrap(),
                "--plan",
                "复制方案",
                "--unit",
                "100000",
            ],
            None,
        );
        assert!(
            o.status.success() && out(&o).contains("新增任务 87"),
            "{}",
            out(&o)
        );
        // the 14 columns round-trip: exporting the imported plan gives back every row
        let copy = dir.join("copy.xlsx");
        let today = duban_store::testing::today().to_string();
        let o = duban(
            &db,
            &[
                "export",
                "ledger",
                "--plan",
                "复制方案",
                "--as-of",
                &today,
                "--out",
                copy.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let read = |f: &std::path::Path| {
            duban_publish::sheet::read_table(f.to_str().unwrap(), &std::fs::read(f).unwrap())
                .unwrap()
        };
        let (a, b) = (read(&file), read(&copy));
        assert_eq!(a.len(), b.len(), "{db}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{db}: a row changed on the round trip");
        }
        let o = duban(
            &db,
            &[
                "import",
                "ledger",
                file.to_str().unwrap(),
                "--plan",
                "复制方案",
                "--unit",
                "100000",
            ],
            None,
        );
        assert!(
            out(&o).contains("更新任务 87")
                && out(&o).contains("新增台账 0")
                && out(&o).contains("导入历史销号 0")
                && out(&o).contains("转为待审核申请 0"),
            "re-import of the same workbook changes nothing: {}",
            out(&o)
        );
        // the same workbook does not fit a unit without those people
        let o = duban(
            &db,
            &[
                "import",
                "ledger",
                file.to_str().unwrap(),
                "--plan",
                "浙江方案",
                "--unit",
                "330000",
            ],
            None,
        );
        assert!(
            !o.status.success() && out(&o).contains("第 2 行，牵头领导 列"),
            "{}",
            out(&o)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn letters_import_and_reply_rates() {
    for db in urls("letters").await {
        assert!(duban(&db, &["demo"], None).status.success());
        let dir = tmp("letters-files");
        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on\n2021-03-02,电报,100000,张三,,控告,x,,,\n",
        )
        .unwrap();
        let o = duban(&db, &["import", "letters", bad.to_str().unwrap()], None);
        assert!(
            !o.status.success() && out(&o).contains("第 2 行") && out(&o).contains("channel"),
            "{}",
            out(&o)
        );
        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on\n\
             2021-03-02,12309,100000,张三,010-1234567,控告,反映某案办理拖延,2021-03-05,2021-05-20,2021-05-20\n\
             2021-03-20,来访,100000,王五,,求决,请求国家司法救助,2021-03-30,2021-07-01,\n\
             2021-04-01,网上,330000,,,意见建议,对检务公开的建议,,,\n",
        )
        .unwrap();
        // the demo's day is 2020-11-05: letters of 2021 have not arrived yet
        let o = duban(&db, &["import", "letters", good.to_str().unwrap()], None);
        assert!(
            !o.status.success() && out(&o).contains("第 2 行") && out(&o).contains("晚于今天"),
            "{}",
            out(&o)
        );
        // imported on a day after them
        let o = duban(
            &db,
            &[
                "--today",
                "2021-09-30",
                "import",
                "letters",
                good.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let o = duban(
            &db,
            &[
                "report",
                "letters",
                "--unit",
                "100000",
                "--subtree",
                "--from",
                "2021-01-01",
                "--to",
                "2021-09-30",
                "--as-of",
                "2021-07-15",
                "--json",
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["received"], 3, "{db}: {v}");
        assert_eq!(
            v["ack"],
            serde_json::json!({"due": 3, "on_time": 1, "late": 1, "overdue_open": 1, "rate": 1.0 / 3.0}),
            "{db}: the visit of 03-20 was acknowledged on 03-30, after its 03-27 deadline"
        );
        assert_eq!(
            v["reply"],
            serde_json::json!({"due": 3, "on_time": 1, "late": 1, "overdue_open": 1, "rate": 1.0 / 3.0}),
            "{db}"
        );
        let o = duban(
            &db,
            &[
                "report",
                "letters",
                "--unit",
                "100000",
                "--from",
                "2022-01-01",
                "--to",
                "2022-12-31",
                "--as-of",
                "2022-12-31",
                "--json",
            ],
            None,
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (v["received"].clone(), v["reply"]["rate"].clone()),
            (serde_json::json!(0), serde_json::Value::Null),
            "{db}"
        );
    }
}

#[tokio::test]
async fn records_import_report_and_flag() {
    for db in urls("records").await {
        assert!(duban(&db, &["demo"], None).status.success());
        let dir = tmp("records-files");
        let head = "month,staff_id,zero_report,occurred_on,intervener_name,intervener_unit,intervener_post,intervener_category,is_procuratorate_staff,manner,scope,case_ref,content";
        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            format!("{head}\n2019-01,NOBODY,1,,,,,,,,,,\n2019-01,SPP0001,2,,,,,,,,,,\n"),
        )
        .unwrap();
        let o = duban(&db, &["import", "records", bad.to_str().unwrap()], None);
        assert!(
            !o.status.success()
                && out(&o).contains("第 2 行")
                && out(&o).contains("staff_id")
                && out(&o).contains("zero_report"),
            "{}",
            out(&o)
        );
        // a long file whose last row is bad imports nothing (the file is streamed, not held)
        let tail = dir.join("tail.csv");
        let mut text = format!("{head}\n");
        for m in 3..=12 {
            text.push_str(&format!("2019-{m:02},SPP0001,1,,,,,,,,,,\n"));
        }
        text.push_str("2019-03,SPP0002,1,,,,,,,,,,x\n");
        std::fs::write(&tail, text).unwrap();
        let o = duban(&db, &["import", "records", tail.to_str().unwrap()], None);
        assert!(
            !o.status.success() && out(&o).contains("第 12 行"),
            "{}",
            out(&o)
        );
        let o = duban(
            &db,
            &[
                "report", "records", "--unit", "100000", "--from", "2019-03", "--to", "2019-12",
                "--json",
            ],
            None,
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["filed"], serde_json::json!(0), "{db}: {v}");
        // the demo's first SPP staff member files a record in January and a zero report in February
        let staff_no = "SPP0001";
        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            format!(
                "{head}\n2019-01,{staff_no},0,2019-01-15,张某,某局,副局长,领导干部,0,电话,司法办案,,过问案件\n2019-02,{staff_no},1,,,,,,,,,,\n"
            ),
        )
        .unwrap();
        let o = duban(&db, &["import", "records", good.to_str().unwrap()], None);
        assert!(o.status.success(), "{}", out(&o));
        let o = duban(
            &db,
            &[
                "report", "records", "--unit", "100000", "--from", "2019-01", "--to", "2019-02",
                "--json",
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (v["records"].clone(), v["zero_reports"].clone()),
            (serde_json::json!(1), serde_json::json!(1)),
            "{db}: {v}"
        );
        assert_eq!(
            v["not_filed"].as_u64().unwrap(),
            v["staff"].as_u64().unwrap() * 2 - 2,
            "{db}: {v}"
        );
        let o = duban(
            &db,
            &[
                "records", "flag", "--from", "2020-01", "--to", "2020-12", "--level", "2", "--json",
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["flagged"].is_array(), "{db}: {v}");
    }
}

#[tokio::test]
async fn cases_import_and_case_ratio_report() {
    for db in urls("cases").await {
        assert!(duban(&db, &["demo"], None).status.success());
        let dir = tmp("cases-files");
        let head = "case_id,unit_code,case_type,event,occurred_on,tags";
        // a long file whose last row is bad imports nothing; every problem is named
        let bad = dir.join("bad.csv");
        let mut text = format!("{head}\n");
        for i in 0..500 {
            text.push_str(&format!("K{i},330102,刑事,受理审查逮捕,2019-03-01,\n"));
        }
        text.push_str("K1,330102,海事,喝茶,2099-01-01,\n");
        std::fs::write(&bad, text).unwrap();
        let o = duban(&db, &["import", "cases", bad.to_str().unwrap()], None);
        assert!(
            !o.status.success()
                && out(&o).contains("第 502 行")
                && out(&o).contains("case_type")
                && out(&o).contains("event")
                && out(&o).contains("occurred_on"),
            "{}",
            out(&o)
        );
        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            format!(
                "{head}\nK1,330102,刑事,受理审查逮捕,2019-03-01,涉疫\nK1,330102,刑事,退回补充侦查,2019-04-01,\nK2,330102,刑事,受理审查起诉,2019-05-01,\n"
            ),
        )
        .unwrap();
        for _ in 0..2 {
            let o = duban(&db, &["import", "cases", good.to_str().unwrap()], None);
            assert!(o.status.success(), "{}", out(&o));
        }
        let o = duban(
            &db,
            &[
                "report",
                "case-ratio",
                "--unit",
                "330102",
                "--from",
                "2019-01-01",
                "--to",
                "2019-12-31",
                "--json",
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (v["an"].clone(), v["jian"].clone(), v["ratio"].clone()),
            (
                serde_json::json!(2),
                serde_json::json!(3.0),
                serde_json::json!(1.5)
            ),
            "{db}: imported twice, counted once: {v}"
        );
        assert_eq!(
            v["by_event"]["退回补充侦查"],
            serde_json::json!(1),
            "{db}: {v}"
        );
        let o = duban(
            &db,
            &[
                "report",
                "case-ratio",
                "--unit",
                "330102",
                "--from",
                "2019-01-01",
                "--to",
                "2019-12-31",
                "--tag",
                "涉疫",
                "--json",
            ],
            None,
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["an"], serde_json::json!(1), "{db}: {v}");
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn bulletins_from_the_demo_and_from_an_imported_ledger() {
    for db in urls("bulletin").await {
        assert!(duban(&db, &["demo"], None).status.success());
        let dir = tmp("bulletin");
        // the seed's sentence comes out of the demo ledger
        let o = duban(
            &db,
            &[
                "report",
                "bulletin",
                "--plan",
                "最高检党组巡视整改方案",
                "--plan",
                "驻院纪检监察组巡视整改措施",
                "--as-of",
                "2020-11-05",
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(
            text.contains("最高检党组研究确定的87项整改任务中，限期整改的30项已完成15项，正在整改的15项按照时限要求有序推进；对长期整改的57项，均已取得阶段性成效。")
                // over two plans each breakdown names its plan
                && text.contains("驻院纪检监察组巡视整改措施的任务中，应立行立改的17项，限期整改15项，长期整改17项。")
                && text.contains("2019年9月9日至2019年11月25日"),
            "{db}: {text}"
        );
        // a plan imported from an XLSX ledger: five tasks of the exported ledger
        let full = dir.join("full.xlsx");
        let o = duban(
            &db,
            &[
                "export",
                "ledger",
                "--plan",
                "1",
                "--as-of",
                "2020-11-05",
                "--out",
                full.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let rows = duban_publish::sheet::read_xlsx(&std::fs::read(&full).unwrap()).unwrap();
        let five: Vec<[String; 14]> = rows[1..]
            .iter()
            .rev()
            .take(5)
            .map(|r| std::array::from_fn(|i| r.get(i).cloned().unwrap_or_default()))
            .collect();
        let small = dir.join("five.xlsx");
        std::fs::write(&small, duban_publish::ledger::write_ledger(&five).unwrap()).unwrap();
        let o = duban(
            &db,
            &[
                "import",
                "ledger",
                small.to_str().unwrap(),
                "--plan",
                "专项整改方案",
                "--unit",
                "100000",
            ],
            None,
        );
        assert!(
            o.status.success() && out(&o).contains("新增任务 5"),
            "{}",
            out(&o)
        );
        // its tasks are created on the day of the import: report as of two days on
        let later = (chrono::Utc::now() + chrono::Duration::days(2))
            .date_naive()
            .to_string();
        let o = duban(
            &db,
            &[
                "report",
                "plan-stats",
                "--plan",
                "专项整改方案",
                "--as-of",
                &later,
                "--json",
            ],
            None,
        );
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let pdf = dir.join("five.pdf");
        let o = duban(
            &db,
            &[
                "report",
                "bulletin",
                "--plan",
                "专项整改方案",
                "--as-of",
                &later,
                "--format",
                "pdf",
                "--out",
                pdf.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
        let t = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let t = squeeze(&String::from_utf8_lossy(&t.stdout));
        assert!(
            t.contains(&format!("研究确定的{}项整改任务中", s["total"])),
            "{db}: {t}"
        );
        assert_eq!(s["total"], 5);
        for (cat, name) in [("time_limited", "限期整改"), ("immediate", "立行立改")] {
            let n = &s[cat];
            if n["total"].as_i64().unwrap() > 0
                && n["closed"].as_i64().unwrap() < n["total"].as_i64().unwrap()
            {
                assert!(
                    t.contains(&format!("{name}的{}项", n["total"])),
                    "{db}: {t}"
                );
            }
        }
        if s["long_term"]["total"].as_i64().unwrap() > 0 {
            assert!(
                t.contains(&format!("长期整改的{}项", s["long_term"]["total"])),
                "{db}: {t}"
            );
        }
        for format in ["docx", "html"] {
            let f = dir.join(format!("five.{format}"));
            let o = duban(
                &db,
                &[
                    "report",
                    "bulletin",
                    "--plan",
                    "专项整改方案",
                    "--as-of",
                    &later,
                    "--format",
                    format,
                    "--out",
                    f.to_str().unwrap(),
                ],
                None,
            );
            assert!(
                o.status.success() && std::fs::metadata(&f).unwrap().len() > 500,
                "{}",
                out(&o)
            );
        }
        // bad input: a date before the round, an unknown format, a missing --out (a plan with no tasks:
        // the domain's composition test)
        let o = duban(
            &db,
            &[
                "report",
                "bulletin",
                "--plan",
                "专项整改方案",
                "--as-of",
                "2019-10-01",
            ],
            None,
        );
        assert!(
            !o.status.success() && out(&o).contains("早于巡视意见反馈日期"),
            "{}",
            out(&o)
        );
        // missing fonts: the message names the packages
        let o = Command::new(env!("CARGO_BIN_EXE_duban"))
            .args([
                "report",
                "bulletin",
                "--plan",
                "专项整改方案",
                "--as-of",
                &later,
                "--format",
                "pdf",
                "--out",
            ])
            .arg(dir.join("none.pdf"))
            .env("DUBAN_DATABASE_URL", &db)
            .env("DUBAN_FONT_DIR", dir.join("no-fonts-here"))
            .output()
            .unwrap();
        assert!(
            !o.status.success()
                && out(&o).contains("texlive-lang-chinese")
                && out(&o).contains("fonts-noto-cjk"),
            "{}",
            out(&o)
        );
        let o = duban(
            &db,
            &[
                "report",
                "bulletin",
                "--plan",
                "专项整改方案",
                "--as-of",
                "2020-11-05",
                "--format",
                "odt",
            ],
            None,
        );
        assert!(
            !o.status.success() && out(&o).contains("--format"),
            "{}",
            out(&o)
        );
        let o = duban(
            &db,
            &[
                "report",
                "bulletin",
                "--plan",
                "专项整改方案",
                "--as-of",
                "2020-11-05",
                "--format",
                "pdf",
            ],
            None,
        );
        assert!(
            !o.status.success() && out(&o).contains("--out"),
            "{}",
            out(&o)
        );
    }
}

/// `duban demo | head -1`: the reader goes away after one line; the command still finishes its
/// work and exits 0 without a panic.
#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    let db = format!("sqlite://{}/duban.db", tmp("pipe").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["demo"])
        .env("DUBAN_DATABASE_URL", &db)
        .env("DUBAN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // close the reading end before the first line is written
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", out(&o));
    assert!(!out(&o).contains("panicked"), "{}", out(&o));
    // the demo was loaded whole
    let o = duban(&db, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = duban(
        &db,
        &[
            "report",
            "plan-stats",
            "--plan",
            "最高检党组巡视整改方案",
            "--as-of",
            "2020-11-05",
            "--json",
        ],
        None,
    );
    assert!(out(&o).contains("\"total\": 87"), "{}", out(&o));
}

/// `duban audit anchor` signs the head; `duban audit verify --anchor` passes on the same history
/// and exits 2 after someone with write access rewrote an entry and recomputed every hash.
#[tokio::test]
async fn audit_anchor_catches_a_rewritten_history() {
    let db = urls("anchor").await.remove(0);
    assert!(duban(&db, &["demo"], None).status.success());
    let o = duban(&db, &["audit", "anchor"], None);
    assert!(o.status.success(), "{}", out(&o));
    let anchor: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(anchor["format"], "duban-audit-anchor-1");
    let dir = tmp("anchor-file");
    let file = dir.join("anchor.json");
    std::fs::write(&file, &o.stdout).unwrap();
    let o = duban(
        &db,
        &["audit", "verify", "--anchor", file.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    // later entries do not disturb an earlier anchor
    let o = duban(
        &db,
        &[
            "user",
            "email",
            "--login",
            "office",
            "--email",
            "o@example.cn",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = duban(
        &db,
        &["audit", "verify", "--anchor", file.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    // a forged anchor is refused
    let mut forged = anchor.clone();
    forged["seq"] = serde_json::json!(anchor["seq"].as_i64().unwrap() - 1);
    let ffile = dir.join("forged.json");
    std::fs::write(&ffile, forged.to_string()).unwrap();
    let o = duban(
        &db,
        &["audit", "verify", "--anchor", ffile.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    // rewrite entry 1 and recompute the whole chain, as someone with the database would
    {
        use sqlx::Row;
        use sqlx::sqlite::SqlitePoolOptions;
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&db)
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&pool)
            .await
            .unwrap();
        let rows = sqlx::query("SELECT seq, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json FROM audit_log ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut prev = duban_domain::audit::GENESIS.to_string();
        let mut last = 0;
        for r in &rows {
            let mut e = duban_domain::audit::Entry {
                seq: r.try_get("seq").unwrap(),
                at: r.try_get("at").unwrap(),
                actor_id: r.try_get("actor_id").unwrap(),
                actor: r.try_get("actor").unwrap(),
                action: r.try_get("action").unwrap(),
                entity: r.try_get("entity").unwrap(),
                entity_id: r.try_get("entity_id").unwrap(),
                unit_id: r.try_get("unit_id").unwrap(),
                before: r.try_get("before_json").unwrap(),
                after: r.try_get("after_json").unwrap(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            if e.seq == 1 {
                e.actor = "someone-else".into();
            }
            e.hash = duban_domain::audit::entry_hash(&e, &prev);
            sqlx::query(
                "UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
            )
            .bind(&e.actor)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(e.seq)
            .execute(&pool)
            .await
            .unwrap();
            prev = e.hash;
            last = e.seq;
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last)
            .bind(&prev)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let o = duban(&db, &["audit", "verify"], None);
    assert!(
        o.status.success(),
        "the rewritten chain is consistent in itself: {}",
        out(&o)
    );
    let o = duban(
        &db,
        &["audit", "verify", "--anchor", file.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("与已公布的历史不一致"), "{}", out(&o));
}

/// Hostile workbooks on every importer of the command line: refused with the limit named in
/// Chinese, exit 1 or 2, never an abort (134) or a panic (101).
#[tokio::test]
async fn hostile_workbooks_are_refused_by_every_importer() {
    let db = urls("hostile").await.remove(0);
    assert!(duban(&db, &["demo"], None).status.success());
    let dir = tmp("hostile-files");
    let dim = dir.join("bomb.xlsx");
    std::fs::write(&dim, duban_publish::sheet::hostile::dimension_bomb()).unwrap();
    let zip = dir.join("zip.xlsx");
    std::fs::write(&zip, duban_publish::sheet::hostile::zip_bomb()).unwrap();
    for file in [&dim, &zip] {
        let f = file.to_str().unwrap();
        for args in [
            vec!["import", "units", f],
            vec!["import", "staff", f],
            vec!["import", "letters", f],
            vec!["import", "records", f],
            vec!["import", "cases", f],
            vec!["import", "ledger", f, "--plan", "x", "--unit", "100000"],
        ] {
            let t = std::time::Instant::now();
            let o = duban(&db, &args, None);
            let code = o.status.code();
            assert!(
                matches!(code, Some(1) | Some(2)),
                "{args:?}: exit {code:?}: {}",
                out(&o)
            );
            assert!(out(&o).contains("超出限制"), "{args:?}: {}", out(&o));
            assert!(t.elapsed() < std::time::Duration::from_secs(10), "{args:?}");
        }
    }
}
