//! Durability: the real `thidua serve` process is killed with SIGKILL in the middle of a
//! stream of acknowledged writes, restarted on the same database, and every write the client
//! saw acknowledged must be there, whole, with the audit chain unbroken. Rounds: 3 in
//! `scripts/check`, as many as `THIDUA_DURABILITY_ROUNDS` says for the long version.

use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cli::{db, run, serve, terminate};
use crate::common::{self, Session};

fn rounds() -> usize {
    std::env::var("THIDUA_DURABILITY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

pub(crate) async fn sign_in(base: &str) -> Session {
    let http = common::client();
    let r = http
        .post(format!("{base}/login"))
        .form(&[
            ("username", "admin"),
            ("password", thidua::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "admin login");
    let me: serde_json::Value = http
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("me json");
    Session {
        http,
        csrf: me["csrf_token"].as_str().unwrap_or_default().to_owned(),
        base: base.to_owned(),
    }
}

pub(crate) fn sigkill(mut child: Child) {
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .expect("kill");
    child.wait().expect("wait");
}

/// One writer: creates units until the server goes away; returns (code, id) of every unit
/// whose creation was acknowledged with its body.
async fn writer(s: Arc<Session>, prefix: String, acked: Arc<Mutex<Vec<(String, String)>>>) {
    for i in 0.. {
        let code = format!("{prefix}-{i}");
        let body = serde_json::json!({"code": code, "kind": "regional", "name": format!("Đơn vị thử {code}")});
        let r = s
            .http
            .post(s.url("/api/v1/units"))
            .header("x-csrf-token", &s.csrf)
            .json(&body)
            .send()
            .await;
        let Ok(r) = r else { return };
        if r.status() != 201 {
            return;
        }
        let Ok(v) = r.json::<serde_json::Value>().await else {
            return;
        };
        let id = v["id"].as_str().expect("id").to_owned();
        acked.lock().expect("lock").push((code, id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let db = db().await;
    assert_eq!(run(&db, &["demo", "load"]).0, 0, "demo load");
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let n = rounds();
    let mut checked = 0;
    for round in 0..=n {
        let (child, _, addr) = serve(&db, &[]);
        let base = addr.clone();
        let s = Arc::new(sign_in(&base).await);
        // What was acknowledged before the last kill is here, whole; after the last round,
        // everything acknowledged in every round.
        let all = acked.lock().expect("lock").clone();
        let check = if round == n {
            &all[..]
        } else {
            &all[checked..]
        };
        checked = all.len();
        for (code, id) in check {
            let r = s.get(&format!("/api/v1/units/{id}")).await;
            assert_eq!(r.status(), 200, "round {round}: unit {code} lost");
            let v: serde_json::Value = r.json().await.expect("json");
            assert_eq!(v["code"], code.as_str(), "round {round}: unit {id} changed");
        }
        if round == n {
            terminate(child);
            break;
        }
        let writers: Vec<_> = (0..4)
            .map(|w| tokio::spawn(writer(s.clone(), format!("K{round}W{w}"), acked.clone())))
            .collect();
        // Kill at a different moment each round, mid-stream.
        let after = 150 + (round as u64 * 137) % 450;
        tokio::time::sleep(Duration::from_millis(after)).await;
        sigkill(child);
        for w in writers {
            w.await.expect("writer");
        }
    }
    let total = acked.lock().expect("lock").len();
    assert!(
        total >= n,
        "too few writes were acknowledged ({total}) to prove anything"
    );
    let (code, out) = run(&db, &["audit", "verify"]);
    assert_eq!(code, 0, "audit chain after {n} kills: {out}");
    println!("{n} SIGKILL rounds, {total} acknowledged writes, none lost, audit chain intact");
}
