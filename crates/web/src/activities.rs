//! Who may read and manage activities and news, the facts a news draft is made of, and the
//! photo checks: shared by the pages and the API.
//!
//! A group's activities and news are managed by the council's secretariat and by the leader
//! or emulation officer of the group's head or deputy unit; a unit's activities by its
//! leader or officer (or the secretariat above it); a council's own by its secretariat.
//! Members read their group's, a unit's people read their unit's, everyone signed in reads a
//! council's own. Published news is public; a draft only for those who may edit it.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::NaiveDate;
use thidua_domain::activity::{self, MAX_PHOTO_BYTES};
use thidua_domain::auth::{Action, Resource};
use thidua_domain::news::{Attendee, ConferenceFacts, Officer};
use thidua_domain::FieldError;
use thidua_store::{
    Activity, ActivityQuery, AuditCtx, Conference, NewsArticle, Owner, Photo, PhotoOwner, RegQuery,
    Store, StoreError, UnitBrief,
};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The routes of this area, pages and API, merged into the application's router.
pub fn routes() -> Router<AppState> {
    crate::api::activities::routes().merge(crate::pages::activities::routes())
}

/// The owner of an activity.
pub fn owner_of(a: &Activity) -> Owner {
    match (&a.group, &a.unit, &a.council_id) {
        (Some(g), _, _) => Owner::Group(g.id.clone()),
        (_, Some(u), _) => Owner::Unit(u.id.clone()),
        (_, _, c) => Owner::Council(c.clone().unwrap_or_default()),
    }
}

/// The owner named by a request: exactly one of council, group and unit.
pub fn owner(
    council_id: Option<&str>,
    group_id: Option<&str>,
    unit_id: Option<&str>,
) -> AppResult<Owner> {
    let f = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match (f(council_id), f(group_id), f(unit_id)) {
        (Some(c), None, None) => Ok(Owner::Council(c)),
        (None, Some(g), None) => Ok(Owner::Group(g)),
        (None, None, Some(u)) => Ok(Owner::Unit(u)),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "owner",
            "err-act-owner",
        )])),
    }
}

async fn chain(app: &AppState, unit: &str) -> AppResult<Vec<String>> {
    Ok(app.store.unit_chain(unit).await?)
}

/// May the caller manage the owner's activities (and, for a group or council, its news)?
pub async fn may_manage(app: &AppState, ctx: &Ctx, owner: &Owner) -> AppResult<()> {
    ctx.user()?;
    match owner {
        Owner::Council(c) => {
            let c = app.store.get_council(c).await?;
            crate::groups::may_manage(app, ctx, &c.unit_id).await
        }
        Owner::Group(g) => {
            let group = app.store.get_group(g).await?;
            if crate::groups::may_manage_group(app, ctx, g).await.is_ok() {
                return Ok(());
            }
            for u in group.head.iter().chain(group.deputy.iter()) {
                if ctx.can(
                    Action::ManageActivities,
                    &Resource::unit(&chain(app, &u.id).await?),
                ) {
                    return Ok(());
                }
            }
            Err(AppError::Forbidden)
        }
        Owner::Unit(u) => {
            app.store.get_unit(u).await?;
            ctx.may(
                Action::ManageActivities,
                &Resource::unit(&chain(app, u).await?),
            )
        }
    }
}

/// May the caller read the owner's activities?
pub async fn may_read(app: &AppState, ctx: &Ctx, owner: &Owner) -> AppResult<()> {
    let p = ctx.user()?;
    if may_manage(app, ctx, owner).await.is_ok() {
        return Ok(());
    }
    let chains = match owner {
        Owner::Council(_) => return ctx.may(Action::ViewUnits, &Resource::SYSTEM),
        Owner::Group(g) => {
            let mut v = Vec::new();
            for m in app.store.group_member_ids(g).await? {
                v.push(chain(app, &m).await?);
            }
            v
        }
        Owner::Unit(u) => vec![chain(app, u).await?],
    };
    if activity::reads(&p.actor, &chains) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The activities of a calendar filter, after checking the caller may read them. Without
/// an owner in the filter: every activity the caller may read.
pub async fn list(app: &AppState, ctx: &Ctx, q: &ActivityQuery) -> AppResult<Vec<Activity>> {
    ctx.user()?;
    if q.council_id.is_none() && q.group_id.is_none() && q.unit_id.is_none() {
        let all = app.store.list_activities(q).await?;
        let mut allowed: Vec<(Owner, bool)> = Vec::new();
        let mut out = Vec::new();
        for a in all {
            let o = owner_of(&a);
            let ok = match allowed.iter().find(|(x, _)| *x == o) {
                Some((_, ok)) => *ok,
                None => {
                    let ok = may_read(app, ctx, &o).await.is_ok();
                    allowed.push((o, ok));
                    ok
                }
            };
            if ok {
                out.push(a);
            }
        }
        return Ok(out);
    }
    let o = owner(
        q.council_id.as_deref(),
        q.group_id.as_deref(),
        q.unit_id.as_deref(),
    )?;
    may_read(app, ctx, &o).await?;
    Ok(app.store.list_activities(q).await?)
}

/// The owner of an article: its group, else its council.
pub fn article_owner(a: &NewsArticle) -> Owner {
    match &a.group {
        Some(g) => Owner::Group(g.id.clone()),
        None => Owner::Council(a.council_id.clone()),
    }
}

pub async fn may_edit_article(app: &AppState, ctx: &Ctx, a: &NewsArticle) -> bool {
    ctx.principal.is_some() && may_manage(app, ctx, &article_owner(a)).await.is_ok()
}

/// An article as the caller may see it: a published one for anyone, a draft only for its
/// editors (to everyone else it does not exist).
pub async fn visible_article(app: &AppState, ctx: &Ctx, id: &str) -> AppResult<NewsArticle> {
    let a = app.store.get_article(id).await?;
    if a.status == "published" || may_edit_article(app, ctx, &a).await {
        Ok(a)
    } else {
        Err(AppError::NotFound)
    }
}

/// The accepted image type of an uploaded photo; too large is 413, anything but an image 422.
pub fn check_photo(bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(AppError::TooLarge);
    }
    Ok(activity::photo_type(bytes)?)
}

