//! Who may manage emulation movements and who may join them: shared by pages and API.

use thidua_domain::auth::{Action, Resource, Role};
use thidua_store::{Group, Joiner, Movement};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// Everyone signed in sees movements and who joined them.
pub fn may_view(ctx: &Ctx) -> AppResult<()> {
    ctx.may(Action::ViewUnits, &Resource::SYSTEM)
}

/// The launching council's secretariat (or an administrator) creates and edits movements.
pub async fn may_manage(app: &AppState, ctx: &Ctx, council_id: &str) -> AppResult<()> {
    ctx.user()?;
    let c = match app.store.get_council(council_id).await {
        Ok(c) => c,
        // An unknown council in a form is an input error, not a missing page.
        // (To someone who manages movements somewhere; others are simply refused.)
        Err(thidua_store::StoreError::NotFound)
            if ctx.has_role(Role::CouncilSecretary) || ctx.has_role(Role::Admin) =>
        {
            return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
                "council_id",
                "err-mov-unknown-council",
            )]))
        }
        Err(thidua_store::StoreError::NotFound) => return Err(AppError::Forbidden),
        Err(e) => return Err(e.into()),
    };
    let chain = app.store.unit_chain(&c.unit_id).await?;
    ctx.may(Action::ManageMovements, &Resource::unit(&chain))
}

pub async fn may_manage_movement(app: &AppState, ctx: &Ctx, m: &Movement) -> AppResult<()> {
    ctx.user()?;
    let chain = app.store.unit_chain(&m.council.unit_id).await?;
    ctx.may(Action::ManageMovements, &Resource::unit(&chain))
}

/// A group joins through its head (the head unit's leader or emulation officer), its
/// council's secretariat, or the movement's managers.
pub async fn may_join_group(app: &AppState, ctx: &Ctx, m: &Movement, g: &Group) -> AppResult<()> {
    ctx.user()?;
    if may_manage_movement(app, ctx, m).await.is_ok()
        || crate::groups::may_manage_group(app, ctx, &g.id)
            .await
            .is_ok()
    {
        return Ok(());
    }
    if let Some(h) = &g.head {
        let chain = app.store.unit_chain(&h.id).await?;
        if ctx.can(Action::RegisterTitles, &Resource::unit(&chain)) {
            return Ok(());
        }
    }
    Err(AppError::Forbidden)
}

/// A unit joins through its leader or emulation officer (or the secretariat above it), or
/// the movement's managers.
pub async fn may_join_unit(
    app: &AppState,
    ctx: &Ctx,
    m: &Movement,
    unit_id: &str,
) -> AppResult<()> {
    ctx.user()?;
    if may_manage_movement(app, ctx, m).await.is_ok() {
        return Ok(());
    }
    let chain = app.store.unit_chain(unit_id).await?;
    ctx.may(Action::RegisterTitles, &Resource::unit(&chain))
}

/// The joiner named by a request: exactly one of a group and a unit.
pub fn joiner(group_id: Option<String>, unit_id: Option<String>) -> AppResult<Joiner> {
    let g = group_id.filter(|s| !s.trim().is_empty());
    let u = unit_id.filter(|s| !s.trim().is_empty());
    match (g, u) {
        (Some(g), None) => Ok(Joiner::Group(g.trim().to_owned())),
        (None, Some(u)) => Ok(Joiner::Unit(u.trim().to_owned())),
        (None, None) => Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
            "group_id",
            "err-mov-who",
        )])),
        (Some(_), Some(_)) => Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
            "unit_id",
            "err-mov-who",
        )])),
    }
}

/// Check that the caller may make `who` join or leave `m`.
pub async fn may_join(app: &AppState, ctx: &Ctx, m: &Movement, who: &Joiner) -> AppResult<()> {
    match who {
        Joiner::Group(g) => {
            let g = match app.store.get_group(g).await {
                Ok(g) => g,
                Err(thidua_store::StoreError::NotFound) => {
                    return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
                        "group_id",
                        "err-mov-unknown-group",
                    )]))
                }
                Err(e) => return Err(e.into()),
            };
            may_join_group(app, ctx, m, &g).await
        }
        Joiner::Unit(u) => {
            if app.store.get_unit(u).await.is_err() {
                return Err(AppError::Invalid(vec![thidua_domain::FieldError::new(
                    "unit_id",
                    "err-unknown-unit",
                )]));
            }
            may_join_unit(app, ctx, m, u).await
        }
    }
}
