//! Accounts, sessions and API tokens.
use crate::{
    Actor, Change, Result, Scope, Store, StoreError, flag, now_epoch, scope_like, scope_sql,
};
use duban_domain::auth::{self, new_secret, secret_digest};
use duban_domain::org::Role;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Idle timeout of a web session; it slides while the user is active.
pub const SESSION_SECONDS: i64 = 8 * 3600;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_level: i64,
    #[serde(skip)]
    pub unit_path: String,
    pub subtree: bool,
    pub lang: String,
    /// The staff member this account is, where known.
    pub staff_id: Option<i64>,
    /// That staff member's department, read with the account.
    #[serde(skip)]
    pub department_id: Option<i64>,
}

impl User {
    pub fn scope(&self) -> Scope {
        Scope {
            unit_id: self.unit_id,
            unit_path: self.unit_path.clone(),
            subtree: self.subtree,
        }
    }
    /// The departments this account's staff member belongs to (one, or none).
    pub fn departments(&self) -> Vec<i64> {
        self.department_id.into_iter().collect()
    }
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            name: self.login.clone(),
            role: Some(self.role),
            scope: Some(self.scope()),
        }
    }
    fn from_row(r: &AnyRow) -> Result<User> {
        let role: String = r.try_get("role")?;
        Ok(User {
            id: r.try_get("id")?,
            login: r.try_get("login")?,
            display_name: r.try_get("display_name")?,
            role: Role::parse(&role).map_err(|e| StoreError::Invalid(e.to_string()))?,
            unit_id: r.try_get("unit_id")?,
            unit_code: r.try_get("unit_code")?,
            unit_name: r.try_get("unit_name")?,
            unit_level: r.try_get("unit_level")?,
            unit_path: r.try_get("unit_path")?,
            subtree: flag(r, "subtree")?,
            lang: r.try_get("lang")?,
            staff_id: r.try_get("staff_id")?,
            department_id: r.try_get("department_id")?,
        })
    }
}

const USER_SELECT: &str = "SELECT us.id, us.login, us.display_name, us.role, us.unit_id, u.code AS unit_code, u.name AS unit_name, \
     u.level AS unit_level, u.path AS unit_path, us.subtree, us.lang, us.staff_id, st.department_id FROM users us JOIN units u ON u.id = us.unit_id \
     LEFT JOIN staff st ON st.id = us.staff_id";

pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub unit_id: i64,
    pub subtree: bool,
}

/// The outcome of a login attempt.
pub enum LoginOutcome {
    Ok {
        user: User,
        session: String,
        csrf: String,
    },
    BadCredentials,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub revoked: bool,
    pub expires_at: String,
}

/// Days an API token lives unless the settings say otherwise.
pub const TOKEN_DAYS: i64 = 90;

impl Store {
    pub fn validate_login(login: &str) -> Result<String> {
        duban_domain::import::parse_login(login).map_err(StoreError::Invalid)
    }

    pub async fn create_user(&self, actor: &Actor, nu: &NewUser<'_>) -> Result<i64> {
        self.create_user_by(
            &Actor {
                role: None,
                scope: None,
                ..actor.clone()
            },
            nu,
        )
        .await
    }