/// A photo's caption: one clean line, bounded.
pub fn caption(s: Option<&str>) -> String {
    thidua_domain::text::clean(s.unwrap_or(""))
        .chars()
        .take(300)
        .collect()
}

/// Serve a photo inline: only images we recognised by content are ever stored here.
pub fn photo_response(ctype: String, data: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "private, max-age=3600".into()),
        ],
        data,
    )
        .into_response()
}

pub async fn add_activity_photo(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    name: &str,
    cap: Option<&str>,
    bytes: &[u8],
) -> AppResult<Photo> {
    let a = app.store.get_activity(id).await?;
    may_manage(app, ctx, &owner_of(&a)).await?;
    let ctype = check_photo(bytes)?;
    let name = crate::files::clean_name(name);
    Ok(app
        .store
        .add_activity_photo(&ctx.audit(), id, &name, ctype, &caption(cap), bytes)
        .await?)
}

pub async fn add_article_photo(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    name: &str,
    cap: Option<&str>,
    bytes: &[u8],
) -> AppResult<Photo> {
    let a = app.store.get_article(id).await?;
    may_manage(app, ctx, &article_owner(&a)).await?;
    let ctype = check_photo(bytes)?;
    let name = crate::files::clean_name(name);
    Ok(app
        .store
        .add_article_photo(&ctx.audit(), id, &name, ctype, &caption(cap), bytes)
        .await?)
}

pub async fn activity_photo(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    file_id: &str,
) -> AppResult<Response> {
    let a = app.store.get_activity(id).await?;
    may_read(app, ctx, &owner_of(&a)).await?;
    let (ctype, data) = app
        .store
        .owned_photo(PhotoOwner::Activity(id), file_id)
        .await?;
    Ok(photo_response(ctype, data))
}

pub async fn article_photo(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    file_id: &str,
) -> AppResult<Response> {
    visible_article(app, ctx, id).await?;
    let (ctype, data) = app
        .store
        .owned_photo(PhotoOwner::Article(id), file_id)
        .await?;
    Ok(photo_response(ctype, data))
}

fn unit_label(u: &UnitBrief) -> String {
    u.short_name.clone().unwrap_or_else(|| u.name.clone())
}

