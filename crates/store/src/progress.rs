//! Progress of long work — imports, the generators, backups and restores, sweeps — reported to
//! whoever runs it: the command line draws a bar or prints periodic lines; the server and the
//! tests report nothing.
use std::sync::Arc;

pub trait Progress: Send + Sync {
    /// A phase begins: what it does (in Chinese, shown as it is) and how many steps it has, when
    /// known.
    fn phase(&self, name: &str, total: Option<u64>);
    /// `n` more steps of the current phase are done.
    fn advance(&self, n: u64);
    /// The work is over (before its result is printed).
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}

impl crate::Store {
    /// This store, reporting the progress of its long work to `p`.
    pub fn with_progress(mut self, p: Arc<dyn Progress>) -> crate::Store {
        self.progress = p;
        self
    }

    pub fn progress(&self) -> &dyn Progress {
        self.progress.as_ref()
    }
}
