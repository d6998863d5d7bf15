//! `duban`: the one binary. Serve, migrate, demo data, imports, accounts, audit, backup, calendar.
mod scheduler;
mod settings;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use duban_domain::calendar::{Counting, Period, parse_date};
use duban_domain::org::{Role, UnitCode};
use duban_store::users::NewUser;
use duban_store::{Actor, Store, StoreError};
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
        Cmd::Serve { listen, demo } => {
            let listen = listen.unwrap_or(settings.listen.clone());
            store.seed_calendar().await?;
            if demo {
                let r = store.load_demo().await?;
                out!("演示数据已就绪：{} 个单位，{} 名人员", r.units, r.staff)?;
                print_logins(Some(&listen))?;
            }
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("binding {listen}"))?;
            let addr = listener.local_addr()?;
            let web = duban_web::WebSettings {
                secure_cookies: settings.secure_cookies,
                max_upload_bytes: settings.max_upload_mb * 1024 * 1024,
                login_per_minute: settings.login_per_minute,
                letters_per_minute: settings.letters_per_minute,
                codes_per_minute: settings.codes_per_minute,
                token_days: settings.token_days,
                metrics_token: (!settings.metrics_token.is_empty())
                    .then(|| settings.metrics_token.clone()),
                trusted_proxies: settings
                    .trusted_proxies
                    .iter()
                    .map(|p| {
                        duban_web::proxy::Net::parse(p).with_context(|| {
                            format!("trusted_proxies: not an address or network: {p}")
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
            };
            if settings.sweep_minutes > 0 {
                let mailer = if settings.smtp_url.is_empty() {
                    None
                } else {
                    Some(scheduler::Mailer::new(
                        &settings.smtp_url,
                        &settings.mail_from,
                    )?)
                };
                let (store, every) = (
                    store.clone(),
                    std::time::Duration::from_secs(settings.sweep_minutes * 60),
                );
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(every);
                    loop {
                        tick.tick().await;
                        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
                        match scheduler::run_once(&store, mailer.as_ref(), today).await {
                            Ok(r) => tracing::info!(
                                reminders = r.sweep.reminders,
                                notices = r.sweep.notices,
                                letter_reminders = r.sweep.letter_reminders,
                                letter_notices = r.sweep.letter_notices,
                                mailed = r.mailed,
                                "supervision sweep"
                            ),
                            Err(e) => tracing::error!(error = %e, "supervision sweep failed"),
                        }
                    }
                });
            }
            // the audit chain's head is signed once a day (China time) and published
            let secret = settings::audit_key(&settings.audit_key_path())?;
            {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                    loop {
                        tick.tick().await;
                        let today = duban_store::today();
                        let due = match store.latest_anchor().await {
                            Ok(Some(a)) => duban_store::china_time(&a.signed_at)
                                .is_none_or(|t| t.date() < today),
                            Ok(None) => true,
                            Err(_) => false,
                        };
                        if due {
                            match store.sign_anchor(&secret).await {
                                Ok(Ok(a)) => tracing::info!(seq = a.seq, "audit head signed"),
                                Ok(Err(f)) => {
                                    tracing::error!(fault = %f, "audit chain broken: head not signed")
                                }
                                Err(e) => tracing::error!(error = %e, "audit head not signed"),
                            }
                        }
                    }
                });
            }
            // the search dictionary loads ahead of the first search
            tokio::task::spawn_blocking(duban_store::search::warm_up);
            let app = duban_web::build_app(duban_web::AppState::new(store, web));
            out!("Duban listening on http://{addr}/")?;
            tracing::info!(settings = ?settings, %addr, "serving");
            duban_web::serve(listener, app, shutdown_signal()).await?;
        }
        Cmd::Migrate => {
            store.migrate().await?;
            out!("schema version {}", store.schema_version().await?)?;
        }
        Cmd::Healthcheck { .. } => {
            store.ping().await?;
            out!(
                "ok: database answers, schema version {}",
                store.schema_version().await?
            )?;
        }
        Cmd::Demo {
            scale,
            cases_per_unit,
        } => {
            let r = match scale.as_deref() {
                None => store.load_demo().await?,
                Some("nation") => {
                    let t = std::time::Instant::now();
                    let r = store.load_nation().await?;
                    out!(
                        "nationwide organisation generated in {:.1}s",
                        t.elapsed().as_secs_f64()
                    )?;
                    let t = std::time::Instant::now();
                    let n = store.load_nation_rectification().await?;
                    let t2 = std::time::Instant::now();
                    let l = store.load_nation_letters().await?;
                    out!(
                        "letters: {} generated in {:.1}s",
                        l.letters,
                        t2.elapsed().as_secs_f64()
                    )?;
                    let t3 = std::time::Instant::now();
                    let rec = store.load_nation_records().await?;
                    out!(
                        "records: {} monthly filings, {} records ({} units planted as under-reporting) in {:.1}s",
                        rec.filings,
                        rec.records,
                        rec.planted.len(),
                        t3.elapsed().as_secs_f64()
                    )?;
                    let t4 = std::time::Instant::now();
                    let c = store.load_nation_cases(cases_per_unit).await?;
                    out!(
                        "cases: {} cases, {} events in {:.1}s",
                        c.cases,
                        c.events,
                        t4.elapsed().as_secs_f64()
                    )?;
                    store.checkpoint().await?;
                    out!(
                        "rectification: the party plan issued to {} units, {} tasks, {} ledger entries, in {:.1}s",
                        n.units,
                        n.tasks,
                        n.ledger_entries,
                        t.elapsed().as_secs_f64()
                    )?;
                    r
                }
                Some(other) => bail!("unknown scale {other:?} (use: nation)"),
            };
            out!(
                "演示数据已就绪：{} 个单位，{} 名人员，新建账号 {} 个",
                r.units,
                r.staff,
                r.users_created
            )?;
            print_logins(None)?;
        }
        Cmd::Import {
            what: ImportCmd::Ledger { file, plan, unit },
        } => {
            let code = UnitCode::parse(&unit)?;
            let unit = store
                .unit_by_code(code.as_str())
                .await?
                .with_context(|| format!("unit {} does not exist", code.as_str()))?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {file}"))?;
            let table = duban_publish::sheet::read_table(&file, &bytes)?;
            let importer = duban_store::rectification::Author {
                user_id: None,
                login: "cli".into(),
                role: duban_domain::org::Role::Office,
                staff_id: None,
                departments: vec![],
            };
            let name = std::path::Path::new(&file)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| file.clone());
            let r = store
                .import_ledger(&importer, unit.id, &plan, &name, &table)
                .await
                .map_err(print_import_errors)?;
            out!(
                "导入完成：新增任务 {}，更新任务 {}，新增台账 {}，导入历史销号 {}，转为待审核申请 {}，未执行 {}",
                r.created,
                r.updated,
                r.entries,
                r.historical_closures,
                r.requests.len(),
                r.not_applied.len()
            )?;
            for line in r.requests.iter().chain(&r.not_applied) {
                out!("  {line}")?;
            }
        }
        Cmd::Export {
            what: ExportCmd::Ledger { plan, as_of, out },
        } => {
            let as_of = parse_date(&as_of)?;
            let scope = national_scope(&store).await?;
            let p = store
                .plan(&scope, &plan)
                .await?
                .with_context(|| format!("no plan {plan:?}"))?;
            let rows = store.ledger_sheet(p.id, as_of).await?;
            std::fs::write(&out, duban_publish::ledger::write_ledger(&rows)?)
                .with_context(|| format!("writing {out}"))?;
            out!(
                "{}：{} 项任务，截至 {as_of}，已写入 {out}",
                p.title,
                rows.len()
            )?;
        }
        Cmd::Import {
            what:
                what @ (ImportCmd::Units { .. }
                | ImportCmd::Staff { .. }
                | ImportCmd::Letters { .. }
                | ImportCmd::Records { .. }
                | ImportCmd::Cases { .. }),
        } => {
            let (kind, file) = match &what {
                ImportCmd::Units { file } => ("units", file),
                ImportCmd::Letters { file } => ("letters", file),
                ImportCmd::Records { file } => ("records", file),
                ImportCmd::Cases { file } => ("cases", file),
                ImportCmd::Staff { file } | ImportCmd::Ledger { file, .. } => ("staff", file),
            };
            let actor = Actor::system("cli");
            // streamed: a year of a country's filings or case events is millions of rows
            if kind == "records" {
                let checked = stream_check(file, store.records_check().await?)?;
                let r = store
                    .import_checked_records(&actor, checked)
                    .await
                    .map_err(print_import_errors)?;
                out!("导入完成：新增 {}", r.created)?;
                return Ok(ExitCode::SUCCESS);
            }
            if kind == "cases" {
                let checked = stream_check(file, store.cases_check().await?)?;
                tracing::debug!(events = checked.events.len(), "cases import: file checked");
                let r = store
                    .import_checked_cases(&actor, checked)
                    .await
                    .map_err(print_import_errors)?;
                out!(
                    "导入完成：新增事件 {}，更新已有案件 {}",
                    r.created,
                    r.updated
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
            let table = duban_publish::sheet::read_table(file, &bytes)?;
            let r = match kind {
                "units" => store.import_units(&actor, &table).await,
                "letters" => store.import_letters(&actor, &table).await,
                "records" => store.import_records(&actor, &table).await,
                _ => store.import_staff(&actor, &table, None).await,
            }
            .map_err(print_import_errors)?;
            out!(
                "导入完成：新增 {}，更新 {}，新建部门 {}",
                r.created,
                r.updated,
                r.departments_created
            )?;
        }
        Cmd::User {
            cmd:
                UserCmd::Add {
                    login,
                    unit,
                    role,
                    subtree,
                    name,
                },
        } => {
            let role = Role::parse(&role)?;
            let code = UnitCode::parse(&unit)?;
            let unit = store
                .unit_by_code(code.as_str())
                .await?
                .with_context(|| format!("unit {} does not exist", code.as_str()))?;
            let password = read_password()?;
            let display = name.unwrap_or_else(|| login.clone());
            let nu = NewUser {
                login: &login,
                display_name: &display,
                password: &password,
                role,
                unit_id: unit.id,
                subtree,
            };
            let id = store.create_user(&Actor::system("cli"), &nu).await?;
            out!(
                "created user {login} (id {id}), role {} at {} {}",
                role.as_str(),
                unit.code,
                unit.name
            )?;
        }
        Cmd::User {
            cmd: UserCmd::Email { login, email },
        } => {
            let user = store
                .user_by_login(&login)
                .await?
                .with_context(|| format!("no user {login}"))?;
            store
                .set_email(&Actor::system("cli"), user.id, &email)
                .await?;
            out!("e-mail of {login} set")?;
        }
        Cmd::Sweep { as_of } => {
            let as_of = match as_of {
                Some(d) => parse_date(&d)?,
                None => duban_store::today(),
            };
            let mailer = if settings.smtp_url.is_empty() {
                None
            } else {
                Some(scheduler::Mailer::new(
                    &settings.smtp_url,
                    &settings.mail_from,
                )?)
            };
            let t = std::time::Instant::now();
            let r = scheduler::run_once(&store, mailer.as_ref(), as_of).await?;
            out!(
                "sweep {as_of}: {} tasks watched, {} reminders and {} notices issued ({:.2}s); {} letters watched, {} reminders and {} notices issued ({:.2}s); {} staff reminded to file their records; {} reminded of a rectification report; {} e-mails sent, {} failed ({:.2}s)",
                r.sweep.watched_tasks,
                r.sweep.reminders,
                r.sweep.notices,
                r.sweep.tasks_seconds,
                r.sweep.watched_letters,
                r.sweep.letter_reminders,
                r.sweep.letter_notices,
                r.sweep.letters_seconds,
                r.sweep.record_reminders,
                r.sweep.report_reminders,
                r.mailed,
                r.mail_failed,
                t.elapsed().as_secs_f64()
            )?;
        }
        Cmd::User {
            cmd: UserCmd::Passwd { login },
        } => {
            let user = store
                .user_by_login(&login)
                .await?
                .with_context(|| format!("no user {login}"))?;
            store
                .set_password(&Actor::system("cli"), user.id, &read_password()?, None)
                .await?;
            out!("password set for {login}")?;
        }
        Cmd::Audit {
            cmd: AuditCmd::Verify { anchor: None },
        } => match store.verify_audit().await? {
            Ok(n) => out!("audit chain intact: {n} entries")?,
            Err(fault) => {
                eprintln!("audit chain BROKEN at {fault}");
                return Ok(ExitCode::from(2));
            }
        },
        Cmd::Audit {
            cmd: AuditCmd::Verify { anchor: Some(file) },
        } => {
            let raw = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
            let anchor: duban_domain::anchor::Anchor = match serde_json::from_str(&raw) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("{file}：不是审计锚点文件（{e}）");
                    return Ok(ExitCode::from(2));
                }
            };
            match store.verify_against_anchor(&anchor, None).await? {
                Ok(n) => out!(
                    "audit chain intact: {n} entries; agrees with the anchor of {} (entry {})",
                    anchor.signed_at,
                    anchor.seq
                )?,
                Err(why) => {
                    eprintln!("audit chain BROKEN: {why}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::Anchor,
        } => {
            let secret = settings::audit_key(&settings.audit_key_path())?;
            match store.sign_anchor(&secret).await? {
                Ok(a) => out!("{}", serde_json::to_string_pretty(&a)?)?,
                Err(fault) => {
                    eprintln!("audit chain BROKEN at {fault}: not signed");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Cmd::Backup { to } => {
            let tmp = format!("{to}.partial");
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(&tmp).with_context(|| format!("creating {tmp}"))?,
            );
            let n = store.backup(&mut f).await?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &to)?;
            out!("backup written to {to}: {n} rows")?;
        }
        Cmd::Restore { from, force } => {
            let f = std::io::BufReader::new(
                std::fs::File::open(&from).with_context(|| format!("opening {from}"))?,
            );
            let n = store.restore(f, force).await?;
            out!("restored {n} rows from {from}")?;
        }
        Cmd::Records {
            cmd:
                RecordsCmd::Flag {
                    from,
                    to,
                    level,
                    json,
                },
        } => {
            let month =
                |s: &str| duban_domain::records::Month::parse(s).map_err(|e| anyhow::anyhow!(e));
            let (from, to) = (month(&from)?, month(&to)?);
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            let flagged = store
                .flag_records(
                    from,
                    to,
                    level,
                    &store.supervision_rules().await?.records_flags,
                )
                .await?;
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "flagged": flagged }))?
                )?;
            } else {
                for f in &flagged {
                    out!("{} {}（{}）", f.unit_code, f.name, f.group)?;
                    for r in &f.reasons {
                        out!("  - {r}")?;
                    }
                }
                out!("{from} 至 {to}：{} 个单位或部门报告偏少", flagged.len())?;
            }
        }
        Cmd::Report { cmd } => {
            let scope = national_scope(&store).await?;
            match cmd {
                ReportCmd::Plans { json } => {
                    let plans = store.plans(&scope).await?;
                    if json {
                        let v: Vec<_> = plans.iter().map(|p| serde_json::json!({"id": p.id, "title": p.title, "unit": p.unit_name, "body": p.body, "tasks": p.tasks})).collect();
                        out!("{}", serde_json::to_string_pretty(&v)?)?;
                    } else {
                        for p in plans {
                            out!(
                                "{:>4}  {}  ({}, {} 项)",
                                p.id,
                                p.title,
                                p.unit_name,
                                p.tasks
                            )?;
                        }
                    }
                }
                ReportCmd::Records {
                    unit,
                    subtree,
                    from,
                    to,
                    json,
                } => {
                    let u = store
                        .unit_by_code(&unit)
                        .await?
                        .with_context(|| format!("no unit {unit}"))?;
                    let month = |s: &str| {
                        duban_domain::records::Month::parse(s).map_err(|e| anyhow::anyhow!(e))
                    };
                    let (from, to) = (month(&from)?, month(&to)?);
                    if to < from {
                        bail!("--to {to} is before --from {from}");
                    }
                    let c = store.record_counts(&u, subtree, from, to).await?;
                    if json {
                        out!("{}", serde_json::to_string_pretty(&c)?)?;
                    } else {
                        out!(
                            "{}{}：{from} 至 {to}，人员 {}，记录 {} 件，零报告 {} 人次，未报送 {} 人次",
                            u.name,
                            if subtree { "及下级" } else { "" },
                            c.staff,
                            c.records,
                            c.zero_reports,
                            c.not_filed
                        )?;
                    }
                }
                ReportCmd::CaseRatio {
                    unit,
                    subtree,
                    from,
                    to,
                    case_type,
                    tag,
                    json,
                } => {
                    let u = store
                        .unit_by_code(&unit)
                        .await?
                        .with_context(|| format!("no unit {unit}"))?;
                    let date = |s: &str| duban_domain::calendar::parse_date(s);
                    let (from, to) = (date(&from)?, date(&to)?);
                    if to < from {
                        bail!("--to {to} is before --from {from}");
                    }
                    if let Some(t) = &case_type
                        && !duban_domain::quality::CASE_TYPES.contains(&t.as_str())
                    {
                        bail!(
                            "未知的案件类型“{t}”（{}）",
                            duban_domain::quality::CASE_TYPES.join("、")
                        );
                    }
                    let f = store
                        .quality_figures(
                            &u,
                            subtree,
                            from,
                            to,
                            &duban_store::quality::CaseFilter {
                                case_type,
                                tag,
                                level: None,
                            },
                        )
                        .await?;
                    if json {
                        out!("{}", serde_json::to_string_pretty(&f.report())?)?;
                    } else {
                        out!(
                            "{}{}：{from} 至 {to}，案 {}，件 {}，案件比 {}；审结 {} 件，其中认罪认罚 {} 件",
                            u.name,
                            if subtree { "及下级" } else { "" },
                            f.ratio.an,
                            f.ratio.jian,
                            f.ratio.display(),
                            f.concluded,
                            f.with_plea
                        )?;
                    }
                }
                ReportCmd::Letters {
                    unit,
                    subtree,
                    from,
                    to,
                    as_of,
                    json,
                } => {
                    let u = store
                        .unit_by_code(&unit)
                        .await?
                        .with_context(|| format!("no unit {unit}"))?;
                    let (from, to, as_of) =
                        (parse_date(&from)?, parse_date(&to)?, parse_date(&as_of)?);
                    if to < from {
                        bail!("--to {to} is before --from {from}");
                    }
                    let m = store.letter_metrics(&u, subtree, from, to, as_of).await?;
                    if json {
                        out!("{}", serde_json::to_string_pretty(&m)?)?;
                    } else {
                        let pct = |r: &duban_domain::letters::Rate| {
                            r.rate
                                .map(|x| format!("{:.1}%", x * 100.0))
                                .unwrap_or_else(|| "—".into())
                        };
                        out!(
                            "{}{}：{from} 至 {to} 收到 {} 件（截至 {as_of}）",
                            u.name,
                            if subtree { "及下级" } else { "" },
                            m.received
                        )?;
                        out!(
                            "  7 日内程序性回复：应回复 {}，按期 {}，逾期回复 {}，逾期未回复 {}，按期率 {}",
                            m.ack.due,
                            m.ack.on_time,
                            m.ack.late,
                            m.ack.overdue_open,
                            pct(&m.ack)
                        )?;
                        out!(
                            "  3 个月内答复：应答复 {}，按期 {}，逾期答复 {}，逾期未答复 {}，按期率 {}",
                            m.reply.due,
                            m.reply.on_time,
                            m.reply.late,
                            m.reply.overdue_open,
                            pct(&m.reply)
                        )?;
                        out!("  其中补录 {} 件", m.recorded_late.unwrap_or(0))?;
                    }
                }
                ReportCmd::Bulletin {
                    plan,
                    as_of,
                    format,
                    out,
                    contact,
                } => {
                    let as_of = parse_date(&as_of)?;
                    let text_like = matches!(format.as_str(), "text" | "html");
                    if !text_like && !matches!(format.as_str(), "pdf" | "docx") {
                        anyhow::bail!("--format 须为 text、pdf、docx 或 html，而不是 {format:?}");
                    }
                    if !text_like && out.is_none() {
                        anyhow::bail!("--format {format} 须用 --out 指定输出文件");
                    }
                    let mut plans = Vec::new();
                    for key in &plan {
                        plans.push(
                            store
                                .plan(&scope, key)
                                .await?
                                .with_context(|| format!("没有整改方案 {key:?}"))?,
                        );
                    }
                    let mut row = store
                        .transient_document(duban_domain::documents::Kind::Bulletin, &plans, as_of)
                        .await?;
                    row.draft.contact = contact;
                    let render = duban_publish::official::Official;
                    let doc = store.compose_document(&row, &render).await?;
                    let bytes = match format.as_str() {
                        "text" => duban_publish::official::text(&doc).into_bytes(),
                        "html" => duban_publish::official::html_page(&doc).into_bytes(),
                        "pdf" => duban_publish::official::pdf(&doc)?,
                        _ => duban_publish::docx::docx(&doc)?,
                    };
                    match out {
                        Some(path) => std::fs::write(&path, &bytes)
                            .with_context(|| format!("写入 {path} 失败"))?,
                        None => {
                            use std::io::Write;
                            std::io::stdout().write_all(&bytes)?;
                        }
                    }
                }
                ReportCmd::PlanStats { plan, as_of, json } => {
                    let as_of = parse_date(&as_of)?;
                    let p = store
                        .plan(&scope, &plan)
                        .await?
                        .with_context(|| format!("no plan {plan:?}"))?;
                    let s = store.plan_stats(p.id, as_of).await?;
                    let late = store.late_entries(p.id, as_of).await?;
                    let adjusted = store.deadline_adjusted_tasks(p.id, as_of).await?;
                    let v = serde_json::json!({"plan": p.title, "as_of": as_of.to_string(), "total": s.total,
                        "immediate": s.immediate, "time_limited": s.time_limited, "long_term": s.long_term,
                        "late_entries": late, "deadline_adjusted": adjusted});
                    if json {
                        out!("{}", serde_json::to_string_pretty(&v)?)?;
                    } else {
                        out!("{}（截至 {as_of}）：共 {} 项", p.title, s.total)?;
                        out!(
                            "  立行立改 {} 项：已完成 {}，未完成 {}，逾期 {}",
                            s.immediate.total,
                            s.immediate.closed,
                            s.immediate.open,
                            s.immediate.overdue
                        )?;
                        out!(
                            "  限期整改 {} 项：已完成 {}，未完成 {}，逾期 {}",
                            s.time_limited.total,
                            s.time_limited.closed,
                            s.time_limited.open,
                            s.time_limited.overdue
                        )?;
                        out!(
                            "  长期整改 {} 项：已取得阶段性成效 {}，逾期 {}",
                            s.long_term.total,
                            s.long_term.with_staged_results,
                            s.long_term.overdue
                        )?;
                        out!("  台账中补录 {late} 条；经审批调整期限的任务 {adjusted} 项")?;
                    }
                }
            }
        }
        Cmd::Calendar {
            cmd:
                CalendarCmd::Deadline {
                    start,
                    days,
                    months,
                    counting,
                },
        } => {
            let start = parse_date(&start)?;
            let counting =
                Counting::parse(&counting).context("--counting must be calendar or working")?;
            let period = match (days, months) {
                (Some(d), None) => Period::Days(d),
                (None, Some(m)) => Period::Months(m),
                _ => bail!("give --days N or --months N"),
            };
            store.seed_calendar().await?;
            let d = store
                .work_calendar()
                .await?
                .deadline(start, period, counting)?;
            out!("{d}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
