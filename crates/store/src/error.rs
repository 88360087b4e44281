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
