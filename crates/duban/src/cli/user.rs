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
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
