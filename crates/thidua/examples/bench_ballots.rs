//! Ballot throughput: many voters casting ballots over distinct elections through the HTTP
//! API, against a real server and database. Counts every acknowledged ballot and asserts
//! that each one is stored exactly once.
//!
//! cargo run --release -p thidua --example bench_ballots -- [GROUPS] [MEMBERS] [ELECTIONS]
//! DATABASE_URL=postgres://… selects PostgreSQL (a fresh database is made from it).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use thidua_domain::auth::Role;
use thidua_store::{AuditCtx, ElectionDraft, GroupDraft, NewUser, YearDraft};
use thidua_web::{AppState, WebConfig};

/// An election id and its voters as (unit id, API token).
type Election = (String, Vec<(String, String)>);

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let groups = *args.first().unwrap_or(&64);
    let members = *args.get(1).unwrap_or(&8);
    let elections = *args.get(2).unwrap_or(&20);
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
    let store = thidua::open_store(&url).await?;
    store.set_ballot_key(BENCH_BALLOT_KEY)?;
    let ctx = AuditCtx {
        actor: Some("bench".into()),
        address: None,
    };
    println!(
        "setting up {groups} groups × {members} members × {elections} elections on {}",
        if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    let setup = Instant::now();
    // One password hash for every bench account: the bench measures ballots, not argon2.
    let hash = thidua::hash("bench")?;
    let root = store
        .create_unit(
            &ctx,
            &thidua_domain::unit::UnitInput {
                code: "B-ROOT".into(),
                kind: "supreme".into(),
                name: "Bench root".into(),
                ..Default::default()
            }
            .validate()
            .map_err(|e| anyhow!("{e:?}"))?,
        )
        .await?;
    let council = store
        .create_council(&ctx, &root.id, "Bench council")
        .await?;
    let year = store
        .create_year(
            &ctx,
            &council.id,
            &YearDraft {
                year: 2024,
                theme: String::new(),
                motto: String::new(),
                registration_deadline: None,
                self_assessment_deadline: None,
                review_deadline: None,
                document_ids: vec![],
            },
        )
        .await?;
    // Per group: its elections, each with the (unit, token) pairs of its voters.
    let mut work: Vec<Vec<Election>> = Vec::new();
    for g in 0..groups {
        let mut units = Vec::new();
        let mut tokens = Vec::new();
        for m in 0..members {
            let d = thidua_domain::unit::UnitInput {
                code: format!("B-{g}-{m}"),
                kind: "provincial".into(),
                name: format!("Đơn vị {g}-{m}"),
                parent_id: Some(root.id.clone()),
                ..Default::default()
            }
            .validate()
            .map_err(|e| anyhow!("{e:?}"))?;
            let u = store.create_unit(&ctx, &d).await?;
            let user = store
                .create_user(
                    &ctx,
                    &NewUser {
                        username: format!("b{g}x{m}"),
                        display_name: "b".into(),
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
            let token = format!("tdp_bench_{g}_{m}");
            store
                .create_token(
                    &ctx,
                    &user.id,
                    "bench",
                    &thidua_web::auth::hash_token(&token),
                    "tdp_bench",
                )
                .await?;
            units.push(u.id);
            tokens.push(token);
        }
        let grp = store
            .create_group(
                &ctx,
                &year.id,
                &GroupDraft {
                    kind: "cluster".into(),
                    number: g as i64 + 1,
                    name: None,
                    follower: None,
                    member_ids: units.clone(),
                    predecessor_ids: vec![],
                },
                "active",
            )
            .await?;
        let mut es = Vec::new();
        for _ in 0..elections {
            let e = store
                .open_election(
                    &ctx,
                    &grp.id,
                    &ElectionDraft {
                        office: "head".into(),
                        method: "secret".into(),
                        candidate_ids: vec![units[0].clone()],
                        conference_id: None,
                        rule: None,
                    },
                    "bench",
                )
                .await?;
            es.push((
                e.id,
                units.iter().cloned().zip(tokens.iter().cloned()).collect(),
            ));
        }
        work.push(es);
    }
    println!("setup in {:.1}s", setup.elapsed().as_secs_f64());
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
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let start = Instant::now();
    let mut handles = Vec::new();
    for es in work {
        let client = client.clone();
        let base = format!("http://{addr}");
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut acked = Vec::new();
            let mut errors = 0u64;
            for (eid, voters) in es {
                for (unit, token) in voters {
                    let t = Instant::now();
                    let r = client
                        .post(format!("{base}/api/v1/elections/{eid}/ballots"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"unit_id": unit, "choice": null}))
                        .send()
                        .await;
                    lat.push(t.elapsed());
                    match r {
                        Ok(r) if r.status() == 201 => {
                            let v: serde_json::Value = r.json().await.unwrap_or_default();
                            acked.push((
                                eid.clone(),
                                v["receipt"].as_str().unwrap_or("").to_owned(),
                            ));
                        }
                        _ => errors += 1,
                    }
                }
            }
            (lat, acked, errors)
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    let mut acked = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, a, e) = h.await?;
        lat.extend(l);
        acked.extend(a);
        errors += e;
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    // Every acknowledged ballot is stored exactly once (sealed while its election is open).
    let pool = pool_of(&url).await?;
    let mut by_election: std::collections::HashMap<&str, Vec<String>> = Default::default();
    for (eid, _) in &acked {
        if !by_election.contains_key(eid.as_str()) {
            let r = thidua::stored_receipts(&pool, eid, &BENCH_BALLOT_KEY).await?;
            by_election.insert(eid.as_str(), r);
        }
    }
    let stored = by_election.values().map(Vec::len).sum::<usize>() as i64;
    let mut lost = 0;
    for (eid, receipt) in &acked {
        let n = by_election
            .get(eid.as_str())
            .map_or(0, |r| r.iter().filter(|x| *x == receipt).count());
        if n != 1 {
            lost += 1;
        }
    }
    println!("| ballots | seconds | ballots/s | p50 ms | p99 ms | errors | lost or duplicated |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {} | {:.2} | {:.0} | {:.1} | {:.1} | {} | {} |",
        acked.len(),
        secs,
        acked.len() as f64 / secs,
        pct(0.50),
        pct(0.99),
        errors,
        lost + (stored - acked.len() as i64).unsigned_abs() as usize
    );
    if lost > 0 || stored != acked.len() as i64 || errors > 0 {
        return Err(anyhow!(
            "ballots lost or duplicated: lost {lost}, stored {stored}, acknowledged {}",
            acked.len()
        ));
    }
    Ok(())
}

/// The bench's ballot key (its server runs in this process).
const BENCH_BALLOT_KEY: [u8; 32] = [0x5a; 32];

async fn pool_of(url: &str) -> Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    Ok(sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await?)
}
