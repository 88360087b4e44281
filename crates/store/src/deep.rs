//! The deep audit: every audit event of a registered entity carries a digest of that
//! entity's stored rows as they are right after the event's transaction, sealed into the
//! hash chain. Recomputing the digests and comparing them with the latest sealed one finds
//! data changed, added or deleted outside the application (by SQL), which the chain alone
//! cannot see.
//!
//! [`REGISTRY`] is the one place that says which rows make up an entity: its main table by
//! id plus its direct child tables by foreign key. An entity kind belongs here only when
//! every write to those rows audits that entity (with the main table's id as `entity_id`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Column, Row, ValueRef};

use crate::db::{AuditCtx, Backend, Store};
use crate::error::StoreError;

/// One table of an entity: the rows whose `key` column equals the entity's id.
pub(crate) struct Part {
    pub table: &'static str,
    pub key: &'static str,
}

/// An entity kind as the audit trail names it, and the tables that make it up (the first
/// is its main table).
pub(crate) struct Kind {
    pub entity: &'static str,
    pub parts: &'static [Part],
}

const fn p(table: &'static str, key: &'static str) -> Part {
    Part { table, key }
}

/// The digest of an entity none of whose rows exist (deleted, or never created).
pub const ABSENT: &str = "absent";

/// Entity kinds covered by the deep audit. Left out, because some of their rows are written
/// without an audit entry for them (or under another entity's id): conferences (closing an
/// election appends to the minutes), registration windows (created on first registration),
/// notifications and the e-mail outbox (`read_all` is audited under the user's id; delivery
/// bookkeeping), signing keys (audited under the user's id when resealed), API tokens (their
/// last use is not audited), sessions and login throttling (not evidence).
pub(crate) static REGISTRY: &[Kind] = &[
    Kind {
        entity: "user",
        parts: &[
            p("users", "id"),
            p("grants", "user_id"),
            p("notification_prefs", "user_id"),
        ],
    },
    Kind {
        entity: "unit",
        parts: &[p("units", "id")],
    },
    Kind {
        entity: "lineage_event",
        parts: &[p("lineage_events", "id"), p("lineage_links", "event_id")],
    },
    Kind {
        entity: "person",
        parts: &[p("people", "id")],
    },
    Kind {
        entity: "person_fact",
        parts: &[p("person_facts", "id")],
    },
    Kind {
        entity: "award",
        parts: &[p("awards", "id")],
    },
    Kind {
        entity: "council",
        parts: &[
            p("councils", "id"),
            p("council_members", "council_id"),
            p("document_templates", "council_id"),
        ],
    },
    Kind {
        entity: "emulation_year",
        parts: &[p("emulation_years", "id"), p("year_documents", "year_id")],
    },
    Kind {
        entity: "legal_document",
        parts: &[p("legal_documents", "id")],
    },
    Kind {
        entity: "group",
        parts: &[
            p("emulation_groups", "id"),
            p("group_members", "group_id"),
            p("group_predecessors", "group_id"),
        ],
    },
    Kind {
        entity: "election",
        parts: &[
            p("elections", "id"),
            p("election_candidates", "election_id"),
            p("election_voters", "election_id"),
            p("ballots", "election_id"),
            p("sealed_election_ballots", "election_id"),
        ],
    },
    Kind {
        entity: "document",
        parts: &[
            p("group_documents", "id"),
            p("document_versions", "document_id"),
            p("document_signatures", "document_id"),
            p("document_reminders", "document_id"),
        ],
    },
    Kind {
        entity: "movement",
        parts: &[
            p("movements", "id"),
            p("movement_bases", "movement_id"),
            p("movement_participants", "movement_id"),
        ],
    },
    Kind {
        entity: "scoring_scheme",
        parts: &[
            p("scoring_schemes", "id"),
            p("scheme_versions", "scheme_id"),
        ],
    },
    Kind {
        entity: "assessment",
        parts: &[
            p("assessments", "id"),
            p("score_adjustments", "assessment_id"),
            p("assessment_evidence", "assessment_id"),
        ],
    },
    Kind {
        entity: "activity",
        parts: &[p("activities", "id"), p("activity_photos", "activity_id")],
    },
    Kind {
        entity: "news",
        parts: &[
            p("news_articles", "id"),
            p("news_versions", "article_id"),
            p("news_photos", "article_id"),
        ],
    },
    Kind {
        entity: "person_record",
        parts: &[p("person_records", "id")],
    },
    Kind {
        entity: "initiative",
        parts: &[
            p("initiatives", "id"),
            p("initiative_authors", "initiative_id"),
        ],
    },
    Kind {
        entity: "exemplar",
        parts: &[p("exemplars", "id")],
    },
    Kind {
        entity: "registration",
        parts: &[p("registrations", "id")],
    },
    Kind {
        entity: "proposal",
        parts: &[
            p("proposals", "id"),
            p("proposal_events", "proposal_id"),
            p("proposal_files", "proposal_id"),
            p("consultations", "proposal_id"),
            p("consultation_comments", "proposal_id"),
            p("council_voters", "proposal_id"),
            p("council_ballots", "proposal_id"),
            p("sealed_council_ballots", "proposal_id"),
        ],
    },
    Kind {
        entity: "decision",
        parts: &[p("decisions", "id"), p("decision_proposals", "decision_id")],
    },
];

