//! The `thidua` binary's library half: start-up wiring and the demo dataset, shared with
//! the integration tests.

pub mod audit_cmd;
pub mod demo;
mod demo_docs;
pub mod notify;
pub mod verify;

use anyhow::Result;
use thidua_store::Store;

/// Connect, refuse a database newer than this binary, and migrate.
pub async fn open_store(url: &str) -> Result<Store> {
    let store = Store::connect(url).await?;
    store.check_not_newer().await?;
    store.migrate().await?;
    // A database upgraded from before the deep audit: seal its data once (a meta read
    // when done).
    if let Some(n) = store.seal_data_once().await? {
        if n > 0 {
            tracing::info!(sealed = n, "deep audit: sealed the existing data");
        }
    }
    Ok(store)
}

/// The SQLite URL for a data directory, creating the directory.
pub fn sqlite_url(data_dir: &std::path::Path) -> Result<String> {
    std::fs::create_dir_all(data_dir)?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("thidua.db").display()
    ))
}

pub fn hash(password: &str) -> Result<String> {
    thidua_web::auth::hash_password_blocking(password).map_err(anyhow::Error::msg)
}
