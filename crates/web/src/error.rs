//! Error policy: handlers return `AppError`; it never leaks internals. The response is
//! finished by the context middleware, which knows the language and whether the caller is
//! the API (RFC 9457 problem+json) or a browser (an HTML page).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thidua_domain::{DomainError, FieldError};
use thidua_store::StoreError;

#[derive(Debug, Clone)]
pub enum AppError {
    NotFound,
    Unauthorized,
    Forbidden,
    Csrf,
    Invalid(Vec<FieldError>),
    Conflict(serde_json::Value),
    Duplicate {
        field: String,
        value: String,
    },
    Rule(String),
    /// A workflow step refused (409), with translation arguments.
    Refused {
        key: String,
        args: Vec<(String, String)>,
    },
    BadRequest(String),
    TooLarge,
    RateLimited,
    /// Import errors: per row (row 0 = the whole file), nothing was written.
    Import(Vec<RowIssue>),
    /// The database cannot take the request now (disk full, restarting): try again later.
    Unavailable,
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Invalid(_) | AppError::Rule(_) | AppError::Import(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) | AppError::Duplicate { .. } | AppError::Refused { .. } => {
                StatusCode::CONFLICT
            }
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The translation key of the title.
    pub fn key(&self) -> String {
        match self {
            AppError::NotFound => "err-not-found".into(),
            AppError::Unauthorized => "err-unauthorized".into(),
            AppError::Forbidden => "err-forbidden".into(),
            AppError::Csrf => "err-csrf".into(),
            AppError::Invalid(_) => "err-invalid".into(),
            AppError::Conflict(_) => "err-conflict".into(),
            AppError::Duplicate { field, .. } if field == "code" => "err-duplicate-code".into(),
            AppError::Duplicate { .. } => "err-duplicate".into(),
            AppError::Rule(k) | AppError::BadRequest(k) | AppError::Refused { key: k, .. } => {
                k.clone()
            }
            AppError::TooLarge => "err-too-large".into(),
            AppError::RateLimited => "err-rate-limited".into(),
            AppError::Import(_) => "import-failed".into(),
            AppError::Unavailable => "err-unavailable".into(),
            AppError::Internal(_) => "err-internal".into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { current } => AppError::Conflict(current),
            StoreError::Duplicate { field, key } => AppError::Duplicate { field, value: key },
            StoreError::Domain(d) => d.into(),
            StoreError::Refused { key, args } => AppError::Refused { key, args },
            other if other.is_bad_text() => {
                tracing::warn!(error = %other, "text refused by the database");
                AppError::BadRequest("err-control-char".into())
            }
            other if other.is_unavailable() => {
                tracing::warn!(error = %other, "database unavailable");
                AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "store error");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(v) => AppError::Invalid(v),
            DomainError::Rule(k) => AppError::Rule(k),
        }
    }
}

/// Marker carried in the response so the middleware can render it.
#[derive(Debug, Clone)]
pub struct ErrorMarker(pub AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(ErrorMarker(self));
        r
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, Clone, serde::Serialize)]
pub struct RowIssue {
    pub row: usize,
    pub column: String,
    pub key: String,
    pub message_vi: String,
    pub message_en: String,
}

impl RowIssue {
    pub fn message(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Vi => &self.message_vi,
            crate::i18n::Lang::En => &self.message_en,
        }
    }
}
