//! Interference records in the store, on SQLite and (when configured) PostgreSQL.
use duban_domain::records::{FlagRules, Month};
use duban_store::{Actor, StoreError, testing};
use sqlx::Row;

const HEAD: &str = "month,staff_id,zero_report,occurred_on,intervener_name,intervener_unit,intervener_post,intervener_category,is_procuratorate_staff,manner,scope,case_ref,content";

fn table(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[tokio::test]
async fn import_counts_and_flags() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        // the SPP's staff by department
        let staff = sqlx::query(
            "SELECT s.staff_no, s.department_id FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE u.code = '100000' AND s.department_id IS NOT NULL ORDER BY s.department_id, s.id",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let staff: Vec<(String, i64)> = staff
            .iter()
            .map(|r| {
                (
                    r.try_get("staff_no").unwrap(),
                    r.try_get("department_id").unwrap(),
                )
            })
            .collect();
        let mut depts: Vec<i64> = staff.iter().map(|s| s.1).collect();
        depts.dedup();
        assert!(
            depts.len() >= 6,
            "{name}: {} departments with staff",
            depts.len()
        );
        let quiet = depts[0];
        // six months of 2019 (the demo files 2020): everyone records once a month, except one department that files only zero reports
        let mut lines = vec![HEAD.to_string()];
        for m in 1..=6 {
            for (no, d) in &staff {
                if *d == quiet {
                    lines.push(format!("2019-{m:02},{no},1,,,,,,,,,,"));
                } else {
                    lines.push(format!(
                        "2019-{m:02},{no},0,2019-{m:02}-10,某人,某单位,某职务,领导干部,0,电话,司法办案,,过问案件办理进度"
                    ));
                }
            }
        }
        let r = store
            .import_records(&actor, &table(&lines.join("\n")))
            .await
            .unwrap();
        assert_eq!(r.created, staff.len() * 6, "{name}");
        // the same month again: refused row by row, nothing written
        let again = format!("{HEAD}\n{}", lines[1]);
        let Err(StoreError::Import(errs)) = store.import_records(&actor, &table(&again)).await
        else {
            panic!("{name}: a second filing must be refused")
        };
        assert!(errs[0].message.contains("已报送过"), "{errs:?}");
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let (from, to) = (
            Month::parse("2019-01").unwrap(),
            Month::parse("2019-09").unwrap(),
        );
        let c = store.record_counts(&spp, false, from, to).await.unwrap();
        let quiet_staff = staff.iter().filter(|s| s.1 == quiet).count() as u64;
        assert_eq!(
            (c.records, c.zero_reports, c.filed),
            (
                (staff.len() as u64 - quiet_staff) * 6,
                quiet_staff * 6,
                staff.len() as u64 * 6
            ),
            "{name}: {c:?}"
        );
        assert_eq!(c.not_filed, c.staff * 9 - c.filed, "{name}");
        // the department that only ever reports zero stands out among the SPP's departments
        let rules = FlagRules {
            min_staff_months: 1,
            ..FlagRules::default()
        };
        let flags = store
            .flag_records(from, Month::parse("2019-06").unwrap(), None, &rules)
            .await
            .unwrap();
        let code = format!("100000/{quiet}");
        let f = flags
            .iter()
            .find(|f| f.unit_code == code)
            .unwrap_or_else(|| panic!("{name}: {flags:?}"));
        assert!(
            f.reasons.iter().any(|r| r.contains("零报告占 100.0%")),
            "{f:?}"
        );
        assert!(
            !flags
                .iter()
                .any(|f| f.unit_code.starts_with("100000/") && f.unit_code != code),
            "{name}: only the quiet department: {flags:?}"
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn supervision_letters_are_drafted_issued_and_answered() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let actor = Actor::system("test");
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let national = duban_store::Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: true,
        };
        let flag = duban_domain::records::Flag {
            unit_code: "330000".into(),
            name: "浙江省人民检察院".into(),
            group: "第2级".into(),
            reasons: vec!["零报告占 100.0%，同类单位中位数 97.0%".into()],
            staff_months: 900,
            records: 0,
            rate_per_100: 0.0,
            peer_median_rate: 1.8,
            z: Some(-4.0),
            zero_share: 1.0,
            peer_median_zero_share: 0.97,
            zero_streak: 9,
        };
        let (from, to) = (
            Month::parse("2020-01").unwrap(),
            Month::parse("2020-09").unwrap(),
        );
        let id = store
            .draft_supervision_letter(&actor, &national, &flag, from, to)
            .await
            .unwrap();
        // a unit outside the caller's scope cannot be written to
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let small = duban_store::Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: false,
        };
        assert!(
            store
                .draft_supervision_letter(&actor, &small, &flag, from, to)
                .await
                .is_err(),
            "{name}"
        );
        assert!(
            store
                .supervision_letter_step(&actor, &small, id, "issue", "")
                .await
                .is_err(),
            "{name}"
        );
        let l = &store.supervision_letters(&national).await.unwrap()[0];
        assert!(
            l.body.contains("零报告占 100.0%") && l.state() == "draft",
            "{name}: {l:?}"
        );
        // answering a draft is refused; edit, issue (numbered), answer
        let Err(StoreError::Invalid(m)) = store
            .supervision_letter_step(&actor, &national, id, "answer", "x")
            .await
        else {
            panic!("{name}")
        };
        assert!(m.contains("未发出"), "{m}");
        store
            .supervision_letter_step(&actor, &national, id, "edit", "浙江省人民检察院：请自查。")
            .await
            .unwrap();
        store
            .supervision_letter_step(&actor, &national, id, "issue", "")
            .await
            .unwrap();
        let l = &store.supervision_letters(&national).await.unwrap()[0];
        assert_eq!(
            (l.state(), l.number.map(|n| n.1)),
            ("issued", Some(1)),
            "{name}"
        );
        assert!(
            store
                .supervision_letter_step(&actor, &national, id, "edit", "改")
                .await
                .is_err()
        );
        store
            .supervision_letter_step(
                &actor,
                &national,
                id,
                "answer",
                "已开展自查，补报记录 12 件",
            )
            .await
            .unwrap();
        let l = &store.supervision_letters(&national).await.unwrap()[0];
        assert_eq!(l.state(), "answered", "{name}");
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn staff_who_have_not_filed_are_reminded_once_a_month() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT staff_id) FROM users WHERE staff_id IS NOT NULL AND disabled = 0")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(accounts > 1, "{name}");
        // before the 5th nothing; on it, everyone with an account for December; once only
        assert_eq!(
            store.sweep_records(d("2021-01-04")).await.unwrap(),
            0,
            "{name}"
        );
        assert_eq!(
            store.sweep_records(d("2021-01-05")).await.unwrap() as i64,
            accounts,
            "{name}"
        );
        assert_eq!(
            store.sweep_records(d("2021-01-20")).await.unwrap(),
            0,
            "{name}"
        );
        // one of them files for January: not reminded in February
        let staff: i64 =
            sqlx::query_scalar("SELECT MIN(staff_id) FROM users WHERE staff_id IS NOT NULL")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        store
            .file_record(
                &Actor::system("test"),
                staff,
                Month::parse("2021-01").unwrap(),
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            store.sweep_records(d("2021-02-10")).await.unwrap() as i64,
            accounts - 1,
            "{name}"
        );
        // the mail says which month
        sqlx::query("UPDATE notices SET email = 'x@example.org' WHERE filer_id IS NOT NULL")
            .execute(&store.pool)
            .await
            .unwrap();
        let mail = store.claim_mail(500).await.unwrap();
        assert!(
            mail.iter()
                .any(|m| m.subject == "【提醒】请报送 2021-01 三个规定记录报告"),
            "{name}: {:?}",
            mail.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn demo_filings_attachments_and_department_completeness() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        // the demo's planted under-reporters, and only they, are flagged for Jan–Sep 2020
        let (from, to) = (
            Month::parse("2020-01").unwrap(),
            Month::parse("2020-09").unwrap(),
        );
        let flags = store
            .flag_records(from, to, None, &FlagRules::default())
            .await
            .unwrap();
        let names: Vec<&str> = flags.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["第七检察厅", "广东省人民检察院", "深圳市福田区人民检察院"],
            "{name}: {flags:?}"
        );
        // completeness per unit, then per department under it
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = duban_store::Scope {
            unit_id: spp.id,
            unit_path: spp.path.clone(),
            subtree: false,
        };
        let rows = store
            .completeness(&scope, Month::parse("2020-03").unwrap())
            .await
            .unwrap();
        assert!(rows[0].department.is_none() && rows[0].unit_name == "最高人民检察院");
        let depts: i64 = rows[1..].iter().map(|r| r.staff).sum();
        assert_eq!(depts, rows[0].staff, "{name}: departments add up");
        let seventh = rows
            .iter()
            .find(|r| r.department.as_deref() == Some("第七检察厅"))
            .unwrap();
        assert_eq!(seventh.records, 0, "{name}");
        assert!(seventh.filed > 0 && seventh.zero_reports == seventh.filed);
        // the reporter attaches a file to their own record; nobody else can
        let staff_id: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = 'SPP0201'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        let actor = Actor::system("test");
        store
            .file_record(
                &actor,
                staff_id,
                Month::parse("2019-12").unwrap(),
                Some(&[
                    "2019-12-03".into(),
                    "钱某".into(),
                    "某局".into(),
                    "局长".into(),
                    "leader".into(),
                    "0".into(),
                    "phone".into(),
                    "case".into(),
                    String::new(),
                    "电话过问".into(),
                ]),
            )
            .await
            .unwrap();
        let mine = store.my_records(staff_id).await.unwrap();
        let rec = mine.iter().find(|r| r.month == "2019-12").unwrap();
        let upload = duban_store::rectification::Upload {
            filename: "通话记录.pdf".into(),
            bytes: b"%PDF-1.4 call log".to_vec(),
        };
        let other: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = 'SPP0001'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(matches!(
            store
                .attach_record_file(&actor, other, rec.id, &upload)
                .await,
            Err(StoreError::NotFound)
        ));
        let bad = duban_store::rectification::Upload {
            filename: "x.exe".into(),
            bytes: b"MZ".to_vec(),
        };
        assert!(
            store
                .attach_record_file(&actor, staff_id, rec.id, &bad)
                .await
                .is_err()
        );
        let file = store
            .attach_record_file(&actor, staff_id, rec.id, &upload)
            .await
            .unwrap();
        let mine = store.my_records(staff_id).await.unwrap();
        let rec = mine.iter().find(|r| r.month == "2019-12").unwrap();
        assert_eq!(
            rec.files,
            vec![(file, "通话记录.pdf".to_string())],
            "{name}"
        );
        // the reporter and the details reader over the unit download it; others see nothing
        let got = store
            .record_file(&actor, Some(staff_id), None, rec.id, file)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.2, upload.bytes);
        assert!(
            store
                .record_file(&actor, Some(staff_id), Some(&scope), rec.id, file)
                .await
                .unwrap()
                .is_some()
        );
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        let far = duban_store::Scope {
            unit_id: xihu.id,
            unit_path: xihu.path.clone(),
            subtree: true,
        };
        assert!(
            store
                .record_file(&actor, Some(other), Some(&far), rec.id, file)
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn the_nation_generator_leaves_the_demo_filings_alone() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let count = |sql: &'static str| {
            let store = store.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap()
            }
        };
        let demo = count("SELECT COUNT(*) FROM record_filings").await;
        let demo_records = count("SELECT COUNT(*) FROM interference_records").await;
        // three generated staff members (numbers N…) at 浙江省院
        for i in 0..3 {
            sqlx::query("INSERT INTO staff (staff_no, name, unit_id, post, is_leader) SELECT $1, '某某', id, '检察官', 0 FROM units WHERE code = '330000'")
                .bind(format!("N9999{i}"))
                .execute(&store.pool)
                .await
                .unwrap();
        }
        let n = store.load_nation_records().await.unwrap();
        assert_eq!(n.filings, 27, "{name}: 3 staff × 9 months");
        assert_eq!(
            count("SELECT COUNT(*) FROM record_filings").await,
            demo + 27,
            "{name}"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM interference_records").await,
            demo_records + n.records as i64,
            "{name}"
        );
        assert_eq!(
            store.load_nation_records().await.unwrap().filings,
            0,
            "{name}: once"
        );
    }
}

