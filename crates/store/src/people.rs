use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::text;
use thidua_domain::unit::PersonDraft;

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::units::{date_str, like_pattern};
use crate::{Page, RowErrors};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: String,
    pub full_name: String,
    pub position: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_code: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    pub q: Option<String>,
    pub unit_id: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

const COLS: &str =
    "p.id, p.full_name, p.position, p.unit_id, u.name, u.code, p.valid_from, p.valid_to, p.version";

fn from_row(r: &AnyRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.try_get(0)?,
        full_name: r.try_get(1)?,
        position: r.try_get(2)?,
        unit_id: r.try_get(3)?,
        unit_name: r.try_get(4)?,
        unit_code: r.try_get(5)?,
        valid_from: r.try_get(6)?,
        valid_to: r.try_get(7)?,
        version: r.try_get(8)?,
    })
}

fn search_key(d: &PersonDraft) -> String {
    format!("{} | {}", text::fold(&d.full_name), text::fold(&d.position))
}

impl Store {
    pub async fn list_people(&self, q: &PersonQuery) -> Result<Page<Person>, StoreError> {
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        if let Some(s) = q.q.as_deref().map(text::fold).filter(|s| !s.is_empty()) {
            args.push(like_pattern(&s));
            clauses.push(format!("p.search_key LIKE ${} ESCAPE '\\'", args.len()));
        }
        if let Some(u) = &q.unit_id {
            args.push(u.clone());
            clauses.push(format!("p.unit_id = ${}", args.len()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let csql = format!("SELECT COUNT(*) FROM people p {filter}");
        let mut cq = sqlx::query(&csql);
        for a in &args {
            cq = cq.bind(a);
        }
        let total: i64 = cq.fetch_one(&self.read).await?.try_get(0)?;
        let (page, per) = crate::paging(Some(q.page), Some(q.per_page));
        let sql = format!(
            "SELECT {COLS} FROM people p JOIN units u ON u.id = p.unit_id {filter} ORDER BY p.sort_key LIMIT {} OFFSET {}",
            per,
            (page - 1) * per
        );
        let mut lq = sqlx::query(&sql);
        for a in &args {
            lq = lq.bind(a);
        }
        let items = lq
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page: q.page,
            per_page: q.per_page,
        })
    }

    pub async fn all_people(&self) -> Result<Vec<Person>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM people p JOIN units u ON u.id = p.unit_id ORDER BY p.sort_key"
        );
        Ok(sqlx::query(&sql)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn get_person(&self, id: &str) -> Result<Person, StoreError> {
        let sql =
            format!("SELECT {COLS} FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1");
        let r = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(from_row(&r)?)
    }

    pub async fn create_person(
        &self,
        ctx: &AuditCtx,
        d: &PersonDraft,
    ) -> Result<Person, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let id = insert_person(&mut tx, d).await?;
        let p = get_tx(&mut tx, &id).await?;
        tx.audit::<(), _>("create", "person", &id, None, Some(&p));
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_person(
        &self,
        ctx: &AuditCtx,
        id: &str,
        d: &PersonDraft,
        expected_version: i64,
    ) -> Result<Person, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = get_tx(&mut tx, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&before).unwrap_or_default(),
            });
        }
        unit_must_exist(&mut tx, &d.unit_id).await?;
        sqlx::query(
            "UPDATE people SET full_name = $1, position = $2, unit_id = $3, valid_from = $4, valid_to = $5, \
             search_key = $6, sort_key = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(&d.full_name)
        .bind(&d.position)
        .bind(&d.unit_id)
        .bind(date_str(d.valid_from))
        .bind(date_str(d.valid_to))
        .bind(search_key(d))
        .bind(text::sort_key(&d.full_name))
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx.tx)
        .await?;
        let after = get_tx(&mut tx, id).await?;
        tx.audit("update", "person", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Import people whole or not at all; `unit_code` is resolved here.
    pub async fn import_people(
        &self,
        ctx: &AuditCtx,
        rows: &[(usize, PersonDraft, String)],
    ) -> Result<usize, RowErrors> {
        let res: Result<Result<usize, RowErrors>, StoreError> = async {
            let mut tx = self.begin(ctx).await?;
            let mut errors = Vec::new();
            for (row, d, code) in rows {
                let uid: Option<String> = sqlx::query("SELECT id FROM units WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx.tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
                let Some(uid) = uid else {
                    errors.push((*row, "unit_code".into(), "err-unknown-unit".into()));
                    continue;
                };
                let mut d = d.clone();
                d.unit_id = uid;
                let id = insert_person(&mut tx, &d).await?;
                let p = get_tx(&mut tx, &id).await?;
                tx.audit::<(), _>("import", "person", &id, None, Some(&p));
            }
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            tx.commit().await?;
            Ok(Ok(rows.len()))
        }
        .await;
        match res {
            Ok(r) => r,
            Err(e) => Err(vec![(0, String::new(), format!("err-db: {e}"))]),
        }
    }
}

async fn unit_must_exist(tx: &mut Tx, unit_id: &str) -> Result<(), StoreError> {
    let found = sqlx::query("SELECT id FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if found.is_none() {
        return Err(StoreError::field("unit_id", "err-unknown-unit"));
    }
    Ok(())
}

pub(crate) async fn insert_person(tx: &mut Tx, d: &PersonDraft) -> Result<String, StoreError> {
    unit_must_exist(tx, &d.unit_id).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO people (id, full_name, position, unit_id, valid_from, valid_to, search_key, sort_key, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
    )
    .bind(&id)
    .bind(&d.full_name)
    .bind(&d.position)
    .bind(&d.unit_id)
    .bind(date_str(d.valid_from))
    .bind(date_str(d.valid_to))
    .bind(search_key(d))
    .bind(text::sort_key(&d.full_name))
    .bind(now())
    .execute(&mut *tx.tx)
    .await?;
    Ok(id)
}

async fn get_tx(tx: &mut Tx, id: &str) -> Result<Person, StoreError> {
    let sql =
        format!("SELECT {COLS} FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1");
    let r = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(from_row(&r)?)
}
