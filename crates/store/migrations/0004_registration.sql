-- Title registration (đăng ký danh hiệu thi đua) and the awards registry its eligibility
-- looks back on. Same portability rules as 0001.

-- The awards registry (sổ khen thưởng): the minimal record of a title awarded to a unit or a
-- person; later work (decisions, proposals) extends it. Awards are kept for good.
CREATE TABLE awards (
    id TEXT PRIMARY KEY,
    award_year BIGINT NOT NULL,
    title_code TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units (id),
    person_id TEXT REFERENCES people (id),
    decision_number TEXT,
    decision_date TEXT,
    issuer TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX awards_unit ON awards (unit_id, award_year);
CREATE INDEX awards_person ON awards (person_id, award_year);

-- Facts about a person that eligibility needs besides awards: recruitment date, discipline
-- (reprimand or above) in a year, an initiative recognised in a year.
CREATE TABLE person_facts (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    kind TEXT NOT NULL,
    fact_year BIGINT,
    fact_date TEXT,
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX person_facts_person ON person_facts (person_id, kind);

-- One registration window per council year: the deadline, and a reopening by the council's
-- secretariat (until when, by whom, why). History of changes is in the audit trail.
CREATE TABLE registration_windows (
    year_id TEXT PRIMARY KEY REFERENCES emulation_years (id),
    deadline TEXT,
    reopened_until TEXT,
    reopened_by TEXT,
    reopen_reason TEXT,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Registrations. person_key is the person id or '-' for the unit's collective title, and
-- live_key is 'live' until the registration is withdrawn (then its own id): the unique index
-- lets one live registration per (year, unit, person, kind of title), also under concurrent
-- submissions, while withdrawn ones stay as history.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    year_id TEXT NOT NULL REFERENCES emulation_years (id),
    group_id TEXT REFERENCES emulation_groups (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    person_id TEXT REFERENCES people (id),
    person_key TEXT NOT NULL,
    title_code TEXT NOT NULL,
    title_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    flags_json TEXT NOT NULL,
    live_key TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    withdrawn_by TEXT,
    withdrawn_at TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX registrations_one_live ON registrations (year_id, unit_id, person_key, title_kind, live_key);
CREATE INDEX registrations_group ON registrations (group_id, status);
CREATE INDEX registrations_unit ON registrations (unit_id, year_id);
