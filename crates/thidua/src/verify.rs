//! `thidua verify FILE.pdf`: check a printed document offline, from what the PDF carries.
//!
//! The PDF embeds the exact content of the version, its members and the signatures with their
//! public keys. Offline we can prove that the content hashes to what every signature covers,
//! that each signature is valid for its key, and that the printed code belongs to this
//! content. Whether those keys are the signers' registered keys is what the online
//! verification page adds (the URL is printed).

use anyhow::{anyhow, bail, Context, Result};
use thidua_domain::document;
use thidua_domain::signature::{self, SignatureRecord};
use thidua_web::pdf::{Bundle, BUNDLE_FORMAT, BUNDLE_NAME};

/// The outcome, in lines meant for a person, and whether the document is valid.
pub struct Outcome {
    pub valid: bool,
    pub complete: bool,
    pub lines: Vec<String>,
}

pub fn verify_pdf(bytes: &[u8]) -> Result<Outcome> {
    let raw = thidua_pdf::extract_attachment(bytes, BUNDLE_NAME)
        .map_err(|e| anyhow!("not a readable PDF: {e}"))?
        .ok_or_else(|| anyhow!("this PDF carries no Thi Đua signed document ({BUNDLE_NAME})"))?;
    let b: Bundle = serde_json::from_slice(&raw).context("the embedded document is malformed")?;
    if b.format != BUNDLE_FORMAT {
        bail!("unknown embedded format {:?}", b.format);
    }
    let mut lines = Vec::new();
    let mut valid = true;
    let hash = document::content_hash(&b.content);
    lines.push(format!(
        "{} — {} ({})",
        b.content.title, b.group_name, b.year
    ));
    lines.push(format!("version {}, SHA-256 {hash}", b.version));
    if hash != b.content_hash {
        valid = false;
        lines.push(format!(
            "INVALID: the content does not hash to the recorded {}",
            b.content_hash
        ));
    }
    let code = signature::verification_code(&b.document_id, b.version, &hash);
    if code != b.verification_code {
        valid = false;
        lines.push(format!(
            "INVALID: the code {} does not belong to this content (expected {code})",
            b.verification_code
        ));
    } else {
        lines.push(format!("verification code {code}"));
    }
    let records: Vec<SignatureRecord> = b
        .signatures
        .iter()
        .map(|s| SignatureRecord {
            statement: s.statement.clone(),
            public_key: s.public_key.clone(),
            signature: s.signature.clone(),
        })
        .collect();
    let required: Vec<String> = b.members.iter().map(|(id, _)| id.clone()).collect();
    let report = signature::verify_document(&b.document_id, b.version, &hash, &required, &records);
    for (s, check) in b.signatures.iter().zip(&report.checks) {
        let verdict = if check.is_valid() {
            "valid".to_owned()
        } else {
            valid = false;
            format!("INVALID ({})", serde_json::to_value(check)?["status"])
        };
        lines.push(format!(
            "  {} — {}, {}: {verdict}",
            s.unit_name, s.signer_name, s.statement.signed_at
        ));
    }
    let complete = report.missing_units.is_empty();
    for u in &report.missing_units {
        let name = b
            .members
            .iter()
            .find(|(id, _)| id == u)
            .map_or(u.as_str(), |(_, n)| n.as_str());
        lines.push(format!("  {name}: not signed"));
    }
    lines.push(
        match (valid, complete) {
            (true, true) => "VALID: the text is exactly what every member signed",
            (true, false) => "INCOMPLETE: what is signed is valid, but not every member signed",
            (false, _) => "INVALID",
        }
        .to_owned(),
    );
    Ok(Outcome {
        valid,
        complete,
        lines,
    })
}
