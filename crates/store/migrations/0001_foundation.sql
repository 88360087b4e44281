-- Portable schema: runs unchanged on SQLite and PostgreSQL (and Postgres-compatible
-- distributed engines). Keys are UUIDv7 text, integers are BIGINT, dates are ISO text
-- (yyyy-mm-dd), instants are RFC 3339 UTC text. No sequences, triggers or procedures.

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT,
    parent_id TEXT REFERENCES units (id),
    valid_from TEXT,
    valid_to TEXT,
    search_key TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX units_code ON units (code);
CREATE INDEX units_parent ON units (parent_id, sort_key);
CREATE INDEX units_sort ON units (sort_key, code);
CREATE INDEX units_kind ON units (kind, sort_key);

CREATE TABLE lineage_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    event_date TEXT NOT NULL,
    document TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE lineage_links (
    event_id TEXT NOT NULL REFERENCES lineage_events (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    side TEXT NOT NULL,
    PRIMARY KEY (event_id, unit_id, side)
);
CREATE INDEX lineage_links_unit ON lineage_links (unit_id);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    valid_from TEXT,
    valid_to TEXT,
    search_key TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_unit ON people (unit_id, sort_key);
CREATE INDEX people_sort ON people (sort_key);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL,
    lang TEXT NOT NULL,
    unit_id TEXT REFERENCES units (id),
    failed_logins BIGINT NOT NULL,
    locked_until TEXT,
    disabled BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    scope_unit_id TEXT REFERENCES units (id),
    scope_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- scope_key is the scope unit id or '*': a unique index over nullable columns would not
-- catch duplicates of system-wide grants.
CREATE UNIQUE INDEX grants_unique ON grants (user_id, role, scope_key);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT,
    address TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_events (entity, entity_id);
CREATE INDEX audit_actor ON audit_events (actor, seq);

-- The chain head: one row, updated first in every writing transaction's audit step so that
-- concurrent writers append to the chain one after the other.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE app_meta (
    meta_key TEXT PRIMARY KEY,
    meta_value TEXT NOT NULL
);
