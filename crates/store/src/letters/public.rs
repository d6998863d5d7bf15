//! What the writer sees with the query code: where the letter stands, the replies and the reply
//! letters.
use super::answers::{ReplyLetter, reply_letter};
use crate::{Result, Store};
use serde::Serialize;
use sqlx::Row;

/// What the writer sees with the query code, and nothing else.
#[derive(Debug, Clone, Serialize)]
pub struct PublicStatus {
    pub received_on: String,
    pub unit_name: String,
    pub ack_due: String,
    pub reply_due: String,
    pub acknowledged_on: Option<String>,
    pub replied_on: Option<String>,
    pub closed_on: Option<String>,
    /// (date, kind, text) of each reply sent to the writer
    pub replies: Vec<(String, String, String)>,
    /// the writer's rating of the result reply: "satisfied", "basic" or "unsatisfied"
    pub rating: Option<String>,
    /// the reply letters the writer may download
    pub letters: Vec<ReplyLetter>,
}

/// Where a letter stands, as a catalogue key: 已受理 (awaiting acknowledgement), 办理中, 已答复
/// or 已办结 — the same words for the writer and the officer.
pub(crate) fn stage_key(acknowledged: bool, replied: bool, closed: bool) -> &'static str {
    if closed {
        "letters.stage.closed"
    } else if replied {
        "letters.stage.replied"
    } else if acknowledged {
        "letters.stage.handling"
    } else {
        "letters.stage.received"
    }
}

impl PublicStatus {
    /// Where the letter stands, in the words the writer is told: the catalogue key of 已受理
    /// (received), 办理中 (acknowledged, being handled), 已答复 (answered) or 已办结 (closed).
    pub fn stage_key(&self) -> &'static str {
        stage_key(
            self.acknowledged_on.is_some(),
            self.replied_on.is_some(),
            self.closed_on.is_some(),
        )
    }
}

impl Store {
    /// The public status of the letter with this query code (as typed), or `None`.
    pub async fn letter_status(&self, raw_code: &str) -> Result<Option<PublicStatus>> {
        let Some(code) = duban_domain::letters::normalize_query_code(raw_code) else {
            return Ok(None);
        };
        let Some(r) = sqlx::query(
            "SELECT l.id, l.received_on, u.name, l.ack_due, l.reply_due, l.acknowledged_on, l.replied_on, l.closed_on, l.rating FROM letters l JOIN units u ON u.id = l.unit_id WHERE l.query_hash = $1",
        )
        .bind(duban_domain::auth::secret_digest(&code))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = r.try_get("id")?;
        let replies = sqlx::query("SELECT on_date, kind, body FROM letter_events WHERE letter_id = $1 AND kind IN ('ack', 'reply', 'progress', 'close', 'transfer_out', 'review') ORDER BY on_date, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|e| Ok((e.try_get("on_date")?, e.try_get("kind")?, e.try_get("body")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(PublicStatus {
            received_on: r.try_get("received_on")?,
            unit_name: r.try_get("name")?,
            ack_due: r.try_get("ack_due")?,
            reply_due: r.try_get("reply_due")?,
            acknowledged_on: r.try_get("acknowledged_on")?,
            replied_on: r.try_get("replied_on")?,
            closed_on: r.try_get("closed_on")?,
            replies,
            rating: r.try_get("rating")?,
            letters: sqlx::query("SELECT id, kind, number, on_date FROM letter_replies WHERE letter_id = $1 AND kind <> 'transfer_out' ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    reply_letter(r)
                })
                .collect::<Result<Vec<_>>>()?,
        }))
    }
}
