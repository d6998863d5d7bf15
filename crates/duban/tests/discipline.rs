//! The discipline desk from the command line (issue 19): clues and the violations register
//! imported all or nothing, and their reports in the contract's shape, on SQLite and PostgreSQL.
mod common;
use common::{duban, out};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clues_and_violations_import_and_report() {
    for db in common::databases("desk").await {
        let store = duban_store::Store::open(&db, None).await.unwrap();
        store.load_demo().await.unwrap();
        let dir = std::env::temp_dir().join(format!("duban-desk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p.display().to_string()
        };
        let head = "clue_no,received_on,unit_code,source,subject_staff_no,subject_name,summary,disposal,disposal_on,outcome,concluded_on";
        let bad = file(
            "bad.csv",
            &format!("{head}\nC-1,2020-03-02,100000,巡视移交,,张某,反映问题,初步核实,,,\n"),
        );
        let o = duban(&db, &["import", "clues", &bad]);
        assert!(!o.status.success(), "{}", out(&o));
        assert!(out(&o).contains("disposal_on"), "{}", out(&o));
        let good = file(
            "clues.csv",
            &format!(
                "{head}\n\
                 C-1,2020-01-06,330000,巡视移交,,甲某,反映违规干预案件,初步核实,2020-01-20,党纪处分,2020-05-10\n\
                 C-2,2020-02-03,330000,来信来访,,乙某,反映违规收受礼金,谈话函询,2020-02-10,,\n\
                 C-3,2020-08-20,330106,审计移送,,丙某,反映违规报销,,,,\n"
            ),
        );
        let o = duban(&db, &["import", "clues", &good, "--json"]);
        assert!(o.status.success(), "{}", out(&o));
        let o = duban(
            &db,
            &[
                "report",
                "clues",
                "--unit",
                "330000",
                "--subtree",
                "--from",
                "2020-01-01",
                "--to",
                "2020-09-30",
                "--as-of",
                "2020-09-30",
                "--json",
            ],
        );
        assert!(o.status.success(), "{}", out(&o));
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", out(&o)));
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "by_disposal",
                "by_outcome",
                "by_source",
                "concluded",
                "from_inspection",
                "open",
                "overdue",
                "persons_dealt_with",
                "received",
                "undisposed"
            ],
            "{db}"
        );
        assert_eq!(
            (
                v["received"].as_u64(),
                v["from_inspection"].as_u64(),
                v["concluded"].as_u64()
            ),
            (Some(3), Some(1), Some(1)),
            "{db}: {v}"
        );
        // C-2: 谈话函询 from 02-10, 30 days → overdue on 09-30; C-3 received 08-20, undisposed past 30 days
        assert_eq!(
            (v["overdue"].as_u64(), v["undisposed"].as_u64()),
            (Some(2), Some(1)),
            "{db}: {v}"
        );
        assert_eq!(v["by_source"]["巡视移交"], 1);
        assert_eq!(v["by_disposal"]["初步核实"], 1);
        assert_eq!(v["persons_dealt_with"], 1);
        let violations = file(
            "violations.csv",
            "staff_no,name,unit_code,post,kind,filed_on,outcome\n,王某,330000,检察官,违反廉洁纪律,2020-05-01,党纪处分\n,李某,330106,书记员,违反工作纪律,2020-06-01,\n",
        );
        let report = || {
            let o = duban(
                &db,
                &[
                    "report",
                    "violations",
                    "--unit",
                    "330000",
                    "--subtree",
                    "--from",
                    "2020-01-01",
                    "--to",
                    "2020-09-30",
                    "--json",
                ],
            );
            serde_json::from_slice::<serde_json::Value>(&o.stdout)
                .unwrap_or_else(|_| panic!("{}", out(&o)))
        };
        let before = report();
        let o = duban(&db, &["import", "violations", &violations]);
        assert!(o.status.success(), "{}", out(&o));
        let v = report();
        let n = |v: &serde_json::Value, path: [&str; 2]| v[path[0]][path[1]].as_u64().unwrap_or(0);
        assert_eq!(
            v["persons"].as_u64().unwrap() - before["persons"].as_u64().unwrap(),
            2,
            "{db}: {v}"
        );
        assert_eq!(
            n(&v, ["by_level", "2"]) - n(&before, ["by_level", "2"]),
            1,
            "{v}"
        );
        assert_eq!(
            n(&v, ["by_level", "4"]) - n(&before, ["by_level", "4"]),
            1,
            "{v}"
        );
        assert_eq!(
            n(&v, ["by_kind", "违反廉洁纪律"]) - n(&before, ["by_kind", "违反廉洁纪律"]),
            1
        );
        assert_eq!(
            n(&v, ["by_outcome", "党纪处分"]) - n(&before, ["by_outcome", "党纪处分"]),
            1
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
