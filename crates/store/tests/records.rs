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
            .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
            .collect();
        let mut depts: Vec<i64> = staff.iter().map(|s| s.1).collect();
        depts.dedup();
        assert!(
            depts.len() >= 6,
            "{name}: {} departments with staff",
            depts.len()
        );
        let quiet = depts[0];
        // six months: everyone records once a month, except one department that files only zero reports
        let mut lines = vec![HEAD.to_string()];
        for m in 1..=6 {
            for (no, d) in &staff {
                if *d == quiet {
                    lines.push(format!("2020-{m:02},{no},1,,,,,,,,,,"));
                } else {
                    lines.push(format!(
                        "2020-{m:02},{no},0,2020-{m:02}-10,某人,某单位,某职务,领导干部,0,电话,司法办案,,过问案件办理进度"
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
            Month::parse("2020-01").unwrap(),
            Month::parse("2020-09").unwrap(),
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
            .flag_records(from, Month::parse("2020-06").unwrap(), None, &rules)
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
