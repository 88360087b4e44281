-- Group documents (plan, pact, regulations, minutes), their versions, adoption and signing.
-- Versions are written once: a change makes a new version, so what was signed never moves.

CREATE TABLE group_documents (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES emulation_groups (id),
    kind TEXT NOT NULL,
    -- For minutes: the conference they record; NULL for the group's yearly documents.
    conference_id TEXT REFERENCES conferences (id),
    -- kind, or "minutes:<conference id>": one document per slot and group.
    slot TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    adopted_version BIGINT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX group_documents_slot ON group_documents (group_id, slot);

CREATE TABLE document_versions (
    document_id TEXT NOT NULL REFERENCES group_documents (id),
    version BIGINT NOT NULL,
    content_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    verification_code TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    -- draft, adopted, superseded
    status TEXT NOT NULL,
    adopted_at TEXT,
    adopted_by TEXT REFERENCES users (id),
    adopted_conference_id TEXT REFERENCES conferences (id),
    adoption_note TEXT,
    PRIMARY KEY (document_id, version)
);
CREATE UNIQUE INDEX document_versions_code ON document_versions (verification_code);

-- A signer's Ed25519 key, its secret sealed under the signer's password. One active key per
-- user; a key retired by a password reset stays, so older signatures still name it.
CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    public_key TEXT NOT NULL,
    sealed_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX signing_keys_user ON signing_keys (user_id, created_at);
CREATE UNIQUE INDEX signing_keys_public ON signing_keys (public_key);

-- One signature per unit and version: the key refuses a second one, also when two arrive at
-- the same instant.
CREATE TABLE document_signatures (
    document_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    signer_name TEXT NOT NULL,
    signer_title TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES signing_keys (id),
    public_key TEXT NOT NULL,
    statement_json TEXT NOT NULL,
    signature TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (document_id, version, unit_id),
    FOREIGN KEY (document_id, version) REFERENCES document_versions (document_id, version)
);

CREATE TABLE document_reminders (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES group_documents (id),
    version BIGINT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    sent_by TEXT NOT NULL REFERENCES users (id),
    sent_at TEXT NOT NULL
);
CREATE INDEX document_reminders_unit ON document_reminders (unit_id, sent_at);

-- A council's own starting text for a kind of document; placeholders {year}, {group},
-- {theme}, {motto} are filled in when a group starts its document.
CREATE TABLE document_templates (
    council_id TEXT NOT NULL REFERENCES councils (id),
    kind TEXT NOT NULL,
    content_json TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (council_id, kind)
);
