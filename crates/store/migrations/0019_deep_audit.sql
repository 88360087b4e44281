-- The deep audit (store/src/deep.rs): each audit event of a registered entity carries the
-- SHA-256 of that entity's stored rows right after its transaction, chained into the event's
-- hash when present. Rows written before this migration have none.
ALTER TABLE audit_events ADD COLUMN data_hash TEXT;

-- A document's digest reads its reminders by document.
CREATE INDEX document_reminders_document ON document_reminders (document_id);
