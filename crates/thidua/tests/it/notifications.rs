//! Reminders and notifications: a deadline reminder reaches a local SMTP sink and the inbox;
//! a mail server that is down leaves the mail queued (visible to the administrator) until it
//! is back; reminders are created once; e-mail off keeps the inbox; nobody reads another's.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use thidua::notify::{self, MailConfig, Mailer};
use thidua_store::AuditCtx;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::common::{self, TestApp};

/// One mail the sink received.
#[derive(Debug, Clone)]
struct Received {
    rcpt: Vec<String>,
    data: String,
}

impl Received {
    /// The Subject header, with RFC 2047 encoded words decoded.
    fn subject(&self) -> String {
        let mut lines = self.data.split("\r\n");
        let mut subject = String::new();
        while let Some(l) = lines.next() {
            if let Some(v) = l.strip_prefix("Subject:") {
                subject.push_str(v.trim());
                // Folded continuation lines.
                for c in lines.by_ref() {
                    if c.starts_with(' ') || c.starts_with('\t') {
                        subject.push(' ');
                        subject.push_str(c.trim());
                    } else {
                        break;
                    }
                }
                break;
            }
        }
        decode_words(&subject)
    }
}

fn decode_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && w.ends_with("?=") {
                let b = &w[10..w.len() - 2];
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .unwrap_or_default(),
                )
                .unwrap_or_default()
            } else {
                format!(" {w} ")
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A tiny SMTP server: enough of the protocol for a client to hand over a mail.
struct Sink {
    mails: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    fn start(listener: TcpListener) -> Sink {
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut r = BufReader::new(r);
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut rcpt = Vec::new();
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let cmd = line.trim_end().to_ascii_uppercase();
                        let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                            b"250 sink\r\n"
                        } else if cmd.starts_with("MAIL") {
                            rcpt.clear();
                            b"250 OK\r\n"
                        } else if cmd.starts_with("RCPT") {
                            let to = line.trim_end();
                            let addr = to
                                .split_once('<')
                                .and_then(|(_, a)| a.split_once('>'))
                                .map(|(a, _)| a.to_owned())
                                .unwrap_or_default();
                            rcpt.push(addr);
                            b"250 OK\r\n"
                        } else if cmd == "DATA" {
                            let _ = w.write_all(b"354 go on\r\n").await;
                            let mut data = String::new();
                            loop {
                                line.clear();
                                if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            store.lock().expect("lock").push(Received {
                                rcpt: std::mem::take(&mut rcpt),
                                data,
                            });
                            b"250 queued\r\n"
                        } else if cmd == "QUIT" {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        } else if cmd == "RSET" || cmd == "NOOP" {
                            b"250 OK\r\n"
                        } else {
                            b"502 not here\r\n"
                        };
                        if w.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Sink { mails }
    }

    fn to(&self, addr: &str) -> Vec<Received> {
        self.mails
            .lock()
            .expect("lock")
            .iter()
            .filter(|m| m.rcpt.iter().any(|r| r == addr))
            .cloned()
            .collect()
    }
}

async fn start_sink() -> (Sink, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
    let addr = l.local_addr().expect("addr");
    (Sink::start(l), addr)
}

fn mailer(addr: SocketAddr) -> Mailer {
    Mailer::new(&MailConfig {
        smtp_url: format!("smtp://{addr}"),
        from: "Thi Đua <thidua@vks.test>".into(),
        public_url: Some("https://thidua.vks.test".into()),
    })
    .expect("mailer")
}

const REG_SUBJECT: &str = "[Thi đua] Hạn đăng ký thi đua";

/// Set the 2024 sector year's registration deadline `days` ahead of today.
async fn deadline_in(app: &TestApp, days: i64) -> String {
    let s = app.demo("thuongtruc").await;
    let year = s.sector_year(2024).await;
    let d = notify::today() + chrono::Duration::days(days);
    app.store
        .set_registration_deadline(
            &AuditCtx::system(),
            &year,
            &d.format("%Y-%m-%d").to_string(),
        )
        .await
        .expect("deadline");
    year
}

async fn set_email(s: &common::Session, email: &str, prefs: serde_json::Value) {
    let r = s
        .put_json(
            "/api/v1/account/notification-prefs",
            &serde_json::json!({ "email": email, "prefs": prefs }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
}

fn registration_items(inbox: &serde_json::Value) -> Vec<serde_json::Value> {
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == "deadline_registration")
        .cloned()
        .collect()
}

#[tokio::test]
async fn deadline_reminder_reaches_the_sink_and_the_inbox_once() {
    let app = common::spawn_demo().await;
    let (sink, addr) = start_sink().await;
    let leader = app.demo("lanhdao.travinh").await;
    set_email(&leader, "lanhdao@travinh.test", serde_json::json!([])).await;
    deadline_in(&app, 7).await;

    let m = mailer(addr);
    // Two servers scanning at the same moment still make one reminder per person.
    let (a, b) = tokio::join!(
        notify::run_once(&app.store, None, true),
        notify::run_once(&app.store, None, true)
    );
    a.expect("scan a");
    b.expect("scan b");
    let d = notify::run_once(&app.store, Some(&m), true)
        .await
        .expect("round");
    assert!(d.sent >= 1, "{d:?}");
    assert_eq!(d.failed, 0);

    let mails = sink.to("lanhdao@travinh.test");
    let reg: Vec<_> = mails
        .iter()
        .filter(|m| m.subject() == REG_SUBJECT)
        .collect();
    assert_eq!(
        reg.len(),
        1,
        "one registration reminder mail: {:?}",
        mails.iter().map(Received::subject).collect::<Vec<_>>()
    );
    assert!(reg[0].data.contains("From: "), "{}", reg[0].data);

    // The inbox shows it, in the person's language, with the unread count.
    let inbox = leader.json("/api/v1/inbox").await;
    let items = registration_items(&inbox);
    assert_eq!(items.len(), 1, "{inbox}");
    let text = items[0]["text"].as_str().expect("text");
    assert!(text.contains("Còn 7 ngày"), "{text}");
    assert!(text.contains("2024"), "{text}");
    assert!(inbox["unread"].as_i64().expect("unread") >= 1);
    let page = leader.get("/inbox").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Còn 7 ngày đến hạn đăng ký"), "{html}");
    let badge = leader
        .get("/inbox/badge")
        .await
        .text()
        .await
        .expect("badge");
    assert!(badge.contains("class=\"badge\""), "{badge}");

    // Running again creates nothing new and sends nothing new.
    notify::run_once(&app.store, Some(&m), true)
        .await
        .expect("again");
    let inbox = leader.json("/api/v1/inbox").await;
    assert_eq!(registration_items(&inbox).len(), 1);
    let reg_again = sink
        .to("lanhdao@travinh.test")
        .iter()
        .filter(|m| m.subject() == REG_SUBJECT)
        .count();
    assert_eq!(reg_again, 1);

    // The officer of the same unit got it in the inbox too (no address: no mail).
    let officer = app.demo("canbo.travinh").await;
    let inbox = officer.json("/api/v1/inbox").await;
    assert_eq!(registration_items(&inbox).len(), 1, "{inbox}");

    // The 1-day reminder is a new one.
    deadline_in(&app, 1).await;
    notify::run_once(&app.store, Some(&m), true)
        .await
        .expect("1 day");
    let inbox = leader.json("/api/v1/inbox").await;
    let items = registration_items(&inbox);
    assert!(
        items.len() >= 2,
        "the 1-day reminder comes on top of the 7-day one: {inbox}"
    );
    assert!(items[0]["text"]
        .as_str()
        .unwrap_or("")
        .contains("Còn 1 ngày"));
}

#[tokio::test]
async fn smtp_down_stays_queued_then_is_delivered() {
    let app = common::spawn_demo().await;
    // A port where nothing listens (yet).
    let probe = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = probe.local_addr().expect("addr");
    drop(probe);

    let leader = app.demo("lanhdao.travinh").await;
    set_email(&leader, "lanhdao@travinh.test", serde_json::json!([])).await;
    deadline_in(&app, 7).await;
    let m = mailer(addr);
    let d = notify::run_once(&app.store, Some(&m), true)
        .await
        .expect("round");
    assert_eq!(d.sent, 0);
    assert!(d.failed >= 1, "{d:?}");

    // Nothing lost: queued, with the attempt and the error, for the administrator to see.
    let admin = app.demo("admin").await;
    let outbox = admin.json("/api/v1/admin/outbox").await;
    let mail = outbox
        .as_array()
        .expect("outbox")
        .iter()
        .find(|o| o["to_addr"] == "lanhdao@travinh.test" && o["kind"] == "deadline_registration")
        .cloned()
        .unwrap_or_else(|| panic!("queued mail: {outbox}"));
    assert_eq!(mail["status"], "queued");
    assert_eq!(mail["attempts"], 1);
    assert!(
        !mail["last_error"].as_str().unwrap_or("").is_empty(),
        "{mail}"
    );
    let page = admin.get("/admin/outbox").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("lanhdao@travinh.test"), "{html}");
    assert!(html.contains("Đang chờ gửi"), "{html}");

    // Not before its next try is due …
    let sink = Sink::start(TcpListener::bind(addr).await.expect("rebind sink port"));
    let d = notify::drain(&app.store, &m).await.expect("drain");
    assert_eq!(d.sent, 0, "the backoff holds the mail until its next try");

    // … unless the administrator says now.
    let id = mail["id"].as_str().expect("id");
    let r = admin
        .post_form(&format!("/admin/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let d = notify::drain(&app.store, &m).await.expect("drain");
    assert!(d.sent >= 1, "{d:?}");
    let got = sink.to("lanhdao@travinh.test");
    assert!(
        got.iter().any(|m| m.subject() == REG_SUBJECT),
        "{:?}",
        got.iter().map(Received::subject).collect::<Vec<_>>()
    );
    let outbox = admin.json("/api/v1/admin/outbox").await;
    let after = outbox
        .as_array()
        .expect("outbox")
        .iter()
        .find(|o| o["id"] == mail["id"])
        .cloned()
        .expect("mail");
    assert_eq!(after["status"], "sent");
    assert_eq!(after["attempts"], 2);
    // A sent mail is not sent again.
    let r = admin
        .post_json(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), 422);

    // Only the administrator sees the outbox.
    for who in ["lanhdao.travinh", "thuongtruc"] {
        let s = app.demo(who).await;
        assert_eq!(s.get("/admin/outbox").await.status(), 403, "{who}");
        assert_eq!(s.get("/api/v1/admin/outbox").await.status(), 403, "{who}");
        let r = s
            .post_json(
                &format!("/api/v1/admin/outbox/{id}/retry"),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status(), 403, "{who}");
    }
    let anon = common::client();
    let r = anon
        .get(app.url("/api/v1/admin/outbox"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn email_off_keeps_the_inbox_and_nobody_reads_anothers() {
    let app = common::spawn_demo().await;
    let (sink, addr) = start_sink().await;
    let leader = app.demo("lanhdao.travinh").await;
    set_email(
        &leader,
        "lanhdao@travinh.test",
        serde_json::json!([{ "kind": "deadline_registration", "email": false }]),
    )
    .await;
    let prefs = leader.json("/api/v1/account/notification-prefs").await;
    let reg = prefs["prefs"]
        .as_array()
        .expect("prefs")
        .iter()
        .find(|p| p["kind"] == "deadline_registration")
        .cloned()
        .expect("kind");
    assert_eq!(reg["email"], false);
    assert_eq!(reg["default_email"], true);
    assert_eq!(prefs["email"], "lanhdao@travinh.test");

    deadline_in(&app, 7).await;
    notify::run_once(&app.store, Some(&mailer(addr)), true)
        .await
        .expect("round");
    assert!(
        !sink
            .to("lanhdao@travinh.test")
            .iter()
            .any(|m| m.subject() == REG_SUBJECT),
        "e-mail off for the kind: no mail"
    );
    let inbox = leader.json("/api/v1/inbox").await;
    let items = registration_items(&inbox);
    assert_eq!(items.len(), 1, "the inbox still has it: {inbox}");
    let id = items[0]["id"].as_str().expect("id").to_owned();

    // Someone else cannot mark it read, by the API or the page.
    let other = app.demo("lanhdao.soctrang").await;
    let r = other
        .post_json(&format!("/api/v1/inbox/{id}/read"), &serde_json::json!({}))
        .await;
    assert_eq!(r.status(), 404);
    let r = other.post_form(&format!("/inbox/{id}/read"), &[]).await;
    assert_eq!(r.status(), 404);
    let inbox = leader.json("/api/v1/inbox").await;
    assert!(registration_items(&inbox)[0]["read_at"].is_null());

    // The owner can: opening it leads to the subject.
    let unread = inbox["unread"].as_i64().expect("unread");
    let r = leader
        .post_form(&format!("/inbox/{id}/read"), &[("next", "subject")])
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().expect("location");
    assert!(to.ends_with("/registration"), "{to}");
    let inbox = leader.json("/api/v1/inbox").await;
    assert!(!registration_items(&inbox)[0]["read_at"].is_null());
    assert_eq!(inbox["unread"].as_i64(), Some(unread - 1));
    let r = leader
        .post_json(&format!("/api/v1/inbox/{id}/read"), &serde_json::json!({}))
        .await;
    assert_eq!(r.status(), 200, "marking read again is harmless");

    // Bad input: an unknown kind or address is refused whole.
    let r = leader
        .put_json(
            "/api/v1/account/notification-prefs",
            &serde_json::json!({ "email": "x@y.vn", "prefs": [{ "kind": "nope", "email": true }] }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = leader
        .put_json(
            "/api/v1/account/notification-prefs",
            &serde_json::json!({ "email": "not an address", "prefs": [] }),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        leader.json("/api/v1/account/notification-prefs").await["email"],
        "lanhdao@travinh.test"
    );
    let r = leader
        .post_form("/account/notifications", &[("email", "sai địa chỉ")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(html.contains("Địa chỉ thư điện tử không hợp lệ"), "{html}");

    // The page saves: e-mail back on for registration deadlines.
    let r = leader
        .post_form(
            "/account/notifications",
            &[
                ("email", "lanhdao@travinh.test"),
                ("email_deadline_registration", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = leader.get("/account/notifications?done=1").await;
    assert_eq!(page.status(), 200);
    let prefs = leader.json("/api/v1/account/notification-prefs").await;
    let on: Vec<_> = prefs["prefs"]
        .as_array()
        .expect("prefs")
        .iter()
        .filter(|p| p["email"] == true)
        .map(|p| p["kind"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(on, vec!["deadline_registration".to_owned()]);

    // Signed out: nothing.
    let anon = common::client();
    let r = anon
        .get(app.url("/api/v1/inbox"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
}
