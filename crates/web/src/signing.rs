//! Signing a document version with the signer's own key, and verifying a signed version:
//! shared by pages and API.
//!
//! The server never signs without the signer's fresh password: the password is checked
//! against the account, then opens the signer's sealed Ed25519 key (or seals a new one on the
//! first signature). Both happen on the hashing threads.

use rand::RngCore;
use serde::Serialize;
use thidua_domain::auth::{Action, Resource, Role};
use thidua_domain::document;
use thidua_domain::signature::{self, KdfParams, SealedKey, SignatureCheck, SigningStatement};
use thidua_store::{DocumentVersion, GroupDocument, KeyChange, NewSignature, SignatureRow};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::AppState;

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

/// The signing key change that goes with the user's own password change.
pub async fn reseal_key(
    app: &AppState,
    user_id: &str,
    old: &str,
    new: &str,
) -> AppResult<KeyChange> {
    let Some(key) = app.store.active_signing_key(user_id).await? else {
        return Ok(KeyChange::Retire);
    };
    let (old, new) = (old.to_owned(), new.to_owned());
    let sealed = crate::auth::on_hasher(move || {
        signature::reseal(&key.sealed, &old, &new, random(), random())
    })
    .await?;
    // A key that does not open with the verified old password is useless: retire it.
    Ok(sealed.map_or(KeyChange::Retire, KeyChange::Resealed))
}

/// The signing certificate change that goes with the user's own password change: the same
/// keystore sealed under the new password (retired when the old one does not open it).
pub async fn reseal_certificate(
    app: &AppState,
    user_id: &str,
    old: &str,
    new: &str,
) -> AppResult<thidua_store::CertChange> {
    let Some(cert) = app.store.signing_certificate(user_id).await? else {
        return Ok(thidua_store::CertChange::Keep);
    };
    let (old, new) = (old.to_owned(), new.to_owned());
    let id = cert.id.clone();
    let resealed =
        crate::auth::on_hasher(move || thidua_pdf::pades::reseal_p12(&cert.p12, &old, &new).ok())
            .await?;
    Ok(match resealed {
        Some(p12) => thidua_store::CertChange::Resealed { id, p12 },
        None => thidua_store::CertChange::Retire,
    })
}

/// The certificate a signer uses, as shown to them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateOut {
    /// The certificate's subject (RFC 4514).
    pub subject: String,
}

