//! Demo scoring: the 2024 criteria table for provincial procuracies (64 criteria in 6
//! sections, 1,000 base points; the criteria and targets are illustrative, the legal basis is
//! the sector's 424/QĐ-VKSTC) and the self-assessments of 2024 cluster 13's six members,
//! submitted, so that the cluster's ranking shows and its head can review it.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use thidua_domain::scoring::{Input, Scheme};
use thidua_store::{AssessmentDraft, AuditCtx, Store};

pub(super) const SCHEME: &str = include_str!("../../demo/scoring-provincial-2024.json");
pub(super) const ENTRIES: &str = include_str!("../../demo/scoring-cluster13-2024.json");

/// Load the demo scheme and assessments unless this database has them. Needs `load_groups`.
pub async fn load_scoring(store: &Store) -> Result<bool> {
    if store.meta("demo_scoring").await?.as_deref() == Some("1") {
        return Ok(false);
    }
    let ctx = AuditCtx {
        actor: Some("demo".into()),
        address: None,
    };
    let sector = store
        .all_units()
        .await?
        .into_iter()
        .find(|u| u.code == "VKSTC")
        .ok_or_else(|| anyhow!("demo unit VKSTC missing"))?;
    let council = store
        .list_councils()
        .await?
        .into_iter()
        .find(|c| c.unit_id == sector.id)
        .ok_or_else(|| anyhow!("demo sector council missing"))?;
    let year_id = store
        .year_of(&council.id, 2024)
        .await?
        .ok_or_else(|| anyhow!("demo year 2024 missing"))?;
    let scheme: Scheme = serde_json::from_str(SCHEME)?;
    let s = store
        .create_scheme(&ctx, &year_id, "provincial", scheme, None, "demo")
        .await?;
    store.set_scheme_status(&ctx, &s.id, "open").await?;
    let entries: BTreeMap<String, Input> = serde_json::from_str(ENTRIES)?;
    let units: BTreeMap<String, String> = store
        .all_units()
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();
    for (code, input) in entries {
        let unit = units
            .get(&code)
            .ok_or_else(|| anyhow!("demo unit {code} missing"))?;
        let comments = s
            .compiled
            .leaves
            .iter()
            .filter(|l| {
                l.kind
                    == thidua_domain::scoring::LeafKind::Manual {
                        evidence_required: true,
                    }
            })
            .map(|l| {
                (
                    l.code.clone(),
                    "Báo cáo tổng kết năm 2024 của đơn vị (minh họa)".to_owned(),
                )
            })
            .collect();
        let draft = AssessmentDraft {
            input,
            comments,
            base_version: None,
        };
        store
            .save_assessment(&ctx, &s.id, unit, &draft, "demo")
            .await?;
        store.submit_assessment(&ctx, &s.id, unit, "demo").await?;
    }
    let mut tx = store.begin(&ctx).await?;
    tx.set_meta("demo_scoring", "1").await?;
    tx.commit().await?;
    Ok(true)
}
