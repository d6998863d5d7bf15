//! The work calendar table: seeded from the statutory data, editable by administrators.
use crate::{Actor, Change, Result, Store};
use chrono::{Datelike, NaiveDate};
use duban_domain::calendar::{DayKind, WorkCalendar, statutory_seed};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct SpecialDay {
    pub day: String,
    pub kind: String,
    pub name: String,
}

impl Store {
    /// Seeds the statutory years the table does not have yet. Years already present are left
    /// alone: an administrator's edits win.
    pub async fn seed_calendar(&self) -> Result<usize> {
        let (years, days) = statutory_seed();
        let have: Vec<i64> = sqlx::query("SELECT year FROM calendar_years")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("year"))
            .collect::<std::result::Result<_, _>>()?;
        let missing: Vec<i32> = years
            .into_iter()
            .filter(|y| !have.contains(&i64::from(*y)))
            .collect();
        if missing.is_empty() {
            return Ok(0);
        }
        let mut w = self.write(&Actor::system("system")).await?;
        for y in &missing {
            sqlx::query("INSERT INTO calendar_years (year, source) VALUES ($1, 'statutory')")
                .bind(i64::from(*y))
                .execute(&mut *w.tx)
                .await?;
        }
        for (d, k, name) in days.iter().filter(|(d, _, _)| missing.contains(&d.year())) {
            sqlx::query("INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING")
                .bind(d.to_string())
                .bind(k.as_str())
                .bind(name)
                .execute(&mut *w.tx)
                .await?;
        }
        w.audit(Change {
            action: "calendar.seed",
            entity: "calendar",
            entity_id: "*".into(),
            unit_id: None,
            before: None,
            after: Some(json!({"years": missing})),
        })
        .await?;
        w.commit().await?;
        self.forget_calendar();
        Ok(missing.len())
    }

    /// The work calendar, kept for a minute: deadlines are computed on every letter and entry.
    pub async fn work_calendar(&self) -> Result<WorkCalendar> {
        if let Ok(cached) = self.calendar.lock() {
            if let Some((at, cal)) = cached.as_ref() {
                if at.elapsed() < std::time::Duration::from_secs(60) {
                    return Ok(cal.clone());
                }
            }
        }
        let cal = self.load_work_calendar().await?;
        if let Ok(mut cached) = self.calendar.lock() {
            *cached = Some((std::time::Instant::now(), cal.clone()));
        }
        Ok(cal)
    }

    /// Forgets the kept calendar (after an edit or a restore).
    pub(crate) fn forget_calendar(&self) {
        if let Ok(mut cached) = self.calendar.lock() {
            *cached = None;
        }
    }

    async fn load_work_calendar(&self) -> Result<WorkCalendar> {
        let years = sqlx::query("SELECT year FROM calendar_years")
            .fetch_all(&self.pool)
            .await?;
        let days = sqlx::query("SELECT day, kind FROM calendar_days")
            .fetch_all(&self.pool)
            .await?;
        let mut years: Vec<i32> = years
            .iter()
            .map(|r| r.try_get::<i64, _>("year").map(|y| y as i32))
            .collect::<std::result::Result<_, _>>()?;
        let mut special = Vec::with_capacity(days.len());
        // a statutory year the table has not been given yet (a database migrated and imported
        // into, never served) counts as published; a year in the table (seeded or edited) wins
        let (statutory, statutory_days) = statutory_seed();
        let missing: Vec<i32> = statutory
            .into_iter()
            .filter(|y| !years.contains(y))
            .collect();
        special.extend(
            statutory_days
                .into_iter()
                .filter(|(d, _, _)| missing.contains(&d.year()))
                .map(|(d, k, _)| (d, k)),
        );
        years.extend(missing);
        for r in &days {
            let d: String = r.try_get("day")?;
            let k: String = r.try_get("kind")?;
            if let (Ok(d), Some(k)) = (
                NaiveDate::parse_from_str(&d, "%Y-%m-%d"),
                DayKind::parse(&k),
            ) {
                special.push((d, k));
            }
        }
        Ok(WorkCalendar::new(years, special))
    }

    pub async fn calendar_years(&self) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query("SELECT year, source FROM calendar_years ORDER BY year DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("year")?, r.try_get("source")?)))
            .collect()
    }

    pub async fn calendar_days(&self, year: i32) -> Result<Vec<SpecialDay>> {
        let rows = sqlx::query(
            "SELECT day, kind, name FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day",
        )
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SpecialDay {
                    day: r.try_get("day")?,
                    kind: r.try_get("kind")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// Sets (or, with `kind` None, clears) the special status of days, marking their years as
    /// covered. One audit entry for the batch.
    pub async fn set_calendar_days(
        &self,
        actor: &Actor,
        days: &[(NaiveDate, Option<DayKind>, String)],
        source: &str,
    ) -> Result<()> {
        let mut w = self.write(actor).await?;
        w.decide_national(duban_domain::access::Action::EditCalendar)?;
        let mut years: Vec<i32> = days.iter().map(|d| d.0.year()).collect();
        years.sort();
        years.dedup();
        for y in &years {
            sqlx::query("INSERT INTO calendar_years (year, source) VALUES ($1, $2) ON CONFLICT (year) DO NOTHING").bind(i64::from(*y)).bind(source).execute(&mut *w.tx).await?;
        }
        let mut changes = Vec::new();
        for (d, kind, name) in days {
            let before = sqlx::query("SELECT kind, name FROM calendar_days WHERE day = $1")
                .bind(d.to_string())
                .fetch_optional(&mut *w.tx)
                .await?;
            let before = before
                .map(|r| -> Result<String> {
                    let name: Option<String> = r.try_get("name")?;
                    Ok(format!(
                        "{}:{}",
                        r.try_get::<String, _>("kind")?,
                        name.unwrap_or_default()
                    ))
                })
                .transpose()?;
            match kind {
                Some(k) => {
                    sqlx::query("INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name")
                        .bind(d.to_string())
                        .bind(k.as_str())
                        .bind(name)
                        .execute(&mut *w.tx)
                        .await?;
                }
                None => {
                    sqlx::query("DELETE FROM calendar_days WHERE day = $1")
                        .bind(d.to_string())
                        .execute(&mut *w.tx)
                        .await?;
                }
            }
            changes.push(json!({"day": d.to_string(), "before": before, "after": kind.map(|k| format!("{}:{name}", k.as_str()))}));
        }
        w.audit(Change {
            action: "calendar.update",
            entity: "calendar",
            entity_id: years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(","),
            unit_id: None,
            before: None,
            after: Some(json!(changes)),
        })
        .await?;
        w.commit().await?;
        self.forget_calendar();
        Ok(())
    }
}
