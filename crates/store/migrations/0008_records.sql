-- People's yearly records, and the register of initiatives and exemplary models that
-- eligibility reads. Same portability rules as 0001: text ids, BIGINT, dates as ISO text.

-- One record per person and year: rating (xếp loại), the heaviest discipline in the year
-- (form and dates), one long absence, and the start date in the unit. The unit is the one
-- the person belonged to when the record was entered. Changes are kept in the audit trail.
CREATE TABLE person_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    record_year BIGINT NOT NULL,
    -- excellent, good, completed, not_completed; NULL until the year is rated
    rating TEXT,
    started_on TEXT,
    -- reprimand, warning, salary_reduction, demotion, dismissal, forced_resignation
    discipline_form TEXT,
    discipline_from TEXT,
    discipline_to TEXT,
    absence_from TEXT,
    absence_to TEXT,
    absence_reason TEXT,
    note TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX person_records_one ON person_records (person_id, record_year);
CREATE INDEX person_records_unit ON person_records (unit_id, record_year);

-- Initiatives (sáng kiến): proposed by their unit, then recognised with a scope of effect
-- (unit, sector, national) by a body, a document and a date.
CREATE TABLE initiatives (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    initiative_year BIGINT NOT NULL,
    title TEXT NOT NULL,
    search_key TEXT NOT NULL,
    summary TEXT,
    -- proposed, recognised
    status TEXT NOT NULL,
    scope TEXT,
    recognised_body TEXT,
    document_number TEXT,
    recognised_on TEXT,
    recognised_by TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX initiatives_unit ON initiatives (unit_id, initiative_year);

CREATE TABLE initiative_authors (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (initiative_id, person_id)
);
CREATE INDEX initiative_authors_person ON initiative_authors (person_id);

-- Exemplary collectives and people (điển hình tiên tiến) and new models (mô hình mới), with
-- their story.
CREATE TABLE exemplars (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    person_id TEXT REFERENCES people (id),
    -- collective, person, model
    kind TEXT NOT NULL,
    exemplar_year BIGINT NOT NULL,
    name TEXT NOT NULL,
    story TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX exemplars_unit ON exemplars (unit_id, exemplar_year);
