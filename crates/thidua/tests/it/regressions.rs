//! Findings of the API fuzz (schemathesis over the OpenAPI document), kept as tests.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use crate::common::spawn_demo;

/// Paging parameters at the ends of the integer range once overflowed the offset and killed
/// the connection; every list clamps them.
#[tokio::test]
async fn extreme_paging_is_clamped() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    let max = i64::MAX;
    let min = i64::MIN;
    for path in [
        format!("/api/v1/movements?page={}&per_page={min}", max - 1),
        format!("/api/v1/movements?page={min}&per_page={max}"),
        format!("/api/v1/units?page={max}&per_page={max}"),
        format!("/api/v1/people?page={max}&per_page={max}"),
        format!("/api/v1/audit?page={max}&per_page={max}"),
        // The year report's ten-year trend once overflowed on a year at the end of the range.
        format!("/api/v1/registry/report?year={}", min + 1),
        format!("/api/v1/registry/report?year={max}"),
    ] {
        let r = s.get(&path).await;
        assert!(
            r.status().is_success() || r.status().is_client_error(),
            "{path} → {}",
            r.status()
        );
    }
}

/// A conference that documents or news point at once failed with a server error on delete
/// (a foreign key); it is history, and the refusal says so.
#[tokio::test]
async fn deleting_a_conference_with_history_is_refused_cleanly() {
    let app = spawn_demo().await;
    let s = app.demo("admin").await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT conference_id FROM group_documents WHERE conference_id IS NOT NULL \
         UNION SELECT DISTINCT conference_id FROM news_articles WHERE conference_id IS NOT NULL",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!ids.is_empty(), "the demo has conferences with documents");
    for id in ids {
        let r = s
            .http
            .delete(s.url(&format!("/api/v1/conferences/{id}")))
            .header("x-csrf-token", &s.csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "conference {id}");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conferences WHERE id = $1")
            .bind(&id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 1, "conference {id} is still there");
    }
}
