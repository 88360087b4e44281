use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::text;
use thidua_domain::unit::{check_lineage, creates_cycle, LineageDraft, UnitDraft, UnitPeriod};

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::{Page, RowErrors};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: String,
    pub code: String,
    /// supreme, department, high_level, provincial, district, regional, division
    pub kind: String,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<String>,
    pub parent_name: Option<String>,
    /// yyyy-mm-dd
    pub valid_from: Option<String>,
    /// yyyy-mm-dd, the last day the unit existed
    pub valid_to: Option<String>,
    /// Optimistic concurrency: send it back when editing.
    pub version: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<String>,
    pub valid_on: Option<NaiveDate>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineageEvent {
    pub id: String,
    /// merge, split, rename
    pub kind: String,
    pub date: String,
    pub document: String,
    pub note: Option<String>,
    pub from: Vec<UnitRef>,
    pub to: Vec<UnitRef>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

const UNIT_COLS: &str = "u.id, u.code, u.kind, u.name, u.short_name, u.parent_id, p.name, \
     u.valid_from, u.valid_to, u.version, u.updated_at";

fn unit_from_row(r: &AnyRow) -> Result<Unit, sqlx::Error> {
    Ok(Unit {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        kind: r.try_get(2)?,
        name: r.try_get(3)?,
        short_name: r.try_get(4)?,
        parent_id: r.try_get(5)?,
        parent_name: r.try_get(6)?,
        valid_from: r.try_get(7)?,
        valid_to: r.try_get(8)?,
        version: r.try_get(9)?,
        updated_at: r.try_get(10)?,
    })
}

pub(crate) fn date_str(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Escape LIKE wildcards in user text.
pub(crate) fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn unit_search_key(d: &UnitDraft) -> String {
    let mut k = text::fold(&d.name);
    if let Some(s) = &d.short_name {
        k.push_str(" | ");
        k.push_str(&text::fold(s));
    }
    k.push_str(" | ");
    k.push_str(&d.code.to_lowercase());
    k
}

impl Store {
    pub async fn list_units(&self, q: &UnitQuery) -> Result<Page<Unit>, StoreError> {
        self.cached(format!("units:{q:?}"), || self.list_units_uncached(q))
            .await
    }

    async fn list_units_uncached(&self, q: &UnitQuery) -> Result<Page<Unit>, StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = q.q.as_deref().map(text::fold).filter(|s| !s.is_empty()) {
            args.push(like_pattern(&s));
            clauses.push(format!("u.search_key LIKE ${} ESCAPE '\\'", args.len()));
        }
        if let Some(k) = &q.kind {
            args.push(k.clone());
            clauses.push(format!("u.kind = ${}", args.len()));
        }
        if let Some(p) = &q.parent_id {
            args.push(p.clone());
            clauses.push(format!("u.parent_id = ${}", args.len()));
        }
        if let Some(d) = q.valid_on {
            args.push(d.format("%Y-%m-%d").to_string());
            let n = args.len();
            clauses.push(format!(
                "(u.valid_from IS NULL OR u.valid_from <= ${n}) AND (u.valid_to IS NULL OR u.valid_to >= ${n})"
            ));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM units u {filter}");
        let mut cq = sqlx::query(&count_sql);
        for a in &args {
            cq = cq.bind(a);
        }
        let total: i64 = cq.fetch_one(&self.read).await?.try_get(0)?;
        let (page, per) = crate::paging(Some(q.page), Some(q.per_page));
        let sql = format!(
            "SELECT {UNIT_COLS} FROM units u LEFT JOIN units p ON p.id = u.parent_id {filter} \
             ORDER BY u.sort_key, u.code LIMIT {} OFFSET {}",
            per,
            (page - 1) * per
        );
        let mut lq = sqlx::query(&sql);
        for a in &args {
            lq = lq.bind(a);
        }
        let rows = lq.fetch_all(&self.read).await?;
        let items = rows.iter().map(unit_from_row).collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page: q.page,
            per_page: q.per_page,
        })
    }

    /// Every unit, in Vietnamese order (for the tree and exports).
    pub async fn all_units(&self) -> Result<Vec<Unit>, StoreError> {
        self.cached("all_units".into(), || self.all_units_uncached())
            .await
    }

    async fn all_units_uncached(&self) -> Result<Vec<Unit>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.sort_key, u.code"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        Ok(rows.iter().map(unit_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn get_unit(&self, id: &str) -> Result<Unit, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(unit_from_row(&row)?)
    }

    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.code = $1"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| unit_from_row(&r)).transpose()?)
    }

    /// The unit's id followed by its ancestors' ids, up to the root.
    pub async fn unit_chain(&self, id: &str) -> Result<Vec<String>, StoreError> {
        self.cached(format!("chain:{id}"), || self.unit_chain_uncached(id))
            .await
    }

    async fn unit_chain_uncached(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut chain = vec![id.to_owned()];
        let mut cur = id.to_owned();
        // Depth is small (supreme → provincial → district → division); the bound guards
        // against a cycle that a database administrator might have written by hand.
        for _ in 0..32 {
            let parent: Option<String> = sqlx::query("SELECT parent_id FROM units WHERE id = $1")
                .bind(&cur)
                .fetch_optional(&self.read)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?
                .flatten();
            match parent {
                Some(p) => {
                    chain.push(p.clone());
                    cur = p;
                }
                None => break,
            }
        }
        Ok(chain)
    }

    pub async fn children(&self, id: &str) -> Result<Vec<Unit>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLS} FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.parent_id = $1 ORDER BY u.sort_key"
        );
        let rows = sqlx::query(&sql).bind(id).fetch_all(&self.read).await?;
        Ok(rows.iter().map(unit_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn create_unit(&self, ctx: &AuditCtx, d: &UnitDraft) -> Result<Unit, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let id = insert_unit(&mut tx, d).await?;
        let unit = get_unit_tx(&mut tx, &id).await?;
        tx.audit::<(), _>("create", "unit", &id, None, Some(&unit));
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn update_unit(
        &self,
        ctx: &AuditCtx,
        id: &str,
        d: &UnitDraft,
        expected_version: i64,
    ) -> Result<Unit, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = get_unit_tx(&mut tx, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&before).unwrap_or_default(),
            });
        }
        if let Some(parent) = &d.parent_id {
            let chain = chain_tx(&mut tx, parent).await?;
            if chain.len() == 1 && !exists_tx(&mut tx, parent).await? {
                return Err(StoreError::field("parent_id", "err-unknown-parent"));
            }
            if creates_cycle(id, parent, &chain) {
                return Err(StoreError::field("parent_id", "err-parent-cycle"));
            }
        }
        let res = sqlx::query(
            "UPDATE units SET code = $1, kind = $2, name = $3, short_name = $4, parent_id = $5, \
             valid_from = $6, valid_to = $7, search_key = $8, sort_key = $9, version = version + 1, \
             updated_at = $10 WHERE id = $11 AND version = $12",
        )
        .bind(&d.code)
        .bind(d.kind.as_str())
        .bind(&d.name)
        .bind(&d.short_name)
        .bind(&d.parent_id)
        .bind(date_str(d.valid_from))
        .bind(date_str(d.valid_to))
        .bind(unit_search_key(d))
        .bind(text::sort_key(&d.name))
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "code", &d.code))?;
        if res.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&before).unwrap_or_default(),
            });
        }
        let after = get_unit_tx(&mut tx, id).await?;
        tx.audit("update", "unit", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Record a merge, split or rename: the sources end the day before `date`, the
    /// successors begin on `date`.
    pub async fn record_lineage(
        &self,
        ctx: &AuditCtx,
        ev: &LineageDraft,
    ) -> Result<LineageEvent, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let mut periods = Vec::new();
        for id in &ev.from {
            let u = get_unit_tx(&mut tx, id).await?;
            periods.push(UnitPeriod {
                id: u.id.clone(),
                valid_from: u
                    .valid_from
                    .as_deref()
                    .and_then(thidua_domain::unit::parse_date),
                valid_to: u
                    .valid_to
                    .as_deref()
                    .and_then(thidua_domain::unit::parse_date),
            });
        }
        for id in &ev.to {
            get_unit_tx(&mut tx, id).await?;
        }
        check_lineage(ev, &periods)?;
        let eid = new_id();
        let date = ev.date.format("%Y-%m-%d").to_string();
        let day_before = ev.date.pred_opt().map(|d| d.format("%Y-%m-%d").to_string());
        sqlx::query(
            "INSERT INTO lineage_events (id, kind, event_date, document, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&eid)
        .bind(ev.kind.as_str())
        .bind(&date)
        .bind(&ev.document)
        .bind(&ev.note)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        for (side, ids) in [("from", &ev.from), ("to", &ev.to)] {
            for id in ids {
                sqlx::query(
                    "INSERT INTO lineage_links (event_id, unit_id, side) VALUES ($1, $2, $3)",
                )
                .bind(&eid)
                .bind(id)
                .bind(side)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        for id in &ev.from {
            let before = get_unit_tx(&mut tx, id).await?;
            sqlx::query("UPDATE units SET valid_to = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(&day_before)
                .bind(now())
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            let after = get_unit_tx(&mut tx, id).await?;
            tx.audit("end", "unit", id, Some(&before), Some(&after));
        }
        for id in &ev.to {
            let before = get_unit_tx(&mut tx, id).await?;
            sqlx::query(
                "UPDATE units SET valid_from = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(&date)
            .bind(now())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
            let after = get_unit_tx(&mut tx, id).await?;
            tx.audit("begin", "unit", id, Some(&before), Some(&after));
        }
        let event = lineage_tx(&mut tx, &eid).await?;
        tx.audit::<(), _>("create", "lineage_event", &eid, None, Some(&event));
        tx.commit().await?;
        Ok(event)
    }

    pub async fn lineage_of(&self, unit_id: &str) -> Result<Vec<LineageEvent>, StoreError> {
        let ids: Vec<String> = sqlx::query(
            "SELECT DISTINCT e.id, e.event_date FROM lineage_events e JOIN lineage_links l ON l.event_id = e.id \
             WHERE l.unit_id = $1 ORDER BY e.event_date",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        self.load_each(ids, lineage_conn).await
    }

    /// Apply an import of units whole or not at all. Row errors name the row (1-based, the
    /// header being row 1) and the column.
    pub async fn import_units(
        &self,
        ctx: &AuditCtx,
        rows: &[(usize, UnitDraft, Option<String>)],
    ) -> Result<usize, RowErrors> {
        let res: Result<Result<usize, RowErrors>, StoreError> = async {
            let mut tx = self.begin(ctx).await?;
            let mut errors = Vec::new();
            let mut n = 0;
            for (row, draft, parent_code) in rows {
                let mut d = draft.clone();
                if let Some(pc) = parent_code {
                    let pid: Option<String> = sqlx::query("SELECT id FROM units WHERE code = $1")
                        .bind(pc)
                        .fetch_optional(&mut *tx.tx)
                        .await?
                        .map(|r| r.try_get(0))
                        .transpose()?;
                    match pid {
                        Some(p) => d.parent_id = Some(p),
                        None => {
                            errors.push((*row, "parent_code".into(), "err-unknown-parent".into()));
                            continue;
                        }
                    }
                }
                let existing: Option<String> = sqlx::query("SELECT id FROM units WHERE code = $1")
                    .bind(&d.code)
                    .fetch_optional(&mut *tx.tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
                if let Some(id) = existing {
                    // An existing code updates that unit (imports are how offices fix data
                    // in bulk), keeping its history in the audit trail.
                    let before = get_unit_tx(&mut tx, &id).await?;
                    if let Some(p) = &d.parent_id {
                        let chain = chain_tx(&mut tx, p).await?;
                        if creates_cycle(&id, p, &chain) {
                            errors.push((*row, "parent_code".into(), "err-parent-cycle".into()));
                            continue;
                        }
                    }
                    sqlx::query(
                        "UPDATE units SET kind = $1, name = $2, short_name = $3, parent_id = $4, valid_from = $5, \
                         valid_to = $6, search_key = $7, sort_key = $8, version = version + 1, updated_at = $9 WHERE id = $10",
                    )
                    .bind(d.kind.as_str())
                    .bind(&d.name)
                    .bind(&d.short_name)
                    .bind(&d.parent_id)
                    .bind(date_str(d.valid_from))
                    .bind(date_str(d.valid_to))
                    .bind(unit_search_key(&d))
                    .bind(text::sort_key(&d.name))
                    .bind(now())
                    .bind(&id)
                    .execute(&mut *tx.tx)
                    .await?;
                    let after = get_unit_tx(&mut tx, &id).await?;
                    if before != after {
                        tx.audit("import", "unit", &id, Some(&before), Some(&after));
                    }
                } else {
                    let id = insert_unit(&mut tx, &d).await?;
                    let after = get_unit_tx(&mut tx, &id).await?;
                    tx.audit::<(), _>("import", "unit", &id, None, Some(&after));
                }
                n += 1;
            }
            if !errors.is_empty() {
                // Dropping the transaction rolls everything back.
                return Ok(Err(errors));
            }
            tx.commit().await?;
            Ok(Ok(n))
        }
        .await;
        match res {
            Ok(r) => r,
            Err(e) => Err(vec![(0, String::new(), format!("err-db: {e}"))]),
        }
    }
}

async fn exists_tx(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT id FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some())
}

async fn chain_tx(tx: &mut Tx, id: &str) -> Result<Vec<String>, StoreError> {
    let mut chain = vec![id.to_owned()];
    let mut cur = id.to_owned();
    for _ in 0..32 {
        let parent: Option<String> = sqlx::query("SELECT parent_id FROM units WHERE id = $1")
            .bind(&cur)
            .fetch_optional(&mut *tx.tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
        match parent {
            Some(p) => {
                chain.push(p.clone());
                cur = p;
            }
            None => break,
        }
    }
    Ok(chain)
}

pub(crate) async fn insert_unit(tx: &mut Tx, d: &UnitDraft) -> Result<String, StoreError> {
    if let Some(p) = &d.parent_id {
        if !exists_tx(tx, p).await? {
            return Err(StoreError::field("parent_id", "err-unknown-parent"));
        }
    }
    let id = new_id();
    let ts = now();
    sqlx::query(
        "INSERT INTO units (id, code, kind, name, short_name, parent_id, valid_from, valid_to, search_key, sort_key, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
    )
    .bind(&id)
    .bind(&d.code)
    .bind(d.kind.as_str())
    .bind(&d.name)
    .bind(&d.short_name)
    .bind(&d.parent_id)
    .bind(date_str(d.valid_from))
    .bind(date_str(d.valid_to))
    .bind(unit_search_key(d))
    .bind(text::sort_key(&d.name))
    .bind(&ts)
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| StoreError::duplicate_or(e, "code", &d.code))?;
    Ok(id)
}

pub(crate) async fn get_unit_tx(tx: &mut Tx, id: &str) -> Result<Unit, StoreError> {
    let sql = format!(
        "SELECT {UNIT_COLS} FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(unit_from_row(&row)?)
}

async fn lineage_tx(tx: &mut Tx, id: &str) -> Result<LineageEvent, StoreError> {
    lineage_conn(&mut tx.tx, id).await
}

async fn lineage_conn(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<LineageEvent, StoreError> {
    let r = sqlx::query(
        "SELECT id, kind, event_date, document, note FROM lineage_events WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let mut ev = LineageEvent {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        date: r.try_get(2)?,
        document: r.try_get(3)?,
        note: r.try_get(4)?,
        from: Vec::new(),
        to: Vec::new(),
    };
    let links = sqlx::query(
        "SELECT l.side, u.id, u.code, u.name FROM lineage_links l JOIN units u ON u.id = l.unit_id \
         WHERE l.event_id = $1 ORDER BY u.sort_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for l in links {
        let side: String = l.try_get(0)?;
        let r = UnitRef {
            id: l.try_get(1)?,
            code: l.try_get(2)?,
            name: l.try_get(3)?,
        };
        if side == "from" {
            ev.from.push(r);
        } else {
            ev.to.push(r);
        }
    }
    Ok(ev)
}
