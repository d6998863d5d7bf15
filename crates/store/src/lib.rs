//! The Store: one set of SQL on SQLite (default, WAL) and PostgreSQL, through sqlx's `Any` driver.
//! Queries use `$N` placeholders, which both backends accept; where the dialects must differ
//! (migrations, triggers, sequences) the code branches on [`Backend`].
pub use rectification::adjustments;
pub mod accounts;
pub mod audit;
pub mod backup;
pub mod blobs;
pub mod calendar;
pub mod cascade;
pub mod clock;
mod copy;
pub mod demo;
pub mod directory;
pub mod discipline;
pub mod documents;
pub mod kept;
pub mod letters;
pub mod meetings;
mod migrations;
pub mod org;
pub mod paperwork;
pub mod progress;
pub mod quality;
pub(crate) mod queue;
pub mod records;
pub mod rectification;
pub mod search;
pub mod shared;
pub mod staff;
pub mod supervision;
pub mod testing;
pub mod todo;
pub mod users;

use duban_domain::audit::{Entry, entry_hash};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::time::Duration;
use thiserror::Error;

pub use duban_domain::access::Scope;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// A rule of the domain refused the change.
    #[error("{0}")]
    Rule(#[from] duban_domain::rectification::RuleError),
    #[error("import has {} problem(s)", .0.len())]
    Import(Vec<duban_domain::import::CellError>),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Who performs a write: recorded in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    /// The account's role and scope, which the domain's decisions judge; `None` for the
    /// operator's command line and the system's own jobs, which act for the installation.
    pub role: Option<duban_domain::org::Role>,
    /// `None` with a role: an author known only by role (a ledger keeper), who holds no scope.
    pub scope: Option<Scope>,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
            role: None,
            scope: None,
        }
    }

    /// The account acting as `role` over `scope`.
    pub fn account(
        user_id: Option<i64>,
        name: &str,
        role: duban_domain::org::Role,
        scope: Scope,
    ) -> Actor {
        Actor {
            user_id,
            name: name.to_string(),
            role: Some(role),
            scope: Some(scope),
        }
    }

    /// What the domain's decisions judge: `None` for the operator; an account without a scope
    /// covers no unit.
    pub fn who(&self) -> Who<'_> {
        static NO_SCOPE: Scope = Scope {
            unit_id: 0,
            unit_path: String::new(),
            subtree: false,
        };
        self.role
            .map(|r| (r, self.scope.as_ref().unwrap_or(&NO_SCOPE)))
    }
}

/// The account behind a write that the domain's rules judge by role and scope; `None` is the
/// operator's command line on the server (and tests), which acts for the whole installation.
pub type Who<'a> = Option<(duban_domain::org::Role, &'a Scope)>;

#[derive(Clone)]
pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Writers of this process queue here on SQLite (which has one writer at a time) instead of
    /// polling the database lock; other processes are still held off by the lock itself.
    write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The work calendar, read at most once a minute (edits through this store clear it at once).
    calendar: std::sync::Arc<
        std::sync::Mutex<Option<(std::time::Instant, duban_domain::calendar::WorkCalendar)>>,
    >,
    /// Ledger entries queue here to be written in batches, one transaction each (group commit).
    entries: Option<tokio::sync::mpsc::Sender<queue::EntryJob>>,
    /// Where long work reports how far it has come ([`progress`]).
    progress: std::sync::Arc<dyn progress::Progress>,
    /// The one clock every "today" and stamp comes from ([`clock`]).
    clock: std::sync::Arc<clock::Clock>,
    /// The address the public reaches this installation at (printed on replies to writers).
    public_url: std::sync::Arc<std::sync::RwLock<String>>,
    /// PostgreSQL's URL, for the connections bulk imports `COPY` on ([`copy`]).
    pg_url: Option<std::sync::Arc<str>>,
}

/// Where the public reaches an installation that has not said (the default listening address).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

impl Store {
    /// Sets the address the public reaches this installation at (`public_url` in the settings).
    pub fn set_public_url(&self, url: &str) {
        if let Ok(mut u) = self.public_url.write() {
            *u = url.trim().trim_end_matches('/').to_string();
        }
    }
    pub fn public_url(&self) -> String {
        self.public_url
            .read()
            .map(|u| u.clone())
            .unwrap_or_else(|_| DEFAULT_PUBLIC_URL.into())
    }
}

