use thidua_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Someone else saved first; `current` is the stored state to show what changed.
    #[error("stale edit")]
    Conflict { current: serde_json::Value },
    #[error("duplicate {field}")]
    Duplicate { field: String, key: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A workflow rule refused the request; the key is translated with its arguments.
    #[error("refused: {key}")]
    Refused {
        key: String,
        args: Vec<(String, String)>,
    },
    #[error("database newer than this binary: migration {0} is unknown")]
    TooNew(i64),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A batched write failed for a reason that is not the request's (see `is_unavailable`);
    /// each request of the batch gets this, the cause is logged once.
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub fn rule(key: &str) -> Self {
        StoreError::Domain(DomainError::Rule(key.to_owned()))
    }
    pub fn field(field: &str, key: &str) -> Self {
        StoreError::Domain(DomainError::field(field, key))
    }
    /// A unique-constraint violation becomes `Duplicate { field, key }`; anything else stays
    /// a database error.
    pub fn duplicate_or(e: sqlx::Error, field: &str, key: &str) -> Self {
        if Self::is_unique_violation(&e) {
            StoreError::Duplicate {
                field: field.to_owned(),
                key: key.to_owned(),
            }
        } else {
            StoreError::Db(e)
        }
    }

    /// The database cannot take the request now, through no fault of the request: the disk
    /// is full, the server is restarting or unreachable, the pool timed out. The caller says
    /// "try again later"; nothing was written (the transaction did not commit).
    pub fn is_unavailable(&self) -> bool {
        if matches!(self, StoreError::Unavailable(_)) || self.is_retryable() {
            return true;
        }
        let StoreError::Db(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(d) => {
                let code = d.code().unwrap_or_default();
                // SQLite: 13 SQLITE_FULL, 10 SQLITE_IOERR (extended codes end in 10 mod 256),
                // 14 SQLITE_CANTOPEN. PostgreSQL: class 53 (disk full, out of memory, too many
                // connections), 57P01-57P03 (shutting down, starting up), class 08 (connection).
                // SQLSTATE codes have five characters; SQLite's (extended) codes are at most
                // four digits.
                let unavailable = if code.len() == 5 {
                    code.starts_with("53") || code.starts_with("57P") || code.starts_with("08")
                } else {
                    code.parse::<i64>()
                        .is_ok_and(|c| matches!(c & 0xff, 10 | 13 | 14))
                };
                let msg = d.message();
                unavailable
                    || msg.contains("database or disk is full")
                    || msg.contains("disk I/O error")
            }
            _ => false,
        }
    }

    /// PostgreSQL rolled the transaction back to break a deadlock or a serialization
    /// conflict (SQLSTATE 40P01, 40001): nothing was written, the same transaction may simply
    /// run again.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(d)) => {
                matches!(d.code().as_deref(), Some("40P01") | Some("40001"))
            }
            _ => false,
        }
    }

    /// The database refused a text value itself: PostgreSQL's "invalid byte sequence" (a NUL
    /// in text, SQLSTATE 22021) or "untranslatable character" (22P05). The request's fault, not
    /// the server's; the edge refuses control characters first, this is the safety net.
    pub fn is_bad_text(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(d)) => {
                matches!(d.code().as_deref(), Some("22021") | Some("22P05"))
                    || d.message().contains("invalid byte sequence")
            }
            _ => false,
        }
    }

    /// Is this a unique-constraint violation (on either backend)?
    pub fn is_unique_violation(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(d) => {
                d.is_unique_violation() || d.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}
