//! The command line's contracts with an operator (issue 23): one JSON document with `--json`,
//! the same exit codes everywhere, quiet and readable output, progress on long work, help,
//! completions and the manual page.
use std::process::{Command, Output};

/// The binary as an operator runs it: no log settings of the tests' own, output redirected.
fn duban(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env("DUBAN_DATABASE_URL", db)
        .env_remove("DUBAN_LOG")
        .env_remove("DUBAN_LANG")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("duban-op-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const LETTERS_HEAD: &str = "received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on";

/// Neither an ANSI escape nor a database statement in what the operator reads.
fn clean(what: &str, text: &str) {
    assert!(!text.contains('\u{1b}'), "{what}: ANSI escape in {text:?}");
    for sql in [
        "SELECT ",
        "INSERT ",
        "UPDATE ",
        "db.statement",
        "sqlx::query",
    ] {
        assert!(!text.contains(sql), "{what}: database statement in {text}");
    }
}

#[tokio::test]
async fn imports_print_one_json_document_and_share_exit_codes() {
    let mut dbs = vec![format!("sqlite://{}/duban.db", tmp("json").display())];
    dbs.extend(duban_store::testing::postgres_url().await);
    for db in &dbs {
        let o = duban(db, &["demo"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let dir = tmp("json-files");
        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            format!(
                "{LETTERS_HEAD}\n2020-03-02,12309,100000,张三,,控告,反映某案办理拖延,,,\n\
                 2020-13-02,12309,999999,李四,,控告,反映某案办理拖延,,,\n"
            ),
        )
        .unwrap();
        let o = duban(db, &["import", "letters", bad.to_str().unwrap(), "--json"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{db}: refused input: {}",
            stderr(&o)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (
                v["added"].as_u64(),
                v["updated"].as_u64(),
                v["refused"].as_u64()
            ),
            (Some(0), Some(0), Some(1)),
            "{v}"
        );
        let problems = v["problems"].as_array().unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p["row"] == 3 && p["column"] == "received_on")
                && problems
                    .iter()
                    .any(|p| p["row"] == 3 && p["column"] == "unit_code"),
            "{v}"
        );
        clean("refused import", &(stdout(&o) + &stderr(&o)));

        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            format!(
                "{LETTERS_HEAD}\n2020-03-02,12309,100000,张三,,控告,反映某案办理拖延,2020-03-05,,\n"
            ),
        )
        .unwrap();
        let o = duban(db, &["import", "letters", good.to_str().unwrap(), "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (v["added"].as_u64(), v["refused"].as_u64()),
            (Some(1), Some(0)),
            "{v}"
        );
        assert_eq!(v["problems"], serde_json::json!([]));
        // the same in text, Chinese by default and English when asked
        let o = duban(db, &["import", "letters", good.to_str().unwrap()]);
        assert!(stdout(&o).contains("导入完成：新增 1"), "{}", stdout(&o));
        let o = duban(
            db,
            &["--lang", "en", "import", "letters", good.to_str().unwrap()],
        );
        assert!(stdout(&o).contains("imported: 1 added"), "{}", stdout(&o));

        // every report answers in JSON
        for args in [
            vec!["report", "plans"],
            vec![
                "report",
                "plan-stats",
                "--plan",
                "最高检党组巡视整改方案",
                "--as-of",
                "2020-11-05",
            ],
            vec![
                "report",
                "letters",
                "--unit",
                "100000",
                "--subtree",
                "--from",
                "2020-01-01",
                "--to",
                "2020-12-31",
                "--as-of",
                "2020-12-31",
            ],
            vec![
                "report",
                "records",
                "--unit",
                "100000",
                "--subtree",
                "--from",
                "2020-01",
                "--to",
                "2020-09",
            ],
            vec![
                "report",
                "case-ratio",
                "--unit",
                "100000",
                "--subtree",
                "--from",
                "2020-01-01",
                "--to",
                "2020-09-30",
            ],
            vec![
                "report",
                "bulletin",
                "--plan",
                "最高检党组巡视整改方案",
                "--as-of",
                "2020-11-05",
            ],
            vec!["records", "flag", "--from", "2020-01", "--to", "2020-09"],
            vec!["audit", "verify"],
        ] {
            let mut a = args.clone();
            a.push("--json");
            let o = duban(db, &a);
            assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
            let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&o.stdout);
            assert!(
                parsed.is_ok(),
                "{args:?}: not one JSON document: {}",
                stdout(&o)
            );
        }
        // a bad value and a bad option are refused input; a plan that is not there too
        let o = duban(
            db,
            &[
                "report",
                "plan-stats",
                "--plan",
                "1",
                "--as-of",
                "2020-13-01",
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let o = duban(db, &["report", "plans", "--no-such-option"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let o = duban(db, &["import", "letters", "/nonexistent/letters.csv"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    }
    // a database that does not answer is the environment's problem
    let o = duban(
        "postgres://duban:duban@127.0.0.1:1/none",
        &["report", "plans"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    // --help ends well
    let o = duban("sqlite://unused", &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("退出码") && stdout(&o).contains("用法"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn long_work_reports_progress_unless_quiet() {
    let dir = tmp("progress");
    let db = format!("sqlite://{}/duban.db", dir.display());
    assert!(duban(&db, &["demo"]).status.success());
    // enough letters that writing them takes more than a second in a debug build (the import
    // writes whole tables at once: 30,000 no longer did)
    let mut csv = String::from(LETTERS_HEAD);
    for i in 0..150_000 {
        csv.push_str(&format!(
            "\n2020-03-02,12309,100000,来信人{i},,控告,反映某案办理拖延之{i},,,"
        ));
    }
    let file = dir.join("many.csv");
    std::fs::write(&file, csv).unwrap();
    let o = duban(&db, &["import", "letters", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // not a terminal: plain lines, no bar, no escapes
    assert!(
        stderr(&o).contains("写入来信：完成 150000"),
        "{}",
        stderr(&o)
    );
    clean("progress", &stderr(&o));
    let o = duban(
        &db,
        &["--quiet", "import", "letters", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "--quiet prints no progress");
}

#[test]
fn the_nation_generator_writes_no_escape_and_no_sql() {
    let dir = tmp("nation");
    let db = format!("sqlite://{}/duban.db", dir.display());
    // one province: every phase and its output, at a size a test machine's disk holds
    let o = duban(
        &db,
        &[
            "demo",
            "--scale",
            "nation",
            "--cases-per-unit",
            "2",
            "--provinces",
            "1",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    clean("stdout", &stdout(&o));
    clean("stderr", &stderr(&o));
    assert!(stdout(&o).contains("来信：生成"), "{}", stdout(&o));
    let o = duban(&db, &["demo", "--scale", "nation", "--provinces", "0"]);
    assert!(
        !o.status.success() && stderr(&o).contains("--provinces"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_completions_and_the_manual_come_from_one_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let o = duban("sqlite://unused", &["completions", shell]);
        assert!(
            o.status.success() && stdout(&o).contains("import"),
            "{shell}"
        );
    }
    let o = duban("sqlite://unused", &["man"]);
    assert!(
        o.status.success() && stdout(&o).starts_with(".ie") || stdout(&o).contains(".TH duban")
    );
    let dir = tmp("man");
    let o = duban("sqlite://unused", &["man", "--out", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("duban.1").exists() && dir.join("duban-import.1").exists());
    let o = duban("sqlite://unused", &["import", "letters", "--help"]);
    assert!(
        stdout(&o).contains("示例") && stdout(&o).contains("显示帮助"),
        "{}",
        stdout(&o)
    );
}
