//! Scoring: criteria schemes per council year and kind of unit (versioned, frozen once the
//! assessment opens), units' self-assessments and reviewers' adjustments (kept for good).
//! Totals and ranks are computed by `thidua_domain::scoring` from what is stored here.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::scoring::{Compiled, Counts, Input, Points, Scheme};
use thidua_domain::text;

use crate::db::{new_id, now, AuditCtx, Store};
use crate::error::StoreError;

pub const SCHEME_STATUSES: [&str; 3] = ["draft", "open", "published"];
pub const STAGES: [&str; 2] = ["group", "council"];
pub const MAX_COMMENT: usize = 2000;

/// A scheme as stored, with its compiled form for scoring.
#[derive(Debug, Clone)]
pub struct SchemeRecord {
    pub id: String,
    pub year_id: String,
    pub year: i64,
    pub council_id: String,
    pub unit_kind: String,
    /// draft, open, published
    pub status: String,
    pub version: i64,
    pub copied_from: Option<String>,
    pub updated_at: String,
    pub compiled: Arc<Compiled>,
}

impl SchemeRecord {
    pub fn scheme(&self) -> &Scheme {
        &self.compiled.scheme
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Adjustment {
    pub id: String,
    pub leaf_code: String,
    /// group or council
    pub stage: String,
    #[schema(value_type = f64)]
    pub points: Points,
    pub reason: String,
    pub adjusted_by: String,
    pub adjusted_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub id: String,
    pub scheme_id: String,
    pub unit_id: String,
    pub unit_code: String,
    pub unit_name: String,
    /// draft or submitted
    pub status: String,
    #[schema(value_type = Object)]
    pub input: Input,
    /// Per leaf code: the unit's comment or description of its evidence.
    pub comments: BTreeMap<String, String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
    /// Every adjustment, oldest first.
    pub adjustments: Vec<Adjustment>,
    /// Evidence files per leaf code (those not withdrawn), oldest first.
    pub evidence: BTreeMap<String, Vec<crate::FileRef>>,
}

impl Assessment {
    /// The adjusted points per leaf: the latest adjustment of each leaf wins.
    pub fn adjusted(&self) -> BTreeMap<&str, Points> {
        let mut m = BTreeMap::new();
        for a in &self.adjustments {
            m.insert(a.leaf_code.as_str(), a.points);
        }
        m
    }
}

/// What a unit saves: its entries and comments. Indicator counts may also come by import.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AssessmentDraft {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub input: Input,
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
    /// The version the form was opened at; a stale one is refused with 409.
    pub base_version: Option<i64>,
}

/// A reviewer's change to one leaf.
#[derive(Debug, Clone, Copy)]
pub struct ScoreChange<'a> {
    /// group or council
    pub stage: &'a str,
    pub leaf_code: &'a str,
    pub points: Points,
    pub reason: &'a str,
}

/// One imported indicator row: unit code, indicator code, counts.
#[derive(Debug, Clone)]
pub struct IndicatorValue {
    pub unit_code: String,
    pub code: String,
    pub counts: Counts,
}

fn refused(key: &str) -> StoreError {
    StoreError::Refused {
        key: key.to_owned(),
        args: Vec::new(),
    }
}

const SCHEME_COLS: &str = "s.id, s.year_id, y.year, y.council_id, s.unit_kind, s.status, s.version, s.copied_from, s.updated_at, v.content_json";
const SCHEME_FROM: &str = "FROM scoring_schemes s JOIN emulation_years y ON y.id = s.year_id \
     JOIN scheme_versions v ON v.scheme_id = s.id AND v.version = s.version";

fn scheme_from_row(r: &AnyRow) -> Result<SchemeRecord, StoreError> {
    let json: String = r.try_get(9)?;
    let scheme: Scheme = serde_json::from_str(&json)
        .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
    Ok(SchemeRecord {
        id: r.try_get(0)?,
        year_id: r.try_get(1)?,
        year: r.try_get(2)?,
        council_id: r.try_get(3)?,
        unit_kind: r.try_get(4)?,
        status: r.try_get(5)?,
        version: r.try_get(6)?,
        copied_from: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        compiled: Arc::new(Compiled::new(scheme)?),
    })
}

