//! What PAdES signing keeps: the trust list, the certificates that sign for their owners and
//! the signed PDF of each adopted version.

use sqlx::Row;

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;

/// A certification authority of the trust list.
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    pub id: String,
    pub name: String,
    pub cert_der: Vec<u8>,
    /// A demo CA: trusted only by a server started with --demo.
    pub demo: bool,
}

/// A user's signing certificate: the PKCS#12 keystore (encrypted under their password).
#[derive(Debug, Clone)]
pub struct SigningCertificate {
    pub id: String,
    pub user_id: String,
    pub subject: String,
    pub p12: Vec<u8>,
}

/// The signed PDF of a version as it stands.
#[derive(Debug, Clone)]
pub struct VersionPdf {
    pub pdf: Vec<u8>,
    pub issued_sha256: String,
    pub signatures: i64,
}

/// A PAdES signature to store with a signature record: the PDF after the append, the number
/// of signatures it was appended to (a concurrent signer makes the write refused, to be
/// retried on the new PDF) and, for the first one, the SHA-256 of the PDF as issued.
#[derive(Debug, Clone)]
pub struct PadesAppend {
    pub pdf: Vec<u8>,
    pub after_signatures: i64,
    pub issued_sha256: String,
}

/// What a password change does to the user's signing certificate.
#[derive(Debug, Clone)]
pub enum CertChange {
    /// No certificate, or nothing to do.
    Keep,
    /// The user changed their own password: the same keystore sealed under the new one.
    Resealed { id: String, p12: Vec<u8> },
    /// Someone else reset the password: the keystore can no longer be opened.
    Retire,
}

/// Apply a password change to the user's certificate inside the password's transaction.
pub(crate) async fn change_certificate(
    tx: &mut Tx,
    user_id: &str,
    change: &CertChange,
) -> Result<(), StoreError> {
    match change {
        CertChange::Keep => {}
        CertChange::Resealed { id, p12 } => {
            sqlx::query("UPDATE signing_certificates SET p12 = $1 WHERE id = $2 AND user_id = $3 AND retired_at IS NULL")
                .bind(p12)
                .bind(id)
                .bind(user_id)
                .execute(&mut *tx.tx)
                .await?;
        }
        CertChange::Retire => {
            let n = sqlx::query("UPDATE signing_certificates SET retired_at = $1 WHERE user_id = $2 AND retired_at IS NULL")
                .bind(now())
                .bind(user_id)
                .execute(&mut *tx.tx)
                .await?
                .rows_affected();
            if n > 0 {
                tx.audit::<(), ()>("retire_certificate", "user", user_id, None, None);
            }
        }
    }
    Ok(())
}

pub(crate) fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// Store the appended PDF inside a signing transaction.
pub(crate) async fn append_tx(
    tx: &mut Tx,
    document_id: &str,
    version: i64,
    a: &PadesAppend,
) -> Result<(), StoreError> {
    // The PDF may have been issued already (downloaded to sign with a token): then the first
    // signature updates its row like any later one.
    let mut n = 0;
    if a.after_signatures == 0 {
        n = sqlx::query(
            "UPDATE version_pdfs SET pdf = $1, signatures = 1, sha256 = $2, updated_at = $3 \
             WHERE document_id = $4 AND version = $5 AND signatures = 0",
        )
        .bind(&a.pdf)
        .bind(sha256_hex(&a.pdf))
        .bind(now())
        .bind(document_id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    }
    let n = if n > 0 {
        n
    } else if a.after_signatures == 0 {
        sqlx::query(
            "INSERT INTO version_pdfs (document_id, version, pdf, issued_sha256, signatures, sha256, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (document_id, version) DO NOTHING",
        )
        .bind(document_id)
        .bind(version)
        .bind(&a.pdf)
        .bind(&a.issued_sha256)
        .bind(sha256_hex(&a.pdf))
        .bind(now())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "UPDATE version_pdfs SET pdf = $1, signatures = signatures + 1, sha256 = $2, updated_at = $3 \
             WHERE document_id = $4 AND version = $5 AND signatures = $6",
        )
        .bind(&a.pdf)
        .bind(sha256_hex(&a.pdf))
        .bind(now())
        .bind(document_id)
        .bind(version)
        .bind(a.after_signatures)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected()
    };
    if n == 0 {
        // Another member signed meanwhile: the append was made on an older PDF.
        return Err(StoreError::Refused {
            key: "err-sign-retry".into(),
            args: Vec::new(),
        });
    }
    Ok(())
}

