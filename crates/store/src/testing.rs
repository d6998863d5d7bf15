//! Fresh databases for tests: SQLite always; PostgreSQL when `DUBAN_TEST_PG_URL` names a server
//! (a new database is created on it for each call). With `DUBAN_REQUIRE_PG=1`, a missing
//! PostgreSQL URL is a failure, not a skip.
use crate::Store;
use sqlx::Connection;

/// The wall clock's day in China: what an unpinned store's [`Store::today`] says.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Backs `store` up and restores the backup over it (forced), as an operator would.
pub async fn restore_own_backup(store: &Store) {
    let mut dump = Vec::new();
    store.backup(&mut dump).await.expect("backup");
    store
        .restore(std::io::Cursor::new(dump), true)
        .await
        .expect("restore");
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        &duban_domain::auth::new_secret()[..12]
    )
}

pub async fn sqlite() -> Store {
    let path = std::env::temp_dir().join(format!("{}.db", unique("duban_test")));
    Store::open(&format!("sqlite://{}", path.display()), None)
        .await
        .expect("open sqlite")
}

/// A new, empty PostgreSQL database, or `None` when none is configured.
pub async fn postgres() -> Option<Store> {
    Some(
        Store::open(&postgres_url().await?, None)
            .await
            .expect("open postgres"),
    )
}

/// The URL of a new, empty PostgreSQL database (not yet migrated), or `None` when none is
/// configured: for tests that start `duban` processes or open connections of their own.
pub async fn postgres_url() -> Option<String> {
    let Ok(url) = std::env::var("DUBAN_TEST_PG_URL") else {
        assert!(
            std::env::var("DUBAN_REQUIRE_PG").as_deref() != Ok("1"),
            "DUBAN_REQUIRE_PG=1 but DUBAN_TEST_PG_URL is not set"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = unique("duban_test");
    let mut admin = sqlx::AnyConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connect to DUBAN_TEST_PG_URL={url:?}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b.to_string(), format!("?{q}")),
        None => (url.clone(), String::new()),
    };
    let base = base
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(base);
    Some(format!("{base}/{name}{query}"))
}

/// The stores a backend-independent test runs on, labelled.
pub async fn all() -> Vec<(&'static str, Store)> {
    let mut v = vec![("sqlite", sqlite().await)];
    if let Some(pg) = postgres().await {
        v.push(("postgres", pg));
    }
    v
}

/// A fresh store of the same backend holding a backup of `store`, restored: for tests that what
/// a restore rebuilds is what was there.
pub async fn restored_copy(store: &Store) -> Store {
    let mut backup = Vec::new();
    store.backup(&mut backup).await.expect("backup");
    let fresh = match store.backend {
        crate::Backend::Sqlite => sqlite().await,
        crate::Backend::Postgres => postgres().await.expect("PostgreSQL"),
    };
    fresh
        .restore(std::io::Cursor::new(backup), false)
        .await
        .expect("restore");
    fresh
}

/// The ledger author behind a demo account (its staff record and department), for tests.
pub async fn author(store: &Store, login: &str) -> crate::rectification::Author {
    let u = store
        .user_by_login(login)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no account {login}"));
    crate::rectification::Author {
        user_id: Some(u.id),
        login: u.login.clone(),
        role: u.role,
        staff_id: u.staff_id,
        departments: u.departments(),
    }
}

/// A value bound to a statement whose plan a test reads.
#[derive(Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// The plan of `sql` with `args` bound, a line each: SQLite's `EXPLAIN QUERY PLAN` details, or
/// PostgreSQL's `EXPLAIN` with sequential scans and sorts priced out (on a small test database
/// the planner would rightly prefer them; the test asks whether an index *can* serve the list).
pub async fn plan(store: &Store, sql: &str, args: &[Arg]) -> Vec<String> {
    use sqlx::Row;
    let sqlite = store.backend == crate::Backend::Sqlite;
    let mut tx = store.pool.begin().await.unwrap();
    let explain = if sqlite {
        format!("EXPLAIN QUERY PLAN {sql}")
    } else {
        sqlx::raw_sql("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
            .execute(&mut *tx)
            .await
            .unwrap();
        format!("EXPLAIN {sql}")
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(explain));
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(t) => q.bind(t.clone()),
        };
    }
    q.fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.try_get::<String, _>(if sqlite { "detail" } else { "QUERY PLAN" })
                .unwrap()
        })
        .collect()
}

/// Whether a plan sorts rows (a temporary B-tree, a Sort node) or scans `table` whole.
pub fn sorts_or_scans(plan: &[String], table: &str) -> bool {
    plan.iter().any(|l| {
        l.contains("TEMP B-TREE")
            || l.contains(&format!("Seq Scan on {table}"))
            || l == &format!("SCAN {table}")
            || l.starts_with(&format!("SCAN {table} "))
            || {
                // a Sort node; not the sort key a Merge Append of ordered partitions names
                let l = l.trim_start().trim_start_matches("->").trim_start();
                l.starts_with("Sort") && !l.starts_with("Sort Key") && !l.starts_with("Sort Method")
            }
    })
}
