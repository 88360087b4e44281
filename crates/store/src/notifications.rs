//! Notifications: each person's inbox, their e-mail choice per kind, the e-mail outbox and
//! the reminder scan that finds what people must do (deadlines, pacts to sign, open votes,
//! published results).

use chrono::{NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::Row;
use thidua_domain::notification::{next_retry, reminder_due_iso, Kind};

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;

/// A notification to create. `dedupe_key` names what triggered it: the same key for the
/// same person and kind is created once, whoever scans and however often.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: String,
    pub kind: Kind,
    pub subject_kind: String,
    pub subject_id: String,
    pub dedupe_key: String,
    /// Translation key of the message; its arguments in `args`.
    pub message_key: String,
    pub args: serde_json::Map<String, serde_json::Value>,
    /// Where the subject is seen, e.g. `/documents/<id>`.
    pub link: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: String,
    /// deadline_registration, deadline_assessment, pact_to_sign, vote_open,
    /// proposal_returned, result_published
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: String,
    /// Translation key of the message
    pub message_key: String,
    /// The message's arguments
    #[schema(value_type = Object)]
    pub args: serde_json::Value,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A person's e-mail choice for one kind.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationPref {
    pub kind: String,
    pub email: bool,
    /// The kind's default when the person has not chosen
    pub default_email: bool,
}

/// An e-mail in the outbox with what the sender needs to render it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxMail {
    pub id: String,
    pub notification_id: String,
    pub to_addr: String,
    pub username: String,
    /// The recipient's language (vi, en)
    pub lang: String,
    pub kind: String,
    pub message_key: String,
    #[schema(value_type = Object)]
    pub args: serde_json::Value,
    pub link: String,
    pub subject: Option<String>,
    /// queued, sent, failed
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

const OUTBOX_COLS: &str = "o.id, o.notification_id, o.to_addr, u.username, u.lang, n.kind, \
    n.message_key, n.args_json, n.link, o.subject, o.status, o.attempts, o.next_attempt_at, \
    o.last_error, o.created_at, o.sent_at";
const OUTBOX_FROM: &str = "FROM email_outbox o JOIN notifications n ON n.id = o.notification_id \
    JOIN users u ON u.id = n.user_id";

fn outbox_from_row(r: &sqlx::any::AnyRow) -> Result<OutboxMail, sqlx::Error> {
    let args: String = r.try_get(7)?;
    Ok(OutboxMail {
        id: r.try_get(0)?,
        notification_id: r.try_get(1)?,
        to_addr: r.try_get(2)?,
        username: r.try_get(3)?,
        lang: r.try_get(4)?,
        kind: r.try_get(5)?,
        message_key: r.try_get(6)?,
        args: serde_json::from_str(&args).unwrap_or_default(),
        link: r.try_get(8)?,
        subject: r.try_get(9)?,
        status: r.try_get(10)?,
        attempts: r.try_get(11)?,
        next_attempt_at: r.try_get(12)?,
        last_error: r.try_get(13)?,
        created_at: r.try_get(14)?,
        sent_at: r.try_get(15)?,
    })
}

const NOTE_COLS: &str =
    "id, kind, subject_kind, subject_id, message_key, args_json, link, created_at, read_at";

fn note_from_row(r: &sqlx::any::AnyRow) -> Result<Notification, sqlx::Error> {
    let args: String = r.try_get(5)?;
    Ok(Notification {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        subject_kind: r.try_get(2)?,
        subject_id: r.try_get(3)?,
        message_key: r.try_get(4)?,
        args: serde_json::from_str(&args).unwrap_or_default(),
        link: r.try_get(6)?,
        created_at: r.try_get(7)?,
        read_at: r.try_get(8)?,
    })
}