pub(crate) fn kind(entity: &str) -> Option<&'static Kind> {
    REGISTRY.iter().find(|k| k.entity == entity)
}

/// The entity kinds the deep audit covers.
pub fn covered_kinds() -> Vec<&'static str> {
    REGISTRY.iter().map(|k| k.entity).collect()
}

/// A row in canonical form: its columns sorted by name (all but `skip`), each value tagged
/// with its type, everything length-prefixed, hashed.
fn row_hash(r: &AnyRow, skip: Option<usize>) -> Result<[u8; 32], StoreError> {
    let mut cols: Vec<(&str, usize)> = r
        .columns()
        .iter()
        .filter(|c| Some(c.ordinal()) != skip)
        .map(|c| (c.name(), c.ordinal()))
        .collect();
    cols.sort_unstable();
    let mut h = Sha256::new();
    let mut put = |tag: u8, b: &[u8]| {
        h.update([tag]);
        h.update((b.len() as u64).to_be_bytes());
        h.update(b);
    };
    for (name, i) in cols {
        put(b'c', name.as_bytes());
        if r.try_get_raw(i)?.is_null() {
            put(b'n', &[]);
        } else if let Ok(v) = r.try_get::<i64, _>(i) {
            put(b'i', &v.to_be_bytes());
        } else if let Ok(v) = r.try_get::<f64, _>(i) {
            put(b'f', &v.to_bits().to_be_bytes());
        } else if let Ok(v) = r.try_get::<String, _>(i) {
            put(b's', v.as_bytes());
        } else if let Ok(v) = r.try_get::<bool, _>(i) {
            put(b'b', &[v as u8]);
        } else {
            let v: Vec<u8> = r.try_get(i)?;
            put(b'x', &v);
        }
    }
    Ok(h.finalize().into())
}

/// Accumulates one entity's digest: per table, the sorted hashes of its rows.
#[derive(Default)]
struct Acc {
    parts: Vec<Vec<[u8; 32]>>,
}

impl Acc {
    fn new(n: usize) -> Self {
        Acc {
            parts: vec![Vec::new(); n],
        }
    }

    fn finish(mut self, k: &Kind) -> String {
        if self.parts.iter().all(Vec::is_empty) {
            return ABSENT.to_owned();
        }
        let mut h = Sha256::new();
        for (part, rows) in k.parts.iter().zip(self.parts.iter_mut()) {
            rows.sort_unstable();
            h.update((part.table.len() as u64).to_be_bytes());
            h.update(part.table.as_bytes());
            h.update((rows.len() as u64).to_be_bytes());
            for r in rows.iter() {
                h.update(r);
            }
        }
        hex::encode(h.finalize())
    }
}

