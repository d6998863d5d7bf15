//! Full-text search in Chinese over letters (their content and the replies sent): jieba tokens
//! kept in SQLite FTS5 or a PostgreSQL `tsvector` (`simple` configuration), behind one trait.
//! SQLite's own trigram tokenizer would miss two-character words such as 督办.
use crate::{Backend, Result, Scope, Store, scope_like, scope_sql};
use jieba_rs::Jieba;
use serde::Serialize;
use sqlx::Row;
use std::sync::OnceLock;

fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(Jieba::new)
}

/// Loads the dictionary ahead of the first search (about a fifth of a second).
pub fn warm_up() {
    jieba();
}

fn words(text: &str, for_index: bool) -> Vec<String> {
    let j = jieba();
    let tokens = if for_index {
        j.cut_for_search(text, true)
    } else {
        j.cut(text, true)
    };
    tokens
        .into_iter()
        .map(|w| w.word.trim().to_lowercase())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect())
        .collect()
}

/// The words a text is found by (jieba's search mode: long words and the words inside them).
pub fn index_tokens(text: &str) -> String {
    words(text, true).join(" ")
}

/// The words a query must all match, at most 16.
pub fn query_words(query: &str) -> Vec<String> {
    let mut w = words(query, false);
    w.dedup();
    w.truncate(16);
    w
}

/// How one backend keeps and matches the tokens.
pub trait FullText: Sync {
    /// Replaces a letter's tokens: binds ($1 letter id, $2 tokens).
    fn upsert(&self) -> &'static [&'static str];
    /// Adds a new letter's tokens (none yet): binds as [`FullText::upsert`].
    fn insert(&self) -> &'static [&'static str];
    /// A condition on `l` (letters) matching the words bound as `$n`, in `match_param` form.
    fn matches(&self, n: usize) -> String;
    /// The words as the backend's query text.
    fn query_text(&self, words: &[String]) -> String;
}

struct Fts5;
struct TsVector;

impl FullText for Fts5 {
    fn upsert(&self) -> &'static [&'static str] {
        &[
            "DELETE FROM letters_fts WHERE rowid = $1",
            "INSERT INTO letters_fts (rowid, tokens) VALUES ($1, $2)",
        ]
    }
    fn insert(&self) -> &'static [&'static str] {
        &["INSERT INTO letters_fts (rowid, tokens) VALUES ($1, $2)"]
    }
    fn matches(&self, n: usize) -> String {
        format!("l.id IN (SELECT rowid FROM letters_fts WHERE letters_fts MATCH ${n})")
    }
    fn query_text(&self, words: &[String]) -> String {
        // each word a quoted phrase; all must match
        words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl FullText for TsVector {
    fn upsert(&self) -> &'static [&'static str] {
        &[
            "INSERT INTO letters_fts (letter_id, tokens) VALUES ($1, to_tsvector('simple', $2)) \
             ON CONFLICT (letter_id) DO UPDATE SET tokens = excluded.tokens",
        ]
    }
    fn insert(&self) -> &'static [&'static str] {
        &["INSERT INTO letters_fts (letter_id, tokens) VALUES ($1, to_tsvector('simple', $2))"]
    }
    fn matches(&self, n: usize) -> String {
        format!(
            "l.id IN (SELECT letter_id FROM letters_fts WHERE tokens @@ plainto_tsquery('simple', ${n}))"
        )
    }
    fn query_text(&self, words: &[String]) -> String {
        words.join(" ")
    }
}

/// A letter found by a search (without the writer's data).
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: i64,
    pub received_on: String,
    pub unit_name: String,
    pub category: String,
    pub closed_on: Option<String>,
    /// the beginning of the content
    pub excerpt: String,
}

fn fulltext(backend: Backend) -> &'static dyn FullText {
    match backend {
        Backend::Sqlite => &Fts5,
        Backend::Postgres => &TsVector,
    }
}

