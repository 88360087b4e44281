//! `thidua`: the server and its administration commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use thidua::{demo, hash, open_store, sqlite_url};
use thidua_domain::auth::Role;
use thidua_store::{AuditCtx, NewUser, Store};
use thidua_web::{AppState, WebConfig};

#[derive(Parser)]
#[command(
    name = "thidua",
    version,
    about = "Thi Đua – emulation and commendation of the People's Procuracy"
)]
struct Cli {
    /// Database URL: sqlite://… or postgres://…; default: SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Where the SQLite database lives.
    #[arg(long, env = "THIDUA_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        #[arg(long, env = "THIDUA_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo dataset (idempotent) with its demo accounts.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure and send HSTS (when a TLS proxy is in front).
        #[arg(long, env = "THIDUA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The address people reach the server at, printed with verification codes
        /// (e.g. https://thidua.example.vn); default: the request's host.
        #[arg(long, env = "THIDUA_PUBLIC_URL")]
        public_url: Option<String>,
        /// An RFC 3161 timestamp authority (http://…): PDFs the server signs are then PAdES
        /// baseline B-T, their signing time attested by it. Default: B-B.
        #[arg(long, env = "THIDUA_TSA_URL")]
        tsa_url: Option<String>,
        #[command(flatten)]
        notify: NotifyArgs,
    },
    /// Verify a signed document's PDF offline: its PAdES signatures against the trust list,
    /// its text and code. Exits 0 when valid and complete, 1 when invalid, 2 when valid but
    /// not fully signed.
    Verify {
        file: std::path::PathBuf,
        /// The trust list: certificates (PEM, or one DER) of the CAs the council accepts, as
        /// published at /trust-anchors.pem. Repeatable.
        #[arg(long)]
        trust: Vec<std::path::PathBuf>,
    },
    /// Apply database migrations.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Consistent online copy of the SQLite database (the server may keep running).
    Backup { file: PathBuf },
    /// Put a backup in place of the SQLite database (stop the server first).
    Restore {
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Demo data tools.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

/// Reminders and e-mail notifications.
#[derive(clap::Args)]
struct NotifyArgs {
    /// SMTP server for e-mail notifications, e.g. smtp://mail.example.vn:25,
    /// smtp://user:pass@host:587?tls=required, smtps://host:465; e-mail is off when unset.
    #[arg(long, env = "THIDUA_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of notification mails.
    #[arg(
        long,
        env = "THIDUA_SMTP_FROM",
        default_value = "Thi Đua <thidua@localhost>"
    )]
    smtp_from: String,
    /// Seconds between reminder scans.
    #[arg(long, env = "THIDUA_NOTIFY_SCAN_SECS", default_value_t = 900)]
    notify_scan_secs: u64,
    /// Seconds between rounds of the e-mail sender.
    #[arg(long, env = "THIDUA_NOTIFY_SEND_SECS", default_value_t = 30)]
    notify_send_secs: u64,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; prints its one-time password.
    Add {
        username: String,
        #[arg(long)]
        name: Option<String>,
        /// Role to grant (admin, council_secretary, unit_leader, unit_officer, follower, auditor, viewer).
        #[arg(long)]
        role: Option<String>,
        /// Unit code the role covers.
        #[arg(long)]
        scope: Option<String>,
    },
    /// Set a new one-time password; prints it.
    ResetPassword { username: String },
    Grant {
        username: String,
        role: String,
        #[arg(long)]
        scope: Option<String>,
    },
    Revoke {
        username: String,
        role: String,
        #[arg(long)]
        scope: Option<String>,
    },
    /// List accounts and their roles.
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits non-zero naming the first broken row. Prints the chain
    /// head (SEQ:HASH) to publish.
    Verify {
        /// Also recompute every audited entity's stored rows and compare them with the
        /// digest the trail last sealed: names data changed, added or deleted by SQL.
        #[arg(long)]
        deep: bool,
        /// A chain head published earlier (SEQ:HASH): check it is still in the chain.
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<String>,
    },
    /// Seal the data no audit event has sealed yet (data from before the deep audit, or
    /// bulk-loaded): one `seal` event per entity. Changed data is not sealed.
    Seal,
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Load the demo dataset.
    Load,
    /// Add N synthetic district units (for benchmarks).
    Bulk {
        #[arg(long, default_value_t = 800)]
        units: usize,
    },
    /// Fill the database with a synthetic country, deterministic from the seed: every public
    /// sector's units (≈ 96,000 at national scale), ≈ 3.1 million people and ten years
    /// (2016–2025) of councils, groups, registrations, scores and ≈ 5 million award records.
    /// Progress goes to stderr. Refuses a database that already holds generated data (also
    /// an interrupted run): generate into a fresh database. The demo dataset may be loaded
    /// before or after (its units and accounts do not collide with the generated ones).
    Generate {
        /// national: the whole country; small: ≈ 1/100 of it (tests, quick looks).
        #[arg(long, value_enum, default_value = "small")]
        scale: demo::national::Scale,
        /// The same seed writes the same rows.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn init_logs() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("THIDUA_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let json = std::env::var("THIDUA_LOG_FORMAT").is_ok_and(|v| v == "json");
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

fn cli_ctx() -> AuditCtx {
    AuditCtx {
        actor: Some(format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        )),
        address: None,
    }
}

