//! Official PDFs of group documents: letterhead, every member's signature block, the
//! verification code and QR, and the signed content embedded for offline checking
//! (`thidua verify FILE.pdf`).

use serde::{Deserialize, Serialize};
use thidua_domain::document::{DocumentContent, DocumentKind};
use thidua_domain::signature::SigningStatement;
use thidua_pdf::{Attachment, Letterhead, SignatureBlock, Verification};

use crate::error::{AppError, AppResult};
use crate::AppState;

/// Name of the embedded file.
pub const BUNDLE_NAME: &str = "thidua-signed-document.json";
pub const BUNDLE_FORMAT: &str = "thidua-signed-document/1";

/// What a PDF carries for offline verification: the exact content, who had to sign and the
/// signatures with their public keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bundle {
    pub format: String,
    pub document_id: String,
    pub version: i64,
    pub verification_code: String,
    pub content_hash: String,
    pub group_name: String,
    pub year: i64,
    pub content: DocumentContent,
    /// (unit id, unit name) of every member that must sign.
    pub members: Vec<(String, String)>,
    pub signatures: Vec<BundleSignature>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleSignature {
    pub unit_name: String,
    pub signer_name: String,
    pub public_key: String,
    pub statement: SigningStatement,
    pub signature: String,
}

fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// Where the verification page is, as printed and in the QR code.
pub fn verify_url(app: &AppState, host: Option<&str>, code: &str) -> String {
    let base = match (&app.config.public_url, host) {
        (Some(u), _) => u.trim_end_matches('/').to_owned(),
        (None, Some(h)) => format!("http://{h}"),
        (None, None) => String::new(),
    };
    format!("{base}/verify/{code}")
}

/// One version as PDF: the signed PDF when members have signed it with their certificates
/// (PAdES), otherwise freshly rendered.
pub async fn render_version(
    app: &AppState,
    document_id: &str,
    version: i64,
    host: Option<&str>,
) -> AppResult<(String, Vec<u8>)> {
    let (name, rendered) = render_fresh(app, document_id, version, host, Mode::Stored).await?;
    Ok((name, rendered))
}

