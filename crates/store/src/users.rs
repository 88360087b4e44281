use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::auth::{Grant, Role};

use crate::db::{new_id, now, AuditCtx, Store};
use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub lang: String,
    pub unit_id: Option<String>,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub lang: String,
    pub unit_id: Option<String>,
}

/// A signed-in user as seen by a request.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub grants: Vec<Grant>,
    pub csrf_token: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The first characters of the token, to recognise it; the token itself is never stored.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What a login attempt needs to know.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

const USER_COLS: &str = "id, username, display_name, must_change_password, lang, unit_id, disabled";

fn user_from_row(r: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        must_change_password: r.try_get::<i64, _>(3)? != 0,
        lang: r.try_get(4)?,
        unit_id: r.try_get(5)?,
        disabled: r.try_get::<i64, _>(6)? != 0,
    })
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Store {
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await?
            .try_get(0)?)
    }

    pub async fn create_user(&self, ctx: &AuditCtx, u: &NewUser) -> Result<User, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, must_change_password, lang, unit_id, failed_logins, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8)",
        )
        .bind(&id)
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(&u.lang)
        .bind(&u.unit_id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "username", &u.username))?;
        let user = User {
            id: id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            must_change_password: u.must_change_password,
            lang: u.lang.clone(),
            unit_id: u.unit_id.clone(),
            disabled: false,
        };
        tx.audit::<(), _>("create", "user", &id, None, Some(&user));
        tx.commit().await?;
        Ok(user)
    }

    pub async fn get_user(&self, id: &str) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let r = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(user_from_row(&r)?)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        let r = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.read)
            .await?;
        Ok(r.map(|r| user_from_row(&r)).transpose()?)
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        Ok(sqlx::query(&sql)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(user_from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLS}, password_hash, failed_logins, locked_until FROM users WHERE username = $1"
        );
        let Some(r) = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let locked: Option<String> = r.try_get(9)?;
        Ok(Some(LoginRecord {
            user: user_from_row(&r)?,
            password_hash: r.try_get(7)?,
            failed_logins: r.try_get(8)?,
            locked_until: locked
                .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                .map(|d| d.with_timezone(&Utc)),
        }))
    }

    /// Count a failed login; after `threshold` failures in a row the account is locked for
    /// `lock` (the lock grows with each further failure).
    pub async fn login_failed(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        threshold: i64,
        lock: Duration,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let n: i64 = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(user_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?;
        if n >= threshold {
            let factor = (n - threshold + 1).min(16) as i32;
            let until = ts(Utc::now() + lock * factor);
            sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                .bind(&until)
                .bind(user_id)
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.audit::<(), _>(
            "login_failed",
            "user",
            user_id,
            None,
            Some(&serde_json::json!({ "failed_logins": n })),
        );
        // Sign-in counters and sessions: no cached read depends on them.
        tx.narrow(format!("user:{user_id}"));
        tx.commit().await?;
        Ok(())
    }

    /// Failed sign-ins from one address in the window that starts at `window`.
    pub async fn address_failures(&self, address: &str, window: &str) -> Result<i64, StoreError> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT failures FROM login_failures WHERE address = $1 AND window_start = $2",
        )
        .bind(address)
        .bind(window)
        .fetch_optional(&self.write)
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// Count one failed sign-in from an address; forget the windows before this one.
    pub async fn address_failed(&self, address: &str, window: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_failures (address, window_start, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (address, window_start) DO UPDATE SET failures = login_failures.failures + 1",
        )
        .bind(address)
        .bind(window)
        .execute(&self.write)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE window_start < $1")
            .bind(window)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// A successful login: reset the failure count and open a session.
    pub async fn login_succeeded(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        session_hash: &str,
        csrf_token: &str,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now())
        .bind(ts(Utc::now() + lifetime))
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), ()>("login", "user", user_id, None, None);
        tx.narrow(format!("user:{user_id}"));
        tx.commit().await?;
        Ok(())
    }

    pub async fn session(&self, session_hash: &str) -> Result<Option<SessionInfo>, StoreError> {
        let sql = "SELECT u.id, u.username, u.display_name, u.must_change_password, u.lang, u.unit_id, u.disabled, \
                   s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1";
        let Some(r) = sqlx::query(sql)
            .bind(session_hash)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let user = user_from_row(&r)?;
        let expires: String = r.try_get(8)?;
        if expires < now() || user.disabled {
            return Ok(None);
        }
        let grants = self.grants_of(&user.id).await?;
        Ok(Some(SessionInfo {
            user,
            grants,
            csrf_token: r.try_get(7)?,
        }))
    }

    pub async fn logout(&self, ctx: &AuditCtx, session_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let uid: Option<String> = sqlx::query("SELECT user_id FROM sessions WHERE id_hash = $1")
            .bind(session_hash)
            .fetch_optional(&mut *tx.tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(session_hash)
            .execute(&mut *tx.tx)
            .await?;
        if let Some(uid) = uid {
            tx.audit::<(), ()>("logout", "user", &uid, None, None);
            tx.narrow(format!("user:{uid}"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Set a new password hash and end every session of the user but `keep_session`.
    pub async fn set_password(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        // What the change does to the user's signing key and certificate (both sealed under
        // the password).
        (key, cert): (&crate::KeyChange, &crate::CertChange),
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        crate::documents::change_key(&mut tx, user_id, key).await?;
        crate::pades::change_certificate(&mut tx, user_id, cert).await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL WHERE id = $3",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<(), _>(
            "set_password",
            "user",
            user_id,
            None,
            Some(&serde_json::json!({ "must_change_password": must_change })),
        );
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_lang(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        lang: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<(), _>("set_lang", "user", user_id, None, Some(&lang));
        tx.commit().await?;
        Ok(())
    }

    pub async fn grants_of(&self, user_id: &str) -> Result<Vec<Grant>, StoreError> {
        let rows =
            sqlx::query("SELECT role, scope_unit_id FROM grants WHERE user_id = $1 ORDER BY role")
                .bind(user_id)
                .fetch_all(&self.read)
                .await?;
        let mut out = Vec::new();
        for r in rows {
            let role: String = r.try_get(0)?;
            if let Some(role) = Role::parse(&role) {
                out.push(Grant {
                    role,
                    scope_unit: r.try_get(1)?,
                });
            }
        }
        Ok(out)
    }

    pub async fn grant(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        role: Role,
        scope: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        if let Some(s) = scope {
            let found = sqlx::query("SELECT id FROM units WHERE id = $1")
                .bind(s)
                .fetch_optional(&mut *tx.tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::field("scope", "err-unknown-unit"));
            }
        }
        let res = sqlx::query(
            "INSERT INTO grants (id, user_id, role, scope_unit_id, scope_key, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT DO NOTHING",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(role.as_str())
        .bind(scope)
        .bind(scope.unwrap_or("*"))
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        if res.rows_affected() > 0 {
            tx.audit::<(), _>(
                "grant",
                "user",
                user_id,
                None,
                Some(&serde_json::json!({ "role": role.as_str(), "scope": scope })),
            );
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        role: Role,
        scope: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let n =
            sqlx::query("DELETE FROM grants WHERE user_id = $1 AND role = $2 AND scope_key = $3")
                .bind(user_id)
                .bind(role.as_str())
                .bind(scope.unwrap_or("*"))
                .execute(&mut *tx.tx)
                .await?
                .rows_affected();
        if n > 0 {
            tx.audit::<_, ()>(
                "revoke",
                "user",
                user_id,
                Some(&serde_json::json!({ "role": role.as_str(), "scope": scope })),
                None,
            );
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    pub async fn create_token(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let t = ApiToken {
            id: new_id(),
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            created_at: now(),
            last_used_at: None,
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&t.id)
        .bind(user_id)
        .bind(&t.name)
        .bind(token_hash)
        .bind(&t.prefix)
        .bind(&t.created_at)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>("create", "api_token", &t.id, None, Some(&t));
        tx.commit().await?;
        Ok(t)
    }

    pub async fn list_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    prefix: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                    last_used_at: r.try_get(4)?,
                    revoked_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn revoke_token(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        token_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token_id)
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit::<(), ()>("revoke", "api_token", token_id, None, None);
        tx.commit().await?;
        Ok(())
    }

    /// The user behind an API token, if the token is valid and not revoked.
    pub async fn token_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<(User, Vec<Grant>)>, StoreError> {
        let sql = "SELECT u.id, u.username, u.display_name, u.must_change_password, u.lang, u.unit_id, u.disabled \
                   FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL";
        let Some(r) = sqlx::query(sql)
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let user = user_from_row(&r)?;
        if user.disabled {
            return Ok(None);
        }
        let grants = self.grants_of(&user.id).await?;
        Ok(Some((user, grants)))
    }
}