/// Only leaders sign, so only they install a certificate: checked before any upload is read.
pub fn may_install_certificate(ctx: &Ctx) -> AppResult<()> {
    let p = ctx.user()?;
    if p.actor.grants.iter().any(|g| g.role == Role::UnitLeader) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A leader installs their own certificate (a PKCS#12 file from their CA): the account
/// password proves it is them, the file's password opens it, its certificate must chain to
/// the council's trust list and name (O=) a unit they lead. It is stored sealed under the
/// account password, so the server can sign only when they type it again.
pub async fn install_certificate(
    app: &AppState,
    ctx: &Ctx,
    p12: Vec<u8>,
    p12_password: &str,
    password: &str,
) -> AppResult<CertificateOut> {
    let p = ctx.user()?.clone();
    // Leaders sign; a certificate is of no use to anyone else.
    let mut units = Vec::new();
    for g in p.actor.grants.iter().filter(|g| g.role == Role::UnitLeader) {
        if let Some(u) = &g.scope_unit {
            units.push(app.store.get_unit(u).await?.name);
        }
    }
    if units.is_empty() {
        return Err(AppError::Forbidden);
    }
    if p12.is_empty() {
        return Err(field("file", "err-required"));
    }
    if password.is_empty() {
        return Err(field("password", "err-required"));
    }
    let rec = app
        .store
        .login_record(&p.user.username)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let trust = crate::pdf::trust_list(app).await?;
    let (pw, p12pw) = (password.to_owned(), p12_password.to_owned());
    let outcome = crate::auth::on_hasher(move || -> Result<(String, Vec<u8>), &'static str> {
        if !crate::auth::verify_password_blocking(&pw, &rec.password_hash) {
            return Err("password");
        }
        let info = thidua_pdf::pades::inspect_p12(&p12, &p12pw, &trust).map_err(|_| "open")?;
        if !info.trusted {
            return Err("untrusted");
        }
        let sealed = thidua_pdf::pades::reseal_p12(&p12, &p12pw, &pw).map_err(|_| "open")?;
        Ok((info.subject, sealed))
    })
    .await?;
    let (subject, sealed) = match outcome {
        Ok(x) => x,
        Err("password") => return Err(field("password", "err-sign-password")),
        Err("untrusted") => return Err(field("file", "err-cert-untrusted")),
        Err(_) => return Err(field("p12_password", "err-cert-open")),
    };
    let org = thidua_pdf::pades::subject_organization(&subject).unwrap_or_default();
    if !units
        .iter()
        .any(|u| thidua_domain::text::fold(u) == thidua_domain::text::fold(&org))
    {
        return Err(field("file", "err-cert-unit"));
    }
    app.store
        .add_signing_certificate(&ctx.audit(), &p.user.id, &subject, &sealed)
        .await?;
    Ok(CertificateOut { subject })
}

/// The member units of a group this user leads (a leader's grant on the unit or above it).
pub async fn leader_units(app: &AppState, ctx: &Ctx, group_id: &str) -> AppResult<Vec<String>> {
    let p = ctx.user()?;
    if !p.actor.grants.iter().any(|g| g.role == Role::UnitLeader) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for m in app.store.group_member_ids(group_id).await? {
        let chain = app.store.unit_chain(&m).await?;
        if ctx.can(Action::Sign, &Resource::unit(&chain)) {
            out.push(m);
        }
    }
    Ok(out)
}

/// Sign the adopted version for one of the leader's member units. Outsiders get 403, a wrong
/// password 422 on the password field, a second signature 409.
pub async fn sign(
    app: &AppState,
    ctx: &Ctx,
    document_id: &str,
    version: i64,
    unit_id: Option<&str>,
    password: &str,
    signed_pdf: Option<Vec<u8>>,
) -> AppResult<SignatureRow> {
    let p = ctx.user()?.clone();
    let doc = app.store.get_group_document(document_id).await?;
    let v = app.store.get_document_version(document_id, version).await?;
    let mine = leader_units(app, ctx, &doc.group_id).await?;
    let unit = match unit_id.filter(|u| !u.is_empty()) {
        Some(u) if mine.iter().any(|m| m == u) => u.to_owned(),
        Some(_) => return Err(AppError::Forbidden),
        None if mine.len() == 1 => mine[0].clone(),
        None if mine.is_empty() => return Err(AppError::Forbidden),
        None => return Err(field("unit_id", "err-required")),
    };
    if doc.adopted_version != Some(version) {
        return Err(AppError::Refused {
            key: "err-sign-not-adopted".into(),
            args: Vec::new(),
        });
    }
    if password.is_empty() {
        return Err(field("password", "err-required"));
    }
    let rec = app
        .store
        .login_record(&p.user.username)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let existing = app.store.active_signing_key(&p.user.id).await?;
    let statement = SigningStatement {
        document_id: document_id.to_owned(),
        version,
        content_hash: v.content_hash.clone(),
        signer_user_id: p.user.id.clone(),
        unit_id: unit.clone(),
        signed_at: thidua_store::now(),
    };
    let pw = password.to_owned();
    let st = statement.clone();
    let sealed = existing.as_ref().map(|k| k.sealed.clone());
    let outcome = crate::auth::on_hasher(
        move || -> Result<(Option<SealedKey>, String), &'static str> {
            if !crate::auth::verify_password_blocking(&pw, &rec.password_hash) {
                return Err("password");
            }
            let (key, new) = match sealed {
                Some(s) => (signature::unseal(&s, &pw).map_err(|_| "key")?, None),
                None => {
                    let sealed = signature::seal_new_key(
                        random(),
                        random(),
                        random(),
                        &pw,
                        KdfParams::default(),
                    )
                    .map_err(|_| "key")?;
                    (
                        signature::unseal(&sealed, &pw).map_err(|_| "key")?,
                        Some(sealed),
                    )
                }
            };
            Ok((new, signature::sign(&key, &st)))
        },
    )
    .await?;
    let (new_key, sig) = match outcome {
        Ok(x) => x,
        Err("password") => return Err(field("password", "err-sign-password")),
        // The password is right but the stored key does not open: it was sealed under an
        // older password that an administrator reset. Retire it and sign with a new one.
        Err(_) => {
            return Err(AppError::Refused {
                key: "err-sign-key-stale".into(),
                args: Vec::new(),
            })
        }
    };
    let key_id = match (&existing, &new_key) {
        (Some(k), None) => k.id.clone(),
        _ => uuid::Uuid::now_v7().to_string(),
    };
    let signer_title = signer_title(ctx);
    // A signer with a certificate also signs the version's PDF (PAdES), in the same
    // transaction as the record. Two members signing at the same instant append to the same
    // PDF: the later one is refused by the store and made again on the new PDF.
    let cert = app.store.signing_certificate(&p.user.id).await?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let pades = match (&signed_pdf, &cert) {
            (Some(bytes), _) => {
                Some(uploaded_append(app, document_id, version, &unit, bytes.clone()).await?)
            }
            (None, Some(c)) => Some(
                crate::pdf::pades_append(
                    app,
                    document_id,
                    version,
                    c,
                    password,
                    &p.user.display_name,
                    chrono::Utc::now(),
                )
                .await?,
            ),
            (None, None) => None,
        };
        let r = app
            .store
            .sign_document(
                &ctx.audit(),
                &NewSignature {
                    document_id: document_id.to_owned(),
                    version,
                    unit_id: unit.clone(),
                    user_id: p.user.id.clone(),
                    signer_name: p.user.display_name.clone(),
                    signer_title: signer_title.clone(),
                    key_id: key_id.clone(),
                    new_key: new_key.clone(),
                    statement: statement.clone(),
                    signature: sig.clone(),
                    address: ctx.address.clone().unwrap_or_default(),
                    pades,
                },
            )
            .await;
        match r {
            Err(thidua_store::StoreError::Refused { key, .. })
                if key == "err-sign-retry"
                    && cert.is_some()
                    && signed_pdf.is_none()
                    && attempt < 4 => {}
            r => return Ok(r?),
        }
    }
}