/// Gather what the record of a conference says, for the news draft.
pub async fn conference_facts(
    store: &Store,
    c: &Conference,
) -> Result<ConferenceFacts, StoreError> {
    let g = store.get_group(&c.group_id).await?;
    let year = store.get_year(&g.year_id).await?;
    let label_of = |id: &str| {
        g.members
            .iter()
            .find(|m| m.id == id)
            .map(unit_label)
            .or_else(|| (c.host.id == id).then(|| unit_label(&c.host)))
    };
    // The head first, then the deputy, then the others in the group's order.
    let mut members: Vec<&UnitBrief> = g.members.iter().collect();
    members.sort_by_key(|m| {
        if g.head.as_ref().is_some_and(|h| h.id == m.id) {
            0
        } else if g.deputy.as_ref().is_some_and(|d| d.id == m.id) {
            1
        } else {
            2
        }
    });
    // The person who represented a leading unit, and their position (the role's first part).
    let officer = |u: &UnitBrief| {
        let p = c
            .participants
            .iter()
            .find(|p| p.unit_id.as_deref() == Some(u.id.as_str()));
        Officer {
            unit: unit_label(u),
            person: p.map(|p| p.name.clone()),
            position: p.and_then(|p| {
                p.role
                    .split(',')
                    .next()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            }),
        }
    };
    let head = g.head.as_ref().map(officer);
    let deputy = g.deputy.as_ref().map(officer);
    let leaders: Vec<&str> = g
        .head
        .iter()
        .chain(g.deputy.iter())
        .map(|u| u.id.as_str())
        .collect();
    let attendees = c
        .participants
        .iter()
        .filter(|p| !p.unit_id.as_deref().is_some_and(|u| leaders.contains(&u)))
        .map(|p| Attendee {
            name: p.name.clone(),
            role: p.role.clone(),
            unit: p.unit_id.as_deref().and_then(label_of),
        })
        .collect();
    let mut elected = Vec::new();
    for e in store.elections_of(&g.id).await? {
        if e.conference_id.as_deref() != Some(c.id.as_str()) || e.status != "closed" {
            continue;
        }
        let winner = e
            .result
            .as_ref()
            .and_then(|r| r.get("outcome"))
            .filter(|o| o.get("outcome").and_then(|v| v.as_str()) == Some("elected"))
            .and_then(|o| o.get("candidate"))
            .and_then(|v| v.as_str())
            .and_then(|id| e.candidates.iter().find(|u| u.id == id))
            .map(unit_label);
        if let Some(w) = winner {
            elected.push((e.office.clone(), w));
        }
    }
    // What the agenda says was adopted ("Thông qua …"), without the speaker.
    let adopted = c
        .agenda
        .iter()
        .filter_map(|a| {
            let rest = a.strip_prefix("Thông qua ")?;
            let what = rest.split(" – ").next().unwrap_or(rest).trim();
            Some(what.to_owned())
        })
        .collect();
    // Collective titles the members registered for the conference's year.
    let mut registrations: Vec<(String, i64)> = Vec::new();
    let regs = store
        .registrations(&RegQuery {
            year_id: g.year_id.clone(),
            group_id: None,
            unit_id: None,
            include_withdrawn: false,
        })
        .await?;
    for r in regs.iter().filter(|r| {
        r.person_id.is_none()
            && r.title_kind == "collective"
            && g.members.iter().any(|m| m.id == r.unit_id)
    }) {
        match registrations.iter_mut().find(|(t, _)| *t == r.title_name) {
            Some((_, n)) => *n += 1,
            None => registrations.push((r.title_name.clone(), 1)),
        }
    }
    let date = NaiveDate::parse_from_str(c.starts_at.get(..10).unwrap_or(""), "%Y-%m-%d")
        .map_err(|_| StoreError::field("starts_at", "err-bad-date"))?;
    let council = store.get_council(&g.council_id).await?;
    Ok(ConferenceFacts {
        group_name: g.name.clone(),
        // A group of the sector council is "of the People's Procuracy sector".
        group_scope: if council.name.contains("ngành") {
            "ngành Kiểm sát nhân dân".into()
        } else {
            String::new()
        },
        title: c.title.clone(),
        date,
        venue: c.venue.clone(),
        mode: c.mode.clone(),
        bridge_points: c
            .bridge_points
            .iter()
            .map(|b| {
                if b.unit_name.is_empty() {
                    b.place.clone()
                } else {
                    b.unit_name.clone()
                }
            })
            .collect(),
        host: unit_label(&c.host),
        members: members.into_iter().map(unit_label).collect(),
        head,
        deputy,
        elected,
        attendees,
        agenda: c.agenda.clone(),
        adopted,
        registrations,
        theme: Some(year.theme.clone()).filter(|s| !s.trim().is_empty()),
        motto: Some(year.motto.clone()).filter(|s| !s.trim().is_empty()),
    })
}

/// Draft and store a news article from a conference's record (as a draft). Used by the
/// pages, the API and the demo loader alike.
pub async fn draft_article(
    store: &Store,
    audit: &AuditCtx,
    c: &Conference,
    author: &str,
) -> Result<NewsArticle, StoreError> {
    let g = store.get_group(&c.group_id).await?;
    let facts = conference_facts(store, c).await?;
    let d = thidua_domain::news::draft(&facts);
    let text = thidua_domain::news::check_article(&d.title, &d.place, &d.body_html)?;
    store
        .create_article(
            audit,
            &thidua_store::NewsPlace {
                council_id: g.council_id.clone(),
                group_id: Some(g.id.clone()),
                conference_id: Some(c.id.clone()),
                event_date: d.event_date.to_string(),
            },
            &text,
            author,
        )
        .await
}

/// Draft an article for the caller, who must manage the conference's group.
pub async fn draft_from_conference(
    app: &AppState,
    ctx: &Ctx,
    conference_id: &str,
) -> AppResult<NewsArticle> {
    let c = app.store.get_conference(conference_id).await?;
    may_manage(app, ctx, &Owner::Group(c.group_id.clone())).await?;
    let author = ctx
        .principal
        .as_ref()
        .map(|p| p.user.display_name.clone())
        .unwrap_or_default();
    Ok(draft_article(&app.store, &ctx.audit(), &c, &author).await?)
}
