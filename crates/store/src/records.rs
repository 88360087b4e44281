//! People's yearly records and the register of initiatives and exemplary models; and what
//! eligibility reads from them (`add_to_history`).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::records::{
    discipline_years, DisciplineForm, ExemplarDraft, InitiativeDraft, Rating, RecognitionDraft,
    RecordDraft, Scope,
};
use thidua_domain::text;
use thidua_domain::titles::History;
use thidua_domain::unit::parse_date;

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::RowErrors;

/// A person's record for one year.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonRecord {
    pub id: String,
    pub person_id: String,
    pub full_name: String,
    pub unit_id: String,
    pub year: i64,
    /// excellent, good, completed, not_completed; null until rated
    pub rating: Option<String>,
    /// Start date in the unit (yyyy-mm-dd)
    pub started_on: Option<String>,
    /// reprimand, warning, salary_reduction, demotion, dismissal, forced_resignation
    pub discipline_form: Option<String>,
    pub discipline_from: Option<String>,
    pub discipline_to: Option<String>,
    pub absence_from: Option<String>,
    pub absence_to: Option<String>,
    pub absence_reason: Option<String>,
    pub note: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub updated_at: String,
}

/// A person of a unit with their record of the year, if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordRow {
    pub person_id: String,
    pub full_name: String,
    pub position: String,
    pub record: Option<PersonRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Author {
    pub person_id: String,
    pub full_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Initiative {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub year: i64,
    pub title: String,
    pub summary: Option<String>,
    pub authors: Vec<Author>,
    /// proposed, recognised
    pub status: String,
    /// unit, sector, national (once recognised)
    pub scope: Option<String>,
    /// The body that recognised it
    pub recognised_body: Option<String>,
    pub document_number: Option<String>,
    pub recognised_on: Option<String>,
    /// Who recorded the recognition
    pub recognised_by: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Exemplar {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub person_id: Option<String>,
    /// collective, person, model
    pub kind: String,
    pub year: i64,
    pub name: String,
    pub story: String,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct InitiativeQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
    /// Search in titles, without diacritics
    pub q: Option<String>,
}

const REC_COLS: &str = "r.id, r.person_id, p.full_name, r.unit_id, r.record_year, r.rating, r.started_on, \
    r.discipline_form, r.discipline_from, r.discipline_to, r.absence_from, r.absence_to, r.absence_reason, \
    r.note, r.version, r.created_by, r.updated_at";

fn record_from_row(r: &AnyRow) -> Result<PersonRecord, sqlx::Error> {
    Ok(PersonRecord {
        id: r.try_get(0)?,
        person_id: r.try_get(1)?,
        full_name: r.try_get(2)?,
        unit_id: r.try_get(3)?,
        year: r.try_get(4)?,
        rating: r.try_get(5)?,
        started_on: r.try_get(6)?,
        discipline_form: r.try_get(7)?,
        discipline_from: r.try_get(8)?,
        discipline_to: r.try_get(9)?,
        absence_from: r.try_get(10)?,
        absence_to: r.try_get(11)?,
        absence_reason: r.try_get(12)?,
        note: r.try_get(13)?,
        version: r.try_get(14)?,
        created_by: r.try_get(15)?,
        updated_at: r.try_get(16)?,
    })
}

const INI_COLS: &str = "i.id, i.unit_id, u.name, i.initiative_year, i.title, i.summary, i.status, i.scope, \
    i.recognised_body, i.document_number, i.recognised_on, i.recognised_by, i.version, i.created_by, i.created_at";

fn initiative_from_row(r: &AnyRow) -> Result<Initiative, sqlx::Error> {
    Ok(Initiative {
        id: r.try_get(0)?,
        unit_id: r.try_get(1)?,
        unit_name: r.try_get(2)?,
        year: r.try_get(3)?,
        title: r.try_get(4)?,
        summary: r.try_get(5)?,
        authors: Vec::new(),
        status: r.try_get(6)?,
        scope: r.try_get(7)?,
        recognised_body: r.try_get(8)?,
        document_number: r.try_get(9)?,
        recognised_on: r.try_get(10)?,
        recognised_by: r.try_get(11)?,
        version: r.try_get(12)?,
        created_by: r.try_get(13)?,
        created_at: r.try_get(14)?,
    })
}

const EX_COLS: &str = "e.id, e.unit_id, u.name, e.person_id, e.kind, e.exemplar_year, e.name, e.story, e.created_by, e.created_at";

fn exemplar_from_row(r: &AnyRow) -> Result<Exemplar, sqlx::Error> {
    Ok(Exemplar {
        id: r.try_get(0)?,
        unit_id: r.try_get(1)?,
        unit_name: r.try_get(2)?,
        person_id: r.try_get(3)?,
        kind: r.try_get(4)?,
        year: r.try_get(5)?,
        name: r.try_get(6)?,
        story: r.try_get(7)?,
        created_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

fn d(v: Option<chrono::NaiveDate>) -> Option<String> {
    v.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Is the person in the unit or one of its divisions? `None` when there is no such person.
async fn person_in_unit(
    conn: &mut sqlx::AnyConnection,
    person_id: &str,
    unit_id: &str,
) -> Result<Option<bool>, StoreError> {
    let row = sqlx::query(
        "SELECT p.unit_id, u.parent_id FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let unit: String = row.try_get(0)?;
    let parent: Option<String> = row.try_get(1)?;
    Ok(Some(unit == unit_id || parent.as_deref() == Some(unit_id)))
}

async fn record_tx(
    conn: &mut sqlx::AnyConnection,
    person_id: &str,
    year: i64,
) -> Result<Option<PersonRecord>, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {REC_COLS} FROM person_records r JOIN people p ON p.id = r.person_id WHERE r.person_id = $1 AND r.record_year = $2"
    ))
    .bind(person_id)
    .bind(year)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(r.as_ref().map(record_from_row).transpose()?)
}

/// Insert or replace a person's record of the year (the audit trail keeps the old one).
async fn upsert_record(
    tx: &mut Tx,
    unit_id: &str,
    person_id: &str,
    r: &RecordDraft,
    expected_version: Option<i64>,
    by: &str,
) -> Result<PersonRecord, StoreError> {
    let before = record_tx(&mut tx.tx, person_id, r.year).await?;
    let (form, dfrom, dto) = match &r.discipline {
        Some((f, a, b)) => (Some(f.as_str()), d(Some(*a)), d(*b)),
        None => (None, None, None),
    };
    let (afrom, ato, reason) = match &r.absence {
        Some((a, b, why)) => (
            d(Some(*a)),
            d(Some(*b)),
            Some(why.clone()).filter(|s| !s.is_empty()),
        ),
        None => (None, None, None),
    };
    match &before {
        Some(b) => {
            if expected_version.is_some_and(|v| v != b.version) {
                return Err(StoreError::Conflict {
                    current: serde_json::to_value(b).unwrap_or_default(),
                });
            }
            sqlx::query(
                "UPDATE person_records SET unit_id = $1, rating = $2, started_on = $3, discipline_form = $4, discipline_from = $5, \
                 discipline_to = $6, absence_from = $7, absence_to = $8, absence_reason = $9, note = $10, version = version + 1, \
                 updated_at = $11 WHERE id = $12 AND version = $13",
            )
            .bind(unit_id)
            .bind(r.rating.map(Rating::as_str))
            .bind(d(r.started_on))
            .bind(form)
            .bind(&dfrom)
            .bind(&dto)
            .bind(&afrom)
            .bind(&ato)
            .bind(&reason)
            .bind(&r.note)
            .bind(now())
            .bind(&b.id)
            .bind(b.version)
            .execute(&mut *tx.tx)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO person_records (id, person_id, unit_id, record_year, rating, started_on, discipline_form, discipline_from, \
                 discipline_to, absence_from, absence_to, absence_reason, note, version, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $15)",
            )
            .bind(new_id())
            .bind(person_id)
            .bind(unit_id)
            .bind(r.year)
            .bind(r.rating.map(Rating::as_str))
            .bind(d(r.started_on))
            .bind(form)
            .bind(&dfrom)
            .bind(&dto)
            .bind(&afrom)
            .bind(&ato)
            .bind(&reason)
            .bind(&r.note)
            .bind(by)
            .bind(now())
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| StoreError::duplicate_or(e, "year", &r.year.to_string()))?;
        }
    }
    let after = record_tx(&mut tx.tx, person_id, r.year)
        .await?
        .ok_or(StoreError::NotFound)?;
    let action = if before.is_some() { "update" } else { "create" };
    tx.audit(
        action,
        "person_record",
        &after.id,
        before.as_ref(),
        Some(&after),
    );
    Ok(after)
}

/// Add what the yearly records and the initiatives register say about a person to the
/// history eligibility checks.
pub(crate) async fn add_to_history(
    conn: &mut sqlx::AnyConnection,
    person_id: &str,
    h: &mut History,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT record_year, rating, started_on, discipline_form, discipline_from, discipline_to FROM person_records WHERE person_id = $1 ORDER BY record_year",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut started = None;
    for r in rows {
        let year: i64 = r.try_get(0)?;
        if let Some(rating) = r
            .try_get::<Option<String>, _>(1)?
            .as_deref()
            .and_then(Rating::parse)
        {
            h.ratings.insert(year as i32, rating);
        }
        let s: Option<String> = r.try_get(2)?;
        if let Some(s) = s.as_deref().and_then(parse_date) {
            started = Some(started.map_or(s, |x: chrono::NaiveDate| x.min(s)));
        }
        let form: Option<String> = r.try_get(3)?;
        let from: Option<String> = r.try_get(4)?;
        let to: Option<String> = r.try_get(5)?;
        if let (Some(f), Some(from)) = (
            form.as_deref().and_then(DisciplineForm::parse),
            from.as_deref().and_then(parse_date),
        ) {
            for y in discipline_years(from, to.as_deref().and_then(parse_date)) {
                h.add_discipline(y, f);
            }
        }
    }
    // A recruitment date recorded as a fact wins; otherwise the earliest start in a unit.
    if h.recruited_on.is_none() {
        h.recruited_on = started;
    }
    let inis = sqlx::query(
        "SELECT i.initiative_year, i.scope FROM initiatives i JOIN initiative_authors a ON a.initiative_id = i.id \
         WHERE a.person_id = $1 AND i.status = 'recognised'",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in inis {
        let year: i64 = r.try_get(0)?;
        let scope: Option<String> = r.try_get(1)?;
        if let Some(s) = scope.as_deref().and_then(Scope::parse) {
            h.add_initiative(year as i32, s);
        }
    }
    Ok(())
}

async fn load_authors(
    conn: &mut sqlx::AnyConnection,
    ini: &mut Initiative,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT a.person_id, p.full_name FROM initiative_authors a JOIN people p ON p.id = a.person_id \
         WHERE a.initiative_id = $1 ORDER BY a.position",
    )
    .bind(&ini.id)
    .fetch_all(&mut *conn)
    .await?;
    ini.authors = rows
        .iter()
        .map(|r| {
            Ok(Author {
                person_id: r.try_get(0)?,
                full_name: r.try_get(1)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(())
}

async fn initiative_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Initiative, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {INI_COLS} FROM initiatives i JOIN units u ON u.id = i.unit_id WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut ini = initiative_from_row(&r)?;
    load_authors(conn, &mut ini).await?;
    Ok(ini)
}

impl Store {
    /// The people of a unit (and its divisions) with their record of `year`.
    pub async fn unit_records(
        &self,
        unit_id: &str,
        year: i64,
    ) -> Result<Vec<RecordRow>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let people = sqlx::query(
            "SELECT p.id, p.full_name, p.position FROM people p JOIN units u ON u.id = p.unit_id \
             WHERE p.unit_id = $1 OR u.parent_id = $1 ORDER BY p.sort_key",
        )
        .bind(unit_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for p in people {
            let person_id: String = p.try_get(0)?;
            let record = record_tx(&mut conn, &person_id, year).await?;
            out.push(RecordRow {
                person_id,
                full_name: p.try_get(1)?,
                position: p.try_get(2)?,
                record,
            });
        }
        Ok(out)
    }

    /// Every yearly record of a person, newest first.
    pub async fn person_records(&self, person_id: &str) -> Result<Vec<PersonRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REC_COLS} FROM person_records r JOIN people p ON p.id = r.person_id WHERE r.person_id = $1 ORDER BY r.record_year DESC"
        ))
        .bind(person_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(record_from_row).collect::<Result<_, _>>()?)
    }

    /// Enter (or correct) a person's record of a year, for a unit the person belongs to.
    pub async fn save_record(
        &self,
        ctx: &AuditCtx,
        unit_id: &str,
        person_id: &str,
        r: &RecordDraft,
        expected_version: Option<i64>,
    ) -> Result<PersonRecord, StoreError> {
        let by = ctx.actor.clone().unwrap_or_default();
        let mut tx = self.begin(ctx).await?;
        match person_in_unit(&mut tx.tx, person_id, unit_id).await? {
            None => return Err(StoreError::field("person_id", "err-rec-unknown-person")),
            Some(false) => {
                return Err(StoreError::field("person_id", "err-rec-person-not-in-unit"))
            }
            Some(true) => {}
        }
        let rec = upsert_record(&mut tx, unit_id, person_id, r, expected_version, &by).await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Import yearly records for a unit, whole or not at all. Each row names its person by
    /// id or by full name (unique within the unit).
    pub async fn import_records(
        &self,
        ctx: &AuditCtx,
        unit_id: &str,
        rows: &[(usize, Option<String>, String, RecordDraft)],
    ) -> Result<usize, RowErrors> {
        let res: Result<Result<usize, RowErrors>, StoreError> = async {
            let by = ctx.actor.clone().unwrap_or_default();
            let mut tx = self.begin(ctx).await?;
            let people = sqlx::query(
                "SELECT p.id, p.full_name FROM people p JOIN units u ON u.id = p.unit_id WHERE p.unit_id = $1 OR u.parent_id = $1",
            )
            .bind(unit_id)
            .fetch_all(&mut *tx.tx)
            .await?;
            let mut names: Vec<(String, String)> = Vec::new();
            for p in &people {
                names.push((p.try_get(0)?, text::fold(&p.try_get::<String, _>(1)?)));
            }
            let mut errors = Vec::new();
            let mut seen = std::collections::BTreeSet::new();
            for (row, id, name, draft) in rows {
                let found: Vec<&String> = match id {
                    Some(id) => names.iter().filter(|(i, _)| i == id).map(|(i, _)| i).collect(),
                    None => {
                        let f = text::fold(name);
                        names.iter().filter(|(_, n)| *n == f).map(|(i, _)| i).collect()
                    }
                };
                let column = if id.is_some() { "person_id" } else { "full_name" };
                let pid = match found.as_slice() {
                    [one] => (*one).clone(),
                    [] => {
                        errors.push((*row, column.into(), "err-rec-person-not-in-unit".into()));
                        continue;
                    }
                    _ => {
                        errors.push((*row, column.into(), "err-rec-ambiguous-name".into()));
                        continue;
                    }
                };
                if !seen.insert((pid.clone(), draft.year)) {
                    errors.push((*row, "year".into(), "err-rec-duplicate-row".into()));
                    continue;
                }
                upsert_record(&mut tx, unit_id, &pid, draft, None, &by).await?;
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

    // ---- initiatives ----

    pub async fn list_initiatives(
        &self,
        q: &InitiativeQuery,
    ) -> Result<Vec<Initiative>, StoreError> {
        let mut clauses = Vec::new();
        let mut args: Vec<String> = Vec::new();
        if let Some(u) = q.unit.as_deref().filter(|s| !s.is_empty()) {
            args.push(u.to_owned());
            clauses.push(format!("i.unit_id = ${}", args.len()));
        }
        if let Some(s) = q.q.as_deref().map(text::fold).filter(|s| !s.is_empty()) {
            args.push(crate::units::like_pattern(&s));
            clauses.push(format!("i.search_key LIKE ${} ESCAPE '\\'", args.len()));
        }
        if let Some(y) = q.year {
            // A number, so it can be written into the query.
            clauses.push(format!("i.initiative_year = {y}"));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {INI_COLS} FROM initiatives i JOIN units u ON u.id = i.unit_id {filter} ORDER BY i.initiative_year DESC, i.created_at DESC LIMIT 500"
        );
        let mut query = sqlx::query(&sql);
        for a in &args {
            query = query.bind(a);
        }
        let mut conn = self.read.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        let mut out = Vec::new();
        for r in &rows {
            let mut ini = initiative_from_row(r)?;
            load_authors(&mut conn, &mut ini).await?;
            out.push(ini);
        }
        Ok(out)
    }

    pub async fn get_initiative(&self, id: &str) -> Result<Initiative, StoreError> {
        let mut conn = self.read.acquire().await?;
        initiative_tx(&mut conn, id).await
    }

    /// A unit proposes an initiative; its authors are people of the unit.
    pub async fn propose_initiative(
        &self,
        ctx: &AuditCtx,
        unit_id: &str,
        d: &InitiativeDraft,
    ) -> Result<Initiative, StoreError> {
        let mut tx = self.begin(ctx).await?;
        for a in &d.author_ids {
            match person_in_unit(&mut tx.tx, a, unit_id).await? {
                None => return Err(StoreError::field("author_ids", "err-rec-unknown-person")),
                Some(false) => {
                    return Err(StoreError::field(
                        "author_ids",
                        "err-ini-author-not-in-unit",
                    ))
                }
                Some(true) => {}
            }
        }
        let id = new_id();
        let by = ctx.actor.clone().unwrap_or_default();
        sqlx::query(
            "INSERT INTO initiatives (id, unit_id, initiative_year, title, search_key, summary, status, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'proposed', 1, $7, $8, $8)",
        )
        .bind(&id)
        .bind(unit_id)
        .bind(d.year)
        .bind(&d.title)
        .bind(text::fold(&d.title))
        .bind(&d.summary)
        .bind(&by)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        for (i, a) in d.author_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO initiative_authors (initiative_id, person_id, position) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(a)
            .bind(i as i64)
            .execute(&mut *tx.tx)
            .await?;
        }
        let ini = initiative_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "initiative", &id, None, Some(&ini));
        tx.commit().await?;
        Ok(ini)
    }

    /// Record the recognition of a proposed initiative (once; send the version you read).
    pub async fn recognise_initiative(
        &self,
        ctx: &AuditCtx,
        id: &str,
        r: &RecognitionDraft,
        expected_version: Option<i64>,
    ) -> Result<Initiative, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = initiative_tx(&mut tx.tx, id).await?;
        if before.status != "proposed" {
            return Err(StoreError::Refused {
                key: "err-ini-already-recognised".into(),
                args: Vec::new(),
            });
        }
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&before).unwrap_or_default(),
            });
        }
        let by = ctx.actor.clone().unwrap_or_default();
        let n = sqlx::query(
            "UPDATE initiatives SET status = 'recognised', scope = $1, recognised_body = $2, document_number = $3, recognised_on = $4, \
             recognised_by = $5, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8 AND status = 'proposed'",
        )
        .bind(r.scope.as_str())
        .bind(&r.body)
        .bind(&r.document_number)
        .bind(d(Some(r.recognised_on)))
        .bind(&by)
        .bind(now())
        .bind(id)
        .bind(before.version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Refused {
                key: "err-ini-already-recognised".into(),
                args: Vec::new(),
            });
        }
        let after = initiative_tx(&mut tx.tx, id).await?;
        tx.audit("recognise", "initiative", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    // ---- exemplary models ----

    pub async fn list_exemplars(
        &self,
        unit_id: Option<&str>,
        year: Option<i64>,
    ) -> Result<Vec<Exemplar>, StoreError> {
        let mut clauses = Vec::new();
        if unit_id.is_some() {
            clauses.push("e.unit_id = $1".to_owned());
        }
        if let Some(y) = year {
            clauses.push(format!("e.exemplar_year = {y}"));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {EX_COLS} FROM exemplars e JOIN units u ON u.id = e.unit_id {filter} ORDER BY e.exemplar_year DESC, e.created_at DESC LIMIT 500"
        );
        let mut query = sqlx::query(&sql);
        if let Some(u) = unit_id {
            query = query.bind(u);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows
            .iter()
            .map(exemplar_from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn create_exemplar(
        &self,
        ctx: &AuditCtx,
        unit_id: &str,
        d: &ExemplarDraft,
    ) -> Result<Exemplar, StoreError> {
        let mut tx = self.begin(ctx).await?;
        if let Some(p) = &d.person_id {
            match person_in_unit(&mut tx.tx, p, unit_id).await? {
                None => return Err(StoreError::field("person_id", "err-rec-unknown-person")),
                Some(false) => {
                    return Err(StoreError::field("person_id", "err-rec-person-not-in-unit"))
                }
                Some(true) => {}
            }
        }
        let id = new_id();
        let by = ctx.actor.clone().unwrap_or_default();
        sqlx::query(
            "INSERT INTO exemplars (id, unit_id, person_id, kind, exemplar_year, name, story, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(unit_id)
        .bind(&d.person_id)
        .bind(d.kind.as_str())
        .bind(d.year)
        .bind(&d.name)
        .bind(&d.story)
        .bind(&by)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        let r = sqlx::query(&format!(
            "SELECT {EX_COLS} FROM exemplars e JOIN units u ON u.id = e.unit_id WHERE e.id = $1"
        ))
        .bind(&id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let e = exemplar_from_row(&r)?;
        tx.audit::<(), _>("create", "exemplar", &id, None, Some(&e));
        tx.commit().await?;
        Ok(e)
    }
}
