//! Files uploaded with a form that was refused, kept so that the person need not choose them
//! again: stored under a random token for the same session or visitor (`owner`, a digest of its
//! form token), handed back only to that owner, and dropped when used or after a day.
use crate::rectification::Upload;
use crate::{Result, Store};
use sqlx::Row;

/// A kept file as the form shows it.
#[derive(Debug, Clone)]
pub struct Kept {
    pub token: String,
    pub filename: String,
    pub size: i64,
}

/// How long a kept file waits for its form.
const KEEP_HOURS: i64 = 24;
/// Longest token accepted back from a form.
const TOKEN_CHARS: usize = 64;

impl Store {
    /// Keeps `files` for `owner` (the form token of a session or visitor); returns their tokens.
    /// Files kept longer than a day, by anyone, are dropped first.
    pub async fn keep_uploads(&self, owner: &str, files: &[Upload]) -> Result<Vec<Kept>> {
        let owner = duban_domain::auth::secret_digest(owner);
        // the wall clock, as for sessions: how long a file waits is real time, not the demo's day
        let now = chrono::Utc::now();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM kept_uploads WHERE kept_at < $1")
            .bind((now - chrono::Duration::hours(KEEP_HOURS)).to_rfc3339())
            .execute(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            let token = duban_domain::auth::new_secret();
            sqlx::query(
                "INSERT INTO kept_uploads (token, owner, filename, size, content, kept_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&token)
            .bind(&owner)
            .bind(&f.filename)
            .bind(f.bytes.len() as i64)
            .bind(f.bytes.clone())
            .bind(now.to_rfc3339())
            .execute(&mut *tx)
            .await?;
            out.push(Kept {
                token,
                filename: f.filename.clone(),
                size: f.bytes.len() as i64,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The files kept for `owner` under `tokens` (others' tokens and unknown ones give nothing).
    pub async fn kept_uploads(
        &self,
        owner: &str,
        tokens: &[String],
    ) -> Result<Vec<(Kept, Upload)>> {
        let owner = duban_domain::auth::secret_digest(owner);
        let mut out = Vec::new();
        for t in tokens.iter().filter(|t| t.len() <= TOKEN_CHARS) {
            if let Some(r) = sqlx::query(
                "SELECT filename, content FROM kept_uploads WHERE token = $1 AND owner = $2",
            )
            .bind(t)
            .bind(&owner)
            .fetch_optional(&self.pool)
            .await?
            {
                let upload = Upload {
                    filename: r.try_get("filename")?,
                    bytes: r.try_get("content")?,
                };
                let kept = Kept {
                    token: t.clone(),
                    filename: upload.filename.clone(),
                    size: upload.bytes.len() as i64,
                };
                out.push((kept, upload));
            }
        }
        Ok(out)
    }

    /// Drops kept files once their form went through.
    pub async fn drop_kept(&self, owner: &str, tokens: &[String]) -> Result<()> {
        let owner = duban_domain::auth::secret_digest(owner);
        for t in tokens.iter().filter(|t| t.len() <= TOKEN_CHARS) {
            sqlx::query("DELETE FROM kept_uploads WHERE token = $1 AND owner = $2")
                .bind(t)
                .bind(&owner)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
