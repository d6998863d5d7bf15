//! Serving, the health check and migrations.
use crate::*;
use anyhow::{Context, bail};
use duban_store::Store;
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
        Cmd::Serve { listen, demo } => {
            let listen = listen.unwrap_or(settings.listen.clone());
            store.seed_calendar().await?;
            if demo {
                let r = super::demo::seed_demo(&store).await?;
                out!(
                    "{}",
                    t!(
                        "演示数据已就绪：{} 个单位，{} 名人员",
                        "demo data ready: {} units, {} staff",
                        r.units,
                        r.staff
                    )
                )?;
                print_logins(Some(&listen))?;
            }
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| t!("绑定 {listen} 失败", "binding {listen}"))?;
            let addr = listener.local_addr()?;
            let web = duban_web::WebSettings {
                secure_cookies: settings.secure_cookies,
                max_upload_bytes: settings.max_upload_mb * 1024 * 1024,
                login_per_minute: settings.login_per_minute,
                letters_per_minute: settings.letters_per_minute,
                codes_per_minute: settings.codes_per_minute,
                token_days: settings.token_days,
                directory: settings.ldap.enabled().then(|| settings.ldap.clone()),
                oidc: settings.oidc.enabled().then(|| settings.oidc.clone()),
                metrics_token: (!settings.metrics_token.is_empty())
                    .then(|| settings.metrics_token.clone()),
                trusted_proxies: settings
                    .trusted_proxies
                    .iter()
                    .map(|p| {
                        duban_web::proxy::Net::parse(p).with_context(|| {
                            t!(
                                "trusted_proxies：{p} 不是地址或网段",
                                "trusted_proxies: not an address or network: {p}"
                            )
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
            };
            // this server among those sharing the database, for the scheduled jobs' leases
            let holder = format!(
                "{}:{}:{:016x}",
                std::env::var("HOSTNAME").unwrap_or_default(),
                std::process::id(),
                rand::random::<u64>()
            );
            if settings.sweep_minutes > 0 {
                let outbound = scheduler::Outbound::from_settings(&settings)?;
                let (store, every) = (
                    store.clone(),
                    std::time::Duration::from_secs(settings.sweep_minutes * 60),
                );
                let holder = holder.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(every);
                    loop {
                        tick.tick().await;
                        // of several servers on one database, the lease holder sweeps
                        match store
                            .take_lease("sweep", &holder, 2 * every.as_secs() as i64)
                            .await
                        {
                            Ok(true) => {}
                            Ok(false) => continue,
                            Err(e) => {
                                tracing::error!(error = %e, "sweep lease unavailable");
                                continue;
                            }
                        }
                        if let Err(e) = store.forget_rate_hits(3600).await {
                            tracing::warn!(error = %e, "old rate-limit windows not removed");
                        }
                        let today = store.today();
                        match scheduler::run_once(&store, &outbound, today).await {
                            Ok(r) => tracing::info!(
                                reminders = r.sweep.reminders,
                                notices = r.sweep.notices,
                                letter_reminders = r.sweep.letter_reminders,
                                letter_notices = r.sweep.letter_notices,
                                mailed = r.mailed,
                                writers_sent = r.writers_sent,
                                writers_failed = r.writers_failed,
                                "supervision sweep"
                            ),
                            Err(e) => tracing::error!(error = %e, "supervision sweep failed"),
                        }
                    }
                });
            }
            // the roster kept from the directory, by the lease holder of several servers
            if settings.ldap.enabled() && settings.ldap_sync_hours > 0 {
                let (store, cfg, holder) = (store.clone(), settings.ldap.clone(), holder.clone());
                let every = std::time::Duration::from_secs(settings.ldap_sync_hours * 3600);
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(every);
                    loop {
                        tick.tick().await;
                        if !store
                            .take_lease("ldap-sync", &holder, 2 * every.as_secs() as i64)
                            .await
                            .unwrap_or(false)
                        {
                            continue;
                        }
                        match crate::cli::sync::ldap(&store, &cfg).await {
                            Ok(r) => tracing::info!(
                                seen = r.seen,
                                staff_created = r.staff_created,
                                accounts_created = r.accounts_created,
                                moved = r.moved,
                                disabled = r.disabled,
                                skipped = r.skipped_count,
                                "directory synchronised"
                            ),
                            Err(e) => {
                                tracing::error!(error = %e, "directory synchronisation failed")
                            }
                        }
                    }
                });
            }
            // the audit chain's head is signed once a day (China time) and published
            let secret = settings::audit_key(&settings.audit_key_path())?;
            {
                let store = store.clone();
                let holder = holder.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                    loop {
                        tick.tick().await;
                        if !store
                            .take_lease("anchor", &holder, 7200)
                            .await
                            .unwrap_or(false)
                        {
                            continue;
                        }
                        let today = store.today();
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
            out!(
                "{}",
                t!(
                    "督办 Duban 已在 http://{addr}/ 上服务",
                    "Duban listening on http://{addr}/"
                )
            )?;
            tracing::info!(settings = ?settings, %addr, "serving");
            duban_web::serve(listener, app, shutdown_signal()).await?;
        }
        Cmd::Migrate => {
            store.migrate().await?;
            out!(
                "{}",
                t!(
                    "数据库结构版本 {}",
                    "schema version {}",
                    store.schema_version().await?
                )
            )?;
        }
        Cmd::Healthcheck { .. } => {
            store.ping().await?;
            out!(
                "{}",
                t!(
                    "ok：数据库应答正常，结构版本 {}",
                    "ok: database answers, schema version {}",
                    store.schema_version().await?
                )
            )?;
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
