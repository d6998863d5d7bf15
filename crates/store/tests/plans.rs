//! Lists read in the order of an index, on SQLite and (when configured) PostgreSQL: the query
//! plan of each page never sorts what the scope holds (issue 22). The letters, the board and the
//! records register have their own plan tests beside their paging tests.
use duban_store::testing::{self, Arg, plan, sorts_or_scans};

#[tokio::test]
async fn documents_and_audit_pages_follow_their_keys() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let xihu = store.unit_by_code("330106").await.unwrap().unwrap();
        // documents, any kind and state, and filtered
        for state in ["", " AND d.status = 'published'"] {
            let sql = duban_store::documents::documents_sql(state);
            let args = [
                Arg::Int(xihu.id),
                Arg::Text(format!("{}%", xihu.path)),
                Arg::Text("bulletin".into()),
                Arg::Int(i64::MAX),
                Arg::Int(51),
                Arg::Int(0),
            ];
            let p = plan(&store, &sql, &args).await;
            assert!(!sorts_or_scans(&p, "documents"), "{name}: {p:#?}");
        }
        // the audit log, from a unit's scope and from the national one, for the desk and others
        for (national, desk) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let args = [
                Arg::Int(desk),
                Arg::Int(xihu.id),
                Arg::Text(format!("{}%", xihu.path)),
                Arg::Int(national),
                Arg::Text("%".into()),
                Arg::Int(i64::MAX),
                Arg::Int(51),
            ];
            let p = plan(&store, &duban_store::audit::audit_sql(), &args).await;
            assert!(!sorts_or_scans(&p, "audit_log"), "{name}: {p:#?}");
        }
    }
}

/// The plan page's count of late entries reads the late entries' index, not every entry of the
/// plan's tasks (a plan's ledger grows by the day).
#[tokio::test]
async fn late_entries_read_their_index() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let sql = duban_store::rectification::LATE_ENTRIES_SQL;
        let p = plan(&store, sql, &[Arg::Int(1), Arg::Text("2020-11-05".into())]).await;
        assert!(
            p.iter().any(|l| l.contains("ledger_late")),
            "{name}: {p:#?}"
        );
        assert!(!sorts_or_scans(&p, "ledger_entries"), "{name}: {p:#?}");
    }
}
