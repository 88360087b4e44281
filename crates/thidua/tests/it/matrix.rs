//! The permission matrix, generated from the server's own route table: the test reads every
//! `.route("…", get(…).post(…))` in the web crate's sources, so a route added tomorrow is in
//! the matrix without anyone listing it. For every route and method:
//! - without signing in, nothing but the public pages answers, and nothing is written;
//! - signed in as each demo role, no page or endpoint fails with a server error;
//! - a read-only viewer's writes (with a valid CSRF token) are all refused and write nothing.
//!
//! Path parameters are filled with real ids from the demo database, so the requests reach the
//! handlers' permission checks rather than stopping at "not found".
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::Path;

use reqwest::{Method, StatusCode};

use crate::common::{self, spawn_demo, TestApp};

/// Pages and endpoints anyone may read without signing in.
const PUBLIC: &[&str] = &[
    "/login",
    "/set-lang/{lang}",
    "/verify",
    "/verify/{code}",
    "/api/v1/verify/{code}",
    "/api/v1/trust-anchors",
    "/trust-anchors.pem",
    "/api/v1/openapi.json",
    "/api/docs",
    "/api/v1/news",
    "/api/v1/news/{id}",
    "/api/v1/news/{id}/photos/{file_id}",
    "/news",
    "/public/consultations",
    "/public/consultations/{id}",
    "/api/v1/public/consultations",
    "/api/v1/public/consultations/{id}",
    "/news/{id}",
    "/news/{id}/photos/{file_id}",
    "/healthz",
    "/readyz",
    "/metrics",
    "/static/{*path}",
];

/// Writes anyone may make without signing in: a comment in a public consultation.
const PUBLIC_WRITES: &[&str] = &[
    "/public/consultations/{id}",
    // Anyone holding a signed PDF may have it checked (nothing is written).
    "/verify/file",
    "/api/v1/verify/file",
    "/api/v1/public/consultations/{id}/comments",
];

/// Writes that any signed-in person may make on their own account (sign-out, language,
/// password, notification settings, marking their own inbox read); left out of the "writes
/// nothing" sweep.
const OWN_ACCOUNT: &[&str] = &[
    "/logout",
    "/account/lang",
    "/account/password",
    "/account/notifications",
    "/api/v1/account/notification-prefs",
    "/inbox/read-all",
    "/inbox/{id}/read",
    "/api/v1/inbox/{id}/read",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    path: String,
    method: String,
}

/// Every route declared in the web crate, by reading its sources.
fn route_table() -> Vec<Route> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = vec![];
    collect_rs(&dir, &mut files);
    let mut out = vec![];
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        let mut rest = src.as_str();
        while let Some(i) = rest.find(".route(") {
            let body = balanced(&rest[i + ".route(".len()..]);
            let path = first_literal(body)
                .unwrap_or_else(|| panic!("a route without a literal path in {}", f.display()));
            let methods = methods_in(body);
            assert!(
                !methods.is_empty(),
                "no method for {path} in {}",
                f.display()
            );
            for m in methods {
                out.push(Route {
                    path: path.clone(),
                    method: m,
                });
            }
            rest = &rest[i + 1..];
        }
    }
    out.sort();
    out.dedup();
    out
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The text up to the parenthesis that closes the one just opened (string literals skipped).
fn balanced(s: &str) -> &str {
    let (mut depth, mut in_str, mut prev) = (1, false, ' ');
    for (i, c) in s.char_indices() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
        prev = c;
    }
    s
}

fn first_literal(s: &str) -> Option<String> {
    let start = s.find('"')?;
    let end = s[start + 1..].find('"')?;
    let lit = &s[start + 1..start + 1 + end];
    lit.starts_with('/').then(|| lit.to_owned())
}

fn methods_in(s: &str) -> Vec<String> {
    let mut out = vec![];
    for m in ["get", "post", "put", "delete", "patch"] {
        let needle = format!("{m}(");
        let mut from = 0;
        while let Some(i) = s[from..].find(&needle) {
            let at = from + i;
            let before = s[..at].chars().next_back().unwrap_or(' ');
            if !(before.is_alphanumeric() || before == '_') {
                out.push(m.to_uppercase());
                break;
            }
            from = at + needle.len();
        }
    }
    out
}

