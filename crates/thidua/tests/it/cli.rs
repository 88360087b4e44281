//! The `thidua` binary as an administrator uses it: first start, migrations, accounts,
//! audit verification, backup and restore, graceful shutdown.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thidua"));
    c.env_remove("DATABASE_URL").env("THIDUA_LOG", "warn");
    c
}

pub(crate) struct Db {
    pub(crate) url: String,
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) async fn db() -> Db {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = common::fresh_db(dir.path()).await;
    Db { url, dir }
}

pub(crate) fn run(db: &Db, args: &[&str]) -> (i32, String) {
    let out = bin()
        .arg("--database-url")
        .arg(&db.url)
        .arg("--data-dir")
        .arg(db.dir.path())
        .args(args)
        .output()
        .expect("run thidua");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Start `thidua serve` and wait for its "listening" line; returns the child and the lines.
pub(crate) fn serve(db: &Db, extra: &[&str]) -> (std::process::Child, Vec<String>, String) {
    let mut child = bin()
        .arg("--database-url")
        .arg(&db.url)
        .arg("--data-dir")
        .arg(db.dir.path())
        .arg("serve")
        .arg("--addr")
        .arg("127.0.0.1:0")
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    let mut addr = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(a) = line.strip_prefix("Thi Đua listening on ") {
            addr = a.to_owned();
            lines.push(line);
            break;
        }
        lines.push(line);
    }
    assert!(!addr.is_empty(), "server did not start: {lines:?}");
    (child, lines, addr)
}

pub(crate) fn terminate(mut child: std::process::Child) -> i32 {
    let pid = child.id().to_string();
    Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return st.code().unwrap_or(-1);
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn first_start_prints_a_one_time_admin_password_once() {
    let db = db().await;
    let (child, lines, addr) = serve(&db, &[]);
    let otp_line = lines
        .iter()
        .find(|l| l.contains("one-time password"))
        .expect("password printed")
        .clone();
    let otp = otp_line.rsplit(": ").next().expect("otp").trim().to_owned();
    // The password works, and must be changed.
    let c = common::client();
    let r = c
        .post(format!("{addr}/login"))
        .form(&[("username", "admin"), ("password", otp.as_str())])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303);
    let r = c.get(format!("{addr}/units")).send().await.expect("get");
    assert_eq!(r.headers()["location"], "/account/password");
    assert_eq!(terminate(child), 0, "graceful shutdown exits 0");
    let (child, lines, _) = serve(&db, &[]);
    assert!(
        !lines.iter().any(|l| l.contains("one-time password")),
        "{lines:?}"
    );
    terminate(child);
}

