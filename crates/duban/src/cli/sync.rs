//! Synchronisation with the organisation's directory, by command and on a schedule.
use crate::*;
use anyhow::bail;
use duban_store::directory::SyncReport;
use duban_store::{Actor, Store};
use settings::Settings;
use std::process::ExitCode;

/// Reads every person of the directory and applies them to the roster (one transaction).
pub(crate) async fn ldap(
    store: &Store,
    cfg: &duban_directory::Config,
) -> anyhow::Result<SyncReport> {
    if !cfg.enabled() {
        bail!(t!(
            "未配置目录服务（[ldap] url 或 DUBAN_LDAP_URL）",
            "no directory configured ([ldap] url or DUBAN_LDAP_URL)"
        ));
    }
    let (people, unmapped) = duban_directory::people(cfg).await?;
    let people: Vec<_> = people
        .into_iter()
        .map(duban_web::login::roster_person)
        .collect();
    let mut r = store
        .sync_directory(&Actor::system("ldap"), &people)
        .await?;
    r.skipped_count += unmapped;
    Ok(r)
}

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let Cmd::Sync {
        what: SyncCmd::Ldap,
    } = cmd
    else {
        bail!("not a command of this group")
    };
    let r = ldap(&store, &settings.ldap).await?;
    if console::json() {
        console::print_json(&r)?;
    } else {
        out!(
            "{}",
            t!(
                "目录同步完成：目录中 {} 人，新增人员 {}，新开账号 {}，调动 {}，改名 {}，停用 {}，未变 {}，跳过 {}",
                "directory synchronised: {} people, {} staff added, {} accounts opened, {} moved, {} renamed, {} disabled, {} unchanged, {} skipped",
                r.seen,
                r.staff_created,
                r.accounts_created,
                r.moved,
                r.renamed,
                r.disabled,
                r.unchanged,
                r.skipped_count
            )
        )?;
        for s in &r.skipped {
            out!("  {s}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