    /// Creates an account as `who` may: an administrator grants a scope within and never wider
    /// than its own (decided on the unit read in the write transaction).
    pub async fn create_user_by(&self, actor: &Actor, nu: &NewUser<'_>) -> Result<i64> {
        let login = Self::validate_login(nu.login)?;
        auth::check_password_policy(nu.password).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut w = self.write(actor).await?;
        if let Some((role, scope)) = actor.who() {
            let path: String = sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
                .bind(nu.unit_id)
                .fetch_optional(&mut *w.tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            duban_domain::access::decide_grant(role, scope, nu.unit_id, &path, nu.subtree)?;
        }
        let hash = hash(nu.password).await;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = $1")
            .bind(&login)
            .fetch_one(&mut *w.tx)
            .await?;
        if exists > 0 {
            return Err(StoreError::Conflict(format!("登录名 {login} 已存在")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (login, display_name, password_hash, role, unit_id, subtree, created_at, activated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&login)
        .bind(nu.display_name)
        .bind(&hash)
        .bind(nu.role.as_str())
        .bind(nu.unit_id)
        .bind(i64::from(nu.subtree))
        .bind(self.now_rfc3339())
        .fetch_one(&mut *w.tx)
        .await?;
        w.audit(Change {
            action: "user.create",
            entity: "user",
            entity_id: id.to_string(),
            unit_id: Some(nu.unit_id),
            before: None,
            after: Some(json!({"login": login, "display_name": nu.display_name, "role": nu.role.as_str(), "subtree": nu.subtree})),
        })
        .await?;
        w.commit().await?;
        Ok(id)
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let r = sqlx::query(crate::sqlf!("{USER_SELECT} WHERE us.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(User::from_row).transpose()
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let r = sqlx::query(crate::sqlf!("{USER_SELECT} WHERE us.login = $1"))
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(User::from_row).transpose()
    }

    pub async fn users_in_scope(&self, scope: &Scope) -> Result<Vec<User>> {
        let rows = sqlx::query(crate::sqlf!(
            "{USER_SELECT} WHERE {} ORDER BY u.code, us.login",
            scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(scope_like(scope))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(User::from_row).collect()
    }

    /// Checks a password, applies the lockout rule, and opens a session on success.
    pub async fn login(&self, login: &str, password: &str) -> Result<LoginOutcome> {
        // a local password works for a local account of a unit that allows local passwords
        let row = sqlx::query(
            "SELECT us.id, us.password_hash, us.failed_logins, us.locked_until, us.disabled, \
             CASE WHEN us.auth_source = 'local' AND u.password_login = 1 THEN 1 ELSE 0 END AS local \
             FROM users us JOIN units u ON u.id = us.unit_id WHERE us.login = $1",
        )
        .bind(login.trim())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // spend the same time as a real check, so that logins cannot be probed by timing
            verify(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI",
            )
            .await;
            return Ok(LoginOutcome::BadCredentials);
        };
        let id: i64 = row.try_get("id")?;
        let hash: String = row.try_get("password_hash")?;
        let failed: i64 = row.try_get("failed_logins")?;
        let disabled = flag(&row, "disabled")?;
        let actor = Actor {
            user_id: Some(id),
            name: login.trim().to_string(),
            role: None,
            scope: None,
        };
        if disabled || !flag(&row, "local")? || !verify(password, &hash).await {
            // counted for the record; the caller delays further attempts (no lockout)
            let mut w = self.write(&actor).await?;
            sqlx::query("UPDATE users SET failed_logins = $1 WHERE id = $2")
                .bind(failed + 1)
                .bind(id)
                .execute(&mut *w.tx)
                .await?;
            if (failed + 1) % 10 == 0 {
                w.audit(Change {
                    action: "user.login_failures",
                    entity: "user",
                    entity_id: id.to_string(),
                    unit_id: None,
                    before: None,
                    after: Some(json!({"failed_logins": failed + 1})),
                })
                .await?;
            }
            w.commit().await?;
            return Ok(LoginOutcome::BadCredentials);
        }
        let w = self.write(&actor).await?;
        self.signed_in(w, id).await
    }

    /// The user and CSRF token of a live session. Extends the session when more than a tenth of
    /// its idle time has passed (so that most requests only read).
    pub async fn session(&self, token: &str) -> Result<Option<(User, String)>> {
        let now = now_epoch();
        let digest = secret_digest(token);
        let sql = format!("{USER_SELECT} JOIN sessions se ON se.user_id = us.id WHERE se.id_hash = $1 AND se.expires_at > $2 AND us.disabled = 0")
            .replacen("SELECT us.id", "SELECT se.csrf, se.expires_at, us.id", 1);
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&digest)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let user = User::from_row(&r)?;
        let csrf: String = r.try_get("csrf")?;
        let expires: i64 = r.try_get("expires_at")?;
        if expires - now < SESSION_SECONDS - SESSION_SECONDS / 10 {
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id_hash = $2")
                .bind(now + SESSION_SECONDS)
                .bind(&digest)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((user, csrf)))
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(secret_digest(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Changes a password after checking the current one; ends the user's other sessions.
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&self.pool)
            .await?;
        if !verify(current, &hash).await {
            return Err(StoreError::Invalid("当前密码不正确".into()));
        }
        auth::check_password_policy(new).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_password(&user.actor(), user.id, new, keep_session)
            .await
    }

    /// Sets a password without the current one (administrators, CLI).
    pub async fn set_password(
        &self,
        actor: &Actor,
        user_id: i64,
        new: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        auth::check_password_policy(new).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let hashed = hash(new).await;
        let mut w = self.write(actor).await?;
        // a password set is an account in use: any outstanding activation code ends
        sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, activation_hash = NULL, \
                     activation_expires = NULL, activated_at = COALESCE(activated_at, $3) WHERE id = $2")
            .bind(hashed)
            .bind(user_id)
            .bind(w.now_rfc3339())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_session.map(secret_digest).unwrap_or_default())
            .execute(&mut *w.tx)
            .await?;
        // a new password ends every API token made under the old one
        sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE user_id = $1 AND revoked = 0")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "user.password",
            entity: "user",
            entity_id: user_id.to_string(),
            unit_id: None,
            before: None,
            after: None,
        })
        .await?;
        w.commit().await
    }

    pub async fn user_email(&self, user_id: i64) -> Result<String> {
        Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Sets the address notices are e-mailed to (empty: none).
    pub async fn set_email(&self, actor: &Actor, user_id: i64, email: &str) -> Result<()> {
        let e = email.trim();
        let ok = e.is_empty()
            || (e.len() <= 120
                && e.split_once('@').is_some_and(|(a, d)| {
                    !a.is_empty() && d.contains('.') && !e.contains(char::is_whitespace)
                }));
        if !ok {
            return Err(StoreError::Invalid(format!("电子邮件地址无效：{e}")));
        }
        let mut w = self.write(actor).await?;
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(e)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "user.email",
            entity: "user",
            entity_id: user_id.to_string(),
            unit_id: None,
            before: None,
            after: Some(json!({"email": e})),
        })
        .await?;
        w.commit().await
    }

    pub async fn set_lang(&self, user: &User, lang: &str) -> Result<()> {
        let mut w = self.write(&user.actor()).await?;
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(user.id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "user.lang",
            entity: "user",
            entity_id: user.id.to_string(),
            unit_id: Some(user.unit_id),
            before: Some(json!({"lang": user.lang})),
            after: Some(json!({"lang": lang})),
        })
        .await?;
        w.commit().await
    }

    /// Issues an API token valid for [`TOKEN_DAYS`]; the secret is returned once and only its
    /// digest is kept.
    pub async fn create_token(&self, user: &User, name: &str) -> Result<String> {
        self.create_token_for(user, name, TOKEN_DAYS, false).await
    }

    /// Issues an API token valid for `days`. A request authenticated by a token never makes
    /// another (`by_token`): a leaked token cannot outlive its own revocation.
    pub async fn create_token_for(
        &self,
        user: &User,
        name: &str,
        days: i64,
        by_token: bool,
    ) -> Result<String> {
        if by_token {
            return Err(duban_domain::rectification::RuleError::NotPermitted.into());
        }
        let secret = format!("dbn_{}", new_secret());
        let expires = (chrono::Utc::now() + chrono::Duration::days(days.clamp(1, 3660)))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut w = self.write(&user.actor()).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(user.id)
            .bind(name)
            .bind(secret_digest(&secret))
            .bind(self.now_rfc3339())
            .bind(&expires)
            .fetch_one(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "token.create",
            entity: "api_token",
            entity_id: id.to_string(),
            unit_id: Some(user.unit_id),
            before: None,
            after: Some(json!({"name": name, "expires_at": expires})),
        })
        .await?;
        w.commit().await?;
        Ok(secret)
    }

    pub async fn tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, revoked, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    revoked: flag(r, "revoked")?,
                    expires_at: r
                        .try_get::<Option<String>, _>("expires_at")?
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Revokes a token: its owner's own, or one of an account in an administrator's scope; to
    /// anyone else the token id is "not found".
    pub async fn revoke_token(&self, actor: &Actor, token_id: i64) -> Result<()> {
        let mut w = self.write(actor).await?;
        let owner = sqlx::query(
            "SELECT us.id, us.unit_id, u.path FROM api_tokens t JOIN users us ON us.id = t.user_id JOIN units u ON u.id = us.unit_id WHERE t.id = $1",
        )
        .bind(token_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let (owner_id, unit_id, path): (i64, i64, String) = (
            owner.try_get("id")?,
            owner.try_get("unit_id")?,
            owner.try_get("path")?,
        );
        let who = match (actor.user_id, actor.who()) {
            (Some(id), Some((role, scope))) => Some((id, role, scope)),
            _ => None,
        };
        duban_domain::access::decide_token_revoke(who, owner_id, unit_id, &path)
            .map_err(|_| StoreError::NotFound)?;
        sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE id = $1")
            .bind(token_id)
            .execute(&mut *w.tx)
            .await?;
        w.audit(Change {
            action: "token.revoke",
            entity: "api_token",
            entity_id: token_id.to_string(),
            unit_id: Some(unit_id),
            before: None,
            after: Some(json!({"owner": owner_id})),
        })
        .await?;
        w.commit().await
    }

    /// The live tokens of the accounts in `scope` (the administrator's view), newest first.
    pub async fn tokens_in_scope(&self, scope: &Scope) -> Result<Vec<(String, ApiToken)>> {
        let rows = sqlx::query(crate::sqlf!(
            "SELECT us.login, t.id, t.name, t.created_at, t.revoked, t.expires_at FROM api_tokens t \
             JOIN users us ON us.id = t.user_id JOIN units u ON u.id = us.unit_id \
             WHERE {} AND t.revoked = 0 AND t.expires_at > $3 ORDER BY t.id DESC LIMIT 500",
            crate::scope_sql("u", 1, 2)
        ))
        .bind(scope.unit_id)
        .bind(crate::scope_like(scope))
        .bind(self.now_rfc3339())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("login")?,
                    ApiToken {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        created_at: r.try_get("created_at")?,
                        revoked: flag(r, "revoked")?,
                        expires_at: r
                            .try_get::<Option<String>, _>("expires_at")?
                            .unwrap_or_default(),
                    },
                ))
            })
            .collect()
    }

    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        let r = sqlx::query(crate::sqlf!("{USER_SELECT} JOIN api_tokens t ON t.user_id = us.id WHERE t.token_hash = $1 AND t.revoked = 0 AND us.disabled = 0 AND t.expires_at > $2"))
            .bind(secret_digest(token))
            .bind(self.now_rfc3339())
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(User::from_row).transpose()
    }
}

