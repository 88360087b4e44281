//! `thidua verify FILE.pdf --trust LIST.pem`: check a signed document's PDF offline.
//!
//! The verdict rests on the PDF's own PAdES signatures, checked against a trust list (the
//! certification authorities the council accepts; it publishes them at `/trust-anchors.pem`):
//! at least one signature, every one cryptographically valid over its byte range, every
//! certificate chaining to the list, and nothing changed after the last signature. The
//! embedded copy of the text (read only from the document catalog's attachment list) is then
//! covered by those signatures; its hash and code are checked and printed, so a person can
//! compare them with the server's copy at `/verify/<code>`.

use anyhow::{anyhow, bail, Context, Result};
use thidua_domain::document;
use thidua_domain::signature;
use thidua_pdf::pades;
use thidua_web::pdf::{Bundle, BUNDLE_FORMAT, BUNDLE_NAME};

/// The outcome, in lines meant for a person, and whether the document is valid.
pub struct Outcome {
    pub valid: bool,
    pub complete: bool,
    pub lines: Vec<String>,
}

pub fn verify_pdf(bytes: &[u8], trust: &[Vec<u8>]) -> Result<Outcome> {
    let verdict = pades::verify(bytes, trust).map_err(|e| anyhow!("not a readable PDF: {e}"))?;
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
    lines.push(format!("version {}, text SHA-256 {hash}", b.version));
    if hash != b.content_hash {
        valid = false;
        lines.push(format!(
            "INVALID: the embedded text does not hash to the recorded {}",
            b.content_hash
        ));
    }
    let code = signature::verification_code(&b.document_id, b.version, &hash);
    if code != b.verification_code {
        valid = false;
        lines.push(format!(
            "INVALID: the code {} does not belong to this text (expected {code})",
            b.verification_code
        ));
    } else {
        lines.push(format!("verification code {code}"));
    }
    lines.push(format!(
        "file SHA-256 {} ({} bytes)",
        pades::sha256_hex(bytes),
        bytes.len()
    ));
    if trust.is_empty() {
        valid = false;
        lines.push(
            "INVALID: no trust list given (--trust FILE): the certificates cannot be checked"
                .into(),
        );
    }
    if verdict.signatures.is_empty() {
        valid = false;
        lines.push("INVALID: the PDF carries no digital signature (PAdES)".into());
    }
    lines.push(format!(
        "{} digital signature(s) (PAdES):",
        verdict.signatures.len()
    ));
    for s in &verdict.signatures {
        let state = match (s.valid, s.trusted) {
            (true, true) => "valid, certificate on the trust list".to_owned(),
            (true, false) => {
                valid = false;
                "INVALID: the certificate is not on the trust list".to_owned()
            }
            (false, _) => {
                valid = false;
                format!("INVALID: {}", s.detail)
            }
        };
        lines.push(format!("  {}: {state}", s.subject));
    }
    if !verdict.signatures.is_empty() && !verdict.intact {
        valid = false;
        lines.push("INVALID: the file was changed after the last signature".into());
    }
    // Every member must have signed: one trusted signature whose organisation is the unit.
    let signed_units: Vec<String> = verdict
        .signatures
        .iter()
        .filter(|s| s.valid && s.trusted)
        .filter_map(|s| pades::subject_organization(&s.subject))
        .collect();
    let mut complete = true;
    for (_, name) in &b.members {
        if !signed_units
            .iter()
            .any(|o| thidua_domain::text::fold(o) == thidua_domain::text::fold(name))
        {
            complete = false;
            lines.push(format!("  {name}: not signed"));
        }
    }
    if b.members.is_empty() {
        complete = false;
    }
    lines.push(
        match (valid, complete) {
            (true, true) => "VALID: the file is exactly what every member signed",
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

/// Read the trust list files given with --trust.
pub fn read_trust(files: &[std::path::PathBuf]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        out.extend(pades::parse_trust_file(&bytes).map_err(|e| anyhow!("{}: {e}", f.display()))?);
    }
    Ok(out)
}