/// The PAdES signature of one signer appended to the version's PDF (the PDF as issued when
/// nobody has signed it with a certificate yet). `password` opens the signer's keystore.
pub async fn pades_append(
    app: &AppState,
    document_id: &str,
    version: i64,
    cert: &thidua_store::SigningCertificate,
    password: &str,
    signer_name: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<thidua_store::PadesAppend> {
    let (base, after, issued_sha256) = match app.store.version_pdf(document_id, version).await? {
        Some(v) => (v.pdf, v.signatures, v.issued_sha256),
        None => {
            let (_, pdf) = render_fresh(app, document_id, version, None, Mode::Fresh).await?;
            let sha = thidua_pdf::pades::sha256_hex(&pdf);
            (pdf, 0, sha)
        }
    };
    let (p12, pw, name) = (
        cert.p12.clone(),
        password.to_owned(),
        signer_name.to_owned(),
    );
    let date = thidua_pdf::pades::pdf_date(at);
    let tsa = app.config.tsa_url.clone();
    let pdf = tokio::task::spawn_blocking(move || {
        thidua_pdf::pades::sign_with(
            &base,
            &p12,
            &pw,
            &name,
            "Ký văn bản",
            Some(date),
            tsa.as_deref(),
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| {
        tracing::warn!(error = %e, "PAdES signature failed");
        // The account password was checked already: the keystore is sealed under another
        // (an older password, or a file uploaded with its own).
        AppError::Refused {
            key: "err-sign-cert-password".into(),
            args: Vec::new(),
        }
    })?;
    Ok(thidua_store::PadesAppend {
        pdf,
        after_signatures: after,
        issued_sha256,
    })
}

/// The exact bytes a signer signs with their own token: the version's signed PDF as it stands,
/// or the PDF issued now (and kept) when nobody has signed it yet.
pub async fn pdf_to_sign(
    app: &AppState,
    ctx: &crate::ctx::Ctx,
    document_id: &str,
    version: i64,
) -> AppResult<(String, Vec<u8>)> {
    let (name, pdf) = render_fresh(app, document_id, version, None, Mode::Stored).await?;
    if app.store.version_pdf(document_id, version).await?.is_some() {
        return Ok((name, pdf));
    }
    let kept = app
        .store
        .issue_version_pdf(&ctx.audit(), document_id, version, &pdf)
        .await?;
    Ok((name, kept.pdf))
}

/// The trust list this server checks PAdES signatures against (demo CAs only with --demo).
pub async fn trust_list(app: &AppState) -> AppResult<Vec<Vec<u8>>> {
    Ok(app
        .store
        .trust_anchors(app.config.trust_demo_ca)
        .await?
        .into_iter()
        .map(|a| a.cert_der)
        .collect())
}

/// What `render_fresh` makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The signed PDF when there is one, else a fresh PDF.
    Stored,
    /// A fresh PDF.
    Fresh,
    /// The same document as a Word file, to edit.
    Docx,
}

/// One version as a Word file (DOCX) in the Decree 30/2020 layout, with the same content as
/// its PDF: offices edit in Word before signing.
pub async fn render_version_docx(
    app: &AppState,
    document_id: &str,
    version: i64,
) -> AppResult<(String, Vec<u8>)> {
    render_fresh(app, document_id, version, None, Mode::Docx).await
}

/// Render one version.
async fn render_fresh(
    app: &AppState,
    document_id: &str,
    version: i64,
    host: Option<&str>,
    mode: Mode,
) -> AppResult<(String, Vec<u8>)> {
    let doc = app.store.get_group_document(document_id).await?;
    let v = app.store.get_document_version(document_id, version).await?;
    let g = app.store.get_group(&doc.group_id).await?;
    let council = app.store.get_council(&g.council_id).await?;
    let council_unit = app.store.get_unit(&council.unit_id).await?;
    let sigs = app.store.document_signatures(document_id, version).await?;
    let head = Letterhead {
        parent_body: Some(upper(&council_unit.name)),
        issuer: upper(&g.name),
        place: v.content.place.clone(),
    };
    let signed_note = |at: &str| format!("Đã ký số lúc {}", crate::pages::documents::fmt_ts(at));
    let mut blocks = Vec::new();
    if v.content.kind == DocumentKind::Pact {
        // Every member signs the pact; the head's block goes last, as practice has it.
        let mut members = g.members.clone();
        if let Some(h) = &g.head {
            members.sort_by_key(|m| m.id == h.id);
        }
        for m in &members {
            let s = sigs.iter().find(|s| s.unit.id == m.id);
            blocks.push(SignatureBlock {
                unit_name: upper(&m.name),
                position: s
                    .map(|s| s.signer_title.clone())
                    .unwrap_or_else(|| "VIỆN TRƯỞNG".into()),
                signer_name: s.map(|s| s.signer_name.clone()),
                note: s.map(|s| signed_note(&s.signed_at)),
            });
        }
    } else if sigs.is_empty() {
        blocks.push(SignatureBlock {
            unit_name: String::new(),
            position: format!(
                "TM. {}\n{}",
                upper(&g.name),
                if g.kind == "block" {
                    "KHỐI TRƯỞNG"
                } else {
                    "CỤM TRƯỞNG"
                }
            ),
            signer_name: None,
            note: None,
        });
    } else {
        for s in &sigs {
            blocks.push(SignatureBlock {
                unit_name: upper(&s.unit.name),
                position: s.signer_title.clone(),
                signer_name: Some(s.signer_name.clone()),
                note: Some(signed_note(&s.signed_at)),
            });
        }
    }
    if mode == Mode::Docx {
        let content = v.content.clone();
        let bytes = tokio::task::spawn_blocking(move || {
            thidua_pdf::docx::render_document_docx(&content, &head, &blocks)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let name = format!(
            "{}-{}-v{}.docx",
            doc.kind,
            thidua_domain::text::fold(&g.name).replace(' ', "-"),
            version
        );
        return Ok((name, bytes));
    }
    let verification = Verification {
        code: v.verification_code.clone(),
        url: verify_url(app, host, &v.verification_code),
        content_hash: v.content_hash.clone(),
    };
    let bundle = Bundle {
        format: BUNDLE_FORMAT.into(),
        document_id: document_id.to_owned(),
        version,
        verification_code: v.verification_code.clone(),
        content_hash: v.content_hash.clone(),
        group_name: g.name.clone(),
        year: g.year,
        content: v.content.clone(),
        members: g
            .members
            .iter()
            .map(|m| (m.id.clone(), m.name.clone()))
            .collect(),
        signatures: sigs
            .iter()
            .map(|s| BundleSignature {
                unit_name: s.unit.name.clone(),
                signer_name: s.signer_name.clone(),
                public_key: s.public_key.clone(),
                statement: s.statement.clone(),
                signature: s.signature.clone(),
            })
            .collect(),
    };
    let attachment = Attachment {
        name: BUNDLE_NAME.into(),
        bytes: serde_json::to_vec_pretty(&bundle).map_err(|e| AppError::Internal(e.to_string()))?,
    };
    let name = format!(
        "{}-{}-v{}.pdf",
        doc.kind,
        thidua_domain::text::fold(&g.name).replace(' ', "-"),
        version
    );
    if mode == Mode::Stored {
        if let Some(signed) = app.store.version_pdf(document_id, version).await? {
            return Ok((name, signed.pdf));
        }
    }
    let content = v.content.clone();
    let pdf = tokio::task::spawn_blocking(move || {
        thidua_pdf::render_document(
            &content,
            &head,
            &blocks,
            Some(&verification),
            Some(&attachment),
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((name, pdf))
}

/// A Word file as an HTTP response (a download).
pub fn docx_response(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The PDF as an HTTP response (inline, so a phone opens it).
pub fn response(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
