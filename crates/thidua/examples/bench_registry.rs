//! The awards registry at scale: generates AWARDS award records (deterministic: the same
//! arguments give the same rows), then measures a person's history and an eligibility
//! check (p50/p99 over random people), and a council's year report over 2,000 awards
//! rendered as the HTML page through the real server.
//!
//! cargo run --release -p thidua --example bench_registry -- [AWARDS] [SAMPLES]
//! DATABASE_URL=postgres://… selects PostgreSQL (a fresh database is made from it).
//!
//! cargo run --release -p thidua --example bench_registry -- --measure-only [SAMPLES]
//! with DATABASE_URL=sqlite://…/thidua.db or postgres://… of a database filled by
//! `thidua demo generate`: measures the person history and eligibility check there, on
//! people drawn from the generated ones, without writing anything.
//!
//! The generator writes with the national generator's writer: multi-row INSERTs with bound
//! parameters, one audit event per batch; it stands for years of decisions, not requests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use thidua::demo::national::{self, Rng, V};
use thidua_domain::auth::Role;
use thidua_store::{AuditCtx, NewUser, YearDraft};
use thidua_web::{AppState, WebConfig};

const UNITS: usize = 700;
/// Units of the reported council, with 2,000 awards in the report year.
const COUNCIL_UNITS: usize = 50;
const REPORT_YEAR: i64 = 2025;
const REPORT_AWARDS: usize = 2_000;
const TITLES: [&str; 8] = [
    "advanced_worker",
    "advanced_worker",
    "advanced_worker",
    "grassroots_fighter",
    "advanced_worker",
    "sector_fighter",
    "commendation",
    "sector_certificate",
];
const COLLECTIVE: [&str; 4] = national::COLLECTIVE_TITLES;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// The national generator's audited writer over `store`.
fn writer(store: &thidua_store::Store) -> national::Writer<'_> {
    national::Writer {
        store,
        ctx: AuditCtx {
            actor: Some("bench".into()),
            address: None,
        },
        progress: national::Progress::new(false, 0),
    }
}

const AWARD_COLS: [&str; 13] = [
    "id",
    "award_year",
    "title_code",
    "unit_id",
    "person_id",
    "decision_number",
    "decision_date",
    "issuer",
    "note",
    "created_at",
    "award_kind",
    "signer",
    "source",
];

#[allow(clippy::too_many_arguments)]
fn award(
    id: String,
    year: i64,
    title: &str,
    unit: &str,
    person: Option<String>,
    number: String,
    now: &str,
) -> Vec<V> {
    vec![
        id.into(),
        year.into(),
        title.into(),
        unit.into(),
        person.into(),
        number.into(),
        format!("{year}-12-20").into(),
        "Bench".into(),
        V::N,
        now.into(),
        "yearly".into(),
        V::N,
        "decision".into(),
    ]
}

/// A person's history and an eligibility check for `samples` people from `pick`.
async fn measure_people(
    store: &thidua_store::Store,
    samples: usize,
    mut pick: impl AsyncFnMut(&mut Rng) -> Result<(String, String)>,
) -> Result<()> {
    let mut rng = Rng(42);
    let mut hist = Vec::with_capacity(samples);
    let mut elig = Vec::with_capacity(samples);
    let mut rows = 0usize;
    for _ in 0..samples {
        let (person, unit) = pick(&mut rng).await?;
        let t = Instant::now();
        rows += store.person_award_history(&person).await?.len();
        hist.push(t.elapsed());
        let t = Instant::now();
        let v = store
            .check_eligibility(&unit, Some(&person), "sector_fighter", 2026)
            .await?;
        elig.push(t.elapsed());
        std::hint::black_box(v);
    }
    hist.sort();
    elig.sort();
    println!(
        "person history: {samples} samples, {:.1} awards each, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        rows as f64 / samples as f64,
        pct(&hist, 0.5),
        pct(&hist, 0.99),
        pct(&hist, 1.0)
    );
    println!(
        "eligibility check: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(&elig, 0.5),
        pct(&elig, 0.99),
        pct(&elig, 1.0)
    );
    Ok(())
}

