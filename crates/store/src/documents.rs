//! Group documents (plan, pact, regulations, minutes): versions written once, adoption at a
//! conference, signatures per member unit, reminders, and the council's templates.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::document::{self, DocumentContent, DocumentKind};
use thidua_domain::signature::{self, SealedKey, SignatureRecord, SigningStatement};

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::groups::{brief, UnitBrief};

fn refused(key: &str) -> StoreError {
    StoreError::Refused {
        key: key.to_owned(),
        args: Vec::new(),
    }
}

/// A document of a group with its history in brief.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupDocument {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub council_id: String,
    pub year: i64,
    /// plan, pact, regulations, minutes
    pub kind: String,
    pub conference_id: Option<String>,
    pub current_version: i64,
    pub adopted_version: Option<i64>,
    pub created_at: String,
    pub versions: Vec<VersionBrief>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionBrief {
    pub version: i64,
    pub content_hash: String,
    pub verification_code: String,
    /// What changed, in the author's words.
    pub note: String,
    pub created_by_name: String,
    pub created_at: String,
    /// draft, adopted, superseded
    pub status: String,
    pub signatures: i64,
}

/// One version, whole.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentVersion {
    pub document_id: String,
    pub version: i64,
    #[schema(value_type = Object)]
    pub content: DocumentContent,
    pub content_hash: String,
    pub verification_code: String,
    pub note: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub status: String,
    pub adopted_at: Option<String>,
    pub adopted_by_name: Option<String>,
    pub adopted_conference_id: Option<String>,
    pub adopted_conference_title: Option<String>,
    pub adoption_note: Option<String>,
}

/// A unit's signature on one version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignatureRow {
    pub unit: UnitBrief,
    pub user_id: String,
    pub signer_name: String,
    pub signer_title: String,
    pub key_id: String,
    pub public_key: String,
    #[schema(value_type = Object)]
    pub statement: SigningStatement,
    pub signature: String,
    pub signed_at: String,
    /// Where the request came from (client address), as the law asks for the place of signing.
    pub address: String,
}

impl SignatureRow {
    pub fn record(&self) -> SignatureRecord {
        SignatureRecord {
            statement: self.statement.clone(),
            public_key: self.public_key.clone(),
            signature: self.signature.clone(),
        }
    }
}

/// An adopted version a unit has still to sign.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingSignature {
    pub document_id: String,
    pub version: i64,
    pub kind: String,
    pub title: String,
    pub group_name: String,
    pub year: i64,
    pub unit: UnitBrief,
    pub last_reminded_at: Option<String>,
}

/// A signer's active key.
#[derive(Debug, Clone)]
pub struct SigningKeyRow {
    pub id: String,
    pub sealed: SealedKey,
}

/// What the caller computed for a signature (the password check, unsealing and signing
/// happen outside the store, on the hashing threads).
#[derive(Debug, Clone)]
pub struct NewSignature {
    pub document_id: String,
    pub version: i64,
    pub unit_id: String,
    pub user_id: String,
    pub signer_name: String,
    pub signer_title: String,
    /// The key used; `new_key` is stored first when this is the signer's first signature.
    pub key_id: String,
    pub new_key: Option<SealedKey>,
    pub statement: SigningStatement,
    pub signature: String,
    pub address: String,
    /// The PAdES signature appended to the version's PDF with the signer's certificate, when
    /// they have one: stored in the same transaction as the record.
    pub pades: Option<crate::pades::PadesAppend>,
}

/// What happens to a user's signing key when the password changes.
#[derive(Debug, Clone)]
pub enum KeyChange {
    /// The user changed their own password: the same key, sealed under the new password.
    Resealed(SealedKey),
    /// Someone else reset the password: the key can no longer be opened, so it is retired;
    /// the next signature makes a new one. Old signatures keep naming the old public key.
    Retire,
}

const DOC_COLS: &str = "d.id, d.group_id, g.name, y.council_id, y.year, d.kind, d.conference_id, \
    d.current_version, d.adopted_version, d.created_at";

