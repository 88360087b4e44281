-- PAdES signatures on official PDFs (docs/security.md, "Signatures").

-- The trust list: certification authorities whose signatures the council accepts. A demo CA
-- (`demo` = 1) is trusted only by a server started with --demo.
CREATE TABLE trust_anchors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    cert BYTEA NOT NULL,
    demo BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

-- Certificates that sign for their owners: a PKCS#12 keystore, encrypted under its owner's
-- password by PKCS#12 itself, so the server can sign only when the owner types it.
CREATE TABLE signing_certificates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    subject TEXT NOT NULL,
    p12 BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX signing_certificates_user ON signing_certificates (user_id, created_at);

-- The signed PDF of an adopted version: the bytes issued once, then one PAdES signature per
-- member appended as an incremental update. `signatures` guards concurrent signers: each
-- append names the count it started from.
CREATE TABLE version_pdfs (
    document_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    pdf BYTEA NOT NULL,
    issued_sha256 TEXT NOT NULL,
    signatures BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (document_id, version),
    FOREIGN KEY (document_id, version) REFERENCES document_versions (document_id, version)
);
