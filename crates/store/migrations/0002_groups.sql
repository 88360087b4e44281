-- Councils, emulation years, legal documents, groups (clusters and blocks), conferences and
-- elections. Same portability rules as 0001.

CREATE TABLE files (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE legal_documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    doc_date TEXT,
    issuer TEXT NOT NULL,
    title TEXT NOT NULL,
    file_id TEXT REFERENCES files (id),
    search_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
-- Numbers restart every year, so the date is part of a document's identity.
CREATE UNIQUE INDEX legal_documents_number ON legal_documents (number, issuer, doc_date);

CREATE TABLE councils (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX councils_unit ON councils (unit_id);

CREATE TABLE emulation_years (
    id TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils (id),
    year BIGINT NOT NULL,
    theme TEXT NOT NULL,
    motto TEXT NOT NULL,
    registration_deadline TEXT,
    self_assessment_deadline TEXT,
    review_deadline TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX emulation_years_council ON emulation_years (council_id, year);

CREATE TABLE year_documents (
    year_id TEXT NOT NULL REFERENCES emulation_years (id),
    document_id TEXT NOT NULL REFERENCES legal_documents (id),
    PRIMARY KEY (year_id, document_id)
);

CREATE TABLE emulation_groups (
    id TEXT PRIMARY KEY,
    year_id TEXT NOT NULL REFERENCES emulation_years (id),
    kind TEXT NOT NULL,
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    follower TEXT,
    follower_person_id TEXT REFERENCES people (id),
    head_unit_id TEXT REFERENCES units (id),
    deputy_unit_id TEXT REFERENCES units (id),
    head_basis TEXT,
    deputy_basis TEXT,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX emulation_groups_number ON emulation_groups (year_id, kind, number);

-- One group per unit per council and year, enforced by the database itself.
CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES emulation_groups (id),
    year_id TEXT NOT NULL REFERENCES emulation_years (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    PRIMARY KEY (group_id, unit_id)
);
CREATE UNIQUE INDEX group_members_one_per_year ON group_members (year_id, unit_id);
CREATE INDEX group_members_unit ON group_members (unit_id);

CREATE TABLE group_predecessors (
    group_id TEXT NOT NULL REFERENCES emulation_groups (id),
    predecessor_id TEXT NOT NULL REFERENCES emulation_groups (id),
    PRIMARY KEY (group_id, predecessor_id)
);
CREATE INDEX group_predecessors_pred ON group_predecessors (predecessor_id);

CREATE TABLE conferences (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES emulation_groups (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    host_unit_id TEXT NOT NULL REFERENCES units (id),
    venue TEXT NOT NULL,
    mode TEXT NOT NULL,
    agenda TEXT NOT NULL,
    minutes TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX conferences_group ON conferences (group_id, starts_at);

CREATE TABLE bridge_points (
    id TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL REFERENCES conferences (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    place TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX bridge_points_conf ON bridge_points (conference_id, position);

CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL REFERENCES conferences (id),
    person_id TEXT REFERENCES people (id),
    name TEXT NOT NULL,
    unit_id TEXT REFERENCES units (id),
    role TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX participants_conf ON participants (conference_id, position);

CREATE TABLE conference_files (
    conference_id TEXT NOT NULL REFERENCES conferences (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    PRIMARY KEY (conference_id, file_id)
);

CREATE TABLE elections (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES emulation_groups (id),
    conference_id TEXT REFERENCES conferences (id),
    office TEXT NOT NULL,
    method TEXT NOT NULL,
    rule_json TEXT NOT NULL,
    round BIGINT NOT NULL,
    previous_id TEXT REFERENCES elections (id),
    members BIGINT NOT NULL,
    status TEXT NOT NULL,
    result_json TEXT,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    version BIGINT NOT NULL
);
CREATE INDEX elections_group ON elections (group_id, opened_at);

CREATE TABLE election_candidates (
    election_id TEXT NOT NULL REFERENCES elections (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (election_id, unit_id)
);

-- Who voted. The primary key is what makes a second ballot from one unit impossible, also
-- when two arrive at the same instant.
CREATE TABLE election_voters (
    election_id TEXT NOT NULL REFERENCES elections (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (election_id, unit_id)
);

-- What was chosen. For a secret ballot nothing here links a ballot to its voter: the id is
-- random and there is no time; the receipt lets the voter find their own ballot.
CREATE TABLE ballots (
    id TEXT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections (id),
    receipt TEXT NOT NULL,
    choice_unit_id TEXT REFERENCES units (id),
    voter_unit_id TEXT REFERENCES units (id),
    counted BIGINT NOT NULL
);
CREATE UNIQUE INDEX ballots_receipt ON ballots (election_id, receipt);
