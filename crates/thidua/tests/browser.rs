//! Browser tests: the pages as a person uses them, in headless Chromium driven over WebDriver
//! (Debian `chromium` + `chromium-driver`), against a real server with the demo data.
//!
//! They run only when `THIDUA_BROWSER` is set (`scripts/check` sets it after making sure the
//! browser is installed); otherwise each test returns at once and says so.

mod common;

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any wait in these tests may last.
const WAIT: Duration = Duration::from_secs(10);

const TRAVINH: &str = "Viện kiểm sát nhân dân tỉnh Trà Vinh";
const SOCTRANG: &str = "Viện kiểm sát nhân dân tỉnh Sóc Trăng";
const FORBIDDEN_VI: &str = "Bạn không có quyền thực hiện thao tác này.";

fn enabled() -> bool {
    match std::env::var("THIDUA_BROWSER") {
        Ok(v) => !v.is_empty() && v != "0",
        Err(_) => false,
    }
}

macro_rules! require_browser {
    () => {
        if !enabled() {
            println!("skipped: set THIDUA_BROWSER=1");
            return;
        }
    };
}

/// A chromedriver child process; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--log-level=WARNING")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}"));
    let driver = Driver {
        child,
        port,
        profile: tempfile::tempdir().expect("profile dir"),
    };
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    driver
}

async fn connect(driver: &Driver, width: u32, height: u32) -> Client {
    let profile = driver.profile.path().display().to_string();
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={profile}"),
            ],
        }),
    );
    if width < 500 {
        // Chromium will not make a window narrower than 500 px: a phone is emulated instead
        // (viewport, device pixel ratio and touch), as its developer tools do.
        caps["goog:chromeOptions"]["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 3.0, "touch": true },
        });
    }
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in Chromium")
}

/// Run `body` with a fresh browser whose window is `width`×`height`; the browser and its
/// driver end afterwards even when `body` panics (the panic is then passed on).
async fn with_browser<F, Fut>(width: u32, height: u32, body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = start_driver().await;
    let client = connect(&driver, width, height).await;
    let outcome = tokio::spawn(body(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            Err(e) => panic!("browser test task failed: {e}"),
        }
    }
}

/// Evaluate a JavaScript expression in the page.
async fn js(c: &Client, expr: &str) -> Value {
    c.execute(&format!("return ({expr});"), vec![])
        .await
        .unwrap_or_else(|e| panic!("evaluating {expr}: {e}"))
}

