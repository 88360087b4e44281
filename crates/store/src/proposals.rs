//! Award proposals and what follows them: the dossier's attachments, the public
//! consultation, the council's members and their secret vote, and the decisions that put
//! the awards into the registry. The workflow and the figures are the domain's
//! (`domain::proposal`); here they are applied in one transaction with the audit record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::proposal::{
    self, council_tally, transition, CouncilOutcome, CouncilTally, Role, RuleCheck, Status, Step,
};
use thidua_domain::text;
use thidua_domain::titles;

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::groups::FileRef;

fn refused(key: &str, args: &[(&str, String)]) -> StoreError {
    StoreError::Refused {
        key: key.to_owned(),
        args: args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

/// One step of a proposal's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposalEvent {
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
    pub actor: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consultation {
    /// yyyy-mm-dd, first day of the window
    pub opens_on: String,
    /// yyyy-mm-dd, last day of the window
    pub closes_on: String,
    pub public_summary: String,
    pub comments: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub id: String,
    pub year_id: String,
    pub council_id: String,
    pub award_year: i64,
    pub unit_id: String,
    pub unit_name: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub title_code: String,
    pub title_name: String,
    /// yearly, themed, sudden, long_service
    pub kind: String,
    pub group_id: Option<String>,
    pub acclaim_election_id: Option<String>,
    pub summary: String,
    pub achievements: String,
    /// Every eligibility rule, met or failed, as last checked
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<RuleCheck>,
    /// draft, submitted, returned, accepted, consultation, voting, voted, decided, rejected
    pub status: String,
    /// The council's vote once counted
    #[schema(value_type = Option<Object>)]
    pub vote: Option<CouncilTally>,
    pub vote_members: Option<i64>,
    /// Council members who have voted so far (never what they chose)
    pub voters: i64,
    pub consultation: Option<Consultation>,
    pub decision_id: Option<String>,
    pub events: Vec<ProposalEvent>,
    pub files: Vec<FileRef>,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProposalDraft {
    /// The council's emulation year
    pub year_id: String,
    /// The nominee unit, or the unit of the nominee person
    pub unit_id: String,
    pub person_id: Option<String>,
    pub title_code: String,
    /// yearly, themed, sudden, long_service
    pub kind: String,
    /// The year-end acclaim vote (an election "acclaim:<title>") the unit won, if any
    pub acclaim_election_id: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub achievements: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CouncilMember {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub position: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublishedCouncilBallot {
    pub receipt: String,
    /// yes, no, blank
    pub choice: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

/// What the public page shows during the window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicNominee {
    pub proposal_id: String,
    pub nominee: String,
    pub unit_name: String,
    pub title_name: String,
    pub award_year: i64,
    pub public_summary: String,
    pub opens_on: String,
    pub closes_on: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DecisionDraft {
    pub council_id: String,
    /// The issuing authority, e.g. "Viện kiểm sát nhân dân tối cao"
    pub issuer: String,
    /// Number and symbol, e.g. "125/QĐ-VKSTC"
    pub number: String,
    /// yyyy-mm-dd
    pub date: String,
    pub signer: String,
    #[serde(default)]
    pub title: String,
    pub proposal_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: String,
    pub council_id: String,
    pub issuer: String,
    pub number: String,
    pub date: String,
    pub signer: String,
    pub title: String,
    pub file_id: Option<String>,
    pub proposal_ids: Vec<String>,
    pub created_by: String,
    pub created_at: String,
}

/// An uploaded file, already checked by the caller (kind by magic bytes, size).
pub struct Upload<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

pub const MAX_SUMMARY: usize = 4000;
pub const MAX_ACHIEVEMENTS: usize = 20_000;
pub const MAX_COMMENT: usize = 2000;
pub const MAX_AUTHOR: usize = 200;

const PROPOSAL_SQL: &str = "SELECT p.id, p.year_id, p.council_id, p.award_year, p.unit_id, u.name, p.person_id, pe.full_name, \
     p.title_code, p.kind, p.group_id, p.acclaim_election_id, p.summary, p.achievements, p.checks_json, p.status, \
     p.vote_members, p.vote_result_json, p.created_by, p.created_at, p.version \
     FROM proposals p JOIN units u ON u.id = p.unit_id LEFT JOIN people pe ON pe.id = p.person_id";

fn limited(field: &str, s: &str, max: usize) -> Result<String, StoreError> {
    let c = text::clean(s);
    if c.chars().count() > max {
        return Err(StoreError::field(field, "err-too-long"));
    }
    Ok(c)
}

fn required(field: &str, s: &str, max: usize) -> Result<String, StoreError> {
    let c = limited(field, s, max)?;
    if c.is_empty() {
        return Err(StoreError::field(field, "err-required"));
    }
    Ok(c)
}

fn date(field: &str, s: &str) -> Result<NaiveDate, StoreError> {
    thidua_domain::unit::parse_date(s.trim())
        .ok_or_else(|| StoreError::field(field, "err-bad-date"))
}

/// Today in Việt Nam: windows are in local days.
pub fn today_vn() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

async fn proposal_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Proposal, StoreError> {
    let r = sqlx::query(&format!("{PROPOSAL_SQL} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut p = from_row(&r)?;
    let events = sqlx::query("SELECT from_status, to_status, reason, actor, at FROM proposal_events WHERE proposal_id = $1 ORDER BY at, id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    p.events = events
        .iter()
        .map(|e| {
            Ok(ProposalEvent {
                from_status: e.try_get(0)?,
                to_status: e.try_get(1)?,
                reason: e.try_get(2)?,
                actor: e.try_get(3)?,
                at: e.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let files = sqlx::query("SELECT f.id, f.name, f.content_type, f.size FROM proposal_files pf JOIN files f ON f.id = pf.file_id WHERE pf.proposal_id = $1 ORDER BY pf.added_at")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    p.files = files
        .iter()
        .map(|r| {
            Ok(FileRef {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                content_type: r.try_get(2)?,
                size: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    p.voters = sqlx::query("SELECT COUNT(*) FROM council_voters WHERE proposal_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if let Some(c) = sqlx::query(
        "SELECT opens_on, closes_on, public_summary, (SELECT COUNT(*) FROM consultation_comments m WHERE m.proposal_id = c.proposal_id) FROM consultations c WHERE proposal_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    {
        p.consultation = Some(Consultation {
            opens_on: c.try_get(0)?,
            closes_on: c.try_get(1)?,
            public_summary: c.try_get(2)?,
            comments: c.try_get(3)?,
        });
    }
    p.decision_id =
        sqlx::query("SELECT decision_id FROM decision_proposals WHERE proposal_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    Ok(p)
}

fn from_row(r: &AnyRow) -> Result<Proposal, sqlx::Error> {
    let code: String = r.try_get(8)?;
    let checks: String = r.try_get(14)?;
    let vote: Option<String> = r.try_get(17)?;
    Ok(Proposal {
        id: r.try_get(0)?,
        year_id: r.try_get(1)?,
        council_id: r.try_get(2)?,
        award_year: r.try_get(3)?,
        unit_id: r.try_get(4)?,
        unit_name: r.try_get(5)?,
        person_id: r.try_get(6)?,
        person_name: r.try_get(7)?,
        title_name: titles::title(&code)
            .map(|t| t.name_vi.to_owned())
            .unwrap_or_else(|| code.clone()),
        title_code: code,
        kind: r.try_get(9)?,
        group_id: r.try_get(10)?,
        acclaim_election_id: r.try_get(11)?,
        summary: r.try_get(12)?,
        achievements: r.try_get(13)?,
        checks: serde_json::from_str(&checks).unwrap_or_default(),
        status: r.try_get(15)?,
        vote_members: r.try_get(16)?,
        vote: vote.and_then(|v| serde_json::from_str(&v).ok()),
        voters: 0,
        consultation: None,
        decision_id: None,
        events: Vec::new(),
        files: Vec::new(),
        created_by: r.try_get(18)?,
        created_at: r.try_get(19)?,
        version: r.try_get(20)?,
    })
}

async fn event(
    tx: &mut Tx,
    proposal_id: &str,
    from: Option<&str>,
    to: &str,
    reason: Option<&str>,
    actor: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO proposal_events (id, proposal_id, from_status, to_status, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(new_id())
        .bind(proposal_id)
        .bind(from)
        .bind(to)
        .bind(reason)
        .bind(actor)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

fn status_of(p: &Proposal) -> Result<Status, StoreError> {
    Status::parse(&p.status).ok_or_else(|| StoreError::rule("err-internal"))
}

/// How many more of a quota-bound title a council year may propose: (used, allowed, base).
async fn quota_use(
    conn: &mut sqlx::AnyConnection,
    q: &proposal::Quota,
    year_id: &str,
    award_year: i64,
    except: Option<&str>,
) -> Result<(u32, u32, u32), StoreError> {
    // The base: the year's group members holding (or live-proposed for) the base title.
    let base: i64 = sqlx::query(
        "SELECT COUNT(DISTINCT m.unit_id) FROM group_members m WHERE m.year_id = $1 AND (\
           EXISTS (SELECT 1 FROM awards a WHERE a.unit_id = m.unit_id AND a.person_id IS NULL AND a.award_year = $2 AND a.title_code = $3) \
           OR EXISTS (SELECT 1 FROM proposals p WHERE p.unit_id = m.unit_id AND p.person_id IS NULL AND p.year_id = $1 AND p.title_code = $3 AND p.status <> 'rejected'))",
    )
    .bind(year_id)
    .bind(award_year)
    .bind(q.of_title)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    let used: i64 = sqlx::query(
        "SELECT COUNT(*) FROM proposals WHERE year_id = $1 AND title_code = $2 AND status <> 'rejected' AND id <> $3",
    )
    .bind(year_id)
    .bind(q.title)
    .bind(except.unwrap_or(""))
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    let base = u32::try_from(base).unwrap_or(0);
    Ok((
        u32::try_from(used).unwrap_or(u32::MAX),
        q.allowed(base),
        base,
    ))
}

async fn check_quota(
    conn: &mut sqlx::AnyConnection,
    title: &str,
    year_id: &str,
    award_year: i64,
    except: Option<&str>,
) -> Result<(), StoreError> {
    let Some(q) = proposal::year_end_rules(award_year as i32).and_then(|r| r.quota_for(title))
    else {
        return Ok(());
    };
    let (used, allowed, base) = quota_use(conn, q, year_id, award_year, except).await?;
    if used + 1 > allowed {
        return Err(refused(
            "err-prop-quota",
            &[
                ("allowed", allowed.to_string()),
                ("base", base.to_string()),
                ("basis", q.basis.to_owned()),
            ],
        ));
    }
    Ok(())
}

impl Store {
    pub async fn get_proposal(&self, id: &str) -> Result<Proposal, StoreError> {
        let mut conn = self.read.acquire().await?;
        proposal_tx(&mut conn, id).await
    }

    /// Proposals of a council year, optionally of one unit (its own and its people's).
    pub async fn proposals(
        &self,
        year_id: &str,
        unit_id: Option<&str>,
    ) -> Result<Vec<Proposal>, StoreError> {
        let rows = match unit_id {
            Some(u) => sqlx::query(
                "SELECT id FROM proposals WHERE year_id = $1 AND unit_id = $2 ORDER BY created_at",
            )
            .bind(year_id)
            .bind(u)
            .fetch_all(&self.read)
            .await?,
            None => {
                sqlx::query("SELECT id FROM proposals WHERE year_id = $1 ORDER BY created_at")
                    .bind(year_id)
                    .fetch_all(&self.read)
                    .await?
            }
        };
        let ids = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<String>, _>>()?;
        self.load_each(ids, proposal_tx).await
    }

    /// Create a proposal (draft). The nominee is checked against the year's rules and the
    /// registry: a failed refusing rule refuses it (the key's args list the rules), flags are
    /// kept on it; a quota-bound title must stay within its quota; nothing is written
    /// otherwise.
    pub async fn create_proposal(
        &self,
        ctx: &AuditCtx,
        d: &ProposalDraft,
        created_by: &str,
    ) -> Result<Proposal, StoreError> {
        let y = self.get_year(&d.year_id).await?;
        if titles::title(&d.title_code).is_none() {
            return Err(StoreError::field("title_code", "err-reg-unknown-title"));
        }
        if !proposal::KINDS.contains(&d.kind.as_str()) {
            return Err(StoreError::field("kind", "err-bad-request"));
        }
        let summary = limited("summary", &d.summary, MAX_SUMMARY)?;
        let achievements = limited("achievements", &d.achievements, MAX_ACHIEVEMENTS)?;
        let person = d.person_id.clone().filter(|p| !p.trim().is_empty());
        let mut tx = self.begin(ctx).await?;
        lock_year(&mut tx, &d.year_id).await?;
        if sqlx::query("SELECT 1 FROM units WHERE id = $1")
            .bind(&d.unit_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(StoreError::field("unit_id", "err-unknown-unit"));
        }
        if let Some(p) = &person {
            let r = sqlx::query("SELECT unit_id FROM people WHERE id = $1")
                .bind(p)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or_else(|| StoreError::field("person_id", "err-not-found"))?;
            let u: String = r.try_get(0)?;
            if u != d.unit_id {
                return Err(StoreError::field("person_id", "err-prop-person-unit"));
            }
        }
        let group_id: Option<String> =
            sqlx::query("SELECT group_id FROM group_members WHERE year_id = $1 AND unit_id = $2")
                .bind(&d.year_id)
                .bind(&d.unit_id)
                .fetch_optional(&mut *tx.tx)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        let dup = sqlx::query(
            "SELECT 1 FROM proposals WHERE year_id = $1 AND unit_id = $2 AND COALESCE(person_id, '-') = $3 AND title_code = $4 AND status <> 'rejected'",
        )
        .bind(&d.year_id)
        .bind(&d.unit_id)
        .bind(person.as_deref().unwrap_or("-"))
        .bind(&d.title_code)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if dup.is_some() {
            return Err(refused("err-prop-duplicate", &[]));
        }
        let year = y.year as i32;
        let h = Store::history(&mut tx.tx, &d.unit_id, person.as_deref()).await?;
        let mut checks = proposal::evaluate(&d.title_code, year, person.is_some(), &h);
        // The group's acclaim, for titles that need one.
        let rules = proposal::year_end_rules(year);
        if let Some(a) = rules.and_then(|r| r.acclaim_for(&d.title_code)) {
            let mut met = false;
            let mut detail = String::new();
            if let Some(eid) = d.acclaim_election_id.as_deref().filter(|s| !s.is_empty()) {
                let r = sqlx::query(
                    "SELECT office, status, result_json, members FROM elections WHERE id = $1",
                )
                .bind(eid)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or_else(|| StoreError::field("acclaim_election_id", "err-not-found"))?;
                let office: String = r.try_get(0)?;
                let status: String = r.try_get(1)?;
                let result: Option<String> = r.try_get(2)?;
                let members: i64 = r.try_get(3)?;
                let tally: Option<thidua_domain::election::Tally> =
                    result.and_then(|s| serde_json::from_str(&s).ok());
                let won = status == "closed"
                    && office == format!("acclaim:{}", d.title_code)
                    && tally.as_ref().is_some_and(|t| {
                        matches!(&t.outcome, thidua_domain::election::Outcome::Elected { candidate, .. } if *candidate == d.unit_id)
                    });
                if !won {
                    return Err(refused("err-prop-acclaim-not-won", &[]));
                }
                let votes = tally
                    .as_ref()
                    .and_then(|t| t.counts.iter().find(|c| c.candidate == d.unit_id))
                    .map_or(0, |c| c.votes);
                detail = format!(" — {votes}/{members}");
                met = true;
            }
            checks.push(RuleCheck {
                rule: format!("{}.acclaim", d.title_code),
                severity: "flag".into(),
                met,
                message_vi: format!("{}{detail}", a.basis),
                message_en: format!(
                    "At least {}/{} of the group's member units acclaim the unit{detail}",
                    a.share.num, a.share.den
                ),
            });
        }
        if proposal::refused(&checks) {
            let failed: Vec<String> = checks
                .iter()
                .filter(|c| !c.met && c.severity == "refuse")
                .map(|c| c.message_vi.clone())
                .collect();
            return Err(refused(
                "err-prop-ineligible",
                &[("rules", failed.join("; "))],
            ));
        }
        check_quota(&mut tx.tx, &d.title_code, &d.year_id, y.year, None).await?;
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO proposals (id, year_id, council_id, award_year, unit_id, person_id, title_code, kind, group_id, acclaim_election_id, \
             summary, achievements, checks_json, status, created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $15, $15, 1)",
        )
        .bind(&id)
        .bind(&d.year_id)
        .bind(&y.council_id)
        .bind(y.year)
        .bind(&d.unit_id)
        .bind(&person)
        .bind(&d.title_code)
        .bind(&d.kind)
        .bind(&group_id)
        .bind(d.acclaim_election_id.as_deref().filter(|s| !s.is_empty()))
        .bind(&summary)
        .bind(&achievements)
        .bind(serde_json::to_string(&checks).unwrap_or_else(|_| "[]".into()))
        .bind(created_by)
        .bind(&at)
        .execute(&mut *tx.tx)
        .await?;
        event(&mut tx, &id, None, "draft", None, created_by).await?;
        let p = proposal_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "proposal", &id, None, Some(&p));
        tx.commit().await?;
        Ok(p)
    }

    /// Change the text of a draft or returned proposal.
    pub async fn update_proposal(
        &self,
        ctx: &AuditCtx,
        id: &str,
        summary: &str,
        achievements: &str,
        version: i64,
    ) -> Result<Proposal, StoreError> {
        let summary = limited("summary", summary, MAX_SUMMARY)?;
        let achievements = limited("achievements", achievements, MAX_ACHIEVEMENTS)?;
        let mut tx = self.begin(ctx).await?;
        let before = proposal_tx(&mut tx.tx, id).await?;
        if !status_of(&before)?.editable() {
            return Err(refused("err-prop-not-editable", &[]));
        }
        let n = sqlx::query("UPDATE proposals SET summary = $1, achievements = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(&summary)
            .bind(&achievements)
            .bind(now())
            .bind(id)
            .bind(version)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&before).unwrap_or_default(),
            });
        }
        let after = proposal_tx(&mut tx.tx, id).await?;
        tx.audit("update", "proposal", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// A workflow step (submit, return, accept, reject). The domain says whether `who` may
    /// take it from the current status; accepting re-checks the quota.
    pub async fn proposal_step(
        &self,
        ctx: &AuditCtx,
        id: &str,
        step: &Step,
        who: Role,
        actor: &str,
    ) -> Result<Proposal, StoreError> {
        if matches!(
            step,
            Step::OpenConsultation | Step::OpenVote | Step::CloseVote { .. } | Step::Decide
        ) {
            return Err(StoreError::rule("err-bad-request"));
        }
        let mut tx = self.begin(ctx).await?;
        let before = proposal_tx(&mut tx.tx, id).await?;
        let from = status_of(&before)?;
        let to = transition(from, step, who)?;
        if matches!(step, Step::Accept) {
            lock_year(&mut tx, &before.year_id).await?;
            check_quota(
                &mut tx.tx,
                &before.title_code,
                &before.year_id,
                before.award_year,
                Some(id),
            )
            .await?;
        }
        let reason = step.reason().map(text::clean);
        set_status(&mut tx, &before, from, to, reason.as_deref(), actor).await?;
        let after = proposal_tx(&mut tx.tx, id).await?;
        tx.audit(step.name(), "proposal", id, Some(&before), Some(&after));
        if matches!(step, Step::Return { .. }) {
            let items = returned_notices(&mut tx, &after, reason.as_deref().unwrap_or("")).await?;
            Store::notify_in(&mut tx, &items).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    // ---- consultation ----

    /// Open the public consultation window of an accepted proposal.
    pub async fn open_consultation(
        &self,
        ctx: &AuditCtx,
        id: &str,
        opens_on: &str,
        closes_on: &str,
        public_summary: &str,
        actor: &str,
    ) -> Result<Proposal, StoreError> {
        let opens = date("opens_on", opens_on)?;
        let closes = date("closes_on", closes_on)?;
        let summary = required("public_summary", public_summary, MAX_SUMMARY)?;
        let mut tx = self.begin(ctx).await?;
        let before = proposal_tx(&mut tx.tx, id).await?;
        let from = status_of(&before)?;
        let to = transition(from, &Step::OpenConsultation, Role::Secretariat)?;
        let min_days = proposal::year_end_rules(before.award_year as i32)
            .map_or(1, |r| r.consultation_min_days);
        if (closes - opens).num_days() + 1 < i64::from(min_days) {
            return Err(StoreError::field("closes_on", "err-prop-window-short"));
        }
        sqlx::query("INSERT INTO consultations (proposal_id, opens_on, closes_on, public_summary, opened_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(opens.format("%Y-%m-%d").to_string())
            .bind(closes.format("%Y-%m-%d").to_string())
            .bind(&summary)
            .bind(actor)
            .bind(now())
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| StoreError::duplicate_or(e, "proposal_id", "err-duplicate"))?;
        set_status(&mut tx, &before, from, to, None, actor).await?;
        let after = proposal_tx(&mut tx.tx, id).await?;
        tx.audit(
            "open_consultation",
            "proposal",
            id,
            Some(&before),
            Some(&after),
        );
        tx.commit().await?;
        Ok(after)
    }

    /// The nominee's public summary, only while the window is open (else not found).
    pub async fn public_nominee(&self, id: &str) -> Result<PublicNominee, StoreError> {
        let p = self.get_proposal(id).await?;
        let c = p.consultation.as_ref().ok_or(StoreError::NotFound)?;
        let today = today_vn().format("%Y-%m-%d").to_string();
        if p.status != "consultation" || today < c.opens_on || today > c.closes_on {
            return Err(StoreError::NotFound);
        }
        Ok(PublicNominee {
            proposal_id: p.id.clone(),
            nominee: p.person_name.clone().unwrap_or_else(|| p.unit_name.clone()),
            unit_name: p.unit_name.clone(),
            title_name: p.title_name.clone(),
            award_year: p.award_year,
            public_summary: c.public_summary.clone(),
            opens_on: c.opens_on.clone(),
            closes_on: c.closes_on.clone(),
        })
    }

    /// The proposals whose consultation window is open today.
    pub async fn open_consultations(&self) -> Result<Vec<PublicNominee>, StoreError> {
        let today = today_vn().format("%Y-%m-%d").to_string();
        let rows = sqlx::query("SELECT c.proposal_id FROM consultations c JOIN proposals p ON p.id = c.proposal_id WHERE p.status = 'consultation' AND c.opens_on <= $1 AND c.closes_on >= $1 ORDER BY c.closes_on")
            .bind(&today)
            .fetch_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get(0)?;
            out.push(self.public_nominee(&id).await?);
        }
        Ok(out)
    }

    /// A public comment (no sign-in): plain text, bounded, during the window only.
    pub async fn add_comment(
        &self,
        ctx: &AuditCtx,
        id: &str,
        author: &str,
        body: &str,
    ) -> Result<Comment, StoreError> {
        let author = required("author_name", author, MAX_AUTHOR)?;
        // Plain text, line by line: NFC, no control characters, runs of spaces collapsed.
        let body = body
            .lines()
            .map(|l| text::clean(&l.replace(|c: char| c.is_control(), "")))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned();
        if body.is_empty() {
            return Err(StoreError::field("body", "err-required"));
        }
        if body.chars().count() > MAX_COMMENT {
            return Err(StoreError::field("body", "err-too-long"));
        }
        self.public_nominee(id)
            .await
            .map_err(|_| refused("err-consultation-closed", &[]))?;
        let mut tx = self.begin(ctx).await?;
        let c = Comment {
            id: new_id(),
            author_name: author,
            body,
            created_at: now(),
        };
        sqlx::query("INSERT INTO consultation_comments (id, proposal_id, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&c.id)
            .bind(id)
            .bind(&c.author_name)
            .bind(&c.body)
            .bind(&c.created_at)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<(), _>("comment", "proposal", id, None, Some(&c));
        tx.commit().await?;
        Ok(c)
    }

    pub async fn comments(&self, id: &str) -> Result<Vec<Comment>, StoreError> {
        let rows = sqlx::query("SELECT id, author_name, body, created_at FROM consultation_comments WHERE proposal_id = $1 ORDER BY created_at, id")
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    id: r.try_get(0)?,
                    author_name: r.try_get(1)?,
                    body: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    // ---- the council ----

    pub async fn council_members(
        &self,
        council_id: &str,
    ) -> Result<Vec<CouncilMember>, StoreError> {
        let rows = sqlx::query("SELECT m.user_id, u.username, u.display_name, m.position FROM council_members m JOIN users u ON u.id = m.user_id WHERE m.council_id = $1 ORDER BY m.added_at, u.username")
            .bind(council_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CouncilMember {
                    user_id: r.try_get(0)?,
                    username: r.try_get(1)?,
                    display_name: r.try_get(2)?,
                    position: r.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn is_council_member(
        &self,
        council_id: &str,
        user_id: &str,
    ) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM council_members WHERE council_id = $1 AND user_id = $2")
                .bind(council_id)
                .bind(user_id)
                .fetch_optional(&self.read)
                .await?
                .is_some(),
        )
    }

    /// Seat a user on a council.
    pub async fn add_council_member(
        &self,
        ctx: &AuditCtx,
        council_id: &str,
        user_id: &str,
        position: &str,
        added_by: &str,
    ) -> Result<(), StoreError> {
        let position = required("position", position, 200)?;
        let mut tx = self.begin(ctx).await?;
        if sqlx::query("SELECT 1 FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(StoreError::field("user_id", "err-not-found"));
        }
        sqlx::query("INSERT INTO council_members (council_id, user_id, position, added_by, added_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(council_id)
            .bind(user_id)
            .bind(&position)
            .bind(added_by)
            .bind(now())
            .execute(&mut *tx.tx)
            .await
            .map_err(|e| StoreError::duplicate_or(e, "user_id", "err-duplicate"))?;
        tx.audit::<(), _>(
            "add_member",
            "council",
            council_id,
            None,
            Some(&serde_json::json!({"user_id": user_id, "position": position})),
        );
        tx.commit().await
    }

    /// Take a user off a council. Refused while one of the council's proposals is being
    /// voted on (the count's membership must not change under it); past ballots stay.
    pub async fn remove_council_member(
        &self,
        ctx: &AuditCtx,
        council_id: &str,
        user_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let row = sqlx::query(
            "SELECT position FROM council_members WHERE council_id = $1 AND user_id = $2",
        )
        .bind(council_id)
        .bind(user_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let position: String = row.try_get(0)?;
        if sqlx::query("SELECT 1 FROM proposals WHERE council_id = $1 AND status = 'voting'")
            .bind(council_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_some()
        {
            return Err(refused("err-council-vote-open", &[]));
        }
        sqlx::query("DELETE FROM council_members WHERE council_id = $1 AND user_id = $2")
            .bind(council_id)
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<_, ()>(
            "remove_member",
            "council",
            council_id,
            Some(&serde_json::json!({"user_id": user_id, "position": position})),
            None,
        );
        tx.commit().await
    }

    /// Put an accepted proposal (or one whose consultation has ended) to the council's
    /// vote. A title that needs a consultation cannot skip it.
    pub async fn open_council_vote(
        &self,
        ctx: &AuditCtx,
        id: &str,
        actor: &str,
    ) -> Result<Proposal, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = proposal_tx(&mut tx.tx, id).await?;
        let from = status_of(&before)?;
        let to = transition(from, &Step::OpenVote, Role::Secretariat)?;
        let rules = proposal::year_end_rules(before.award_year as i32)
            .ok_or_else(|| StoreError::rule("err-prop-no-rules"))?;
        if rules.needs_consultation(&before.title_code) {
            match &before.consultation {
                None => return Err(refused("err-prop-needs-consultation", &[])),
                Some(c) => {
                    let today = today_vn().format("%Y-%m-%d").to_string();
                    if today <= c.closes_on {
                        return Err(refused(
                            "err-prop-consultation-open",
                            &[("closes_on", c.closes_on.clone())],
                        ));
                    }
                }
            }
        }
        let members: i64 =
            sqlx::query("SELECT COUNT(*) FROM council_members WHERE council_id = $1")
                .bind(&before.council_id)
                .fetch_one(&mut *tx.tx)
                .await?
                .try_get(0)?;
        if members == 0 {
            return Err(refused("err-prop-no-council", &[]));
        }
        sqlx::query("UPDATE proposals SET vote_members = $1, vote_rule_json = $2, vote_opened_at = $3 WHERE id = $4")
            .bind(members)
            .bind(serde_json::to_string(&rules.council).unwrap_or_default())
            .bind(now())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        set_status(&mut tx, &before, from, to, None, actor).await?;
        let after = proposal_tx(&mut tx.tx, id).await?;
        tx.audit("open_vote", "proposal", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// A council member's secret ballot: yes, no or blank. Returns the receipt. Refused
    /// when the vote is not open, the user does not sit on the council, or has voted.
    pub async fn cast_council_ballot(
        &self,
        ctx: &AuditCtx,
        id: &str,
        user_id: &str,
        choice: &str,
        receipt: &str,
    ) -> Result<String, StoreError> {
        if !["yes", "no", "blank"].contains(&choice) {
            return Err(StoreError::field("choice", "err-bad-request"));
        }
        let mut tx = self.begin(ctx).await?;
        // Lock the row (PostgreSQL) and check the vote is open in one statement.
        let open = sqlx::query(
            "UPDATE proposals SET version = version WHERE id = $1 AND status = 'voting' RETURNING council_id",
        )
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(open) = open else {
            proposal_tx(&mut tx.tx, id).await?;
            return Err(refused("err-prop-vote-closed", &[]));
        };
        let council_id: String = open.try_get(0)?;
        if sqlx::query("SELECT 1 FROM council_members WHERE council_id = $1 AND user_id = $2")
            .bind(&council_id)
            .bind(user_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(refused("err-not-council-member", &[]));
        }
        // The key (proposal, voter) refuses a second vote, also a simultaneous one.
        let ins = sqlx::query(
            "INSERT INTO council_voters (proposal_id, user_id, voted_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(user_id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await;
        if let Err(err) = ins {
            return Err(if StoreError::is_unique_violation(&err) {
                refused("err-council-already-voted", &[])
            } else {
                err.into()
            });
        }
        // Sealed until the count (domain::ballot_box): a copy of the database taken now
        // shows that this member voted, never how.
        crate::ballots::seal(
            &mut tx.tx,
            &crate::ballots::key(&self.ballot_key),
            crate::ballots::Vote::Council(id),
            &thidua_domain::ballot_box::Ballot {
                receipt: receipt.to_owned(),
                choice: Some(choice.to_owned()),
            },
        )
        .await?;
        // Who voted is audited; what they chose never is.
        tx.audit::<(), _>(
            "council_vote",
            "proposal",
            id,
            None,
            Some(&serde_json::json!({"user_id": user_id})),
        );
        tx.commit().await?;
        Ok(receipt.to_owned())
    }

    /// Count the council's vote: approved → voted, not approved → rejected. Below quorum:
    /// refused (the vote stays open).
    pub async fn close_council_vote(
        &self,
        ctx: &AuditCtx,
        id: &str,
        actor: &str,
    ) -> Result<Proposal, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = proposal_tx(&mut tx.tx, id).await?;
        let from = status_of(&before)?;
        if from != Status::Voting {
            return Err(refused("err-prop-vote-closed", &[]));
        }
        let rules = proposal::year_end_rules(before.award_year as i32)
            .ok_or_else(|| StoreError::rule("err-prop-no-rules"))?;
        // Open the sealed ballots and store them in receipt order; a refused count (below
        // quorum) rolls back and leaves them sealed.
        let key = crate::ballots::key(&self.ballot_key);
        let opened =
            crate::ballots::open_box(&mut tx.tx, &key, crate::ballots::Vote::Council(id)).await?;
        for b in &opened {
            sqlx::query("INSERT INTO council_ballots (id, proposal_id, receipt, choice) VALUES ($1, $2, $3, $4)")
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(id)
                .bind(&b.receipt)
                .bind(b.choice.as_deref().unwrap_or("blank"))
                .execute(&mut *tx.tx)
                .await?;
        }
        let rows = sqlx::query(
            "SELECT choice, COUNT(*) FROM council_ballots WHERE proposal_id = $1 GROUP BY choice",
        )
        .bind(id)
        .fetch_all(&mut *tx.tx)
        .await?;
        let (mut yes, mut no, mut blank) = (0u32, 0u32, 0u32);
        for r in rows {
            let c: String = r.try_get(0)?;
            let n = u32::try_from(r.try_get::<i64, _>(1)?).unwrap_or(0);
            match c.as_str() {
                "yes" => yes = n,
                "no" => no = n,
                _ => blank += n,
            }
        }
        let members = u32::try_from(before.vote_members.unwrap_or(0)).unwrap_or(0);
        let t = council_tally(&rules.council, members, yes, no, blank)
            .ok_or_else(|| StoreError::rule("err-internal"))?;
        if t.outcome == CouncilOutcome::BelowQuorum {
            return Err(refused(
                "err-below-quorum",
                &[("needed", (t.quorum_needed - t.cast).to_string())],
            ));
        }
        let approved = t.outcome == CouncilOutcome::Approved;
        let to = transition(from, &Step::CloseVote { approved }, Role::Secretariat)?;
        sqlx::query(
            "UPDATE proposals SET vote_result_json = $1, vote_closed_at = $2 WHERE id = $3",
        )
        .bind(serde_json::to_string(&t).unwrap_or_default())
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        let reason = format!(
            "{}/{} {}",
            t.yes,
            t.members,
            if approved { "✓" } else { "✗" }
        );
        set_status(&mut tx, &before, from, to, Some(&reason), actor).await?;
        let after = proposal_tx(&mut tx.tx, id).await?;
        tx.audit("close_vote", "proposal", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// The ballots after the vote was counted: receipts and choices only.
    pub async fn council_ballots(
        &self,
        id: &str,
    ) -> Result<Vec<PublishedCouncilBallot>, StoreError> {
        let rows = sqlx::query(
            "SELECT receipt, choice FROM council_ballots WHERE proposal_id = $1 ORDER BY receipt",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PublishedCouncilBallot {
                    receipt: r.try_get(0)?,
                    choice: r.try_get(1)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    // ---- files ----

    pub async fn add_proposal_file(
        &self,
        ctx: &AuditCtx,
        id: &str,
        f: &Upload<'_>,
        actor: &str,
    ) -> Result<FileRef, StoreError> {
        let mut tx = self.begin(ctx).await?;
        proposal_tx(&mut tx.tx, id).await?;
        let file_id = crate::groups::insert_file(&mut tx, f.name, f.content_type, f.bytes).await?;
        sqlx::query("INSERT INTO proposal_files (proposal_id, file_id, added_by, added_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&file_id)
            .bind(actor)
            .bind(now())
            .execute(&mut *tx.tx)
            .await?;
        let r = FileRef {
            id: file_id,
            name: f.name.to_owned(),
            content_type: f.content_type.to_owned(),
            size: f.bytes.len() as i64,
        };
        tx.audit::<(), _>("attach", "proposal", id, None, Some(&r));
        tx.commit().await?;
        Ok(r)
    }

    /// Is this file attached to this proposal?
    pub async fn proposal_has_file(&self, id: &str, file_id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM proposal_files WHERE proposal_id = $1 AND file_id = $2")
                .bind(id)
                .bind(file_id)
                .fetch_optional(&self.read)
                .await?
                .is_some(),
        )
    }

    // ---- decisions ----

    /// Record a decision: every listed proposal must be voted (approved) and of the
    /// council; each becomes decided and an awards registry row. A number already used by
    /// the issuer is refused. All or nothing.
    pub async fn record_decision(
        &self,
        ctx: &AuditCtx,
        d: &DecisionDraft,
        file: Option<&Upload<'_>>,
        actor: &str,
    ) -> Result<Decision, StoreError> {
        let issuer = required("issuer", &d.issuer, 255)?;
        let number = required("number", &d.number, 64)?;
        let signer = required("signer", &d.signer, 255)?;
        let title = limited("title", &d.title, 1000)?;
        let day = date("date", &d.date)?.format("%Y-%m-%d").to_string();
        if d.proposal_ids.is_empty() {
            return Err(StoreError::field("proposal_ids", "err-required"));
        }
        let mut tx = self.begin(ctx).await?;
        if sqlx::query("SELECT 1 FROM councils WHERE id = $1")
            .bind(&d.council_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let file_id = match file {
            Some(f) => {
                Some(crate::groups::insert_file(&mut tx, f.name, f.content_type, f.bytes).await?)
            }
            None => None,
        };
        let id = new_id();
        let at = now();
        let ins = sqlx::query("INSERT INTO decisions (id, council_id, issuer, number, decision_date, signer, title, file_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(&id)
            .bind(&d.council_id)
            .bind(&issuer)
            .bind(&number)
            .bind(&day)
            .bind(&signer)
            .bind(&title)
            .bind(&file_id)
            .bind(actor)
            .bind(&at)
            .execute(&mut *tx.tx)
            .await;
        if let Err(e) = ins {
            return Err(if StoreError::is_unique_violation(&e) {
                refused("err-decision-number-used", &[("number", number.clone())])
            } else {
                e.into()
            });
        }
        let mut seen = std::collections::HashSet::new();
        for pid in &d.proposal_ids {
            if !seen.insert(pid.as_str()) {
                return Err(StoreError::field("proposal_ids", "err-duplicate"));
            }
            let before = match proposal_tx(&mut tx.tx, pid).await {
                Ok(p) => p,
                Err(StoreError::NotFound) => {
                    return Err(StoreError::field("proposal_ids", "err-not-found"))
                }
                Err(e) => return Err(e),
            };
            if before.council_id != d.council_id {
                return Err(StoreError::field("proposal_ids", "err-prop-other-council"));
            }
            let from = status_of(&before)?;
            let to = transition(from, &Step::Decide, Role::Secretariat).map_err(|_| {
                refused(
                    "err-prop-not-voted",
                    &[(
                        "nominee",
                        before
                            .person_name
                            .clone()
                            .unwrap_or_else(|| before.unit_name.clone()),
                    )],
                )
            })?;
            sqlx::query(
                "INSERT INTO decision_proposals (decision_id, proposal_id) VALUES ($1, $2)",
            )
            .bind(&id)
            .bind(pid)
            .execute(&mut *tx.tx)
            .await?;
            let award_id = new_id();
            sqlx::query(
                "INSERT INTO awards (id, award_year, title_code, unit_id, person_id, decision_number, decision_date, issuer, note, created_at, decision_id, proposal_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11)",
            )
            .bind(&award_id)
            .bind(before.award_year)
            .bind(&before.title_code)
            .bind(&before.unit_id)
            .bind(&before.person_id)
            .bind(&number)
            .bind(&day)
            .bind(&issuer)
            .bind(&at)
            .bind(&id)
            .bind(pid)
            .execute(&mut *tx.tx)
            .await?;
            set_status(&mut tx, &before, from, to, Some(&number), actor).await?;
            tx.audit::<(), _>(
                "create",
                "award",
                &award_id,
                None,
                Some(&serde_json::json!({"year": before.award_year, "title_code": before.title_code, "unit_id": before.unit_id, "person_id": before.person_id, "decision_id": id})),
            );
            tx.audit("decide", "proposal", pid, Some(&before), None::<&()>);
        }
        let dec = decision_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "decision", &id, None, Some(&dec));
        tx.commit().await?;
        Ok(dec)
    }

    pub async fn get_decision(&self, id: &str) -> Result<Decision, StoreError> {
        let mut conn = self.read.acquire().await?;
        decision_tx(&mut conn, id).await
    }

    pub async fn decisions_of(&self, council_id: &str) -> Result<Vec<Decision>, StoreError> {
        let ids = self
            .ids(
                "SELECT id FROM decisions WHERE council_id = $1 ORDER BY decision_date DESC, number",
                council_id,
            )
            .await?;
        self.load_each(ids, decision_tx).await
    }
}

/// Take the year's row lock (PostgreSQL; SQLite has one writer): proposals of one council
/// year are checked against their quota one after another, so two at the same instant
/// cannot both take the last place.
async fn lock_year(tx: &mut Tx, year_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE emulation_years SET version = version WHERE id = $1")
        .bind(year_id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

async fn set_status(
    tx: &mut Tx,
    before: &Proposal,
    from: Status,
    to: Status,
    reason: Option<&str>,
    actor: &str,
) -> Result<(), StoreError> {
    // The version guards against two steps racing from the same status.
    let n = sqlx::query("UPDATE proposals SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = $4 AND version = $5")
        .bind(to.as_str())
        .bind(now())
        .bind(&before.id)
        .bind(from.as_str())
        .bind(before.version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict {
            current: serde_json::to_value(before).unwrap_or_default(),
        });
    }
    event(
        tx,
        &before.id,
        Some(from.as_str()),
        to.as_str(),
        reason,
        actor,
    )
    .await
}

async fn decision_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Decision, StoreError> {
    let r = sqlx::query("SELECT id, council_id, issuer, number, decision_date, signer, title, file_id, created_by, created_at FROM decisions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let ps = sqlx::query(
        "SELECT proposal_id FROM decision_proposals WHERE decision_id = $1 ORDER BY proposal_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Decision {
        id: r.try_get(0)?,
        council_id: r.try_get(1)?,
        issuer: r.try_get(2)?,
        number: r.try_get(3)?,
        date: r.try_get(4)?,
        signer: r.try_get(5)?,
        title: r.try_get(6)?,
        file_id: r.try_get(7)?,
        proposal_ids: ps
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, sqlx::Error>>()?,
        created_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

/// The notices of a proposal returned for changes: to the nominee unit's leaders and
/// emulation officers, and to whoever drafted it.
async fn returned_notices(
    tx: &mut Tx,
    p: &Proposal,
    reason: &str,
) -> Result<Vec<crate::NewNotification>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT u.id FROM users u LEFT JOIN grants g ON g.user_id = u.id \
         WHERE u.disabled = 0 AND ((g.scope_unit_id = $1 AND g.role IN ('unit_leader', 'unit_officer')) \
         OR u.username = $2) ORDER BY u.id",
    )
    .bind(&p.unit_id)
    .bind(&p.created_by)
    .fetch_all(&mut *tx.tx)
    .await?;
    // Each return is its own notice: the number of returns so far tells them apart.
    let nth = p
        .events
        .iter()
        .filter(|e| e.to_status == "returned")
        .count();
    let mut args = serde_json::Map::new();
    args.insert(
        "title".into(),
        serde_json::Value::String(p.title_name.clone()),
    );
    args.insert(
        "reason".into(),
        serde_json::Value::String(reason.to_owned()),
    );
    args.insert(
        "nominee".into(),
        serde_json::Value::String(p.unit_name.clone()),
    );
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(crate::NewNotification {
            user_id: r.try_get(0)?,
            kind: thidua_domain::notification::Kind::ProposalReturned,
            subject_kind: "proposal".into(),
            subject_id: p.id.clone(),
            dedupe_key: format!("returned:{}:{nth}", p.id),
            message_key: "notify-msg-proposal-returned".into(),
            args: args.clone(),
            link: format!("/proposals/{}", p.id),
        });
    }
    Ok(out)
}