impl Cli {
    fn url(&self) -> Result<String> {
        match &self.database_url {
            Some(u) if !u.is_empty() => Ok(u.clone()),
            _ => sqlite_url(&self.data_dir),
        }
    }
}

async fn scope_id(store: &Store, scope: Option<&str>) -> Result<Option<String>> {
    match scope {
        None => Ok(None),
        Some(code) => Ok(Some(
            store
                .unit_by_code(code)
                .await?
                .ok_or_else(|| anyhow!("unknown unit code {code}"))?
                .id,
        )),
    }
}

fn parse_role(r: &str) -> Result<Role> {
    Role::parse(r).ok_or_else(|| anyhow!("unknown role {r}; one of: admin, council_secretary, unit_leader, unit_officer, follower, auditor, viewer"))
}

#[tokio::main]
async fn main() -> Result<()> {
    init_logs();
    let cli = Cli::parse();
    let url = cli.url()?;
    match &cli.command {
        Command::Serve {
            addr,
            demo: with_demo,
            secure_cookies,
            public_url,
            tsa_url,
            notify,
        } => {
            let worker = thidua::notify::WorkerConfig {
                mail: notify.smtp_url.as_ref().filter(|u| !u.is_empty()).map(|u| {
                    thidua::notify::MailConfig {
                        smtp_url: u.clone(),
                        from: notify.smtp_from.clone(),
                        public_url: public_url.clone(),
                    }
                }),
                scan_every: std::time::Duration::from_secs(notify.notify_scan_secs.max(1)),
                send_every: std::time::Duration::from_secs(notify.notify_send_secs.max(1)),
            };
            serve(
                &url,
                &cli.data_dir,
                *addr,
                *with_demo,
                WebConfig {
                    secure_cookies: *secure_cookies,
                    public_url: public_url.clone(),
                    // The demo CA's signatures count only on a demo server.
                    trust_demo_ca: *with_demo,
                    tsa_url: tsa_url.clone().filter(|u| !u.is_empty()),
                },
                worker,
            )
            .await
        }
        Command::Verify { file, trust } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let trust = thidua::verify::read_trust(trust)?;
            let o = thidua::verify::verify_pdf(&bytes, &trust)?;
            for l in &o.lines {
                println!("{l}");
            }
            std::process::exit(match (o.valid, o.complete) {
                (true, true) => 0,
                (false, _) => 1,
                (true, false) => 2,
            });
        }
        Command::Migrate => {
            open_store(&url).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User { command } => user(&url, command).await,
        Command::Audit {
            command: AuditCommand::Verify { deep, head },
        } => {
            let store = Store::connect(&url).await?;
            store.check_not_newer().await?;
            let (ok, out) = thidua::audit_cmd::verify(&store, *deep, head.as_deref()).await?;
            print!("{out}");
            if !ok {
                std::process::exit(2);
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Seal,
        } => {
            let store = open_store(&url).await?;
            print!("{}", thidua::audit_cmd::seal(&store, &cli_ctx()).await?);
            Ok(())
        }
        Command::Backup { file } => {
            let store = open_store(&url).await?;
            if file.exists() {
                bail!("{} exists; choose a new file name", file.display());
            }
            store.backup_sqlite(&file.to_string_lossy()).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file, force } => restore(&cli, file, *force).await,
        Command::Demo { command } => {
            let store = open_store(&url).await?;
            store.set_ballot_key(thidua::ballot_key(&cli.data_dir)?)?;
            match command {
                DemoCommand::Load => {
                    demo::load(&store, hash).await?;
                }
                DemoCommand::Bulk { units } => {
                    let n = demo::bulk_units(&store, *units).await?;
                    println!("added {n} units");
                }
                DemoCommand::Generate { scale, seed } => {
                    let t = Instant::now();
                    let c = demo::national::generate(&store, *scale, *seed, true).await?;
                    let secs = t.elapsed().as_secs_f64();
                    println!(
                        "generated {} rows in {secs:.1} s ({:.0} rows/s): {}",
                        c.rows(),
                        c.rows() as f64 / secs.max(1e-3),
                        serde_json::to_string(&c)?
                    );
                }
            }
            Ok(())
        }
    }
}

async fn restore(cli: &Cli, file: &std::path::Path, force: bool) -> Result<()> {
    if cli
        .database_url
        .as_deref()
        .is_some_and(|u| !u.starts_with("sqlite:"))
    {
        bail!("restore handles SQLite; for PostgreSQL see docs/operations.md (pg_restore)");
    }
    std::fs::create_dir_all(&cli.data_dir)?;
    let target = cli.data_dir.join("thidua.db");
    if target.exists() && !force {
        bail!(
            "{} exists; stop the server and pass --force to replace it",
            target.display()
        );
    }
    // Work on a copy: check it opens, is not newer than this binary and that its audit
    // chain holds, and only then put it in place.
    let tmp = cli.data_dir.join("thidua.db.restoring");
    std::fs::copy(file, &tmp).with_context(|| format!("cannot read {}", file.display()))?;
    let checked = async {
        let probe = Store::connect(&format!("sqlite://{}", tmp.display())).await?;
        probe.check_not_newer().await?;
        let r = probe.verify_audit().await?;
        probe.close().await;
        if let Some(b) = r.first_break {
            bail!(
                "the backup's audit trail is broken: {}",
                serde_json::to_string(&b)?
            );
        }
        Ok(r)
    }
    .await;
    let r = match checked {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context(format!("{} is not a usable backup", file.display())));
        }
    };
    for ext in ["thidua.db-wal", "thidua.db-shm"] {
        let p = cli.data_dir.join(ext);
        if p.exists() {
            std::fs::remove_file(p)?;
        }
    }
    std::fs::rename(&tmp, &target)?;
    println!(
        "restored {} ({} audit rows verified)",
        target.display(),
        r.checked
    );
    Ok(())
}

