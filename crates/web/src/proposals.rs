//! Year end: award proposals, their dossiers, the public consultation, the council's vote
//! and decisions. Who may do what (shared by pages and API), the dossier's documents, and
//! the routes of the area.

use axum::routing::{get, post};
use axum::Router;
use thidua_domain::auth::{Action, Resource};
use thidua_store::Proposal;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, Lang};
use crate::AppState;

/// The nominee's unit (its leader or emulation officer) or a secretariat above it.
pub async fn may_propose(app: &AppState, ctx: &Ctx, unit_id: &str) -> AppResult<()> {
    ctx.user()?;
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::ProposeAward, &Resource::unit(&chain))
}

/// The council's standing office (its secretariat).
pub async fn may_review(app: &AppState, ctx: &Ctx, council_id: &str) -> AppResult<()> {
    ctx.user()?;
    let c = app.store.get_council(council_id).await?;
    let chain = app.store.unit_chain(&c.unit_id).await?;
    ctx.may(Action::ReviewProposals, &Resource::unit(&chain))
}

/// Decisions are recorded by the council's secretariat.
pub async fn may_decide(app: &AppState, ctx: &Ctx, council_id: &str) -> AppResult<()> {
    ctx.user()?;
    let c = app.store.get_council(council_id).await?;
    let chain = app.store.unit_chain(&c.unit_id).await?;
    ctx.may(Action::RecordDecision, &Resource::unit(&chain))
}

/// A proposal is seen by its proposers, the council's secretariat and the council's
/// members; anyone else is refused.
pub async fn may_view(app: &AppState, ctx: &Ctx, p: &Proposal) -> AppResult<()> {
    let user = ctx.user()?;
    if may_review(app, ctx, &p.council_id).await.is_ok()
        || may_propose(app, ctx, &p.unit_id).await.is_ok()
        || app
            .store
            .is_council_member(&p.council_id, &user.user.id)
            .await?
    {
        return Ok(());
    }
    Err(AppError::Forbidden)
}

/// A council member votes; the action passes any signed-in user, membership is the data's.
pub async fn may_vote(app: &AppState, ctx: &Ctx, p: &Proposal) -> AppResult<()> {
    let user = ctx.user()?;
    ctx.may(Action::CouncilVote, &Resource::SYSTEM)?;
    if !app
        .store
        .is_council_member(&p.council_id, &user.user.id)
        .await?
    {
        return Err(AppError::Refused {
            key: "err-not-council-member".into(),
            args: vec![],
        });
    }
    Ok(())
}

pub fn status_name(status: &str, lang: Lang) -> String {
    t(lang, &format!("prop-status-{status}"))
}

fn nominee(p: &Proposal) -> String {
    match &p.person_name {
        Some(n) => format!("{n} ({})", p.unit_name),
        None => p.unit_name.clone(),
    }
}

/// The facts a dossier is made of, gathered once for the PDF and the DOCX.
pub struct DossierFacts {
    pub scores: Vec<String>,
    pub awards: Vec<String>,
    pub vote_minutes: Vec<String>,
}

