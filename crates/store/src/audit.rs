use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::audit::{AuditRecord, ChainBreak, Verifier};

use crate::db::{Backend, Store};
use crate::error::StoreError;
use crate::Page;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub checked: u64,
    /// The chain head as recorded: publish it (seq and hash) so that a later check can tell
    /// that the rows up to it are still there (`verify --head SEQ:HASH`).
    pub head_seq: i64,
    pub head_hash: String,
    pub first_break: Option<ChainBreak>,
}

/// A chain head published earlier: `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedHead {
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for PublishedHead {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        let bad = || StoreError::field("head", "err-bad-head");
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.trim().parse().map_err(|_| bad())?;
        let hash = hash.trim().to_ascii_lowercase();
        if seq < 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(PublishedHead { seq, hash })
    }
}

impl std::fmt::Display for PublishedHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

const COLS: &str = "seq, id, at, actor, address, action, entity, entity_id, before_json, after_json, prev_hash, hash, data_hash";

fn from_row(r: &AnyRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: r.try_get(0)?,
        id: r.try_get(1)?,
        at: r.try_get(2)?,
        actor: r.try_get(3)?,
        address: r.try_get(4)?,
        action: r.try_get(5)?,
        entity: r.try_get(6)?,
        entity_id: r.try_get(7)?,
        before: r.try_get(8)?,
        after: r.try_get(9)?,
        prev_hash: r.try_get(10)?,
        hash: r.try_get(11)?,
        data_hash: r.try_get(12)?,
    })
}

impl Store {
    pub async fn list_audit(&self, f: &AuditFilter) -> Result<Page<AuditRecord>, StoreError> {
        let mut clauses = Vec::new();
        let mut args: Vec<&String> = Vec::new();
        for (col, v) in [
            ("entity", &f.entity),
            ("entity_id", &f.entity_id),
            ("actor", &f.actor),
            ("action", &f.action),
        ] {
            if let Some(v) = v {
                args.push(v);
                clauses.push(format!("{col} = ${}", args.len()));
            }
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let csql = format!("SELECT COUNT(*) FROM audit_events {filter}");
        let mut cq = sqlx::query(&csql);
        for a in &args {
            cq = cq.bind(*a);
        }
        let total: i64 = cq.fetch_one(&self.read).await?.try_get(0)?;
        let (page, per) = crate::paging(Some(f.page), Some(f.per_page));
        let sql = format!(
            "SELECT {COLS} FROM audit_events {filter} ORDER BY seq DESC LIMIT {} OFFSET {}",
            per,
            (page - 1) * per
        );
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(*a);
        }
        let items = q
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page: f.page,
            per_page: f.per_page,
        })
    }

    /// The audit rows of one entity, each with the `prev_hash` of the row after it (None for
    /// the last row of the chain), so a caller can check those rows are intact and still
    /// linked into the chain without walking all of it.
    pub async fn audit_of_entity(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<(AuditRecord, Option<String>)>, StoreError> {
        let cols = COLS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {cols}, n.prev_hash FROM audit_events a \
             LEFT JOIN audit_events n ON n.seq = a.seq + 1 \
             WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.seq"
        ))
        .bind(entity)
        .bind(entity_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((from_row(r)?, r.try_get(13)?)))
            .collect()
    }

    /// The whole chain's check, remembered until the next write (a public verification page
    /// must not walk the whole trail on every request).
    pub async fn verify_audit_cached(&self) -> Result<AuditReport, StoreError> {
        // Keyed by the chain's own head: every write, narrow ones too, extends the chain.
        let head = self.head_seq().await?;
        self.cached_at("audit-verify".to_owned(), vec![head], || {
            self.verify_audit()
        })
        .await
    }

    /// Whether audit_events has the `data_hash` column (migration 0019).
    async fn has_data_hash(&self) -> Result<bool, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM pragma_table_info('audit_events') WHERE name = 'data_hash'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name = 'audit_events' AND column_name = 'data_hash'"
            }
        };
        let n: i64 = sqlx::query(sql).fetch_one(&self.read).await?.try_get(0)?;
        Ok(n > 0)
    }

    /// The chain head as recorded (seq and hash): what to publish.
    pub async fn chain_head(&self) -> Result<PublishedHead, StoreError> {
        let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok(PublishedHead {
            seq: r.try_get(0)?,
            hash: r.try_get(1)?,
        })
    }

    /// Walk the whole chain in batches and report the first break.
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        self.verify_audit_against(None).await
    }

    /// Walk the whole chain in batches and report the first break; with a head published
    /// earlier, also that the event at its seq still has its hash (so rows removed from the
    /// end, with the recorded head rewritten to match, are found).
    pub async fn verify_audit_against(
        &self,
        published: Option<&PublishedHead>,
    ) -> Result<AuditReport, StoreError> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        let head_seq: i64 = head.try_get(0)?;
        let head_hash: String = head.try_get(1)?;
        let mut v = Verifier::default();
        let mut after: i64 = 0;
        let mut seen_published: Option<String> = None;
        // A database not migrated yet (a backup being restored) has no digests.
        let cols = if self.has_data_hash().await? {
            COLS.to_owned()
        } else {
            COLS.replace("data_hash", "NULL AS data_hash")
        };
        let sql = format!("SELECT {cols} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 5000");
        let report = |checked, first_break| AuditReport {
            checked,
            head_seq,
            head_hash: head_hash.clone(),
            first_break,
        };
        loop {
            let rows = sqlx::query(&sql).bind(after).fetch_all(&self.read).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let rec = from_row(r)?;
                after = rec.seq;
                if let Err(b) = v.push(&rec) {
                    return Ok(report(v.checked, Some(b)));
                }
                if published.is_some_and(|p| p.seq == rec.seq) {
                    seen_published = Some(rec.hash.clone());
                }
            }
        }
        if let Err(b) = v.finish(head_seq, &head_hash) {
            return Ok(report(v.checked, Some(b)));
        }
        if let Some(p) = published {
            // Seq 0 is the empty chain's head: the genesis hash.
            let found = if p.seq == 0 {
                Some(thidua_domain::audit::GENESIS.to_owned())
            } else {
                seen_published
            };
            if found.as_deref() != Some(p.hash.as_str()) {
                return Ok(report(
                    v.checked,
                    Some(ChainBreak::PublishedHeadMissing {
                        seq: p.seq,
                        hash: p.hash.clone(),
                        found,
                    }),
                ));
            }
        }
        Ok(report(v.checked, None))
    }
}
