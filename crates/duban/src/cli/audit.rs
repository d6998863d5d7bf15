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
            Ok(n) => {
                if console::json() {
                    console::print_json(&serde_json::json!({"intact": true, "entries": n}))?;
                } else {
                    out!(
                        "{}",
                        t!("审计链完整：{} 条", "audit chain intact: {} entries", n)
                    )?;
                }
            }
            Err(fault) => {
                eprintln!(
                    "{}",
                    t!("审计链断裂：{}", "audit chain BROKEN at {}", fault)
                );
                return Ok(ExitCode::from(console::CHECK_FAILED));
            }
        },
        Cmd::Audit {
            cmd: AuditCmd::Verify { anchor: Some(file) },
        } => {
            let raw = std::fs::read_to_string(&file)
                .with_context(|| t!("读取 {} 失败", "reading {}", file))?;
            let anchor: duban_domain::anchor::Anchor = match serde_json::from_str(&raw) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!(
                        "{}",
                        t!(
                            "{}：不是审计锚点文件（{}）",
                            "{}: not an audit anchor ({})",
                            file,
                            e
                        )
                    );
                    return Ok(ExitCode::from(console::REFUSED));
                }
            };
            match store.verify_against_anchor(&anchor, None).await? {
                Ok(n) => out!(
                    "{}",
                    t!(
                        "审计链完整：{} 条；与 {} 签署的锚点（第 {} 条）一致",
                        "audit chain intact: {} entries; agrees with the anchor of {} (entry {})",
                        n,
                        anchor.signed_at,
                        anchor.seq
                    )
                )?,
                Err(why) => {
                    eprintln!("{}", t!("审计链断裂：{}", "audit chain BROKEN: {}", why));
                    return Ok(ExitCode::from(console::CHECK_FAILED));
                }
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::Anchor,
        } => {
            let secret = settings::audit_key(&settings.audit_key_path())?;
            match store.sign_anchor(&secret).await? {
                Ok(a) => console::print_json(&a)?,
                Err(fault) => {
                    eprintln!(
                        "{}",
                        t!(
                            "审计链断裂：{}，未签署",
                            "audit chain BROKEN at {}: not signed",
                            fault
                        )
                    );
                    return Ok(ExitCode::from(console::CHECK_FAILED));
                }
            }
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
