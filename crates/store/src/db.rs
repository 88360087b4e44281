use std::str::FromStr;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row};
use thidua_domain::audit::{chain_hash, AuditRecord};

use crate::error::StoreError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a read pool and a write pool. On SQLite the write pool has exactly one
/// connection (SQLite allows one writer; queuing in the pool beats `SQLITE_BUSY` retries),
/// and WAL lets readers go on meanwhile. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub backend: Backend,
    /// Read results tagged with the cache epochs they were read at (see `Store::cached_in`):
    /// an entry is valid exactly while those epochs have not moved, whichever server wrote.
    pub(crate) cache: std::sync::Arc<crate::cache::ReadCache>,
    /// Ballots are written in batches, one transaction (one sync to disk) for all the
    /// ballots waiting at that moment; each is acknowledged only after its batch committed.
    pub(crate) ballots: crate::ballots::BallotQueue,
    /// The key that seals secret ballots while their vote is open (domain::ballot_box). It
    /// is kept outside the database; see `Store::set_ballot_key`.
    pub(crate) ballot_key: BallotKey,
}

/// The ballot key, shared by the store and its ballot writer.
pub(crate) type BallotKey = std::sync::Arc<std::sync::OnceLock<[u8; 32]>>;

/// Who is writing, for the audit record.
#[derive(Debug, Clone, Default)]
pub struct AuditCtx {
    pub actor: Option<String>,
    pub address: Option<String>,
}

impl AuditCtx {
    pub fn system() -> Self {
        AuditCtx {
            actor: Some("system".into()),
            address: None,
        }
    }
}

/// The cache epochs read so far by the current request: the global one and each scope's.
#[derive(Default)]
struct Epochs {
    global: Option<i64>,
    scopes: std::collections::HashMap<String, i64>,
}

tokio::task_local! {
    /// The epochs read once for the current request, so that its cached reads cost one query
    /// per epoch in all. A write in the request forgets them (they may have moved).
    static REQUEST_EPOCHS: std::cell::RefCell<Epochs>;
}

/// Run a request with its own memo of the cache epochs (see `Store::cached_in`).
pub async fn with_request_scope<F: std::future::Future>(f: F) -> F::Output {
    REQUEST_EPOCHS
        .scope(std::cell::RefCell::new(Epochs::default()), f)
        .await
}

/// The request's reads must see its own writes: forget the memoised epochs.
pub(crate) fn forget_request_seq() {
    let _ = REQUEST_EPOCHS.try_with(|c| *c.borrow_mut() = Epochs::default());
}

pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Store {
    /// Connect, creating the SQLite file if needed. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Db(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme: {}",
                    url.split(':').next().unwrap_or("")
                )
                .into(),
            )));
        };
        match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                let opts = sqlx::any::AnyConnectOptions::from_str(&url)?;
                // Fail fast on a file that is not a database (the pool would keep retrying).
                {
                    use sqlx::ConnectOptions;
                    let mut probe = opts.connect().await?;
                    sqlite_pragmas(&mut probe).await?;
                    sqlx::Connection::close(probe).await?;
                }
                let init = sqlite_init;
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(init)
                    .connect_with(opts.clone())
                    .await?;
                // Each SQLite connection has its own thread (and allocator arena): two per
                // core keep the cores busy without multiplying idle memory.
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
                let read = AnyPoolOptions::new()
                    .max_connections((cores * 2).clamp(2, 16))
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(init)
                    .connect_with(opts)
                    .await?;
                let ballot_key = BallotKey::default();
                Ok(Store {
                    ballots: crate::ballots::BallotQueue::start(write.clone(), ballot_key.clone()),
                    ballot_key,
                    read,
                    write,
                    backend,
                    cache: Default::default(),
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                let ballot_key = BallotKey::default();
                Ok(Store {
                    ballots: crate::ballots::BallotQueue::start(pool.clone(), ballot_key.clone()),
                    ballot_key,
                    read: pool.clone(),
                    write: pool,
                    backend,
                    cache: Default::default(),
                })
            }
        }
    }

    /// Set the key that seals secret ballots (32 bytes, kept outside the database: every
    /// server on one database must have the same). Refused once another key is in use.
    pub fn set_ballot_key(&self, key: [u8; 32]) -> Result<(), StoreError> {
        let set = self.ballot_key.get_or_init(|| key);
        if *set != key {
            return Err(StoreError::rule("err-ballot-key"));
        }
        Ok(())
    }

    /// Refuse a database that has migrations this binary does not know.
    pub async fn check_not_newer(&self) -> Result<(), StoreError> {
        let known: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        let exists = self.table_exists("_sqlx_migrations").await?;
        if !exists {
            return Ok(());
        }
        let rows = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.read)
            .await?;
        for r in rows {
            let v: i64 = r.try_get(0)?;
            if !known.contains(&v) {
                return Err(StoreError::TooNew(v));
            }
        }
        Ok(())
    }

    async fn table_exists(&self, name: &str) -> Result<bool, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
            }
        };
        let n: i64 = sqlx::query(sql)
            .bind(name)
            .fetch_one(&self.read)
            .await?
            .try_get(0)?;
        Ok(n > 0)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.check_not_newer().await?;
        MIGRATOR.run(&self.write).await?;
        Ok(())
    }

    /// Read through the cache: `load` runs only when nothing but narrow writes (see
    /// `Tx::narrow`) happened since the cached value was read.
    pub(crate) async fn cached<T, F, Fut>(&self, key: String, load: F) -> Result<T, StoreError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        self.cached_in(&[], key, load).await
    }

    /// Read through the cache for a value that also depends on data only narrow writes to
    /// `scopes` change (a group's ballots, a scheme's assessments): valid while neither the
    /// global epoch nor any of these scopes' epochs moved. Values are cloned out: cache an
    /// `Arc` when they are large.
    pub async fn cached_in<T, F, Fut>(
        &self,
        scopes: &[&str],
        key: String,
        load: F,
    ) -> Result<T, StoreError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        // Epochs first, then the data: the data is never older than its tag.
        let mut tag = Vec::with_capacity(1 + scopes.len());
        tag.push(self.global_epoch().await?);
        for s in scopes {
            tag.push(self.scope_epoch(s).await?);
        }
        self.cached_at(key, tag, load).await
    }

    /// Read through the cache under an explicit tag.
    pub(crate) async fn cached_at<T, F, Fut>(
        &self,
        key: String,
        tag: Vec<i64>,
        load: F,
    ) -> Result<T, StoreError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        if let Some(v) = self.cache.get::<T>(&key, &tag) {
            return Ok(v);
        }
        let v = load().await?;
        self.cache.put(key, tag, &v);
        Ok(v)
    }

    async fn global_epoch(&self) -> Result<i64, StoreError> {
        if let Ok(Some(s)) = REQUEST_EPOCHS.try_with(|c| c.borrow().global) {
            return Ok(s);
        }
        let s: i64 = sqlx::query("SELECT global_seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?
            .try_get(0)?;
        let _ = REQUEST_EPOCHS.try_with(|c| c.borrow_mut().global = Some(s));
        Ok(s)
    }

    async fn scope_epoch(&self, scope: &str) -> Result<i64, StoreError> {
        if let Ok(Some(s)) = REQUEST_EPOCHS.try_with(|c| c.borrow().scopes.get(scope).copied()) {
            return Ok(s);
        }
        let s: i64 = sqlx::query("SELECT seq FROM cache_epochs WHERE scope = $1")
            .bind(scope)
            .fetch_optional(&self.read)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or(0);
        let _ = REQUEST_EPOCHS.try_with(|c| c.borrow_mut().scopes.insert(scope.to_owned(), s));
        Ok(s)
    }

    /// The first column of a one-parameter query, as strings (ids to load one by one).
    pub(crate) async fn ids(&self, sql: &str, param: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(sql).bind(param).fetch_all(&self.read).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    /// Load the records with these ids, in order, over one read connection.
    pub(crate) async fn load_each<T>(
        &self,
        ids: Vec<String>,
        mut load: impl AsyncFnMut(&mut sqlx::AnyConnection, &str) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(load(&mut conn, &id).await?);
        }
        Ok(out)
    }

    /// The audit chain's head sequence: it moves with every write.
    pub async fn head_seq(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?
            .try_get(0)?)
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_one(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Pool figures for /metrics: (read size, read idle, write size, write idle).
    pub fn pool_stats(&self) -> (u32, usize, u32, usize) {
        (
            self.read.size(),
            self.read.num_idle(),
            self.write.size(),
            self.write.num_idle(),
        )
    }

    pub async fn begin(&self, ctx: &AuditCtx) -> Result<Tx, StoreError> {
        Tx::on(&self.write, ctx.clone()).await
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT meta_value FROM app_meta WHERE meta_key = $1")
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    /// Run a SQLite online backup into `path` (VACUUM INTO makes a consistent copy while
    /// the server keeps serving).
    pub async fn backup_sqlite(&self, path: &str) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::rule("err-backup-sqlite-only"));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.read)
            .await?;
        Ok(())
    }
}

