//! Shell completions and manual pages, generated from the same definitions that parse.
use crate::*;
use anyhow::{Context, bail};
use std::process::ExitCode;

pub(crate) fn run(cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut command = cli::args::command();
    match cmd {
        Cmd::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut command, "duban", &mut buf);
            write_out(&buf)?;
        }
        Cmd::Man { out: None } => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(command).render(&mut buf)?;
            write_out(&buf)?;
        }
        Cmd::Man { out: Some(dir) } => {
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir)
                .with_context(|| t!("创建 {} 失败", "creating {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)?;
            out!(
                "{}",
                t!(
                    "手册页已写入 {}",
                    "manual pages written to {}",
                    dir.display()
                )
            )?;
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Standard output; a reader that went away (`duban man | head`) is not an error.
fn write_out(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}
