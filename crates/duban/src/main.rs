//! `duban`: the one binary. Serve, migrate, demo data, imports, accounts, audit, backup, calendar.
mod scheduler;
mod settings;

use anyhow::Context;
use clap::{Parser, Subcommand};
use duban_store::{Store, StoreError};
use settings::Settings;
use std::io::Read;
use std::process::ExitCode;

/// Bulk imports allocate tens of millions of small values across the database thread and the
/// caller's; glibc's allocator spent a quarter of an import's time on them (DECISIONS 56).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A line to standard output. A reader that went away (`duban demo | head -2`) is not an error:
/// the command goes on to its end instead of panicking; any other failure to write is one.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        match writeln!(std::io::stdout().lock(), $($arg)*) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
            _ => Ok(()),
        }
    }};
}

mod cli;

#[derive(Parser)]
#[command(
    name = "duban",
    version,
    about = "督办 Duban — inspection rectification and supervision"
)]
struct Cli {
    /// Database URL: sqlite://PATH (default: an SQLite file under ./data/) or postgres://…
    #[arg(long, global = true, env = "DUBAN_DATABASE_URL")]
    db: Option<String>,
    /// Settings file (TOML).
    #[arg(long, global = true)]
    config: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the web server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Load the demo data first (idempotent) and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Check that the database answers (or, with --http, that a running server is healthy).
    Healthcheck {
        #[arg(long)]
        http: Option<String>,
    },
    /// Load the demo data and print the demo logins. Idempotent.
    Demo {
        /// `nation`: the nationwide organisation used by benchmarks.
        #[arg(long)]
        scale: Option<String>,
        /// With `--scale nation`: criminal cases a year per basic unit for the case events
        /// (1,400 makes about 30 million events; 0 generates none).
        #[arg(long, default_value_t = 1400)]
        cases_per_unit: u64,
    },
    /// Import units or staff from CSV or XLSX: all rows or none.
    Import {
        #[command(subcommand)]
        what: ImportCmd,
    },
    /// Sweep deadlines once: issue reminders and supervision notices, send their e-mail.
    Sweep {
        /// The day to sweep for (default: today in China).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Export documents.
    Export {
        #[command(subcommand)]
        what: ExportCmd,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Write a consistent backup (safe while the server runs).
    Backup {
        #[arg(long)]
        to: String,
    },
    /// Restore a backup into an empty database (or replace everything with --force).
    Restore {
        #[arg(long)]
        from: String,
        #[arg(long)]
        force: bool,
    },
    /// The statutory work calendar.
    Calendar {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// Figures out of the data.
    Report {
        #[command(subcommand)]
        cmd: ReportCmd,
    },
    /// Interference records (三个规定).
    Records {
        #[command(subcommand)]
        cmd: RecordsCmd,
    },
}

#[derive(Subcommand)]
enum RecordsCmd {
    /// Units (and SPP departments) whose reports look too few against their peers or their own history.
    Flag {
        /// YYYY-MM
        #[arg(long)]
        from: String,
        /// YYYY-MM
        #[arg(long)]
        to: String,
        /// Only units of this level (1 SPP … 4 basic); SPP departments are always compared.
        #[arg(long)]
        level: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ReportCmd {
    /// The plans, with their ids and titles.
    Plans {
        #[arg(long)]
        json: bool,
    },
    /// Reply rates of the letters a unit received in a period, as they stand on a date.
    Letters {
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// Include the unit's lower units.
        #[arg(long)]
        subtree: bool,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        as_of: String,
        #[arg(long)]
        json: bool,
    },
    /// Interference-record filings of a unit over months: records, zero reports, staff-months not filed.
    Records {
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// Include the unit's lower units.
        #[arg(long)]
        subtree: bool,
        /// YYYY-MM
        #[arg(long)]
        from: String,
        /// YYYY-MM
        #[arg(long)]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// The 案-件比 of a unit over dates: {"an", "jian", "ratio", "by_event"}, with the plea-leniency
    /// rate and event counts.
    CaseRatio {
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// Include the unit's lower units.
        #[arg(long)]
        subtree: bool,
        /// YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// YYYY-MM-DD
        #[arg(long)]
        to: String,
        /// Only this case type (刑事, 民事, 行政, 公益诉讼).
        #[arg(long = "type")]
        case_type: Option<String>,
        /// Only cases with this tag (e.g. 涉疫).
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The progress bulletin (整改进展情况通报) of one or more plans of a round as of a date, with
    /// the default sections; `--format pdf` lays it out per GB/T 9704.
    Bulletin {
        /// A plan's id or title; repeat for a round with several plans.
        #[arg(long, required = true)]
        plan: Vec<String>,
        #[arg(long)]
        as_of: String,
        /// text, pdf, docx or html
        #[arg(long, default_value = "text")]
        format: String,
        /// Where to write; standard output when absent (text and html only).
        #[arg(long)]
        out: Option<String>,
        /// 联系方式 for the closing formula.
        #[arg(long, default_value = "")]
        contact: String,
    },
    /// A plan's figures on a date, computed from the ledger's history.
    PlanStats {
        /// The plan's id or title.
        #[arg(long)]
        plan: String,
        #[arg(long)]
        as_of: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Columns: code,name,level,parent_code
    Units { file: String },
    /// Columns: staff_id,name,unit_code,department,post,is_leader
    Staff { file: String },
    /// Historical letters. Columns: received_on,channel,unit_code,petitioner,phone,category,content,acknowledged_on,replied_on,closed_on
    Letters { file: String },
    /// Monthly interference-record filings, a row per record or zero report. Columns: month,staff_id,zero_report,occurred_on,intervener_name,intervener_unit,intervener_post,intervener_category,is_procuratorate_staff,manner,scope,case_ref,content
    Records { file: String },
    /// Case procedure events, one row per event. Columns: case_id,unit_code,case_type,event,occurred_on[,tags]
    Cases { file: String },
    /// A rectification ledger workbook (序号, 反馈问题, … 销号日期) into the plan TITLE of unit CODE.
    Ledger {
        file: String,
        #[arg(long)]
        plan: String,
        #[arg(long)]
        unit: String,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
    /// A plan's ledger as it stood on a date, as XLSX in the customary columns.
    Ledger {
        /// The plan's id or title.
        #[arg(long)]
        plan: String,
        #[arg(long)]
        as_of: String,
        #[arg(long)]
        out: String,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        role: String,
        /// The role covers the unit's subordinate units too.
        #[arg(long)]
        subtree: bool,
        /// Display name (default: the login).
        #[arg(long)]
        name: Option<String>,
    },
    /// Set the e-mail address an account's notices go to.
    Email {
        #[arg(long)]
        login: String,
        #[arg(long)]
        email: String,
    },
    /// Set an account's password, read from standard input.
    Passwd {
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Exit 0 when the chain is intact; otherwise name the first entry that does not verify.
    /// With --anchor, also check it against a head published earlier (`duban audit anchor`).
    Verify {
        #[arg(long)]
        anchor: Option<String>,
    },
    /// Sign the chain's head with the installation's key (see `audit_key`) and print the anchor
    /// (JSON) to publish.
    Anchor,
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Print the deadline as YYYY-MM-DD.
    Deadline {
        #[arg(long)]
        start: String,
        #[arg(long, conflicts_with = "months")]
        days: Option<u32>,
        #[arg(long)]
        months: Option<u32>,
        #[arg(long, default_value = "calendar")]
        counting: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUBAN_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.lines().next().unwrap_or("").to_string())
}

/// Feeds a file's rows to an import checker without holding the file, and returns what it kept
/// (or prints every problem).
fn stream_check<C: duban_domain::import::RowCheck>(
    file: &str,
    mut check: C,
) -> anyhow::Result<C::Out> {
    duban_publish::sheet::each_row(std::path::Path::new(file), |i, row| check.check_row(i, row))?;
    check
        .done()
        .map_err(|e| print_import_errors(StoreError::Import(e)))
}

fn print_import_errors(e: StoreError) -> anyhow::Error {
    if let StoreError::Import(errs) = &e {
        for c in errs {
            eprintln!("{c}");
        }
        if errs.iter().any(|c| c.row == 0) {
            return anyhow::anyhow!("导入失败：问题见上，未导入任何数据");
        }
        return anyhow::anyhow!("导入失败：{} 处问题，未导入任何数据", errs.len());
    }
    e.into()
}

fn print_logins(listen: Option<&str>) -> std::io::Result<()> {
    out!(
        "演示账号（密码均为 {}）/ demo logins (password {}):",
        duban_store::demo::DEMO_PASSWORD,
        duban_store::demo::DEMO_PASSWORD
    )?;
    for (login, name, role, unit, subtree) in duban_store::demo::DEMO_USERS {
        out!(
            "  {login:<12} {:<10} {unit}{}  {name}",
            role.as_str(),
            if subtree { " +下级" } else { "" }
        )?;
    }
    if let Some(l) = listen {
        out!("打开 / open: http://{l}/")?;
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(db) = cli.db {
        settings.database_url = db;
    }
    // calendar arithmetic and healthchecks over HTTP need no database connection of their own
    if let Cmd::Healthcheck { http: Some(addr) } = &cli.cmd {
        return http_health(addr).await;
    }
    let store = Store::open(&settings.database_url)
        .await
        .with_context(|| format!("opening {}", settings::redact(&settings.database_url)))?;
    let out = command(store.clone(), settings, cli.cmd).await;
    // the write-ahead log is folded back on the way out (see Store::open)
    let _ = store.checkpoint().await;
    out
}

async fn command(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Serve { .. } | Cmd::Migrate | Cmd::Healthcheck { .. } => {
            cli::serve::run(store, settings, cmd).await
        }
        Cmd::Demo { .. } => cli::demo::run(store, settings, cmd).await,
        Cmd::Import { .. } | Cmd::Export { .. } => cli::import::run(store, settings, cmd).await,
        Cmd::User { .. } => cli::user::run(store, settings, cmd).await,
        Cmd::Sweep { .. } | Cmd::Backup { .. } | Cmd::Restore { .. } | Cmd::Calendar { .. } => {
            cli::ops::run(store, settings, cmd).await
        }
        Cmd::Audit { .. } => cli::audit::run(store, settings, cmd).await,
        Cmd::Records { .. } => cli::records::run(store, settings, cmd).await,
        Cmd::Report { .. } => cli::report::run(store, settings, cmd).await,
    }
}

/// The CLI speaks for the whole organisation: the scope of the level-1 unit's subtree.
async fn national_scope(store: &Store) -> anyhow::Result<duban_store::Scope> {
    let everything = duban_store::Scope {
        unit_id: 0,
        unit_path: "/".into(),
        subtree: true,
    };
    let root = store
        .units(&everything, Some(1), "", 1, 0)
        .await?
        .0
        .into_iter()
        .next()
        .context("no units yet")?;
    Ok(duban_store::Scope {
        unit_id: root.id,
        unit_path: root.path,
        subtree: true,
    })
}

async fn http_health(addr: &str) -> anyhow::Result<ExitCode> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting {addr}"))?;
    s.write_all(
        format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let head = String::from_utf8_lossy(&buf);
    if head.starts_with("HTTP/1.1 200") {
        out!("ok")?;
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("unhealthy: {}", head.lines().next().unwrap_or(""));
        Ok(ExitCode::FAILURE)
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
