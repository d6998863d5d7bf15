//! Accounts from the server's command line.
use crate::*;
use anyhow::{Context, bail};
use duban_domain::org::{Role, UnitCode};
use duban_store::users::NewUser;
use duban_store::{Actor, Store};
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
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
                .with_context(|| t!("单位 {} 不存在", "unit {} does not exist", code.as_str()))?;
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
                "{}",
                t!(
                    "已新建账号 {}（编号 {}），角色 {}，单位 {} {}",
                    "created user {} (id {}), role {} at {} {}",
                    login,
                    id,
                    role.as_str(),
                    unit.code,
                    unit.name
                )
            )?;
        }
        Cmd::User {
            cmd: UserCmd::Email { login, email },
        } => {
            let user = store
                .user_by_login(&login)
                .await?
                .with_context(|| t!("没有账号 {}", "no user {}", login))?;
            store
                .set_email(&Actor::system("cli"), user.id, &email)
                .await?;
            out!("{}", t!("已设置 {} 的电子邮箱", "e-mail of {} set", login))?;
        }
        Cmd::User {
            cmd: UserCmd::Passwd { login },
        } => {
            let user = store
                .user_by_login(&login)
                .await?
                .with_context(|| t!("没有账号 {}", "no user {}", login))?;
            store
                .set_password(&Actor::system("cli"), user.id, &read_password()?, None)
                .await?;
            out!("{}", t!("已设置 {} 的密码", "password set for {}", login))?;
        }
        Cmd::User { cmd } => return change(&store, cmd).await,
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Disable, enable, move, role and codes: the store's one change of an account, decided there.
async fn change(store: &Store, cmd: UserCmd) -> anyhow::Result<ExitCode> {
    use duban_store::accounts::AccountRequest;
    let actor = Actor::system("cli");
    let id = |login: String| async move {
        anyhow::Ok(
            store
                .user_by_login(&login)
                .await?
                .with_context(|| t!("没有账号 {}", "no user {}", login))?
                .id,
        )
    };
    let (login, said) = match cmd {
        UserCmd::Disable { login } => {
            store
                .change_account(&actor, id(login.clone()).await?, AccountRequest::Disable, 0)
                .await?;
            (login, t!("已停用", "disabled"))
        }
        UserCmd::Enable { login } => {
            store
                .change_account(&actor, id(login.clone()).await?, AccountRequest::Enable, 0)
                .await?;
            (login, t!("已启用", "enabled"))
        }
        UserCmd::Move {
            login,
            unit,
            department,
        } => {
            let req = AccountRequest::Move {
                unit_code: &unit,
                department: department.as_deref(),
            };
            store
                .change_account(&actor, id(login.clone()).await?, req, 0)
                .await?;
            (login, t!("已调至 {}", "moved to {}", unit))
        }
        UserCmd::Role {
            login,
            role,
            reason,
        } => {
            let role = Role::parse(&role)?;
            let req = AccountRequest::Role {
                role,
                reason: &reason,
            };
            store
                .change_account(&actor, id(login.clone()).await?, req, 0)
                .await?;
            (
                login,
                t!("角色改为 {}", "role changed to {}", role.as_str()),
            )
        }
        UserCmd::Passwords { unit, off, .. } => {
            let code = UnitCode::parse(&unit)?;
            let u = store
                .unit_by_code(code.as_str())
                .await?
                .with_context(|| t!("单位 {} 不存在", "unit {} does not exist", code.as_str()))?;
            store.set_password_login(&actor, u.id, !off).await?;
            (
                unit,
                if off {
                    t!("已关闭本地密码登录", "local passwords turned off")
                } else {
                    t!("已开启本地密码登录", "local passwords turned on")
                },
            )
        }
        UserCmd::Codes {
            login,
            unit,
            codes_out,
            code_days,
        } => {
            let codes = match (login, unit) {
                (Some(login), _) => store
                    .change_account(&actor, id(login).await?, AccountRequest::NewCode, code_days)
                    .await?
                    .into_iter()
                    .collect(),
                (None, Some(code)) => {
                    let code = UnitCode::parse(&code)?;
                    let unit = store.unit_by_code(code.as_str()).await?.with_context(|| {
                        t!("单位 {} 不存在", "unit {} does not exist", code.as_str())
                    })?;
                    store.reissue_unit_codes(&actor, unit.id, code_days).await?
                }
                (None, None) => bail!("--login or --unit"),
            };
            write_codes(&codes_out, &codes)?;
            out!(
                "{}",
                t!(
                    "已生成激活码 {} 个，写入 {}",
                    "{} activation codes written to {}",
                    codes.len(),
                    codes_out
                )
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => bail!("not a command of this group"),
    };
    out!("{} {}", login, said)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes activation codes to `path` (CSV, readable by its owner only), through a temporary
/// file renamed into place: the codes exist nowhere else.
pub(crate) fn write_codes(
    path: &str,
    codes: &[duban_store::accounts::IssuedCode],
) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = format!("{path}.part");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o
        .open(&tmp)
        .with_context(|| t!("无法写入 {}", "cannot write {}", path))?;
    f.write_all(&duban_publish::sheet::write_csv(
        &duban_store::accounts::IssuedCode::table(codes),
    ))?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
