//! Emulation movements, their legal basis and the groups and units that joined them.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::movement::{self, MovementDraft, Status};

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::groups::{Council, GroupRef, LegalDocument, UnitBrief};
use crate::units::like_pattern;
use crate::Page;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Movement {
    pub id: String,
    pub name: String,
    pub theme: String,
    /// government, sector, council
    pub level: String,
    /// regular (yearly) or themed
    pub kind: String,
    pub period_from: i64,
    /// Null: ongoing
    pub period_to: Option<i64>,
    /// draft, active, closed
    pub status: String,
    /// The council that launched the movement (or carries out a Government one)
    pub council: Council,
    /// Legal basis documents, in order
    pub bases: Vec<LegalDocument>,
    pub participants: i64,
    /// Optimistic concurrency: send it back when editing.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementRef {
    pub id: String,
    pub name: String,
    pub period_from: i64,
    pub period_to: Option<i64>,
    pub status: String,
}

/// A group or unit that joined a movement for a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovementParticipant {
    pub id: String,
    pub movement_id: String,
    pub year: i64,
    /// group or unit
    pub kind: String,
    pub group: Option<GroupRef>,
    pub unit: Option<UnitBrief>,
    pub joined_at: String,
    pub joined_by: String,
}

impl MovementParticipant {
    pub fn name(&self) -> String {
        match (&self.group, &self.unit) {
            (Some(g), _) => g.name.clone(),
            (_, Some(u)) => u.name.clone(),
            _ => String::new(),
        }
    }
}

/// A movement a group joined, with the year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JoinedMovement {
    pub movement: MovementRef,
    pub year: i64,
    pub participant_id: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct MovementQuery {
    /// Search without diacritics: "nong thon moi" finds "nông thôn mới"
    pub q: Option<String>,
    /// Movements running that year
    pub year: Option<i64>,
    /// government, sector, council
    pub level: Option<String>,
    /// draft, active, closed
    pub status: Option<String>,
    /// regular, themed
    pub kind: Option<String>,
    pub council_id: Option<String>,
    #[serde(default)]
    pub page: i64,
    #[serde(default)]
    pub per_page: i64,
}

/// Who joins: one group, or one unit for a year.
#[derive(Debug, Clone)]
pub enum Joiner {
    Group(String),
    Unit(String),
}

const COLS: &str =
    "m.id, m.name, m.theme, m.level, m.kind, m.period_from, m.period_to, m.status, m.version, \
     m.created_at, m.updated_at, c.id, c.unit_id, u.name, c.name, \
     (SELECT COUNT(*) FROM movement_participants p WHERE p.movement_id = m.id)";
const FROM: &str =
    "FROM movements m JOIN councils c ON c.id = m.council_id JOIN units u ON u.id = c.unit_id";

fn movement_row(r: &AnyRow) -> Result<Movement, sqlx::Error> {
    Ok(Movement {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        theme: r.try_get(2)?,
        level: r.try_get(3)?,
        kind: r.try_get(4)?,
        period_from: r.try_get(5)?,
        period_to: r.try_get(6)?,
        status: r.try_get(7)?,
        version: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
        council: Council {
            id: r.try_get(11)?,
            unit_id: r.try_get(12)?,
            unit_name: r.try_get(13)?,
            name: r.try_get(14)?,
        },
        participants: r.try_get(15)?,
        bases: Vec::new(),
    })
}