/// One real id per kind of path parameter, keyed by the path segment before it.
async fn ids(app: &TestApp) -> BTreeMap<&'static str, String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let travinh = app.unit_id("P-TRAVINH").await;
    let mut m = BTreeMap::new();
    let tables: &[(&'static str, &str)] = &[
        ("groups", "SELECT id FROM emulation_groups ORDER BY id"),
        ("years", "SELECT id FROM emulation_years ORDER BY id"),
        ("schemes", "SELECT id FROM scoring_schemes ORDER BY id"),
        ("news", "SELECT id FROM news_articles ORDER BY id"),
        ("documents", "SELECT id FROM group_documents ORDER BY id"),
        ("conferences", "SELECT id FROM conferences ORDER BY id"),
        ("elections", "SELECT id FROM elections ORDER BY id"),
        ("people", "SELECT id FROM people ORDER BY id"),
        ("activities", "SELECT id FROM activities ORDER BY id"),
        ("initiatives", "SELECT id FROM initiatives ORDER BY id"),
        ("registrations", "SELECT id FROM registrations ORDER BY id"),
        ("councils", "SELECT id FROM councils ORDER BY id"),
        ("users", "SELECT id FROM users ORDER BY id"),
        ("tokens", "SELECT id FROM api_tokens ORDER BY id"),
        ("files", "SELECT id FROM files ORDER BY id"),
        ("movements", "SELECT id FROM movements ORDER BY id"),
        ("participants", "SELECT id FROM participants ORDER BY id"),
        ("bases", "SELECT id FROM legal_documents ORDER BY id"),
        ("photos", "SELECT file_id FROM news_photos ORDER BY file_id"),
        (
            "evidence",
            "SELECT file_id FROM assessment_evidence ORDER BY file_id",
        ),
        ("proposals", "SELECT id FROM proposals ORDER BY id"),
        (
            "consultations",
            "SELECT proposal_id FROM consultations ORDER BY proposal_id",
        ),
        ("decisions", "SELECT id FROM decisions ORDER BY id"),
        ("awards", "SELECT id FROM awards ORDER BY id"),
        ("inbox", "SELECT id FROM notifications ORDER BY id"),
        ("outbox", "SELECT id FROM email_outbox ORDER BY id"),
    ];
    for (k, sql) in tables {
        let id: Option<String> = sqlx::query_scalar(sql).fetch_optional(&pool).await.unwrap();
        // A kind the demo has no row of still gets a well-formed id: the route must refuse it.
        m.insert(*k, id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()));
    }
    for k in ["units", "assessments", "members"] {
        m.insert(k, travinh.clone());
    }
    m.insert("versions", "1".into());
    m.insert("verify", "XXXX-XXXX".into());
    m.insert("templates", "pact".into());
    m.insert("set-lang", "vi".into());
    m.insert("static", "app.css".into());
    pool.close().await;
    m
}

/// The route's path with each `{param}` replaced by an id of the kind the segment before names.
fn concrete(path: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let segs: Vec<&str> = path.split('/').collect();
    let mut out = vec![];
    for (i, s) in segs.iter().enumerate() {
        if s.starts_with('{') {
            let prev = if i > 0 { segs[i - 1] } else { "" };
            let id = ids
                .get(prev)
                .cloned()
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            out.push(id);
        } else {
            out.push((*s).to_owned());
        }
    }
    out.join("/")
}