/// Measure on a database filled by `thidua demo generate` (nothing is written).
async fn measure_only(samples: usize) -> Result<()> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| anyhow!("--measure-only needs DATABASE_URL of a generated database"))?;
    let store = thidua_store::Store::connect(&url).await?;
    let g = national::generated(&store)
        .await?
        .ok_or_else(|| anyhow!("this database holds no generated data (thidua demo generate)"))?;
    println!(
        "{url}: generated {} country, seed {}: {} units, {} people, {} awards",
        g.scale, g.seed, g.counts.units, g.counts.people, g.counts.awards
    );
    let people = g.counts.people;
    measure_people(&store, samples, async |rng: &mut Rng| {
        let id = national::person_id(g.seed, rng.next_u64() % people);
        let p = store.get_person(&id).await?;
        Ok((id, p.unit_id))
    })
    .await?;
    store.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--measure-only") {
        let samples = std::env::args()
            .skip(1)
            .find_map(|a| a.parse().ok())
            .unwrap_or(2_000);
        return measure_only(samples).await;
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let awards = *args.first().unwrap_or(&5_000_000);
    let samples = *args.get(1).unwrap_or(&2_000);
    let people = (awards / 10).max(1);
    let dir = tempfile::tempdir()?;
    let url = match std::env::var("DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            sqlx::any::install_default_drivers();
            let name = format!("thidua_bench_{}", uuid::Uuid::now_v7().simple());
            let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&base).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .await?;
            let (prefix, _) = base.rsplit_once('/').ok_or_else(|| anyhow!("url"))?;
            format!("{prefix}/{name}")
        }
        _ => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
    };
    let backend = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let store = thidua::open_store(&url).await?;
    let ctx = AuditCtx {
        actor: Some("bench".into()),
        address: None,
    };
    println!("{backend}: {awards} awards, {people} people, {UNITS} units");
    let setup = Instant::now();
    let unit = |code: &str, kind: &str, name: &str, parent: Option<String>| {
        thidua_domain::unit::UnitInput {
            code: code.into(),
            kind: kind.into(),
            name: name.into(),
            parent_id: parent,
            ..Default::default()
        }
        .validate()
        .map_err(|e| anyhow!("{e:?}"))
    };
    let root = store
        .create_unit(&ctx, &unit("B-ROOT", "supreme", "Bench root", None)?)
        .await?;
    let creg = store
        .create_unit(
            &ctx,
            &unit("B-REG", "provincial", "Hội đồng đo", Some(root.id.clone()))?,
        )
        .await?;
    let council = store
        .create_council(&ctx, &creg.id, "Bench council")
        .await?;
    store
        .create_year(
            &ctx,
            &council.id,
            &YearDraft {
                year: REPORT_YEAR,
                theme: "Đo".into(),
                motto: "Đo".into(),
                registration_deadline: None,
                self_assessment_deadline: None,
                review_deadline: None,
                document_ids: Vec::new(),
            },
        )
        .await?;
    let mut units = Vec::with_capacity(UNITS);
    for i in 0..UNITS {
        let parent = if i < COUNCIL_UNITS {
            creg.id.clone()
        } else {
            root.id.clone()
        };
        let u = store
            .create_unit(
                &ctx,
                &unit(
                    &format!("B-{i}"),
                    "district",
                    &format!("Đơn vị {i}"),
                    Some(parent),
                )?,
            )
            .await?;
        units.push(u.id);
    }
    let now = thidua_store::now();
    // People: ids are deterministic; each belongs to a unit outside the council.
    let pid = |p: usize| format!("bp{p:07}");
    let punit = |p: usize| COUNCIL_UNITS + p % (UNITS - COUNCIL_UNITS);
    writer(&store)
        .table(
            "people",
            &[
                "id",
                "full_name",
                "position",
                "unit_id",
                "search_key",
                "sort_key",
                "version",
                "created_at",
                "updated_at",
            ],
            (0..people).map(|p| {
                vec![
                    pid(p).into(),
                    format!("Cán bộ {p}").into(),
                    "Kiểm sát viên".into(),
                    units[punit(p)].as_str().into(),
                    format!("can bo {p}").into(),
                    format!("can bo {p:07}").into(),
                    1.into(),
                    now.as_str().into(),
                    now.as_str().into(),
                ]
            }),
        )
        .await?;
    println!("people in {:.1}s", setup.elapsed().as_secs_f64());
    // Awards: ten per person over 2014–2025 plus collective ones, then the council's 2,000
    // of the report year and its history for the trend.
    let mut rng = Rng(20_251_124);
    let years = 12usize;
    let (gunits, gnow) = (&units, &now);
    let gen = (0..awards).map(move |i| {
        let (units, now) = (gunits, gnow);
        let r = rng.next_u64();
        let year = 2014 + ((i / people.max(1)) % years) as i64;
        if r.is_multiple_of(10) {
            let u = COUNCIL_UNITS + (r as usize / 10) % (UNITS - COUNCIL_UNITS);
            let code = COLLECTIVE[(r as usize >> 8) % COLLECTIVE.len()];
            award(
                format!("ba{i:08}"),
                year,
                code,
                &units[u],
                None,
                format!("QĐ-{year}"),
                now,
            )
        } else {
            let p = i % people;
            let code = TITLES[(r as usize >> 8) % TITLES.len()];
            award(
                format!("ba{i:08}"),
                year,
                code,
                &units[punit(p)],
                Some(pid(p)),
                format!("QĐ-{year}"),
                now,
            )
        }
    });
    let t = Instant::now();
    writer(&store).table("awards", &AWARD_COLS, gen).await?;
    let mut rng = Rng(7);
    let council_rows = (0..REPORT_AWARDS * 10).map(|i| {
        let year = REPORT_YEAR - (i / REPORT_AWARDS) as i64;
        let u = units[rng.below(COUNCIL_UNITS)].clone();
        let code = COLLECTIVE[rng.below(COLLECTIVE.len())];
        award(
            format!("bc{i:08}"),
            year,
            code,
            &u,
            None,
            format!("QĐ-C-{year}"),
            &now,
        )
    });
    writer(&store)
        .table("awards", &AWARD_COLS, council_rows)
        .await?;
    println!(
        "{} awards written in {:.1}s (setup {:.1}s)",
        awards + REPORT_AWARDS * 10,
        t.elapsed().as_secs_f64(),
        setup.elapsed().as_secs_f64()
    );
    // Fresh statistics, as a database that grew over years would have.
    let pool = sqlx::AnyPool::connect(&url).await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;

    // A person's history and an eligibility check, random people.
    measure_people(&store, samples, async |rng: &mut Rng| {
        let p = rng.below(people);
        Ok((pid(p), units[punit(p)].clone()))
    })
    .await?;

    // The council's year report page through the server, as its secretariat.
    let hash = thidua::hash("bench")?;
    let user = store
        .create_user(
            &ctx,
            &NewUser {
                username: "bench.sec".into(),
                display_name: "b".into(),
                password_hash: hash,
                must_change_password: false,
                lang: "vi".into(),
                unit_id: Some(creg.id.clone()),
            },
        )
        .await?;
    store
        .grant(&ctx, &user.id, Role::CouncilSecretary, Some(&creg.id))
        .await?;
    let token = "tdp_bench_registry";
    store
        .create_token(
            &ctx,
            &user.id,
            "bench",
            &thidua_web::auth::hash_token(token),
            "tdp_bench",
        )
        .await?;
    let app = thidua_web::router(AppState {
        store: store.clone(),
        config: Arc::new(WebConfig::default()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for (i, path) in [
        "/registry/report",
        "/api/v1/registry/report",
        "/registry/report/export",
    ]
    .iter()
    .cycle()
    .take(30)
    .enumerate()
    {
        let fmt = if i % 2 == 0 { "xlsx" } else { "pdf" };
        let url = format!(
            "http://{addr}{path}?council={}&year={REPORT_YEAR}&format={fmt}",
            council.id
        );
        let t = Instant::now();
        let r = client.get(&url).bearer_auth(token).send().await?;
        let status = r.status();
        let body = r.bytes().await?;
        let el = t.elapsed();
        if !status.is_success() {
            return Err(anyhow!("{path}: {status}"));
        }
        if i < 3 {
            println!("{path} ({fmt}): {} bytes", body.len());
        }
        times.push((*path, el));
    }
    for path in [
        "/registry/report",
        "/api/v1/registry/report",
        "/registry/report/export",
    ] {
        let mut t: Vec<Duration> = times
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, d)| *d)
            .collect();
        t.sort();
        println!(
            "council year report {path} ({REPORT_AWARDS} awards in {REPORT_YEAR}): p50 {:.1} ms, max {:.1} ms",
            pct(&t, 0.5),
            pct(&t, 1.0)
        );
    }
    store.close().await;
    Ok(())
}
