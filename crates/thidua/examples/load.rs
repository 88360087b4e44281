//! Load: many signed-in leaders working at once through the real web interface and API.
//!
//! Three modes, run by `scripts/load`:
//!
//! ```text
//! load setup  --database-url URL --plan plan.json [--users 200] [--elections 80]
//! load run    --base http://127.0.0.1:PORT --plan plan.json [--users 200] [--duration 300]
//!             [--think-ms 1000] [--vote-every 4] [--relogin-every 50] [--ramp 10]
//!             [--pid PID …] [--acked acked.tsv]
//! load verify --database-url URL --plan plan.json --acked acked.tsv
//! ```
//!
//! `setup` adds to a database holding the demo data (`thidua demo load`): `--users` provincial
//! units, each led by its own account `loadNNN` (password `load`), in groups of ten in the
//! sector council's 2024 (elections open, the demo's 2024 scheme open for self-assessment) and
//! 2023 (the same groups, a scheme whose results are published, so every member may read its
//! group's ranking). It writes through the store, like the CLI, and prints the plan the other
//! modes read.
//!
//! `run` starts one virtual user per account. Each signs in through the login form (as a
//! browser does: the form, then the session cookie and the page's CSRF token), then loops:
//! its 2024 group page, its 2023 group's ranking as a page and through the API, every
//! `--vote-every`-th round its unit's ballot in the next open election of its group, its
//! unit's self-assessment draft (PUT), a think time of `--think-ms` ± 50 %; every
//! `--relogin-every`-th round it signs out and in again. Any answer other than the expected
//! one (or no answer) is an error. It prints a Markdown table per step and overall, the peak
//! memory (VmHWM) and CPU time of the server processes given by `--pid`, and writes every
//! acknowledged ballot (election, unit, receipt) to `--acked`.
//!
//! `verify` checks that every acknowledged ballot is stored exactly once and that the load's
//! elections hold no other ballot.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use thidua_domain::auth::Role;
use thidua_domain::scoring::Input;
use thidua_store::{AssessmentDraft, AuditCtx, ElectionDraft, GroupDraft, NewUser};

const ENTRIES: &str = include_str!("../demo/scoring-cluster13-2024.json");
const PASSWORD: &str = "load";
const GROUP_SIZE: usize = 10;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Add the load's units, accounts, groups, elections and schemes to a demo database.
    Setup {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long)]
        plan: std::path::PathBuf,
        #[arg(long, default_value_t = 200)]
        users: usize,
        /// Open elections per group (a unit votes once in each).
        #[arg(long, default_value_t = 80)]
        elections: usize,
    },
    /// Run the virtual users against a server (or a proxy in front of several).
    Run {
        #[arg(long)]
        base: String,
        #[arg(long)]
        plan: std::path::PathBuf,
        #[arg(long, default_value_t = 200)]
        users: usize,
        /// Seconds of load after the first user starts.
        #[arg(long, default_value_t = 300)]
        duration: u64,
        /// Mean pause between rounds, in milliseconds (uniform in ±50 %).
        #[arg(long, default_value_t = 1000)]
        think_ms: u64,
        /// Vote in every n-th round.
        #[arg(long, default_value_t = 4)]
        vote_every: u64,
        /// Sign out and in again every n-th round (0: never).
        #[arg(long, default_value_t = 50)]
        relogin_every: u64,
        /// Seconds over which the users start.
        #[arg(long, default_value_t = 10)]
        ramp: u64,
        /// Server processes whose memory and CPU time are reported.
        #[arg(long)]
        pid: Vec<u32>,
        /// Where the acknowledged ballots are written (election, unit, receipt).
        #[arg(long)]
        acked: Option<std::path::PathBuf>,
        /// A line printed under the table (what ran where).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Check the acknowledged ballots against the database.
    Verify {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long)]
        plan: std::path::PathBuf,
        #[arg(long)]
        acked: std::path::PathBuf,
    },
}