async fn js_string(c: &Client, expr: &str) -> String {
    match js(c, expr).await {
        Value::String(s) => s,
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// Poll the JavaScript condition `cond` until it is true; fail after `WAIT`, showing `show`.
async fn wait_until(c: &Client, what: &str, cond: &str, show: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        // Navigation in progress can make a script fail; just poll again.
        if let Ok(Value::Bool(true)) = c.execute(&format!("return !!({cond});"), vec![]).await {
            return;
        }
        if Instant::now() >= deadline {
            let seen = js_string(c, show).await;
            panic!("timed out after {WAIT:?} waiting for {what}; saw: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page's visible text.
async fn body_text(c: &Client) -> String {
    js_string(c, "document.body ? document.body.innerText : ''").await
}

/// Sign in through the login form, as a person would.
async fn sign_in(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/login")).await.expect("open /login");
    c.find(Locator::Css("#username"))
        .await
        .expect("username field")
        .send_keys(username)
        .await
        .expect("type username");
    c.find(Locator::Css("#password"))
        .await
        .expect("password field")
        .send_keys(thidua::demo::DEMO_PASSWORD)
        .await
        .expect("type password");
    c.find(Locator::Css("form[action='/login'] button[type='submit']"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_until(
        c,
        &format!("{username} to be signed in"),
        "location.pathname !== '/login' && document.readyState === 'complete' \
         && !!document.querySelector('form[action=\"/logout\"]')",
        "location.href + ' | ' + document.body.innerText.slice(0, 300)",
    )
    .await;
}

/// The page must not scroll sideways: the document is no wider than the viewport.
async fn assert_no_horizontal_scroll(c: &Client, page: &str) {
    let sw = js(c, "document.documentElement.scrollWidth").await;
    let iw = js(c, "window.innerWidth").await;
    let (sw, iw) = (sw.as_f64().unwrap_or(f64::MAX), iw.as_f64().unwrap_or(0.0));
    assert!(
        sw <= iw,
        "{page}: the page scrolls sideways on a phone (scrollWidth {sw} > innerWidth {iw})"
    );
}

/// Acceptance case of the issue: typing "tra vinh" in the unit search finds the Trà Vinh
/// procuracy (diacritics folded) and filters out the others, without a page load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_search_as_you_type_folds_diacritics() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    with_browser(1280, 900, move |c| async move {
        let _app = app;
        sign_in(&c, &base, "admin").await;
        c.goto(&format!("{base}/units")).await.expect("open /units");
        let before = js_string(&c, "document.querySelector('#results .count').innerText").await;
        // Mark the document: if the search reloaded the page instead of swapping the
        // results in place, the mark would be gone.
        js(&c, "window.__noReload = true").await;
        c.find(Locator::Css("#q"))
            .await
            .expect("search box #q")
            .send_keys("tra vinh")
            .await
            .expect("type in the search box");
        let cond = format!(
            "(function(){{ var r = document.querySelector('#results'); if (!r) return false; \
             var t = r.innerText, c = r.querySelector('.count'); \
             return t.indexOf({t}) >= 0 && t.indexOf({s}) < 0 && !!c && c.innerText !== {b}; }})()",
            t = json!(TRAVINH),
            s = json!(SOCTRANG),
            b = json!(before),
        );
        wait_until(
            &c,
            "the results to show only the Trà Vinh units",
            &cond,
            "document.querySelector('#results').innerText.slice(0, 600)",
        )
        .await;
        let results = js_string(&c, "document.querySelector('#results').innerText").await;
        assert!(results.contains(TRAVINH), "results: {results}");
        assert!(!results.contains(SOCTRANG), "results: {results}");
        assert_eq!(
            js(&c, "window.__noReload === true").await,
            Value::Bool(true),
            "the search reloaded the whole page instead of updating #results"
        );
        // htmx pushes the search into the address bar, so the result can be bookmarked.
        let url = c.current_url().await.expect("current url");
        assert!(
            url.query().unwrap_or_default().contains("q=tra"),
            "address after searching: {url}"
        );
    })
    .await;
}

/// The header's language switch changes the interface to English, and the choice is kept
/// with the account: it holds on reload and after signing in again with no cookies left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switch_is_remembered_per_user() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    with_browser(1280, 900, move |c| async move {
        let _app = app;
        sign_in(&c, &base, "admin").await;
        c.goto(&format!("{base}/units")).await.expect("open /units");
        let nav_units = "(document.querySelector('nav a[href=\"/units\"]') || {}).textContent";
        assert_eq!(js_string(&c, nav_units).await.trim(), "Đơn vị");
        assert_eq!(js_string(&c, "document.documentElement.lang").await, "vi");
        c.find(Locator::XPath(
            "//form[@action='/account/lang']//button[normalize-space(.)='English']",
        ))
        .await
        .expect("the 'English' button in the header")
        .click()
        .await
        .expect("click English");
        let english = format!(
            "document.documentElement.lang === 'en' && ({nav_units} || '').trim() === 'Units'"
        );
        wait_until(
            &c,
            "the English interface",
            &english,
            &format!("document.documentElement.lang + ' | ' + {nav_units}"),
        )
        .await;
        assert_eq!(
            js_string(&c, "location.pathname").await,
            "/units",
            "the switch returns to the page it was used on"
        );
        assert_eq!(
            js_string(&c, "document.querySelector('h1').innerText").await,
            "Units"
        );

        c.refresh().await.expect("reload");
        wait_until(
            &c,
            "English after a reload",
            &english,
            &format!("document.documentElement.lang + ' | ' + {nav_units}"),
        )
        .await;

        // Remembered by the account, not only by this browser: forget every cookie, sign in
        // again, and the interface is still English.
        c.delete_all_cookies().await.expect("delete cookies");
        sign_in(&c, &base, "admin").await;
        c.goto(&format!("{base}/units")).await.expect("open /units");
        wait_until(
            &c,
            "English after signing in again",
            &english,
            &format!("document.documentElement.lang + ' | ' + {nav_units}"),
        )
        .await;
    })
    .await;
}

/// On a phone-sized window the login and unit list pages fit the width (tables scroll inside
/// their own box, the page does not). Leaves a screenshot for a person to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_layout_has_no_horizontal_scroll() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    with_browser(390, 844, move |c| async move {
        let _app = app;
        c.goto(&format!("{base}/login")).await.expect("open /login");
        let iw = js(&c, "window.innerWidth").await.as_f64().unwrap_or(0.0);
        assert!(
            (360.0..=400.0).contains(&iw),
            "the window should be phone-sized, innerWidth is {iw}"
        );
        assert_no_horizontal_scroll(&c, "/login").await;
        save_screenshot(&c, "login-phone.png").await;

        sign_in(&c, &base, "admin").await;
        c.goto(&format!("{base}/units")).await.expect("open /units");
        wait_until(
            &c,
            "the unit list",
            "document.querySelectorAll('#results table tbody tr').length > 0",
            "document.body.innerText.slice(0, 300)",
        )
        .await;
        assert_no_horizontal_scroll(&c, "/units").await;
        let path = save_screenshot(&c, "units-phone.png").await;
        println!(
            "screenshot of /units on a 390x844 window: {}",
            path.display()
        );
    })
    .await;
}

