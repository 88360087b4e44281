//! The awards registry (sổ khen thưởng) as it is searched, imported for the years before the
//! system, printed as certificates and summed up in reports; the cash rewards as data.

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::titles::{self, TitleKind, Verdict};

use crate::db::{new_id, now, AuditCtx, Store};
use crate::error::StoreError;
use crate::{Page, RowErrors};

/// Kinds of commendation (domain.md §3); a record without one is a yearly title.
pub const AWARD_KINDS: [&str; 5] = ["yearly", "themed", "sudden", "long_service", "foreign"];

/// A form of commendation that is not an emulation title: certificates of merit and of
/// commendation. Given to collectives and individuals alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommendationForm {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// What the certificate is headed, e.g. "BẰNG KHEN".
    pub certificate_vi: &'static str,
}

pub const FORMS: &[CommendationForm] = &[
    CommendationForm {
        code: "pm_certificate",
        name_vi: "Bằng khen của Thủ tướng Chính phủ",
        name_en: "Prime Minister's Certificate of Merit",
        certificate_vi: "BẰNG KHEN",
    },
    CommendationForm {
        code: "sector_certificate",
        name_vi: "Bằng khen của Viện trưởng Viện kiểm sát nhân dân tối cao",
        name_en: "Prosecutor General's Certificate of Merit",
        certificate_vi: "BẰNG KHEN",
    },
    CommendationForm {
        code: "commendation",
        name_vi: "Giấy khen",
        name_en: "Certificate of Commendation",
        certificate_vi: "GIẤY KHEN",
    },
];

/// Every code the registry accepts: the titles of the catalogue, then the forms.
pub fn award_codes() -> Vec<&'static str> {
    titles::CATALOGUE
        .iter()
        .map(|t| t.code)
        .chain(FORMS.iter().map(|f| f.code))
        .collect()
}

/// The name of a title or form; `None` for an unknown code.
pub fn award_name(code: &str, en: bool) -> Option<&'static str> {
    if let Some(t) = titles::title(code) {
        return Some(t.name(en));
    }
    FORMS
        .iter()
        .find(|f| f.code == code)
        .map(|f| if en { f.name_en } else { f.name_vi })
}

/// Find a code by itself or by its Vietnamese or English name (case and diacritics ignored).
pub fn parse_award(s: &str) -> Option<&'static str> {
    let f = thidua_domain::text::fold(s);
    award_codes().into_iter().find(|c| {
        *c == s.trim()
            || award_name(c, false).is_some_and(|n| thidua_domain::text::fold(n) == f)
            || award_name(c, true).is_some_and(|n| thidua_domain::text::fold(n) == f)
    })
}

/// Which awardee a code is for: `Some(kind)` for a title, `None` when both (a form).
pub fn award_for(code: &str) -> Option<TitleKind> {
    titles::title(code).map(|t| t.kind)
}

/// One record of the registry with the names it is shown with.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegistryEntry {
    pub id: String,
    pub year: i64,
    pub title_code: String,
    pub title_name: String,
    /// yearly, themed, sudden, long_service, foreign
    pub kind: String,
    pub unit_id: String,
    pub unit_code: String,
    pub unit_name: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub decision_number: Option<String>,
    /// yyyy-mm-dd
    pub decision_date: Option<String>,
    pub issuer: Option<String>,
    pub signer: Option<String>,
    pub note: Option<String>,
    /// manual, import, decision
    pub source: String,
}

const ENTRY_COLS: &str =
    "a.id, a.award_year, a.title_code, a.award_kind, a.unit_id, u.code, u.name, a.person_id, \
    p.full_name, a.decision_number, a.decision_date, a.issuer, a.signer, a.note, a.source";
const ENTRY_FROM: &str =
    "FROM awards a JOIN units u ON u.id = a.unit_id LEFT JOIN people p ON p.id = a.person_id";

