//! Title registration (đăng ký danh hiệu thi đua): the awards registry it looks back on,
//! facts about people, registration windows per council year and the registrations.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::text;
use thidua_domain::titles::{self, Failure, History};

use crate::db::{new_id, now, AuditCtx, Store};
use crate::error::StoreError;

/// A failing eligibility rule, as stored (flags) and as returned (refusals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleFlag {
    /// Stable rule id, e.g. "sector_fighter.three_grassroots"
    pub rule: String,
    pub message_vi: String,
    pub message_en: String,
}

impl From<&Failure> for RuleFlag {
    fn from(f: &Failure) -> Self {
        RuleFlag {
            rule: f.rule.clone(),
            message_vi: f.message_vi.clone(),
            message_en: f.message_en.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Award {
    pub id: String,
    pub year: i64,
    pub title_code: String,
    pub unit_id: String,
    pub unit_name: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub issuer: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AwardDraft {
    pub year: i64,
    pub title_code: String,
    pub unit_id: String,
    pub person_id: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<String>,
    pub issuer: Option<String>,
    pub note: Option<String>,
}

pub const FACT_KINDS: [&str; 3] = ["recruited", "discipline", "initiative"];

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonFact {
    /// recruited, discipline (reprimand or above), initiative (recognised)
    pub kind: String,
    pub year: Option<i64>,
    /// yyyy-mm-dd (the recruitment date)
    pub date: Option<String>,
    pub detail: String,
}

/// The registration window of a council year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Window {
    pub year_id: String,
    pub year: i64,
    /// yyyy-mm-dd, last day registrations are accepted
    pub deadline: Option<String>,
    /// yyyy-mm-dd: reopened by the council's secretariat until this day
    pub reopened_until: Option<String>,
    pub reopened_by: Option<String>,
    pub reopen_reason: Option<String>,
}

impl Window {
    /// The last day registrations are accepted, if any.
    pub fn last_day(&self) -> Option<String> {
        match (&self.deadline, &self.reopened_until) {
            (Some(d), Some(r)) => Some(d.max(r).clone()),
            (d, r) => d.clone().or(r.clone()),
        }
    }
    pub fn open_on(&self, today: NaiveDate) -> bool {
        let t = today.format("%Y-%m-%d").to_string();
        self.last_day().is_none_or(|d| t <= d)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registration {
    pub id: String,
    pub year_id: String,
    pub year: i64,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub unit_id: String,
    pub unit_code: String,
    pub unit_name: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub title_code: String,
    pub title_name: String,
    /// collective or individual
    pub title_kind: String,
    /// registered or withdrawn
    pub status: String,
    /// Rules that still need evidence (the registration is accepted)
    pub flags: Vec<RuleFlag>,
    pub registered_by: String,
    pub registered_at: String,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RegistrationDraft {
    pub unit_id: String,
    /// Empty for the unit's collective title
    pub person_id: Option<String>,
    pub title_code: String,
}

/// Either the registration was written, or eligibility refused it (nothing written).
#[derive(Debug, Clone)]
pub enum RegOutcome {
    Registered(Box<Registration>),
    Ineligible(Vec<RuleFlag>),
}

fn refused(key: &str, args: &[(&str, String)]) -> StoreError {
    StoreError::Refused {
        key: key.to_owned(),
        args: args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

fn opt_text(s: &Option<String>, max: usize, field: &str) -> Result<Option<String>, StoreError> {
    match s.as_deref().map(text::clean).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() > max => Err(StoreError::field(field, "err-too-long")),
        Some(v) => Ok(Some(v)),
    }
}

fn opt_date(field: &str, s: &Option<String>) -> Result<Option<String>, StoreError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => thidua_domain::unit::parse_date(v)
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .ok_or_else(|| StoreError::field(field, "err-bad-date")),
    }
}

const REG_COLS: &str = "r.id, r.year_id, y.year, r.group_id, g.name, r.unit_id, u.code, u.name, r.person_id, p.full_name, \
     r.title_code, r.title_kind, r.status, r.flags_json, r.registered_by, r.registered_at, r.withdrawn_by, r.withdrawn_at";
const REG_FROM: &str = "FROM registrations r JOIN emulation_years y ON y.id = r.year_id JOIN units u ON u.id = r.unit_id \
     LEFT JOIN emulation_groups g ON g.id = r.group_id LEFT JOIN people p ON p.id = r.person_id";

fn reg_from_row(r: &AnyRow) -> Result<Registration, sqlx::Error> {
    let code: String = r.try_get(10)?;
    let flags: String = r.try_get(13)?;
    Ok(Registration {
        id: r.try_get(0)?,
        year_id: r.try_get(1)?,
        year: r.try_get(2)?,
        group_id: r.try_get(3)?,
        group_name: r.try_get(4)?,
        unit_id: r.try_get(5)?,
        unit_code: r.try_get(6)?,
        unit_name: r.try_get(7)?,
        person_id: r.try_get(8)?,
        person_name: r.try_get(9)?,
        title_name: titles::title(&code)
            .map(|t| t.name_vi.to_owned())
            .unwrap_or_else(|| code.clone()),
        title_code: code,
        title_kind: r.try_get(11)?,
        status: r.try_get(12)?,
        flags: serde_json::from_str(&flags).unwrap_or_default(),
        registered_by: r.try_get(14)?,
        registered_at: r.try_get(15)?,
        withdrawn_by: r.try_get(16)?,
        withdrawn_at: r.try_get(17)?,
    })
}

fn award_from_row(r: &AnyRow) -> Result<Award, sqlx::Error> {
    Ok(Award {
        id: r.try_get(0)?,
        year: r.try_get(1)?,
        title_code: r.try_get(2)?,
        unit_id: r.try_get(3)?,
        unit_name: r.try_get(4)?,
        person_id: r.try_get(5)?,
        person_name: r.try_get(6)?,
        decision_number: r.try_get(7)?,
        decision_date: r.try_get(8)?,
        issuer: r.try_get(9)?,
        note: r.try_get(10)?,
    })
}

const AWARD_SQL: &str = "SELECT a.id, a.award_year, a.title_code, a.unit_id, u.name, a.person_id, p.full_name, a.decision_number, \
     a.decision_date, a.issuer, a.note FROM awards a JOIN units u ON u.id = a.unit_id LEFT JOIN people p ON p.id = a.person_id";

/// Which registrations to list.
#[derive(Debug, Clone, Default)]
pub struct RegQuery {
    pub year_id: String,
    pub group_id: Option<String>,
    pub unit_id: Option<String>,
    pub include_withdrawn: bool,
}

impl Store {
    // ---- awards registry ----

    pub async fn record_award(&self, ctx: &AuditCtx, d: &AwardDraft) -> Result<Award, StoreError> {
        let t = titles::title(&d.title_code)
            .ok_or_else(|| StoreError::field("title_code", "err-reg-unknown-title"))?;
        if !(1945..=2100).contains(&d.year) {
            return Err(StoreError::field("year", "err-bad-request"));
        }
        let individual = d.person_id.as_deref().is_some_and(|p| !p.is_empty());
        if individual != (t.kind == titles::TitleKind::Individual) {
            return Err(StoreError::field("title_code", "err-reg-title-kind"));
        }
        let number = opt_text(&d.decision_number, 64, "decision_number")?;
        let date = opt_date("decision_date", &d.decision_date)?;
        let issuer = opt_text(&d.issuer, 255, "issuer")?;
        let note = opt_text(&d.note, 1000, "note")?;
        let mut tx = self.begin(ctx).await?;
        if sqlx::query("SELECT 1 FROM units WHERE id = $1")
            .bind(&d.unit_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let person = d.person_id.clone().filter(|p| !p.is_empty());
        if let Some(p) = &person {
            if sqlx::query("SELECT 1 FROM people WHERE id = $1")
                .bind(p)
                .fetch_optional(&mut *tx.tx)
                .await?
                .is_none()
            {
                return Err(StoreError::NotFound);
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO awards (id, award_year, title_code, unit_id, person_id, decision_number, decision_date, issuer, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(d.year)
        .bind(&d.title_code)
        .bind(&d.unit_id)
        .bind(&person)
        .bind(&number)
        .bind(&date)
        .bind(&issuer)
        .bind(&note)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        let r = sqlx::query(&format!("{AWARD_SQL} WHERE a.id = $1"))
            .bind(&id)
            .fetch_one(&mut *tx.tx)
            .await?;
        let a = award_from_row(&r)?;
        tx.audit::<(), _>("create", "award", &id, None, Some(&a));
        tx.commit().await?;
        Ok(a)
    }

    /// The collective awards of a unit (newest first).
    pub async fn awards_of_unit(&self, unit_id: &str) -> Result<Vec<Award>, StoreError> {
        let rows = sqlx::query(&format!(
            "{AWARD_SQL} WHERE a.unit_id = $1 AND a.person_id IS NULL ORDER BY a.award_year DESC, a.title_code"
        ))
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(award_from_row).collect::<Result<_, _>>()?)
    }

    /// A person's awards (newest first).
    pub async fn awards_of_person(&self, person_id: &str) -> Result<Vec<Award>, StoreError> {
        let rows = sqlx::query(&format!(
            "{AWARD_SQL} WHERE a.person_id = $1 ORDER BY a.award_year DESC, a.title_code"
        ))
        .bind(person_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(award_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn add_person_fact(
        &self,
        ctx: &AuditCtx,
        person_id: &str,
        f: &PersonFact,
    ) -> Result<(), StoreError> {
        if !FACT_KINDS.contains(&f.kind.as_str()) {
            return Err(StoreError::field("kind", "err-bad-request"));
        }
        let date = opt_date("date", &f.date)?;
        let detail = text::clean(&f.detail);
        let mut tx = self.begin(ctx).await?;
        if sqlx::query("SELECT 1 FROM people WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO person_facts (id, person_id, kind, fact_year, fact_date, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(person_id)
        .bind(&f.kind)
        .bind(f.year)
        .bind(&date)
        .bind(&detail)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>(
            "create",
            "person_fact",
            &id,
            None,
            Some(&serde_json::json!({"person_id": person_id, "kind": f.kind, "year": f.year, "date": date, "detail": detail})),
        );
        tx.commit().await
    }

    /// What eligibility looks back on: awards, and for a person their facts.
    pub(crate) async fn history(
        conn: &mut sqlx::AnyConnection,
        unit_id: &str,
        person_id: Option<&str>,
    ) -> Result<History, StoreError> {
        let mut h = History::default();
        let rows = match person_id {
            Some(p) => {
                sqlx::query("SELECT award_year, title_code FROM awards WHERE person_id = $1")
                    .bind(p)
                    .fetch_all(&mut *conn)
                    .await?
            }
            None => {
                sqlx::query(
                    "SELECT award_year, title_code FROM awards WHERE unit_id = $1 AND person_id IS NULL",
                )
                .bind(unit_id)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        for r in rows {
            let y: i64 = r.try_get(0)?;
            h.awards.insert((y as i32, r.try_get(1)?));
        }
        if let Some(p) = person_id {
            let facts = sqlx::query(
                "SELECT kind, fact_year, fact_date FROM person_facts WHERE person_id = $1",
            )
            .bind(p)
            .fetch_all(&mut *conn)
            .await?;
            let mut disciplined = BTreeSet::new();
            let mut initiative = BTreeSet::new();
            for f in facts {
                let kind: String = f.try_get(0)?;
                let year: Option<i64> = f.try_get(1)?;
                let date: Option<String> = f.try_get(2)?;
                match (kind.as_str(), year) {
                    ("recruited", _) => {
                        h.recruited_on = date.as_deref().and_then(thidua_domain::unit::parse_date)
                    }
                    ("discipline", Some(y)) => {
                        disciplined.insert(y as i32);
                    }
                    ("initiative", Some(y)) => {
                        initiative.insert(y as i32);
                    }
                    _ => {}
                }
            }
            // Interim facts: a discipline counts as a reprimand, an initiative as of unit
            // scope; the yearly records and the initiatives register say more.
            for y in disciplined {
                h.add_discipline(y, thidua_domain::records::DisciplineForm::Reprimand);
            }
            for y in initiative {
                h.add_initiative(y, thidua_domain::records::Scope::Unit);
            }
            crate::records::add_to_history(conn, p, &mut h).await?;
        }
        Ok(h)
    }

    // ---- windows ----

    pub async fn registration_window(&self, year_id: &str) -> Result<Window, StoreError> {
        let mut conn = self.read.acquire().await?;
        window_tx(&mut conn, year_id).await
    }

    /// Set the deadline of a council year's registrations.
    pub async fn set_registration_deadline(
        &self,
        ctx: &AuditCtx,
        year_id: &str,
        deadline: &str,
    ) -> Result<Window, StoreError> {
        let d = opt_date("deadline", &Some(deadline.to_owned()))?
            .ok_or_else(|| StoreError::field("deadline", "err-required"))?;
        let mut tx = self.begin(ctx).await?;
        let before = window_tx(&mut tx.tx, year_id).await?;
        upsert_window(&mut tx.tx, year_id).await?;
        sqlx::query("UPDATE registration_windows SET deadline = $1, version = version + 1, updated_at = $2 WHERE year_id = $3")
            .bind(&d)
            .bind(now())
            .bind(year_id)
            .execute(&mut *tx.tx)
            .await?;
        let after = window_tx(&mut tx.tx, year_id).await?;
        tx.audit(
            "set_deadline",
            "registration_window",
            year_id,
            Some(&before),
            Some(&after),
        );
        tx.commit().await?;
        Ok(after)
    }

    /// Reopen registration after the deadline until `until`, recording who and why.
    pub async fn reopen_registration(
        &self,
        ctx: &AuditCtx,
        year_id: &str,
        until: &str,
        reason: &str,
        by: &str,
    ) -> Result<Window, StoreError> {
        let u = opt_date("reopened_until", &Some(until.to_owned()))?
            .ok_or_else(|| StoreError::field("reopened_until", "err-required"))?;
        let reason = text::clean(reason);
        if reason.is_empty() {
            return Err(StoreError::field("reason", "err-required"));
        }
        if reason.chars().count() > 1000 {
            return Err(StoreError::field("reason", "err-too-long"));
        }
        let mut tx = self.begin(ctx).await?;
        let before = window_tx(&mut tx.tx, year_id).await?;
        upsert_window(&mut tx.tx, year_id).await?;
        sqlx::query("UPDATE registration_windows SET reopened_until = $1, reopened_by = $2, reopen_reason = $3, version = version + 1, updated_at = $4 WHERE year_id = $5")
            .bind(&u)
            .bind(by)
            .bind(&reason)
            .bind(now())
            .bind(year_id)
            .execute(&mut *tx.tx)
            .await?;
        let after = window_tx(&mut tx.tx, year_id).await?;
        tx.audit(
            "reopen",
            "registration_window",
            year_id,
            Some(&before),
            Some(&after),
        );
        tx.commit().await?;
        Ok(after)
    }

    // ---- registrations ----

    /// Register a title for a unit (no person) or one of its people, on `today` (the
    /// caller's clock, so that tests and the demo can use any date). Refused when the
    /// window is closed (409) or a live registration of that kind exists (409); ineligible
    /// registrations come back as `RegOutcome::Ineligible` and nothing is written.
    pub async fn register_title(
        &self,
        ctx: &AuditCtx,
        year_id: &str,
        d: &RegistrationDraft,
        by: &str,
        today: NaiveDate,
    ) -> Result<RegOutcome, StoreError> {
        let person_id = d.person_id.as_deref().filter(|p| !p.is_empty());
        let mut tx = self.begin(ctx).await?;
        let window = window_tx(&mut tx.tx, year_id).await?;
        let unit_ok = sqlx::query("SELECT 1 FROM units WHERE id = $1")
            .bind(&d.unit_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_some();
        if !unit_ok {
            return Err(StoreError::NotFound);
        }
        if let Some(p) = person_id {
            let unit: Option<String> = sqlx::query("SELECT unit_id FROM people WHERE id = $1")
                .bind(p)
                .fetch_optional(&mut *tx.tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            let Some(unit) = unit else {
                return Err(StoreError::NotFound);
            };
            // The person works in the unit or in one of its divisions.
            if unit != d.unit_id {
                let parent: Option<String> =
                    sqlx::query("SELECT parent_id FROM units WHERE id = $1")
                        .bind(&unit)
                        .fetch_one(&mut *tx.tx)
                        .await?
                        .try_get(0)?;
                if parent.as_deref() != Some(d.unit_id.as_str()) {
                    return Err(StoreError::field("person_id", "err-reg-person-not-in-unit"));
                }
            }
        }
        let group: Option<String> =
            sqlx::query("SELECT group_id FROM group_members WHERE year_id = $1 AND unit_id = $2")
                .bind(year_id)
                .bind(&d.unit_id)
                .fetch_optional(&mut *tx.tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        let Some(group) = group else {
            return Err(refused("err-reg-not-member", &[]));
        };
        if !window.open_on(today) {
            return Err(refused(
                "err-reg-deadline-passed",
                &[(
                    "deadline",
                    crate_fmt_date(window.last_day().as_deref().unwrap_or("")),
                )],
            ));
        }
        let history = Self::history(&mut tx.tx, &d.unit_id, person_id).await?;
        let verdict = titles::check(
            &d.title_code,
            window.year as i32,
            person_id.is_some(),
            &history,
        );
        if !verdict.accepted() {
            return Ok(RegOutcome::Ineligible(
                verdict.refusals.iter().map(RuleFlag::from).collect(),
            ));
        }
        let kind = titles::title(&d.title_code)
            .map(|t| t.kind.as_str())
            .unwrap_or("collective");
        let person_key = person_id.unwrap_or("-");
        let exists = sqlx::query(
            "SELECT 1 FROM registrations WHERE year_id = $1 AND unit_id = $2 AND person_key = $3 AND title_kind = $4 AND live_key = 'live'",
        )
        .bind(year_id)
        .bind(&d.unit_id)
        .bind(person_key)
        .bind(kind)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some();
        if exists {
            return Err(StoreError::Duplicate {
                field: "title_code".into(),
                key: d.title_code.clone(),
            });
        }
        let flags: Vec<RuleFlag> = verdict.flags.iter().map(RuleFlag::from).collect();
        let id = new_id();
        sqlx::query(
            "INSERT INTO registrations (id, year_id, group_id, unit_id, person_id, person_key, title_code, title_kind, status, flags_json, live_key, registered_by, registered_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'registered', $9, 'live', $10, $11, 1)",
        )
        .bind(&id)
        .bind(year_id)
        .bind(&group)
        .bind(&d.unit_id)
        .bind(person_id)
        .bind(person_key)
        .bind(&d.title_code)
        .bind(kind)
        .bind(serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()))
        .bind(by)
        .bind(now())
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "title_code", &d.title_code))?;
        let reg = reg_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "registration", &id, None, Some(&reg));
        tx.commit().await.map_err(|e| match e {
            StoreError::Db(e) => StoreError::duplicate_or(e, "title_code", &d.title_code),
            other => other,
        })?;
        Ok(RegOutcome::Registered(Box::new(reg)))
    }

    pub async fn get_registration(&self, id: &str) -> Result<Registration, StoreError> {
        let mut conn = self.read.acquire().await?;
        reg_tx(&mut conn, id).await
    }

    /// Withdraw a registration while the window is open.
    pub async fn withdraw_registration(
        &self,
        ctx: &AuditCtx,
        id: &str,
        by: &str,
        today: NaiveDate,
    ) -> Result<Registration, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = reg_tx(&mut tx.tx, id).await?;
        if before.status != "registered" {
            return Err(refused("err-reg-already-withdrawn", &[]));
        }
        let window = window_tx(&mut tx.tx, &before.year_id).await?;
        if !window.open_on(today) {
            return Err(refused(
                "err-reg-deadline-passed",
                &[(
                    "deadline",
                    crate_fmt_date(window.last_day().as_deref().unwrap_or("")),
                )],
            ));
        }
        sqlx::query("UPDATE registrations SET status = 'withdrawn', live_key = id, withdrawn_by = $1, withdrawn_at = $2, version = version + 1 WHERE id = $3")
            .bind(by)
            .bind(now())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        let after = reg_tx(&mut tx.tx, id).await?;
        tx.audit("withdraw", "registration", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Registrations of a council year, by group, unit, then the unit's own title first.
    pub async fn registrations(&self, q: &RegQuery) -> Result<Vec<Registration>, StoreError> {
        let mut sql = format!("SELECT {REG_COLS} {REG_FROM} WHERE r.year_id = $1");
        let mut binds = vec![q.year_id.clone()];
        if let Some(g) = &q.group_id {
            binds.push(g.clone());
            sql.push_str(&format!(" AND r.group_id = ${}", binds.len()));
        }
        if let Some(u) = &q.unit_id {
            binds.push(u.clone());
            sql.push_str(&format!(" AND r.unit_id = ${}", binds.len()));
        }
        if !q.include_withdrawn {
            sql.push_str(" AND r.status = 'registered'");
        }
        sql.push_str(" ORDER BY g.kind, g.number, u.sort_key, r.person_key, r.registered_at");
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(reg_from_row).collect::<Result<_, _>>()?)
    }
}

fn crate_fmt_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

async fn upsert_window(conn: &mut sqlx::AnyConnection, year_id: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO registration_windows (year_id, deadline, version, updated_at) \
         SELECT id, registration_deadline, 0, $2 FROM emulation_years WHERE id = $1 ON CONFLICT DO NOTHING",
    )
    .bind(year_id)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn window_tx(conn: &mut sqlx::AnyConnection, year_id: &str) -> Result<Window, StoreError> {
    let r = sqlx::query(
        "SELECT y.id, y.year, y.registration_deadline, w.year_id, w.deadline, w.reopened_until, w.reopened_by, w.reopen_reason \
         FROM emulation_years y LEFT JOIN registration_windows w ON w.year_id = y.id WHERE y.id = $1",
    )
    .bind(year_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let has_window: Option<String> = r.try_get(3)?;
    // Until the secretariat sets one, the deadline is the one the year was opened with.
    let deadline: Option<String> = if has_window.is_some() {
        r.try_get(4)?
    } else {
        r.try_get(2)?
    };
    Ok(Window {
        year_id: r.try_get(0)?,
        year: r.try_get(1)?,
        deadline,
        reopened_until: r.try_get(5)?,
        reopened_by: r.try_get(6)?,
        reopen_reason: r.try_get(7)?,
    })
}

async fn reg_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Registration, StoreError> {
    let r = sqlx::query(&format!("SELECT {REG_COLS} {REG_FROM} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(reg_from_row(&r)?)
}
