-- Reminders and notifications: a person's inbox, their e-mail choice per kind, and the
-- e-mail outbox the background sender drains. Same portability rules as 0001.

-- Where a person's e-mail goes; NULL: no e-mail, the inbox only.
ALTER TABLE users ADD COLUMN email TEXT;

-- One row per person and thing to do or know. The message is a translation key with its
-- arguments, so each person reads it in their own language. dedupe_key names the trigger
-- (e.g. "reg:<year>:<deadline>:7"): the unique index makes a reminder exist once even when
-- two servers scan at the same moment.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    message_key TEXT NOT NULL,
    args_json TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, kind, dedupe_key);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at);

-- A person's choice of e-mail per kind; no row: the kind's default.
CREATE TABLE notification_prefs (
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    email BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- E-mails to send. status: queued, sent, failed (gave up after the last attempt). subject
-- and body are written when the mail is rendered for sending, in the recipient's language.
CREATE TABLE email_outbox (
    id TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    to_addr TEXT NOT NULL,
    subject TEXT,
    body TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    claimed_until TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE UNIQUE INDEX email_outbox_notification ON email_outbox (notification_id);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