#[tokio::test]
async fn user_commands_manage_accounts() {
    let db = db().await;
    assert_eq!(run(&db, &["demo", "load"]).0, 0);
    let (code, out) = run(
        &db,
        &[
            "user",
            "add",
            "canbo.bentre",
            "--name",
            "Cán bộ Bến Tre",
            "--role",
            "unit_officer",
            "--scope",
            "P-BENTRE",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("one-time password"));
    let (code, out) = run(&db, &["user", "add", "canbo.bentre"]);
    assert_ne!(code, 0, "duplicate refused: {out}");
    let (code, out) = run(&db, &["user", "grant", "canbo.bentre", "viewer"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&db, &["user", "grant", "canbo.bentre", "pope"]);
    assert_ne!(code, 0, "{out}");
    let (code, out) = run(
        &db,
        &[
            "user",
            "grant",
            "canbo.bentre",
            "unit_leader",
            "--scope",
            "NO-SUCH",
        ],
    );
    assert_ne!(code, 0, "{out}");
    let (_, out) = run(&db, &["user", "list"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("canbo.bentre"))
        .expect("listed");
    assert!(
        line.contains("unit_officer@") && line.contains("viewer@*"),
        "{line}"
    );
    let (code, _) = run(&db, &["user", "revoke", "canbo.bentre", "viewer"]);
    assert_eq!(code, 0);
    let (code, out) = run(&db, &["user", "reset-password", "canbo.bentre"]);
    assert_eq!(code, 0);
    assert!(out.contains("one-time password for canbo.bentre"));
}

#[tokio::test]
async fn audit_verify_names_the_altered_or_removed_row() {
    let db = db().await;
    assert_eq!(run(&db, &["demo", "load"]).0, 0);
    let (code, out) = run(&db, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit trail intact"));
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url)
        .await
        .expect("connect");
    sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 42")
        .execute(&mut conn)
        .await
        .expect("alter");
    let (code, out) = run(&db, &["audit", "verify"]);
    assert_ne!(code, 0);
    assert!(
        out.contains("\"seq\":42") && out.contains("altered"),
        "{out}"
    );
    // Put it back, then remove a row.
    sqlx::query("UPDATE audit_events SET actor = 'demo' WHERE seq = 42")
        .execute(&mut conn)
        .await
        .expect("restore");
    assert_eq!(run(&db, &["audit", "verify"]).0, 0);
    sqlx::query("DELETE FROM audit_events WHERE seq = 10")
        .execute(&mut conn)
        .await
        .expect("delete");
    let (code, out) = run(&db, &["audit", "verify"]);
    assert_ne!(code, 0);
    assert!(
        out.contains("\"seq\":11") && out.contains("broken"),
        "{out}"
    );
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused() {
    let db = db().await;
    assert_eq!(run(&db, &["migrate"]).0, 0);
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url)
        .await
        .expect("connect");
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99990101000000, 'future', CURRENT_TIMESTAMP, TRUE, X'00', 0)")
        .execute(&mut conn)
        .await
        .or_else(|_| {
            // PostgreSQL spells the bytes literal differently.
            futures_lite_block(&db.url)
        })
        .ok();
    let (code, out) = run(&db, &["migrate"]);
    assert_ne!(code, 0);
    assert!(out.contains("newer than this binary"), "{out}");
    let (code, _) = run(&db, &["serve", "--addr", "127.0.0.1:0"]);
    assert_ne!(code, 0);
}

fn futures_lite_block(url: &str) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        rt.block_on(async move {
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
            sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99990101000000, 'future', now(), TRUE, '\\x00'::bytea, 0)")
                .execute(&mut conn)
                .await
        })
    })
    .join()
    .expect("thread")
}

#[tokio::test]
async fn backup_while_serving_and_restore() {
    if common::backend() != "sqlite" {
        println!("backup/restore of SQLite: covered by the SQLite run; PostgreSQL uses pg_dump (docs/operations.md)");
        return;
    }
    let db = db().await;
    assert_eq!(run(&db, &["demo", "load"]).0, 0);
    let (child, _, _addr) = serve(&db, &[]);
    let backup = db.dir.path().join("backup.db");
    let (code, out) = run(&db, &["backup", backup.to_str().expect("path")]);
    assert_eq!(code, 0, "{out}");
    // A second backup to the same file is refused rather than overwriting it.
    assert_ne!(run(&db, &["backup", backup.to_str().expect("path")]).0, 0);
    terminate(child);
    let target = tempfile::tempdir().expect("dir");
    let out = bin()
        .arg("--data-dir")
        .arg(target.path())
        .args(["restore", backup.to_str().expect("p")])
        .output()
        .expect("restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Restoring over an existing database needs --force.
    let out = bin()
        .arg("--data-dir")
        .arg(target.path())
        .args(["restore", backup.to_str().expect("p")])
        .output()
        .expect("restore");
    assert!(!out.status.success());
    let out = bin()
        .arg("--data-dir")
        .arg(target.path())
        .args(["audit", "verify"])
        .output()
        .expect("verify");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = bin()
        .arg("--data-dir")
        .arg(target.path())
        .args(["user", "list"])
        .output()
        .expect("list");
    assert!(String::from_utf8_lossy(&out.stdout).contains("lanhdao.travinh"));
    // A file that is not a backup is refused.
    let junk = db.dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").expect("write");
    let other = tempfile::tempdir().expect("dir");
    let out = bin()
        .arg("--data-dir")
        .arg(other.path())
        .args(["restore", junk.to_str().expect("p")])
        .output()
        .expect("restore");
    assert!(!out.status.success());
    assert!(!other.path().join("thidua.db").exists());
}
