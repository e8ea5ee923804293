-- Organisations: schools and the Sở (provincial departments) they belong to.
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('school', 'department')),
    name       TEXT NOT NULL,
    parent     TEXT REFERENCES orgs(id),
    created_at TEXT NOT NULL
);

-- Staff accounts. roles is a space-separated list of Role values.
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    key_kind      TEXT NOT NULL DEFAULT '' CHECK (key_kind IN ('', 'hsm', 'usb')),
    key_uri       TEXT NOT NULL DEFAULT '',
    certificates  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

-- What a teacher is assigned to teach or lead in a school year.
CREATE TABLE assignments (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    role        TEXT NOT NULL,
    school_year TEXT NOT NULL,
    class       TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, role, school_year, class, subject)
);
CREATE INDEX assignments_class ON assignments (school_year, class, role, subject);

-- Web sessions; the cookie holds the token, the table its SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
);

-- API tokens for systems that push data; the table keeps their SHA-256.
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL DEFAULT '',
    revoked_at TEXT NOT NULL DEFAULT '',
    last_used  TEXT NOT NULL DEFAULT ''
);

-- One import of a data file and what came of it.
CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    documents  INTEGER NOT NULL,
    errors     TEXT NOT NULL DEFAULT '[]'
);

-- Documents waiting for, or done with, their signers. id is the credential
-- ID printed in the document's QR code. pdf is the document as signed so far.
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    school_year TEXT NOT NULL DEFAULT '',
    class       TEXT NOT NULL DEFAULT '',
    doc_key     TEXT NOT NULL,
    title       TEXT NOT NULL,
    layout      TEXT NOT NULL,
    record      BLOB NOT NULL,
    pdf         BLOB NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('waiting', 'signed', 'published', 'superseded')),
    version     INTEGER NOT NULL,
    supersedes  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    import_id   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- One live (not superseded) document per key: a serial, a gradebook, a học bạ year.
CREATE UNIQUE INDEX documents_live_key ON documents (kind, doc_key) WHERE status <> 'superseded';
CREATE INDEX documents_org ON documents (org_id, kind, school_year, class);

-- The signing plan of each document, resolved to accounts.
CREATE TABLE steps (
    document_id TEXT NOT NULL REFERENCES documents(id),
    idx         INTEGER NOT NULL,
    field       TEXT NOT NULL,
    role        TEXT NOT NULL,
    title       TEXT NOT NULL,
    name        TEXT NOT NULL,
    after_fields TEXT NOT NULL DEFAULT '',
    certifies   INTEGER NOT NULL DEFAULT 0,
    locks       INTEGER NOT NULL DEFAULT 0,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    signed_at   TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, idx)
);
CREATE INDEX steps_account ON steps (account_id, signed_at);

-- What was sent to a USB-token holder, so an upload can be matched with it.
CREATE TABLE usb_downloads (
    document_id TEXT NOT NULL REFERENCES documents(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    sent_sha256 TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (document_id, account_id, sent_sha256)
);

-- Every action by staff, systems and the service itself. detail holds
-- identifiers, never personal data, PINs or passwords.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}'
);