const VERSION_COLS: &str = "v.document_id, v.version, v.content_json, v.content_hash, \
    v.verification_code, v.note, v.created_by, cu.display_name, v.created_at, v.status, \
    v.adopted_at, au.display_name, v.adopted_conference_id, c.title, v.adoption_note";

const VERSION_FROM: &str = "FROM document_versions v \
    JOIN users cu ON cu.id = v.created_by \
    LEFT JOIN users au ON au.id = v.adopted_by \
    LEFT JOIN conferences c ON c.id = v.adopted_conference_id";

fn version_from_row(r: &AnyRow) -> Result<DocumentVersion, StoreError> {
    let json: String = r.try_get(2)?;
    let content: DocumentContent = serde_json::from_str(&json)
        .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
    Ok(DocumentVersion {
        document_id: r.try_get(0)?,
        version: r.try_get(1)?,
        content,
        content_hash: r.try_get(3)?,
        verification_code: r.try_get(4)?,
        note: r.try_get(5)?,
        created_by: r.try_get(6)?,
        created_by_name: r.try_get(7)?,
        created_at: r.try_get(8)?,
        status: r.try_get(9)?,
        adopted_at: r.try_get(10)?,
        adopted_by_name: r.try_get(11)?,
        adopted_conference_id: r.try_get(12)?,
        adopted_conference_title: r.try_get(13)?,
        adoption_note: r.try_get(14)?,
    })
}

async fn document_tx(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<GroupDocument, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {DOC_COLS} FROM group_documents d \
         JOIN emulation_groups g ON g.id = d.group_id \
         JOIN emulation_years y ON y.id = g.year_id WHERE d.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let versions = sqlx::query(
        "SELECT v.version, v.content_hash, v.verification_code, v.note, u.display_name, \
         v.created_at, v.status, \
         (SELECT COUNT(*) FROM document_signatures s WHERE s.document_id = v.document_id AND s.version = v.version) \
         FROM document_versions v JOIN users u ON u.id = v.created_by \
         WHERE v.document_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|v| {
        Ok(VersionBrief {
            version: v.try_get(0)?,
            content_hash: v.try_get(1)?,
            verification_code: v.try_get(2)?,
            note: v.try_get(3)?,
            created_by_name: v.try_get(4)?,
            created_at: v.try_get(5)?,
            status: v.try_get(6)?,
            signatures: v.try_get(7)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(GroupDocument {
        id: r.try_get(0)?,
        group_id: r.try_get(1)?,
        group_name: r.try_get(2)?,
        council_id: r.try_get(3)?,
        year: r.try_get(4)?,
        kind: r.try_get(5)?,
        conference_id: r.try_get(6)?,
        current_version: r.try_get(7)?,
        adopted_version: r.try_get(8)?,
        created_at: r.try_get(9)?,
        versions,
    })
}

async fn version_tx(
    conn: &mut sqlx::AnyConnection,
    document_id: &str,
    version: i64,
) -> Result<DocumentVersion, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {VERSION_COLS} {VERSION_FROM} WHERE v.document_id = $1 AND v.version = $2"
    ))
    .bind(document_id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    version_from_row(&r)
}

/// Insert a version row (never updated afterwards except for its adoption status).
async fn insert_version(
    tx: &mut Tx,
    document_id: &str,
    version: i64,
    content: &DocumentContent,
    note: &str,
    user_id: &str,
) -> Result<(String, String), StoreError> {
    let json = serde_json::to_string(content)
        .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
    let hash = document::content_hash(content);
    let code = signature::verification_code(document_id, version, &hash);
    sqlx::query(
        "INSERT INTO document_versions (document_id, version, content_json, content_hash, \
         verification_code, note, created_by, created_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft')",
    )
    .bind(document_id)
    .bind(version)
    .bind(&json)
    .bind(&hash)
    .bind(&code)
    .bind(note)
    .bind(user_id)
    .bind(now())
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| StoreError::duplicate_or(e, "version", "err-conflict"))?;
    // The audit row carries the hash, so a later edit of the stored text is caught twice:
    // by the signatures and by the trail.
    tx.audit::<(), _>(
        "save_version",
        "document",
        document_id,
        None,
        Some(&serde_json::json!({
            "version": version,
            "content_hash": hash,
            "verification_code": code,
            "note": note,
        })),
    );
    Ok((hash, code))
}