async fn save_screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.expect("screenshot");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// A viewer may not create units: /units/new answers with the 403 page, in Vietnamese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_gets_forbidden_page_for_new_unit() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    with_browser(1280, 900, move |c| async move {
        let _app = app;
        sign_in(&c, &base, "xem").await;
        c.goto(&format!("{base}/units/new"))
            .await
            .expect("open /units/new");
        let text = body_text(&c).await;
        assert!(text.contains(FORBIDDEN_VI), "page text: {text}");
        assert!(text.contains("403"), "page text: {text}");
        // The viewer sees no way to create a unit on the list either.
        c.goto(&format!("{base}/units")).await.expect("open /units");
        let links = js(
            &c,
            "document.querySelectorAll('a[href=\"/units/new\"]').length",
        )
        .await;
        assert_eq!(links, json!(0), "a viewer is offered the 'new unit' link");
    })
    .await;
}

/// Submit the form whose action ends with `action_suffix` by clicking its submit button.
async fn submit(c: &Client, action_suffix: &str) {
    c.find(Locator::Css(&format!(
        "form[action$='{action_suffix}'] button[type='submit']"
    )))
    .await
    .unwrap_or_else(|e| panic!("submit button of the form {action_suffix}: {e}"))
    .click()
    .await
    .unwrap_or_else(|e| panic!("click submit of {action_suffix}: {e}"));
}

async fn sign_out(c: &Client) {
    submit(c, "/logout").await;
    wait_until(
        c,
        "the sign-in page",
        "location.pathname === '/login'",
        "location.href",
    )
    .await;
}

/// The acceptance case: the head of 2024 cluster 1 is elected by secret ballot in
/// the browser — the host opens the election on the group page (last year's deputy is
/// proposed), the five members' leaders vote one after another and each keeps a receipt,
/// the host closes it, and every receipt is found in the published list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_1_elects_its_head_in_the_browser() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    // The 2024 cluster 1 group, found through the API.
    let s = app.demo("xem").await;
    let y24 = s.sector_year(2024).await;
    let c1 = s.group(&y24, "cluster", 1).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cc3 = app.unit_id("VKSCC3").await;
    with_browser(1280, 900, move |c| async move {
        let _app = app;
        sign_in(&c, &base, "lanhdao.vkscc3").await;
        c.goto(&format!("{base}/groups/{c1}")).await.expect("group page");
        // Open the election form: last year's deputy is proposed as the head candidate.
        js(&c, "document.querySelectorAll('details').forEach(function(d){ d.open = true; })").await;
        let proposed = js(&c, &format!("!!document.querySelector('input[name=\"candidate_ids\"][value=\"{cc3}\"]:checked')")).await;
        assert_eq!(proposed, Value::Bool(true), "last year's deputy is proposed");
        submit(&c, "/elections").await;
        wait_until(&c, "the election page", "location.pathname.indexOf('/elections/') === 0", "location.href").await;
        let election = js_string(&c, "location.pathname").await;
        sign_out(&c).await;
        let mut receipts = Vec::new();
        for who in ["lanhdao.vkscc1", "lanhdao.vkscc2", "lanhdao.vkscc3", "lanhdao.hanoi", "lanhdao.hcm"] {
            sign_in(&c, &base, who).await;
            c.goto(&format!("{base}{election}")).await.expect("election page");
            c.find(Locator::Css(&format!("input[name='choice'][value='{cc3}']")))
                .await
                .expect("candidate choice")
                .click()
                .await
                .expect("choose");
            submit(&c, "/vote").await;
            wait_until(&c, &format!("{who}'s receipt"), "!!document.querySelector('#receipt')", "document.body.innerText.slice(0, 400)").await;
            let r = js_string(&c, "document.querySelector('#receipt').innerText").await;
            assert!(thidua_domain::election::receipt_is_well_formed(r.trim()), "{who}: receipt {r}");
            receipts.push(r.trim().to_owned());
            sign_out(&c).await;
        }
        sign_in(&c, &base, "lanhdao.vkscc3").await;
        c.goto(&format!("{base}{election}")).await.expect("election page");
        submit(&c, "/close").await;
        wait_until(&c, "the published ballots", "document.querySelectorAll('table.ballots tbody tr').length === 5", "document.body.innerText.slice(0, 600)").await;
        let text = body_text(&c).await;
        for r in &receipts {
            assert!(text.contains(r.as_str()), "receipt {r} is published");
        }
        // A member looks up its own receipt: exactly that row is marked.
        c.goto(&format!("{base}{election}?receipt={}", receipts[0])).await.expect("lookup");
        let mine = js(&c, "document.querySelectorAll('table.ballots tr.mine').length").await;
        assert_eq!(mine.as_i64(), Some(1));
    })
    .await;
}