/// The default database: an SQLite file under `./data/`.
pub const DEFAULT_URL: &str = "sqlite://data/duban.db";

/// A value read from the database that the domain must know: one it does not is an error naming
/// it, never a default.
pub(crate) fn known<T>(parsed: Option<T>, what: &str, raw: &str) -> Result<T> {
    parsed.ok_or_else(|| StoreError::Invalid(format!("数据库中的{what}“{raw}”无法识别")))
}

/// A day the database holds (ISO `YYYY-MM-DD`); anything else is an error naming it.
pub(crate) fn day(raw: &str) -> Result<chrono::NaiveDate> {
    known(duban_domain::calendar::parse_date(raw).ok(), "日期", raw)
}

/// A stored UTC time (RFC 3339) as China time (UTC+8), the one place that conversion is made.
pub fn china_time(rfc3339: &str) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8)).naive_utc())
}

/// An integer column whatever the backend made of it (COUNT and SUM are BIGINT on SQLite and
/// BIGINT or NUMERIC on PostgreSQL).
pub(crate) fn int(row: &AnyRow, i: &str) -> Result<i64> {
    if let Ok(v) = row.try_get::<i64, _>(i) {
        return Ok(v);
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.unwrap_or(0));
    }
    let s: Option<String> = row.try_get(i)?;
    Ok(
        s.and_then(|s| s.split('.').next().and_then(|s| s.parse().ok()))
            .unwrap_or(0),
    )
}

