-- Emulation movements (phong trào thi đua), their legal basis and who joined them for which
-- year. Same portability rules as 0001: text ids, BIGINT, no enums, sequences or triggers.

CREATE TABLE movements (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    theme TEXT NOT NULL,
    -- government, sector, council
    level TEXT NOT NULL,
    -- regular (yearly, "thường xuyên") or themed
    kind TEXT NOT NULL,
    period_from BIGINT NOT NULL,
    -- NULL: ongoing
    period_to BIGINT,
    -- draft, active, closed
    status TEXT NOT NULL,
    -- The council that launched it (or, for a Government movement, that carries it out).
    council_id TEXT NOT NULL REFERENCES councils (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX movements_period ON movements (period_from, period_to);
CREATE INDEX movements_council ON movements (council_id);

CREATE TABLE movement_bases (
    movement_id TEXT NOT NULL REFERENCES movements (id),
    document_id TEXT NOT NULL REFERENCES legal_documents (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (movement_id, document_id)
);

-- Either a group or a unit joins, for one year. The unique indexes make a second join of
-- the same group or unit for the same year impossible, also when two arrive at once (NULLs
-- are distinct in unique indexes on both engines, so unit rows do not collide on group_id).
CREATE TABLE movement_participants (
    id TEXT PRIMARY KEY,
    movement_id TEXT NOT NULL REFERENCES movements (id),
    year BIGINT NOT NULL,
    group_id TEXT REFERENCES emulation_groups (id),
    unit_id TEXT REFERENCES units (id),
    joined_at TEXT NOT NULL,
    joined_by TEXT NOT NULL,
    CHECK ((group_id IS NULL) <> (unit_id IS NULL))
);
CREATE UNIQUE INDEX movement_participants_group ON movement_participants (movement_id, year, group_id);
CREATE UNIQUE INDEX movement_participants_unit ON movement_participants (movement_id, year, unit_id);
CREATE INDEX movement_participants_group_id ON movement_participants (group_id);
CREATE INDEX movement_participants_unit_id ON movement_participants (unit_id);
