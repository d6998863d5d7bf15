//! Rows written in bulk by an import: on SQLite one JSON document the statement unpacks; on
//! PostgreSQL `COPY`, the fastest way in. The store's connections are sqlx `Any`
//! connections, which cannot `COPY`, so the rows are copied into the scratch table `copy_stage`
//! (migration 0049) on a PostgreSQL connection of their own and moved into their table by one
//! `INSERT … SELECT` inside the import's write transaction: the import still commits or vanishes
//! as a whole, and the copy itself costs a fraction of the statements it replaces (DECISIONS 101).
use crate::{Bind, Result, Store, Write};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Integer and text columns of `copy_stage`.
const INTS: usize = 4;
const TEXTS: usize = 16;

/// Bytes sent to PostgreSQL per `COPY` message.
const CHUNK: usize = 1 << 20;

/// Where one import's bulk rows go.
pub(crate) enum Bulk {
    Sqlite,
    Postgres {
        conn: Box<PgConnection>,
        batch: i64,
        parts: i32,
    },
}

impl Store {
    /// Starts an import's bulk rows (on PostgreSQL: its own connection and a batch number).
    pub(crate) async fn bulk(&self) -> Result<Bulk> {
        let Some(url) = self.pg_url.as_deref() else {
            return Ok(Bulk::Sqlite);
        };
        let mut conn = PgConnection::connect(url).await?;
        // what imports cut short by a crash left (their connection is gone)
        sqlx::query(
            "DELETE FROM copy_stage WHERE pid NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)",
        )
        .execute(&mut conn)
        .await?;
        let batch: i64 = sqlx::query_scalar("SELECT nextval('copy_batches')")
            .fetch_one(&mut conn)
            .await?;
        Ok(Bulk::Postgres {
            conn: Box::new(conn),
            batch,
            parts: 0,
        })
    }
}

impl Bulk {
    /// Writes `rows` into `table` (`columns` named) in `w`'s transaction; a value may go through
    /// an expression, `{}` standing for it (`exprs`, e.g. `to_tsvector('simple', {})`).
    pub(crate) async fn load<const N: usize>(
        &mut self,
        w: &mut Write,
        table: &str,
        columns: [&str; N],
        exprs: Option<[&str; N]>,
        rows: Vec<[Bind; N]>,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let (source, binds) = self.source(rows, 1).await?;
        let select: Vec<String> = (0..N)
            .map(|c| match &exprs {
                Some(e) => e[c].replace("{}", &format!("x.c{c}")),
                None => format!("x.c{c}"),
            })
            .collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {source} x",
            columns.join(", "),
            select.join(", ")
        )));
        for b in binds {
            q = crate::bind(q, b);
        }
        q.execute(&mut *w.tx).await?;
        Ok(())
    }

    /// A row source over `rows` for one statement of the caller's: a subquery whose columns are
    /// `c0`, `c1`, … in the rows' order, and the values it binds as parameters `$first`, … (to be
    /// bound before the statement's own). On PostgreSQL the rows are copied into `copy_stage`
    /// first; on SQLite they are one JSON document. A column holds integers (`Bind::Int`,
    /// `Bind::NullInt`) or text (`Bind::Text`, `Bind::Null`) in every row. The statement must run
    /// before the next source is asked for (on PostgreSQL that removes these rows from the stage).
    pub(crate) async fn source<const N: usize>(
        &mut self,
        rows: Vec<[Bind; N]>,
        first: usize,
    ) -> Result<(String, Vec<Bind>)> {
        let Bulk::Postgres { conn, batch, parts } = self else {
            let columns: Vec<String> = (0..N).map(|c| format!("j.value ->> {c} AS c{c}")).collect();
            let json = serde_json::Value::Array(rows.iter().map(|r| json_row(r)).collect());
            return Ok((
                format!("(SELECT {} FROM json_each(${first}) j)", columns.join(", ")),
                vec![Bind::Text(json.to_string())],
            ));
        };
        if *parts > 0 {
            // the previous part's statement has run: its rows are spent (the stage stays one
            // part large, however large the import)
            sqlx::query("DELETE FROM copy_stage WHERE batch = $1 AND part = $2")
                .bind(*batch)
                .bind(*parts)
                .execute(&mut **conn)
                .await?;
        }
        *parts += 1;
        let kinds: Vec<bool> = match rows.first() {
            Some(r) => r.iter().map(is_int).collect(),
            None => vec![false; N],
        };
        let stage = layout(&kinds)?;
        let mut copy = conn
            .copy_in_raw(&format!(
                "COPY copy_stage (batch, part, {}) FROM STDIN",
                stage.join(", ")
            ))
            .await?;
        let mut buf = String::with_capacity(CHUNK + 4096);
        for r in &rows {
            line(&mut buf, *batch, *parts, r);
            if buf.len() >= CHUNK {
                copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                buf.reserve(CHUNK + 4096);
            }
        }
        if !buf.is_empty() {
            copy.send(buf.into_bytes()).await?;
        }
        copy.finish().await?;
        let columns: Vec<String> = stage
            .iter()
            .enumerate()
            .map(|(c, s)| format!("{s} AS c{c}"))
            .collect();
        Ok((
            format!(
                "(SELECT {} FROM copy_stage WHERE batch = ${first} AND part = ${})",
                columns.join(", "),
                first + 1
            ),
            vec![Bind::Int(*batch), Bind::Int(i64::from(*parts))],
        ))
    }

    /// Removes the import's copied rows, whether it committed or not.
    pub(crate) async fn finish(self) -> Result<()> {
        if let Bulk::Postgres {
            mut conn, batch, ..
        } = self
        {
            sqlx::query("DELETE FROM copy_stage WHERE batch = $1")
                .bind(batch)
                .execute(&mut *conn)
                .await?;
            conn.close().await?;
        }
        Ok(())
    }
}

