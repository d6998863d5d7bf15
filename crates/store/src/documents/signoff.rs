//! Sign-off (签发) of a draft, decided by `duban_domain::documents::may_sign` on the facts read in
//! the write; publishing reads the same facts (`compose.rs`).
use crate::{Actor, Change, Result, Store, StoreError, scope_like, scope_sql};
use duban_domain::documents::{SignFacts, may_sign};
use serde_json::json;
use sqlx::Row;

impl Store {
    /// Signs a draft off with an optional opinion (签发意见).
    pub async fn sign_document(&self, actor: &Actor, id: i64, opinion: &str) -> Result<()> {
        let mut w = self.write(actor).await?;
        let facts = sign_facts(&mut w, actor, id).await?;
        let opinion = opinion.trim();
        may_sign(actor.role.zip(actor.scope.as_ref()), &facts, opinion)?;
        // shown by the person's name, as a signature is
        let signer: Option<String> =
            sqlx::query_scalar("SELECT display_name FROM users WHERE login = $1")
                .bind(&actor.name)
                .fetch_optional(&mut *w.tx)
                .await?;
        let changed = sqlx::query(
            "UPDATE documents SET signed_by = $1, signed_at = $2, sign_opinion = $3 \
             WHERE id = $4 AND status = 'draft' AND signed_at IS NULL",
        )
        .bind(
            signer
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| actor.name.clone()),
        )
        .bind(w.now_rfc3339())
        .bind((!opinion.is_empty()).then_some(opinion))
        .bind(id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict("该公文刚刚已被签发或发布".into()));
        }
        w.audit(Change {
            action: "document.sign",
            entity: "document",
            entity_id: id.to_string(),
            unit_id: Some(facts.unit_id),
            before: None,
            after: Some(json!({"opinion": opinion})),
        })
        .await?;
        w.commit().await
    }
}

/// The facts the sign-off and publishing decisions read, in the write: a document in the actor's
/// scope (the operator's command line sees every one).
pub(super) async fn sign_facts(w: &mut crate::Write, actor: &Actor, id: i64) -> Result<SignFacts> {
    let r = match &actor.scope {
        Some(scope) => sqlx::query(crate::sqlf!(
            "SELECT d.unit_id, d.status, d.signed_at FROM documents d JOIN units u ON u.id = d.unit_id \
             WHERE d.id = $3 AND {}",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .bind(id)
        .fetch_optional(&mut *w.tx)
        .await?,
        None => sqlx::query("SELECT d.unit_id, d.status, d.signed_at FROM documents d WHERE d.id = $1")
            .bind(id)
            .fetch_optional(&mut *w.tx)
            .await?,
    }
    .ok_or(StoreError::NotFound)?;
    Ok(SignFacts {
        unit_id: crate::int(&r, "unit_id")?,
        published: r.try_get::<String, _>("status")? == "published",
        signed: r.try_get::<Option<String>, _>("signed_at")?.is_some(),
    })
}