/// The digest of one entity's rows as this connection sees them (inside a transaction:
/// after its writes). One query per table.
pub(crate) async fn entity_digest(
    conn: &mut sqlx::AnyConnection,
    k: &Kind,
    id: &str,
) -> Result<String, StoreError> {
    let mut acc = Acc::new(k.parts.len());
    for (i, part) in k.parts.iter().enumerate() {
        let rows = sqlx::query(&format!(
            "SELECT * FROM {} WHERE {} = $1",
            part.table, part.key
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            acc.parts[i].push(row_hash(r, None)?);
        }
    }
    Ok(acc.finish(k))
}

/// One entity whose stored rows differ from what the audit trail last sealed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DataProblem {
    /// `changed`, `added` (rows no audit event sealed) or `deleted`.
    pub problem: &'static str,
    pub entity: String,
    pub entity_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeepReport {
    /// Entities whose rows were recomputed.
    pub entities: u64,
    /// All problems found; `problems` lists the first [`MAX_LISTED`] of them.
    pub problem_count: u64,
    pub problems: Vec<DataProblem>,
    /// Problems by entity kind.
    pub by_kind: BTreeMap<String, u64>,
}

impl DeepReport {
    pub fn intact(&self) -> bool {
        self.problem_count == 0
    }
}

/// How many problems a report lists (it counts them all).
pub const MAX_LISTED: usize = 200;

/// A read snapshot: every table is read as of one moment, so writes going on meanwhile do
/// not show up as differences.
async fn snapshot(store: &Store) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
    use sqlx::Executor;
    let mut conn = store.read.acquire().await?;
    match store.backend {
        Backend::Sqlite => conn.execute("BEGIN").await?,
        Backend::Postgres => {
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?
        }
    };
    Ok(conn)
}

/// Every registered entity's current digest, table by table in key order (one pass over
/// each table, holding one entity's rows at a time).
async fn current_digests(
    conn: &mut sqlx::AnyConnection,
    k: &Kind,
) -> Result<HashMap<String, String>, StoreError> {
    let mut accs: HashMap<String, Acc> = HashMap::new();
    for (i, part) in k.parts.iter().enumerate() {
        let sql = format!(
            "SELECT {key} AS deep_key__, * FROM {table} WHERE {key} IS NOT NULL ORDER BY {key}",
            key = part.key,
            table = part.table
        );
        let mut rows = sqlx::query(&sql).fetch(&mut *conn);
        while let Some(r) = next(&mut rows).await? {
            let key: String = r.try_get(0)?;
            // The key was read again as column 0: leave it out of the row's hash.
            let h = row_hash(&r, Some(0))?;
            accs.entry(key)
                .or_insert_with(|| Acc::new(k.parts.len()))
                .parts[i]
                .push(h);
        }
    }
    Ok(accs.into_iter().map(|(id, a)| (id, a.finish(k))).collect())
}

/// The next row of a streamed query.
async fn next<S>(rows: &mut S) -> Result<Option<AnyRow>, StoreError>
where
    S: futures_core::Stream<Item = Result<AnyRow, sqlx::Error>> + Unpin,
{
    let r = std::future::poll_fn(|cx| std::pin::Pin::new(&mut *rows).poll_next(cx)).await;
    Ok(r.transpose()?)
}

/// The latest sealed digest of every entity of the registered kinds: kind → id → digest.
async fn sealed_digests(
    conn: &mut sqlx::AnyConnection,
) -> Result<HashMap<String, HashMap<String, String>>, StoreError> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut rows = sqlx::query(
        "SELECT entity, entity_id, data_hash FROM audit_events WHERE data_hash IS NOT NULL ORDER BY seq",
    )
    .fetch(&mut *conn);
    while let Some(r) = next(&mut rows).await? {
        let entity: String = r.try_get(0)?;
        if kind(&entity).is_none() {
            continue;
        }
        out.entry(entity)
            .or_default()
            .insert(r.try_get(1)?, r.try_get(2)?);
    }
    Ok(out)
}

