//! Delivery to letter writers: the scheduler claims what is due, records each result (retried,
//! then failed and shown), and officers send a failure again.
use crate::{Actor, Change, Result, Store, StoreError};
use duban_domain::letters::answers as rule;
use duban_domain::letters::answers::ReplyKind;
use serde_json::json;
use sqlx::Row;

/// What the scheduler delivers.
#[derive(Debug, Clone)]
pub struct OutSend {
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub subject: String,
    pub body: String,
    /// the reply letter sent with it, composed
    pub document: Option<duban_domain::documents::Document>,
}

impl Store {
    /// Claims sendings due now over the given channels (another sender skips them for five
    /// minutes).
    pub async fn claim_letter_sends(&self, limit: i64, channels: &[&str]) -> Result<Vec<OutSend>> {
        let now = crate::now_epoch();
        let lock = match self.backend {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        // the channel names are the caller's constants, never input
        let channels = channels
            .iter()
            .filter(|c| matches!(**c, "email" | "sms"))
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ");
        if channels.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<i64> = sqlx::query_scalar(crate::sqlf!(
            "UPDATE letter_sends SET claimed_at = $1 WHERE id IN (SELECT id FROM letter_sends WHERE status = 'pending' AND next_at <= $1 \
             AND (claimed_at IS NULL OR claimed_at < $2) AND channel IN ({channels}) ORDER BY next_at LIMIT $3{lock}) RETURNING id"
        ))
        .bind(now)
        .bind(now - 300)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for id in ids {
            let r = sqlx::query("SELECT s.channel, s.address, s.subject, s.body, r.document FROM letter_sends s LEFT JOIN letter_replies r ON r.id = s.reply_id WHERE s.id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
            let document = r
                .try_get::<Option<String>, _>("document")?
                .and_then(|d| serde_json::from_str(&d).ok());
            out.push(OutSend {
                id,
                channel: r.try_get("channel")?,
                address: r.try_get("address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                document,
            });
        }
        Ok(out)
    }

    /// Records how a delivery went: sent (the letter counts as notified; a transfer-out notice
    /// answers the letter), or failed (tried again later, until the attempts run out).
    pub async fn letter_send_result(
        &self,
        id: i64,
        outcome: std::result::Result<(), String>,
    ) -> Result<()> {
        let mut w = self.write(&Actor::system("scheduler")).await?;
        let Some(r) = sqlx::query("SELECT s.letter_id, s.channel, s.address, s.attempts, r.kind FROM letter_sends s LEFT JOIN letter_replies r ON r.id = s.reply_id WHERE s.id = $1 AND s.status = 'pending'")
            .bind(id)
            .fetch_optional(&mut *w.tx)
            .await?
        else {
            return Ok(());
        };
        let letter: i64 = r.try_get("letter_id")?;
        let attempts: i64 = r.try_get::<i64, _>("attempts")? + 1;
        let channel: String = r.try_get("channel")?;
        let shown = rule::mask_address(&r.try_get::<String, _>("address")?);
        let today = self.today().to_string();
        let now = w.now_rfc3339();
        let event = match outcome {
            Ok(()) => {
                sqlx::query("UPDATE letter_sends SET status = 'sent', attempts = $1, sent_at = $2, claimed_at = NULL, last_error = '' WHERE id = $3")
                    .bind(attempts).bind(&now).bind(id).execute(&mut *w.tx).await?;
                sqlx::query(
                    "UPDATE letters SET notified_on = COALESCE(notified_on, $1) WHERE id = $2",
                )
                .bind(&today)
                .bind(letter)
                .execute(&mut *w.tx)
                .await?;
                if r.try_get::<Option<String>, _>("kind")?.as_deref()
                    == Some(ReplyKind::TransferNotice.as_str())
                {
                    sqlx::query("UPDATE letters SET replied_on = COALESCE(replied_on, $1), acknowledged_on = COALESCE(acknowledged_on, $1), closed_on = COALESCE(closed_on, $1) WHERE id = $2 AND out_on IS NOT NULL")
                        .bind(&today).bind(letter).execute(&mut *w.tx).await?;
                }
                Some(("sent", shown))
            }
            Err(e) => {
                let e: String = e.chars().take(300).collect();
                match rule::retry_after(attempts) {
                    Some(wait) => {
                        sqlx::query("UPDATE letter_sends SET attempts = $1, last_error = $2, next_at = $3, claimed_at = NULL WHERE id = $4")
                            .bind(attempts).bind(&e).bind(crate::now_epoch() + wait).bind(id).execute(&mut *w.tx).await?;
                        None
                    }
                    None => {
                        sqlx::query("UPDATE letter_sends SET status = 'failed', attempts = $1, last_error = $2, claimed_at = NULL WHERE id = $3")
                            .bind(attempts).bind(&e).bind(id).execute(&mut *w.tx).await?;
                        Some(("send_failed", format!("{shown}：{e}")))
                    }
                }
            }
        };
        if let Some((kind, body)) = event {
            sqlx::query("INSERT INTO letter_events (letter_id, on_date, kind, body, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(letter)
                .bind(&today)
                .bind(kind)
                .bind(format!("{}：{body}", if channel == "sms" { "短信" } else { "电子邮件" }))
                .bind("scheduler")
                .bind(&now)
                .execute(&mut *w.tx)
                .await?;
        }
        w.commit().await?;
        Ok(())
    }

    /// An officer sends a failed sending again (from its first attempt).
    pub async fn retry_letter_send(
        &self,
        actor: &Actor,
        scope: &crate::Scope,
        letter: i64,
        send: i64,
    ) -> Result<()> {
        if !self.on_path(scope, letter).await? {
            return Err(StoreError::NotFound);
        }
        let mut w = self.write(actor).await?;
        w.decide(duban_domain::access::Action::HandleLetters)?;
        let n = sqlx::query("UPDATE letter_sends SET status = 'pending', attempts = 0, next_at = $1, claimed_at = NULL WHERE id = $2 AND letter_id = $3 AND status = 'failed'")
            .bind(crate::now_epoch())
            .bind(send)
            .bind(letter)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        w.audit(Change {
            action: "letter.resend",
            entity: "letter",
            entity_id: letter.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"send": send})),
        })
        .await?;
        w.commit().await?;
        Ok(())
    }
}
