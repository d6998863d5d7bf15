//! The audit chain: verification and the signed head.
use crate::*;
use anyhow::{Context, bail};
use duban_store::Store;
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
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
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