fn is_int(v: &Bind) -> bool {
    matches!(v, Bind::Int(_) | Bind::NullInt)
}

/// The stage columns a row's values go to, in order.
fn layout(kinds: &[bool]) -> Result<Vec<String>> {
    let (mut ints, mut texts) = (0, 0);
    let mut stage = Vec::new();
    for int in kinds {
        stage.push(if *int {
            ints += 1;
            format!("i{ints}")
        } else {
            texts += 1;
            format!("t{texts}")
        });
    }
    if ints > INTS || texts > TEXTS {
        return Err(crate::StoreError::Invalid(format!(
            "copy_stage holds {INTS} integer and {TEXTS} text columns"
        )));
    }
    Ok(stage)
}

/// A row as a JSON array (SQLite's row source).
fn json_row(row: &[Bind]) -> serde_json::Value {
    serde_json::Value::Array(
        row.iter()
            .map(|v| match v {
                Bind::Int(i) => (*i).into(),
                Bind::Text(t) => t.as_str().into(),
                Bind::Null | Bind::NullInt => serde_json::Value::Null,
            })
            .collect(),
    )
}

/// Appends one row in `COPY`'s text format.
fn line(buf: &mut String, batch: i64, part: i32, row: &[Bind]) {
    use std::fmt::Write as _;
    let _ = write!(buf, "{batch}\t{part}");
    for v in row {
        buf.push('\t');
        match v {
            Bind::Int(i) => {
                let _ = write!(buf, "{i}");
            }
            Bind::Null | Bind::NullInt => buf.push_str("\\N"),
            Bind::Text(t) => escape(buf, t),
        }
    }
    buf.push('\n');
}

/// A text value as `COPY` reads it: backslash, tab, newline and carriage return escaped.
fn escape(buf: &mut String, t: &str) {
    for ch in t.chars() {
        match ch {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_in_copy_text_format() {
        let mut buf = String::new();
        line(
            &mut buf,
            7,
            2,
            &[
                Bind::Int(-3),
                Bind::Text("a\tb\\c\nd\re 督办".into()),
                Bind::Null,
                Bind::NullInt,
            ],
        );
        assert_eq!(buf, "7\t2\t-3\ta\\tb\\\\c\\nd\\re 督办\t\\N\t\\N\n");
    }

    #[test]
    fn columns_go_to_stage_columns_by_kind() {
        assert_eq!(
            layout(&[true, false, false, true]).unwrap(),
            ["i1", "t1", "t2", "i2"]
        );
        assert!(layout(&[false; 17]).is_err());
        assert!(layout(&[true; 5]).is_err());
        assert_eq!(
            json_row(&[Bind::Int(3), Bind::Text("督办".into()), Bind::NullInt]).to_string(),
            r#"[3,"督办",null]"#
        );
    }
}