fn entry_from_row(r: &AnyRow) -> Result<RegistryEntry, sqlx::Error> {
    let code: String = r.try_get(2)?;
    Ok(RegistryEntry {
        id: r.try_get(0)?,
        year: r.try_get(1)?,
        title_name: award_name(&code, false).unwrap_or(&code).to_owned(),
        title_code: code,
        kind: r
            .try_get::<Option<String>, _>(3)?
            .unwrap_or_else(|| "yearly".into()),
        unit_id: r.try_get(4)?,
        unit_code: r.try_get(5)?,
        unit_name: r.try_get(6)?,
        person_id: r.try_get(7)?,
        person_name: r.try_get(8)?,
        decision_number: r.try_get(9)?,
        decision_date: r.try_get(10)?,
        issuer: r.try_get(11)?,
        signer: r.try_get(12)?,
        note: r.try_get(13)?,
        source: r
            .try_get::<Option<String>, _>(14)?
            .unwrap_or_else(|| "manual".into()),
    })
}

/// A registry search. `units` limits the result to those units (the caller's scope, or a
/// council's units); `None` means every unit.
#[derive(Debug, Clone, Default)]
pub struct RegistryQuery {
    pub units: Option<Vec<String>>,
    pub year: Option<i64>,
    pub unit_id: Option<String>,
    pub person_id: Option<String>,
    pub title_code: Option<String>,
    pub kind: Option<String>,
    /// collective or individual
    pub awardee: Option<String>,
    /// year (newest first, the default), year_asc, title, unit
    pub sort: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// One row of a registry import, resolved to codes by the caller's parser.
#[derive(Debug, Clone, Default)]
pub struct ImportAward {
    pub row: usize,
    pub year: i64,
    pub title_code: String,
    pub kind: String,
    /// The unit's code; may be empty for a person (the person's unit then).
    pub unit_code: Option<String>,
    pub person_id: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub issuer: Option<String>,
    pub signer: Option<String>,
    pub note: Option<String>,
}

/// Awards of a council year grouped for reports (one row per combination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardTally {
    pub unit_id: String,
    pub title_code: String,
    pub kind: String,
    pub individual: bool,
    pub decision_date: Option<String>,
    pub count: i64,
}

/// A registration of a council year as reports compare it with the awards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegKey {
    pub unit_id: String,
    pub person_id: Option<String>,
    pub title_code: String,
}

/// The base salary in force from a day, and the cash multiples per title, as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BaseSalary {
    /// yyyy-mm-dd
    pub valid_from: String,
    /// VND
    pub amount: i64,
    pub legal_basis: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashMultiple {
    pub title_code: String,
    /// collective or individual
    pub awardee_kind: String,
    pub from_year: i64,
    /// Multiple of the base salary in tenths (12.0× = 120)
    pub multiple_tenths: i64,
    pub legal_basis: String,
}

fn bind_cond(w: &mut Vec<String>, binds: &mut Vec<String>, cond: &str, v: &str) {
    binds.push(v.to_owned());
    w.push(cond.replace('?', &format!("${}", binds.len())));
}

fn where_clause(q: &RegistryQuery, binds: &mut Vec<String>) -> String {
    let mut w: Vec<String> = Vec::new();
    if let Some(y) = q.year {
        // An i64, inlined so the year index serves both backends without a typed bind.
        w.push(format!("a.award_year = {y}"));
    }
    if let Some(u) = &q.unit_id {
        bind_cond(&mut w, binds, "a.unit_id = ?", u);
    }
    if let Some(p) = &q.person_id {
        bind_cond(&mut w, binds, "a.person_id = ?", p);
    }
    if let Some(t) = &q.title_code {
        bind_cond(&mut w, binds, "a.title_code = ?", t);
    }
    if let Some(k) = &q.kind {
        if k == "yearly" {
            w.push("(a.award_kind IS NULL OR a.award_kind = 'yearly')".into());
        } else {
            bind_cond(&mut w, binds, "a.award_kind = ?", k);
        }
    }
    match q.awardee.as_deref() {
        Some("collective") => w.push("a.person_id IS NULL".into()),
        Some("individual") => w.push("a.person_id IS NOT NULL".into()),
        _ => {}
    }
    if let Some(units) = &q.units {
        if units.is_empty() {
            w.push("1 = 0".into());
        } else {
            let mut marks = Vec::with_capacity(units.len());
            for u in units {
                binds.push(u.clone());
                marks.push(format!("${}", binds.len()));
            }
            w.push(format!("a.unit_id IN ({})", marks.join(", ")));
        }
    }
    if w.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", w.join(" AND "))
    }
}

