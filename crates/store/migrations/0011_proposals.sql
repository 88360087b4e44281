-- Year end: award proposals (đề nghị khen thưởng) and their dossiers, public consultation,
-- the council's vote and the decisions that put awards into the registry. Same portability
-- rules as 0001.

-- Who sits on a council (thành viên Hội đồng TĐKT): they vote on proposals.
CREATE TABLE council_members (
    council_id TEXT NOT NULL REFERENCES councils (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    position TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (council_id, user_id)
);

-- One proposal: a nominee (a unit, or a person of that unit), a title, a year (through the
-- council's emulation year) and a kind. checks_json keeps every eligibility rule met or
-- failed when it was last checked; the council vote's state sits on the row (one vote per
-- proposal).
CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    year_id TEXT NOT NULL REFERENCES emulation_years (id),
    council_id TEXT NOT NULL REFERENCES councils (id),
    award_year BIGINT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    person_id TEXT REFERENCES people (id),
    title_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    group_id TEXT REFERENCES emulation_groups (id),
    acclaim_election_id TEXT REFERENCES elections (id),
    summary TEXT NOT NULL,
    achievements TEXT NOT NULL,
    checks_json TEXT NOT NULL,
    status TEXT NOT NULL,
    vote_members BIGINT,
    vote_rule_json TEXT,
    vote_result_json TEXT,
    vote_opened_at TEXT,
    vote_closed_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX proposals_year ON proposals (year_id, status);
CREATE INDEX proposals_unit ON proposals (unit_id, award_year);
CREATE INDEX proposals_person ON proposals (person_id, award_year);

-- The workflow's history: every step with who, when and why.
CREATE TABLE proposal_events (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX proposal_events_proposal ON proposal_events (proposal_id, at);

CREATE TABLE proposal_files (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, file_id)
);

-- A public consultation window (lấy ý kiến nhân dân) and the comments it collected.
CREATE TABLE consultations (
    proposal_id TEXT PRIMARY KEY REFERENCES proposals (id),
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    public_summary TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE consultation_comments (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX consultation_comments_proposal ON consultation_comments (proposal_id, created_at);

-- Who voted on a proposal. The primary key makes a second vote by one member impossible,
-- also when both arrive at the same instant.
CREATE TABLE council_voters (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);

-- What was voted: nothing links a ballot to its voter (random id, no time); the receipt
-- lets the voter find their own ballot once the result is published.
CREATE TABLE council_ballots (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    receipt TEXT NOT NULL,
    choice TEXT NOT NULL
);
CREATE UNIQUE INDEX council_ballots_receipt ON council_ballots (proposal_id, receipt);

-- A decision (quyết định khen thưởng). A number is used once by an issuer.
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils (id),
    issuer TEXT NOT NULL,
    number TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    signer TEXT NOT NULL,
    title TEXT NOT NULL,
    file_id TEXT REFERENCES files (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX decisions_number ON decisions (issuer, number);

-- The proposals a decision decides; a proposal is decided once.
CREATE TABLE decision_proposals (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    PRIMARY KEY (decision_id, proposal_id)
);
CREATE UNIQUE INDEX decision_proposals_once ON decision_proposals (proposal_id);

-- The registry row says which decision and proposal it came from (older rows: none).
ALTER TABLE awards ADD COLUMN decision_id TEXT REFERENCES decisions (id);
ALTER TABLE awards ADD COLUMN proposal_id TEXT REFERENCES proposals (id);
