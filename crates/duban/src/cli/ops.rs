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
                None => store.today(),
            };
            let outbound = scheduler::Outbound::from_settings(&settings)?;
            let t = std::time::Instant::now();
            store
                .progress()
                .phase(&t!("清查 {}", "sweeping {}", as_of), None);
            let r = scheduler::run_once(&store, &outbound, as_of).await?;
            if console::json() {
                console::print_json(&serde_json::json!({
                    "as_of": as_of.to_string(),
                    "tasks": {"watched": r.sweep.watched_tasks, "reminders": r.sweep.reminders, "notices": r.sweep.notices, "seconds": r.sweep.tasks_seconds},
                    "letters": {"watched": r.sweep.watched_letters, "reminders": r.sweep.letter_reminders, "notices": r.sweep.letter_notices, "seconds": r.sweep.letters_seconds},
                    "record_reminders": r.sweep.record_reminders,
                    "report_reminders": r.sweep.report_reminders,
                    "mailed": r.mailed,
                    "mail_failed": r.mail_failed,
                    "writers_sent": r.writers_sent,
                    "writers_failed": r.writers_failed,
                    "seconds": t.elapsed().as_secs_f64(),
                }))?;
                return Ok(ExitCode::SUCCESS);
            }
            out!(
                "{}",
                t!(
                    "清查 {}：监督任务 {} 项，发出提醒 {} 次、督办通知 {} 份（{:.2} 秒）；监督来信 {} 件，发出提醒 {} 次、督办通知 {} 份（{:.2} 秒）；提醒 {} 人报告过问干预记录；提醒 {} 个单位报送整改情况；发送邮件 {} 封，失败 {} 封（{:.2} 秒）",
                    "sweep {}: {} tasks watched, {} reminders and {} notices issued ({:.2}s); {} letters watched, {} reminders and {} notices issued ({:.2}s); {} staff reminded to file their records; {} reminded of a rectification report; {} e-mails sent, {} failed ({:.2}s)",
                    as_of,
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
                )
            )?;
        }
        Cmd::Backup { to } => {
            let tmp = format!("{to}.partial");
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(&tmp)
                    .with_context(|| t!("创建 {} 失败", "creating {}", tmp))?,
            );
            let n = store.backup(&mut f).await?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &to)?;
            if console::json() {
                console::print_json(&serde_json::json!({"out": to, "rows": n}))?;
            } else {
                out!(
                    "{}",
                    t!(
                        "备份已写入 {}：{} 行",
                        "backup written to {}: {} rows",
                        to,
                        n
                    )
                )?;
            }
        }
        Cmd::Restore { from, force } => {
            let f = std::io::BufReader::new(
                std::fs::File::open(&from)
                    .with_context(|| t!("打开 {} 失败", "opening {}", from))?,
            );
            let n = store.restore(f, force).await?;
            if console::json() {
                console::print_json(&serde_json::json!({"from": from, "rows": n}))?;
            } else {
                out!(
                    "{}",
                    t!("已从 {} 恢复 {} 行", "restored {} rows from {}", from, n)
                )?;
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
            let counting = Counting::parse(&counting).context(t!(
                "--counting 须为 calendar 或 working",
                "--counting must be calendar or working"
            ))?;
            let period = match (days, months) {
                (Some(d), None) => Period::Days(d),
                (None, Some(m)) => Period::Months(m),
                _ => bail!(t!(
                    "请给出 --days N 或 --months N",
                    "give --days N or --months N"
                )),
            };
            store.seed_calendar().await?;
            let d = store
                .work_calendar()
                .await?
                .deadline(start, period, counting)?;
            if console::json() {
                console::print_json(&serde_json::json!({"deadline": d.to_string()}))?;
            } else {
                out!("{d}")?;
            }
        }
        _ => bail!("not a command of this group"),
    }
    Ok(ExitCode::SUCCESS)
}
