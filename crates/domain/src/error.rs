use serde::Serialize;

/// One invalid field, with a stable key that the UI translates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    /// Translation key, e.g. `err-required`.
    pub key: String,
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> Self {
        Self {
            field: field.to_owned(),
            key: key.to_owned(),
        }
    }
}

/// Why a domain rule refused something. Every variant maps to a translation key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("rule violated: {0}")]
    Rule(String),
}

impl DomainError {
    pub fn field(field: &str, key: &str) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, key)])
    }
}
