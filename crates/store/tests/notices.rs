//! The supervision board's notices: paged by keyset, in the order of an index.
use duban_store::testing;

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// Page by page, every scope's and every addressee's notices join up to one list, newest first,
/// with none twice and none left out — the same as one long read.
#[tokio::test]
async fn notice_pages_join_up_in_order() {
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        for day in ["2020-11-05", "2021-01-04", "2021-03-01"] {
            store.sweep(d(day)).await.unwrap();
        }
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        let leaders: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT addressee_id FROM notices WHERE addressee_id IS NOT NULL ORDER BY 1 LIMIT 3",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        assert!(!leaders.is_empty(), "{name}: the sweeps addressed notices");
        let mut cases: Vec<(duban_store::Scope, Option<i64>)> =
            vec![(admin.scope(), None), (zj.scope(), None)];
        cases.extend(leaders.iter().map(|l| (admin.scope(), Some(*l))));
        for (scope, addressee) in cases {
            let (all, rest) = store
                .notices(&scope, addressee, None, 1_000_000)
                .await
                .unwrap();
            assert!(rest.is_none());
            // a scope's notices are those of the tasks held in it, counted from the units' paths
            if addressee.is_none() {
                let want: Vec<i64> = sqlx::query_scalar(
                    "SELECT n.id FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id \
                     JOIN units u ON u.id = p.unit_id WHERE u.id = $1 OR u.path LIKE $2 ORDER BY n.issued_on DESC, n.id DESC",
                )
                .bind(scope.unit_id)
                .bind(duban_store::scope_like(&scope))
                .fetch_all(&store.pool)
                .await
                .unwrap();
                assert!(!want.is_empty(), "{name}");
                assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), want, "{name}");
            }
            let mut paged = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let (page, next) = store
                    .notices(&scope, addressee, after.as_deref(), 13)
                    .await
                    .unwrap();
                assert!(page.len() <= 13);
                paged.extend(page.iter().map(|n| n.id));
                match next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            assert_eq!(
                paged,
                all.iter().map(|n| n.id).collect::<Vec<_>>(),
                "{name}"
            );
            assert!(
                all.windows(2).all(
                    |w| (w[0].issued_on.as_str(), w[0].id) > (w[1].issued_on.as_str(), w[1].id)
                ),
                "{name}: newest first"
            );
            if let Some(a) = addressee {
                let mine: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM notices WHERE addressee_id = $1 AND task_id IS NOT NULL",
                )
                .bind(a)
                .fetch_one(&store.pool)
                .await
                .unwrap();
                assert_eq!(
                    all.len() as i64,
                    mine,
                    "{name}: every notice of addressee {a}"
                );
            }
        }
        // filtered, the board holds exactly the notices of that colour or answer state
        use duban_store::supervision::delivery::NoticeFilter;
        let (all, _) = store
            .notices(&admin.scope(), None, None, 1_000_000)
            .await
            .unwrap();
        let answered = all.iter().find(|n| n.kind == "notice").unwrap().id;
        sqlx::query("UPDATE notices SET answered_at = '2021-03-01T01:00:00Z', answer = '已整改' WHERE id = $1")
            .bind(answered)
            .execute(&store.pool)
            .await
            .unwrap();
        // overdue is unanswered 7 days after issue, counted from the application's today
        store.pin_for_process(Some(d("2021-03-01")));
        for (level, state) in [
            ("red", ""),
            ("reminder", ""),
            ("", "unread"),
            ("", "answered"),
            ("red", "overdue"),
        ] {
            let f = NoticeFilter::parse(level, state).unwrap();
            let (page, _) = store
                .notices_filtered(&admin.scope(), None, &f, None, 1_000_000)
                .await
                .unwrap();
            let (all, _) = store
                .notices(&admin.scope(), None, None, 1_000_000)
                .await
                .unwrap();
            let want: Vec<i64> = all
                .iter()
                .filter(|n| match level {
                    "" => true,
                    "reminder" => n.kind == "reminder",
                    l => n.kind == "notice" && n.level == l,
                })
                .filter(|n| match state {
                    "" => true,
                    "unread" => {
                        n.kind == "notice" && n.read_at.is_none() && n.answered_at.is_none()
                    }
                    "answered" => n.answered_at.is_some(),
                    _ => {
                        n.kind == "notice"
                            && n.answered_at.is_none()
                            && n.issued_on.as_str() <= "2021-02-22"
                    }
                })
                .map(|n| n.id)
                .collect();
            assert_eq!(
                page.iter().map(|n| n.id).collect::<Vec<_>>(),
                want,
                "{name}: {level} {state}"
            );
            assert!(!want.is_empty(), "{name}: {level} {state} finds some");
        }
        assert!(NoticeFilter::parse("green", "").is_err());
        assert!(NoticeFilter::parse("", "' OR 1=1 --").is_err());
        assert!(
            store
                .notices(&admin.scope(), None, Some("not a cursor"), 10)
                .await
                .is_err(),
            "{name}"
        );
    }
}