async fn movement_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Movement, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut m = movement_row(&r)?;
    let docs = sqlx::query(
        "SELECT d.id, d.kind, d.number, d.doc_date, d.issuer, d.title, d.file_id FROM movement_bases b \
         JOIN legal_documents d ON d.id = b.document_id WHERE b.movement_id = $1 ORDER BY b.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    m.bases = docs
        .iter()
        .map(|r| {
            Ok(LegalDocument {
                id: r.try_get(0)?,
                kind: r.try_get(1)?,
                number: r.try_get(2)?,
                date: r.try_get(3)?,
                issuer: r.try_get(4)?,
                title: r.try_get(5)?,
                file_id: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(m)
}

/// A workflow rule's refusal is a conflict with the movement's state (409); input errors
/// stay input errors (422).
fn refusal(e: thidua_domain::DomainError) -> StoreError {
    match e {
        thidua_domain::DomainError::Rule(key) => StoreError::Refused {
            key,
            args: Vec::new(),
        },
        other => StoreError::Domain(other),
    }
}

fn status_of(m: &Movement) -> Status {
    // Stored values are written only by this module; an unknown one means "not active".
    Status::parse(&m.status).unwrap_or(Status::Closed)
}

const PARTICIPANT_COLS: &str = "p.id, p.movement_id, p.year, p.joined_at, p.joined_by, \
     g.id, y.year, g.kind, g.number, g.name, un.id, un.code, un.name, un.short_name";
const PARTICIPANT_FROM: &str = "FROM movement_participants p \
     LEFT JOIN emulation_groups g ON g.id = p.group_id LEFT JOIN emulation_years y ON y.id = g.year_id \
     LEFT JOIN units un ON un.id = p.unit_id";

fn participant_row(r: &AnyRow) -> Result<MovementParticipant, sqlx::Error> {
    let gid: Option<String> = r.try_get(5)?;
    let uid: Option<String> = r.try_get(10)?;
    let group = match gid {
        Some(id) => Some(GroupRef {
            id,
            year: r.try_get(6)?,
            kind: r.try_get(7)?,
            number: r.try_get(8)?,
            name: r.try_get(9)?,
        }),
        None => None,
    };
    let unit = match uid {
        Some(id) => Some(UnitBrief {
            id,
            code: r.try_get(11)?,
            name: r.try_get(12)?,
            short_name: r.try_get(13)?,
        }),
        None => None,
    };
    Ok(MovementParticipant {
        id: r.try_get(0)?,
        movement_id: r.try_get(1)?,
        year: r.try_get(2)?,
        kind: if group.is_some() { "group" } else { "unit" }.into(),
        group,
        unit,
        joined_at: r.try_get(3)?,
        joined_by: r.try_get(4)?,
    })
}

async fn participant_tx(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<MovementParticipant, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {PARTICIPANT_COLS} {PARTICIPANT_FROM} WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(participant_row(&r)?)
}

async fn council_exists(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    let found = sqlx::query("SELECT id FROM councils WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if found.is_none() {
        return Err(StoreError::field("council_id", "err-mov-unknown-council"));
    }
    Ok(())
}

/// Years of a movement's participants outside a new period: editing must not strand them.
async fn stranded(tx: &mut Tx, id: &str, d: &MovementDraft) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM movement_participants WHERE movement_id = $1 AND (year < $2 OR year > $3)",
    )
    .bind(id)
    .bind(d.period_from)
    .bind(d.period_to.unwrap_or(movement::LAST_YEAR))
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    Ok(n > 0)
}

impl Store {
    pub async fn create_movement(
        &self,
        ctx: &AuditCtx,
        council_id: &str,
        d: &MovementDraft,
        document_ids: &[String],
    ) -> Result<Movement, StoreError> {
        let mut tx = self.begin(ctx).await?;
        council_exists(&mut tx, council_id).await?;
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO movements (id, name, search_key, theme, level, kind, period_from, period_to, status, council_id, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
        )
        .bind(&id)
        .bind(&d.name)
        .bind(d.search_key())
        .bind(&d.theme)
        .bind(d.level.as_str())
        .bind(d.kind.as_str())
        .bind(d.period_from)
        .bind(d.period_to)
        .bind(Status::Draft.as_str())
        .bind(council_id)
        .bind(&at)
        .execute(&mut *tx.tx)
        .await?;
        for doc in document_ids {
            insert_basis(&mut tx, &id, doc).await?;
        }
        let m = movement_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "movement", &id, None, Some(&m));
        tx.commit().await?;
        Ok(m)
    }

    pub async fn get_movement(&self, id: &str) -> Result<Movement, StoreError> {
        self.cached(format!("movement:{id}"), || async {
            let mut conn = self.read.acquire().await?;
            movement_tx(&mut conn, id).await
        })
        .await
    }

    pub async fn list_movements(&self, q: &MovementQuery) -> Result<Page<Movement>, StoreError> {
        self.cached(format!("movements:{q:?}"), || {
            self.list_movements_uncached(q)
        })
        .await
    }

    async fn list_movements_uncached(
        &self,
        q: &MovementQuery,
    ) -> Result<Page<Movement>, StoreError> {
        let (page, per) = crate::paging(Some(q.page), (q.per_page > 0).then_some(q.per_page));
        let mut clauses: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if let Some(s) =
            q.q.as_deref()
                .map(thidua_domain::text::fold)
                .filter(|s| !s.is_empty())
        {
            texts.push(like_pattern(&s));
            clauses.push(format!("m.search_key LIKE ${} ESCAPE '\\'", next()));
        }
        for (col, v) in [
            ("m.level", &q.level),
            ("m.status", &q.status),
            ("m.kind", &q.kind),
            ("m.council_id", &q.council_id),
        ] {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                texts.push(v.to_owned());
                clauses.push(format!("{col} = ${}", next()));
            }
        }
        if q.year.is_some() {
            let a = next();
            let b = next();
            clauses.push(format!(
                "m.period_from <= ${a} AND (m.period_to IS NULL OR m.period_to >= ${b})"
            ));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) {FROM} {filter}");
        let list_sql = format!(
            "SELECT {COLS} {FROM} {filter} ORDER BY m.period_from DESC, m.search_key, m.id LIMIT {per} OFFSET {}",
            (page - 1) * per
        );
        let mut conn = self.read.acquire().await?;
        let total: i64 = bind_filters(&count_sql, &texts, q.year)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let rows = bind_filters(&list_sql, &texts, q.year)
            .fetch_all(&mut *conn)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get(0)?;
            items.push(movement_tx(&mut conn, &id).await?);
        }
        Ok(Page {
            items,
            total,
            page,
            per_page: per,
        })
    }

    pub async fn update_movement(
        &self,
        ctx: &AuditCtx,
        id: &str,
        council_id: &str,
        d: &MovementDraft,
        expected_version: i64,
    ) -> Result<Movement, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = movement_tx(&mut tx.tx, id).await?;
        let conflict = |m: &Movement| StoreError::Conflict {
            current: serde_json::to_value(m).unwrap_or_default(),
        };
        if before.version != expected_version {
            return Err(conflict(&before));
        }
        council_exists(&mut tx, council_id).await?;
        if stranded(&mut tx, id, d).await? {
            return Err(StoreError::field("period_from", "err-mov-period-strands"));
        }
        let res = sqlx::query(
            "UPDATE movements SET name = $1, search_key = $2, theme = $3, level = $4, kind = $5, period_from = $6, \
             period_to = $7, council_id = $8, version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11",
        )
        .bind(&d.name)
        .bind(d.search_key())
        .bind(&d.theme)
        .bind(d.level.as_str())
        .bind(d.kind.as_str())
        .bind(d.period_from)
        .bind(d.period_to)
        .bind(council_id)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx.tx)
        .await?;
        if res.rows_affected() != 1 {
            return Err(conflict(&before));
        }
        let after = movement_tx(&mut tx.tx, id).await?;
        tx.audit("update", "movement", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Launch, close or reopen a movement (see `movement::Status::next`).
    pub async fn set_movement_status(
        &self,
        ctx: &AuditCtx,
        id: &str,
        status: &str,
    ) -> Result<Movement, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = movement_tx(&mut tx.tx, id).await?;
        let to = movement::transition(status_of(&before), status).map_err(refusal)?;
        sqlx::query(
            "UPDATE movements SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(to.as_str())
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        let after = movement_tx(&mut tx.tx, id).await?;
        tx.audit("set_status", "movement", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn add_movement_basis(
        &self,
        ctx: &AuditCtx,
        id: &str,
        document_id: &str,
    ) -> Result<Movement, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = movement_tx(&mut tx.tx, id).await?;
        insert_basis(&mut tx, id, document_id).await?;
        bump(&mut tx, id).await?;
        let after = movement_tx(&mut tx.tx, id).await?;
        tx.audit("add_basis", "movement", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn remove_movement_basis(
        &self,
        ctx: &AuditCtx,
        id: &str,
        document_id: &str,
    ) -> Result<Movement, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = movement_tx(&mut tx.tx, id).await?;
        let n =
            sqlx::query("DELETE FROM movement_bases WHERE movement_id = $1 AND document_id = $2")
                .bind(id)
                .bind(document_id)
                .execute(&mut *tx.tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        bump(&mut tx, id).await?;
        let after = movement_tx(&mut tx.tx, id).await?;
        tx.audit("remove_basis", "movement", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// A group joins for its own year, a unit for `year`. Joining twice is refused (409).
    pub async fn join_movement(
        &self,
        ctx: &AuditCtx,
        id: &str,
        who: &Joiner,
        year: Option<i64>,
    ) -> Result<MovementParticipant, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let m = movement_tx(&mut tx.tx, id).await?;
        let (group_id, unit_id, year, name) = match who {
            Joiner::Group(g) => {
                let r = sqlx::query(
                    "SELECT y.year, g.name FROM emulation_groups g JOIN emulation_years y ON y.id = g.year_id WHERE g.id = $1",
                )
                .bind(g)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or_else(|| StoreError::field("group_id", "err-mov-unknown-group"))?;
                let gy: i64 = r.try_get(0)?;
                if year.is_some_and(|y| y != gy) {
                    return Err(StoreError::field("year", "err-mov-group-year"));
                }
                (Some(g.clone()), None, gy, r.try_get::<String, _>(1)?)
            }
            Joiner::Unit(u) => {
                let r = sqlx::query("SELECT name FROM units WHERE id = $1")
                    .bind(u)
                    .fetch_optional(&mut *tx.tx)
                    .await?
                    .ok_or_else(|| StoreError::field("unit_id", "err-unknown-unit"))?;
                let y = year.ok_or_else(|| StoreError::field("year", "err-required"))?;
                (None, Some(u.clone()), y, r.try_get::<String, _>(0)?)
            }
        };
        movement::check_join(status_of(&m), m.period_from, m.period_to, year).map_err(refusal)?;
        let already = || StoreError::Refused {
            key: "err-mov-already-joined".into(),
            args: vec![
                ("name".into(), name.clone()),
                ("year".into(), year.to_string()),
            ],
        };
        let exists = sqlx::query(
            "SELECT id FROM movement_participants WHERE movement_id = $1 AND year = $2 AND (group_id = $3 OR unit_id = $4)",
        )
        .bind(id)
        .bind(year)
        .bind(&group_id)
        .bind(&unit_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if exists.is_some() {
            return Err(already());
        }
        let pid = new_id();
        let res = sqlx::query(
            "INSERT INTO movement_participants (id, movement_id, year, group_id, unit_id, joined_at, joined_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&pid)
        .bind(id)
        .bind(year)
        .bind(&group_id)
        .bind(&unit_id)
        .bind(now())
        .bind(ctx.actor.clone().unwrap_or_default())
        .execute(&mut *tx.tx)
        .await;
        match res {
            Ok(_) => {}
            // Two joins at the same instant: the unique index decides.
            Err(e) if StoreError::is_unique_violation(&e) => return Err(already()),
            Err(e) => return Err(e.into()),
        }
        let p = participant_tx(&mut tx.tx, &pid).await?;
        tx.audit::<(), _>("join", "movement", id, None, Some(&p));
        tx.commit().await?;
        Ok(p)
    }

    pub async fn leave_movement(
        &self,
        ctx: &AuditCtx,
        id: &str,
        participant_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let m = movement_tx(&mut tx.tx, id).await?;
        let p = participant_tx(&mut tx.tx, participant_id).await?;
        if p.movement_id != id {
            return Err(StoreError::NotFound);
        }
        movement::check_join(status_of(&m), m.period_from, m.period_to, p.year).map_err(refusal)?;
        sqlx::query("DELETE FROM movement_participants WHERE id = $1")
            .bind(participant_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<_, ()>("leave", "movement", id, Some(&p), None);
        tx.commit().await?;
        Ok(())
    }

    pub async fn get_movement_participant(
        &self,
        participant_id: &str,
    ) -> Result<MovementParticipant, StoreError> {
        let mut conn = self.read.acquire().await?;
        participant_tx(&mut conn, participant_id).await
    }

    /// Who joined, newest year first; groups before units, each in name order.
    pub async fn movement_participants(
        &self,
        id: &str,
        year: Option<i64>,
    ) -> Result<Vec<MovementParticipant>, StoreError> {
        self.cached(format!("movement-participants:{id}:{year:?}"), || async {
            let sql = format!(
                "SELECT {PARTICIPANT_COLS} {PARTICIPANT_FROM} WHERE p.movement_id = $1 AND ($2 = 0 OR p.year = $3) \
                 ORDER BY p.year DESC, CASE WHEN p.group_id IS NULL THEN 1 ELSE 0 END, g.kind, g.number, un.sort_key"
            );
            let y = year.unwrap_or(0);
            let rows = sqlx::query(&sql)
                .bind(id)
                .bind(y)
                .bind(y)
                .fetch_all(&self.read)
                .await?;
            rows.iter()
                .map(participant_row)
                .collect::<Result<_, _>>()
                .map_err(Into::into)
        })
        .await
    }

    /// The movements a group joined.
    pub async fn movements_of_group(
        &self,
        group_id: &str,
    ) -> Result<Vec<JoinedMovement>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.name, m.period_from, m.period_to, m.status, p.year, p.id FROM movement_participants p \
             JOIN movements m ON m.id = p.movement_id WHERE p.group_id = $1 ORDER BY p.year DESC, m.search_key",
        )
        .bind(group_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(JoinedMovement {
                    movement: MovementRef {
                        id: r.try_get(0)?,
                        name: r.try_get(1)?,
                        period_from: r.try_get(2)?,
                        period_to: r.try_get(3)?,
                        status: r.try_get(4)?,
                    },
                    year: r.try_get(5)?,
                    participant_id: r.try_get(6)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Groups of the years `from..=to` (any council), for the join form.
    pub async fn groups_in_years(&self, from: i64, to: i64) -> Result<Vec<GroupRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, y.year, g.kind, g.number, g.name FROM emulation_groups g JOIN emulation_years y ON y.id = g.year_id \
             WHERE y.year >= $1 AND y.year <= $2 AND g.status <> 'archived' ORDER BY y.year DESC, g.kind, g.number",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GroupRef {
                    id: r.try_get(0)?,
                    year: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    number: r.try_get(3)?,
                    name: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// The list's filters, bound in the order their placeholders were numbered.
fn bind_filters<'q>(
    sql: &'q str,
    texts: &'q [String],
    year: Option<i64>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql);
    for t in texts {
        q = q.bind(t.as_str());
    }
    if let Some(y) = year {
        q = q.bind(y).bind(y);
    }
    q
}

async fn bump(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE movements SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

async fn insert_basis(tx: &mut Tx, id: &str, document_id: &str) -> Result<(), StoreError> {
    let doc = sqlx::query("SELECT number FROM legal_documents WHERE id = $1")
        .bind(document_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::field("document_id", "err-mov-unknown-document"))?;
    let number: String = doc.try_get(0)?;
    let pos: i64 = sqlx::query(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM movement_bases WHERE movement_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    sqlx::query(
        "INSERT INTO movement_bases (movement_id, document_id, position) VALUES ($1, $2, $3)",
    )
    .bind(id)
    .bind(document_id)
    .bind(pos)
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| StoreError::duplicate_or(e, "document_id", &number))?;
    Ok(())
}
