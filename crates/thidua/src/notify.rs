//! The background sender: scans for reminders now and then and drains the e-mail outbox,
//! retrying with backoff. It runs beside the server and never inside a request, so a slow
//! or absent mail server never holds anyone up; what could not be sent stays queued.

use std::time::Duration;

use anyhow::{Context, Result};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use thidua_store::{OutboxMail, Store};
use thidua_web::i18n::{t_args, Lang};
use thidua_web::notifications::{kind_label, message};

/// Where and as whom to send e-mail.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// smtp://host:port (plain), smtp://host:port?tls=required (STARTTLS),
    /// smtps://host:port (TLS); user:password@ in the URL when the server asks for them.
    pub smtp_url: String,
    /// The sender, e.g. "Thi Đua <thidua@vks.gov.vn>".
    pub from: String,
    /// The address people reach the server at, put before links in mails.
    pub public_url: Option<String>,
}

/// An SMTP connection factory with its sender address.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    pub fn new(cfg: &MailConfig) -> Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&cfg.smtp_url)
            .with_context(|| format!("SMTP URL {}", cfg.smtp_url))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = cfg
            .from
            .parse()
            .with_context(|| format!("sender address {}", cfg.from))?;
        Ok(Mailer {
            transport,
            from,
            public_url: cfg
                .public_url
                .clone()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
        })
    }
}

/// Subject and plain-text body of a mail, in the recipient's language.
pub fn render(m: &OutboxMail, public_url: &str) -> (String, String) {
    let lang = Lang::parse(&m.lang);
    let title = kind_label(lang, &m.kind);
    let subject = t_args(lang, "mail-subject", &[("title", title)]);
    let text = message(lang, &m.message_key, &m.args);
    let link = format!("{public_url}{}", m.link);
    let prefs = format!("{public_url}/account/notifications");
    let body = format!(
        "{text}\n\n{}\n\n-- \n{}\n",
        t_args(lang, "mail-footer", &[("link", link)]),
        t_args(lang, "mail-prefs", &[("link", prefs)])
    );
    (subject, body)
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    pub failed: usize,
}

/// Send the mails that are due. A failure is recorded on the mail (attempts, error, next
/// try) and the round goes on with the next one.
pub async fn drain(store: &Store, mailer: &Mailer) -> Result<Drained> {
    let mut done = Drained::default();
    loop {
        // The lease outlasts a send's timeout, so no other server takes the same mail.
        let batch = store.claim_outbox(50, chrono::Duration::minutes(2)).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for m in batch {
            let (subject, body) = render(&m, &mailer.public_url);
            match send(mailer, &m.to_addr, &subject, &body).await {
                Ok(()) => {
                    store.outbox_sent(&m.id, &subject, &body).await?;
                    done.sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = %m.id, to = %m.to_addr, error = %e, "e-mail not sent");
                    store.outbox_failed(&m.id, &subject, &e).await?;
                    done.failed += 1;
                }
            }
        }
    }
}

async fn send(mailer: &Mailer, to: &str, subject: &str, body: &str) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("address {to}: {e}"))?;
    let mail = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .map_err(|e| e.to_string())?;
    mailer
        .transport
        .send(mail)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Today in Vietnam (deadlines are Vietnamese calendar days).
pub fn today() -> chrono::NaiveDate {
    thidua_web::registrations::today()
}

/// How the background sender runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// None: e-mail is off; reminders still reach the inbox.
    pub mail: Option<MailConfig>,
    pub scan_every: Duration,
    pub send_every: Duration,
}

/// One round: the reminder scan (when `scan` is set), then the outbox.
pub async fn run_once(store: &Store, mailer: Option<&Mailer>, scan: bool) -> Result<Drained> {
    if scan {
        let n = store.scan_reminders(today()).await?;
        if n > 0 {
            tracing::info!(created = n, "notifications created");
        }
    }
    match mailer {
        Some(m) => drain(store, m).await,
        None => Ok(Drained::default()),
    }
}

/// Start the background sender. Errors are logged and the loop goes on.
pub fn spawn(store: Store, cfg: WorkerConfig) -> Result<tokio::task::JoinHandle<()>> {
    let mailer = cfg.mail.as_ref().map(Mailer::new).transpose()?;
    if mailer.is_none() {
        tracing::info!("e-mail is off (no SMTP URL); notifications go to the inbox only");
    }
    Ok(tokio::spawn(async move {
        let mut last_scan: Option<std::time::Instant> = None;
        let mut tick = tokio::time::interval(cfg.send_every.max(Duration::from_millis(50)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let scan = last_scan.is_none_or(|t| t.elapsed() >= cfg.scan_every);
            if scan {
                last_scan = Some(std::time::Instant::now());
            }
            match run_once(&store, mailer.as_ref(), scan).await {
                Ok(d) if d.sent + d.failed > 0 => {
                    tracing::info!(sent = d.sent, failed = d.failed, "e-mail round")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "notification round failed"),
            }
        }
    }))
}