/// The acceptance case for the pact: the head of 2024 cluster 13 amends the pact in
/// the editor, records its adoption at the conference, the leaders of the six members sign it
/// one after another with their passwords, the printout is a PDF, and the code on the page
/// verifies it publicly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_13_signs_its_pact_in_the_browser() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    let s = app.demo("xem").await;
    let y24 = s.sector_year(2024).await;
    let c13 = s.group(&y24, "cluster", 13).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let docs = s.json(&format!("/api/v1/groups/{c13}/documents")).await;
    let pact = docs
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["kind"] == "pact")
        .expect("pact")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let http = app.demo("xem").await.http;
    with_browser(412, 915, move |c| async move {
        sign_in(&c, &base, "lanhdao.travinh").await;
        c.goto(&format!("{base}/documents/{pact}/edit"))
            .await
            .expect("editor");
        c.find(Locator::Css("#doc-title"))
            .await
            .expect("title field")
            .send_keys(" (sửa đổi, bổ sung)")
            .await
            .expect("type title");
        c.find(Locator::Css("#doc-note"))
            .await
            .expect("note field")
            .send_keys("Bổ sung chỉ tiêu chuyển đổi số")
            .await
            .expect("type note");
        submit(&c, "/edit").await;
        wait_until(
            &c,
            "the saved version",
            "location.search.indexOf('done=saved') >= 0",
            "document.body.innerText.slice(0, 400)",
        )
        .await;
        assert_no_horizontal_scroll(&c, "the document page").await;
        js(
            &c,
            "document.querySelectorAll('details').forEach(function(d){ d.open = true; })",
        )
        .await;
        submit(&c, "/adopt").await;
        wait_until(
            &c,
            "the adoption",
            "location.search.indexOf('done=adopted') >= 0",
            "document.body.innerText.slice(0, 400)",
        )
        .await;
        sign_out(&c).await;
        for who in [
            "lanhdao.travinh",
            "lanhdao.soctrang",
            "lanhdao.bentre",
            "lanhdao.baclieu",
            "lanhdao.camau",
            "lanhdao.kiengiang",
        ] {
            sign_in(&c, &base, who).await;
            c.goto(&format!("{base}/documents/{pact}"))
                .await
                .expect("document page");
            c.find(Locator::Css("#sign-password"))
                .await
                .unwrap_or_else(|e| panic!("{who}: password field of the signing form: {e}"))
                // Enter submits, as on a phone keyboard (a click can land on the browser's
                // password suggestions instead).
                .send_keys(&format!("{}\u{E007}", thidua::demo::DEMO_PASSWORD))
                .await
                .expect("type password and Enter");
            wait_until(
                &c,
                &format!("{who}'s signature"),
                "location.search.indexOf('done=signed') >= 0",
                "location.href + ' | ' + Array.from(document.querySelectorAll('.error, .field-error, .flash')).map(function(e){ return e.innerText; }).join(' | ')",
            )
            .await;
            sign_out(&c).await;
        }
        sign_in(&c, &base, "lanhdao.travinh").await;
        c.goto(&format!("{base}/documents/{pact}"))
            .await
            .expect("document page");
        let signed = js(
            &c,
            "document.querySelectorAll('table.signatures tr.signed').length",
        )
        .await;
        assert_eq!(signed.as_i64(), Some(6));
        let code = js_string(
            &c,
            "document.querySelector('a[href^=\"/verify/\"] code').innerText",
        )
        .await;
        let pdf_href = js_string(
            &c,
            "document.querySelector('a[href$=\"/pdf\"]').getAttribute('href')",
        )
        .await;
        // The printout: a PDF.
        let r = http
            .get(format!("{base}{pdf_href}"))
            .send()
            .await
            .expect("pdf");
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.expect("pdf bytes").starts_with(b"%PDF"));
        sign_out(&c).await;
        // Anybody verifies it from the code.
        c.goto(&format!("{base}/verify"))
            .await
            .expect("verify page");
        c.find(Locator::Css("#verify-code"))
            .await
            .expect("code field")
            .send_keys(&code)
            .await
            .expect("type code");
        submit(&c, "/verify").await;
        wait_until(
            &c,
            "the verdict",
            "!!document.querySelector('.verdict-valid')",
            "document.body.innerText.slice(0, 600)",
        )
        .await;
        let _app = app;
    })
    .await;
}

