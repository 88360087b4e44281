//! `thidua audit verify [--deep] [--head SEQ:HASH]` and `thidua audit seal`: the checks and
//! their report, in the library so that tests run exactly what the command runs.

use anyhow::{anyhow, Result};
use thidua_store::{AuditCtx, PublishedHead, Store};

/// Verify the chain (against a head published earlier, if given) and, with `deep`, the data
/// it sealed. Returns whether everything held, and the report to print.
pub async fn verify(store: &Store, deep: bool, head: Option<&str>) -> Result<(bool, String)> {
    use std::fmt::Write;
    let published = head
        .map(str::parse::<PublishedHead>)
        .transpose()
        .map_err(|_| anyhow!("--head takes SEQ:HASH (a 64-digit hex hash)"))?;
    let r = store.verify_audit_against(published.as_ref()).await?;
    let mut out = String::new();
    let mut ok = true;
    match &r.first_break {
        None => {
            writeln!(
                out,
                "audit trail intact: {} rows checked, head at {}",
                r.checked, r.head_seq
            )?;
            if let Some(p) = &published {
                writeln!(out, "published head {p} is in the chain")?;
            }
        }
        Some(b) => {
            ok = false;
            writeln!(
                out,
                "AUDIT TRAIL BROKEN after {} intact rows: {}",
                r.checked,
                serde_json::to_string(b)?
            )?;
        }
    }
    writeln!(out, "chain head: {}:{}", r.head_seq, r.head_hash)?;
    if deep {
        let d = store.verify_data().await?;
        if d.intact() {
            writeln!(
                out,
                "data intact: {} entities match their sealed digests",
                d.entities
            )?;
        } else {
            ok = false;
            writeln!(
                out,
                "DATA CHANGED OUTSIDE THE APPLICATION: {} of {} entities",
                d.problem_count, d.entities
            )?;
            for (kind, n) in &d.by_kind {
                writeln!(out, "  {kind}: {n}")?;
            }
            for p in &d.problems {
                writeln!(out, "  {} {} {}", p.problem, p.entity, p.entity_id)?;
            }
            let more = d.problem_count - d.problems.len() as u64;
            if more > 0 {
                writeln!(out, "  … and {more} more")?;
            }
        }
    }
    Ok((ok, out))
}

/// Seal the data no audit event has sealed yet; the report to print.
pub async fn seal(store: &Store, ctx: &AuditCtx) -> Result<String> {
    let n = store.seal_data(ctx).await?;
    Ok(format!("sealed {n} entities\n"))
}