/// The kept tallies of staff (per unit and per scope) and filings are what counting the rows
/// gives, after the demo, filings through the store, staff moving between units and
/// departments, a filing's records changing, a filing removed, and a restore.
#[tokio::test]
async fn kept_tallies_equal_a_recount() {
    async fn rows(store: &duban_store::Store, sql: &str) -> Vec<String> {
        let mut v: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<i64, _>(i)
                            .map(|x| x.to_string())
                            .or_else(|_| r.try_get::<String, _>(i))
                            .unwrap_or_else(|_| "?".into())
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        v.sort();
        v
    }
    async fn check(name: &str, store: &duban_store::Store, when: &str) {
        assert_eq!(
            rows(store, "SELECT unit_id, department_id, CAST(SUM(delta) AS BIGINT) FROM post_tallies GROUP BY unit_id, department_id HAVING SUM(delta) <> 0").await,
            rows(store, "SELECT unit_id, COALESCE(department_id, 0), COUNT(*) FROM staff GROUP BY unit_id, COALESCE(department_id, 0)").await,
            "{name} {when}: staff"
        );
        assert_eq!(
            rows(store, "SELECT scope_id, month, delta FROM post_scopes WHERE delta <> 0").await,
            rows(store, "SELECT a.ancestor_id, t.month, CAST(SUM(t.delta) AS BIGINT) FROM post_tallies t \
                         JOIN unit_ancestors a ON a.unit_id = t.unit_id GROUP BY a.ancestor_id, t.month HAVING SUM(t.delta) <> 0").await,
            "{name} {when}: staff per scope"
        );
        assert_eq!(
            rows(store, "SELECT scope_id, month, filed FROM filing_scopes WHERE filed <> 0").await,
            rows(store, "SELECT a.ancestor_id, t.month, CAST(SUM(t.filed) AS BIGINT) FROM filing_tallies t \
                         JOIN unit_ancestors a ON a.unit_id = t.unit_id GROUP BY a.ancestor_id, t.month HAVING SUM(t.filed) <> 0").await,
            "{name} {when}: filings per scope"
        );
        assert_eq!(
            rows(store, "SELECT unit_id, month, department_id, filed, zero_reports, records FROM filing_tallies WHERE filed <> 0").await,
            rows(store, "SELECT unit_id, month, COALESCE(department_id, 0), COUNT(*), CAST(SUM(zero_report) AS BIGINT), CAST(SUM(records) AS BIGINT) \
                         FROM record_filings GROUP BY unit_id, month, COALESCE(department_id, 0)").await,
            "{name} {when}: filings"
        );
    }
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        check(name, &store, "after the demo").await;
        let staff: Vec<i64> = sqlx::query_scalar("SELECT id FROM staff ORDER BY id LIMIT 3")
            .fetch_all(&store.pool)
            .await
            .unwrap();
        let actor = Actor::system("test");
        store
            .file_record(&actor, staff[0], Month::parse("2021-01").unwrap(), None)
            .await
            .unwrap();
        store
            .file_record(&actor, staff[1], Month::parse("2021-01").unwrap(), None)
            .await
            .unwrap();
        check(name, &store, "after filings").await;
        let other: i64 = sqlx::query_scalar("SELECT MAX(unit_id) FROM staff")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        for sql in [
            format!(
                "UPDATE staff SET unit_id = {other}, department_id = NULL WHERE id = {}",
                staff[2]
            ),
            format!(
                "UPDATE staff SET department_id = NULL WHERE id = {}",
                staff[1]
            ),
            format!(
                "UPDATE record_filings SET records = records + 2, zero_report = 0 WHERE staff_id = {}",
                staff[0]
            ),
            format!("DELETE FROM record_filings WHERE staff_id = {}", staff[1]),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&store.pool)
                .await
                .unwrap();
            check(name, &store, &sql).await;
        }
        let fresh = testing::restored_copy(&store).await;
        check(name, &fresh, "after a restore").await;
    }
}