pub async fn dossier_facts(app: &AppState, ctx: &Ctx, p: &Proposal) -> AppResult<DossierFacts> {
    let mut scores = Vec::new();
    if p.person_id.is_none() {
        for y in crate::scoring::unit_years(app, ctx, &p.unit_id)
            .await
            .unwrap_or_default()
        {
            if y.year == p.award_year {
                let v = serde_json::to_value(&y.result).unwrap_or_default();
                scores.push(format!(
                    "{}: {} {} / {} — {}",
                    y.scheme_title,
                    t(ctx.lang, "prop-score"),
                    v["final_total"],
                    serde_json::to_value(y.max_total).unwrap_or_default(),
                    y.group_name.clone().unwrap_or_default()
                ));
            }
        }
    }
    let awards = match &p.person_id {
        Some(person) => app.store.awards_of_person(person).await?,
        None => app.store.awards_of_unit(&p.unit_id).await?,
    };
    let awards = awards
        .iter()
        .filter(|a| a.year < p.award_year || a.title_code != p.title_code)
        .map(|a| {
            format!(
                "{}: {}{}",
                a.year,
                crate::registrations::title_name(&a.title_code, ctx.lang),
                a.decision_number
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let mut vote_minutes = Vec::new();
    if let Some(eid) = &p.acclaim_election_id {
        if let Ok(e) = app.store.get_election(eid).await {
            vote_minutes.push(format!(
                "{} — {}: {}",
                e.group_name,
                t(ctx.lang, "prop-acclaim-vote"),
                e.members
            ));
            if let Some(r) = &e.result {
                for c in r["counts"].as_array().into_iter().flatten() {
                    let id = c["candidate"].as_str().unwrap_or_default();
                    let name = e
                        .candidates
                        .iter()
                        .find(|u| u.id == id)
                        .map(|u| u.name.clone())
                        .unwrap_or_default();
                    vote_minutes.push(format!("{name}: {}/{}", c["votes"], e.members));
                }
            }
        }
    }
    if let Some(v) = &p.vote {
        vote_minutes.push(format!(
            "{}: {}/{} ({} {}, {} {}, {} {})",
            t(ctx.lang, "prop-council-vote"),
            v.yes,
            v.members,
            v.no,
            t(ctx.lang, "prop-vote-no"),
            v.blank,
            t(ctx.lang, "prop-vote-blank"),
            v.cast,
            t(ctx.lang, "prop-vote-cast"),
        ));
    }
    Ok(DossierFacts {
        scores,
        awards,
        vote_minutes,
    })
}

/// The dossier as one PDF: submission letter, achievement report, vote minutes and the
/// rules checked, as the sections of an official list.
pub async fn dossier_pdf(app: &AppState, ctx: &Ctx, p: &Proposal) -> AppResult<Vec<u8>> {
    let f = dossier_facts(app, ctx, p).await?;
    let lang = ctx.lang;
    let council = app.store.get_council(&p.council_id).await?;
    let unit = app.store.get_unit(&p.unit_id).await?;
    let head = thidua_pdf::Letterhead {
        parent_body: None,
        issuer: unit.name.to_uppercase(),
        place: None,
    };
    let title_name = crate::registrations::title_name(&p.title_code, lang);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut push = |section: &str, text: String| rows.push(vec![section.to_owned(), text]);
    let letter = t(lang, "prop-doc-letter");
    push(
        &letter,
        format!(
            "{} {} {} {} {}",
            t(lang, "prop-doc-letter-body"),
            title_name,
            t(lang, "prop-doc-for"),
            nominee(p),
            p.award_year
        ),
    );
    push(&letter, format!("{}: {}", t(lang, "prop-to"), council.name));
    if !p.summary.is_empty() {
        push(&letter, p.summary.clone());
    }
    let report = t(lang, "prop-doc-report");
    push(&report, p.achievements.clone());
    for s in &f.scores {
        push(&report, s.clone());
    }
    for a in &f.awards {
        push(&t(lang, "prop-doc-awards"), a.clone());
    }
    for m in &f.vote_minutes {
        push(&t(lang, "prop-doc-minutes"), m.clone());
    }
    for c in &p.checks {
        push(
            &t(lang, "prop-doc-checks"),
            format!(
                "{} {}",
                if c.met { "✓" } else { "✗" },
                match lang {
                    Lang::Vi => &c.message_vi,
                    Lang::En => &c.message_en,
                }
            ),
        );
    }
    for fi in &p.files {
        push(&t(lang, "prop-doc-files"), fi.name.clone());
    }
    let columns = vec![
        thidua_pdf::Column {
            title: t(lang, "prop-doc-part"),
            width: 0.35,
        },
        thidua_pdf::Column {
            title: t(lang, "prop-doc-content"),
            width: 1.0,
        },
    ];
    let title = format!("{} {}", t(lang, "prop-doc-title"), title_name);
    let subtitle = format!("{} — {} {}", nominee(p), t(lang, "prop-year"), p.award_year);
    let today = crate::proposals::today();
    tokio::task::spawn_blocking(move || {
        thidua_pdf::render_table(
            &head,
            None,
            Some(today),
            &title,
            Some(&subtitle),
            &columns,
            &rows,
            None,
            None,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The submission letter (tờ trình) alone: from the nominee's unit to the council, asking
/// for the title, with the summary and what the dossier holds; signed by the unit's head.
pub async fn letter_pdf(app: &AppState, ctx: &Ctx, p: &Proposal) -> AppResult<Vec<u8>> {
    use crate::i18n::t_args;
    let lang = ctx.lang;
    let council = app.store.get_council(&p.council_id).await?;
    let unit = app.store.get_unit(&p.unit_id).await?;
    let head = thidua_pdf::Letterhead {
        parent_body: None,
        issuer: unit.name.to_uppercase(),
        place: None,
    };
    let title_name = crate::registrations::title_name(&p.title_code, lang);
    let year = p.award_year.to_string();
    let mut paragraphs = vec![t_args(
        lang,
        "prop-letter-ask",
        &[
            ("unit", unit.name.clone()),
            ("council", council.name.clone()),
            ("title", title_name.clone()),
            ("year", year.clone()),
            ("nominee", nominee(p)),
        ],
    )];
    if !p.summary.is_empty() {
        paragraphs.push(p.summary.clone());
    }
    paragraphs.push(t(lang, "prop-letter-enclosed"));
    paragraphs.push(t_args(
        lang,
        "prop-letter-close",
        &[("council", council.name.clone())],
    ));
    let letter = thidua_pdf::Letter {
        kind_line: t(lang, "prop-letter-kind"),
        summary: t_args(
            lang,
            "prop-letter-about",
            &[("title", title_name), ("year", year)],
        ),
        number: None,
        date: Some(today()),
        to: Some(format!("{}: {}", t(lang, "prop-to"), council.name)),
        paragraphs,
        recipients: vec![
            t(lang, "prop-letter-recipient-above"),
            t(lang, "prop-letter-recipient-file"),
        ],
    };
    let signature = thidua_pdf::SignatureBlock {
        unit_name: String::new(),
        position: t(lang, "prop-doc-signer").to_uppercase(),
        signer_name: None,
        note: None,
    };
    tokio::task::spawn_blocking(move || thidua_pdf::render_letter(&letter, &head, &signature))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn today() -> chrono::NaiveDate {
    thidua_store::today_vn()
}

/// The achievement report as an editable DOCX, pre-filled from the system.
pub async fn report_docx(app: &AppState, ctx: &Ctx, p: &Proposal) -> AppResult<Vec<u8>> {
    use thidua_docs::{ReportDoc, ReportSection};
    let f = dossier_facts(app, ctx, p).await?;
    let lang = ctx.lang;
    let unit = app.store.get_unit(&p.unit_id).await?;
    let mut sections = vec![ReportSection {
        heading: t(lang, "prop-doc-report"),
        paragraphs: p
            .achievements
            .split('\n')
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
            .collect(),
    }];
    if !f.scores.is_empty() {
        sections.push(ReportSection {
            heading: t(lang, "prop-doc-scores"),
            paragraphs: f.scores,
        });
    }
    if !f.awards.is_empty() {
        sections.push(ReportSection {
            heading: t(lang, "prop-doc-awards"),
            paragraphs: f.awards,
        });
    }
    if !f.vote_minutes.is_empty() {
        sections.push(ReportSection {
            heading: t(lang, "prop-doc-minutes"),
            paragraphs: f.vote_minutes,
        });
    }
    let doc = ReportDoc {
        unit: unit.name.clone(),
        title: t(lang, "prop-doc-report"),
        subtitle: format!(
            "{} {} {} {}",
            t(lang, "prop-doc-for"),
            nominee(p),
            crate::registrations::title_name(&p.title_code, lang),
            p.award_year
        ),
        sections,
        signer_position: t(lang, "prop-doc-signer"),
        signer_name: String::new(),
    };
    thidua_docs::report_docx(&doc).map_err(AppError::Internal)
}

/// The routes of this area (pages and API).
pub fn routes() -> Router<AppState> {
    use crate::api::proposals as api;
    use crate::pages::proposals as pages;
    Router::new()
        .route("/api/v1/proposals", post(api::create))
        .route("/api/v1/years/{id}/proposals", get(api::list))
        .route("/api/v1/proposals/{id}", get(api::get).put(api::update))
        .route("/api/v1/proposals/{id}/submit", post(api::submit))
        .route("/api/v1/proposals/{id}/return", post(api::return_))
        .route("/api/v1/proposals/{id}/accept", post(api::accept))
        .route("/api/v1/proposals/{id}/reject", post(api::reject))
        .route(
            "/api/v1/proposals/{id}/consultation",
            post(api::open_consultation),
        )
        .route("/api/v1/proposals/{id}/comments", get(api::comments))
        .route("/api/v1/proposals/{id}/vote/open", post(api::open_vote))
        .route("/api/v1/proposals/{id}/vote/close", post(api::close_vote))
        .route(
            "/api/v1/proposals/{id}/ballots",
            get(api::ballots).post(api::cast),
        )
        .route("/api/v1/proposals/{id}/files", post(api::attach))
        .route("/api/v1/proposals/{id}/dossier.pdf", get(api::dossier))
        .route("/api/v1/proposals/{id}/letter.pdf", get(api::letter))
        .route("/api/v1/proposals/{id}/report.docx", get(api::report))
        .route(
            "/api/v1/councils/{id}/members",
            get(api::members).post(api::add_member),
        )
        .route(
            "/api/v1/councils/{id}/members/{user_id}",
            axum::routing::delete(api::remove_member),
        )
        .route(
            "/councils/{id}/members",
            get(pages::council).post(pages::add_member),
        )
        .route(
            "/councils/{id}/members/{user_id}/remove",
            post(pages::remove_member),
        )
        .route("/api/v1/councils/{id}/decisions", get(api::decisions))
        .route("/api/v1/decisions", post(api::decide))
        .route("/api/v1/decisions/{id}", get(api::get_decision))
        .route("/api/v1/public/consultations", get(api::public_list))
        .route("/api/v1/public/consultations/{id}", get(api::public_get))
        .route(
            "/api/v1/public/consultations/{id}/comments",
            post(api::public_comment),
        )
        .route("/public/consultations", get(pages::public_list))
        .route(
            "/public/consultations/{id}",
            get(pages::public_get).post(pages::public_comment),
        )
        .route("/proposals/{id}", get(pages::proposal))
        .route("/proposals/{id}/step", post(pages::step))
        .route("/proposals/{id}/ballot", post(pages::ballot))
        .route("/proposals/{id}/consultation", post(pages::consultation))
        .route("/years/{id}/decisions", post(pages::decide))
        .route(
            "/years/{id}/proposals",
            get(pages::year).post(pages::propose),
        )
}