fn instant(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn iso_day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// dd/mm/yyyy for messages.
fn vn_day(iso: &str) -> String {
    NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

fn args(pairs: &[(&str, String)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
        .collect()
}

/// Roles whose holders act for a unit on deadlines and results.
const UNIT_ACTORS: &str = "('unit_leader', 'unit_officer')";

impl Store {
    /// Create notifications (each once: a repeat of the same trigger is skipped) and, where
    /// the person wants e-mail for the kind and has an address, queue the e-mail in the same
    /// transaction. Returns how many were new. Later features call this for their own
    /// events, e.g. a proposal returned with a reason.
    pub async fn notify(
        &self,
        ctx: &AuditCtx,
        items: &[NewNotification],
    ) -> Result<usize, StoreError> {
        if items.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin(ctx).await?;
        let created = Store::notify_in(&mut tx, items).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// `notify` inside a caller's transaction, so that the notification stands or falls
    /// with the change it tells of (e.g. a proposal returned for changes).
    pub(crate) async fn notify_in(
        tx: &mut Tx,
        items: &[NewNotification],
    ) -> Result<usize, StoreError> {
        let at = now();
        let mut created = 0;
        for n in items {
            let id = new_id();
            let args = serde_json::Value::Object(n.args.clone()).to_string();
            let r = sqlx::query(
                "INSERT INTO notifications (id, user_id, kind, subject_kind, subject_id, dedupe_key, \
                 message_key, args_json, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&id)
            .bind(&n.user_id)
            .bind(n.kind.as_str())
            .bind(&n.subject_kind)
            .bind(&n.subject_id)
            .bind(&n.dedupe_key)
            .bind(&n.message_key)
            .bind(&args)
            .bind(&n.link)
            .bind(&at)
            .execute(&mut *tx.tx)
            .await?;
            if r.rows_affected() == 0 {
                continue;
            }
            created += 1;
            let r = sqlx::query(
                "SELECT u.email, p.email FROM users u LEFT JOIN notification_prefs p \
                 ON p.user_id = u.id AND p.kind = $2 WHERE u.id = $1",
            )
            .bind(&n.user_id)
            .bind(n.kind.as_str())
            .fetch_optional(&mut *tx.tx)
            .await?;
            let (addr, pref): (Option<String>, Option<i64>) = match r {
                Some(r) => (r.try_get(0)?, r.try_get(1)?),
                None => (None, None),
            };
            let wants = pref.map_or(n.kind.email_by_default(), |p| p != 0);
            let addr = addr.filter(|a| !a.trim().is_empty());
            let mailed = match (wants, &addr) {
                (true, Some(a)) => {
                    sqlx::query(
                        "INSERT INTO email_outbox (id, notification_id, to_addr, status, attempts, \
                         next_attempt_at, created_at) VALUES ($1, $2, $3, 'queued', 0, $4, $4)",
                    )
                    .bind(new_id())
                    .bind(&id)
                    .bind(a)
                    .bind(&at)
                    .execute(&mut *tx.tx)
                    .await?;
                    true
                }
                _ => false,
            };
            tx.audit::<(), _>(
                "notify",
                "notification",
                &id,
                None,
                Some(&serde_json::json!({
                    "user_id": n.user_id, "kind": n.kind.as_str(), "key": n.dedupe_key, "email": mailed
                })),
            );
        }
        Ok(created)
    }

    /// A person's inbox, newest first.
    pub async fn inbox(&self, user_id: &str, limit: i64) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTE_COLS} FROM notifications WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(note_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn unread_count(&self, user_id: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(&self.read)
            .await?
            .try_get(0)?,
        )
    }

    /// Mark one of the person's own notifications read. Someone else's is not found.
    pub async fn mark_read(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        id: &str,
    ) -> Result<Notification, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let r = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3",
        )
        .bind(now())
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query(&format!(
            "SELECT {NOTE_COLS} FROM notifications WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *tx.tx)
        .await?;
        let n = note_from_row(&row)?;
        tx.audit::<(), _>("read", "notification", id, None, Some(&n.read_at));
        tx.commit().await?;
        Ok(n)
    }

    /// Mark all of a person's notifications read; returns how many were unread.
    pub async fn mark_all_read(&self, ctx: &AuditCtx, user_id: &str) -> Result<u64, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let r = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
        let n = r.rows_affected();
        if n > 0 {
            tx.audit::<(), _>("read_all", "notification", user_id, None, Some(&n));
        }
        tx.commit().await?;
        Ok(n)
    }

    /// A person's e-mail choice for every kind, and their e-mail address.
    pub async fn notification_prefs(
        &self,
        user_id: &str,
    ) -> Result<(Option<String>, Vec<NotificationPref>), StoreError> {
        let email: Option<String> = sqlx::query("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        let rows = sqlx::query("SELECT kind, email FROM notification_prefs WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.read)
            .await?;
        let mut chosen = std::collections::HashMap::new();
        for r in rows {
            let k: String = r.try_get(0)?;
            let e: i64 = r.try_get(1)?;
            chosen.insert(k, e != 0);
        }
        let prefs = Kind::ALL
            .iter()
            .map(|k| NotificationPref {
                kind: k.as_str().to_owned(),
                email: chosen
                    .get(k.as_str())
                    .copied()
                    .unwrap_or(k.email_by_default()),
                default_email: k.email_by_default(),
            })
            .collect();
        Ok((email, prefs))
    }

    /// Save a person's e-mail address (None: leave as is; Some(""): remove) and their choice
    /// for the kinds given.
    pub async fn set_notification_prefs(
        &self,
        ctx: &AuditCtx,
        user_id: &str,
        email: Option<&str>,
        prefs: &[(Kind, bool)],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let at = now();
        if let Some(e) = email {
            let e = e.trim();
            let v = (!e.is_empty()).then_some(e);
            sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                .bind(v)
                .bind(user_id)
                .execute(&mut *tx.tx)
                .await?;
        }
        for (k, on) in prefs {
            sqlx::query("DELETE FROM notification_prefs WHERE user_id = $1 AND kind = $2")
                .bind(user_id)
                .bind(k.as_str())
                .execute(&mut *tx.tx)
                .await?;
            sqlx::query(
                "INSERT INTO notification_prefs (user_id, kind, email, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(user_id)
            .bind(k.as_str())
            .bind(i64::from(*on))
            .bind(&at)
            .execute(&mut *tx.tx)
            .await?;
        }
        let after: Vec<(String, bool)> = prefs
            .iter()
            .map(|(k, on)| (k.as_str().to_owned(), *on))
            .collect();
        tx.audit::<(), _>(
            "notification_prefs",
            "user",
            user_id,
            None,
            Some(&serde_json::json!({ "email": email, "prefs": after })),
        );
        tx.commit().await?;
        Ok(())
    }

    /// E-mails due now, each leased to this caller for `lease` so that another server does
    /// not send it at the same time. A lease that runs out (a crash mid-send) frees the mail.
    pub async fn claim_outbox(
        &self,
        limit: i64,
        lease: chrono::Duration,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let t = Utc::now();
        let at = instant(t);
        let until = instant(t + lease);
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLS} {OUTBOX_FROM} WHERE o.status = 'queued' AND o.next_attempt_at <= $1 \
             AND (o.claimed_until IS NULL OR o.claimed_until < $1) ORDER BY o.next_attempt_at LIMIT $2"
        ))
        .bind(&at)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let m = outbox_from_row(&r)?;
            // The lease is bookkeeping of the sender, not a change anyone made: no audit.
            let claimed = sqlx::query(
                "UPDATE email_outbox SET claimed_until = $1 WHERE id = $2 AND status = 'queued' \
                 AND (claimed_until IS NULL OR claimed_until < $3)",
            )
            .bind(&until)
            .bind(&m.id)
            .bind(&at)
            .execute(&self.write)
            .await?;
            if claimed.rows_affected() == 1 {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The mail went out.
    pub async fn outbox_sent(&self, id: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        let mut tx = self.begin(&AuditCtx::system()).await?;
        sqlx::query(
            "UPDATE email_outbox SET status = 'sent', attempts = attempts + 1, subject = $1, body = $2, \
             sent_at = $3, last_error = NULL, claimed_until = NULL WHERE id = $4",
        )
        .bind(subject)
        .bind(body)
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), ()>("email_sent", "email_outbox", id, None, None);
        tx.commit().await
    }

    /// A try failed: count it, keep the error for the administrator, and schedule the next
    /// try (or give up after the last one; the administrator can still try again).
    pub async fn outbox_failed(
        &self,
        id: &str,
        subject: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin(&AuditCtx::system()).await?;
        let attempts: i64 = sqlx::query("SELECT attempts FROM email_outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        let attempts = attempts + 1;
        let (status, next) = match next_retry(attempts) {
            Some(wait) => ("queued", instant(Utc::now() + wait)),
            None => ("failed", now()),
        };
        let error: String = error.chars().take(500).collect();
        sqlx::query(
            "UPDATE email_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
             subject = $5, claimed_until = NULL WHERE id = $6",
        )
        .bind(status)
        .bind(attempts)
        .bind(&next)
        .bind(&error)
        .bind(subject)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<(), _>(
            "email_failed",
            "email_outbox",
            id,
            None,
            Some(&serde_json::json!({ "attempts": attempts, "status": status, "error": error })),
        );
        tx.commit().await
    }

    /// The outbox for the administrator: mails not sent yet (queued, failed) first, then
    /// the latest sent ones.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLS} {OUTBOX_FROM} ORDER BY CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END, \
             o.created_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(outbox_from_row).collect::<Result<_, _>>()?)
    }

    /// Try a mail again now (queued or failed; a sent one is refused).
    pub async fn outbox_retry(&self, ctx: &AuditCtx, id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let status: String = sqlx::query("SELECT status FROM email_outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        if status == "sent" {
            return Err(StoreError::rule("err-outbox-already-sent"));
        }
        sqlx::query(
            "UPDATE email_outbox SET status = 'queued', next_attempt_at = $1, claimed_until = NULL WHERE id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit::<_, ()>(
            "email_retry",
            "email_outbox",
            id,
            Some(&serde_json::json!({ "status": status })),
            None,
        );
        tx.commit().await
    }

    /// Find what people must do or should know on `today` and create the notifications
    /// (each once). Returns how many were new.
    pub async fn scan_reminders(&self, today: NaiveDate) -> Result<usize, StoreError> {
        let mut items = Vec::new();
        self.scan_registration(today, &mut items).await?;
        self.scan_assessment(today, &mut items).await?;
        self.scan_pacts(today, &mut items).await?;
        self.scan_votes(&mut items).await?;
        self.scan_results(today, &mut items).await?;
        self.notify(&AuditCtx::system(), &items).await
    }

    async fn scan_registration(
        &self,
        today: NaiveDate,
        items: &mut Vec<NewNotification>,
    ) -> Result<(), StoreError> {
        // Until the secretariat sets one, the deadline is the one the year was opened with;
        // a reopening moves the last day.
        let years = sqlx::query(
            "SELECT y.id, y.year, y.registration_deadline, w.year_id, w.deadline, w.reopened_until \
             FROM emulation_years y LEFT JOIN registration_windows w ON w.year_id = y.id",
        )
        .fetch_all(&self.read)
        .await?;
        for y in years {
            let year_id: String = y.try_get(0)?;
            let year: i64 = y.try_get(1)?;
            let has_window: Option<String> = y.try_get(3)?;
            let deadline: Option<String> = if has_window.is_some() {
                y.try_get(4)?
            } else {
                y.try_get(2)?
            };
            let reopened: Option<String> = y.try_get(5)?;
            let last = match (deadline, reopened) {
                (Some(d), Some(r)) => Some(d.max(r)),
                (d, r) => d.or(r),
            };
            let Some(last) = last else { continue };
            let Some(days) = reminder_due_iso(&last, today) else {
                continue;
            };
            let users = self
                .ids(
                    &format!(
                        "SELECT DISTINCT g.user_id FROM group_members m JOIN grants g ON g.scope_unit_id = m.unit_id \
                         JOIN users u ON u.id = g.user_id WHERE m.year_id = $1 AND g.role IN {UNIT_ACTORS} AND u.disabled = 0"
                    ),
                    &year_id,
                )
                .await?;
            for user_id in users {
                items.push(NewNotification {
                    user_id,
                    kind: Kind::DeadlineRegistration,
                    subject_kind: "year".into(),
                    subject_id: year_id.clone(),
                    dedupe_key: format!("reg:{year_id}:{last}:{days}"),
                    message_key: "notify-msg-deadline-registration".into(),
                    args: args(&[
                        ("year", year.to_string()),
                        ("deadline", vn_day(&last)),
                        ("days", days.to_string()),
                    ]),
                    link: format!("/years/{year_id}/registration"),
                });
            }
        }
        Ok(())
    }

    async fn scan_assessment(
        &self,
        today: NaiveDate,
        items: &mut Vec<NewNotification>,
    ) -> Result<(), StoreError> {
        let years = sqlx::query(
            "SELECT id, year, self_assessment_deadline FROM emulation_years \
             WHERE self_assessment_deadline IS NOT NULL",
        )
        .fetch_all(&self.read)
        .await?;
        for y in years {
            let year_id: String = y.try_get(0)?;
            let year: i64 = y.try_get(1)?;
            let last: String = y.try_get(2)?;
            let Some(days) = reminder_due_iso(&last, today) else {
                continue;
            };
            // Units that have already submitted have nothing left to do.
            let users = self
                .ids(
                    &format!(
                        "SELECT DISTINCT g.user_id FROM group_members m JOIN grants g ON g.scope_unit_id = m.unit_id \
                         JOIN users u ON u.id = g.user_id WHERE m.year_id = $1 AND g.role IN {UNIT_ACTORS} AND u.disabled = 0 \
                         AND NOT EXISTS (SELECT 1 FROM assessments a JOIN scoring_schemes s ON s.id = a.scheme_id \
                           WHERE s.year_id = m.year_id AND a.unit_id = m.unit_id AND a.status = 'submitted')"
                    ),
                    &year_id,
                )
                .await?;
            for user_id in users {
                items.push(NewNotification {
                    user_id,
                    kind: Kind::DeadlineAssessment,
                    subject_kind: "year".into(),
                    subject_id: year_id.clone(),
                    dedupe_key: format!("assess:{year_id}:{last}:{days}"),
                    message_key: "notify-msg-deadline-assessment".into(),
                    args: args(&[
                        ("year", year.to_string()),
                        ("deadline", vn_day(&last)),
                        ("days", days.to_string()),
                    ]),
                    link: format!("/years/{year_id}/scoring"),
                });
            }
        }
        Ok(())
    }

    /// Adopted pacts a member unit has not signed: its leader is told once per version,
    /// and again for each reminder the group's head sends (the `document_reminders` rows).
    async fn scan_pacts(
        &self,
        today: NaiveDate,
        items: &mut Vec<NewNotification>,
    ) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.adopted_version, g.name, y.year, gr.user_id, m.unit_id, \
             (SELECT MAX(r.id) FROM document_reminders r WHERE r.document_id = d.id \
               AND r.version = d.adopted_version AND r.unit_id = m.unit_id AND r.sent_at >= $1) \
             FROM group_documents d JOIN emulation_groups g ON g.id = d.group_id \
             JOIN emulation_years y ON y.id = g.year_id \
             JOIN group_members m ON m.group_id = d.group_id \
             JOIN grants gr ON gr.scope_unit_id = m.unit_id AND gr.role = 'unit_leader' \
             JOIN users u ON u.id = gr.user_id AND u.disabled = 0 \
             WHERE d.kind = 'pact' AND d.adopted_version IS NOT NULL AND NOT EXISTS \
               (SELECT 1 FROM document_signatures s WHERE s.document_id = d.id \
                AND s.version = d.adopted_version AND s.unit_id = m.unit_id)",
        )
        // Reminders older than a month were already seen or are moot.
        .bind(iso_day(today - chrono::Duration::days(31)))
        .fetch_all(&self.read)
        .await?;
        for r in rows {
            let doc: String = r.try_get(0)?;
            let version: i64 = r.try_get(1)?;
            let group: String = r.try_get(2)?;
            let year: i64 = r.try_get(3)?;
            let user_id: String = r.try_get(4)?;
            let unit: String = r.try_get(5)?;
            let reminder: Option<String> = r.try_get(6)?;
            let a = args(&[("group", group), ("year", year.to_string())]);
            items.push(NewNotification {
                user_id: user_id.clone(),
                kind: Kind::PactToSign,
                subject_kind: "document".into(),
                subject_id: doc.clone(),
                dedupe_key: format!("pact:{doc}:{version}:{unit}"),
                message_key: "notify-msg-pact-to-sign".into(),
                args: a.clone(),
                link: format!("/documents/{doc}"),
            });
            if let Some(rem) = reminder {
                items.push(NewNotification {
                    user_id,
                    kind: Kind::PactToSign,
                    subject_kind: "document".into(),
                    subject_id: doc.clone(),
                    dedupe_key: format!("pact-reminder:{rem}"),
                    message_key: "notify-msg-pact-reminded".into(),
                    args: a,
                    link: format!("/documents/{doc}"),
                });
            }
        }
        Ok(())
    }

    /// Open votes: the leader of each member unit that has not voted yet.
    async fn scan_votes(&self, items: &mut Vec<NewNotification>) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT e.id, e.office, g.name, gr.user_id FROM elections e \
             JOIN emulation_groups g ON g.id = e.group_id \
             JOIN group_members m ON m.group_id = e.group_id \
             JOIN grants gr ON gr.scope_unit_id = m.unit_id AND gr.role = 'unit_leader' \
             JOIN users u ON u.id = gr.user_id AND u.disabled = 0 \
             WHERE e.status = 'open' AND NOT EXISTS (SELECT 1 FROM election_voters v \
               WHERE v.election_id = e.id AND v.unit_id = m.unit_id)",
        )
        .fetch_all(&self.read)
        .await?;
        for r in rows {
            let id: String = r.try_get(0)?;
            let office: String = r.try_get(1)?;
            let group: String = r.try_get(2)?;
            items.push(NewNotification {
                user_id: r.try_get(3)?,
                kind: Kind::VoteOpen,
                subject_kind: "election".into(),
                subject_id: id.clone(),
                dedupe_key: format!("vote:{id}"),
                message_key: "notify-msg-vote-open".into(),
                args: args(&[("group", group), ("office", office)]),
                link: format!("/elections/{id}"),
            });
        }
        Ok(())
    }

    /// Results published in the last month: the leaders and officers of the assessed units.
    async fn scan_results(
        &self,
        today: NaiveDate,
        items: &mut Vec<NewNotification>,
    ) -> Result<(), StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT s.id, s.year_id, y.year, gr.user_id FROM scoring_schemes s \
             JOIN emulation_years y ON y.id = s.year_id \
             JOIN assessments a ON a.scheme_id = s.id \
             JOIN grants gr ON gr.scope_unit_id = a.unit_id AND gr.role IN {UNIT_ACTORS} \
             JOIN users u ON u.id = gr.user_id AND u.disabled = 0 \
             WHERE s.status = 'published' AND s.updated_at >= $1"
        ))
        .bind(iso_day(today - chrono::Duration::days(31)))
        .fetch_all(&self.read)
        .await?;
        for r in rows {
            let id: String = r.try_get(0)?;
            let year_id: String = r.try_get(1)?;
            let year: i64 = r.try_get(2)?;
            items.push(NewNotification {
                user_id: r.try_get(3)?,
                kind: Kind::ResultPublished,
                subject_kind: "scheme".into(),
                subject_id: id.clone(),
                dedupe_key: format!("result:{id}"),
                message_key: "notify-msg-result-published".into(),
                args: args(&[("year", year.to_string())]),
                link: format!("/years/{year_id}/scoring"),
            });
        }
        Ok(())
    }
}