fn clean_note(note: &str) -> Result<String, StoreError> {
    let n = thidua_domain::text::clean(note);
    if n.chars().count() > 1000 {
        return Err(StoreError::field("note", "err-too-long"));
    }
    Ok(n)
}

impl Store {
    /// The documents of a group (its plan, pact, regulations and minutes).
    pub async fn documents_of_group(
        &self,
        group_id: &str,
    ) -> Result<Vec<GroupDocument>, StoreError> {
        self.cached(format!("group-docs:{group_id}"), || async {
            let ids = self
                .ids(
                    "SELECT id FROM group_documents WHERE group_id = $1 ORDER BY created_at",
                    group_id,
                )
                .await?;
            self.load_each(ids, document_tx).await
        })
        .await
    }

    pub async fn get_group_document(&self, id: &str) -> Result<GroupDocument, StoreError> {
        let mut conn = self.read.acquire().await?;
        document_tx(&mut conn, id).await
    }

    /// The document in a group's slot (kind, or minutes of one conference), if started.
    pub async fn group_document_in_slot(
        &self,
        group_id: &str,
        kind: DocumentKind,
        conference_id: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let slot = slot(kind, conference_id);
        let r = sqlx::query("SELECT id FROM group_documents WHERE group_id = $1 AND slot = $2")
            .bind(group_id)
            .bind(&slot)
            .fetch_optional(&self.read)
            .await?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    /// Start a group's document with its first version. `content` must be validated.
    pub async fn create_group_document(
        &self,
        ctx: &AuditCtx,
        group_id: &str,
        conference_id: Option<&str>,
        content: &DocumentContent,
        note: &str,
        user_id: &str,
    ) -> Result<GroupDocument, StoreError> {
        let note = clean_note(note)?;
        let group = self.get_group(group_id).await?;
        let kind = content.kind;
        match (kind, conference_id) {
            (DocumentKind::Minutes, Some(c)) => {
                let conf = self.get_conference(c).await?;
                if conf.group_id != group.id {
                    return Err(StoreError::field("conference_id", "err-bad-request"));
                }
            }
            (DocumentKind::Minutes, None) => {
                return Err(StoreError::field("conference_id", "err-required"))
            }
            (_, Some(_)) => return Err(StoreError::field("conference_id", "err-bad-request")),
            (_, None) => {}
        }
        let id = new_id();
        let mut tx = self.begin(ctx).await?;
        sqlx::query(
            "INSERT INTO group_documents (id, group_id, kind, conference_id, slot, current_version, \
             adopted_version, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 1, NULL, $6, $7)",
        )
        .bind(&id)
        .bind(group_id)
        .bind(kind.as_str())
        .bind(conference_id)
        .bind(slot(kind, conference_id))
        .bind(user_id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "kind", "err-document-exists"))?;
        tx.audit::<(), _>(
            "create",
            "document",
            &id,
            None,
            Some(&serde_json::json!({
                "group_id": group_id, "kind": kind.as_str(), "conference_id": conference_id,
            })),
        );
        insert_version(&mut tx, &id, 1, content, &note, user_id).await?;
        let d = document_tx(&mut tx.tx, &id).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Save a new version on top of `base_version` (the latest one the editor saw): someone
    /// else's newer save gives a conflict with the current version. Nothing is overwritten.
    pub async fn save_document_version(
        &self,
        ctx: &AuditCtx,
        document_id: &str,
        base_version: i64,
        content: &DocumentContent,
        note: &str,
        user_id: &str,
    ) -> Result<DocumentVersion, StoreError> {
        let note = clean_note(note)?;
        let mut tx = self.begin(ctx).await?;
        let d = document_tx(&mut tx.tx, document_id).await?;
        if content.kind.as_str() != d.kind {
            return Err(StoreError::field("kind", "err-bad-request"));
        }
        if d.current_version != base_version {
            let current = version_tx(&mut tx.tx, document_id, d.current_version).await?;
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&current).unwrap_or_default(),
            });
        }
        let latest = version_tx(&mut tx.tx, document_id, d.current_version).await?;
        if latest.content_hash == document::content_hash(content) {
            return Err(refused("err-document-unchanged"));
        }
        let next = d.current_version + 1;
        // The guard on current_version makes two concurrent saves on one base end with one
        // version and one conflict, also on PostgreSQL's read committed.
        let n = sqlx::query(
            "UPDATE group_documents SET current_version = $1 WHERE id = $2 AND current_version = $3",
        )
        .bind(next)
        .bind(document_id)
        .bind(base_version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                current: serde_json::to_value(&latest).unwrap_or_default(),
            });
        }
        insert_version(&mut tx, document_id, next, content, &note, user_id).await?;
        let v = version_tx(&mut tx.tx, document_id, next).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn get_document_version(
        &self,
        document_id: &str,
        version: i64,
    ) -> Result<DocumentVersion, StoreError> {
        let mut conn = self.read.acquire().await?;
        version_tx(&mut conn, document_id, version).await
    }

    /// Record that a conference adopted the latest version. The version adopted before (if
    /// any) is superseded; its signatures stay valid for it.
    pub async fn adopt_document_version(
        &self,
        ctx: &AuditCtx,
        document_id: &str,
        version: i64,
        conference_id: &str,
        note: &str,
        user_id: &str,
    ) -> Result<DocumentVersion, StoreError> {
        let note = clean_note(note)?;
        let conf = self.get_conference(conference_id).await?;
        let mut tx = self.begin(ctx).await?;
        let d = document_tx(&mut tx.tx, document_id).await?;
        if conf.group_id != d.group_id {
            return Err(StoreError::field("conference_id", "err-bad-request"));
        }
        let v = version_tx(&mut tx.tx, document_id, version).await?;
        if v.status != "draft" {
            return Err(refused("err-version-already-adopted"));
        }
        if version != d.current_version {
            return Err(refused("err-version-not-latest"));
        }
        let n = sqlx::query(
            "UPDATE group_documents SET adopted_version = $1 WHERE id = $2 AND current_version = $1",
        )
        .bind(version)
        .bind(document_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(refused("err-version-not-latest"));
        }
        sqlx::query(
            "UPDATE document_versions SET status = 'superseded' WHERE document_id = $1 AND status = 'adopted'",
        )
        .bind(document_id)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query(
            "UPDATE document_versions SET status = 'adopted', adopted_at = $1, adopted_by = $2, \
             adopted_conference_id = $3, adoption_note = $4 \
             WHERE document_id = $5 AND version = $6 AND status = 'draft'",
        )
        .bind(now())
        .bind(user_id)
        .bind(conference_id)
        .bind(&note)
        .bind(document_id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>(
            "adopt",
            "document",
            document_id,
            None,
            Some(&serde_json::json!({
                "version": version, "content_hash": v.content_hash,
                "conference_id": conference_id, "note": note,
            })),
        );
        let out = version_tx(&mut tx.tx, document_id, version).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn document_signatures(
        &self,
        document_id: &str,
        version: i64,
    ) -> Result<Vec<SignatureRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.user_id, s.signer_name, s.signer_title, s.key_id, \
             s.public_key, s.statement_json, s.signature, s.signed_at, s.address, \
             s.unit_id, un.code, un.name, un.short_name \
             FROM document_signatures s JOIN units un ON un.id = s.unit_id \
             WHERE s.document_id = $1 AND s.version = $2 ORDER BY s.signed_at",
        )
        .bind(document_id)
        .bind(version)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let statement_json: String = r.try_get(5)?;
                let statement: SigningStatement = serde_json::from_str(&statement_json)
                    .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
                Ok(SignatureRow {
                    unit: brief(r, 9)?.ok_or(StoreError::NotFound)?,
                    user_id: r.try_get(0)?,
                    signer_name: r.try_get(1)?,
                    signer_title: r.try_get(2)?,
                    key_id: r.try_get(3)?,
                    public_key: r.try_get(4)?,
                    statement,
                    signature: r.try_get(6)?,
                    signed_at: r.try_get(7)?,
                    address: r.try_get(8)?,
                })
            })
            .collect()
    }

    /// The user's active signing key, if they have signed before.
    pub async fn active_signing_key(
        &self,
        user_id: &str,
    ) -> Result<Option<SigningKeyRow>, StoreError> {
        let r = sqlx::query(
            "SELECT id, sealed_json FROM signing_keys WHERE user_id = $1 AND retired_at IS NULL",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?;
        r.map(|r| {
            let json: String = r.try_get(1)?;
            Ok(SigningKeyRow {
                id: r.try_get(0)?,
                sealed: serde_json::from_str(&json)
                    .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?,
            })
        })
        .transpose()
    }

    /// Is this public key registered (now or formerly) for this user?
    pub async fn signing_key_of(
        &self,
        user_id: &str,
        public_key: &str,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
        let r = sqlx::query(
            "SELECT created_at, retired_at FROM signing_keys WHERE user_id = $1 AND public_key = $2",
        )
        .bind(user_id)
        .bind(public_key)
        .fetch_optional(&self.read)
        .await?;
        Ok(
            r.map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
                .transpose()?,
        )
    }

    /// Record a signature. Refused unless the version is the document's adopted one and the
    /// unit a member of the group; a second signature for the unit is a duplicate (409).
    pub async fn sign_document(
        &self,
        ctx: &AuditCtx,
        s: &NewSignature,
    ) -> Result<SignatureRow, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let d = document_tx(&mut tx.tx, &s.document_id).await?;
        if d.adopted_version != Some(s.version) {
            return Err(refused("err-sign-not-adopted"));
        }
        let member =
            sqlx::query("SELECT 1 FROM group_members WHERE group_id = $1 AND unit_id = $2")
                .bind(&d.group_id)
                .bind(&s.unit_id)
                .fetch_optional(&mut *tx.tx)
                .await?;
        if member.is_none() {
            return Err(refused("err-sign-not-member"));
        }
        let v = version_tx(&mut tx.tx, &s.document_id, s.version).await?;
        if v.content_hash != s.statement.content_hash {
            return Err(refused("err-sign-not-adopted"));
        }
        if let Some(key) = &s.new_key {
            // Two first signatures at once must not leave a user with two active keys.
            let active =
                sqlx::query("SELECT 1 FROM signing_keys WHERE user_id = $1 AND retired_at IS NULL")
                    .bind(&s.user_id)
                    .fetch_optional(&mut *tx.tx)
                    .await?;
            if active.is_some() {
                return Err(refused("err-sign-retry"));
            }
            sqlx::query(
                "INSERT INTO signing_keys (id, user_id, public_key, sealed_json, created_at, retired_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL)",
            )
            .bind(&s.key_id)
            .bind(&s.user_id)
            .bind(&key.public_key)
            .bind(serde_json::to_string(key).unwrap_or_default())
            .bind(now())
            .execute(&mut *tx.tx)
            .await?;
            tx.audit::<(), _>(
                "create_key",
                "signing_key",
                &s.key_id,
                None,
                Some(&serde_json::json!({ "user_id": s.user_id, "public_key": key.public_key })),
            );
        }
        let public_key: String =
            sqlx::query("SELECT public_key FROM signing_keys WHERE id = $1 AND user_id = $2")
                .bind(&s.key_id)
                .bind(&s.user_id)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get(0)?;
        sqlx::query(
            "INSERT INTO document_signatures (document_id, version, unit_id, user_id, signer_name, \
             signer_title, key_id, public_key, statement_json, signature, signed_at, address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&s.document_id)
        .bind(s.version)
        .bind(&s.unit_id)
        .bind(&s.user_id)
        .bind(&s.signer_name)
        .bind(&s.signer_title)
        .bind(&s.key_id)
        .bind(&public_key)
        .bind(serde_json::to_string(&s.statement).unwrap_or_default())
        .bind(&s.signature)
        .bind(&s.statement.signed_at)
        .bind(&s.address)
        .execute(&mut *tx.tx)
        .await
        .map_err(|e| StoreError::duplicate_or(e, "unit_id", "err-already-signed"))?;
        if let Some(a) = &s.pades {
            crate::pades::append_tx(&mut tx, &s.document_id, s.version, a).await?;
        }
        tx.audit::<(), _>(
            "sign",
            "document",
            &s.document_id,
            None,
            Some(&serde_json::json!({
                "version": s.version,
                "unit_id": s.unit_id,
                "user_id": s.user_id,
                "content_hash": s.statement.content_hash,
                "public_key": public_key,
                "signature": s.signature,
                "pdf_sha256": s.pades.as_ref().map(|a| crate::pades::sha256_hex(&a.pdf)),
            })),
        );
        tx.commit().await?;
        self.document_signatures(&s.document_id, s.version)
            .await?
            .into_iter()
            .find(|r| r.unit.id == s.unit_id)
            .ok_or(StoreError::NotFound)
    }

    /// The version a verification code names.
    pub async fn version_by_code(&self, code: &str) -> Result<(String, i64), StoreError> {
        let r = sqlx::query(
            "SELECT document_id, version FROM document_versions WHERE verification_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    /// Remind the units that have not signed the adopted version. Returns how many.
    pub async fn remind_signers(
        &self,
        ctx: &AuditCtx,
        document_id: &str,
        user_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let d = self.get_group_document(document_id).await?;
        let Some(version) = d.adopted_version else {
            return Err(refused("err-sign-not-adopted"));
        };
        let signed: Vec<String> = self
            .document_signatures(document_id, version)
            .await?
            .into_iter()
            .map(|s| s.unit.id)
            .collect();
        let unsigned: Vec<String> = self
            .group_member_ids(&d.group_id)
            .await?
            .into_iter()
            .filter(|u| !signed.contains(u))
            .collect();
        if unsigned.is_empty() {
            return Ok(unsigned);
        }
        let mut tx = self.begin(ctx).await?;
        let at = now();
        for u in &unsigned {
            sqlx::query(
                "INSERT INTO document_reminders (id, document_id, version, unit_id, sent_by, sent_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(new_id())
            .bind(document_id)
            .bind(version)
            .bind(u)
            .bind(user_id)
            .bind(&at)
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.audit::<(), _>(
            "remind",
            "document",
            document_id,
            None,
            Some(&serde_json::json!({ "version": version, "units": unsigned })),
        );
        tx.commit().await?;
        Ok(unsigned)
    }

    /// Adopted versions that these units have not signed, with the last reminder.
    pub async fn pending_signatures(
        &self,
        unit_ids: &[String],
    ) -> Result<Vec<PendingSignature>, StoreError> {
        let mut out = Vec::new();
        for unit in unit_ids {
            let rows = sqlx::query(
                "SELECT d.id, d.adopted_version, d.kind, v.content_json, g.name, y.year, \
                 un.id, un.code, un.name, un.short_name, \
                 (SELECT MAX(r.sent_at) FROM document_reminders r WHERE r.document_id = d.id \
                  AND r.version = d.adopted_version AND r.unit_id = m.unit_id) \
                 FROM group_members m \
                 JOIN group_documents d ON d.group_id = m.group_id \
                 JOIN document_versions v ON v.document_id = d.id AND v.version = d.adopted_version \
                 JOIN emulation_groups g ON g.id = d.group_id \
                 JOIN emulation_years y ON y.id = g.year_id \
                 JOIN units un ON un.id = m.unit_id \
                 WHERE m.unit_id = $1 AND NOT EXISTS (SELECT 1 FROM document_signatures s \
                   WHERE s.document_id = d.id AND s.version = d.adopted_version AND s.unit_id = m.unit_id) \
                 ORDER BY y.year DESC, d.created_at",
            )
            .bind(unit)
            .fetch_all(&self.read)
            .await?;
            for r in rows {
                let json: String = r.try_get(3)?;
                let title = serde_json::from_str::<DocumentContent>(&json)
                    .map(|c| c.title)
                    .unwrap_or_default();
                out.push(PendingSignature {
                    document_id: r.try_get(0)?,
                    version: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    title,
                    group_name: r.try_get(4)?,
                    year: r.try_get(5)?,
                    unit: brief(&r, 6)?.ok_or(StoreError::NotFound)?,
                    last_reminded_at: r.try_get(10)?,
                });
            }
        }
        Ok(out)
    }

    /// The council's own template for a kind, if it wrote one.
    pub async fn council_template(
        &self,
        council_id: &str,
        kind: DocumentKind,
    ) -> Result<Option<DocumentContent>, StoreError> {
        let r = sqlx::query(
            "SELECT content_json FROM document_templates WHERE council_id = $1 AND kind = $2",
        )
        .bind(council_id)
        .bind(kind.as_str())
        .fetch_optional(&self.read)
        .await?;
        r.map(|r| {
            let json: String = r.try_get(0)?;
            serde_json::from_str(&json)
                .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
        })
        .transpose()
    }

    /// Write the council's template for a kind (validated by the caller).
    pub async fn set_council_template(
        &self,
        ctx: &AuditCtx,
        council_id: &str,
        content: &DocumentContent,
        user_id: &str,
    ) -> Result<(), StoreError> {
        self.get_council(council_id).await?;
        let json = serde_json::to_string(content)
            .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
        let mut tx = self.begin(ctx).await?;
        sqlx::query("DELETE FROM document_templates WHERE council_id = $1 AND kind = $2")
            .bind(council_id)
            .bind(content.kind.as_str())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO document_templates (council_id, kind, content_json, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(council_id)
        .bind(content.kind.as_str())
        .bind(&json)
        .bind(user_id)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>(
            "set_template",
            "council",
            council_id,
            None,
            Some(&serde_json::json!({ "kind": content.kind.as_str(), "content_hash": document::content_hash(content) })),
        );
        tx.commit().await?;
        Ok(())
    }
}

fn slot(kind: DocumentKind, conference_id: Option<&str>) -> String {
    match conference_id {
        Some(c) if kind == DocumentKind::Minutes => format!("minutes:{c}"),
        _ => kind.as_str().to_owned(),
    }
}

/// Apply a password change to the user's signing key inside the password's transaction.
pub(crate) async fn change_key(
    tx: &mut Tx,
    user_id: &str,
    change: &KeyChange,
) -> Result<(), StoreError> {
    match change {
        KeyChange::Resealed(sealed) => {
            let n = sqlx::query(
                "UPDATE signing_keys SET sealed_json = $1 WHERE user_id = $2 AND public_key = $3 AND retired_at IS NULL",
            )
            .bind(serde_json::to_string(sealed).unwrap_or_default())
            .bind(user_id)
            .bind(&sealed.public_key)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if n > 0 {
                tx.audit::<(), _>(
                    "reseal_key",
                    "signing_key",
                    user_id,
                    None,
                    Some(&serde_json::json!({ "public_key": sealed.public_key })),
                );
            }
        }
        KeyChange::Retire => {
            let n = sqlx::query(
                "UPDATE signing_keys SET retired_at = $1 WHERE user_id = $2 AND retired_at IS NULL",
            )
            .bind(now())
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            if n > 0 {
                tx.audit::<(), ()>("retire_key", "signing_key", user_id, None, None);
            }
        }
    }
    Ok(())
}