type InitFuture<'c> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'c>>;

fn sqlite_init(
    conn: &mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> InitFuture<'_> {
    Box::pin(sqlite_pragmas(conn))
}

/// `synchronous=FULL` (the default) syncs the WAL at every commit: an acknowledged write
/// survives a power cut. `THIDUA_SQLITE_SYNCHRONOUS=normal` syncs only at checkpoints: an
/// acknowledged write survives a crash of the process, not of the machine.
fn sqlite_synchronous() -> &'static str {
    match std::env::var("THIDUA_SQLITE_SYNCHRONOUS").as_deref() {
        Ok("normal") | Ok("NORMAL") => "NORMAL",
        _ => "FULL",
    }
}

async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    let sql = format!(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA synchronous={};",
        sqlite_synchronous()
    );
    conn.execute(sql.as_str()).await?;
    Ok(())
}

struct PendingAudit {
    /// Who, when it differs from the transaction's context (batched writes of many users).
    by: Option<AuditCtx>,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
}

/// A writing transaction. Records audit entries as it goes and appends them to the chain
/// at commit, inside the same database transaction.
///
/// It holds the pooled connection itself (not a `sqlx::Transaction`) so that a connection
/// whose transaction ended in an unknown state is closed instead of going back to the pool:
/// SQLite rolls a transaction back by itself on a full disk or an I/O error, after which
/// sqlx's own bookkeeping would turn the next BEGIN into a SAVEPOINT that is never committed
/// — and acknowledge writes that are lost (found by the full-disk test).
pub struct Tx {
    pub(crate) tx: sqlx::pool::PoolConnection<Any>,
    /// BEGIN done, neither COMMIT nor ROLLBACK yet.
    open: bool,
    ctx: AuditCtx,
    pending: Vec<PendingAudit>,
    /// None: the write may touch anything, it moves the global cache epoch. Some: it touches
    /// only data that cached reads depend on through these scopes (see `Tx::narrow`).
    scopes: Option<std::collections::BTreeSet<String>>,
}

type AnyTm = <Any as sqlx::Database>::TransactionManager;

impl Tx {
    /// A transaction on a pool, for writers that do not go through `Store::begin`.
    pub(crate) async fn on(pool: &AnyPool, ctx: AuditCtx) -> Result<Tx, StoreError> {
        use sqlx::TransactionManager;
        let mut conn = pool.acquire().await?;
        if let Err(e) = AnyTm::begin(&mut conn, None).await {
            conn.close_on_drop();
            return Err(e.into());
        }
        Ok(Tx {
            tx: conn,
            open: true,
            ctx,
            pending: Vec::new(),
            scopes: None,
        })
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // Not committed: an error on the way. PostgreSQL keeps a failed transaction open
        // until ROLLBACK, which sqlx queues for the connection's next use. SQLite may already
        // have rolled back by itself (full disk, I/O error), so its connection is closed,
        // which rolls back whatever is left; the pool opens a fresh one.
        use sqlx::TransactionManager;
        if self.tx.backend_name() == "SQLite" {
            self.tx.close_on_drop();
        } else {
            AnyTm::start_rollback(&mut self.tx);
        }
    }
}

impl Tx {
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub fn audit<B: serde::Serialize, A: serde::Serialize>(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        self.pending.push(PendingAudit {
            by: None,
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            before: before.and_then(|b| serde_json::to_string(b).ok()),
            after: after.and_then(|a| serde_json::to_string(a).ok()),
        });
    }

    /// An audit entry made on behalf of `by` (a write batched with others').
    pub(crate) fn audit_as<A: serde::Serialize>(
        &mut self,
        by: &AuditCtx,
        action: &str,
        entity: &str,
        entity_id: &str,
        after: Option<&A>,
    ) {
        self.pending.push(PendingAudit {
            by: Some(by.clone()),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            before: None,
            after: after.and_then(|a| serde_json::to_string(a).ok()),
        });
    }