/// A PDF the signer signed with their own token (downloaded from `pdf_to_sign`): it must be
/// the PDF the server issued with exactly one more signature, valid, on the trust list, and
/// naming (O=) the unit signed for.
async fn uploaded_append(
    app: &AppState,
    document_id: &str,
    version: i64,
    unit_id: &str,
    bytes: Vec<u8>,
) -> AppResult<thidua_store::PadesAppend> {
    let Some(current) = app.store.version_pdf(document_id, version).await? else {
        return Err(field("file", "err-sign-pdf-other"));
    };
    if bytes.len() <= current.pdf.len() || !bytes.starts_with(&current.pdf) {
        return Err(field("file", "err-sign-pdf-other"));
    }
    let unit = app.store.get_unit(unit_id).await?.name;
    let trust = crate::pdf::trust_list(app).await?;
    let checked = bytes.clone();
    let verdict = tokio::task::spawn_blocking(move || thidua_pdf::pades::verify(&checked, &trust))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|_| field("file", "err-verify-not-pdf"))?;
    if verdict.signatures.len() as i64 != current.signatures + 1 {
        return Err(field("file", "err-sign-pdf-one"));
    }
    if !verdict.holds() {
        return Err(field("file", "err-sign-pdf-invalid"));
    }
    let org = verdict
        .signatures
        .last()
        .and_then(|s| thidua_pdf::pades::subject_organization(&s.subject))
        .unwrap_or_default();
    if thidua_domain::text::fold(&org) != thidua_domain::text::fold(&unit) {
        return Err(field("file", "err-cert-unit"));
    }
    Ok(thidua_store::PadesAppend {
        pdf: bytes,
        after_signatures: current.signatures,
        issued_sha256: current.issued_sha256,
    })
}

fn signer_title(_ctx: &Ctx) -> String {
    // The official title of the signer (Viện trưởng) is what a leader's grant means here.
    "VIỆN TRƯỞNG".to_owned()
}

fn field(name: &str, key: &str) -> AppError {
    AppError::Invalid(vec![thidua_domain::FieldError::new(name, key)])
}

/// One problem found by a verification, as a translation key with arguments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub key: String,
    pub args: Vec<(String, String)>,
}