impl Store {
    pub async fn add_trust_anchor(
        &self,
        ctx: &AuditCtx,
        name: &str,
        cert_der: &[u8],
        demo: bool,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin(ctx).await?;
        sqlx::query(
            "INSERT INTO trust_anchors (id, name, cert, demo, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(name)
        .bind(cert_der)
        .bind(i64::from(demo))
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>(
            "add",
            "trust_anchor",
            &id,
            None,
            Some(&serde_json::json!({"name": name, "demo": demo, "sha256": sha256_hex(cert_der)})),
        );
        tx.commit().await?;
        Ok(id)
    }

    /// The trust list; demo CAs only when `with_demo`.
    pub async fn trust_anchors(&self, with_demo: bool) -> Result<Vec<TrustAnchor>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, cert, demo FROM trust_anchors WHERE demo = 0 OR $1 = 1 ORDER BY created_at",
        )
        .bind(i64::from(with_demo))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TrustAnchor {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    cert_der: r.try_get("cert")?,
                    demo: r.try_get::<i64, _>("demo")? != 0,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Give a user a signing certificate (the previous one is retired).
    pub async fn add_signing_certificate(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        subject: &str,
        p12: &[u8],
    ) -> Result<String, StoreError> {
        let id = new_id();
        let mut tx = self.begin(ctx).await?;
        sqlx::query("UPDATE signing_certificates SET retired_at = $1 WHERE user_id = $2 AND retired_at IS NULL")
            .bind(now())
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO signing_certificates (id, user_id, subject, p12, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5, NULL)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(subject)
        .bind(p12)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>(
            "add_certificate",
            "user",
            user_id,
            None,
            Some(&serde_json::json!({"certificate": id, "subject": subject})),
        );
        tx.commit().await?;
        Ok(id)
    }

    pub async fn signing_certificate(
        &self,
        user_id: &str,
    ) -> Result<Option<SigningCertificate>, StoreError> {
        let r = sqlx::query(
            "SELECT id, user_id, subject, p12 FROM signing_certificates \
             WHERE user_id = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?;
        r.map(|r| {
            Ok(SigningCertificate {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                subject: r.try_get("subject")?,
                p12: r.try_get("p12")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
    }

    /// Append a PAdES signature to a version's PDF on its own (signatures recorded earlier,
    /// e.g. the demo's 2024 pact, whose PDF is issued after its signing ceremony).
    pub async fn append_version_pdf(
        &self,
        ctx: &AuditCtx,
        document_id: &str,
        version: i64,
        a: &PadesAppend,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        append_tx(&mut tx, document_id, version, a).await?;
        tx.audit::<(), _>(
            "sign_pdf",
            "document",
            document_id,
            None,
            Some(&serde_json::json!({"version": version, "pdf_sha256": sha256_hex(&a.pdf)})),
        );
        tx.commit().await
    }

    /// Keep the PDF issued for a version (before any signature), so that a signer can sign
    /// exactly these bytes with their own token; the row already there wins.
    pub async fn issue_version_pdf(
        &self,
        ctx: &AuditCtx,
        document_id: &str,
        version: i64,
        pdf: &[u8],
    ) -> Result<VersionPdf, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let sha = sha256_hex(pdf);
        let n = sqlx::query(
            "INSERT INTO version_pdfs (document_id, version, pdf, issued_sha256, signatures, sha256, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $4, $5) ON CONFLICT (document_id, version) DO NOTHING",
        )
        .bind(document_id)
        .bind(version)
        .bind(pdf)
        .bind(&sha)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n > 0 {
            tx.audit::<(), _>(
                "issue_pdf",
                "document",
                document_id,
                None,
                Some(&serde_json::json!({"version": version, "pdf_sha256": sha})),
            );
        }
        tx.commit().await?;
        self.version_pdf(document_id, version)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The signed PDF of a version, if any member has signed it with a certificate.
    pub async fn version_pdf(
        &self,
        document_id: &str,
        version: i64,
    ) -> Result<Option<VersionPdf>, StoreError> {
        let r = sqlx::query(
            "SELECT pdf, issued_sha256, signatures FROM version_pdfs WHERE document_id = $1 AND version = $2",
        )
        .bind(document_id)
        .bind(version)
        .fetch_optional(&self.read)
        .await?;
        r.map(|r| {
            Ok(VersionPdf {
                pdf: r.try_get("pdf")?,
                issued_sha256: r.try_get("issued_sha256")?,
                signatures: r.try_get("signatures")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
    }
}