impl Store {
    /// Ends a sign-in (a password, an activation, the directory, single sign-on): a session for
    /// account `id` opened in the write `w`, which is committed.
    pub(crate) async fn signed_in(&self, mut w: crate::Write, id: i64) -> Result<LoginOutcome> {
        let (session, csrf) = open_session(&mut w, id).await?;
        w.commit().await?;
        let user = self.user(id).await?.ok_or(StoreError::NotFound)?;
        Ok(LoginOutcome::Ok {
            user,
            session,
            csrf,
        })
    }
}

/// Opens a session for account `id` inside a write (a sign-in, an activation): resets the
/// failure count, stamps the sign-in, drops expired sessions. Returns (session, CSRF token).
async fn open_session(w: &mut crate::Write, id: i64) -> Result<(String, String)> {
    let now = now_epoch();
    let session = new_secret();
    let csrf = new_secret();
    sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
    )
    .bind(w.now_rfc3339())
    .bind(id)
    .execute(&mut *w.tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *w.tx)
        .await?;
    sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(secret_digest(&session))
        .bind(id)
        .bind(&csrf)
        .bind(now)
        .bind(now + SESSION_SECONDS)
        .execute(&mut *w.tx)
        .await?;
    w.audit(Change {
        action: "user.login",
        entity: "user",
        entity_id: id.to_string(),
        unit_id: None,
        before: None,
        after: None,
    })
    .await?;
    Ok((session, csrf))
}

/// Checks a password against its argon2 hash off the async workers (tens of milliseconds of
/// CPU each: inline, a burst of sign-ins would stall every other request).
pub(crate) async fn verify(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || auth::verify_password(&p, &h))
        .await
        .unwrap_or(false)
}

/// Hashes a password off the async workers.
pub(crate) async fn hash(password: &str) -> String {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || auth::hash_password(&p))
        .await
        .unwrap_or_default()
}
