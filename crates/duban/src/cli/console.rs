//! How the command line talks: its results on standard output in Chinese (English with
//! `--lang en`), or as one JSON document with `--json`; progress of long work on standard error
//! (a bar on a terminal, a line every few seconds otherwise, nothing with `--quiet`); and the
//! exit codes, the same for every command.
use duban_store::StoreError;
use duban_store::progress::Progress;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The exit codes (listed in the operator guide).
pub(crate) const DONE: u8 = 0;
/// The input was refused: a bad option, file or value; an import with problems.
pub(crate) const REFUSED: u8 = 1;
/// A check ran and failed: the audit chain, a health check.
pub(crate) const CHECK_FAILED: u8 = 2;
/// The environment failed: the database, the disk, the network.
pub(crate) const ENVIRONMENT: u8 = 3;

#[derive(Clone, Copy)]
struct Mode {
    en: bool,
    json: bool,
    quiet: bool,
}

static MODE: OnceLock<Mode> = OnceLock::new();

/// Set once, from the global options, before any command runs.
pub(crate) fn init(en: bool, json: bool, quiet: bool) {
    let _ = MODE.set(Mode { en, json, quiet });
}

fn mode() -> Mode {
    MODE.get().copied().unwrap_or(Mode {
        en: false,
        json: false,
        quiet: false,
    })
}

/// The results in English (`--lang en`)?
pub(crate) fn en() -> bool {
    mode().en
}

/// One JSON document instead of text (`--json`)?
pub(crate) fn json() -> bool {
    mode().json
}

/// A message in the language of the results: `t!("中文 {x}", "English {x}")`.
macro_rules! t {
    ($zh:literal, $en:literal $(, $a:expr)* $(,)?) => {
        if $crate::cli::console::en() {
            format!($en $(, $a)*)
        } else {
            format!($zh $(, $a)*)
        }
    };
}
pub(crate) use t;

/// Prints `v` as the command's one JSON document.
pub(crate) fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}

/// The exit code an error ends the command with.
pub(crate) fn exit_code(e: &anyhow::Error) -> ExitCode {
    for cause in e.chain() {
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return ExitCode::from(match s {
                StoreError::Db(_) | StoreError::Io(_) => ENVIRONMENT,
                _ => REFUSED,
            });
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // a file named on the command line that is not there is refused input
            return ExitCode::from(match io.kind() {
                std::io::ErrorKind::NotFound => REFUSED,
                _ => ENVIRONMENT,
            });
        }
    }
    ExitCode::from(REFUSED)
}

/// Progress on standard error: a bar on a terminal, else a line every five seconds while a phase
/// runs and one when it ends (unless it took under a second); nothing with `--quiet`.
pub(crate) struct Reporter {
    state: Mutex<Option<Phase>>,
    terminal: bool,
    quiet: bool,
}

struct Phase {
    name: String,
    total: Option<u64>,
    done: u64,
    started: Instant,
    said: Instant,
    bar: Option<indicatif::ProgressBar>,
}

const EVERY: Duration = Duration::from_secs(5);
const QUICK: Duration = Duration::from_secs(1);

impl Reporter {
    pub(crate) fn new() -> Reporter {
        Reporter {
            state: Mutex::new(None),
            terminal: std::io::stderr().is_terminal(),
            quiet: mode().quiet,
        }
    }

    fn line(p: &Phase, end: bool) {
        let secs = p.started.elapsed().as_secs_f64().max(0.001);
        let rate = p.done as f64 / secs;
        let msg = match (end, p.total) {
            (true, _) if p.done == 0 => t!(
                "{}：完成，用时 {:.1} 秒",
                "{}: done in {:.1} s",
                p.name,
                secs
            ),
            (true, _) => t!(
                "{}：完成 {}，用时 {:.1} 秒",
                "{}: done {} in {:.1} s",
                p.name,
                p.done,
                secs
            ),
            (false, Some(total)) => {
                let left = if rate > 0.0 {
                    total.saturating_sub(p.done) as f64 / rate
                } else {
                    0.0
                };
                t!(
                    "{}：{}/{}，每秒 {:.0}，约剩 {:.0} 秒",
                    "{}: {}/{}, {:.0}/s, about {:.0} s left",
                    p.name,
                    p.done,
                    total,
                    rate,
                    left
                )
            }
            (false, None) => t!(
                "{}：{}，每秒 {:.0}",
                "{}: {}, {:.0}/s",
                p.name,
                p.done,
                rate
            ),
        };
        eprintln!("{msg}");
    }

    fn close(&self, p: Phase) {
        match &p.bar {
            Some(b) => b.finish_and_clear(),
            // a phase over in a moment is not worth a line
            None if p.started.elapsed() >= QUICK => Self::line(&p, true),
            None => {}
        }
    }
}

impl Progress for Reporter {
    /// Ends the last phase (its bar cleared, or its closing line printed).
    fn finish(&self) {
        if let Some(p) = self.state.lock().ok().and_then(|mut s| s.take()) {
            self.close(p);
        }
    }

    fn phase(&self, name: &str, total: Option<u64>) {
        if self.quiet {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if let Some(p) = state.take() {
            self.close(p);
        }
        let bar = self.terminal.then(|| {
            let (b, style) = match total {
                Some(n) => (
                    indicatif::ProgressBar::new(n),
                    if en() {
                        "{msg} [{bar:30}] {human_pos}/{human_len} {rate} ETA {eta}"
                    } else {
                        "{msg} [{bar:30}] {human_pos}/{human_len} {rate} 剩余 {eta}"
                    },
                ),
                None => (
                    indicatif::ProgressBar::new_spinner(),
                    "{spinner} {msg} {human_pos} {rate} {elapsed}",
                ),
            };
            b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            if let Ok(s) = indicatif::ProgressStyle::with_template(style) {
                let s = s.with_key(
                    "rate",
                    |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0}/s", st.per_sec());
                    },
                );
                b.set_style(s.progress_chars("=> "));
            }
            b.set_message(name.to_string());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        let now = Instant::now();
        let p = Phase {
            name: name.to_string(),
            total,
            done: 0,
            started: now,
            said: now,
            bar,
        };
        *state = Some(p);
    }

    fn advance(&self, n: u64) {
        if self.quiet {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let Some(p) = state.as_mut() else { return };
        p.done += n;
        match &p.bar {
            Some(b) => b.inc(n),
            None if p.said.elapsed() >= EVERY => {
                p.said = Instant::now();
                Self::line(p, false);
            }
            None => {}
        }
    }
}
