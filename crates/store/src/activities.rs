//! The year's activities of councils, groups and units with their photos, and the news
//! articles of a council (drafts and published ones), every saved text kept as a version.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use thidua_domain::activity::ActivityDraft;
use thidua_domain::news::NewsDraftText;

use crate::db::{new_id, now, AuditCtx, Store, Tx};
use crate::error::StoreError;
use crate::groups::{brief, insert_file, GroupRef, UnitBrief};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Photo {
    pub file_id: String,
    pub caption: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: String,
    pub year: i64,
    /// council, group or unit
    pub owner: String,
    pub council_id: Option<String>,
    pub group: Option<GroupRef>,
    pub unit: Option<UnitBrief>,
    /// experience_exchange, culture_sports, inspection, mid_year_review, conference, other
    pub kind: String,
    pub title: String,
    /// yyyy-mm-dd
    pub starts_on: String,
    /// yyyy-mm-dd, never before starts_on
    pub ends_on: String,
    pub host: Option<UnitBrief>,
    pub place: String,
    pub participants: String,
    /// planned, held, cancelled
    pub status: String,
    /// The short report afterwards (sanitised HTML)
    pub report_html: String,
    pub note: String,
    pub photos: Vec<Photo>,
    /// Optimistic concurrency: send it back when editing.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Whose activity it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Council(String),
    Group(String),
    Unit(String),
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ActivityQuery {
    pub year: Option<i64>,
    /// The council's own activities and those of its groups
    pub council_id: Option<String>,
    pub group_id: Option<String>,
    /// The unit's own activities and those of the groups it belongs to
    pub unit_id: Option<String>,
}

const COLS: &str = "a.id, a.year, a.council_id, a.kind, a.title, a.starts_on, a.ends_on, a.place, \
     a.participants, a.status, a.report_html, a.note, a.version, a.created_at, a.updated_at, \
     g.id, y.year, g.kind, g.number, g.name, \
     u.id, u.code, u.name, u.short_name, h.id, h.code, h.name, h.short_name";
const FROM: &str = "FROM activities a LEFT JOIN emulation_groups g ON g.id = a.group_id \
     LEFT JOIN emulation_years y ON y.id = g.year_id LEFT JOIN units u ON u.id = a.unit_id \
     LEFT JOIN units h ON h.id = a.host_unit_id";

fn activity_row(r: &AnyRow) -> Result<Activity, sqlx::Error> {
    let gid: Option<String> = r.try_get(15)?;
    let group = match gid {
        Some(id) => Some(GroupRef {
            id,
            year: r.try_get(16)?,
            kind: r.try_get(17)?,
            number: r.try_get(18)?,
            name: r.try_get(19)?,
        }),
        None => None,
    };
    let unit = brief(r, 20)?;
    let owner = if group.is_some() {
        "group"
    } else if unit.is_some() {
        "unit"
    } else {
        "council"
    };
    Ok(Activity {
        id: r.try_get(0)?,
        year: r.try_get(1)?,
        council_id: r.try_get(2)?,
        kind: r.try_get(3)?,
        title: r.try_get(4)?,
        starts_on: r.try_get(5)?,
        ends_on: r.try_get(6)?,
        place: r.try_get(7)?,
        participants: r.try_get(8)?,
        status: r.try_get(9)?,
        report_html: r.try_get(10)?,
        note: r.try_get(11)?,
        version: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
        owner: owner.into(),
        group,
        unit,
        host: brief(r, 24)?,
        photos: Vec::new(),
    })
}

async fn photos(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    key: &str,
    id: &str,
) -> Result<Vec<Photo>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT f.id, p.caption, f.content_type, f.size FROM {table} p JOIN files f ON f.id = p.file_id \
         WHERE p.{key} = $1 ORDER BY p.position"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Photo {
                file_id: r.try_get(0)?,
                caption: r.try_get(1)?,
                content_type: r.try_get(2)?,
                size: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

async fn activity_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Activity, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut a = activity_row(&r)?;
    a.photos = photos(conn, "activity_photos", "activity_id", id).await?;
    Ok(a)
}