async fn user(url: &str, cmd: &UserCommand) -> Result<()> {
    let store = open_store(url).await?;
    let ctx = cli_ctx();
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            scope,
        } => {
            let otp = thidua_web::auth::one_time_password();
            let u = store
                .create_user(
                    &ctx,
                    &NewUser {
                        username: username.trim().to_lowercase(),
                        display_name: name.clone().unwrap_or_else(|| username.clone()),
                        password_hash: hash(&otp)?,
                        must_change_password: true,
                        lang: "vi".into(),
                        unit_id: None,
                    },
                )
                .await?;
            if let Some(r) = role {
                let sid = scope_id(&store, scope.as_deref()).await?;
                store
                    .grant(&ctx, &u.id, parse_role(r)?, sid.as_deref())
                    .await?;
            }
            println!("user {} created; one-time password: {otp}", u.username);
        }
        UserCommand::ResetPassword { username } => {
            let u = store
                .user_by_name(username)
                .await?
                .ok_or_else(|| anyhow!("no user {username}"))?;
            let otp = thidua_web::auth::one_time_password();
            store
                .set_password(
                    &ctx,
                    &u.id,
                    &hash(&otp)?,
                    true,
                    None,
                    (
                        &thidua_store::KeyChange::Retire,
                        &thidua_store::CertChange::Retire,
                    ),
                )
                .await?;
            println!("one-time password for {}: {otp}", u.username);
        }
        UserCommand::Grant {
            username,
            role,
            scope,
        } => {
            let u = store
                .user_by_name(username)
                .await?
                .ok_or_else(|| anyhow!("no user {username}"))?;
            let sid = scope_id(&store, scope.as_deref()).await?;
            store
                .grant(&ctx, &u.id, parse_role(role)?, sid.as_deref())
                .await?;
            println!("granted");
        }
        UserCommand::Revoke {
            username,
            role,
            scope,
        } => {
            let u = store
                .user_by_name(username)
                .await?
                .ok_or_else(|| anyhow!("no user {username}"))?;
            let sid = scope_id(&store, scope.as_deref()).await?;
            if store
                .revoke(&ctx, &u.id, parse_role(role)?, sid.as_deref())
                .await?
            {
                println!("revoked");
            } else {
                println!("no such grant");
            }
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                let g: Vec<String> = store
                    .grants_of(&u.id)
                    .await?
                    .iter()
                    .map(|g| {
                        format!(
                            "{}@{}",
                            g.role.as_str(),
                            g.scope_unit.as_deref().unwrap_or("*")
                        )
                    })
                    .collect();
                println!("{}\t{}\t{}", u.username, u.display_name, g.join(","));
            }
        }
    }
    Ok(())
}

