//! PostgreSQL keeps the tables that grow with every year — case events and the audit log — in a
//! partition a year (issue 22): rows land in their year's partition, a year's reading is pruned
//! to it, the audit log stays append-only on every partition and its chain verifies, and a
//! restore continues the case events' ids.
use duban_store::testing;
use sqlx::Row;

async fn one(store: &duban_store::Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

#[tokio::test]
async fn case_events_and_the_audit_log_are_kept_by_year() {
    let Some(store) = testing::postgres().await else {
        return;
    };
    store.load_demo().await.unwrap();
    for table in ["case_events", "audit_log"] {
        let kind: String = sqlx::query_scalar(
            "SELECT relkind::text FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace",
        )
        .bind(table)
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(kind, "p", "{table} is partitioned");
    }
    let in_2020 = one(
        &store,
        "SELECT COUNT(*) FROM case_events WHERE on_date >= '2020-01-01' AND on_date < '2021-01-01'",
    )
    .await;
    assert!(in_2020 > 0, "the demo's case events of 2020");
    assert_eq!(
        one(&store, "SELECT COUNT(*) FROM case_events_2020").await,
        in_2020,
        "every 2020 event in the 2020 partition"
    );
    assert_eq!(
        one(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE tableoid <> ('audit_log_' || SUBSTR(at, 1, 4))::regclass"
        )
        .await,
        0,
        "every audit entry in its year's partition"
    );
    // a year's reading is pruned to that year's partition
    let plan: Vec<String> = sqlx::query(
        "EXPLAIN SELECT COUNT(*) FROM case_events WHERE on_date >= '2020-01-01' AND on_date <= '2020-12-31'",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String, _>(0).unwrap())
    .collect();
    assert!(
        plan.iter().any(|l| l.contains("case_events_2020"))
            && !plan
                .iter()
                .any(|l| l.contains("case_events_2019") || l.contains("case_events_2021")),
        "{plan:#?}"
    );
    // append-only through the parent and on a partition itself
    let year: String = sqlx::query_scalar("SELECT SUBSTR(MAX(at), 1, 4) FROM audit_log")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'x'".to_string(),
        "DELETE FROM audit_log".to_string(),
        format!("UPDATE audit_log_{year} SET actor = 'x'"),
        format!("DELETE FROM audit_log_{year}"),
    ] {
        let e = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&store.pool)
            .await
            .expect_err(&sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert!(store.verify_audit().await.unwrap().is_ok());
    // a restored copy continues the ids after the last event
    let fresh = testing::restored_copy(&store).await;
    let max = one(&fresh, "SELECT MAX(id) FROM case_events").await;
    let next = one(&fresh, "SELECT nextval('case_event_ids')").await;
    assert!(next > max, "{next} after {max}");
    assert_eq!(
        one(&fresh, "SELECT COUNT(*) FROM case_events").await,
        one(&store, "SELECT COUNT(*) FROM case_events").await
    );
    assert!(fresh.verify_audit().await.unwrap().is_ok());
}
