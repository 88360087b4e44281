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

/// The key that seals secret ballots while their vote is open: `THIDUA_BALLOT_KEY` (64 hex
/// digits; every server on one database needs the same), else the file `ballot.key` in the
/// data directory, made on first use. It must not travel with the database's backups: whoever
/// holds both a copy of the database taken during a vote and this key can open that vote's
/// ballots (docs/security.md).
pub fn ballot_key(data_dir: &std::path::Path) -> Result<[u8; 32]> {
    use anyhow::Context;
    let parse = |s: &str, from: &str| -> Result<[u8; 32]> {
        let v = hex::decode(s.trim()).with_context(|| format!("{from}: not hex"))?;
        v.try_into()
            .map_err(|_| anyhow::anyhow!("{from}: a ballot key is 32 bytes (64 hex digits)"))
    };
    if let Ok(k) = std::env::var("THIDUA_BALLOT_KEY") {
        if !k.trim().is_empty() {
            return parse(&k, "THIDUA_BALLOT_KEY");
        }
    }
    let path = data_dir.join("ballot.key");
    match std::fs::read_to_string(&path) {
        Ok(s) => parse(&s, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)?;
            let mut k = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut k);
            let mut f = std::fs::OpenOptions::new();
            f.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut f, 0o600);
            use std::io::Write;
            f.open(&path)
                .with_context(|| format!("creating {}", path.display()))?
                .write_all(format!("{}\n", hex::encode(k)).as_bytes())?;
            Ok(k)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// The receipts stored for an election — its counted ballots and, while it is open, its sealed
/// ones opened with the servers' ballot key — for the load and bench tools' check that every
/// acknowledged ballot is stored exactly once. Choices are not returned.
pub async fn stored_receipts(
    pool: &sqlx::AnyPool,
    election_id: &str,
    key: &[u8; 32],
) -> Result<Vec<String>> {
    use sqlx::Row;
    let mut out: Vec<String> = sqlx::query("SELECT receipt FROM ballots WHERE election_id = $1")
        .bind(election_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let name = thidua_domain::ballot_box::election_box(election_id);
    let sealed: Vec<String> =
        sqlx::query("SELECT sealed FROM sealed_election_ballots WHERE election_id = $1")
            .bind(election_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    for b in thidua_domain::ballot_box::open_all(key, &name, &sealed)? {
        out.push(b.receipt);
    }
    Ok(out)
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