fn opt_clean(s: &Option<String>, max: usize) -> Option<String> {
    s.as_deref()
        .map(thidua_domain::text::clean)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(max).collect())
}

impl Store {
    /// Search the registry, paged and sorted.
    pub async fn search_registry(
        &self,
        q: &RegistryQuery,
    ) -> Result<Page<RegistryEntry>, StoreError> {
        let mut binds = Vec::new();
        let w = where_clause(q, &mut binds);
        let order = match q.sort.as_deref() {
            Some("year_asc") => "a.award_year, a.title_code, a.id",
            Some("title") => "a.title_code, a.award_year DESC, a.id",
            Some("unit") => "u.name, a.award_year DESC, a.id",
            _ => "a.award_year DESC, a.title_code, a.id",
        };
        let per = q.per_page.max(1);
        let offset = (q.page.max(1) - 1) * per;
        let sql = format!(
            "SELECT {ENTRY_COLS} {ENTRY_FROM}{w} ORDER BY {order} LIMIT {per} OFFSET {offset}"
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.read).await?;
        let count_sql = format!("SELECT COUNT(*) FROM awards a{w}");
        let mut cq = sqlx::query(&count_sql);
        for b in &binds {
            cq = cq.bind(b);
        }
        let total: i64 = cq.fetch_one(&self.read).await?.try_get(0)?;
        Ok(Page {
            items: rows.iter().map(entry_from_row).collect::<Result<_, _>>()?,
            total,
            page: q.page.max(1),
            per_page: per,
        })
    }

