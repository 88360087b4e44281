-- Scoring (chấm điểm, xếp loại thi đua): the criteria scheme of a council year and kind of
-- unit, each unit's self-assessment and the reviewers' adjustments. Same portability rules as
-- 0001: text ids, BIGINT, no enums, sequences or triggers.

-- One scheme per council year and kind of unit. status: draft (editable), open (the year's
-- assessment is open: the scheme is frozen), published (results visible to the group).
CREATE TABLE scoring_schemes (
    id TEXT PRIMARY KEY,
    year_id TEXT NOT NULL REFERENCES emulation_years (id),
    unit_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The current content version; every save writes a new scheme_versions row.
    version BIGINT NOT NULL,
    copied_from TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX scoring_schemes_year_kind ON scoring_schemes (year_id, unit_kind);

-- Written once per save: the scheme as it stood, in its serde JSON form.
CREATE TABLE scheme_versions (
    scheme_id TEXT NOT NULL REFERENCES scoring_schemes (id),
    version BIGINT NOT NULL,
    content_json TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (scheme_id, version)
);

-- A unit's self-assessment under a scheme: what it entered (points, occurrences, indicator
-- counts) and its comments per leaf. status: draft, submitted (read-only for the unit).
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    scheme_id TEXT NOT NULL REFERENCES scoring_schemes (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    status TEXT NOT NULL,
    input_json TEXT NOT NULL,
    comments_json TEXT NOT NULL,
    submitted_by TEXT,
    submitted_at TEXT,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX assessments_scheme_unit ON assessments (scheme_id, unit_id);
CREATE INDEX assessments_unit ON assessments (unit_id);

-- Reviewers' adjustments, kept for good: the latest per leaf (council over group) counts.
-- points in hundredths.
CREATE TABLE score_adjustments (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    leaf_code TEXT NOT NULL,
    -- group (the group's head) or council
    stage TEXT NOT NULL,
    points BIGINT NOT NULL,
    reason TEXT NOT NULL,
    adjusted_by TEXT NOT NULL,
    adjusted_at TEXT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE UNIQUE INDEX score_adjustments_seq ON score_adjustments (assessment_id, seq);