fn compare(
    k: &Kind,
    current: &HashMap<String, String>,
    sealed: Option<&HashMap<String, String>>,
    out: &mut Vec<DataProblem>,
) {
    let empty = HashMap::new();
    let sealed = sealed.unwrap_or(&empty);
    let mut problem = |problem: &'static str, id: &str| {
        out.push(DataProblem {
            problem,
            entity: k.entity.to_owned(),
            entity_id: id.to_owned(),
        })
    };
    for (id, cur) in current {
        match sealed.get(id) {
            None => problem("added", id),
            Some(s) if s == ABSENT => problem("added", id),
            Some(s) if s != cur => problem("changed", id),
            Some(_) => {}
        }
    }
    for (id, s) in sealed {
        if s != ABSENT && !current.contains_key(id) {
            problem("deleted", id);
        }
    }
}

impl Store {
    /// Recompute every registered entity's digest and compare it with the latest one the
    /// audit trail sealed.
    pub async fn verify_data(&self) -> Result<DeepReport, StoreError> {
        let (entities, mut problems) = self.data_problems().await?;
        problems.sort_by(|a, b| (&a.entity, &a.entity_id).cmp(&(&b.entity, &b.entity_id)));
        let mut by_kind = BTreeMap::new();
        for p in &problems {
            *by_kind.entry(p.entity.clone()).or_insert(0) += 1;
        }
        let problem_count = problems.len() as u64;
        problems.truncate(MAX_LISTED);
        Ok(DeepReport {
            entities,
            problem_count,
            problems,
            by_kind,
        })
    }

    async fn data_problems(&self) -> Result<(u64, Vec<DataProblem>), StoreError> {
        let mut conn = snapshot(self).await?;
        let result = async {
            let sealed = sealed_digests(&mut conn).await?;
            let mut problems = Vec::new();
            let mut entities = 0u64;
            for k in REGISTRY {
                let current = current_digests(&mut conn, k).await?;
                entities += current.len() as u64;
                compare(k, &current, sealed.get(k.entity), &mut problems);
            }
            Ok::<_, StoreError>((entities, problems))
        }
        .await;
        use sqlx::Executor;
        if conn.execute("ROLLBACK").await.is_err() {
            conn.close_on_drop();
        }
        result
    }

    /// Seal the entities that have rows but no sealed digest yet (data that predates the
    /// deep audit, or was bulk-loaded): one `seal` audit event each, carrying its digest.
    /// Entities whose digest differs from a sealed one are not touched: those are reported
    /// by [`Store::verify_data`], never laundered. Returns how many were sealed.
    pub async fn seal_data(&self, ctx: &AuditCtx) -> Result<u64, StoreError> {
        let (_, problems) = self.data_problems().await?;
        let mut ids: Vec<&DataProblem> = problems.iter().filter(|p| p.problem == "added").collect();
        ids.sort_by(|a, b| (&a.entity, &a.entity_id).cmp(&(&b.entity, &b.entity_id)));
        let n = ids.len() as u64;
        // Bounded transactions: a large database seals in many commits.
        for chunk in ids.chunks(2000) {
            let mut tx = self.begin(ctx).await?;
            for p in chunk {
                tx.audit::<(), ()>("seal", &p.entity, &p.entity_id, None, None);
            }
            tx.commit().await?;
        }
        Ok(n)
    }

    /// Seal once, the first time a server starts on a database that has data the deep audit
    /// has not sealed (an upgraded database). Cheap when already done: one meta read.
    pub async fn seal_data_once(&self) -> Result<Option<u64>, StoreError> {
        if self.meta("deep_audit_sealed").await?.is_some() {
            return Ok(None);
        }
        let n = self.seal_data(&AuditCtx::system()).await?;
        let mut tx = self.begin(&AuditCtx::system()).await?;
        tx.set_meta("deep_audit_sealed", &crate::db::now()).await?;
        tx.commit().await?;
        Ok(Some(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_has_each_kind_once() {
        let mut seen = std::collections::HashSet::new();
        for k in REGISTRY {
            assert!(seen.insert(k.entity), "{} twice", k.entity);
            assert!(!k.parts.is_empty());
            assert_eq!(k.parts[0].key, "id", "{}: main table by id", k.entity);
        }
    }
}