const ASSESS_COLS: &str = "a.id, a.scheme_id, a.unit_id, u.code, u.name, a.status, a.input_json, a.comments_json, a.submitted_by, a.submitted_at, a.version, a.updated_at";

fn assessment_from_row(r: &AnyRow) -> Result<Assessment, StoreError> {
    let input: String = r.try_get(6)?;
    let comments: String = r.try_get(7)?;
    let bad = |e: serde_json::Error| StoreError::Db(sqlx::Error::Decode(Box::new(e)));
    Ok(Assessment {
        id: r.try_get(0)?,
        scheme_id: r.try_get(1)?,
        unit_id: r.try_get(2)?,
        unit_code: r.try_get(3)?,
        unit_name: r.try_get(4)?,
        status: r.try_get(5)?,
        input: serde_json::from_str(&input).map_err(bad)?,
        comments: serde_json::from_str(&comments).map_err(bad)?,
        submitted_by: r.try_get(8)?,
        submitted_at: r.try_get(9)?,
        version: r.try_get(10)?,
        updated_at: r.try_get(11)?,
        adjustments: Vec::new(),
        evidence: BTreeMap::new(),
    })
}

fn adjustment_from_row(r: &AnyRow) -> Result<(String, Adjustment), StoreError> {
    Ok((
        r.try_get(0)?,
        Adjustment {
            id: r.try_get(1)?,
            leaf_code: r.try_get(2)?,
            stage: r.try_get(3)?,
            points: Points(r.try_get(4)?),
            reason: r.try_get(5)?,
            adjusted_by: r.try_get(6)?,
            adjusted_at: r.try_get(7)?,
        },
    ))
}

/// The audit view of a scheme: its identity and content.
#[derive(Serialize)]
struct SchemeAudit<'a> {
    year_id: &'a str,
    unit_kind: &'a str,
    status: &'a str,
    version: i64,
    scheme: &'a Scheme,
}

