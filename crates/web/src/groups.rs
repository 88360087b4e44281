//! Who may manage groups, host conferences, run elections and vote: shared by pages and API.

use rand::RngCore;
use thidua_domain::auth::{Action, Resource, Role};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// A fresh receipt code for a ballot.
pub fn new_receipt() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    thidua_domain::election::receipt_from_bytes(&b)
}

/// The council's secretariat (or an administrator) manages its years and groups.
pub async fn may_manage(app: &AppState, ctx: &Ctx, council_unit: &str) -> AppResult<()> {
    let chain = app.store.unit_chain(council_unit).await?;
    ctx.may(Action::ManageGroups, &Resource::unit(&chain))
}

pub async fn may_manage_group(app: &AppState, ctx: &Ctx, group_id: &str) -> AppResult<()> {
    let g = app.store.get_group(group_id).await?;
    let c = app.store.get_council(&g.council_id).await?;
    may_manage(app, ctx, &c.unit_id).await
}

/// The council's secretariat, or the leader or emulation officer of the host unit.
pub async fn may_host(app: &AppState, ctx: &Ctx, group_id: &str, host_unit: &str) -> AppResult<()> {
    ctx.user()?;
    if may_manage_group(app, ctx, group_id).await.is_ok() {
        return Ok(());
    }
    let chain = app.store.unit_chain(host_unit).await?;
    ctx.may(Action::HostConference, &Resource::unit(&chain))
}

/// Elections are run by the conference's host, or without a conference by the group's head,
/// deputy (last year's deputy hosts the first conference) or the council's secretariat.
pub async fn may_run_election(
    app: &AppState,
    ctx: &Ctx,
    group_id: &str,
    conference_id: Option<&str>,
) -> AppResult<()> {
    ctx.user()?;
    if may_manage_group(app, ctx, group_id).await.is_ok() {
        return Ok(());
    }
    let hosts: Vec<String> = match conference_id {
        Some(c) => vec![app.store.get_conference(c).await?.host.id],
        None => {
            let g = app.store.get_group(group_id).await?;
            let mut v: Vec<String> = g
                .head
                .iter()
                .chain(g.deputy.iter())
                .map(|u| u.id.clone())
                .collect();
            for p in &g.predecessors {
                if let Ok(pg) = app.store.get_group(&p.id).await {
                    v.extend(pg.deputy.map(|d| d.id));
                }
            }
            v
        }
    };
    for h in hosts {
        let chain = app.store.unit_chain(&h).await?;
        if ctx.can(Action::HostConference, &Resource::unit(&chain)) {
            return Ok(());
        }
    }
    Err(AppError::Forbidden)
}

/// The member units this user leads in the group: a leader's grant on a member unit, or on
/// a unit above members (then each member's chain is checked).
pub async fn voting_units(app: &AppState, ctx: &Ctx, group_id: &str) -> AppResult<Vec<String>> {
    let p = ctx.user()?;
    let scopes: Vec<&str> = p
        .actor
        .grants
        .iter()
        .filter(|g| g.role == Role::UnitLeader)
        .filter_map(|g| g.scope_unit.as_deref())
        .collect();
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let members = app.store.group_member_ids(group_id).await?;
    let mut out: Vec<String> = members
        .iter()
        .filter(|m| scopes.contains(&m.as_str()))
        .cloned()
        .collect();
    if out.len() < scopes.len() {
        for m in &members {
            if out.contains(m) {
                continue;
            }
            let chain = app.store.unit_chain(m).await?;
            if ctx.can(Action::Vote, &Resource::unit(&chain)) {
                out.push(m.clone());
            }
        }
    }
    Ok(out)
}

/// Cast a ballot for the leader's member unit. Outsiders get 403; a second ballot 409.
pub async fn cast(
    app: &AppState,
    ctx: &Ctx,
    election_id: &str,
    unit_id: Option<&str>,
    choice: Option<&str>,
) -> AppResult<String> {
    let p = ctx.user()?.clone();
    let group_id = app.store.election_group(election_id).await?;
    let mine = voting_units(app, ctx, &group_id).await?;
    let unit = match unit_id {
        Some(u) if mine.iter().any(|m| m == u) => u.to_owned(),
        Some(_) => return Err(AppError::Forbidden),
        None if mine.len() == 1 => mine[0].clone(),
        None if mine.is_empty() => return Err(AppError::Forbidden),
        None => {
            return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
                "unit_id",
                "err-required",
            )]))
        }
    };
    Ok(app
        .store
        .cast_ballot(
            &ctx.audit(),
            election_id,
            &unit,
            &p.user.id,
            choice.filter(|c| !c.is_empty()),
            &new_receipt(),
        )
        .await?)
}
