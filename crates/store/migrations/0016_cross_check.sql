-- A group that cross-checks (chấm chéo): its member units' leaders review each other's
-- self-assessments at the group stage, besides the head and deputy. 0 or 1.
ALTER TABLE emulation_groups ADD COLUMN cross_check BIGINT NOT NULL DEFAULT 0;