/// The discipline group's register pages by keyset: page by page, the same as one long read.
#[tokio::test]
async fn the_register_pages_join_up() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let disc = store.user_by_login("discipline").await.unwrap().unwrap();
        let (from, to) = (
            Month::parse("2020-01").unwrap(),
            Month::parse("2020-09").unwrap(),
        );
        let actor = disc.actor();
        let (all, rest) = store
            .record_register(&actor, &disc.scope(), from, to, None, 100_000)
            .await
            .unwrap();
        assert!(rest.is_none() && all.len() > 10, "{name}: {}", all.len());
        let mut paged = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (page, next) = store
                .record_register(&actor, &disc.scope(), from, to, after.as_deref(), 7)
                .await
                .unwrap();
            assert!(page.len() <= 7);
            paged.extend(page.iter().map(|r| r.id));
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(
            paged,
            all.iter().map(|r| r.id).collect::<Vec<_>>(),
            "{name}"
        );
        assert!(
            store
                .record_register(&actor, &disc.scope(), from, to, Some("nonsense"), 7)
                .await
                .is_err()
        );
    }
}

/// The register's read walks `interference_records_month` in the list's order: no sort of the
/// period's records.
#[tokio::test]
async fn the_register_plan_follows_an_index() {
    use duban_store::testing::{Arg, plan, sorts_or_scans};
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let args = [
            Arg::Int(spp.id),
            Arg::Text(format!("{}%", spp.path)),
            Arg::Text("2020-01".into()),
            Arg::Text("2020-09".into()),
            Arg::Text("9999-12".into()),
            Arg::Int(i64::MAX),
            Arg::Int(101),
        ];
        let p = plan(&store, &duban_store::records::register_sql(), &args).await;
        assert!(
            !sorts_or_scans(&p, "interference_records"),
            "{name}: {p:#?}"
        );
        assert!(
            p.iter().any(|l| l.contains("interference_records_month")),
            "{name}: {p:#?}"
        );
    }
}