/// The board's read walks an index in the list's order: no sort of the scope, no scan of the
/// notices table in its own order.
#[tokio::test]
async fn notice_page_plan_follows_an_index() {
    use duban_store::testing::{Arg, plan, sorts_or_scans};
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        store.sweep(d("2021-01-04")).await.unwrap();
        let spp = store.unit_by_code("100000").await.unwrap().unwrap();
        for one in [false, true] {
            let sql = duban_store::supervision::delivery::notices_sql(one);
            let args = [
                Arg::Int(spp.id),
                Arg::Int(1),
                Arg::Int(if one { 1 } else { 0 }),
                Arg::Text("9999-12-31".into()),
                Arg::Int(i64::MAX),
                Arg::Int(51),
            ];
            let plan = plan(&store, &sql, &args).await;
            // an addressee's by their index; a scope's from its own queue (migration 0061)
            let index = |l: &String| {
                if one {
                    l.contains("notices_addressee_issued")
                } else {
                    l.contains("notice_reach_pkey")
                        || l.starts_with("SEARCH r USING PRIMARY KEY (unit_id=? AND subtree=?")
                }
            };
            assert!(!sorts_or_scans(&plan, "notices"), "{name}: {plan:#?}");
            assert!(!sorts_or_scans(&plan, "notice_reach"), "{name}: {plan:#?}");
            assert!(plan.iter().any(index), "{name}: {plan:#?}");
        }
        // the counts per leader: the scope's kept rows by key, never every unit's of the subtree
        for (subtree, table, alias) in
            [(true, "notice_scopes", "k"), (false, "notice_tallies", "k")]
        {
            let sql = duban_store::supervision::delivery::notice_counts_sql(subtree);
            let plan = plan(&store, &sql, &[Arg::Int(spp.id)]).await;
            let scan = |l: &String| {
                l == &format!("SCAN {alias}")
                    || l.starts_with(&format!("SCAN {alias} "))
                    || l.contains(&format!("Seq Scan on {table}"))
            };
            assert!(!plan.iter().any(scan), "{name} {table}: {plan:#?}");
            // the 50 from the top of the counts' own order (migration 0058), no sort of them all
            let top = format!("{table}_top");
            assert!(
                plan.iter().any(|l| l.contains(&top)),
                "{name} {table}: {plan:#?}"
            );
            // the units only to name the 50 leaders' own, by key
            assert!(
                !plan
                    .iter()
                    .any(|l| l == "SCAN lu" || l.contains("Seq Scan on units")),
                "{name}: {plan:#?}"
            );
        }
    }
}

