//! Content-addressed blobs (evidence, attachments, published PDFs) and the evidence types.
use crate::Result;
use sha2::{Digest, Sha256};

pub use duban_domain::ledger::{EVIDENCE_TYPES, EntryKind, MAX_EVIDENCE_BYTES};

/// Keeps a file's bytes once, under their SHA-256; returns the hash.
pub(crate) async fn put_blob(w: &mut crate::Write, bytes: &[u8]) -> Result<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    sqlx::query("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(bytes.to_vec())
        .execute(&mut *w.tx)
        .await?;
    Ok(sha)
}

/// The type of an evidence file by its name, or an error naming what is accepted.
pub fn evidence_type(filename: &str) -> Result<&'static str> {
    Ok(duban_domain::ledger::evidence_type(filename)?)
}