fn problem(key: &str, args: &[(&str, String)]) -> Problem {
    Problem {
        key: key.to_owned(),
        args: args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignatureStatus {
    pub unit_id: String,
    pub unit_name: String,
    pub signer_name: String,
    pub signed_at: String,
    pub public_key: String,
    /// valid, bad_signature, wrong_hash, wrong_document, unknown_key
    pub status: String,
}

/// The result of verifying one version: "valid" only when the text is the one saved, every
/// member unit signed it, every signature checks, and the trail agrees.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// valid, incomplete (everything checks but some members have not signed), invalid
    pub status: String,
    pub document_id: String,
    pub version: i64,
    pub kind: String,
    pub title: String,
    pub group_name: String,
    pub year: i64,
    pub verification_code: String,
    /// SHA-256 of the canonical bytes, recomputed now from the stored text.
    pub content_hash: String,
    pub stored_hash: String,
    pub version_status: String,
    pub adopted_at: Option<String>,
    pub signatures: Vec<SignatureStatus>,
    pub missing_units: Vec<String>,
    pub problems: Vec<Problem>,
    pub audit_rows_checked: usize,
    /// The PAdES signatures of the version's signed PDF, when members signed it with
    /// certificates: what a person compares with the file they hold.
    pub pdf: Option<PdfCheck>,
}

/// The verdict on a signed PDF (the server's own, or a file someone uploads to check).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PdfCheck {
    /// SHA-256 of the whole file.
    pub sha256: String,
    pub size: usize,
    pub signatures: Vec<PdfSigner>,
    /// Nothing but validation material was added after the last signature.
    pub intact: bool,
    /// At least one signature, every one valid and on the trust list, and intact.
    pub holds: bool,
    /// The file is the server's signed PDF of this version, or that PDF with more
    /// signatures appended (None when not compared).
    pub matches_server: Option<bool>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PdfSigner {
    /// The certificate's subject (RFC 4514).
    pub subject: String,
    pub valid: bool,
    /// Chains to the trust list.
    pub trusted: bool,
}

/// A file someone holds, checked: its own signatures, and the server's verification of the
/// version it names (by the code embedded in it), with that version's text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileVerification {
    pub file: PdfCheck,
    pub version: Option<Verification>,
    #[serde(skip)]
    pub text: Option<thidua_domain::document::DocumentContent>,
}

/// Check an uploaded PDF: PAdES against the trust list; the version it carries the code of;
/// whether it is the server's signed PDF of that version (or that PDF with signatures
/// appended).
pub async fn check_file(app: &AppState, bytes: Vec<u8>) -> AppResult<FileVerification> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(AppError::Refused {
            key: "err-verify-not-pdf".into(),
            args: Vec::new(),
        });
    }
    let raw = bytes.clone();
    let code = tokio::task::spawn_blocking(move || {
        thidua_pdf::extract_attachment(&raw, crate::pdf::BUNDLE_NAME)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice::<crate::pdf::Bundle>(&b).ok())
            .map(|b| b.verification_code)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut file = check_pdf(app, bytes.clone()).await?;
    let mut version = None;
    let mut text = None;
    if let Some(code) = code.and_then(|c| signature::normalize_verification_code(&c)) {
        if let Ok((id, n)) = app.store.version_by_code(&code).await {
            let (ver, _, v, _) = verify(app, &id, n).await?;
            if let Some(stored) = app.store.version_pdf(&id, n).await? {
                file.matches_server = Some(bytes.starts_with(&stored.pdf));
            }
            version = Some(ver);
            text = Some(v.content);
        }
    }
    Ok(FileVerification {
        file,
        version,
        text,
    })
}