async fn audit_count(app: &TestApp) -> i64 {
    let pool = sqlx::AnyPool::connect(&app.db_url).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

fn is_login_redirect(r: &reqwest::Response) -> bool {
    r.status() == StatusCode::SEE_OTHER
        && r.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"))
}

#[tokio::test]
async fn the_route_table_is_read_and_covers_the_areas() {
    let routes = route_table();
    assert!(routes.len() > 200, "only {} routes found", routes.len());
    for p in [
        "/groups/{id}",
        "/api/v1/elections/{id}/ballots",
        "/schemes/{id}/ranking",
        "/news/{id}",
        "/units/{id}/records",
    ] {
        assert!(
            routes.iter().any(|r| r.path == p),
            "{p} missing from the route table"
        );
    }
}

#[tokio::test]
async fn without_signing_in_only_public_routes_answer_and_nothing_is_written() {
    let app = spawn_demo().await;
    let ids = ids(&app).await;
    let anon = common::client();
    let before = audit_count(&app).await;
    let mut wrong = vec![];
    for r in route_table() {
        let url = app.url(&concrete(&r.path, &ids));
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let mut req = anon.request(method.clone(), &url);
        if method != Method::GET {
            req = req.header("content-type", "application/json").body("{}");
        }
        let resp = req.send().await.unwrap();
        let s = resp.status();
        if s.is_server_error() {
            wrong.push(format!("{} {} → {s}", r.method, r.path));
            continue;
        }
        if PUBLIC.contains(&r.path.as_str()) && method == Method::GET
            || PUBLIC_WRITES.contains(&r.path.as_str()) && method == Method::POST
        {
            continue;
        }
        // The API refuses anonymous callers before looking at anything else.
        let refused = if r.path.starts_with("/api/v1/") {
            s == StatusCode::UNAUTHORIZED
        } else {
            is_login_redirect(&resp) || s.is_client_error()
        };
        if !refused || s.is_success() {
            wrong.push(format!("{} {} → {s}", r.method, r.path));
        }
    }
    assert!(
        wrong.is_empty(),
        "answered without signing in:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        audit_count(&app).await,
        before,
        "anonymous requests wrote to the database"
    );
}

#[tokio::test]
async fn no_route_fails_with_a_server_error_for_any_role() {
    let app = spawn_demo().await;
    let ids = ids(&app).await;
    let routes: Vec<Route> = route_table()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    let mut wrong = vec![];
    for user in [
        "admin",
        "thuongtruc",
        "lanhdao.travinh",
        "lanhdao.hanoi",
        "canbo.travinh",
        "kiemtra",
        "xem",
    ] {
        let s = app.demo(user).await;
        for r in &routes {
            let resp = s.get(&concrete(&r.path, &ids)).await;
            if resp.status().is_server_error() {
                wrong.push(format!("{user}: GET {} → {}", r.path, resp.status()));
            }
        }
    }
    assert!(wrong.is_empty(), "server errors:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn a_viewer_can_write_nothing() {
    writes_are_refused("xem").await;
}

/// The leader of a unit in another province, on the demo's records of other units.
#[tokio::test]
async fn a_leader_elsewhere_can_write_nothing_here() {
    writes_are_refused("lanhdao.hanoi").await;
}

async fn writes_are_refused(user: &str) {
    let app = spawn_demo().await;
    let ids = ids(&app).await;
    let viewer = app.demo(user).await;
    let before = audit_count(&app).await;
    let mut wrong = vec![];
    for r in route_table() {
        if r.method == "GET" || OWN_ACCOUNT.contains(&r.path.as_str()) || r.path == "/login" {
            continue;
        }
        let url = viewer.url(&concrete(&r.path, &ids));
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        // Both shapes a handler may read: the JSON API's and the forms'.
        let body = if r.path.starts_with("/api/") {
            ("application/json", "{}".to_owned())
        } else {
            (
                "application/x-www-form-urlencoded",
                format!("_csrf={}", viewer.csrf),
            )
        };
        let resp = viewer
            .http
            .request(method, &url)
            .header("x-csrf-token", &viewer.csrf)
            .header("content-type", body.0)
            .body(body.1)
            .send()
            .await
            .unwrap();
        let s = resp.status();
        if s.is_server_error() || s.is_success() {
            wrong.push(format!("{} {} → {s}", r.method, r.path));
        }
    }
    assert!(
        wrong.is_empty(),
        "{user}'s write was not refused:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        audit_count(&app).await,
        before,
        "{user}'s requests wrote to the database"
    );
}
