//! Operations: the sweep, backups, the work calendar.
use crate::*;
use anyhow::{Context, bail};
use duban_domain::calendar::{Counting, Period, parse_date};
use duban_store::Store;
use settings::Settings;
use std::process::ExitCode;

pub(crate) async fn run(store: Store, settings: Settings, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let _ = &settings;
    match cmd {
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
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