fn clean_comments(
    c: &Compiled,
    comments: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, StoreError> {
    let mut out = BTreeMap::new();
    for (code, text_in) in comments {
        if c.leaf_index(code).is_none() {
            return Err(StoreError::field(
                &format!("comments.{code}"),
                "err-score-unknown-code",
            ));
        }
        let t = text::clean(text_in);
        if t.chars().count() > MAX_COMMENT {
            return Err(StoreError::field(
                &format!("comments.{code}"),
                "err-too-long",
            ));
        }
        if !t.is_empty() {
            out.insert(code.clone(), t);
        }
    }
    Ok(out)
}

impl Store {
    /// A new scheme for a council year and kind of unit, in draft.
    pub async fn create_scheme(
        &self,
        ctx: &AuditCtx,
        year_id: &str,
        unit_kind: &str,
        scheme: Scheme,
        copied_from: Option<&str>,
        by: &str,
    ) -> Result<SchemeRecord, StoreError> {
        if thidua_domain::unit::UnitKind::parse(unit_kind).is_none() {
            return Err(StoreError::field("unit_kind", "err-bad-kind"));
        }
        let compiled = Compiled::new(scheme)?;
        let mut tx = self.begin(ctx).await?;
        let year_ok = sqlx::query("SELECT 1 FROM emulation_years WHERE id = $1")
            .bind(year_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_some();
        if !year_ok {
            return Err(StoreError::NotFound);
        }
        let id = new_id();
        let t = now();
        sqlx::query("INSERT INTO scoring_schemes (id, year_id, unit_kind, status, version, copied_from, created_at, updated_at) VALUES ($1, $2, $3, 'draft', 1, $4, $5, $5)")
            .bind(&id)
            .bind(year_id)
            .bind(unit_kind)
            .bind(copied_from)
            .bind(&t)
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| StoreError::duplicate_or(e, "unit_kind", unit_kind))?;
        let json = serde_json::to_string(&compiled.scheme).unwrap_or_default();
        sqlx::query("INSERT INTO scheme_versions (scheme_id, version, content_json, saved_by, saved_at) VALUES ($1, 1, $2, $3, $4)")
            .bind(&id)
            .bind(&json)
            .bind(by)
            .bind(&t)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<(), _>(
            "create",
            "scoring_scheme",
            &id,
            None,
            Some(&SchemeAudit {
                year_id,
                unit_kind,
                status: "draft",
                version: 1,
                scheme: &compiled.scheme,
            }),
        );
        tx.commit().await.map_err(|e| match e {
            StoreError::Db(e) => StoreError::duplicate_or(e, "unit_kind", unit_kind),
            other => other,
        })?;
        self.get_scheme(&id).await
    }

    /// Copy a scheme (e.g. last year's) into another council year as a new draft.
    pub async fn copy_scheme(
        &self,
        ctx: &AuditCtx,
        from_id: &str,
        to_year_id: &str,
        by: &str,
    ) -> Result<SchemeRecord, StoreError> {
        let from = self.get_scheme(from_id).await?;
        self.create_scheme(
            ctx,
            to_year_id,
            &from.unit_kind,
            from.scheme().clone(),
            Some(from_id),
            by,
        )
        .await
    }

    pub async fn get_scheme(&self, id: &str) -> Result<SchemeRecord, StoreError> {
        self.cached(format!("scheme:{id}"), || async {
            let r = sqlx::query(&format!(
                "SELECT {SCHEME_COLS} {SCHEME_FROM} WHERE s.id = $1"
            ))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
            scheme_from_row(&r)
        })
        .await
    }

    /// A scheme's content at an earlier version.
    pub async fn scheme_version(&self, id: &str, version: i64) -> Result<Scheme, StoreError> {
        let r = sqlx::query(
            "SELECT content_json FROM scheme_versions WHERE scheme_id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let json: String = r.try_get(0)?;
        serde_json::from_str(&json).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
    }

    /// The schemes of a council year, by kind of unit.
    pub async fn schemes_of_year(&self, year_id: &str) -> Result<Vec<SchemeRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SCHEME_COLS} {SCHEME_FROM} WHERE s.year_id = $1 ORDER BY s.unit_kind"
        ))
        .bind(year_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(scheme_from_row).collect()
    }

    /// The scheme that applies to a unit of a kind in a council year.
    pub async fn scheme_for(
        &self,
        year_id: &str,
        unit_kind: &str,
    ) -> Result<Option<SchemeRecord>, StoreError> {
        let id: Option<String> =
            sqlx::query("SELECT id FROM scoring_schemes WHERE year_id = $1 AND unit_kind = $2")
                .bind(year_id)
                .bind(unit_kind)
                .fetch_optional(&self.read)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        match id {
            Some(id) => Ok(Some(self.get_scheme(&id).await?)),
            None => Ok(None),
        }
    }

    /// Save a new version of a draft scheme. A frozen scheme (assessment open) is refused;
    /// a stale `base_version` gets 409 with the current scheme.
    pub async fn save_scheme(
        &self,
        ctx: &AuditCtx,
        id: &str,
        base_version: i64,
        scheme: Scheme,
        by: &str,
    ) -> Result<SchemeRecord, StoreError> {
        let compiled = Compiled::new(scheme)?;
        let mut tx = self.begin(ctx).await?;
        let r = sqlx::query(&format!(
            "SELECT {SCHEME_COLS} {SCHEME_FROM} WHERE s.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let before = scheme_from_row(&r)?;
        if before.status != "draft" {
            return Err(refused("err-score-scheme-frozen"));
        }
        if before.version != base_version {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(before.scheme()).unwrap_or_default(),
            });
        }
        let version = before.version + 1;
        let t = now();
        let updated = sqlx::query("UPDATE scoring_schemes SET version = $1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(version)
            .bind(&t)
            .bind(id)
            .bind(base_version)
            .execute(&mut *tx.tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(before.scheme()).unwrap_or_default(),
            });
        }
        sqlx::query("INSERT INTO scheme_versions (scheme_id, version, content_json, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(version)
            .bind(serde_json::to_string(&compiled.scheme).unwrap_or_default())
            .bind(by)
            .bind(&t)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            "update",
            "scoring_scheme",
            id,
            Some(&SchemeAudit {
                year_id: &before.year_id,
                unit_kind: &before.unit_kind,
                status: &before.status,
                version: before.version,
                scheme: before.scheme(),
            }),
            Some(&SchemeAudit {
                year_id: &before.year_id,
                unit_kind: &before.unit_kind,
                status: &before.status,
                version,
                scheme: &compiled.scheme,
            }),
        );
        tx.commit().await?;
        self.get_scheme(id).await
    }

    /// Move a scheme forward: draft → open (frozen; units assess) → published (results
    /// visible to the group). Going back is refused: what was scored stays scored.
    pub async fn set_scheme_status(
        &self,
        ctx: &AuditCtx,
        id: &str,
        to: &str,
    ) -> Result<SchemeRecord, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let from: String = sqlx::query("SELECT status FROM scoring_schemes WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        let allowed = matches!(
            (from.as_str(), to),
            ("draft", "open") | ("open", "published")
        );
        if !allowed {
            return Err(refused("err-score-bad-transition"));
        }
        sqlx::query(
            "UPDATE scoring_schemes SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to)
        .bind(now())
        .bind(id)
        .bind(&from)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            "status",
            "scoring_scheme",
            id,
            Some(&serde_json::json!({ "status": from })),
            Some(&serde_json::json!({ "status": to })),
        );
        tx.commit().await?;
        self.get_scheme(id).await
    }

    /// All assessments under a scheme with their adjustments, by unit order. Shared: a
    /// scheme's rankings read it on every request, and only writes to the scheme's
    /// assessments (narrow, `scheme:<id>`) or global writes make it read again.
    pub async fn assessments(&self, scheme_id: &str) -> Result<Arc<Vec<Assessment>>, StoreError> {
        self.cached_in(
            &[&format!("scheme:{scheme_id}")],
            format!("assessments:{scheme_id}"),
            || async {
                Ok(Arc::new(
                    self.load_assessments("a.scheme_id = $1", &[scheme_id])
                        .await?,
                ))
            },
        )
        .await
    }

    /// Assessments matching `filter` (a condition on `assessments a` with parameters
    /// `$1`…), with their adjustments and evidence, by unit order.
    async fn load_assessments(
        &self,
        filter: &str,
        params: &[&str],
    ) -> Result<Vec<Assessment>, StoreError> {
        fn bound<'q>(
            sql: &'q str,
            params: &[&str],
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
            params
                .iter()
                .fold(sqlx::query(sql), |q, p| q.bind(p.to_string()))
        }
        let mut conn = self.read.acquire().await?;
        let sql = format!(
            "SELECT {ASSESS_COLS} FROM assessments a JOIN units u ON u.id = a.unit_id WHERE {filter} ORDER BY u.sort_key"
        );
        let rows = bound(&sql, params).fetch_all(&mut *conn).await?;
        let mut out: Vec<Assessment> = rows
            .iter()
            .map(assessment_from_row)
            .collect::<Result<_, _>>()?;
        if out.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT j.assessment_id, j.id, j.leaf_code, j.stage, j.points, j.reason, j.adjusted_by, j.adjusted_at \
             FROM score_adjustments j JOIN assessments a ON a.id = j.assessment_id WHERE {filter} ORDER BY j.assessment_id, j.seq"
        );
        let adj = bound(&sql, params).fetch_all(&mut *conn).await?;
        let index: BTreeMap<String, usize> = out
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        for r in &adj {
            let (aid, a) = adjustment_from_row(r)?;
            if let Some(&i) = index.get(&aid) {
                out[i].adjustments.push(a);
            }
        }
        let sql = format!(
            "SELECT e.assessment_id, e.leaf_code, f.id, f.name, f.content_type, f.size \
             FROM assessment_evidence e JOIN assessments a ON a.id = e.assessment_id JOIN files f ON f.id = e.file_id \
             WHERE {filter} AND e.removed_at IS NULL ORDER BY e.added_at, e.id"
        );
        let ev = bound(&sql, params).fetch_all(&mut *conn).await?;
        for r in &ev {
            let aid: String = r.try_get(0)?;
            if let Some(&i) = index.get(&aid) {
                out[i]
                    .evidence
                    .entry(r.try_get(1)?)
                    .or_default()
                    .push(crate::FileRef {
                        id: r.try_get(2)?,
                        name: r.try_get(3)?,
                        content_type: r.try_get(4)?,
                        size: r.try_get(5)?,
                    });
            }
        }
        Ok(out)
    }

    /// A unit's assessment under a scheme, if it has started one (read alone, fresh: it
    /// follows each save).
    pub async fn assessment_of(
        &self,
        scheme_id: &str,
        unit_id: &str,
    ) -> Result<Option<Assessment>, StoreError> {
        Ok(self
            .load_assessments("a.scheme_id = $1 AND a.unit_id = $2", &[scheme_id, unit_id])
            .await?
            .pop())
    }

    /// Save a unit's draft self-assessment (created on first save). Refused when the scheme
    /// is not open or the assessment was submitted; entries are checked against the scheme.
    pub async fn save_assessment(
        &self,
        ctx: &AuditCtx,
        scheme_id: &str,
        unit_id: &str,
        d: &AssessmentDraft,
        by: &str,
    ) -> Result<Assessment, StoreError> {
        let scheme = self.get_scheme(scheme_id).await?;
        if scheme.status != "open" {
            return Err(refused("err-score-not-open"));
        }
        scheme.compiled.validate(&d.input)?;
        let comments = clean_comments(&scheme.compiled, &d.comments)?;
        let mut tx = self.begin(ctx).await?;
        let unit_kind: String = sqlx::query("SELECT kind FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        if unit_kind != scheme.unit_kind {
            return Err(refused("err-score-wrong-kind"));
        }
        let current = sqlx::query("SELECT id, status, version, input_json, comments_json FROM assessments WHERE scheme_id = $1 AND unit_id = $2")
            .bind(scheme_id)
            .bind(unit_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
        let input_json = serde_json::to_string(&d.input).unwrap_or_default();
        let comments_json = serde_json::to_string(&comments).unwrap_or_default();
        let t = now();
        let id = match current {
            None => {
                let id = new_id();
                sqlx::query("INSERT INTO assessments (id, scheme_id, unit_id, status, input_json, comments_json, version, updated_by, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, 1, $6, $7)")
                    .bind(&id)
                    .bind(scheme_id)
                    .bind(unit_id)
                    .bind(&input_json)
                    .bind(&comments_json)
                    .bind(by)
                    .bind(&t)
                    .execute(&mut *tx.tx)
                    .await
                    .map_err(|e| StoreError::duplicate_or(e, "unit_id", unit_id))?;
                tx.audit::<(), _>(
                    "create",
                    "assessment",
                    &id,
                    None,
                    Some(&serde_json::json!({ "scheme_id": scheme_id, "unit_id": unit_id, "input": d.input, "comments": comments })),
                );
                id
            }
            Some(r) => {
                let id: String = r.try_get(0)?;
                let status: String = r.try_get(1)?;
                let version: i64 = r.try_get(2)?;
                if status != "draft" {
                    return Err(refused("err-score-submitted"));
                }
                if d.base_version.is_some_and(|b| b != version) {
                    return Err(StoreError::Conflict {
                        current: serde_json::json!({ "version": version }),
                    });
                }
                let before_input: String = r.try_get(3)?;
                let before_comments: String = r.try_get(4)?;
                let n = sqlx::query("UPDATE assessments SET input_json = $1, comments_json = $2, version = version + 1, updated_by = $3, updated_at = $4 WHERE id = $5 AND version = $6 AND status = 'draft'")
                    .bind(&input_json)
                    .bind(&comments_json)
                    .bind(by)
                    .bind(&t)
                    .bind(&id)
                    .bind(version)
                    .execute(&mut *tx.tx)
                    .await?;
                if n.rows_affected() != 1 {
                    return Err(StoreError::Conflict {
                        current: serde_json::json!({ "version": version }),
                    });
                }
                tx.audit(
                    "update",
                    "assessment",
                    &id,
                    Some(&serde_json::json!({ "input": serde_json::from_str::<serde_json::Value>(&before_input).unwrap_or_default(), "comments": serde_json::from_str::<serde_json::Value>(&before_comments).unwrap_or_default() })),
                    Some(&serde_json::json!({ "input": d.input, "comments": comments })),
                );
                id
            }
        };
        // Only the scheme's assessments change (`Store::assessments`).
        tx.narrow(format!("scheme:{scheme_id}"));
        tx.commit().await?;
        self.assessment_of(scheme_id, unit_id)
            .await?
            .filter(|a| a.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Submit a unit's assessment: every leaf filled in and every leaf that asks for evidence
    /// described. After this it is read-only for the unit.
    pub async fn submit_assessment(
        &self,
        ctx: &AuditCtx,
        scheme_id: &str,
        unit_id: &str,
        by: &str,
    ) -> Result<Assessment, StoreError> {
        let scheme = self.get_scheme(scheme_id).await?;
        if scheme.status != "open" {
            return Err(refused("err-score-not-open"));
        }
        let a = self
            .assessment_of(scheme_id, unit_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if a.status != "draft" {
            return Err(refused("err-score-submitted"));
        }
        let c = &scheme.compiled;
        let card = c.card(&c.leaf_points(&a.input));
        let mut errs = Vec::new();
        for &i in &card.missing {
            errs.push(thidua_domain::FieldError::new(
                &format!("points.{}", c.leaves[i].code),
                "err-score-missing",
            ));
        }
        for l in &c.leaves {
            if l.kind
                == (thidua_domain::scoring::LeafKind::Manual {
                    evidence_required: true,
                })
                && !a.comments.contains_key(&l.code)
                && !a.evidence.contains_key(&l.code)
            {
                errs.push(thidua_domain::FieldError::new(
                    &format!("comments.{}", l.code),
                    "err-score-evidence-required",
                ));
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Domain(thidua_domain::DomainError::Invalid(
                errs,
            )));
        }
        let mut tx = self.begin(ctx).await?;
        let t = now();
        let n = sqlx::query("UPDATE assessments SET status = 'submitted', submitted_by = $1, submitted_at = $2, version = version + 1, updated_by = $1, updated_at = $2 WHERE id = $3 AND status = 'draft' AND version = $4")
            .bind(by)
            .bind(&t)
            .bind(&a.id)
            .bind(a.version)
            .execute(&mut *tx.tx)
            .await?;
        if n.rows_affected() != 1 {
            return Err(refused("err-score-submitted"));
        }
        tx.audit(
            "submit",
            "assessment",
            &a.id,
            Some(&serde_json::json!({ "status": "draft" })),
            Some(&serde_json::json!({ "status": "submitted", "total": card.total.0, "input": a.input })),
        );
        // Only the scheme's assessments change (`Store::assessments`).
        tx.narrow(format!("scheme:{scheme_id}"));
        tx.commit().await?;
        self.assessment_of(scheme_id, unit_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Attach an evidence file to a leaf of a unit's draft (the draft is created, empty,
    /// when the unit has not saved one yet). Refused once submitted or when the scheme is not
    /// open; the leaf must be a manual or bonus criterion.
    pub async fn add_evidence(
        &self,
        ctx: &AuditCtx,
        scheme_id: &str,
        unit_id: &str,
        leaf_code: &str,
        file: (&str, &str, &[u8]),
        by: &str,
    ) -> Result<crate::FileRef, StoreError> {
        let scheme = self.get_scheme(scheme_id).await?;
        let Some(i) = scheme.compiled.leaf_index(leaf_code) else {
            return Err(StoreError::field("leaf", "err-score-unknown-code"));
        };
        if matches!(
            scheme.compiled.leaves[i].kind,
            thidua_domain::scoring::LeafKind::Indicator { .. }
        ) {
            return Err(StoreError::field("leaf", "err-score-evidence-not-here"));
        }
        let a = match self.assessment_of(scheme_id, unit_id).await? {
            Some(a) => a,
            None => {
                self.save_assessment(ctx, scheme_id, unit_id, &AssessmentDraft::default(), by)
                    .await?
            }
        };
        if scheme.status != "open" {
            return Err(refused("err-score-not-open"));
        }
        let (name, ctype, bytes) = file;
        let mut tx = self.begin(ctx).await?;
        // Only a draft takes evidence: checked inside the transaction against a racing submit.
        let n = sqlx::query("UPDATE assessments SET version = version + 1, updated_by = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'")
            .bind(by)
            .bind(now())
            .bind(&a.id)
            .execute(&mut *tx.tx)
            .await?;
        if n.rows_affected() != 1 {
            return Err(refused("err-score-submitted"));
        }
        let file_id = crate::groups::insert_file(&mut tx, name, ctype, bytes).await?;
        let id = new_id();
        sqlx::query("INSERT INTO assessment_evidence (id, assessment_id, leaf_code, file_id, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(&a.id)
            .bind(leaf_code)
            .bind(&file_id)
            .bind(by)
            .bind(now())
            .execute(&mut *tx.tx)
            .await?;
        let f = crate::FileRef {
            id: file_id,
            name: name.to_owned(),
            content_type: ctype.to_owned(),
            size: bytes.len() as i64,
        };
        tx.audit::<(), _>(
            "add_evidence",
            "assessment",
            &a.id,
            None,
            Some(&serde_json::json!({ "leaf": leaf_code, "file": f })),
        );
        tx.commit().await?;
        Ok(f)
    }

    /// Withdraw an evidence file from a draft: marked removed, kept for the record.
    pub async fn remove_evidence(
        &self,
        ctx: &AuditCtx,
        scheme_id: &str,
        unit_id: &str,
        file_id: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let a = self
            .assessment_of(scheme_id, unit_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let leaf = a
            .evidence
            .iter()
            .find(|(_, fs)| fs.iter().any(|f| f.id == file_id))
            .map(|(l, _)| l.clone())
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin(ctx).await?;
        let n = sqlx::query("UPDATE assessments SET version = version + 1, updated_by = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'")
            .bind(by)
            .bind(now())
            .bind(&a.id)
            .execute(&mut *tx.tx)
            .await?;
        if n.rows_affected() != 1 {
            return Err(refused("err-score-submitted"));
        }
        sqlx::query("UPDATE assessment_evidence SET removed_by = $1, removed_at = $2 WHERE assessment_id = $3 AND file_id = $4 AND removed_at IS NULL")
            .bind(by)
            .bind(now())
            .bind(&a.id)
            .bind(file_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            "remove_evidence",
            "assessment",
            &a.id,
            Some(&serde_json::json!({ "leaf": leaf, "file_id": file_id })),
            None::<&()>,
        );
        tx.commit().await?;
        Ok(())
    }

    /// The schemes under which a unit has an assessment (any council, any year).
    pub async fn schemes_assessing(&self, unit_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT scheme_id FROM assessments WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(Into::into))
            .collect()
    }

    /// A reviewer's adjustment of one leaf of a submitted assessment, with its reason.
    pub async fn adjust_score(
        &self,
        ctx: &AuditCtx,
        assessment_id: &str,
        change: &ScoreChange<'_>,
        by: &str,
    ) -> Result<Adjustment, StoreError> {
        let ScoreChange {
            stage,
            leaf_code,
            points,
            reason,
        } = *change;
        if !STAGES.contains(&stage) {
            return Err(StoreError::field("stage", "err-invalid"));
        }
        let reason = text::clean(reason);
        if reason.chars().count() > MAX_COMMENT {
            return Err(StoreError::field("reason", "err-too-long"));
        }
        let mut tx = self.begin(ctx).await?;
        let r = sqlx::query("SELECT scheme_id, status FROM assessments WHERE id = $1")
            .bind(assessment_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let scheme_id: String = r.try_get(0)?;
        let status: String = r.try_get(1)?;
        if status != "submitted" {
            return Err(refused("err-score-not-submitted"));
        }
        let scheme = self.get_scheme(&scheme_id).await?;
        if scheme.status == "published" {
            return Err(refused("err-score-published"));
        }
        scheme
            .compiled
            .validate_adjustment(leaf_code, points, &reason)?;
        let seq: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM score_adjustments WHERE assessment_id = $1",
        )
        .bind(assessment_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?;
        let id = new_id();
        let t = now();
        sqlx::query("INSERT INTO score_adjustments (id, assessment_id, leaf_code, stage, points, reason, adjusted_by, adjusted_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&id)
            .bind(assessment_id)
            .bind(leaf_code)
            .bind(stage)
            .bind(points.0)
            .bind(&reason)
            .bind(by)
            .bind(&t)
            .bind(seq)
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::Conflict {
                        current: serde_json::Value::Null,
                    }
                } else {
                    StoreError::Db(e)
                }
            })?;
        let adj = Adjustment {
            id: id.clone(),
            leaf_code: leaf_code.to_owned(),
            stage: stage.to_owned(),
            points,
            reason,
            adjusted_by: by.to_owned(),
            adjusted_at: t,
        };
        tx.audit::<(), _>("adjust", "assessment", assessment_id, None, Some(&adj));
        tx.commit().await?;
        Ok(adj)
    }

    /// Import indicator counts for many units at once, into their draft assessments (created
    /// if needed). All rows are checked first; any error writes nothing.
    pub async fn import_indicator_values(
        &self,
        ctx: &AuditCtx,
        scheme_id: &str,
        rows: &[IndicatorValue],
        by: &str,
    ) -> Result<usize, StoreError> {
        let scheme = self.get_scheme(scheme_id).await?;
        if scheme.status != "open" {
            return Err(refused("err-score-not-open"));
        }
        let units = sqlx::query("SELECT id, code, kind FROM units")
            .fetch_all(&self.read)
            .await?;
        let mut by_code: BTreeMap<String, (String, String)> = BTreeMap::new();
        for r in &units {
            by_code.insert(r.try_get(1)?, (r.try_get(0)?, r.try_get(2)?));
        }
        let mut per_unit: BTreeMap<String, BTreeMap<String, Counts>> = BTreeMap::new();
        let mut errs = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let f = format!("rows.{}", i + 1);
            match by_code.get(&row.unit_code) {
                None => errs.push(thidua_domain::FieldError::new(&f, "err-unknown-unit")),
                Some((_, kind)) if kind != &scheme.unit_kind => {
                    errs.push(thidua_domain::FieldError::new(&f, "err-score-wrong-kind"))
                }
                Some((id, _)) => {
                    if scheme.compiled.indicator(&row.code).is_none() {
                        errs.push(thidua_domain::FieldError::new(
                            &f,
                            "err-score-unknown-indicator",
                        ));
                    } else if row.counts.denominator == 0 {
                        errs.push(thidua_domain::FieldError::new(
                            &f,
                            "err-score-zero-denominator",
                        ));
                    } else if row.counts.rate().is_none() {
                        errs.push(thidua_domain::FieldError::new(&f, "err-score-range"));
                    } else {
                        per_unit
                            .entry(id.clone())
                            .or_default()
                            .insert(row.code.clone(), row.counts);
                    }
                }
            }
            if errs.len() >= 100 {
                break;
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Domain(thidua_domain::DomainError::Invalid(
                errs,
            )));
        }
        let existing = self.assessments(scheme_id).await?;
        let mut tx = self.begin(ctx).await?;
        let t = now();
        for (unit_id, counts) in &per_unit {
            match existing.iter().find(|a| &a.unit_id == unit_id) {
                Some(a) if a.status != "draft" => {
                    return Err(refused("err-score-submitted"));
                }
                Some(a) => {
                    let mut input = a.input.clone();
                    input.indicators.extend(counts.clone());
                    let n = sqlx::query("UPDATE assessments SET input_json = $1, version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $4 AND version = $5")
                        .bind(serde_json::to_string(&input).unwrap_or_default())
                        .bind(by)
                        .bind(&t)
                        .bind(&a.id)
                        .bind(a.version)
                        .execute(&mut *tx.tx)
                        .await?;
                    if n.rows_affected() != 1 {
                        return Err(StoreError::Conflict {
                            current: serde_json::Value::Null,
                        });
                    }
                    tx.audit::<(), _>("import", "assessment", &a.id, None, Some(counts));
                }
                None => {
                    let id = new_id();
                    let input = Input {
                        indicators: counts.clone(),
                        ..Input::default()
                    };
                    sqlx::query("INSERT INTO assessments (id, scheme_id, unit_id, status, input_json, comments_json, version, updated_by, updated_at) VALUES ($1, $2, $3, 'draft', $4, '{}', 1, $5, $6)")
                        .bind(&id)
                        .bind(scheme_id)
                        .bind(unit_id)
                        .bind(serde_json::to_string(&input).unwrap_or_default())
                        .bind(by)
                        .bind(&t)
                        .execute(&mut *tx.tx)
                        .await
                        .map_err(|e| StoreError::duplicate_or(e, "unit_id", unit_id))?;
                    tx.audit::<(), _>("import", "assessment", &id, None, Some(counts));
                }
            }
        }
        tx.commit().await?;
        Ok(rows.len())
    }
}
