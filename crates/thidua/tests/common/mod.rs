//! Test harness: a real server on a random port over a real database — a fresh SQLite
//! file, or a fresh PostgreSQL database when `THIDUA_TEST_DATABASE_URL` is set.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use thidua_store::Store;
use thidua_web::{AppState, WebConfig};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub store: Store,
    pub db_url: String,
    /// Check at drop that the data matches what the audit trail sealed (see `Drop`).
    deep_check: std::sync::atomic::AtomicBool,
    _dir: tempfile::TempDir,
}

/// Which backend the tests run on.
pub fn backend() -> &'static str {
    if pg_base().is_some() {
        "postgres"
    } else {
        "sqlite"
    }
}

fn pg_base() -> Option<String> {
    std::env::var("THIDUA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A fresh, empty database: its URL.
pub async fn fresh_db(dir: &std::path::Path) -> String {
    match pg_base() {
        Some(base) => {
            let name = format!("thidua_t_{}", uuid::Uuid::now_v7().simple());
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
                .await
                .expect("connect to the PostgreSQL test server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            // Replace the database name in the URL.
            let (prefix, rest) = base.rsplit_once('/').expect("database URL has a path");
            let query = rest
                .split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            format!("{prefix}/{name}{query}")
        }
        None => format!("sqlite://{}?mode=rwc", dir.join("thidua.db").display()),
    }
}

/// The key that seals secret ballots in every test server (as `THIDUA_BALLOT_KEY` would
/// be the same on every server of one database).
pub const TEST_BALLOT_KEY: [u8; 32] = [0x42; 32];

/// Start a server with the demo dataset loaded.
pub async fn spawn_demo() -> TestApp {
    spawn(true).await
}

pub async fn spawn(with_demo: bool) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_url = fresh_db(dir.path()).await;
    let store = thidua::open_store(&db_url).await.expect("open store");
    store.set_ballot_key(TEST_BALLOT_KEY).expect("ballot key");
    if with_demo {
        thidua::demo::load(&store, thidua::hash)
            .await
            .expect("demo");
    }
    serve(store, db_url, dir).await
}

impl TestApp {
    /// This test changes the data behind the application's back on purpose: skip the deep
    /// audit check at drop.
    pub fn tampered(&self) {
        self.deep_check
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// A second server on the same database (its own pools and read cache), as a second
    /// `thidua serve` process behind a proxy would be.
    pub async fn second_server(&self) -> TestApp {
        let store = thidua::open_store(&self.db_url).await.expect("open store");
        store.set_ballot_key(TEST_BALLOT_KEY).expect("ballot key");
        let dir = tempfile::tempdir().expect("tempdir");
        serve(store, self.db_url.clone(), dir).await
    }

    /// The audit head's sequence and the global cache epoch.
    pub async fn epochs(&self) -> (i64, i64) {
        use sqlx::Row;
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.db_url)
            .await
            .expect("connect");
        let r = sqlx::query("SELECT seq, global_seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut conn)
            .await
            .expect("audit head");
        (r.get(0), r.get(1))
    }
}

/// Every test server's database must end with its data matching the digests its audit
/// trail sealed (the deep audit): a write path that changes rows without auditing their
/// entity makes the test that used it fail here. Tests that tamper with the data on purpose
/// say so (`TestApp::tampered`); `THIDUA_TEST_DEEP_CHECK=0` turns the check off.
impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.deep_check.load(std::sync::atomic::Ordering::Relaxed)
            || std::env::var("THIDUA_TEST_DEEP_CHECK").as_deref() == Ok("0")
            || std::thread::panicking()
        {
            return;
        }
        let url = self.db_url.clone();
        let report = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let store = Store::connect(&url).await.expect("connect");
                let r = store.verify_data().await.expect("deep verify");
                store.close().await;
                r
            })
        })
        .join()
        .expect("deep check thread");
        assert!(
            report.intact(),
            "deep audit: data not sealed by the audit trail: {:?}",
            report.problems
        );
    }
}

async fn serve(store: Store, db_url: String, dir: tempfile::TempDir) -> TestApp {
    let state = AppState {
        store: store.clone(),
        config: Arc::new(WebConfig {
            trust_demo_ca: true,
            ..WebConfig::default()
        }),
    };
    let app = thidua_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    TestApp {
        addr,
        base: format!("http://{addr}"),
        store,
        db_url,
        deep_check: std::sync::atomic::AtomicBool::new(true),
        _dir: dir,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub struct Session {
    pub http: reqwest::Client,
    pub csrf: String,
    pub base: String,
}

impl TestApp {
    /// Sign in through the login form; returns a client with the session and its CSRF token.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let http = client();
        let r = http
            .post(format!("{}/login", self.base))
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), 303, "login of {username} failed");
        let me: serde_json::Value = http
            .get(format!("{}/api/v1/me", self.base))
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("me json");
        Session {
            http,
            csrf: me["csrf_token"].as_str().unwrap_or_default().to_owned(),
            base: self.base.clone(),
        }
    }

    pub async fn demo(&self, username: &str) -> Session {
        self.login(username, thidua::demo::DEMO_PASSWORD).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn unit_id(&self, code: &str) -> String {
        self.store
            .unit_by_code(code)
            .await
            .expect("query")
            .expect("unit exists")
            .id
    }
}

impl Session {
    pub async fn json(&self, path: &str) -> serde_json::Value {
        self.get(path).await.json().await.expect("json body")
    }

    /// The id of the sector council's emulation year `year`.
    pub async fn sector_year(&self, year: i64) -> String {
        let councils = self.json("/api/v1/councils").await;
        let sector = councils
            .as_array()
            .expect("councils")
            .iter()
            .find(|c| c["name"].as_str().unwrap_or("").contains("ngành"))
            .expect("sector council")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let years = self.json(&format!("/api/v1/councils/{sector}/years")).await;
        years
            .as_array()
            .expect("years")
            .iter()
            .find(|y| y["year"] == year)
            .expect("year")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// A group of a year by kind and number.
    pub async fn group(&self, year_id: &str, kind: &str, number: i64) -> serde_json::Value {
        let groups = self.json(&format!("/api/v1/years/{year_id}/groups")).await;
        groups
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["kind"] == kind && g["number"] == number)
            .expect("group")
            .clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("get")
    }
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("post")
    }
    pub async fn put_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("put")
    }
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("_csrf", &self.csrf));
        self.http
            .post(self.url(path))
            .form(&f)
            .send()
            .await
            .expect("post form")
    }
}
