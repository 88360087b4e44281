-- Evidence files of a self-assessment (tài liệu chứng minh), per criterion. Kept for good: a
-- file the unit withdraws while the assessment is a draft is marked removed, not deleted.
-- Same portability rules as 0001.
CREATE TABLE assessment_evidence (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    leaf_code TEXT NOT NULL,
    file_id TEXT NOT NULL REFERENCES files (id),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    removed_by TEXT,
    removed_at TEXT
);
CREATE INDEX assessment_evidence_assessment ON assessment_evidence (assessment_id);
