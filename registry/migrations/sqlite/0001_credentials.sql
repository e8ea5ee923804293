-- Issued credentials and their audit log. Records are kept forever: the
-- triggers below make deleting a credential, rewriting what was issued, or
-- touching the audit log fail, whoever tries.
--
-- Times are UTC text in one fixed-width layout (2006-01-02T15:04:05.000000000Z)
-- so that they sort as text; hashes are lower-case hex.

CREATE TABLE credentials (
    id                TEXT PRIMARY KEY CHECK (length(id) = 21),
    kind              TEXT NOT NULL CHECK (kind <> ''),
    layout_version    TEXT NOT NULL CHECK (layout_version <> ''),
    public            TEXT NOT NULL CHECK (json_valid(public) AND json_type(public) = 'object'),
    serial            TEXT CHECK (serial IS NULL OR serial <> ''),
    document_sha256   TEXT NOT NULL UNIQUE CHECK (length(document_sha256) = 64),
    status            TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    status_reason     TEXT NOT NULL DEFAULT '',
    status_changed_at TEXT NOT NULL,
    supersedes        TEXT REFERENCES credentials (id),
    superseded_by     TEXT REFERENCES credentials (id),
    issued_at         TEXT NOT NULL,
    issuer            TEXT NOT NULL CHECK (issuer <> ''),
    created_at        TEXT NOT NULL
) STRICT;

-- A serial number identifies one document of a kind; it makes issuance
-- idempotent. Credentials without a serial are not constrained.
CREATE UNIQUE INDEX credentials_kind_serial ON credentials (kind, serial) WHERE serial IS NOT NULL;

CREATE INDEX credentials_supersedes ON credentials (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL CHECK (actor <> ''),
    action        TEXT NOT NULL CHECK (action <> ''),
    credential_id TEXT REFERENCES credentials (id),
    detail        TEXT NOT NULL CHECK (json_valid(detail) AND json_type(detail) = 'object')
) STRICT;

CREATE INDEX audit_log_credential ON audit_log (credential_id, seq);

CREATE TRIGGER credentials_no_delete
BEFORE DELETE ON credentials
BEGIN
    SELECT RAISE(ABORT, 'credentials are never deleted');
END;

-- What was issued stays as issued. Only the status columns and
-- superseded_by may change, through the registry's own operations.
CREATE TRIGGER credentials_issued_fields_immutable
BEFORE UPDATE OF id, kind, layout_version, public, serial, document_sha256,
                 supersedes, issued_at, issuer, created_at ON credentials
BEGIN
    SELECT RAISE(ABORT, 'issued credential fields are immutable');
END;

CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
