//! Rows written in bulk by an import: on SQLite multi-row `INSERT`s in the import's transaction
//! ([`Rows`]); on PostgreSQL `COPY`, the fastest way in. The store's connections are sqlx `Any`
//! connections, which cannot `COPY`, so the rows are copied into the scratch table `copy_stage`
//! (migration 0049) on a PostgreSQL connection of their own and moved into their table by one
//! `INSERT … SELECT` inside the import's write transaction: the import still commits or vanishes
//! as a whole, and the copy itself costs a fraction of the statements it replaces (DECISIONS 101).
use crate::{Backend, Bind, Result, Rows, Store, Write};
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
    /// Writes `rows` into `table` (`columns` named) in `w`'s transaction. On PostgreSQL a column's
    /// value may go through an expression, `{}` standing for the copied value (`pg_exprs`, e.g.
    /// `to_tsvector('simple', {})`). A column holds integers (`Bind::Int`, `Bind::NullInt`) or
    /// text (`Bind::Text`, `Bind::Null`) in every row.
    pub(crate) async fn load<const N: usize>(
        &mut self,
        w: &mut Write,
        table: &str,
        columns: [&str; N],
        pg_exprs: Option<[&str; N]>,
        rows: Vec<[Bind; N]>,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let Bulk::Postgres { conn, batch, parts } = self else {
            let head = format!("INSERT INTO {table} ({})", columns.join(", "));
            let mut out = Rows::new(Backend::Sqlite, &head, "", N);
            for r in rows {
                out.push(r);
            }
            for q in out.take_all() {
                q.execute(&mut *w.tx).await?;
            }
            return Ok(());
        };
        *parts += 1;
        let kinds: [bool; N] = std::array::from_fn(|c| is_int(&rows[0][c]));
        let (stage, select) = layout(&kinds, pg_exprs.as_ref().map(|e| &e[..]))?;
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
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({}) SELECT {} FROM copy_stage WHERE batch = $1 AND part = $2",
            columns.join(", "),
            select.join(", ")
        )))
        .bind(*batch)
        .bind(*parts)
        .execute(&mut *w.tx)
        .await?;
        Ok(())
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

/// The stage columns a row's values go to and the expressions that read them back, in order.
fn layout(kinds: &[bool], exprs: Option<&[&str]>) -> Result<(Vec<String>, Vec<String>)> {
    let (mut ints, mut texts) = (0, 0);
    let mut stage = Vec::new();
    let mut select = Vec::new();
    for (c, int) in kinds.iter().enumerate() {
        let col = if *int {
            ints += 1;
            format!("i{ints}")
        } else {
            texts += 1;
            format!("t{texts}")
        };
        if ints > INTS || texts > TEXTS {
            return Err(crate::StoreError::Invalid(format!(
                "copy_stage holds {INTS} integer and {TEXTS} text columns"
            )));
        }
        select.push(match exprs {
            Some(e) => e[c].replace("{}", &col),
            None => col.clone(),
        });
        stage.push(col);
    }
    Ok((stage, select))
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
        let (stage, select) = layout(&[true, false, false, true], None).unwrap();
        assert_eq!(stage, ["i1", "t1", "t2", "i2"]);
        assert_eq!(select, stage);
        let (_, select) =
            layout(&[true, false], Some(&["{}", "to_tsvector('simple', {})"])).unwrap();
        assert_eq!(select, ["i1", "to_tsvector('simple', t1)"]);
        assert!(layout(&[false; 17], None).is_err());
    }
}