async fn host_exists(tx: &mut Tx, host: &Option<String>) -> Result<(), StoreError> {
    if let Some(h) = host {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE id = $1")
            .bind(h)
            .fetch_one(&mut *tx.tx)
            .await?;
        if n == 0 {
            return Err(StoreError::field("host_unit_id", "err-unknown-unit"));
        }
    }
    Ok(())
}

async fn next_position(tx: &mut Tx, table: &str, key: &str, id: &str) -> Result<i64, StoreError> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COALESCE(MAX(position), 0) FROM {table} WHERE {key} = $1"
    ))
    .bind(id)
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok(n + 1)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewsArticle {
    pub id: String,
    pub council_id: String,
    pub council_name: String,
    pub group: Option<GroupRef>,
    pub conference_id: Option<String>,
    pub title: String,
    /// yyyy-mm-dd of the event
    pub event_date: String,
    pub place: String,
    /// Sanitised HTML
    pub body_html: String,
    /// draft or published
    pub status: String,
    pub published_at: Option<String>,
    pub author: String,
    pub photos: Vec<Photo>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One saved text of an article.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewsVersion {
    pub version: i64,
    pub title: String,
    pub body_html: String,
    pub saved_by: String,
    pub saved_at: String,
}

const NEWS_COLS: &str = "n.id, n.council_id, c.name, n.conference_id, n.title, n.event_date, \
     n.place, n.body_html, n.status, n.published_at, n.author, n.version, n.created_at, \
     n.updated_at, g.id, y.year, g.kind, g.number, g.name";
const NEWS_FROM: &str = "FROM news_articles n JOIN councils c ON c.id = n.council_id \
     LEFT JOIN emulation_groups g ON g.id = n.group_id LEFT JOIN emulation_years y ON y.id = g.year_id";

fn news_row(r: &AnyRow) -> Result<NewsArticle, sqlx::Error> {
    let gid: Option<String> = r.try_get(14)?;
    Ok(NewsArticle {
        id: r.try_get(0)?,
        council_id: r.try_get(1)?,
        council_name: r.try_get(2)?,
        conference_id: r.try_get(3)?,
        title: r.try_get(4)?,
        event_date: r.try_get(5)?,
        place: r.try_get(6)?,
        body_html: r.try_get(7)?,
        status: r.try_get(8)?,
        published_at: r.try_get(9)?,
        author: r.try_get(10)?,
        version: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        group: match gid {
            Some(id) => Some(GroupRef {
                id,
                year: r.try_get(15)?,
                kind: r.try_get(16)?,
                number: r.try_get(17)?,
                name: r.try_get(18)?,
            }),
            None => None,
        },
        photos: Vec::new(),
    })
}

async fn article_tx(conn: &mut sqlx::AnyConnection, id: &str) -> Result<NewsArticle, StoreError> {
    let r = sqlx::query(&format!("SELECT {NEWS_COLS} {NEWS_FROM} WHERE n.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut a = news_row(&r)?;
    a.photos = photos(conn, "news_photos", "article_id", id).await?;
    Ok(a)
}

/// Where a new article belongs.
#[derive(Debug, Clone)]
pub struct NewsPlace {
    pub council_id: String,
    pub group_id: Option<String>,
    pub conference_id: Option<String>,
    /// yyyy-mm-dd
    pub event_date: String,
}

impl Store {
    // ---- activities ----

    pub async fn create_activity(
        &self,
        ctx: &AuditCtx,
        owner: &Owner,
        d: &ActivityDraft,
    ) -> Result<Activity, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let (council, group, unit) = match owner {
            Owner::Council(c) => {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM councils WHERE id = $1")
                    .bind(c)
                    .fetch_one(&mut *tx.tx)
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                (Some(c.clone()), None, None)
            }
            Owner::Group(g) => {
                let c: Option<String> = sqlx::query_scalar(
                    "SELECT y.council_id FROM emulation_groups g JOIN emulation_years y ON y.id = g.year_id WHERE g.id = $1",
                )
                .bind(g)
                .fetch_optional(&mut *tx.tx)
                .await?;
                (Some(c.ok_or(StoreError::NotFound)?), Some(g.clone()), None)
            }
            Owner::Unit(u) => {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE id = $1")
                    .bind(u)
                    .fetch_one(&mut *tx.tx)
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                (None, None, Some(u.clone()))
            }
        };
        host_exists(&mut tx, &d.host_unit_id).await?;
        let id = new_id();
        let at = now();
        sqlx::query(
            "INSERT INTO activities (id, year, council_id, group_id, unit_id, kind, title, starts_on, ends_on, \
             host_unit_id, place, participants, status, report_html, note, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16)",
        )
        .bind(&id)
        .bind(d.year())
        .bind(council)
        .bind(group)
        .bind(unit)
        .bind(d.kind.as_str())
        .bind(&d.title)
        .bind(d.starts_on.to_string())
        .bind(d.ends_on.to_string())
        .bind(&d.host_unit_id)
        .bind(&d.place)
        .bind(&d.participants)
        .bind(d.status.as_str())
        .bind(&d.report_html)
        .bind(&d.note)
        .bind(&at)
        .execute(&mut *tx.tx)
        .await?;
        let a = activity_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "activity", &id, None, Some(&a));
        tx.commit().await?;
        Ok(a)
    }

    pub async fn get_activity(&self, id: &str) -> Result<Activity, StoreError> {
        self.cached(format!("activity:{id}"), || async {
            let mut conn = self.read.acquire().await?;
            activity_tx(&mut conn, id).await
        })
        .await
    }

    /// Edit an activity; `expected_version` is the one the editor read (409 otherwise).
    pub async fn update_activity(
        &self,
        ctx: &AuditCtx,
        id: &str,
        d: &ActivityDraft,
        expected_version: i64,
    ) -> Result<Activity, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = activity_tx(&mut tx.tx, id).await?;
        let conflict = |a: &Activity| StoreError::Conflict {
            current: serde_json::to_value(a).unwrap_or_default(),
        };
        if before.version != expected_version {
            return Err(conflict(&before));
        }
        host_exists(&mut tx, &d.host_unit_id).await?;
        let n = sqlx::query(
            "UPDATE activities SET year = $1, kind = $2, title = $3, starts_on = $4, ends_on = $5, host_unit_id = $6, \
             place = $7, participants = $8, status = $9, report_html = $10, note = $11, version = version + 1, \
             updated_at = $12 WHERE id = $13 AND version = $14",
        )
        .bind(d.year())
        .bind(d.kind.as_str())
        .bind(&d.title)
        .bind(d.starts_on.to_string())
        .bind(d.ends_on.to_string())
        .bind(&d.host_unit_id)
        .bind(&d.place)
        .bind(&d.participants)
        .bind(d.status.as_str())
        .bind(&d.report_html)
        .bind(&d.note)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(&before));
        }
        let after = activity_tx(&mut tx.tx, id).await?;
        tx.audit("update", "activity", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_activity(&self, ctx: &AuditCtx, id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = activity_tx(&mut tx.tx, id).await?;
        sqlx::query("DELETE FROM activity_photos WHERE activity_id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM activities WHERE id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit::<_, ()>("delete", "activity", id, Some(&before), None);
        tx.commit().await?;
        Ok(())
    }

    /// Activities by first day, of one year and owner filter.
    pub async fn list_activities(&self, q: &ActivityQuery) -> Result<Vec<Activity>, StoreError> {
        self.cached(format!("activities:{q:?}"), || async {
            let mut sql = format!("SELECT {COLS} {FROM} WHERE 1 = 1");
            let mut binds: Vec<String> = Vec::new();
            let mut push = |sql: &mut String, clause: &str, v: &str| {
                binds.push(v.to_owned());
                sql.push_str(&clause.replace("{}", &format!("${}", binds.len())));
            };
            if let Some(c) = &q.council_id {
                push(&mut sql, " AND a.council_id = {}", c);
            }
            if let Some(g) = &q.group_id {
                push(&mut sql, " AND a.group_id = {}", g);
            }
            if let Some(u) = &q.unit_id {
                binds.push(u.clone());
                let n = binds.len();
                sql.push_str(&format!(
                    " AND (a.unit_id = ${n} OR a.group_id IN (SELECT m.group_id FROM group_members m WHERE m.unit_id = ${n}))"
                ));
            }
            if let Some(y) = q.year {
                sql.push_str(&format!(" AND a.year = {y}"));
            }
            sql.push_str(" ORDER BY a.starts_on, a.ends_on, a.title");
            let mut query = sqlx::query(&sql);
            for b in &binds {
                query = query.bind(b);
            }
            let rows = query.fetch_all(&self.read).await?;
            Ok(rows
                .iter()
                .map(activity_row)
                .collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn add_activity_photo(
        &self,
        ctx: &AuditCtx,
        id: &str,
        name: &str,
        ctype: &str,
        caption: &str,
        bytes: &[u8],
    ) -> Result<Photo, StoreError> {
        self.add_photo(
            ctx,
            PhotoTarget::Activity,
            id,
            (name, ctype, caption, bytes),
        )
        .await
    }

    /// A photo's content type and bytes, only when it belongs to the given activity or article.
    pub async fn owned_photo(
        &self,
        table_owner: PhotoOwner<'_>,
        file_id: &str,
    ) -> Result<(String, Vec<u8>), StoreError> {
        let (table, key, id) = match table_owner {
            PhotoOwner::Activity(id) => ("activity_photos", "activity_id", id),
            PhotoOwner::Article(id) => ("news_photos", "article_id", id),
        };
        let r = sqlx::query(&format!(
            "SELECT f.content_type, f.data FROM {table} p JOIN files f ON f.id = p.file_id WHERE p.{key} = $1 AND p.file_id = $2"
        ))
        .bind(id)
        .bind(file_id)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    // ---- news ----

    pub async fn create_article(
        &self,
        ctx: &AuditCtx,
        at: &NewsPlace,
        text: &NewsDraftText,
        author: &str,
    ) -> Result<NewsArticle, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let id = new_id();
        let stamp = now();
        sqlx::query(
            "INSERT INTO news_articles (id, council_id, group_id, conference_id, title, event_date, place, body_html, \
             status, published_at, author, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', NULL, $9, 1, $10, $10)",
        )
        .bind(&id)
        .bind(&at.council_id)
        .bind(&at.group_id)
        .bind(&at.conference_id)
        .bind(&text.title)
        .bind(&at.event_date)
        .bind(&text.place)
        .bind(&text.body_html)
        .bind(author)
        .bind(&stamp)
        .execute(&mut *tx.tx)
        .await?;
        insert_version(&mut tx, &id, 1, text, author, &stamp).await?;
        let a = article_tx(&mut tx.tx, &id).await?;
        tx.audit::<(), _>("create", "news", &id, None, Some(&a));
        tx.commit().await?;
        Ok(a)
    }

    pub async fn get_article(&self, id: &str) -> Result<NewsArticle, StoreError> {
        self.cached(format!("news:{id}"), || async {
            let mut conn = self.read.acquire().await?;
            article_tx(&mut conn, id).await
        })
        .await
    }

    /// Save an edited text as the next version; `expected_version` is the one read.
    pub async fn update_article(
        &self,
        ctx: &AuditCtx,
        id: &str,
        text: &NewsDraftText,
        expected_version: i64,
        saved_by: &str,
    ) -> Result<NewsArticle, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = article_tx(&mut tx.tx, id).await?;
        let conflict = |a: &NewsArticle| StoreError::Conflict {
            current: serde_json::to_value(a).unwrap_or_default(),
        };
        if before.version != expected_version {
            return Err(conflict(&before));
        }
        let stamp = now();
        let n = sqlx::query(
            "UPDATE news_articles SET title = $1, place = $2, body_html = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(&text.title)
        .bind(&text.place)
        .bind(&text.body_html)
        .bind(&stamp)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(conflict(&before));
        }
        insert_version(&mut tx, id, expected_version + 1, text, saved_by, &stamp).await?;
        let after = article_tx(&mut tx.tx, id).await?;
        tx.audit("update", "news", id, Some(&before), Some(&after));
        tx.commit().await?;
        Ok(after)
    }

    /// Publish (or take back to draft) an article.
    pub async fn set_article_published(
        &self,
        ctx: &AuditCtx,
        id: &str,
        published: bool,
    ) -> Result<NewsArticle, StoreError> {
        let mut tx = self.begin(ctx).await?;
        let before = article_tx(&mut tx.tx, id).await?;
        let (status, at) = if published {
            ("published", Some(now()))
        } else {
            ("draft", None)
        };
        sqlx::query(
            "UPDATE news_articles SET status = $1, published_at = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(&at)
        .bind(now())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        let after = article_tx(&mut tx.tx, id).await?;
        tx.audit(
            if published { "publish" } else { "unpublish" },
            "news",
            id,
            Some(&before.status),
            Some(&after.status),
        );
        tx.commit().await?;
        Ok(after)
    }

    /// Articles, newest event first: of one council or all, published only or all.
    pub async fn list_articles(
        &self,
        council_id: Option<&str>,
        published_only: bool,
    ) -> Result<Vec<NewsArticle>, StoreError> {
        let key = format!("news-list:{council_id:?}:{published_only}");
        self.cached(key, || async {
            let mut sql = format!("SELECT {NEWS_COLS} {NEWS_FROM} WHERE 1 = 1");
            if published_only {
                sql.push_str(" AND n.status = 'published'");
            }
            if council_id.is_some() {
                sql.push_str(" AND n.council_id = $1");
            }
            sql.push_str(" ORDER BY n.event_date DESC, n.created_at DESC");
            let mut q = sqlx::query(&sql);
            if let Some(c) = council_id {
                q = q.bind(c);
            }
            let rows = q.fetch_all(&self.read).await?;
            Ok(rows.iter().map(news_row).collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn article_versions(&self, id: &str) -> Result<Vec<NewsVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, title, body_html, saved_by, saved_at FROM news_versions WHERE article_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NewsVersion {
                    version: r.try_get(0)?,
                    title: r.try_get(1)?,
                    body_html: r.try_get(2)?,
                    saved_by: r.try_get(3)?,
                    saved_at: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn add_article_photo(
        &self,
        ctx: &AuditCtx,
        id: &str,
        name: &str,
        ctype: &str,
        caption: &str,
        bytes: &[u8],
    ) -> Result<Photo, StoreError> {
        self.add_photo(ctx, PhotoTarget::Article, id, (name, ctype, caption, bytes))
            .await
    }
}

/// Which record a photo must belong to.
#[derive(Debug, Clone, Copy)]
pub enum PhotoOwner<'a> {
    Activity(&'a str),
    Article(&'a str),
}

async fn insert_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    text: &NewsDraftText,
    by: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO news_versions (article_id, version, title, body_html, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(&text.title)
    .bind(&text.body_html)
    .bind(by)
    .bind(at)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// What a new photo goes to: an activity's report or a news article.
#[derive(Clone, Copy)]
enum PhotoTarget {
    Activity,
    Article,
}

impl Store {
    /// Store a photo and link it after the owner's last one, audited on the owner.
    async fn add_photo(
        &self,
        ctx: &AuditCtx,
        owner: PhotoTarget,
        id: &str,
        (name, ctype, caption, bytes): (&str, &str, &str, &[u8]),
    ) -> Result<Photo, StoreError> {
        let (table, col, entity) = match owner {
            PhotoTarget::Activity => ("activity_photos", "activity_id", "activity"),
            PhotoTarget::Article => ("news_photos", "article_id", "news"),
        };
        let mut tx = self.begin(ctx).await?;
        // The owner must exist (404 otherwise).
        match owner {
            PhotoTarget::Activity => {
                activity_tx(&mut tx.tx, id).await?;
            }
            PhotoTarget::Article => {
                article_tx(&mut tx.tx, id).await?;
            }
        }
        let file_id = insert_file(&mut tx, name, ctype, bytes).await?;
        let pos = next_position(&mut tx, table, col, id).await?;
        sqlx::query(&format!(
            "INSERT INTO {table} ({col}, file_id, caption, position) VALUES ($1, $2, $3, $4)"
        ))
        .bind(id)
        .bind(&file_id)
        .bind(caption)
        .bind(pos)
        .execute(&mut *tx.tx)
        .await?;
        let p = Photo {
            file_id,
            caption: caption.to_owned(),
            content_type: ctype.to_owned(),
            size: bytes.len() as i64,
        };
        tx.audit::<(), _>("add_photo", entity, id, None, Some(&p));
        tx.commit().await?;
        Ok(p)
    }
}