/// The board's counts per lead leader, read from the tallies the triggers keep, equal a recount
/// of the notices — after sweeps, after tasks change hands, and in a restored copy.
#[tokio::test]
async fn kept_notice_counts_equal_a_recount() {
    async fn recount(
        store: &duban_store::Store,
        scope: &duban_store::Scope,
    ) -> Vec<(String, [i64; 4])> {
        use sqlx::Row;
        let mut v: Vec<(String, [i64; 4])> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(s.name, '—') AS leader, \
             CAST(SUM(CASE WHEN n.kind = 'reminder' THEN 1 ELSE 0 END) AS BIGINT) AS r, CAST(SUM(CASE WHEN n.level = 'blue' THEN 1 ELSE 0 END) AS BIGINT) AS b, \
             CAST(SUM(CASE WHEN n.level = 'yellow' THEN 1 ELSE 0 END) AS BIGINT) AS y, CAST(SUM(CASE WHEN n.level = 'red' THEN 1 ELSE 0 END) AS BIGINT) AS d \
             FROM notices n JOIN tasks t ON t.id = n.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.unit_id \
             LEFT JOIN staff s ON s.id = t.lead_leader_id WHERE {} GROUP BY t.lead_leader_id, s.name ORDER BY 1",
            duban_store::scope_sql("u", 1, 2)
        )))
        .bind(scope.unit_id)
        .bind(duban_store::scope_like(scope))
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("leader").unwrap(),
                [
                    r.try_get("r").unwrap(),
                    r.try_get("b").unwrap(),
                    r.try_get("y").unwrap(),
                    r.try_get("d").unwrap(),
                ],
            )
        })
        .collect();
        v.sort();
        v
    }
    async fn kept(
        store: &duban_store::Store,
        scope: &duban_store::Scope,
    ) -> Vec<(String, [i64; 4])> {
        let mut v: Vec<_> = store
            .notice_counts(scope)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.leader, [c.reminders, c.blue, c.yellow, c.red]))
            .collect();
        v.sort();
        v
    }
    for (name, store) in testing::all().await {
        store.load_demo().await.unwrap();
        let admin = store.user_by_login("admin").await.unwrap().unwrap();
        let zj = store.user_by_login("zj.office").await.unwrap().unwrap();
        for day in ["2020-11-05", "2021-01-04"] {
            store.sweep(d(day)).await.unwrap();
        }
        for scope in [admin.scope(), zj.scope()] {
            let want = recount(&store, &scope).await;
            assert!(!want.is_empty(), "{name}");
            assert_eq!(kept(&store, &scope).await, want, "{name}: after the sweeps");
        }
        // tasks change hands: one to another leader, one to none, one from none
        let leader: i64 = sqlx::query_scalar("SELECT MAX(id) FROM staff WHERE is_leader = 1")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        for sql in [
            "UPDATE tasks SET lead_leader_id = $1 WHERE id = (SELECT MIN(task_id) FROM notices WHERE task_id IS NOT NULL)",
            "UPDATE tasks SET lead_leader_id = NULL WHERE id = (SELECT MAX(task_id) FROM notices WHERE task_id IS NOT NULL)",
            "UPDATE tasks SET lead_leader_id = $1 WHERE lead_leader_id IS NULL AND id IN (SELECT task_id FROM notices)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(leader)
                .execute(&store.pool)
                .await
                .unwrap();
            assert_eq!(
                kept(&store, &admin.scope()).await,
                recount(&store, &admin.scope()).await,
                "{name}: after {sql}"
            );
        }
        store.sweep(d("2021-03-01")).await.unwrap();
        assert_eq!(
            kept(&store, &admin.scope()).await,
            recount(&store, &admin.scope()).await,
            "{name}: after another sweep"
        );
        let copy = testing::restored_copy(&store).await;
        assert_eq!(
            kept(&copy, &admin.scope()).await,
            recount(&store, &admin.scope()).await,
            "{name}: in a restored copy"
        );
        // and the scopes' queues of notices (migration 0061) are rebuilt with it
        for scope in [admin.scope(), zj.scope()] {
            let ids = |v: Vec<duban_store::supervision::Notice>| {
                v.into_iter().map(|n| n.id).collect::<Vec<_>>()
            };
            let (here, _) = store.notices(&scope, None, None, 1_000_000).await.unwrap();
            let (there, _) = copy.notices(&scope, None, None, 1_000_000).await.unwrap();
            assert!(!here.is_empty(), "{name}");
            assert_eq!(
                ids(there),
                ids(here),
                "{name}: the board in a restored copy"
            );
        }
    }
}
