//! Demo yearly records and one initiative, for the invented people of the registration demo
//! (marked "minh họa"): real people of the seed articles get no invented ratings. The
//! registration stories still hold: nobody is refused or cleared by these records, and the
//! initiative is only proposed, so Trần Thị B's sector fighter registration stays flagged.

use std::collections::HashMap;

use anyhow::{anyhow, Result};
use thidua_domain::records::{InitiativeInput, RecordInput};
use thidua_store::{AuditCtx, Store};

use super::{opt, records};

const RECORDS: &str = include_str!("../../demo/person-records.csv");
const INITIATIVES: &str = include_str!("../../demo/initiatives.csv");

/// Load the demo records unless this database has them. Needs `load_registrations` first.
pub async fn load_records(store: &Store) -> Result<bool> {
    if store.meta("demo_records").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let units: HashMap<String, String> = store
        .all_units()
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();
    let people: HashMap<String, String> = store
        .all_people()
        .await?
        .into_iter()
        .map(|p| (p.full_name, p.id))
        .collect();
    let unit = |code: Option<String>| -> Result<String> {
        let code = code.unwrap_or_default();
        units
            .get(&code)
            .cloned()
            .ok_or_else(|| anyhow!("demo unit {code} missing"))
    };
    let person = |name: &str| -> Result<String> {
        people
            .get(name.trim())
            .cloned()
            .ok_or_else(|| anyhow!("demo person {name} missing"))
    };
    for r in records(RECORDS)? {
        let name = opt(&r, "full_name").unwrap_or_default();
        let d = RecordInput {
            year: opt(&r, "year").unwrap_or_default(),
            rating: opt(&r, "rating"),
            started_on: opt(&r, "started_on"),
            discipline_form: opt(&r, "discipline_form"),
            discipline_from: opt(&r, "discipline_from"),
            discipline_to: opt(&r, "discipline_to"),
            note: opt(&r, "note"),
            ..RecordInput::default()
        }
        .validate()
        .map_err(|e| anyhow!("demo record of {name}: {e:?}"))?;
        store
            .save_record(
                &ctx,
                &unit(opt(&r, "unit_code"))?,
                &person(&name)?,
                &d,
                None,
            )
            .await?;
    }
    for r in records(INITIATIVES)? {
        let authors = opt(&r, "authors")
            .unwrap_or_default()
            .split(';')
            .map(person)
            .collect::<Result<Vec<_>>>()?;
        let d = InitiativeInput {
            title: opt(&r, "title").unwrap_or_default(),
            year: opt(&r, "year").unwrap_or_default(),
            summary: opt(&r, "summary"),
            author_ids: authors,
        }
        .validate()
        .map_err(|e| anyhow!("demo initiative: {e:?}"))?;
        store
            .propose_initiative(&ctx, &unit(opt(&r, "unit_code"))?, &d)
            .await?;
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_records", "1").await?;
    tx.commit().await?;
    Ok(true)
}