/// Indexes a letter again from its content and the replies sent on it.
pub(crate) async fn index_letter_in(w: &mut crate::Write, id: i64) -> Result<()> {
    let mut text: String = sqlx::query_scalar("SELECT content FROM letters WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *w.tx)
        .await?;
    for body in sqlx::query_scalar::<_, String>(
            "SELECT body FROM letter_events WHERE letter_id = $1 AND kind IN ('ack', 'reply', 'progress', 'close') ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *w.tx)
        .await?
        {
            text.push('\n');
            text.push_str(&body);
        }
    let upsert = fulltext(w.backend).upsert();
    put_tokens(w, id, &text, upsert).await
}

/// Indexes a letter registered in this transaction, whose only text is its content (its one
/// event, the receipt, has none): one statement, nothing read back and no old tokens to replace.
pub(crate) async fn index_new_letter_in(
    w: &mut crate::Write,
    id: i64,
    content: &str,
) -> Result<()> {
    let insert = fulltext(w.backend).insert();
    put_tokens(w, id, content, insert).await
}

/// Indexes letters written in bulk in this transaction (none has tokens yet) from their texts:
/// the words are cut off the async workers, the rows written as the import's others are.
pub(crate) async fn index_new_letters(
    bulk: &mut crate::copy::Bulk,
    w: &mut crate::Write,
    texts: Vec<(i64, String)>,
) -> Result<()> {
    let rows = tokio::task::spawn_blocking(move || {
        texts
            .into_iter()
            .map(|(id, text)| [crate::Bind::Int(id), crate::Bind::Text(index_tokens(&text))])
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| crate::StoreError::Invalid(format!("indexing letters: {e}")))?;
    match w.backend {
        Backend::Sqlite => {
            bulk.load(w, "letters_fts", ["rowid", "tokens"], None, rows)
                .await
        }
        Backend::Postgres => {
            let tokens = Some(["{}", "to_tsvector('simple', {})"]);
            bulk.load(w, "letters_fts", ["letter_id", "tokens"], tokens, rows)
                .await
        }
    }
}

/// Writes a letter's tokens from its text with the backend's statements (`upsert` or `insert`).
async fn put_tokens(
    w: &mut crate::Write,
    id: i64,
    text: &str,
    statements: &'static [&'static str],
) -> Result<()> {
    let tokens = index_tokens(text);
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(*sql))
            .bind(id)
            .bind(&tokens)
            .execute(&mut *w.tx)
            .await?;
    }
    Ok(())
}

impl Store {
    pub fn fulltext(&self) -> &'static dyn FullText {
        fulltext(self.backend)
    }

    /// Rebuilds the whole index (after a restore: the index is derived, not backed up).
    pub async fn reindex_letters(&self) -> Result<u64> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM letters ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        for chunk in ids.chunks(5_000) {
            let mut w = self.write(&crate::Actor::system("search")).await?;
            for id in chunk {
                index_letter_in(&mut w, *id).await?;
            }
            w.commit().await?;
        }
        Ok(ids.len() as u64)
    }

    /// Letters in scope (held by, or first received by, a unit in scope) whose content or replies
    /// contain every word of the query, newest first: one page after the letter `after` (the last
    /// of the previous page; keyset, so a deep page costs what the first does) and the cursor of
    /// the next page, if any.
    pub async fn search_letters(
        &self,
        scope: &Scope,
        query: &str,
        after: Option<i64>,
        per_page: i64,
    ) -> Result<(Vec<Hit>, Option<i64>)> {
        let words = query_words(query);
        if words.is_empty() {
            return Ok((vec![], None));
        }
        let rows = sqlx::query(crate::sqlf!(
            "SELECT l.id, l.received_on, u.name, l.category, l.closed_on, SUBSTR(l.content, 1, 80) AS excerpt FROM letters l JOIN units u ON u.id = l.unit_id \
             WHERE {} AND (({}) OR l.first_unit_id IN (SELECT f.id FROM units f WHERE {})) AND l.id < $5 ORDER BY l.id DESC LIMIT $4",
            self.fulltext().matches(3),
            scope_sql("u", 1, 2),
            scope_sql("f", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(self.fulltext().query_text(&words))
        .bind(per_page + 1)
        .bind(after.unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() as i64 > per_page;
        let hits = rows
            .iter()
            .take(per_page as usize)
            .map(|r| {
                Ok(Hit {
                    id: r.try_get("id")?,
                    received_on: r.try_get("received_on")?,
                    unit_name: r.try_get("name")?,
                    category: r.try_get("category")?,
                    closed_on: r.try_get("closed_on")?,
                    excerpt: r.try_get("excerpt")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let next = if more {
            hits.last().map(|h: &Hit| h.id)
        } else {
            None
        };
        Ok((hits, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_character_words_are_found() {
        let t = index_tokens("反映某案办理拖延，请求督办！");
        for w in ["拖延", "督办", "办理"] {
            assert!(t.split(' ').any(|x| x == w), "{w} in {t}");
        }
        assert!(!t.contains('，') && !t.contains('！'));
        assert_eq!(query_words("司法救助"), vec!["司法", "救助"]);
        assert!(query_words("，。！").is_empty());
    }

    #[test]
    fn fts5_query_quotes_words() {
        assert_eq!(
            Fts5.query_text(&["a\"b".into(), "督办".into()]),
            "\"a\"\"b\" \"督办\""
        );
    }
}