/// The wall clock in seconds, for security windows (sessions, tokens), which a pinned day does
/// not move ([`clock`]).
pub fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`), creating an SQLite file and its
    /// directory on first use, and runs the migrations; keeps at most `connections` (default 8
    /// on SQLite, 16 on PostgreSQL).
    pub async fn open(url: &str, connections: Option<u32>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Invalid(format!(
                "unsupported database URL (use sqlite://PATH or postgres://…): {url}"
            )));
        };
        let url = match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if path != ":memory:" {
                    if let Some(dir) = std::path::Path::new(path).parent() {
                        if !dir.as_os_str().is_empty() {
                            std::fs::create_dir_all(dir)?;
                        }
                    }
                }
                format!("sqlite://{path}?mode=rwc")
            }
            Backend::Postgres => url.to_string(),
        };
        // a connection is not pinged each time it is taken from the pool: a page's statements
        // each take one, and the ping was one more round trip apiece (DECISIONS 107); a broken
        // connection fails its statement and is closed
        let opts = AnyPoolOptions::new()
            // the operator's to choose for the database's machine (DECISIONS 121)
            .max_connections(
                connections
                    .unwrap_or(if backend == Backend::Sqlite { 8 } else { 16 })
                    .max(1),
            )
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false);
        let opts = if backend == Backend::Sqlite {
            opts.after_connect(|conn, _| {
                Box::pin(async move {
                    // 16 KB pages for a database this creates (an existing one keeps its own: DECISIONS 57);
                    // WAL for concurrent readers; FULL sync so that an acknowledged write survives a crash.
                    sqlx::raw_sql(
                        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0;",
                    )
                    .execute(&mut *conn)
                    .await?;
                    sqlx::raw_sql(SQLITE_CACHE).execute(conn).await?;
                    Ok(())
                })
            })
        } else {
            opts.after_connect(|conn, _| {
                Box::pin(async move {
                    // no just-in-time compilation: it pays off only for statements that run for
                    // seconds, and Duban's counting statements spent a fifth of their time on it
                    // (DECISIONS 115)
                    sqlx::raw_sql("SET jit = off").execute(conn).await?;
                    Ok(())
                })
            })
        };
        let pool = opts.connect(&url).await?;
        let mut store = Store {
            pool,
            backend,
            write_gate: Default::default(),
            calendar: Default::default(),
            entries: None,
            progress: std::sync::Arc::new(progress::Silent),
            clock: Default::default(),
            public_url: std::sync::Arc::new(std::sync::RwLock::new(DEFAULT_PUBLIC_URL.into())),
            pg_url: (backend == Backend::Postgres).then(|| url.as_str().into()),
        };
        store.migrate().await?;
        store.read_pin().await?;
        if backend == Backend::Sqlite {
            // Connections do not fold the write-ahead log back into the database file when they
            // commit (wal_autocheckpoint=0): a commit that crosses the threshold would pay for
            // everyone's pages. This task does it every second instead, without blocking writers
            // or readers; processes that end call `checkpoint` on the way out.
            let pool = store.pool.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if pool.is_closed() {
                        break;
                    }
                    if let Err(e) = sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)")
                        .execute(&pool)
                        .await
                    {
                        tracing::warn!("checkpoint: {e}");
                    }
                }
            });
        }
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(queue::write_entries(store.clone(), rx));
        store.entries = Some(tx);
        Ok(store)
    }

    /// Folds SQLite's write-ahead log back into the database file (after bulk loads, so that the
    /// next process does not start by reading a large log). Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A cheap query proving the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Begins a write. Every change goes through one: it takes the audit chain's head first, which
    /// serialises writers on both backends, and records audit entries in the same transaction as
    /// the change, so a change and its audit entry commit or vanish together.
    pub async fn write(&self, actor: &Actor) -> Result<Write> {
        let gate = match self.backend {
            Backend::Sqlite => Some(self.write_gate.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        Ok(Write {
            tx,
            backend: self.backend,
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
            actor: actor.clone(),
            dirty: false,
            _gate: gate,
            now: self.now(),
            rules: None,
        })
    }
}

pub struct Write {
    pub tx: Transaction<'static, Any>,
    pub(crate) backend: Backend,
    seq: i64,
    hash: String,
    actor: Actor,
    dirty: bool,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// the store's clock when the write began: every stamp and "today" of one write is the same
    now: chrono::DateTime<chrono::Utc>,
    /// the supervision rules as this transaction read them, for the entries of one batch
    /// ([`Write::supervision_rules`])
    rules: Option<duban_domain::rectification::SupervisionRules>,
}

/// What an audit entry says about one change.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub unit_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Write {
    /// When this write happens (UTC, RFC 3339 with milliseconds), from the store's clock.
    pub fn now_rfc3339(&self) -> String {
        self.now
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// Who writes.
    pub(crate) fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The day in China this write happens on.
    pub fn today(&self) -> chrono::NaiveDate {
        (self.now + chrono::Duration::hours(8)).date_naive()
    }

    /// The domain's decision on whether the writing account holds the right for this command.
    pub fn decide(&self, action: duban_domain::access::Action) -> Result<()> {
        Ok(duban_domain::access::decide(self.actor.role, action)?)
    }

    /// The domain's decision on a nationwide setting: the right, and a scope over the whole
    /// organisation.
    pub fn decide_national(&self, action: duban_domain::access::Action) -> Result<()> {
        match self.actor.who() {
            Some((role, scope)) => Ok(duban_domain::access::decide_national_setting(
                role, scope, action,
            )?),
            None => Ok(()),
        }
    }

    /// The domain's decision on a write about unit `unit_id` (read in this transaction): the
    /// right, and the unit in the writer's scope.
    pub async fn decide_unit(
        &mut self,
        action: duban_domain::access::Action,
        unit_id: i64,
    ) -> Result<()> {
        let Some((role, scope)) = self.actor.who() else {
            return Ok(());
        };
        let path: String = sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(duban_domain::access::decide_unit_write(
            role, scope, action, unit_id, &path,
        )?)
    }

    /// Whose changes the following audit entries record (a batch writes for several users).
    pub fn act_as(&mut self, actor: &Actor) {
        self.actor = actor.clone();
    }

    pub async fn audit(&mut self, c: Change<'_>) -> Result<()> {
        let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
        // every entry concerns a unit: what concerns the whole installation (national settings,
        // logins, the calendar, bulk imports) is the national unit's, so that its discipline
        // group sees it
        let unit_id = match c.unit_id {
            Some(u) => Some(u),
            None => sqlx::query("SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1")
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|r| r.try_get::<i64, _>("id"))
                .transpose()?,
        };
        let mut e = Entry {
            seq: self.seq + 1,
            at: self.now_rfc3339(),
            actor_id: self.actor.user_id,
            actor: self.actor.name.clone(),
            action: c.action.to_string(),
            entity: c.entity.to_string(),
            entity_id: c.entity_id,
            unit_id,
            before: json(c.before),
            after: json(c.after),
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        e.hash = entry_hash(&e, &self.hash);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(e.seq)
        .bind(&e.at)
        .bind(e.actor_id)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.entity)
        .bind(&e.entity_id)
        .bind(e.unit_id)
        .bind(&e.before)
        .bind(&e.after)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut *self.tx)
        .await?;
        self.seq = e.seq;
        self.hash = e.hash;
        self.dirty = true;
        Ok(())
    }

    /// `n` new ids for rows of `table` written in bulk: from its sequence on PostgreSQL, after
    /// its largest on SQLite (whose one writer holds the database).
    pub(crate) async fn new_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        Ok(match self.backend {
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
                )
                .bind(table)
                .bind(n as i64)
                .fetch_all(&mut *self.tx)
                .await?
            }
            Backend::Sqlite => {
                let max: i64 =
                    sqlx::query_scalar(sqlf!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
                        .fetch_one(&mut *self.tx)
                        .await?;
                (max + 1..=max + n as i64).collect()
            }
        })
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.dirty {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.seq)
                .bind(&self.hash)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// The page cache of each SQLite connection (64 MB; SQLite's default is 2 MB).
pub(crate) const SQLITE_CACHE: &str = "PRAGMA cache_size=-65536";

/// One value of a row written by [`Rows`].
pub(crate) enum Bind {
    Int(i64),
    Text(String),
    Null,
    /// a NULL in an integer column (typed, for PostgreSQL)
    NullInt,
}

impl From<String> for Bind {
    fn from(v: String) -> Bind {
        Bind::Text(v)
    }
}

impl From<&str> for Bind {
    fn from(v: &str) -> Bind {
        Bind::Text(v.to_string())
    }
}

/// A statement ready to run, with its values bound.
pub(crate) type Statement = sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>;

/// Rows written in bulk with multi-row `INSERT … VALUES (…), (…) …`: as many rows per statement
/// as both backends bind (SQLite takes at most 32,766 parameters), the statement text made once.
/// Values are bound as they are, without a JSON round trip; statements can be built on one
/// thread and run on another (DECISIONS 56).
pub(crate) struct Rows {
    backend: Backend,
    head: String,
    tail: String,
    columns: usize,
    per_statement: usize,
    full: Option<std::sync::Arc<str>>,
    values: Vec<Bind>,
}

impl Rows {
    /// `head` is `INSERT INTO t (a, b, …)`, `tail` what follows the values (`ON CONFLICT …`).
    pub(crate) fn new(backend: Backend, head: &str, tail: &str, columns: usize) -> Rows {
        let per_statement = 32_000 / columns;
        Rows {
            backend,
            head: head.into(),
            tail: tail.into(),
            columns,
            per_statement,
            full: None,
            values: Vec::new(),
        }
    }

    /// SQLite's parameters are anonymous (`?`): looking up a numbered one costs a walk over all
    /// the statement's names, which makes a statement of 30,000 values quadratic.
    fn sql(&self, rows: usize) -> String {
        use std::fmt::Write as _;
        let mut sql = format!("{} VALUES ", self.head);
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..self.columns {
                let sep = if c == 0 { "" } else { ", " };
                let _ = match self.backend {
                    Backend::Sqlite => write!(sql, "{sep}?"),
                    Backend::Postgres => write!(sql, "{sep}${}", r * self.columns + c + 1),
                };
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(&self.tail);
        sql
    }

    /// Adds a row of `columns` values.
    pub(crate) fn push<const N: usize>(&mut self, row: [Bind; N]) {
        debug_assert_eq!(N, self.columns);
        self.values.extend(row);
    }

    /// Whether a whole statement's worth is pending.
    pub(crate) fn full(&self) -> bool {
        self.values.len() >= self.per_statement * self.columns
    }

    /// The pending rows as whole statements, a remainder kept for later.
    pub(crate) fn take_full(&mut self) -> Vec<Statement> {
        let whole = self.values.len() / (self.per_statement * self.columns);
        let rest = self
            .values
            .split_off(whole * self.per_statement * self.columns);
        let values = std::mem::replace(&mut self.values, rest);
        self.statements(values)
    }

    /// Every pending row as statements.
    pub(crate) fn take_all(&mut self) -> Vec<Statement> {
        let values = std::mem::take(&mut self.values);
        self.statements(values)
    }

    /// Statements of whole rows from `values` (never draining from the front of a long list).
    fn statements(&mut self, values: Vec<Bind>) -> Vec<Statement> {
        let mut left = values.len() / self.columns;
        let mut values = values.into_iter();
        let mut out = Vec::new();
        while left > 0 {
            let rows = left.min(self.per_statement);
            let sql: std::sync::Arc<str> = if rows < self.per_statement {
                self.sql(rows).into()
            } else if let Some(full) = &self.full {
                full.clone()
            } else {
                self.full.insert(self.sql(rows).into()).clone()
            };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in values.by_ref().take(rows * self.columns) {
                q = bind(q, v);
            }
            out.push(q);
            left -= rows;
        }
        out
    }
}

/// Binds one [`Bind`] value.
pub(crate) fn bind(
    q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    v: Bind,
) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
    match v {
        Bind::Int(i) => q.bind(i),
        Bind::Text(t) => q.bind(t),
        Bind::Null => q.bind(None::<String>),
        Bind::NullInt => q.bind(None::<i64>),
    }
}

/// The SQL condition restricting a `units` alias to a scope, with its two parameters
/// (`$a` = the scope's unit id, `$b` = its path prefix pattern, or '' when not a subtree scope).
pub fn scope_sql(alias: &str, a: usize, b: usize) -> String {
    format!("({alias}.id = ${a} OR {alias}.path LIKE ${b})")
}

impl Store {
    /// Refreshes PostgreSQL's planner statistics of `tables` after a bulk load: until autovacuum
    /// comes round (minutes later) the planner takes freshly filled tables for empty ones and may
    /// join a million rows by scanning (the national generator's task update ran for hours).
    /// SQLite's planner does without; nothing is done there.
    pub(crate) async fn analyze(&self, tables: &[&str]) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::raw_sql(crate::sqlf!("ANALYZE {}", tables.join(", ")))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// An aggregate joining the text `fields` of a group's rows with `;` (many rows as one value:
    /// each result row costs a hand-off between the database thread and the caller's).
    pub(crate) fn pack(&self, fields: &str) -> String {
        pack_for(self.backend, fields)
    }

    /// A row source over the elements of the JSON array bound as parameter `n`, each as `j.value`
    /// (element `i` of an inner array is `j.value ->> i`): many rows in one statement that the
    /// database unpacks, without one parameter per value.
    pub(crate) fn json_rows(&self, n: usize) -> String {
        json_rows_for(self.backend, n)
    }
}

/// [`Store::pack`] for a backend (inside a write, or on a connection of its own).
pub(crate) fn pack_for(backend: Backend, fields: &str) -> String {
    match backend {
        Backend::Sqlite => format!("group_concat({fields}, ';')"),
        Backend::Postgres => format!("string_agg({fields}, ';')"),
    }
}

/// [`Store::json_rows`] inside a write.
pub(crate) fn json_rows_for(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => format!("json_each(${n}) j"),
        Backend::Postgres => format!("json_array_elements(${n}::json) j(value)"),
    }
}

pub fn scope_like(scope: &Scope) -> String {
    if scope.subtree {
        format!("{}%", scope.unit_path)
    } else {
        String::new()
    }
}

pub(crate) fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

/// `format!` for SQL assembled from constants in this crate (column lists, scope conditions,
/// table names from [`backup::TABLES`]); user input is always bound as a parameter.
#[macro_export]
macro_rules! sqlf {
    ($($t:tt)*) => { sqlx::AssertSqlSafe(format!($($t)*)) };
}
