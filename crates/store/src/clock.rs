//! The application's one clock. Every "today" (deadlines, lights, the letters' clocks, the month
//! owed a filing, the date a write is judged on) and every recorded-at stamp come from here, in
//! China time (UTC+8); stamps are stored in UTC. A database may pin the day (the demo does: the
//! seed's 2020-11-05), and `duban serve --today DATE` pins it for one process; a pinned clock stamps
//! with the pinned day and the wall clock's time of day. Security windows (sessions, tokens, rate
//! limits, leases) keep the wall clock: a pinned demo must not keep an expired session alive.
use crate::{Result, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::sync::RwLock;

/// The settings key a database pins its day under.
const PIN_KEY: &str = "clock.today";

/// Who pinned the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pin {
    /// the database (a demo database pins the day its data describe)
    Database,
    /// this process (`--today`)
    Process,
}

#[derive(Default)]
pub struct Clock {
    pinned: RwLock<Option<(NaiveDate, Pin)>>,
}

impl Clock {
    fn pinned(&self) -> Option<(NaiveDate, Pin)> {
        *self.pinned.read().unwrap_or_else(|p| p.into_inner())
    }
    fn set(&self, pin: Option<(NaiveDate, Pin)>) {
        *self.pinned.write().unwrap_or_else(|p| p.into_inner()) = pin;
    }
}

/// The wall clock in China time.
fn wall_china() -> chrono::NaiveDateTime {
    (Utc::now() + Duration::hours(8)).naive_utc()
}

impl Store {
    /// Today in China: the pinned day, else the wall clock's.
    pub fn today(&self) -> NaiveDate {
        match self.clock.pinned() {
            Some((day, _)) => day,
            None => wall_china().date(),
        }
    }

    /// Now, in UTC: on a pinned clock, the pinned day at the wall clock's time of day in China.
    pub fn now(&self) -> DateTime<Utc> {
        match self.clock.pinned() {
            Some((day, _)) => {
                let china = day.and_time(wall_china().time());
                (china - Duration::hours(8)).and_utc()
            }
            None => Utc::now(),
        }
    }

    /// [`Store::now`] as stored (RFC 3339, UTC, milliseconds).
    pub fn now_rfc3339(&self) -> String {
        self.now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// The pinned day and who pinned it; `None` when the clock is the wall clock.
    pub fn pinned_day(&self) -> Option<(NaiveDate, Pin)> {
        self.clock.pinned()
    }

    /// Pins the day for this process only (`--today`), or unpins it (`None`: the wall clock,
    /// whatever the database says).
    pub fn pin_for_process(&self, day: Option<NaiveDate>) {
        self.clock.set(day.map(|d| (d, Pin::Process)));
    }

    /// Pins the database's day (kept in its settings, so every server on it and every later run
    /// uses it), or unpins it (`None`).
    pub async fn pin_database(&self, day: Option<NaiveDate>) -> Result<()> {
        match day {
            Some(d) => {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(PIN_KEY)
                .bind(d.to_string())
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM settings WHERE key = $1")
                    .bind(PIN_KEY)
                    .execute(&self.pool)
                    .await?;
            }
        }
        self.clock.set(day.map(|d| (d, Pin::Database)));
        Ok(())
    }

    /// Forgets a pin read from the database (before reading a restored one); a process's own
    /// pin stays.
    pub(crate) fn unpin_database_clock(&self) {
        if matches!(self.clock.pinned(), Some((_, Pin::Database))) {
            self.clock.set(None);
        }
    }

    /// Reads the database's pin (on opening; a process's own pin wins).
    pub(crate) async fn read_pin(&self) -> Result<()> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(PIN_KEY)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(v) = v {
            if !matches!(self.clock.pinned(), Some((_, Pin::Process))) {
                self.clock.set(Some((crate::day(&v)?, Pin::Database)));
            }
        }
        Ok(())
    }
}