#[derive(Serialize, Deserialize)]
struct Plan {
    password: String,
    /// The 2024 scheme the units assess themselves under.
    scheme_id: String,
    groups: Vec<PlanGroup>,
    users: Vec<PlanUser>,
    /// Self-assessment inputs, used in turn.
    inputs: Vec<serde_json::Value>,
    comments: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct PlanGroup {
    /// The 2024 group (its page, its elections).
    id: String,
    /// The same units' 2023 group (published ranking).
    ranking_id: String,
    elections: Vec<String>,
    candidates: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct PlanUser {
    username: String,
    unit_id: String,
    group: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().mode {
        Mode::Setup {
            database_url,
            plan,
            users,
            elections,
        } => {
            let p = setup(&database_url, users, elections).await?;
            std::fs::write(&plan, serde_json::to_vec(&p)?)
                .with_context(|| format!("writing {}", plan.display()))?;
            Ok(())
        }
        Mode::Run {
            base,
            plan,
            users,
            duration,
            think_ms,
            vote_every,
            relogin_every,
            ramp,
            pid,
            acked,
            label,
        } => {
            let p: Plan = serde_json::from_slice(&std::fs::read(&plan)?)?;
            let cfg = RunConfig {
                base: base.trim_end_matches('/').to_owned(),
                duration: Duration::from_secs(duration),
                think_ms,
                vote_every: vote_every.max(1),
                relogin_every,
                ramp: Duration::from_secs(ramp),
            };
            let errors = run(Arc::new(p), users, cfg, &pid, acked.as_deref(), &label).await?;
            if errors > 0 {
                std::process::exit(1);
            }
            Ok(())
        }
        Mode::Verify {
            database_url,
            plan,
            acked,
        } => {
            let p: Plan = serde_json::from_slice(&std::fs::read(&plan)?)?;
            verify(&database_url, &p, &acked).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// setup
// ---------------------------------------------------------------------------------------

async fn setup(url: &str, users: usize, elections: usize) -> Result<Plan> {
    if users == 0 || !users.is_multiple_of(GROUP_SIZE) {
        bail!("--users must be a positive multiple of {GROUP_SIZE}");
    }
    let started = Instant::now();
    let store = thidua::open_store(url).await?;
    let ctx = AuditCtx {
        actor: Some("load-setup".into()),
        address: None,
    };
    if store.unit_by_code("LOAD-001").await?.is_some() {
        bail!("this database already has the load's data");
    }
    let sector = store
        .unit_by_code("VKSTC")
        .await?
        .ok_or_else(|| anyhow!("no unit VKSTC: load the demo data first (thidua demo load)"))?;
    let council = store
        .list_councils()
        .await?
        .into_iter()
        .find(|c| c.unit_id == sector.id)
        .ok_or_else(|| anyhow!("the demo's sector council is missing"))?;
    let year = |y: i64| {
        let store = store.clone();
        let council = council.id.clone();
        async move {
            store
                .year_of(&council, y)
                .await?
                .ok_or_else(|| anyhow!("the sector council has no year {y}"))
        }
    };
    let (y2023, y2024) = (year(2023).await?, year(2024).await?);
    let scheme = store
        .scheme_for(&y2024, "provincial")
        .await?
        .ok_or_else(|| anyhow!("the demo's 2024 provincial scheme is missing"))?;
    if scheme.status != "open" {
        bail!("the 2024 provincial scheme is {}, not open", scheme.status);
    }
    let last_year = store
        .copy_scheme(&ctx, &scheme.id, &y2023, "load-setup")
        .await?;
    store.set_scheme_status(&ctx, &last_year.id, "open").await?;

    let entries: BTreeMap<String, Input> = serde_json::from_str(ENTRIES)?;
    let inputs: Vec<Input> = entries.into_values().collect();
    let comments: BTreeMap<String, String> = scheme
        .compiled
        .leaves
        .iter()
        .filter(|l| {
            l.kind
                == thidua_domain::scoring::LeafKind::Manual {
                    evidence_required: true,
                }
        })
        .map(|l| (l.code.clone(), "Báo cáo tổng kết năm (tải thử)".to_owned()))
        .collect();

    // One password hash for every load account: the load signs in, it does not register.
    let hash = thidua::hash(PASSWORD)?;
    let mut plan_users = Vec::new();
    let mut units = Vec::new();
    for i in 1..=users {
        let d = thidua_domain::unit::UnitInput {
            code: format!("LOAD-{i:03}"),
            kind: "provincial".into(),
            name: format!("Đơn vị tải thử {i:03}"),
            parent_id: Some(sector.id.clone()),
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow!("{e:?}"))?;
        let u = store.create_unit(&ctx, &d).await?;
        let username = format!("load{i:03}");
        let user = store
            .create_user(
                &ctx,
                &NewUser {
                    username: username.clone(),
                    display_name: format!("Lãnh đạo đơn vị tải thử {i:03}"),
                    password_hash: hash.clone(),
                    must_change_password: false,
                    lang: "vi".into(),
                    unit_id: Some(u.id.clone()),
                },
            )
            .await?;
        store
            .grant(&ctx, &user.id, Role::UnitLeader, Some(&u.id))
            .await?;
        plan_users.push(PlanUser {
            username,
            unit_id: u.id.clone(),
            group: (i - 1) / GROUP_SIZE,
        });
        units.push(u.id);
    }

    let mut groups = Vec::new();
    for (g, members) in units.chunks(GROUP_SIZE).enumerate() {
        let draft = |kind: &str| GroupDraft {
            kind: kind.into(),
            number: 101 + g as i64,
            name: Some(format!("Cụm tải thử {}", g + 1)),
            follower: None,
            member_ids: members.to_vec(),
            predecessor_ids: vec![],
        };
        let before = store
            .create_group(&ctx, &y2023, &draft("cluster"), "active")
            .await?;
        let now = store
            .create_group(&ctx, &y2024, &draft("cluster"), "active")
            .await?;
        let candidates: Vec<String> = members.iter().take(3).cloned().collect();
        let mut es = Vec::new();
        for _ in 0..elections {
            let e = store
                .open_election(
                    &ctx,
                    &now.id,
                    &ElectionDraft {
                        office: "head".into(),
                        method: "secret".into(),
                        candidate_ids: candidates.clone(),
                        conference_id: None,
                        rule: None,
                    },
                    "load-setup",
                )
                .await?;
            es.push(e.id);
        }
        groups.push(PlanGroup {
            id: now.id,
            ranking_id: before.id,
            elections: es,
            candidates,
        });
    }

    // Last year: every unit submitted, the results published.
    for (i, unit) in units.iter().enumerate() {
        let draft = AssessmentDraft {
            input: inputs[i % inputs.len()].clone(),
            comments: comments.clone(),
            base_version: None,
        };
        store
            .save_assessment(&ctx, &last_year.id, unit, &draft, "load-setup")
            .await?;
        store
            .submit_assessment(&ctx, &last_year.id, unit, "load-setup")
            .await?;
    }
    store
        .set_scheme_status(&ctx, &last_year.id, "published")
        .await?;
    eprintln!(
        "load setup: {users} accounts, {} groups × {elections} open elections, in {:.1} s",
        groups.len(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(Plan {
        password: PASSWORD.into(),
        scheme_id: scheme.id,
        groups,
        users: plan_users,
        inputs: inputs
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()?,
        comments,
    })
}

// ---------------------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------------------

struct RunConfig {
    base: String,
    duration: Duration,
    think_ms: u64,
    vote_every: u64,
    relogin_every: u64,
    ramp: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Step {
    LoginPage,
    SignIn,
    Group,
    RankingPage,
    RankingApi,
    Vote,
    Assess,
    SignOut,
}

impl Step {
    const ALL: [Step; 8] = [
        Step::LoginPage,
        Step::SignIn,
        Step::Group,
        Step::RankingPage,
        Step::RankingApi,
        Step::Vote,
        Step::Assess,
        Step::SignOut,
    ];
    fn name(self) -> &'static str {
        match self {
            Step::LoginPage => "sign-in form GET /login",
            Step::SignIn => "sign in POST /login",
            Step::Group => "group page GET /groups/{2024 group}",
            Step::RankingPage => "ranking page GET /groups/{2023 group}/ranking",
            Step::RankingApi => "ranking API GET /api/v1/groups/{2023 group}/ranking",
            Step::Vote => "ballot POST /api/v1/elections/{id}/ballots",
            Step::Assess => "self-assessment PUT /api/v1/schemes/{id}/assessments/{unit}",
            Step::SignOut => "sign out POST /logout",
        }
    }
}

#[derive(Default)]
struct Tally {
    /// Latencies in microseconds, per step.
    lat: HashMap<Step, Vec<u32>>,
    /// Errors per (step, what came back).
    errors: BTreeMap<(Step, String), u64>,
    /// (election, unit, receipt) of every acknowledged ballot.
    acked: Vec<(String, String, String)>,
    /// Rounds that found no election left to vote in.
    no_election: u64,
}

struct User<'a> {
    plan: &'a Plan,
    cfg: &'a RunConfig,
    index: usize,
    http: reqwest::Client,
    csrf: String,
    tally: Tally,
}

impl User<'_> {
    fn me(&self) -> &PlanUser {
        &self.plan.users[self.index]
    }

    /// Send, read the whole body, record the latency; Some(body) when the status is the
    /// expected one.
    async fn call(
        &mut self,
        step: Step,
        expect: u16,
        req: reqwest::RequestBuilder,
    ) -> Option<Vec<u8>> {
        let t = Instant::now();
        let r = req.send().await;
        let out = match r {
            Ok(r) => {
                let status = r.status().as_u16();
                match r.bytes().await {
                    Ok(b) if status == expect => Ok(b.to_vec()),
                    Ok(_) => Err(format!("HTTP {status}")),
                    Err(e) => Err(format!("body: {}", kind(&e))),
                }
            }
            Err(e) => Err(kind(&e)),
        };
        let us = t.elapsed().as_micros().min(u32::MAX as u128) as u32;
        self.tally.lat.entry(step).or_default().push(us);
        match out {
            Ok(b) => Some(b),
            Err(what) => {
                *self.tally.errors.entry((step, what)).or_default() += 1;
                None
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base, path)
    }

    async fn sign_in(&mut self) -> bool {
        let form = self.http.get(self.url("/login"));
        self.call(Step::LoginPage, 200, form).await;
        let username = self.me().username.clone();
        let req = self.http.post(self.url("/login")).form(&[
            ("username", username.as_str()),
            ("password", self.plan.password.as_str()),
            ("next", "/"),
        ]);
        self.call(Step::SignIn, 303, req).await.is_some()
    }

    async fn sign_out(&mut self) {
        let req = self
            .http
            .post(self.url("/logout"))
            .form(&[("_csrf", self.csrf.as_str())]);
        self.call(Step::SignOut, 303, req).await;
        self.csrf.clear();
    }

    async fn round(&mut self, round: u64) {
        let g = &self.plan.groups[self.me().group];
        let (group, ranking) = (g.id.clone(), g.ranking_id.clone());
        let req = self.http.get(self.url(&format!("/groups/{group}")));
        if let Some(page) = self.call(Step::Group, 200, req).await {
            // The token a browser's forms and scripts send, from the page's meta tag.
            if let Some(t) = csrf_of(&page) {
                self.csrf = t;
            }
        }
        let req = self
            .http
            .get(self.url(&format!("/groups/{ranking}/ranking")));
        self.call(Step::RankingPage, 200, req).await;
        let req = self
            .http
            .get(self.url(&format!("/api/v1/groups/{ranking}/ranking")));
        self.call(Step::RankingApi, 200, req).await;
        if round.is_multiple_of(self.cfg.vote_every) {
            let k = (round / self.cfg.vote_every) as usize;
            let g = &self.plan.groups[self.me().group];
            match g.elections.get(k) {
                Some(e) => {
                    let e = e.clone();
                    let choice = g.candidates[(self.index + k) % g.candidates.len()].clone();
                    let unit = self.me().unit_id.clone();
                    let req = self
                        .http
                        .post(self.url(&format!("/api/v1/elections/{e}/ballots")))
                        .header("x-csrf-token", &self.csrf)
                        .json(&serde_json::json!({"unit_id": unit, "choice": choice}));
                    if let Some(b) = self.call(Step::Vote, 201, req).await {
                        let v: serde_json::Value = serde_json::from_slice(&b).unwrap_or_default();
                        let receipt = v["receipt"].as_str().unwrap_or_default().to_owned();
                        self.tally.acked.push((e, unit, receipt));
                    }
                }
                None => self.tally.no_election += 1,
            }
        }
        let unit = self.me().unit_id.clone();
        let input = &self.plan.inputs[(self.index + round as usize) % self.plan.inputs.len()];
        let body = serde_json::json!({"input": input, "comments": self.plan.comments});
        let req = self
            .http
            .put(self.url(&format!(
                "/api/v1/schemes/{}/assessments/{unit}",
                self.plan.scheme_id
            )))
            .header("x-csrf-token", &self.csrf)
            .json(&body);
        self.call(Step::Assess, 200, req).await;
    }
}

fn kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect".into()
    } else if e.is_request() {
        "request".into()
    } else {
        "transport".into()
    }
}

fn csrf_of(page: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(page).ok()?;
    let at = s.find("name=\"csrf-token\" content=\"")? + "name=\"csrf-token\" content=\"".len();
    let end = s[at..].find('"')?;
    Some(s[at..at + end].to_owned())
}

/// A deterministic per-user random stream (no shared RNG between tasks).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

async fn user_loop(plan: Arc<Plan>, cfg: Arc<RunConfig>, index: usize, end: Instant) -> Tally {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut u = User {
        plan: &plan,
        cfg: &cfg,
        index,
        http,
        csrf: String::new(),
        tally: Tally::default(),
    };
    let mut rng = Lcg(index as u64 * 7919 + 17);
    let mut signed_in = u.sign_in().await;
    let mut round = 0u64;
    while Instant::now() < end {
        if !signed_in {
            tokio::time::sleep(Duration::from_secs(1)).await;
            signed_in = u.sign_in().await;
            continue;
        }
        u.round(round).await;
        round += 1;
        if cfg.relogin_every > 0 && round.is_multiple_of(cfg.relogin_every) && Instant::now() < end
        {
            u.sign_out().await;
            signed_in = u.sign_in().await;
        }
        let think = cfg.think_ms / 2 + rng.next() % (cfg.think_ms.max(1));
        let wake = Instant::now() + Duration::from_millis(think);
        if wake >= end {
            break;
        }
        tokio::time::sleep_until(wake.into()).await;
    }
    u.tally
}

fn proc_field(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// User + system CPU seconds of a process.
fn cpu_secs(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

async fn run(
    plan: Arc<Plan>,
    users: usize,
    cfg: RunConfig,
    pids: &[u32],
    acked_file: Option<&std::path::Path>,
    label: &str,
) -> Result<u64> {
    if users > plan.users.len() {
        bail!(
            "the plan has {} accounts, fewer than --users {users}",
            plan.users.len()
        );
    }
    let cfg = Arc::new(cfg);
    let cpu0: Vec<Option<f64>> = pids.iter().map(|p| cpu_secs(*p)).collect();
    let start = Instant::now();
    let end = start + cfg.duration;
    let mut handles = Vec::new();
    for i in 0..users {
        let (plan, cfg) = (plan.clone(), cfg.clone());
        let delay = cfg.ramp.mul_f64(i as f64 / users as f64);
        handles.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            user_loop(plan, cfg, i, end).await
        }));
    }
    // Sample the servers' memory while the load runs (VmHWM is the peak anyway).
    let sampler = {
        let pids = pids.to_vec();
        tokio::spawn(async move {
            let mut peak: Vec<u64> = vec![0; pids.len()];
            while Instant::now() < end {
                for (i, p) in pids.iter().enumerate() {
                    peak[i] = peak[i].max(proc_field(*p, "VmRSS:").unwrap_or(0));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            peak
        })
    };
    let mut all = Tally::default();
    for h in handles {
        let t = h.await?;
        for (s, mut l) in t.lat {
            all.lat.entry(s).or_default().append(&mut l);
        }
        for (k, n) in t.errors {
            *all.errors.entry(k).or_default() += n;
        }
        all.acked.extend(t.acked);
        all.no_election += t.no_election;
    }
    let secs = start.elapsed().as_secs_f64();
    let rss_peak = sampler.await?;

    let mut errs_by_step: BTreeMap<Step, u64> = BTreeMap::new();
    for ((s, _), n) in &all.errors {
        *errs_by_step.entry(*s).or_default() += n;
    }
    let total_errors: u64 = errs_by_step.values().sum();
    println!("| step | requests | req/s | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut every: Vec<u32> = Vec::new();
    for s in Step::ALL {
        let Some(l) = all.lat.get_mut(&s) else {
            continue;
        };
        l.sort_unstable();
        every.extend_from_slice(l);
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
            s.name(),
            l.len(),
            l.len() as f64 / secs,
            pct(l, 0.50),
            pct(l, 0.99),
            pct(l, 1.0),
            errs_by_step.get(&s).copied().unwrap_or(0)
        );
    }
    every.sort_unstable();
    println!(
        "| **all** | **{}** | **{:.1}** | **{:.1}** | **{:.1}** | **{:.1}** | **{}** |",
        every.len(),
        every.len() as f64 / secs,
        pct(&every, 0.50),
        pct(&every, 0.99),
        pct(&every, 1.0),
        total_errors
    );
    println!();
    if !label.is_empty() {
        println!("- {label}");
    }
    println!(
        "- {users} users for {:.0} s (started over {} s), think time {} ms ± 50 %, a ballot every {} rounds, signing out and in every {} rounds",
        secs,
        cfg.ramp.as_secs(),
        cfg.think_ms,
        cfg.vote_every,
        cfg.relogin_every
    );
    println!(
        "- ballots acknowledged: {}{}",
        all.acked.len(),
        if all.no_election > 0 {
            format!(
                "; {} rounds found no election left to vote in",
                all.no_election
            )
        } else {
            String::new()
        }
    );
    for (i, p) in pids.iter().enumerate() {
        let hwm = proc_field(*p, "VmHWM:").unwrap_or(0);
        let rss = proc_field(*p, "VmRSS:").unwrap_or(0);
        let cpu = match (cpu_secs(*p), cpu0[i]) {
            (Some(b), Some(a)) => format!("{:.0} s", b - a),
            _ => "?".into(),
        };
        println!(
            "- server pid {p}: peak RSS (VmHWM) {:.1} MB, highest sampled RSS {:.1} MB, RSS at the end {:.1} MB, CPU time during the run {cpu}",
            hwm as f64 / 1024.0,
            rss_peak[i] as f64 / 1024.0,
            rss as f64 / 1024.0
        );
    }
    if total_errors == 0 {
        println!("- errors: none");
    } else {
        let list: Vec<String> = all
            .errors
            .iter()
            .map(|((s, what), n)| format!("{n} × {what} on {}", s.name()))
            .collect();
        println!("- errors: {}", list.join("; "));
    }
    if let Some(path) = acked_file {
        let mut out = String::new();
        for (e, u, r) in &all.acked {
            out.push_str(&format!("{e}\t{u}\t{r}\n"));
        }
        std::fs::write(path, out)?;
    }
    Ok(total_errors)
}

// ---------------------------------------------------------------------------------------
// verify
// ---------------------------------------------------------------------------------------

async fn verify(url: &str, plan: &Plan, acked: &std::path::Path) -> Result<()> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    // The servers' ballot key (scripts/load gives every server the same THIDUA_BALLOT_KEY).
    let key = match std::env::var("THIDUA_BALLOT_KEY") {
        Ok(k) if !k.trim().is_empty() => thidua::ballot_key(std::path::Path::new("."))?,
        _ => bail!("THIDUA_BALLOT_KEY is needed to check the sealed ballots"),
    };
    let text = std::fs::read_to_string(acked)?;
    let mut want: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut n_acked = 0usize;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 3 {
            bail!("bad line in {}: {line}", acked.display());
        }
        want.entry(f[0].to_owned())
            .or_default()
            .push((f[1].to_owned(), f[2].to_owned()));
        n_acked += 1;
    }
    let (mut stored, mut missing, mut extra) = (0usize, 0usize, 0usize);
    for g in &plan.groups {
        for e in &g.elections {
            // Sealed while the election is open: opened with the servers' key.
            let receipts = thidua::stored_receipts(&pool, e, &key).await?;
            let voters: Vec<String> =
                sqlx::query("SELECT unit_id FROM election_voters WHERE election_id = $1")
                    .bind(e)
                    .fetch_all(&pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
            stored += receipts.len();
            let mine = want.get(e).cloned().unwrap_or_default();
            for (unit, receipt) in &mine {
                let r = receipts.iter().filter(|x| *x == receipt).count();
                let v = voters.iter().filter(|x| *x == unit).count();
                if r != 1 || v != 1 {
                    missing += 1;
                }
            }
            if receipts.len() != mine.len() || voters.len() != mine.len() {
                extra += receipts.len().abs_diff(mine.len());
            }
        }
    }
    println!(
        "- ballots: {n_acked} acknowledged, {stored} stored in the load's elections; {missing} acknowledged ballots missing or duplicated, {extra} stored without acknowledgement"
    );
    if missing > 0 || extra > 0 || stored != n_acked {
        bail!("the stored ballots do not match the acknowledged ones");
    }
    Ok(())
}
