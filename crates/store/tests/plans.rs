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

/// The workbench's open supervision letters and monitoring hits read their partial indexes, and
/// the hits' list its order; the dashboard's kept subtrees are read by key and counted from the
/// closure and the copies' index, never from every plan, task or unit (migrations 0053, 0054).
#[tokio::test]
async fn open_work_and_kept_subtrees_read_their_indexes() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        let scope = [Arg::Int(spp.id), Arg::Text(format!("{}%", spp.path))];
        let p = plan(
            &store,
            &duban_store::records::supervision_letters_sql(true),
            &scope,
        )
        .await;
        assert!(
            p.iter().any(|l| l.contains("supervision_letters_open")),
            "{name}: {p:#?}"
        );
        assert!(!sorts_or_scans(&p, "supervision_letters"), "{name}: {p:#?}");
        for open in [true, false] {
            let p = plan(&store, &duban_store::quality::case_hits_sql(open), &scope).await;
            assert!(!sorts_or_scans(&p, "case_hits"), "{name} {open}: {p:#?}");
        }
        let units = store
            .children(spp.id)
            .await
            .unwrap()
            .iter()
            .map(|u| u.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        // today's and a past day's counts: grouped in a temporary tree (a subtree's copies), but
        // no table read whole, and the copies found from the subtree's units, not from all of
        // the lineage's (SQLite names a table by its alias)
        for past in [false, true] {
            let p = plan(
                &store,
                &duban_store::cascade::subtree_figures_sql(&units, "", past),
                &[
                    Arg::Int(1),
                    Arg::Text("2020-11-05".into()),
                    Arg::Text("2020-10-01".into()),
                    Arg::Text("2020-08-01".into()),
                ],
            )
            .await;
            let tables: &[(&str, &str)] = if past {
                &[
                    ("plans", "p"),
                    ("tasks", "t"),
                    ("units", "u"),
                    ("unit_ancestors", "a"),
                    ("ledger_entries", "l"),
                ]
            } else {
                &[
                    ("plans", "p"),
                    ("tasks", "f"),
                    ("units", "u"),
                    ("plan_rollup", "k"),
                    ("unit_ancestors", "a"),
                ]
            };
            for (table, alias) in tables {
                let scan = |l: &String| {
                    l == &format!("SCAN {alias}")
                        || l.starts_with(&format!("SCAN {alias} "))
                        || l.contains(&format!("Seq Scan on {table}"))
                };
                assert!(!p.iter().any(scan), "{name} {table} {past}: {p:#?}");
            }
            assert!(
                !p.iter()
                    .any(|l| l.contains("plans_copies (origin_plan_id=?)")),
                "{name} {past}: {p:#?}"
            );
        }
    }
}