    /// Declare that this transaction changes only data which every cached read reaches
    /// through `scope` (e.g. `group:<id>` for a ballot, `scheme:<id>` for a self-assessment
    /// save): it then moves that scope's epoch instead of the global one, and every other
    /// cached read stays valid. Call it once per scope touched; a transaction never narrowed
    /// moves the global epoch.
    pub(crate) fn narrow(&mut self, scope: String) {
        self.scopes
            .get_or_insert_with(Default::default)
            .insert(scope);
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        if !self.pending.is_empty() {
            // Each registered entity's rows as this transaction leaves them, read once per
            // entity however many entries it has (a batch of ballots in one election), and
            // before the head's row lock is taken.
            let mut digests: std::collections::HashMap<(String, String), String> =
                Default::default();
            for p in &self.pending {
                let key = (p.entity.clone(), p.entity_id.clone());
                if digests.contains_key(&key) {
                    continue;
                }
                if let Some(k) = crate::deep::kind(&p.entity) {
                    let d = crate::deep::entity_digest(&mut self.tx, k, &p.entity_id).await?;
                    digests.insert(key, d);
                }
            }
            // Updating the head first takes its row lock on PostgreSQL, so concurrent
            // writers chain one after another; SQLite has one writer anyway.
            let n = self.pending.len() as i64;
            let sql = if self.scopes.is_some() {
                "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash"
            } else {
                "UPDATE audit_head SET seq = seq + $1, global_seq = seq + $2 WHERE id = 1 RETURNING seq, hash"
            };
            let mut q = sqlx::query(sql).bind(n);
            if self.scopes.is_none() {
                q = q.bind(n);
            }
            let row: AnyRow = q.fetch_one(&mut *self.tx).await?;
            let last_seq: i64 = row.try_get(0)?;
            let mut prev: String = row.try_get(1)?;
            let at = now();
            let pending = std::mem::take(&mut self.pending);
            for (i, p) in pending.into_iter().enumerate() {
                let mut rec = AuditRecord {
                    seq: last_seq - n + 1 + i as i64,
                    id: new_id(),
                    at: at.clone(),
                    actor: p.by.as_ref().unwrap_or(&self.ctx).actor.clone(),
                    address: p.by.as_ref().unwrap_or(&self.ctx).address.clone(),
                    action: p.action,
                    entity: p.entity,
                    entity_id: p.entity_id,
                    before: p.before,
                    after: p.after,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                    data_hash: None,
                };
                rec.data_hash = digests
                    .get(&(rec.entity.clone(), rec.entity_id.clone()))
                    .cloned();
                rec.hash = chain_hash(&rec, &prev);
                sqlx::query(
                    "INSERT INTO audit_events (seq, id, at, actor, address, action, entity, entity_id, \
                     before_json, after_json, prev_hash, hash, data_hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(rec.seq)
                .bind(&rec.id)
                .bind(&rec.at)
                .bind(&rec.actor)
                .bind(&rec.address)
                .bind(&rec.action)
                .bind(&rec.entity)
                .bind(&rec.entity_id)
                .bind(&rec.before)
                .bind(&rec.after)
                .bind(&rec.prev_hash)
                .bind(&rec.hash)
                .bind(&rec.data_hash)
                .execute(&mut *self.tx)
                .await?;
                prev = rec.hash;
            }
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                .bind(&prev)
                .execute(&mut *self.tx)
                .await?;
            for scope in self.scopes.take().unwrap_or_default() {
                sqlx::query(
                    "INSERT INTO cache_epochs (scope, seq) VALUES ($1, $2) \
                     ON CONFLICT (scope) DO UPDATE SET seq = excluded.seq",
                )
                .bind(scope)
                .bind(last_seq)
                .execute(&mut *self.tx)
                .await?;
            }
        }
        use sqlx::TransactionManager;
        let committed = AnyTm::commit(&mut self.tx).await;
        self.open = false;
        if let Err(e) = committed {
            // Whether anything is left of the transaction is unknown: never reuse it.
            self.tx.close_on_drop();
            return Err(e.into());
        }
        forget_request_seq();
        Ok(())
    }

    pub async fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM app_meta WHERE meta_key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO app_meta (meta_key, meta_value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
