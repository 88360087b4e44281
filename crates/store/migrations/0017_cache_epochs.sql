-- Read-cache epochs (see store/src/cache.rs). `global_seq` is the audit sequence of the last
-- write that may touch anything; it moves with every write except the narrow ones (a ballot,
-- a self-assessment save, a sign-in), which move only their own scope's row below. A cached
-- read is valid while the epochs it depends on have not moved, whichever server wrote.
ALTER TABLE audit_head ADD COLUMN global_seq BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET global_seq = seq;
CREATE TABLE cache_epochs (
    scope TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);
