//! The quality page's figures kept per scope and question (migration 0056, DECISIONS 112): its
//! rows' sums, its overdue cases and the latest event day. A question is what was asked (a
//! period with its filters and the rules it was counted by, a day); a scope is the unit asked
//! about (alone or with its subtree). An answer is counted once, by one reader at a time,
//! and read back while the scope's version stands: every case import raises the version of each
//! scope holding a unit it touched ([`touch_scopes`]), and any change of the units raises every
//! scope's ([`crate::org::rebuild_reach`]). A count is kept only if the version it read before
//! counting still stands inside the write that keeps it, so a count overtaken by an import is
//! used once and dropped. A scope keeps its last 48 questions.
use super::CaseFilter;
use crate::{Actor, Result, Store};
use chrono::NaiveDate;
use duban_domain::quality::QualityRules;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Questions kept per scope (a view of the page asks three).
const KEPT: i64 = 48;

/// The key of a question: a digest of what was asked.
pub(super) fn question_of(asked: serde_json::Value) -> String {
    hex::encode(Sha256::digest(asked.to_string().as_bytes()))
}

/// The key of the page's rows: the period, the filters and the rules.
pub(super) fn question(
    subtree: bool,
    from: NaiveDate,
    to: NaiveDate,
    filter: &CaseFilter,
    rules: &QualityRules,
) -> String {
    question_of(serde_json::json!([
        "rows",
        subtree,
        from.to_string(),
        to.to_string(),
        filter.case_type,
        filter.level,
        filter.tag,
        rules,
    ]))
}

/// The counter of a scope and question: the others asking the same wait for it, then read
/// what it kept.
type Counters = Mutex<HashMap<(i64, String), Arc<tokio::sync::Mutex<()>>>>;
static COUNTING: LazyLock<Counters> = LazyLock::new(Default::default);

/// A place in the line of a question's counter; the counter goes with the last one in line,
/// however the request ends (a dropped request too).
struct Turn {
    key: (i64, String),
    counter: Arc<tokio::sync::Mutex<()>>,
}

impl Turn {
    fn take(key: (i64, String)) -> Turn {
        let mut m = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
        let counter = m.entry(key.clone()).or_default().clone();
        Turn { key, counter }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut m = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
        // the map's and this one are left: nobody else is in line
        if Arc::strong_count(&self.counter) == 2 {
            m.remove(&self.key);
        }
    }
}

const VERSION: &str = "COALESCE((SELECT q.v FROM quality_versions q WHERE q.scope_id = $1), 0)";

/// The kept answer of scope `$1` to question `$2`, if of the scope's version (public for the
/// test of its plan).
pub fn read_sql() -> String {
    format!(
        "SELECT k.sums FROM quality_kept k WHERE k.scope_id = $1 AND k.question = $2 AND k.v = {VERSION}"
    )
}

/// Raises the version of every scope holding one of `units` (inside the importing write).
pub(super) async fn touch_scopes(w: &mut crate::Write, units: &[i64]) -> Result<()> {
    let mut ids: Vec<[i64; 1]> = units.iter().map(|u| [*u]).collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(20_000) {
        sqlx::query(crate::sqlf!(
            "INSERT INTO quality_versions (scope_id, v) SELECT DISTINCT a.ancestor_id, 1 FROM unit_ancestors a \
             WHERE a.unit_id IN (SELECT CAST(j.value ->> 0 AS BIGINT) FROM {}) \
             ON CONFLICT (scope_id) DO UPDATE SET v = quality_versions.v + 1",
            crate::json_rows_for(w.backend, 1)
        ))
        .bind(serde_json::to_string(chunk).unwrap_or_default())
        .execute(&mut *w.tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The answer to `question` for `scope`: the kept one (if it `fits`), or counted by `count`
    /// (and kept).
    pub(super) async fn kept<T: Serialize + DeserializeOwned>(
        &self,
        scope: i64,
        question: &str,
        fits: impl Fn(&T) -> bool,
        count: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        if let Some(s) = self.read_kept(scope, question, &fits).await? {
            return Ok(s);
        }
        let turn = Turn::take((scope, question.to_string()));
        let _one = turn.counter.lock().await;
        if let Some(s) = self.read_kept(scope, question, &fits).await? {
            return Ok(s);
        }
        let v: i64 = sqlx::query_scalar(crate::sqlf!("SELECT {VERSION}"))
            .bind(scope)
            .fetch_one(&self.pool)
            .await?;
        let answer = count.await?;
        self.keep(scope, question, v, &answer).await?;
        Ok(answer)
    }

    async fn read_kept<T: DeserializeOwned>(
        &self,
        scope: i64,
        question: &str,
        fits: impl Fn(&T) -> bool,
    ) -> Result<Option<T>> {
        let kept: Option<String> = sqlx::query_scalar(crate::sqlf!("{}", read_sql()))
            .bind(scope)
            .bind(question)
            .fetch_optional(&self.pool)
            .await?;
        Ok(kept
            .and_then(|s| serde_json::from_str::<T>(&s).ok())
            .filter(fits))
    }

    /// Keeps `answer` counted at version `v`, unless the scope's version has moved since.
    async fn keep<T: Serialize>(
        &self,
        scope: i64,
        question: &str,
        v: i64,
        answer: &T,
    ) -> Result<()> {
        let body = serde_json::to_string(answer).unwrap_or_default();
        let mut w = self.write(&Actor::system("quality")).await?;
        let now: i64 = sqlx::query_scalar(crate::sqlf!("SELECT {VERSION}"))
            .bind(scope)
            .fetch_one(&mut *w.tx)
            .await?;
        if now != v {
            return Ok(());
        }
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(k.seq), 0) + 1 FROM quality_kept k WHERE k.scope_id = $1",
        )
        .bind(scope)
        .fetch_one(&mut *w.tx)
        .await?;
        sqlx::query(
            "INSERT INTO quality_kept (scope_id, question, v, seq, sums) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (scope_id, question) DO UPDATE SET v = excluded.v, seq = excluded.seq, sums = excluded.sums",
        )
        .bind(scope)
        .bind(question)
        .bind(v)
        .bind(seq)
        .bind(body)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("DELETE FROM quality_kept WHERE scope_id = $1 AND seq <= $2")
            .bind(scope)
            .bind(seq - KEPT)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await
    }
}
