//! Councils, emulation years, legal documents, groups, conferences and elections.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::election::{self, Choice, Method, Outcome, Rule};
use thidua_domain::text;

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::units::like_pattern;

fn refused(key: &str, args: &[(&str, String)]) -> StoreError {
    StoreError::Refused {
        key: key.to_owned(),
        args: args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Council {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LegalDocument {
    pub id: String,
    /// luat, nghi_dinh, thong_tu, chi_thi, huong_dan, quyet_dinh, ke_hoach, nghi_quyet, khac
    pub kind: String,
    /// Number and symbol, e.g. "09/HD-VKSTC"
    pub number: String,
    pub date: Option<String>,
    pub issuer: String,
    pub title: String,
    pub file_id: Option<String>,
}

/// A stored file (a legal document's text, a conference's attachment).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileRef {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DocumentDraft {
    pub kind: String,
    pub number: String,
    pub date: Option<String>,
    pub issuer: String,
    pub title: String,
}

pub const DOC_KINDS: [&str; 9] = [
    "luat",
    "nghi_dinh",
    "thong_tu",
    "chi_thi",
    "huong_dan",
    "quyet_dinh",
    "ke_hoach",
    "nghi_quyet",
    "khac",
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmulationYear {
    pub id: String,
    pub council_id: String,
    pub year: i64,
    pub theme: String,
    pub motto: String,
    pub registration_deadline: Option<String>,
    pub self_assessment_deadline: Option<String>,
    pub review_deadline: Option<String>,
    pub documents: Vec<LegalDocument>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct YearDraft {
    pub year: i64,
    pub theme: String,
    pub motto: String,
    pub registration_deadline: Option<String>,
    pub self_assessment_deadline: Option<String>,
    pub review_deadline: Option<String>,
    #[serde(default)]
    pub document_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnitBrief {
    pub id: String,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub id: String,
    pub year_id: String,
    pub year: i64,
    pub council_id: String,
    /// cluster or block
    pub kind: String,
    pub number: i64,
    pub name: String,
    pub follower: Option<String>,
    pub head: Option<UnitBrief>,
    pub deputy: Option<UnitBrief>,
    /// How the head was chosen: "election", or the decision that appointed it
    pub head_basis: Option<String>,
    pub deputy_basis: Option<String>,
    /// draft, active, archived
    pub status: String,
    /// The members' leaders review each other's self-assessments (chấm chéo).
    pub cross_check: bool,
    pub members: Vec<UnitBrief>,
    pub predecessors: Vec<GroupRef>,
    pub successors: Vec<GroupRef>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupRef {
    pub id: String,
    pub year: i64,
    pub kind: String,
    pub number: i64,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct GroupDraft {
    /// cluster or block
    pub kind: String,
    pub number: i64,
    pub name: Option<String>,
    pub follower: Option<String>,
    #[serde(default)]
    pub member_ids: Vec<String>,
    #[serde(default)]
    pub predecessor_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BridgePoint {
    pub unit_id: String,
    #[serde(default)]
    pub unit_name: String,
    pub place: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Participant {
    pub name: String,
    pub person_id: Option<String>,
    pub unit_id: Option<String>,
    #[serde(default)]
    pub unit_name: Option<String>,
    /// e.g. chủ trì, thành viên, khách mời
    pub role: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conference {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub year: i64,
    /// pact_signing, election, mid_year, year_end, other
    pub kind: String,
    pub title: String,
    /// Local time in Vietnam, yyyy-mm-ddThh:mm
    pub starts_at: String,
    pub host: UnitBrief,
    pub venue: String,
    /// in_person, online, hybrid
    pub mode: String,
    pub agenda: Vec<String>,
    pub minutes: String,
    pub outcome: String,
    pub status: String,
    pub bridge_points: Vec<BridgePoint>,
    pub participants: Vec<Participant>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ConferenceDraft {
    pub kind: String,
    pub title: Option<String>,
    pub starts_at: String,
    pub host_unit_id: String,
    pub venue: String,
    pub mode: String,
    #[serde(default)]
    pub agenda: Vec<String>,
    #[serde(default)]
    pub bridge_points: Vec<BridgePoint>,
    #[serde(default)]
    pub participants: Vec<Participant>,
}

pub const CONFERENCE_KINDS: [&str; 5] =
    ["pact_signing", "election", "mid_year", "year_end", "other"];
pub const MODES: [&str; 3] = ["in_person", "online", "hybrid"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Election {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub conference_id: Option<String>,
    /// head or deputy
    pub office: String,
    /// open, secret, counted
    pub method: String,
    #[schema(value_type = Object)]
    pub rule: Rule,
    pub round: i64,
    pub previous_id: Option<String>,
    pub members: i64,
    /// open, closed, invalid
    pub status: String,
    pub candidates: Vec<UnitBrief>,
    /// Member units that have voted (never what they chose, for a secret ballot)
    pub voted: Vec<UnitBrief>,
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

/// One published ballot: for a secret ballot, after closing, receipt and choice only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublishedBallot {
    pub receipt: String,
    /// The chosen candidate's unit id; null for a blank ballot
    pub choice: Option<String>,
    pub choice_name: Option<String>,
    /// Only for open votes
    pub voter: Option<String>,
    /// Entered from a count in the room
    pub counted: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ElectionDraft {
    /// head or deputy
    pub office: String,
    /// open, secret, counted
    pub method: String,
    pub candidate_ids: Vec<String>,
    pub conference_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Rule>,
}

pub(crate) fn brief(r: &AnyRow, at: usize) -> Result<Option<UnitBrief>, sqlx::Error> {
    let id: Option<String> = r.try_get(at)?;
    Ok(match id {
        Some(id) => Some(UnitBrief {
            id,
            code: r.try_get(at + 1)?,
            name: r.try_get(at + 2)?,
            short_name: r.try_get(at + 3)?,
        }),
        None => None,
    })
}

async fn unit_brief(conn: &mut sqlx::AnyConnection, id: &str) -> Result<UnitBrief, StoreError> {
    let r = sqlx::query("SELECT id, code, name, short_name FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::field("unit_id", "err-unknown-unit"))?;
    brief(&r, 0)?.ok_or(StoreError::NotFound)
}

fn opt_date(field: &str, s: &Option<String>) -> Result<Option<String>, StoreError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => thidua_domain::unit::parse_date(v)
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .ok_or_else(|| StoreError::field(field, "err-bad-date")),
    }
}

fn required(field: &str, s: &str, max: usize) -> Result<String, StoreError> {
    let c = text::clean(s);
    if c.is_empty() {
        return Err(StoreError::field(field, "err-required"));
    }
    if c.chars().count() > max {
        return Err(StoreError::field(field, "err-too-long"));
    }
    Ok(c)
}

impl Store {
    // ---- councils ----

    pub async fn list_councils(&self) -> Result<Vec<Council>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.unit_id, u.name, c.name FROM councils c JOIN units u ON u.id = c.unit_id ORDER BY u.sort_key",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Council {
                    id: r.try_get(0)?,
                    unit_id: r.try_get(1)?,
                    unit_name: r.try_get(2)?,
                    name: r.try_get(3)?,
                })
            })
            .collect()
    }

    pub async fn get_council(&self, id: &str) -> Result<Council, StoreError> {
        self.cached(format!("council:{id}"), || self.get_council_uncached(id))
            .await
    }

    async fn get_council_uncached(&self, id: &str) -> Result<Council, StoreError> {
        let r = sqlx::query(
            "SELECT c.id, c.unit_id, u.name, c.name FROM councils c JOIN units u ON u.id = c.unit_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Council {
            id: r.try_get(0)?,
            unit_id: r.try_get(1)?,
            unit_name: r.try_get(2)?,
            name: r.try_get(3)?,
        })
    }

    pub async fn create_council(
        &self,
        ctx: &AuditCtx,
        unit_id: &str,
        name: &str,
    ) -> Result<Council, StoreError> {
        let name = required("name", name, 255)?;
        let mut tx = self.begin(ctx).await?;
        unit_brief(&mut tx.tx, unit_id).await?;
        let id = new_id();
        sqlx::query("INSERT INTO councils (id, unit_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(unit_id)
            .bind(&name)
            .bind(now())
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| StoreError::duplicate_or(e, "unit_id", unit_id))?;
        tx.audit::<(), _>(
            "create",
            "council",
            &id,
            None,
            Some(&serde_json::json!({"unit_id": unit_id, "name": name})),
        );
        tx.commit().await?;
        self.get_council(&id).await
    }

    // ---- legal documents ----

    pub async fn create_document(
        &self,
        ctx: &AuditCtx,
        d: &DocumentDraft,
        file: Option<(String, String, Vec<u8>)>,
    ) -> Result<LegalDocument, StoreError> {
        let kind = d.kind.trim().to_owned();
        if !DOC_KINDS.contains(&kind.as_str()) {
            return Err(StoreError::field("kind", "err-bad-request"));
        }
        let number = required("number", &d.number, 64)?;
        let issuer = required("issuer", &d.issuer, 255)?;
        let title = required("title", &d.title, 1000)?;
        let date = opt_date("date", &d.date)?;
        let mut tx = self.begin(ctx).await?;
        let file_id = match file {
            Some((name, ctype, bytes)) => Some(insert_file(&mut tx, &name, &ctype, &bytes).await?),
            None => None,
        };
        let id = new_id();
        let key = format!(
            "{} | {} | {}",
            text::fold(&number),
            text::fold(&title),
            text::fold(&issuer)
        );
        sqlx::query(
            "INSERT INTO legal_documents (id, kind, number, doc_date, issuer, title, file_id, search_key, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(&id)
        .bind(&kind)
        .bind(&number)
        .bind(&date)
        .bind(&issuer)
        .bind(&title)
        .bind(&file_id)
        .bind(&key)
        .bind(now())
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "number", &number))?;
        let doc = LegalDocument {
            id: id.clone(),
            kind,
            number,
            date,
            issuer,
            title,
            file_id,
        };
        tx.audit::<(), _>("create", "legal_document", &id, None, Some(&doc));
        tx.commit().await?;
        Ok(doc)
    }

    pub async fn list_documents(
        &self,
        q: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LegalDocument>, StoreError> {
        let rows = match q.map(text::fold).filter(|s| !s.is_empty()) {
            Some(s) => {
                sqlx::query(
                    "SELECT id, kind, number, doc_date, issuer, title, file_id FROM legal_documents \
                     WHERE search_key LIKE $1 ESCAPE '\\' ORDER BY doc_date DESC, number LIMIT $2",
                )
                .bind(like_pattern(&s))
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT id, kind, number, doc_date, issuer, title, file_id FROM legal_documents ORDER BY doc_date DESC, number LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
        };
        rows.iter()
            .map(doc_from_row)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    pub async fn get_document(&self, id: &str) -> Result<LegalDocument, StoreError> {
        let r = sqlx::query("SELECT id, kind, number, doc_date, issuer, title, file_id FROM legal_documents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(doc_from_row(&r)?)
    }

    pub async fn document_by_number(
        &self,
        number: &str,
        date: Option<&str>,
    ) -> Result<Option<LegalDocument>, StoreError> {
        let r = sqlx::query(
            "SELECT id, kind, number, doc_date, issuer, title, file_id FROM legal_documents WHERE number = $1 AND (doc_date = $2 OR $2 IS NULL) ORDER BY doc_date DESC LIMIT 1",
        )
            .bind(number)
            .bind(date)
            .fetch_optional(&self.read)
            .await?;
        Ok(r.map(|r| doc_from_row(&r)).transpose()?)
    }

    /// Attach (or replace) the file of a legal document.
    pub async fn attach_document_file(
        &self,
        ctx: &AuditCtx,
        doc_id: &str,
        name: &str,
        ctype: &str,
        bytes: &[u8],
    ) -> Result<LegalDocument, StoreError> {
        let before = self.get_document(doc_id).await?;
        let mut tx = self.begin(ctx).await?;
        let file_id = insert_file(&mut tx, name, ctype, bytes).await?;
        sqlx::query("UPDATE legal_documents SET file_id = $1, version = version + 1 WHERE id = $2")
            .bind(&file_id)
            .bind(doc_id)
            .execute(&mut *tx.tx)
            .await?;
        let mut after = before.clone();
        after.file_id = Some(file_id);
        tx.audit(
            "attach_file",
            "legal_document",
            doc_id,
            Some(&before),
            Some(&after),
        );
        tx.commit().await?;
        Ok(after)
    }

    /// Attach a file (minutes, photos, signed scans) to a conference.
    pub async fn add_conference_file(
        &self,
        ctx: &AuditCtx,
        conference_id: &str,
        name: &str,
        ctype: &str,
        bytes: &[u8],
    ) -> Result<FileRef, StoreError> {
        self.get_conference(conference_id).await?;
        let mut tx = self.begin(ctx).await?;
        let file_id = insert_file(&mut tx, name, ctype, bytes).await?;
        sqlx::query("INSERT INTO conference_files (conference_id, file_id) VALUES ($1, $2)")
            .bind(conference_id)
            .bind(&file_id)
            .execute(&mut *tx.tx)
            .await?;
        let f = FileRef {
            id: file_id,
            name: name.to_owned(),
            content_type: ctype.to_owned(),
            size: bytes.len() as i64,
        };
        tx.audit::<(), _>("attach_file", "conference", conference_id, None, Some(&f));
        tx.commit().await?;
        Ok(f)
    }

    pub async fn conference_files(&self, conference_id: &str) -> Result<Vec<FileRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.name, f.content_type, f.size FROM conference_files c JOIN files f ON f.id = c.file_id \
             WHERE c.conference_id = $1 ORDER BY f.created_at",
        )
        .bind(conference_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FileRef {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    content_type: r.try_get(2)?,
                    size: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// A stored file: (name, content type, bytes).
    pub async fn get_file(&self, id: &str) -> Result<(String, String, Vec<u8>), StoreError> {
        let r = sqlx::query("SELECT name, content_type, data FROM files WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
    }

    // ---- years ----

    pub async fn create_year(
        &self,
        ctx: &AuditCtx,
        council_id: &str,
        d: &YearDraft,
    ) -> Result<EmulationYear, StoreError> {
        if !(2000..=2100).contains(&d.year) {
            return Err(StoreError::field("year", "err-bad-request"));
        }
        // Some years' theme or motto is not known (older records); they may stay empty.
        let theme = text::clean(&d.theme);
        let motto = text::clean(&d.motto);
        if theme.chars().count() > 1000 || motto.chars().count() > 1000 {
            return Err(StoreError::field("theme", "err-too-long"));
        }
        let reg = opt_date("registration_deadline", &d.registration_deadline)?;
        let selfa = opt_date("self_assessment_deadline", &d.self_assessment_deadline)?;
        let rev = opt_date("review_deadline", &d.review_deadline)?;
        let mut tx = self.begin(ctx).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO emulation_years (id, council_id, year, theme, motto, registration_deadline, self_assessment_deadline, review_deadline, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(&id)
        .bind(council_id)
        .bind(d.year)
        .bind(&theme)
        .bind(&motto)
        .bind(&reg)
        .bind(&selfa)
        .bind(&rev)
        .bind(now())
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "year", &d.year.to_string()))?;
        for doc in &d.document_ids {
            sqlx::query("INSERT INTO year_documents (year_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(doc)
                .execute(&mut *tx.tx)
                .await
                .map_err(|_| StoreError::field("document_ids", "err-not-found"))?;
        }
        tx.audit::<(), _>("create", "emulation_year", &id, None, Some(&serde_json::json!({"council_id": council_id, "year": d.year, "theme": theme, "motto": motto})));
        tx.commit().await?;
        self.get_year(&id).await
    }

    pub async fn get_year(&self, id: &str) -> Result<EmulationYear, StoreError> {
        self.cached(format!("year:{id}"), || self.get_year_uncached(id))
            .await
    }

    async fn get_year_uncached(&self, id: &str) -> Result<EmulationYear, StoreError> {
        let r = sqlx::query(
            "SELECT id, council_id, year, theme, motto, registration_deadline, self_assessment_deadline, review_deadline, version FROM emulation_years WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let docs = sqlx::query(
            "SELECT d.id, d.kind, d.number, d.doc_date, d.issuer, d.title, d.file_id FROM year_documents y \
             JOIN legal_documents d ON d.id = y.document_id WHERE y.year_id = $1 ORDER BY d.doc_date, d.number",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        Ok(EmulationYear {
            id: r.try_get(0)?,
            council_id: r.try_get(1)?,
            year: r.try_get(2)?,
            theme: r.try_get(3)?,
            motto: r.try_get(4)?,
            registration_deadline: r.try_get(5)?,
            self_assessment_deadline: r.try_get(6)?,
            review_deadline: r.try_get(7)?,
            documents: docs.iter().map(doc_from_row).collect::<Result<_, _>>()?,
            version: r.try_get(8)?,
        })
    }

    pub async fn years_of(&self, council_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, year FROM emulation_years WHERE council_id = $1 ORDER BY year DESC",
        )
        .bind(council_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    pub async fn year_of(&self, council_id: &str, year: i64) -> Result<Option<String>, StoreError> {
        let r = sqlx::query("SELECT id FROM emulation_years WHERE council_id = $1 AND year = $2")
            .bind(council_id)
            .bind(year)
            .fetch_optional(&self.read)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    // ---- groups ----

    pub async fn create_group(
        &self,
        ctx: &AuditCtx,
        year_id: &str,
        d: &GroupDraft,
        status: &str,
    ) -> Result<Group, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let id = insert_group(&mut tx, year_id, d, status).await?;
        let g = group_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "group", &id, None, Some(&g));
        tx.commit().await?;
        Ok(g)
    }

    pub async fn get_group(&self, id: &str) -> Result<Group, StoreError> {
        self.cached(format!("group:{id}"), || self.get_group_uncached(id))
            .await
    }

    async fn get_group_uncached(&self, id: &str) -> Result<Group, StoreError> {
        let mut conn = self.read.acquire().await?;
        group_tx(&mut conn, id).await
    }

    pub async fn groups_of_year(&self, year_id: &str) -> Result<Vec<Group>, StoreError> {
        let ids = self
            .ids(
                "SELECT id FROM emulation_groups WHERE year_id = $1 ORDER BY kind, number",
                year_id,
            )
            .await?;
        self.load_each(ids, group_tx).await
    }

    /// Groups a unit belonged to, across years (newest first).
    pub async fn groups_of_unit(&self, unit_id: &str) -> Result<Vec<GroupRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, y.year, g.kind, g.number, g.name FROM group_members m JOIN emulation_groups g ON g.id = m.group_id \
             JOIN emulation_years y ON y.id = g.year_id WHERE m.unit_id = $1 ORDER BY y.year DESC",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(group_ref)
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    pub async fn add_member(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        unit_id: &str,
    ) -> Result<Group, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let g = group_tx(&mut tx.tx, group_id).await?;
        insert_member(&mut tx, &g.year_id, group_id, unit_id).await?;
        bump_group(&mut tx, group_id).await?;
        let after = group_tx(&mut tx.tx, group_id).await?;
        tx.audit("add_member", "group", group_id, Some(&g), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn remove_member(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        unit_id: &str,
    ) -> Result<Group, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let g = group_tx(&mut tx.tx, group_id).await?;
        let voted = sqlx::query(
            "SELECT COUNT(*) FROM election_voters v JOIN elections e ON e.id = v.election_id WHERE e.group_id = $1 AND v.unit_id = $2",
        )
        .bind(group_id)
        .bind(unit_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get::<i64, _>(0)?;
        if voted > 0
            || g.head.as_ref().is_some_and(|h| h.id == unit_id)
            || g.deputy.as_ref().is_some_and(|h| h.id == unit_id)
        {
            return Err(refused("err-member-has-history", &[]));
        }
        let n = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND unit_id = $2")
            .bind(group_id)
            .bind(unit_id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        bump_group(&mut tx, group_id).await?;
        let after = group_tx(&mut tx.tx, group_id).await?;
        tx.audit("remove_member", "group", group_id, Some(&g), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Record the head or deputy by a council's decision (or fix a record).
    pub async fn appoint(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        office: &str,
        unit_id: &str,
        basis: &str,
    ) -> Result<Group, StoreError> {
        let basis = required("basis", basis, 255)?;
        let mut tx = self.begin(ctx).await?;
        let before = group_tx(&mut tx.tx, group_id).await?;
        set_office(&mut tx, &before, office, unit_id, &basis).await?;
        let after = group_tx(&mut tx.tx, group_id).await?;
        tx.audit("appoint", "group", group_id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Turn the group's cross-check on or off; `version` guards against a stale form.
    pub async fn set_cross_check(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        on: bool,
        version: Option<i64>,
    ) -> Result<Group, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = group_tx(&mut tx.tx, group_id).await?;
        if let Some(v) = version {
            if v != before.version {
                return Err(StoreError::Conflict {
                    current: serde_json::to_value(&before).unwrap_or_default(),
                });
            }
        }
        sqlx::query(
            "UPDATE emulation_groups SET cross_check = $1, version = version + 1 WHERE id = $2",
        )
        .bind(i64::from(on))
        .bind(group_id)
        .execute(&mut *tx.tx)
        .await?;
        let after = group_tx(&mut tx.tx, group_id).await?;
        tx.audit(
            "set_cross_check",
            "group",
            group_id,
            Some(&before),
            Some(&after),
        );
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_group_status(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        status: &str,
    ) -> Result<Group, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = group_tx(&mut tx.tx, group_id).await?;
        sqlx::query("UPDATE emulation_groups SET status = $1, version = version + 1 WHERE id = $2")
            .bind(status)
            .bind(group_id)
            .execute(&mut *tx.tx)
            .await?;
        let after = group_tx(&mut tx.tx, group_id).await?;
        tx.audit("set_status", "group", group_id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Delete a group that has no history; one with conferences, elections or successors
    /// must be archived instead.
    pub async fn delete_group(&self, ctx: &AuditCtx, group_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let g = group_tx(&mut tx.tx, group_id).await?;
        let history: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM conferences WHERE group_id = $1) + (SELECT COUNT(*) FROM elections WHERE group_id = $1) \
             + (SELECT COUNT(*) FROM group_predecessors WHERE predecessor_id = $1)",
        )
        .bind(group_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?;
        if history > 0 || g.head.is_some() {
            return Err(refused("err-has-history", &[]));
        }
        for sql in [
            "DELETE FROM group_members WHERE group_id = $1",
            "DELETE FROM group_predecessors WHERE group_id = $1",
            "DELETE FROM emulation_groups WHERE id = $1",
        ] {
            sqlx::query(sql).bind(group_id).execute(&mut *tx.tx).await?;
        }
        tx.audit::<_, ()>("delete", "group", group_id, Some(&g), None);
        tx.commit().await?;
        Ok(())
    }

    /// Copy last year's groups into `to_year_id` as drafts: same kind, number, name and the
    /// members still in force that year; each keeps its predecessor.
    pub async fn carry_over(
        &self,
        ctx: &AuditCtx,
        from_year_id: &str,
        to_year_id: &str,
    ) -> Result<usize, StoreError> {
        let to = self.get_year(to_year_id).await?;
        let from = self.groups_of_year(from_year_id).await?;
        let first_day = format!("{}-01-01", to.year);
        let mut tx = self.begin(ctx).await?;
        let mut n = 0;
        for g in from {
            let exists = sqlx::query(
                "SELECT id FROM emulation_groups WHERE year_id = $1 AND kind = $2 AND number = $3",
            )
            .bind(to_year_id)
            .bind(&g.kind)
            .bind(g.number)
            .fetch_optional(&mut *tx.tx)
            .await?;
            if exists.is_some() {
                continue;
            }
            let mut members = Vec::new();
            for m in &g.members {
                let r = sqlx::query("SELECT valid_to FROM units WHERE id = $1")
                    .bind(&m.id)
                    .fetch_one(&mut *tx.tx)
                    .await?;
                let valid_to: Option<String> = r.try_get(0)?;
                let taken =
                    sqlx::query("SELECT 1 FROM group_members WHERE year_id = $1 AND unit_id = $2")
                        .bind(to_year_id)
                        .bind(&m.id)
                        .fetch_optional(&mut *tx.tx)
                        .await?;
                if valid_to.as_deref().is_none_or(|t| t >= first_day.as_str()) && taken.is_none() {
                    members.push(m.id.clone());
                }
            }
            let d = GroupDraft {
                kind: g.kind.clone(),
                number: g.number,
                name: Some(g.name.clone()),
                follower: g.follower.clone(),
                member_ids: members,
                predecessor_ids: vec![g.id.clone()],
            };
            let id = insert_group(&mut tx, to_year_id, &d, "draft").await?;
            let created = group_tx(&mut tx.tx, &id).await?;
            tx.audit::<(), _>("carry_over", "group", &id, None, Some(&created));
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Units under the council's unit, in force during the year, in no group of that year.
    pub async fn unassigned_units(&self, year_id: &str) -> Result<Vec<UnitBrief>, StoreError> {
        self.cached(format!("unassigned:{year_id}"), || {
            self.unassigned_units_uncached(year_id)
        })
        .await
    }

    async fn unassigned_units_uncached(&self, year_id: &str) -> Result<Vec<UnitBrief>, StoreError> {
        let y = self.get_year(year_id).await?;
        let council = self.get_council(&y.council_id).await?;
        let units = self.all_units().await?;
        let parent: HashMap<&str, Option<&str>> = units
            .iter()
            .map(|u| (u.id.as_str(), u.parent_id.as_deref()))
            .collect();
        let assigned: HashSet<String> =
            sqlx::query("SELECT unit_id FROM group_members WHERE year_id = $1")
                .bind(year_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
        let (start, end) = (format!("{}-01-01", y.year), format!("{}-12-31", y.year));
        let under = |id: &str| {
            let mut cur = parent.get(id).copied().flatten();
            for _ in 0..32 {
                match cur {
                    Some(p) if p == council.unit_id => return true,
                    Some(p) => cur = parent.get(p).copied().flatten(),
                    None => return false,
                }
            }
            false
        };
        Ok(units
            .iter()
            .filter(|u| u.kind != "division")
            .filter(|u| {
                u.valid_from.as_deref().is_none_or(|f| f <= end.as_str())
                    && u.valid_to.as_deref().is_none_or(|t| t >= start.as_str())
            })
            .filter(|u| !assigned.contains(&u.id) && under(&u.id))
            .map(|u| UnitBrief {
                id: u.id.clone(),
                code: u.code.clone(),
                name: u.name.clone(),
                short_name: u.short_name.clone(),
            })
            .collect())
    }

    /// The group's line across years: its predecessors back and its successors forward.
    pub async fn group_timeline(&self, group_id: &str) -> Result<Vec<GroupRef>, StoreError> {
        self.cached(format!("timeline:{group_id}"), || {
            self.group_timeline_uncached(group_id)
        })
        .await
    }

    async fn group_timeline_uncached(&self, group_id: &str) -> Result<Vec<GroupRef>, StoreError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut frontier = vec![group_id.to_owned()];
        for _ in 0..20 {
            let mut next = Vec::new();
            for id in frontier {
                if !seen.insert(id.clone()) {
                    continue;
                }
                let r = sqlx::query(
                    "SELECT g.id, y.year, g.kind, g.number, g.name FROM emulation_groups g JOIN emulation_years y ON y.id = g.year_id WHERE g.id = $1",
                )
                .bind(&id)
                .fetch_one(&self.read)
                .await?;
                out.push(group_ref(&r)?);
                for sql in [
                    "SELECT predecessor_id FROM group_predecessors WHERE group_id = $1",
                    "SELECT group_id FROM group_predecessors WHERE predecessor_id = $1",
                ] {
                    for r in sqlx::query(sql).bind(&id).fetch_all(&self.read).await? {
                        next.push(r.try_get::<String, _>(0)?);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        out.sort_by(|a, b| (a.year, &a.kind, a.number).cmp(&(b.year, &b.kind, b.number)));
        Ok(out)
    }

    // ---- conferences ----

    pub async fn create_conference(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        d: &ConferenceDraft,
    ) -> Result<Conference, StoreError> {
        let g = self.get_group(group_id).await?;
        if !CONFERENCE_KINDS.contains(&d.kind.as_str()) {
            return Err(StoreError::field("kind", "err-bad-request"));
        }
        if !MODES.contains(&d.mode.as_str()) {
            return Err(StoreError::field("mode", "err-bad-request"));
        }
        let starts = chrono::NaiveDateTime::parse_from_str(d.starts_at.trim(), "%Y-%m-%dT%H:%M")
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(d.starts_at.trim(), "%Y-%m-%d")
                    .map(|d| d.and_hms_opt(8, 0, 0).unwrap_or_default())
            })
            .map_err(|_| StoreError::field("starts_at", "err-bad-date"))?;
        use chrono::Datelike;
        if i64::from(starts.year()) != g.year {
            return Err(StoreError::Domain(thidua_domain::DomainError::field(
                "starts_at",
                "err-date-outside-year",
            )));
        }
        let venue = required("venue", &d.venue, 500)?;
        let title = match d
            .title
            .as_deref()
            .map(text::clean)
            .filter(|t| !t.is_empty())
        {
            Some(t) => t,
            None => format!("Hội nghị {}", g.name),
        };
        let agenda: Vec<String> = d
            .agenda
            .iter()
            .map(|a| text::clean(a))
            .filter(|a| !a.is_empty())
            .collect();
        let mut tx = self.begin(ctx).await?;
        unit_brief(&mut tx.tx, &d.host_unit_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO conferences (id, group_id, kind, title, starts_at, host_unit_id, venue, mode, agenda, minutes, outcome, status, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', '', 'planned', 1, $10)",
        )
        .bind(&id)
        .bind(group_id)
        .bind(&d.kind)
        .bind(&title)
        .bind(starts.format("%Y-%m-%dT%H:%M").to_string())
        .bind(&d.host_unit_id)
        .bind(&venue)
        .bind(&d.mode)
        .bind(serde_json::to_string(&agenda).unwrap_or_default())
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        for (i, b) in d.bridge_points.iter().enumerate() {
            unit_brief(&mut tx.tx, &b.unit_id).await?;
            sqlx::query("INSERT INTO bridge_points (id, conference_id, unit_id, place, position) VALUES ($1, $2, $3, $4, $5)")
                .bind(new_id())
                .bind(&id)
                .bind(&b.unit_id)
                .bind(required("place", &b.place, 500)?)
                .bind(i as i64)
                .execute(&mut *tx.tx)
                .await?;
        }
        for (i, p) in d.participants.iter().enumerate() {
            if let Some(u) = &p.unit_id {
                unit_brief(&mut tx.tx, u).await?;
            }
            sqlx::query("INSERT INTO participants (id, conference_id, person_id, name, unit_id, role, position) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(new_id())
                .bind(&id)
                .bind(&p.person_id)
                .bind(required("participants", &p.name, 255)?)
                .bind(&p.unit_id)
                .bind(text::clean(&p.role))
                .bind(i as i64)
                .execute(&mut *tx.tx)
                .await?;
        }
        let c = conference_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "conference", &id, None, Some(&c));
        tx.commit().await?;
        Ok(c)
    }

    pub async fn get_conference(&self, id: &str) -> Result<Conference, StoreError> {
        self.cached(format!("conference:{id}"), || {
            self.get_conference_uncached(id)
        })
        .await
    }

    async fn get_conference_uncached(&self, id: &str) -> Result<Conference, StoreError> {
        let mut conn = self.read.acquire().await?;
        conference_tx(&mut conn, id).await
    }

    pub async fn conferences_of(&self, group_id: &str) -> Result<Vec<Conference>, StoreError> {
        self.cached(format!("conferences:{group_id}"), || {
            self.conferences_of_uncached(group_id)
        })
        .await
    }

    async fn conferences_of_uncached(&self, group_id: &str) -> Result<Vec<Conference>, StoreError> {
        let ids = self
            .ids(
                "SELECT id FROM conferences WHERE group_id = $1 ORDER BY starts_at",
                group_id,
            )
            .await?;
        self.load_each(ids, conference_tx).await
    }

    /// The most recent conferences of all groups, newest first.
    pub async fn recent_conferences(&self, limit: i64) -> Result<Vec<Conference>, StoreError> {
        self.cached(format!("recent_conferences:{limit}"), || async move {
            let ids: Vec<String> =
                sqlx::query("SELECT id FROM conferences ORDER BY starts_at DESC LIMIT $1")
                    .bind(limit)
                    .fetch_all(&self.read)
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
            self.load_each(ids, conference_tx).await
        })
        .await
    }

    pub async fn update_minutes(
        &self,
        ctx: &AuditCtx,
        id: &str,
        minutes: &str,
        outcome: &str,
        status: Option<&str>,
        version: i64,
    ) -> Result<Conference, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = conference_tx(&mut tx.tx, id).await?;
        if before.version != version {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&before).unwrap_or_default(),
            });
        }
        let status = match status {
            Some(s) if ["planned", "held", "cancelled"].contains(&s) => s.to_owned(),
            Some(_) => return Err(StoreError::field("status", "err-bad-request")),
            None => before.status.clone(),
        };
        sqlx::query("UPDATE conferences SET minutes = $1, outcome = $2, status = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(minutes.trim())
            .bind(outcome.trim())
            .bind(&status)
            .bind(id)
            .bind(version)
            .execute(&mut *tx.tx)
            .await?;
        let after = conference_tx(&mut tx.tx, id).await?;
        tx.audit(
            "update_minutes",
            "conference",
            id,
            Some(&before),
            Some(&after),
        );
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_conference(&self, ctx: &AuditCtx, id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let c = conference_tx(&mut tx.tx, id).await?;
        // Whatever points at the conference is its history: elections held there, documents
        // adopted there, the news written about it.
        let refs: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM elections WHERE conference_id = $1) \
                  + (SELECT COUNT(*) FROM group_documents WHERE conference_id = $1) \
                  + (SELECT COUNT(*) FROM document_versions WHERE adopted_conference_id = $1) \
                  + (SELECT COUNT(*) FROM news_articles WHERE conference_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get(0)?;
        if refs > 0 || !c.minutes.is_empty() || c.status == "held" {
            return Err(refused("err-has-history", &[]));
        }
        for sql in [
            "DELETE FROM bridge_points WHERE conference_id = $1",
            "DELETE FROM participants WHERE conference_id = $1",
            "DELETE FROM conference_files WHERE conference_id = $1",
            "DELETE FROM conferences WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx.tx).await?;
        }
        tx.audit::<_, ()>("delete", "conference", id, Some(&c), None);
        tx.commit().await?;
        Ok(())
    }

    // ---- elections ----

    pub async fn open_election(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        d: &ElectionDraft,
        opened_by: &str,
    ) -> Result<Election, StoreError> {
        let g = self.get_group(group_id).await?;
        // Year-end acclaim votes (suy tôn) reuse the machinery: office "acclaim:<title>".
        let acclaim = d.office.strip_prefix("acclaim:");
        if let Some(code) = acclaim {
            let ok = thidua_domain::titles::title(code)
                .is_some_and(|t| t.kind == thidua_domain::titles::TitleKind::Collective);
            if !ok {
                return Err(StoreError::field("office", "err-bad-request"));
            }
        } else if !["head", "deputy"].contains(&d.office.as_str()) {
            return Err(StoreError::field("office", "err-bad-request"));
        }
        if Method::parse(&d.method).is_none() {
            return Err(StoreError::field("method", "err-bad-request"));
        }
        if d.candidate_ids.is_empty() {
            return Err(StoreError::field("candidate_ids", "err-no-candidates"));
        }
        let member_ids: HashSet<&str> = g.members.iter().map(|m| m.id.as_str()).collect();
        let mut seen = HashSet::new();
        for c in &d.candidate_ids {
            if !member_ids.contains(c.as_str()) || !seen.insert(c) {
                return Err(StoreError::field(
                    "candidate_ids",
                    "err-candidate-not-member",
                ));
            }
        }
        if g.members.is_empty() {
            return Err(StoreError::field("candidate_ids", "err-no-candidates"));
        }
        if let Some(c) = &d.conference_id {
            let conf = self.get_conference(c).await?;
            if conf.group_id != group_id {
                return Err(StoreError::field("conference_id", "err-bad-request"));
            }
        }
        // An acclaim counts by the title's threshold of that year, whatever the caller
        // asks: the threshold is the rules' data, not the host's choice.
        let data_rule = acclaim.and_then(|code| {
            thidua_domain::proposal::year_end_rules(g.year as i32)
                .and_then(|r| r.acclaim_for(code))
                .map(|a| a.vote_rule())
        });
        let rule = data_rule.or(d.rule).unwrap_or_default();
        let mut tx = self.begin(ctx).await?;
        let id = insert_election(&mut tx, &g, d, &rule, 1, None, opened_by).await?;
        let e = election_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("open", "election", &id, None, Some(&e));
        tx.commit().await?;
        Ok(e)
    }

    /// The group an election belongs to.
    pub async fn election_group(&self, id: &str) -> Result<String, StoreError> {
        let r = sqlx::query("SELECT group_id FROM elections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.try_get(0)?)
    }

    /// The member unit ids of a group.
    pub async fn group_member_ids(&self, group_id: &str) -> Result<Vec<String>, StoreError> {
        self.ids(
            "SELECT unit_id FROM group_members WHERE group_id = $1",
            group_id,
        )
        .await
    }

    pub async fn get_election(&self, id: &str) -> Result<Election, StoreError> {
        let mut conn = self.read.acquire().await?;
        election_tx(&mut conn, id).await
    }

    pub async fn elections_of(&self, group_id: &str) -> Result<Vec<Election>, StoreError> {
        // Ballots change a group's elections and only them (a narrow write, `group:<id>`).
        self.cached_in(
            &[&format!("group:{group_id}")],
            format!("elections:{group_id}"),
            || self.elections_of_uncached(group_id),
        )
        .await
    }

    /// Three queries whatever the number of elections (a group's page lists them all).
    async fn elections_of_uncached(&self, group_id: &str) -> Result<Vec<Election>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = sqlx::query(&format!(
            "{ELECTION_SELECT} WHERE e.group_id = $1 ORDER BY e.opened_at, e.round"
        ))
        .bind(group_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut cands = election_people(
            &mut conn,
            "SELECT c.election_id, u.id, u.code, u.name, u.short_name FROM election_candidates c JOIN elections e ON e.id = c.election_id \
             JOIN units u ON u.id = c.unit_id WHERE e.group_id = $1 ORDER BY c.election_id, c.position",
            group_id,
        )
        .await?;
        let mut voted = election_people(
            &mut conn,
            "SELECT v.election_id, u.id, u.code, u.name, u.short_name FROM election_voters v JOIN elections e ON e.id = v.election_id \
             JOIN units u ON u.id = v.unit_id WHERE e.group_id = $1 ORDER BY v.election_id, u.sort_key",
            group_id,
        )
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                let c = cands.remove(&id).unwrap_or_default();
                let v = voted.remove(&id).unwrap_or_default();
                election_from(r, c, v)
            })
            .collect()
    }

    /// Cast the ballot of `voter_unit_id` (a member) through `user_id` (its leader). Returns
    /// the receipt. One ballot per unit: the voters table's key refuses a second one even
    /// when both arrive together; a closed election refuses ballots.
    pub async fn cast_ballot(
        &self,
        ctx: &AuditCtx,
        election_id: &str,
        voter_unit_id: &str,
        user_id: &str,
        choice: Option<&str>,
        receipt: &str,
    ) -> Result<String, StoreError> {
        self.ballots
            .cast(crate::ballots::BallotRequest {
                ctx: ctx.clone(),
                election_id: election_id.to_owned(),
                voter_unit_id: voter_unit_id.to_owned(),
                user_id: user_id.to_owned(),
                choice: choice.map(str::to_owned),
                receipt: receipt.to_owned(),
            })
            .await
    }

    /// Enter a count from the room (show of hands): votes per candidate and blank.
    pub async fn enter_count(
        &self,
        ctx: &AuditCtx,
        election_id: &str,
        counts: &[(String, i64)],
        blank: i64,
        receipts: &mut (dyn FnMut() -> String + Send),
    ) -> Result<Election, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let open = sqlx::query("UPDATE elections SET version = version + 1 WHERE id = $1 AND status = 'open' AND method = 'counted'")
            .bind(election_id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if open == 0 {
            return Err(refused("err-election-closed", &[]));
        }
        let e = election_tx(&mut tx.tx, election_id).await?;
        let already: i64 = sqlx::query("SELECT COUNT(*) FROM ballots WHERE election_id = $1")
            .bind(election_id)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get(0)?;
        if already > 0 {
            return Err(refused("err-already-voted", &[]));
        }
        let total: i64 = counts.iter().map(|c| c.1).sum::<i64>() + blank;
        if counts.iter().any(|c| c.1 < 0) || blank < 0 || total > e.members {
            return Err(StoreError::field("counts", "err-count-too-high"));
        }
        for (cand, n) in counts
            .iter()
            .map(|(c, n)| (Some(c.as_str()), *n))
            .chain(std::iter::once((None, blank)))
        {
            if let Some(c) = cand {
                if !e.candidates.iter().any(|x| x.id == c) {
                    return Err(StoreError::field("counts", "err-candidate-not-member"));
                }
            }
            for _ in 0..n {
                sqlx::query("INSERT INTO ballots (id, election_id, receipt, choice_unit_id, voter_unit_id, counted) VALUES ($1, $2, $3, $4, NULL, 1)")
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(election_id)
                    .bind(receipts())
                    .bind(cand)
                    .execute(&mut *tx.tx)
                    .await?;
            }
        }
        tx.audit::<(), _>(
            "enter_count",
            "election",
            election_id,
            None,
            Some(&serde_json::json!({"counts": counts, "blank": blank})),
        );
        let after = election_tx(&mut tx.tx, election_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Close: tally by the election's rule. Elected: the group's head or deputy is recorded
    /// and a line goes into the minutes. A tie or no majority opens the next round. Below
    /// quorum: refused, unless `accept_invalid`, which closes it as invalid.
    pub async fn close_election(
        &self,
        ctx: &AuditCtx,
        election_id: &str,
        accept_invalid: bool,
        opened_by: &str,
    ) -> Result<Election, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let n = sqlx::query(
            "UPDATE elections SET status = 'closing' WHERE id = $1 AND status = 'open'",
        )
        .bind(election_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(refused("err-election-closed", &[]));
        }
        let e = election_tx(&mut tx.tx, election_id).await?;
        // A secret vote's sealed ballots are opened now and stored in the order of their
        // receipts; if the close is refused below, the transaction keeps them sealed.
        let key = crate::ballots::key(&self.ballot_key);
        let opened = crate::ballots::open_box(
            &mut tx.tx,
            &key,
            crate::ballots::Vote::Election(election_id),
        )
        .await?;
        for b in &opened {
            sqlx::query("INSERT INTO ballots (id, election_id, receipt, choice_unit_id, voter_unit_id, counted) VALUES ($1, $2, $3, $4, NULL, 0)")
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(election_id)
                .bind(&b.receipt)
                .bind(&b.choice)
                .execute(&mut *tx.tx)
                .await?;
        }
        let ballots = ballots_tx(&mut tx.tx, election_id).await?;
        let choices: Vec<Choice> = ballots
            .iter()
            .map(|b| b.choice.clone().map_or(Choice::Blank, Choice::For))
            .collect();
        let cands: Vec<String> = e.candidates.iter().map(|c| c.id.clone()).collect();
        let t = election::tally(&e.rule, e.members as u32, &cands, &choices)
            .map_err(|err| StoreError::rule(&format!("err-tally: {err}")))?;
        let mut status = "closed";
        let acclaim = e.office.strip_prefix("acclaim:").map(str::to_owned);
        match &t.outcome {
            // An acclaim records its counts in the minutes and opens no further round: the
            // unit reached the title's threshold or it did not.
            Outcome::Elected { .. } | Outcome::Tie { .. } | Outcome::NoMajority { .. }
                if acclaim.is_some() =>
            {
                if let Some(conf) = &e.conference_id {
                    let code = acclaim.as_deref().unwrap_or_default();
                    let title = thidua_domain::titles::title(code).map_or(code, |t| t.name_vi);
                    let name = |id: &str| {
                        e.candidates
                            .iter()
                            .find(|c| c.id == id)
                            .map(|c| c.name.clone())
                            .unwrap_or_default()
                    };
                    let counts: Vec<String> = t
                        .counts
                        .iter()
                        .map(|c| format!("{}: {}/{}", name(&c.candidate), c.votes, e.members))
                        .collect();
                    let verdict = match &t.outcome {
                        Outcome::Elected { candidate, .. } => format!(
                            "{} được suy tôn (cần {}/{} phiếu)",
                            name(candidate),
                            t.votes_needed_to_win,
                            e.members
                        ),
                        _ => format!(
                            "không đơn vị nào đạt {}/{} phiếu",
                            t.votes_needed_to_win, e.members
                        ),
                    };
                    let line = format!(
                        "Kết quả bình xét, suy tôn {title} ({} phiếu bầu, {} phiếu trống): {}; {verdict}.",
                        t.cast,
                        t.blank,
                        counts.join("; ")
                    );
                    sqlx::query("UPDATE conferences SET minutes = CASE WHEN minutes = '' THEN $1 ELSE minutes || $2 END, version = version + 1 WHERE id = $3")
                        .bind(&line)
                        .bind(format!("\n{line}"))
                        .bind(conf)
                        .execute(&mut *tx.tx)
                        .await?;
                }
            }
            Outcome::BelowQuorum { needed, .. } => {
                if !accept_invalid {
                    return Err(refused(
                        "err-below-quorum",
                        &[("needed", needed.to_string())],
                    ));
                }
                status = "invalid";
            }
            Outcome::Elected { candidate, .. } => {
                let g = group_tx(&mut tx.tx, &e.group_id).await?;
                set_office(&mut tx, &g, &e.office, candidate, "election").await?;
                if let Some(conf) = &e.conference_id {
                    let name = e
                        .candidates
                        .iter()
                        .find(|c| &c.id == candidate)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    let office = if e.office == "head" {
                        "trưởng"
                    } else {
                        "phó"
                    };
                    let kind = if g.kind == "block" { "Khối" } else { "Cụm" };
                    let line = format!(
                        "Kết quả biểu quyết (vòng {}): {} được bầu làm {kind} {office} {} năm {} với {}/{} phiếu.",
                        e.round, name, g.name, g.year, t.counts.iter().find(|c| &c.candidate == candidate).map_or(0, |c| c.votes), e.members
                    );
                    sqlx::query("UPDATE conferences SET minutes = CASE WHEN minutes = '' THEN $1 ELSE minutes || $2 END, version = version + 1 WHERE id = $3")
                        .bind(&line)
                        .bind(format!("\n{line}"))
                        .bind(conf)
                        .execute(&mut *tx.tx)
                        .await?;
                }
            }
            Outcome::Tie { candidates } | Outcome::NoMajority { runoff: candidates } => {
                let g = group_tx(&mut tx.tx, &e.group_id).await?;
                let d = ElectionDraft {
                    office: e.office.clone(),
                    method: e.method.clone(),
                    candidate_ids: candidates.clone(),
                    conference_id: e.conference_id.clone(),
                    rule: Some(e.rule),
                };
                let next = insert_election(
                    &mut tx,
                    &g,
                    &d,
                    &e.rule,
                    e.round + 1,
                    Some(election_id),
                    opened_by,
                )
                .await?;
                tx.audit::<(), _>(
                    "open",
                    "election",
                    &next,
                    None,
                    Some(&serde_json::json!({"round": e.round + 1, "candidates": candidates})),
                );
            }
        }
        sqlx::query("UPDATE elections SET status = $1, result_json = $2, closed_at = $3, version = version + 1 WHERE id = $4")
            .bind(status)
            .bind(serde_json::to_string(&t).unwrap_or_default())
            .bind(now())
            .bind(election_id)
            .execute(&mut *tx.tx)
            .await?;
        let after = election_tx(&mut tx.tx, election_id).await?;
        tx.audit("close", "election", election_id, Some(&e), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// The ballots as published: receipts and choices (and voters for open votes).
    pub async fn published_ballots(
        &self,
        election_id: &str,
    ) -> Result<Vec<PublishedBallot>, StoreError> {
        let mut conn = self.read.acquire().await?;
        ballots_tx(&mut conn, election_id).await
    }
}

fn doc_from_row(r: &AnyRow) -> Result<LegalDocument, sqlx::Error> {
    Ok(LegalDocument {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        number: r.try_get(2)?,
        date: r.try_get(3)?,
        issuer: r.try_get(4)?,
        title: r.try_get(5)?,
        file_id: r.try_get(6)?,
    })
}

fn group_ref(r: &AnyRow) -> Result<GroupRef, sqlx::Error> {
    Ok(GroupRef {
        id: r.try_get(0)?,
        year: r.try_get(1)?,
        kind: r.try_get(2)?,
        number: r.try_get(3)?,
        name: r.try_get(4)?,
    })
}

pub(crate) async fn insert_file(
    tx: &mut Tx,
    name: &str,
    ctype: &str,
    bytes: &[u8],
) -> Result<String, StoreError> {
    use sha2::Digest;
    let id = new_id();
    sqlx::query("INSERT INTO files (id, name, content_type, size, sha256, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(name)
        .bind(ctype)
        .bind(bytes.len() as i64)
        .bind(hex::encode(sha2::Sha256::digest(bytes)))
        .bind(bytes.to_vec())
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
    Ok(id)
}

fn default_group_name(kind: &str, number: i64) -> String {
    if kind == "block" {
        format!("Khối thi đua số {number}")
    } else {
        format!("Cụm thi đua số {number}")
    }
}

async fn insert_member(
    tx: &mut Tx,
    year_id: &str,
    group_id: &str,
    unit_id: &str,
) -> Result<(), StoreError> {
    unit_brief(&mut tx.tx, unit_id).await?;
    let other = sqlx::query(
        "SELECT g.name FROM group_members m JOIN emulation_groups g ON g.id = m.group_id WHERE m.year_id = $1 AND m.unit_id = $2",
    )
    .bind(year_id)
    .bind(unit_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    if let Some(r) = other {
        let name: String = r.try_get(0)?;
        let unit = unit_brief(&mut tx.tx, unit_id).await?;
        return Err(refused(
            "err-unit-in-other-group",
            &[("unit", unit.name), ("group", name)],
        ));
    }
    let res =
        sqlx::query("INSERT INTO group_members (group_id, year_id, unit_id) VALUES ($1, $2, $3)")
            .bind(group_id)
            .bind(year_id)
            .bind(unit_id)
            .execute(&mut *tx.tx)
            .await;
    match res {
        Ok(_) => Ok(()),
        // Two secretaries adding the same unit at once: the unique index decides.
        Err(e) if StoreError::is_unique_violation(&e) => {
            let unit = unit_brief(&mut tx.tx, unit_id).await?;
            Err(refused(
                "err-unit-in-other-group",
                &[("unit", unit.name), ("group", "?".into())],
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn insert_group(
    tx: &mut Tx,
    year_id: &str,
    d: &GroupDraft,
    status: &str,
) -> Result<String, StoreError> {
    if !["cluster", "block"].contains(&d.kind.as_str()) {
        return Err(StoreError::field("kind", "err-bad-request"));
    }
    if !(1..=1000).contains(&d.number) {
        return Err(StoreError::field("number", "err-bad-request"));
    }
    let year = sqlx::query("SELECT id FROM emulation_years WHERE id = $1")
        .bind(year_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if year.is_none() {
        return Err(StoreError::NotFound);
    }
    let name = d
        .name
        .as_deref()
        .map(text::clean)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| default_group_name(&d.kind, d.number));
    let id = new_id();
    sqlx::query(
        "INSERT INTO emulation_groups (id, year_id, kind, number, name, follower, status, version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(&id)
    .bind(year_id)
    .bind(&d.kind)
    .bind(d.number)
    .bind(&name)
    .bind(d.follower.as_deref().map(text::clean).filter(|f| !f.is_empty()))
    .bind(status)
    .bind(now())
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| StoreError::duplicate_or(e, "number", &name))?;
    for m in &d.member_ids {
        insert_member(tx, year_id, &id, m).await?;
    }
    for p in &d.predecessor_ids {
        let found = sqlx::query("SELECT id FROM emulation_groups WHERE id = $1")
            .bind(p)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::field("predecessor_ids", "err-not-found"));
        }
        sqlx::query("INSERT INTO group_predecessors (group_id, predecessor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&id)
            .bind(p)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(id)
}

async fn bump_group(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE emulation_groups SET version = version + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

async fn set_office(
    tx: &mut Tx,
    g: &Group,
    office: &str,
    unit_id: &str,
    basis: &str,
) -> Result<(), StoreError> {
    if !g.members.iter().any(|m| m.id == unit_id) {
        return Err(StoreError::field("unit_id", "err-candidate-not-member"));
    }
    let sql = match office {
        "head" => "UPDATE emulation_groups SET head_unit_id = $1, head_basis = $2, version = version + 1 WHERE id = $3",
        "deputy" => "UPDATE emulation_groups SET deputy_unit_id = $1, deputy_basis = $2, version = version + 1 WHERE id = $3",
        _ => return Err(StoreError::field("office", "err-bad-request")),
    };
    sqlx::query(sql)
        .bind(unit_id)
        .bind(basis)
        .bind(&g.id)
        .execute(&mut *tx.tx)
        .await?;
    // An office filled by an election changes the group's row: audit it under the group
    // (the election's own entry covers the election), so the deep audit seals the group.
    // `appoint` audits the group itself.
    if basis == "election" {
        tx.audit::<(), _>(
            "appoint",
            "group",
            &g.id,
            None,
            Some(&serde_json::json!({"office": office, "unit_id": unit_id, "basis": basis})),
        );
    }
    Ok(())
}

async fn group_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Group, StoreError> {
    let r = sqlx::query(
        "SELECT g.id, g.year_id, y.year, y.council_id, g.kind, g.number, g.name, g.follower, g.head_basis, g.deputy_basis, g.status, g.version, \
         h.id, h.code, h.name, h.short_name, d.id, d.code, d.name, d.short_name, g.cross_check \
         FROM emulation_groups g JOIN emulation_years y ON y.id = g.year_id \
         LEFT JOIN units h ON h.id = g.head_unit_id LEFT JOIN units d ON d.id = g.deputy_unit_id WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let members = sqlx::query(
        "SELECT u.id, u.code, u.name, u.short_name FROM group_members m JOIN units u ON u.id = m.unit_id WHERE m.group_id = $1 ORDER BY u.sort_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let preds = sqlx::query(
        "SELECT g.id, y.year, g.kind, g.number, g.name FROM group_predecessors p JOIN emulation_groups g ON g.id = p.predecessor_id \
         JOIN emulation_years y ON y.id = g.year_id WHERE p.group_id = $1 ORDER BY y.year, g.number",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let succs = sqlx::query(
        "SELECT g.id, y.year, g.kind, g.number, g.name FROM group_predecessors p JOIN emulation_groups g ON g.id = p.group_id \
         JOIN emulation_years y ON y.id = g.year_id WHERE p.predecessor_id = $1 ORDER BY y.year, g.number",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Group {
        id: r.try_get(0)?,
        year_id: r.try_get(1)?,
        year: r.try_get(2)?,
        council_id: r.try_get(3)?,
        kind: r.try_get(4)?,
        number: r.try_get(5)?,
        name: r.try_get(6)?,
        follower: r.try_get(7)?,
        head_basis: r.try_get(8)?,
        deputy_basis: r.try_get(9)?,
        status: r.try_get(10)?,
        version: r.try_get(11)?,
        cross_check: r.try_get::<i64, _>(20)? != 0,
        head: brief(&r, 12)?,
        deputy: brief(&r, 16)?,
        members: members
            .iter()
            .map(|m| brief(m, 0).map(|b| b.expect("member id")))
            .collect::<Result<_, _>>()?,
        predecessors: preds.iter().map(group_ref).collect::<Result<_, _>>()?,
        successors: succs.iter().map(group_ref).collect::<Result<_, _>>()?,
    })
}

async fn conference_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Conference, StoreError> {
    let r = sqlx::query(
        "SELECT c.id, c.group_id, g.name, y.year, c.kind, c.title, c.starts_at, c.venue, c.mode, c.agenda, c.minutes, c.outcome, c.status, c.version, \
         u.id, u.code, u.name, u.short_name FROM conferences c JOIN emulation_groups g ON g.id = c.group_id \
         JOIN emulation_years y ON y.id = g.year_id JOIN units u ON u.id = c.host_unit_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let bps = sqlx::query(
        "SELECT b.unit_id, u.name, b.place FROM bridge_points b JOIN units u ON u.id = b.unit_id WHERE b.conference_id = $1 ORDER BY b.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let ps = sqlx::query(
        "SELECT p.name, p.person_id, p.unit_id, u.name, p.role FROM participants p LEFT JOIN units u ON u.id = p.unit_id WHERE p.conference_id = $1 ORDER BY p.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let agenda: String = r.try_get(9)?;
    Ok(Conference {
        id: r.try_get(0)?,
        group_id: r.try_get(1)?,
        group_name: r.try_get(2)?,
        year: r.try_get(3)?,
        kind: r.try_get(4)?,
        title: r.try_get(5)?,
        starts_at: r.try_get(6)?,
        venue: r.try_get(7)?,
        mode: r.try_get(8)?,
        agenda: serde_json::from_str(&agenda).unwrap_or_default(),
        minutes: r.try_get(10)?,
        outcome: r.try_get(11)?,
        status: r.try_get(12)?,
        version: r.try_get(13)?,
        host: brief(&r, 14)?.ok_or(StoreError::NotFound)?,
        bridge_points: bps
            .iter()
            .map(|b| {
                Ok(BridgePoint {
                    unit_id: b.try_get(0)?,
                    unit_name: b.try_get(1)?,
                    place: b.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?,
        participants: ps
            .iter()
            .map(|p| {
                Ok(Participant {
                    name: p.try_get(0)?,
                    person_id: p.try_get(1)?,
                    unit_id: p.try_get(2)?,
                    unit_name: p.try_get(3)?,
                    role: p.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_election(
    tx: &mut Tx,
    g: &Group,
    d: &ElectionDraft,
    rule: &Rule,
    round: i64,
    previous: Option<&str>,
    opened_by: &str,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO elections (id, group_id, conference_id, office, method, rule_json, round, previous_id, members, status, opened_by, opened_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, 1)",
    )
    .bind(&id)
    .bind(&g.id)
    .bind(&d.conference_id)
    .bind(&d.office)
    .bind(&d.method)
    .bind(serde_json::to_string(rule).unwrap_or_default())
    .bind(round)
    .bind(previous)
    .bind(g.members.len() as i64)
    .bind(opened_by)
    .bind(now())
    .execute(&mut *tx.tx)
    .await?;
    for (i, c) in d.candidate_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO election_candidates (election_id, unit_id, position) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(c)
        .bind(i as i64)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(id)
}

const ELECTION_SELECT: &str = "SELECT e.id, e.group_id, g.name, e.conference_id, e.office, e.method, e.rule_json, e.round, e.previous_id, e.members, e.status, \
     e.result_json, e.opened_at, e.closed_at FROM elections e JOIN emulation_groups g ON g.id = e.group_id";

async fn election_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Election, StoreError> {
    let r = sqlx::query(&format!("{ELECTION_SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let cands = sqlx::query(
        "SELECT u.id, u.code, u.name, u.short_name FROM election_candidates c JOIN units u ON u.id = c.unit_id WHERE c.election_id = $1 ORDER BY c.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let voted = sqlx::query(
        "SELECT u.id, u.code, u.name, u.short_name FROM election_voters v JOIN units u ON u.id = v.unit_id WHERE v.election_id = $1 ORDER BY u.sort_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let briefs = |rows: &[AnyRow]| -> Result<Vec<UnitBrief>, StoreError> {
        Ok(rows
            .iter()
            .map(|c| brief(c, 0))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect())
    };
    election_from(&r, briefs(&cands)?, briefs(&voted)?)
}

/// Units by election, from rows of (election id, unit brief) for one group.
async fn election_people(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    group_id: &str,
) -> Result<HashMap<String, Vec<UnitBrief>>, StoreError> {
    let mut by: HashMap<String, Vec<UnitBrief>> = HashMap::new();
    for r in sqlx::query(sql)
        .bind(group_id)
        .fetch_all(&mut *conn)
        .await?
    {
        let e: String = r.try_get(0)?;
        if let Some(b) = brief(&r, 1)? {
            by.entry(e).or_default().push(b);
        }
    }
    Ok(by)
}

/// An election from a row of `ELECTION_SELECT` and its candidates and voters.
fn election_from(
    r: &AnyRow,
    candidates: Vec<UnitBrief>,
    voted: Vec<UnitBrief>,
) -> Result<Election, StoreError> {
    let rule: String = r.try_get(6)?;
    let result: Option<String> = r.try_get(11)?;
    Ok(Election {
        id: r.try_get(0)?,
        group_id: r.try_get(1)?,
        group_name: r.try_get(2)?,
        conference_id: r.try_get(3)?,
        office: r.try_get(4)?,
        method: r.try_get(5)?,
        rule: serde_json::from_str(&rule).unwrap_or_default(),
        round: r.try_get(7)?,
        previous_id: r.try_get(8)?,
        members: r.try_get(9)?,
        status: r.try_get(10)?,
        result: result.and_then(|s| serde_json::from_str(&s).ok()),
        opened_at: r.try_get(12)?,
        closed_at: r.try_get(13)?,
        candidates,
        voted,
    })
}

async fn ballots_tx(
    conn: &mut sqlx::AnyConnection,
    election_id: &str,
) -> Result<Vec<PublishedBallot>, StoreError> {
    let rows = sqlx::query(
        "SELECT b.receipt, b.choice_unit_id, c.name, v.name, b.counted FROM ballots b LEFT JOIN units c ON c.id = b.choice_unit_id \
         LEFT JOIN units v ON v.id = b.voter_unit_id WHERE b.election_id = $1 ORDER BY b.receipt",
    )
    .bind(election_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublishedBallot {
                receipt: r.try_get(0)?,
                choice: r.try_get(1)?,
                choice_name: r.try_get(2)?,
                voter: r.try_get(3)?,
                counted: r.try_get::<i64, _>(4)? != 0,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
