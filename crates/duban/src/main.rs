//! `duban`: the one binary. Serve, migrate, demo data, imports, accounts, audit, backup, calendar.
mod scheduler;
mod settings;
mod sms;

use anyhow::Context;
use duban_store::Store;
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

use cli::args::*;
use cli::console::{self, t};

fn main() -> ExitCode {
    let parsed = cli::args::command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        // --help and --version end well; a bad option is refused input
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                console::REFUSED
            } else {
                console::DONE
            });
        }
    };
    console::init(cli.lang == "en", cli.json, cli.quiet);
    // the command's results are on stdout; stderr has what an operator must act on, and the
    // database driver's statements only when asked for (--verbose or DUBAN_LOG)
    let default_filter = if cli.verbose {
        "info,sqlx=info"
    } else if matches!(cli.cmd, Cmd::Serve { .. }) {
        "info,sqlx=off"
    } else {
        "warn,sqlx=off"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUBAN_LOG")
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(console::ENVIRONMENT);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}{e:#}", t!("错误：", "error: "));
            console::exit_code(&e)
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.lines().next().unwrap_or("").to_string())
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
    // healthchecks over HTTP, completions and manual pages need no database connection
    match &cli.cmd {
        Cmd::Healthcheck { http: Some(addr) } => return http_health(addr).await,
        Cmd::Completions { .. } | Cmd::Man { .. } => return cli::help::run(cli.cmd),
        _ => {}
    }
    // the server's own long work (an upload, the sweep) is not drawn on its terminal
    let reporter: std::sync::Arc<dyn duban_store::progress::Progress> =
        if matches!(cli.cmd, Cmd::Serve { .. }) {
            std::sync::Arc::new(duban_store::progress::Silent)
        } else {
            std::sync::Arc::new(console::Reporter::new())
        };
    let store = Store::open(&settings.database_url, settings.db_connections)
        .await
        .with_context(|| {
            t!(
                "打开数据库 {} 失败",
                "opening {}",
                settings::redact(&settings.database_url)
            )
        })?
        .with_progress(reporter.clone());
    store.set_public_url(&settings.public_url);
    let out = match pin_today(&store, &cli.cmd, cli.today.as_deref()).await {
        Ok(()) => command(store.clone(), settings, cli.cmd).await,
        Err(e) => Err(e),
    };
    reporter.finish();
    // the write-ahead log is folded back on the way out (see Store::open)
    let _ = store.checkpoint().await;
    out
}

/// The application's clock for this run: the seed's demo pins its database to the demo's day;
/// `--today DATE` pins this process to DATE, `--today now` to the wall clock.
async fn pin_today(store: &Store, cmd: &Cmd, today: Option<&str>) -> anyhow::Result<()> {
    let seed_demo = matches!(
        cmd,
        Cmd::Serve { demo: true, .. } | Cmd::Demo { scale: None, .. }
    );
    if seed_demo {
        store
            .pin_database(Some(duban_store::demo::DEMO_DAY))
            .await?;
    }
    match today {
        None => {}
        Some("now") => store.pin_for_process(None),
        Some(d) => store.pin_for_process(Some(
            duban_domain::calendar::parse_date(d).map_err(|e| anyhow::anyhow!("--today: {e}"))?,
        )),
    }
    Ok(())
}

async fn command(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Serve { .. } | Cmd::Migrate | Cmd::Healthcheck { .. } => {
            cli::serve::run(store, settings, cmd).await
        }
        Cmd::Demo { .. } => cli::demo::run(store, settings, cmd).await,
        Cmd::Import { .. } | Cmd::Export { .. } => cli::import::run(store, settings, cmd).await,
        Cmd::User { .. } => cli::user::run(store, settings, cmd).await,
        Cmd::Sync { .. } => cli::sync::run(store, settings, cmd).await,
        Cmd::Sweep { .. } | Cmd::Backup { .. } | Cmd::Restore { .. } | Cmd::Calendar { .. } => {
            cli::ops::run(store, settings, cmd).await
        }
        Cmd::Audit { .. } => cli::audit::run(store, settings, cmd).await,
        Cmd::Records { .. } => cli::records::run(store, settings, cmd).await,
        Cmd::Report { .. } => cli::report::run(store, settings, cmd).await,
        Cmd::Completions { .. } | Cmd::Man { .. } => cli::help::run(cmd),
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
        .context(t!("还没有单位", "no units yet"))?;
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
        .with_context(|| t!("连接 {addr} 失败", "connecting {addr}"))?;
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
        eprintln!(
            "{}{}",
            t!("服务不健康：", "unhealthy: "),
            head.lines().next().unwrap_or("")
        );
        Ok(ExitCode::from(console::CHECK_FAILED))
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