async fn serve(
    url: &str,
    data_dir: &std::path::Path,
    addr: SocketAddr,
    with_demo: bool,
    config: WebConfig,
    worker: thidua::notify::WorkerConfig,
) -> Result<()> {
    let started = Instant::now();
    let store = open_store(url).await.context("opening the database")?;
    store.set_ballot_key(thidua::ballot_key(data_dir)?)?;
    if with_demo {
        if demo::load(&store, hash).await? {
            tracing::info!("demo dataset loaded");
        }
        println!(
            "Demo accounts (password \"{}\"): {}",
            demo::DEMO_PASSWORD,
            demo::ACCOUNTS
                .iter()
                .map(|a| a.0)
                .chain(demo::LEADERS.iter().map(|a| a.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else if store.count_users().await? == 0 {
        let otp = thidua_web::auth::one_time_password();
        let ctx = AuditCtx::system();
        let admin = store
            .create_user(
                &ctx,
                &NewUser {
                    username: "admin".into(),
                    display_name: "Quản trị hệ thống".into(),
                    password_hash: hash(&otp)?,
                    must_change_password: true,
                    lang: "vi".into(),
                    unit_id: None,
                },
            )
            .await?;
        store.grant(&ctx, &admin.id, Role::Admin, None).await?;
        println!(
            "First start: administrator account \"admin\" created with one-time password: {otp}"
        );
    }
    let state = AppState {
        store: store.clone(),
        config: Arc::new(config),
    };
    let app = thidua_web::router(state);
    // Reminders and e-mail run beside the server, never inside a request.
    let sender = thidua::notify::spawn(store.clone(), worker)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, ready_ms = started.elapsed().as_millis() as u64, "listening");
    println!("Thi Đua listening on http://{local}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    sender.abort();
    // In-flight requests have finished; close the pools so SQLite checkpoints its WAL.
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