/// Check a PDF's PAdES signatures against this server's trust list (on a blocking thread:
/// the file is parsed).
pub async fn check_pdf(app: &AppState, bytes: Vec<u8>) -> AppResult<PdfCheck> {
    let trust = crate::pdf::trust_list(app).await?;
    tokio::task::spawn_blocking(move || {
        let v = thidua_pdf::pades::verify(&bytes, &trust).map_err(|_| AppError::Refused {
            key: "err-verify-not-pdf".into(),
            args: Vec::new(),
        })?;
        Ok(PdfCheck {
            sha256: thidua_pdf::pades::sha256_hex(&bytes),
            size: bytes.len(),
            holds: v.holds(),
            intact: v.intact,
            signatures: v
                .signatures
                .into_iter()
                .map(|s| PdfSigner {
                    subject: s.subject,
                    valid: s.valid,
                    trusted: s.trusted,
                })
                .collect(),
            matches_server: None,
        })
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verify a stored version: recompute its hash, check every signature and key, and the
/// document's audit rows (intact and linked into the chain) and the chain as a whole.
pub async fn verify(
    app: &AppState,
    document_id: &str,
    version: i64,
) -> AppResult<(
    Verification,
    GroupDocument,
    DocumentVersion,
    Vec<SignatureRow>,
)> {
    let doc = app.store.get_group_document(document_id).await?;
    let v = app.store.get_document_version(document_id, version).await?;
    let sigs = app.store.document_signatures(document_id, version).await?;
    let members = app.store.group_member_ids(&doc.group_id).await?;
    let recomputed = document::content_hash(&v.content);
    let mut problems = Vec::new();
    if recomputed != v.content_hash {
        problems.push(problem("verify-text-changed", &[]));
    }
    let records: Vec<_> = sigs.iter().map(SignatureRow::record).collect();
    let report = signature::verify_document(document_id, version, &recomputed, &members, &records);
    let mut statuses = Vec::new();
    for (s, check) in sigs.iter().zip(&report.checks) {
        let mut status = match check {
            SignatureCheck::Valid { .. } => "valid",
            SignatureCheck::WrongHash { .. } => "wrong_hash",
            SignatureCheck::BadSignature { .. } => "bad_signature",
            SignatureCheck::WrongDocument { .. } => "wrong_document",
        };
        let unit = s.unit.name.clone();
        if status == "valid"
            && (s.statement.signer_user_id != s.user_id
                || app
                    .store
                    .signing_key_of(&s.user_id, &s.public_key)
                    .await?
                    .is_none())
        {
            status = "unknown_key";
        }
        match status {
            "valid" => {}
            "wrong_hash" => problems.push(problem("verify-sig-wrong-text", &[("unit", unit)])),
            "bad_signature" => problems.push(problem("verify-sig-bad", &[("unit", unit)])),
            "wrong_document" => {
                problems.push(problem("verify-sig-other-document", &[("unit", unit)]))
            }
            _ => problems.push(problem("verify-sig-unknown-key", &[("unit", unit)])),
        }
        statuses.push(SignatureStatus {
            unit_id: s.unit.id.clone(),
            unit_name: s.unit.name.clone(),
            signer_name: s.signer_name.clone(),
            signed_at: s.signed_at.clone(),
            public_key: s.public_key.clone(),
            status: status.to_owned(),
        });
    }
    // The trail: the version's save row carries the hash it was saved with, each signature
    // has its row, and each of those rows is intact and linked to the next.
    let rows = app.store.audit_of_entity("document", document_id).await?;
    let mut saved = false;
    for (r, next_prev) in &rows {
        if thidua_domain::audit::chain_hash(r, &r.prev_hash) != r.hash
            || next_prev.as_ref().is_some_and(|n| n != &r.hash)
        {
            problems.push(problem(
                "verify-audit-altered",
                &[("seq", r.seq.to_string())],
            ));
        }
        let after: serde_json::Value = r
            .after
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or_default();
        if after["version"].as_i64() != Some(version) {
            continue;
        }
        if r.action == "save_version" {
            saved = true;
            if after["content_hash"].as_str() != Some(recomputed.as_str()) {
                problems.push(problem("verify-audit-hash", &[]));
            }
        }
    }
    if !saved {
        problems.push(problem("verify-audit-missing", &[]));
    }
    for s in &sigs {
        let found = rows.iter().any(|(r, _)| {
            r.action == "sign"
                && r.after.as_deref().is_some_and(|a| {
                    serde_json::from_str::<serde_json::Value>(a).is_ok_and(|j| {
                        j["version"].as_i64() == Some(version)
                            && j["signature"].as_str() == Some(s.signature.as_str())
                    })
                })
        });
        if !found {
            problems.push(problem(
                "verify-audit-signature-missing",
                &[("unit", s.unit.name.clone())],
            ));
        }
    }
    let chain = app.store.verify_audit_cached().await?;
    if let Some(b) = &chain.first_break {
        problems.push(problem(
            "verify-audit-chain",
            &[("detail", serde_json::to_string(b).unwrap_or_default())],
        ));
    }
    let mut missing_units = Vec::new();
    for u in &report.missing_units {
        missing_units.push(
            app.store
                .get_unit(u)
                .await
                .map(|u| u.name)
                .unwrap_or_else(|_| u.clone()),
        );
    }
    let status = if !problems.is_empty() {
        "invalid"
    } else if !missing_units.is_empty() || sigs.is_empty() {
        "incomplete"
    } else {
        "valid"
    };
    let out = Verification {
        status: status.to_owned(),
        document_id: document_id.to_owned(),
        version,
        kind: doc.kind.clone(),
        title: v.content.title.clone(),
        group_name: doc.group_name.clone(),
        year: doc.year,
        verification_code: v.verification_code.clone(),
        content_hash: recomputed,
        stored_hash: v.content_hash.clone(),
        version_status: v.status.clone(),
        adopted_at: v.adopted_at.clone(),
        signatures: statuses,
        missing_units,
        problems,
        audit_rows_checked: rows.len(),
        pdf: match app.store.version_pdf(document_id, version).await? {
            Some(p) => Some(check_pdf(app, p.pdf).await?),
            None => None,
        },
    };
    Ok((out, doc, v, sigs))
}