    pub async fn registry_entry(&self, id: &str) -> Result<RegistryEntry, StoreError> {
        let r = sqlx::query(&format!("SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(entry_from_row(&r)?)
    }

    /// Every award of a unit, collective and of its people while there (newest first).
    pub async fn unit_award_history(
        &self,
        unit_id: &str,
    ) -> Result<Vec<RegistryEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE a.unit_id = $1 ORDER BY a.award_year DESC, a.title_code, a.id"
        ))
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    /// Every award of a person (newest first).
    pub async fn person_award_history(
        &self,
        person_id: &str,
    ) -> Result<Vec<RegistryEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLS} {ENTRY_FROM} WHERE a.person_id = $1 ORDER BY a.award_year DESC, a.title_code, a.id"
        ))
        .bind(person_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    /// The eligibility verdict for a title in a year, as registration would give it, from
    /// the registry and the person's facts and records.
    pub async fn check_eligibility(
        &self,
        unit_id: &str,
        person_id: Option<&str>,
        title_code: &str,
        year: i64,
    ) -> Result<Verdict, StoreError> {
        let mut conn = self.read.acquire().await?;
        let h = Self::history(&mut conn, unit_id, person_id).await?;
        Ok(titles::check(
            title_code,
            year as i32,
            person_id.is_some(),
            &h,
        ))
    }

    /// Import registry rows, whole or nothing: unknown units, people or titles, rows
    /// outside `scope` (unit ids; `None` = anywhere) and duplicates (in the file or already
    /// in the registry) are row errors and nothing is written.
    pub async fn import_awards(
        &self,
        ctx: &AuditCtx,
        rows: &[ImportAward],
        scope: Option<&BTreeSet<String>>,
    ) -> Result<Result<usize, RowErrors>, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let mut errors: RowErrors = Vec::new();
        let mut seen = BTreeSet::new();
        let mut ok = Vec::with_capacity(rows.len());
        for r in rows {
            let before = errors.len();
            if !(1945..=2100).contains(&r.year) {
                errors.push((r.row, "year".into(), "err-regy-bad-year".into()));
            }
            if award_name(&r.title_code, false).is_none() {
                errors.push((r.row, "title".into(), "err-regy-unknown-title".into()));
            }
            if !AWARD_KINDS.contains(&r.kind.as_str()) {
                errors.push((r.row, "kind".into(), "err-regy-bad-kind".into()));
            }
            let person = match r.person_id.as_deref().filter(|p| !p.is_empty()) {
                Some(p) => {
                    match sqlx::query("SELECT unit_id FROM people WHERE id = $1")
                        .bind(p)
                        .fetch_optional(&mut *tx.tx)
                        .await?
                    {
                        Some(row) => Some((p.to_owned(), row.try_get::<String, _>(0)?)),
                        None => {
                            errors.push((r.row, "person".into(), "err-regy-unknown-person".into()));
                            None
                        }
                    }
                }
                None => None,
            };
            let unit = match r.unit_code.as_deref().filter(|c| !c.is_empty()) {
                Some(code) => match sqlx::query("SELECT id FROM units WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx.tx)
                    .await?
                {
                    Some(row) => Some(row.try_get::<String, _>(0)?),
                    None => {
                        errors.push((r.row, "unit".into(), "err-regy-unknown-unit".into()));
                        None
                    }
                },
                None => match &person {
                    Some((_, u)) => Some(u.clone()),
                    None => {
                        if r.person_id.as_deref().is_none_or(str::is_empty) {
                            errors.push((r.row, "unit".into(), "err-regy-unit-required".into()));
                        }
                        None
                    }
                },
            };
            if errors.len() > before {
                continue;
            }
            let Some(unit) = unit else { continue };
            let person = person.map(|(p, _)| p);
            if let Some(kind) = award_for(&r.title_code) {
                if (kind == TitleKind::Individual) != person.is_some() {
                    errors.push((r.row, "title".into(), "err-regy-title-kind".into()));
                    continue;
                }
            }
            if scope.is_some_and(|s| !s.contains(&unit)) {
                errors.push((r.row, "unit".into(), "err-regy-out-of-scope".into()));
                continue;
            }
            let key = (
                r.year,
                r.title_code.clone(),
                unit.clone(),
                person.clone().unwrap_or_default(),
            );
            if !seen.insert(key) {
                errors.push((r.row, "title".into(), "err-regy-duplicate-row".into()));
                continue;
            }
            let existing = match &person {
                Some(p) => sqlx::query(
                    "SELECT 1 FROM awards WHERE person_id = $1 AND award_year = $2 AND title_code = $3",
                )
                .bind(p)
                .bind(r.year)
                .bind(&r.title_code),
                None => sqlx::query(
                    "SELECT 1 FROM awards WHERE unit_id = $1 AND award_year = $2 AND title_code = $3 AND person_id IS NULL",
                )
                .bind(&unit)
                .bind(r.year)
                .bind(&r.title_code),
            }
            .fetch_optional(&mut *tx.tx)
            .await?;
            if existing.is_some() {
                errors.push((r.row, "title".into(), "err-regy-already-recorded".into()));
                continue;
            }
            ok.push((r, unit, person));
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let at = now();
        for (r, unit, person) in &ok {
            let id = new_id();
            sqlx::query(
                "INSERT INTO awards (id, award_year, title_code, unit_id, person_id, decision_number, decision_date, issuer, note, created_at, award_kind, signer, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'import')",
            )
            .bind(&id)
            .bind(r.year)
            .bind(&r.title_code)
            .bind(unit)
            .bind(person)
            .bind(opt_clean(&r.decision_number, 64))
            .bind(&r.decision_date)
            .bind(opt_clean(&r.issuer, 255))
            .bind(opt_clean(&r.note, 1000))
            .bind(&at)
            .bind(&r.kind)
            .bind(opt_clean(&r.signer, 255))
            .execute(&mut *tx.tx)
            .await?;
            tx.audit::<(), _>(
                "import",
                "award",
                &id,
                None,
                Some(&serde_json::json!({
                    "year": r.year, "title_code": r.title_code, "kind": r.kind, "unit_id": unit,
                    "person_id": person, "decision_number": r.decision_number,
                    "decision_date": r.decision_date, "issuer": r.issuer, "signer": r.signer, "row": r.row,
                })),
            );
        }
        tx.commit().await?;
        Ok(Ok(ok.len()))
    }

    /// The awards of a year in the given units, grouped for reports.
    pub async fn award_tallies(
        &self,
        year: i64,
        units: &[String],
    ) -> Result<Vec<AwardTally>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT a.unit_id, a.title_code, COALESCE(a.award_kind, 'yearly'), \
             CAST(CASE WHEN a.person_id IS NULL THEN 0 ELSE 1 END AS BIGINT), a.decision_date, COUNT(*) \
             FROM awards a WHERE a.award_year = {year} AND a.unit_id IN ({}) \
             GROUP BY a.unit_id, a.title_code, COALESCE(a.award_kind, 'yearly'), \
             CAST(CASE WHEN a.person_id IS NULL THEN 0 ELSE 1 END AS BIGINT), a.decision_date",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for u in units {
            q = q.bind(u);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(AwardTally {
                    unit_id: r.try_get(0)?,
                    title_code: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    individual: r.try_get::<i64, _>(3)? == 1,
                    decision_date: r.try_get(4)?,
                    count: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Who was awarded what in a year in the given units (to compare with registrations).
    pub async fn award_keys(&self, year: i64, units: &[String]) -> Result<Vec<RegKey>, StoreError> {
        self.keys(
            &format!("SELECT unit_id, person_id, title_code FROM awards WHERE award_year = {year} AND unit_id IN"),
            units,
        )
        .await
    }

    /// The live registrations of a council year in the given units.
    pub async fn registration_keys(
        &self,
        year_id: &str,
        units: &[String],
    ) -> Result<Vec<RegKey>, StoreError> {
        // The year id is a uuid from our own tables, checked before use.
        if !year_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(StoreError::NotFound);
        }
        self.keys(
            &format!("SELECT unit_id, person_id, title_code FROM registrations WHERE year_id = '{year_id}' AND status = 'registered' AND unit_id IN"),
            units,
        )
        .await
    }

    async fn keys(&self, head: &str, units: &[String]) -> Result<Vec<RegKey>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!("{head} ({})", marks.join(", "));
        let mut q = sqlx::query(&sql);
        for u in units {
            q = q.bind(u);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(RegKey {
                    unit_id: r.try_get(0)?,
                    person_id: r.try_get(1)?,
                    title_code: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Counts per (year, title) over a span of years in the given units (trend charts).
    pub async fn award_trend(
        &self,
        from_year: i64,
        to_year: i64,
        units: &[String],
    ) -> Result<Vec<(i64, String, i64)>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT award_year, title_code, COUNT(*) FROM awards WHERE award_year >= {from_year} AND award_year <= {to_year} \
             AND unit_id IN ({}) GROUP BY award_year, title_code ORDER BY award_year, title_code",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for u in units {
            q = q.bind(u);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    pub async fn base_salaries(&self) -> Result<Vec<BaseSalary>, StoreError> {
        let rows = sqlx::query(
            "SELECT valid_from, amount, legal_basis FROM base_salaries ORDER BY valid_from",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BaseSalary {
                    valid_from: r.try_get(0)?,
                    amount: r.try_get(1)?,
                    legal_basis: r.try_get(2)?,
                })
            })
            .collect()
    }

    pub async fn cash_multiples(&self) -> Result<Vec<CashMultiple>, StoreError> {
        let rows = sqlx::query(
            "SELECT title_code, awardee_kind, from_year, multiple_tenths, legal_basis FROM award_cash_multiples \
             ORDER BY title_code, awardee_kind, from_year",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CashMultiple {
                    title_code: r.try_get(0)?,
                    awardee_kind: r.try_get(1)?,
                    from_year: r.try_get(2)?,
                    multiple_tenths: r.try_get(3)?,
                    legal_basis: r.try_get(4)?,
                })
            })
            .collect()
    }
}