/// Click the submit button of the form that carries `<input name="step" value="{step}">`
/// (a proposal page has one form per workflow step).
async fn step(c: &Client, step: &str) {
    c.find(Locator::XPath(&format!(
        "//form[.//input[@name='step' and @value='{step}']]//button[@type='submit']"
    )))
    .await
    .unwrap_or_else(|e| panic!("the '{step}' button: {e}"))
    .click()
    .await
    .unwrap_or_else(|e| panic!("click '{step}': {e}"));
}

/// The proposal page's status line, once it shows `status`.
async fn wait_status(c: &Client, what: &str, status: &str) {
    wait_until(
        c,
        what,
        &format!(
            "location.pathname.indexOf('/proposals/') === 0 && document.body.innerText.indexOf({}) >= 0",
            json!(status)
        ),
        "location.href + ' | ' + document.body.innerText.slice(0, 600)",
    )
    .await;
}

/// The "done when" in the browser with the demo: 2024 cluster 13's leaders acclaim
/// Trà Vinh on the election page, the secretariat counts; Trà Vinh's officer proposes it for
/// the sector flag on the year's proposals page and submits; the secretariat accepts it and
/// puts it to the council, whose members vote on the proposal's page; the count approves it,
/// the decision is recorded on the year's page, and the award shows on the unit's history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_13_closes_its_year_in_the_browser() {
    require_browser!();
    let app = common::spawn_demo().await;
    let base = app.base.clone();
    // Set-up through the API: the acclaim vote is opened for the group's six members.
    let sec = app.demo("thuongtruc").await;
    let y24 = sec.sector_year(2024).await;
    let g = sec.group(&y24, "cluster", 13).await;
    let gid = g["id"].as_str().expect("gid").to_owned();
    let members: Vec<String> = g["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect();
    let r = sec
        .post_json(
            &format!("/api/v1/groups/{gid}/elections"),
            &json!({"office": "acclaim:sector_flag", "method": "secret", "candidate_ids": members}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let acclaim = r.json::<Value>().await.expect("election")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let tv = app.unit_id("P-TRAVINH").await;
    with_browser(1280, 900, move |c| async move {
        // The leaders acclaim Trà Vinh, one after another, on the election page.
        for who in [
            "lanhdao.travinh",
            "lanhdao.soctrang",
            "lanhdao.bentre",
            "lanhdao.baclieu",
            "lanhdao.camau",
            "lanhdao.kiengiang",
        ] {
            sign_in(&c, &base, who).await;
            c.goto(&format!("{base}/elections/{acclaim}"))
                .await
                .expect("election page");
            c.find(Locator::Css(&format!("input[name='choice'][value='{tv}']")))
                .await
                .unwrap_or_else(|e| panic!("{who}: Trà Vinh on the ballot: {e}"))
                .click()
                .await
                .expect("choose");
            submit(&c, "/vote").await;
            wait_until(
                &c,
                &format!("{who}'s receipt"),
                "!!document.querySelector('#receipt')",
                "document.body.innerText.slice(0, 400)",
            )
            .await;
            sign_out(&c).await;
        }
        sign_in(&c, &base, "thuongtruc").await;
        c.goto(&format!("{base}/elections/{acclaim}"))
            .await
            .expect("election page");
        submit(&c, "/close").await;
        wait_until(
            &c,
            "the counted acclaim",
            "document.querySelectorAll('table.ballots tbody tr').length === 6",
            "document.body.innerText.slice(0, 600)",
        )
        .await;
        sign_out(&c).await;

        // Trà Vinh's officer proposes it for the sector flag, naming the acclaim, and submits.
        sign_in(&c, &base, "canbo.travinh").await;
        c.goto(&format!("{base}/years/{y24}/proposals"))
            .await
            .expect("year's proposals page");
        js(
            &c,
            "document.querySelector('#title_code').value = 'sector_flag'",
        )
        .await;
        c.find(Locator::Css("#acclaim_election_id"))
            .await
            .expect("acclaim field")
            .send_keys(&acclaim)
            .await
            .expect("type the acclaim vote");
        c.find(Locator::Css("#summary"))
            .await
            .expect("summary field")
            .send_keys("Dẫn đầu Cụm thi đua số 13 năm 2024")
            .await
            .expect("type summary");
        c.find(Locator::Css(
            "form[method='post'][action$='/proposals'] button[type='submit']",
        ))
        .await
        .expect("propose button")
        .click()
        .await
        .expect("propose");
        wait_status(&c, "the new draft", "Dự thảo").await;
        let proposal = js_string(&c, "location.pathname").await;
        let text = body_text(&c).await;
        assert!(text.contains("5/6") || text.contains("6/6"), "{text}");
        step(&c, "submit").await;
        wait_status(&c, "the submitted proposal", "Đã gửi").await;
        sign_out(&c).await;

        // The secretariat accepts it and puts it to the council's vote.
        sign_in(&c, &base, "thuongtruc").await;
        c.goto(&format!("{base}{proposal}")).await.expect("proposal");
        step(&c, "accept").await;
        wait_status(&c, "the accepted proposal", "Đã tiếp nhận").await;
        step(&c, "open_vote").await;
        wait_status(&c, "the open vote", "Hội đồng đang biểu quyết").await;
        sign_out(&c).await;

        // Council members vote on the page; each gets a receipt.
        for who in [
            "thuongtruc",
            "lanhdao.vkscc1",
            "lanhdao.vkscc2",
            "lanhdao.vkscc3",
        ] {
            sign_in(&c, &base, who).await;
            c.goto(&format!("{base}{proposal}")).await.expect("proposal");
            c.find(Locator::Css("input[name='choice'][value='yes']"))
                .await
                .unwrap_or_else(|e| panic!("{who}: the ballot: {e}"))
                .click()
                .await
                .expect("choose yes");
            submit(&c, "/ballot").await;
            wait_until(
                &c,
                &format!("{who}'s receipt"),
                "location.search.indexOf('receipt=') >= 0",
                "location.href + ' | ' + document.body.innerText.slice(0, 400)",
            )
            .await;
            sign_out(&c).await;
        }

        // The secretariat counts, then records the decision on the year's page.
        sign_in(&c, &base, "thuongtruc").await;
        c.goto(&format!("{base}{proposal}")).await.expect("proposal");
        step(&c, "close_vote").await;
        wait_status(&c, "the approved proposal", "Hội đồng đã thông qua").await;
        let pid = proposal.trim_start_matches("/proposals/").to_owned();
        c.goto(&format!("{base}/years/{y24}/proposals"))
            .await
            .expect("year's proposals page");
        c.find(Locator::Css(&format!(
            "#decision-form input[name='proposal_ids'][value='{pid}']"
        )))
        .await
        .expect("the voted proposal in the decision form")
        .click()
        .await
        .expect("tick it");
        for (field, value) in [
            ("#issuer", "Viện trưởng VKSND tối cao"),
            ("#number", "950/QĐ-VKSTC"),
            ("#signer", "Viện trưởng"),
        ] {
            c.find(Locator::Css(field))
                .await
                .unwrap_or_else(|e| panic!("{field}: {e}"))
                .send_keys(value)
                .await
                .expect("type");
        }
        js(&c, "document.querySelector('#date').value = '2025-01-20'").await;
        c.find(Locator::Css("#decision-form button[type='submit']"))
            .await
            .expect("record button")
            .click()
            .await
            .expect("record");
        wait_until(
            &c,
            "the decided proposal",
            &format!(
                "location.pathname === '/years/{y24}/proposals' && document.body.innerText.indexOf('Đã có quyết định khen thưởng') >= 0"
            ),
            "location.href + ' | ' + document.body.innerText.slice(0, 800)",
        )
        .await;

        // The award is on Trà Vinh's history, with its decision.
        c.goto(&format!("{base}/units/{tv}/awards"))
            .await
            .expect("unit's awards");
        let text = body_text(&c).await;
        assert!(text.contains("950/QĐ-VKSTC"), "{text}");
        assert!(text.contains("Cờ thi đua của ngành"), "{text}");
        let _app = app;
    })
    .await;
}
