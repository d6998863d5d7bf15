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
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
