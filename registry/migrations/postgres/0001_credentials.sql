-- Issued credentials and their audit log, as in the SQLite schema of the
-- same version. Records are kept forever: the triggers below make deleting
-- a credential, rewriting what was issued, or touching the audit log fail,
-- whoever tries. TRUNCATE, which skips row triggers in PostgreSQL, has its
-- own statement triggers.
--
-- Times are UTC text in one fixed-width layout (2006-01-02T15:04:05.000000000Z)
-- rather than timestamptz: the registry keeps nanoseconds, timestamptz only
-- microseconds, and both backends must give back the instant they were
-- given. Identifiers, hashes and times use the "C" collation so that they
-- compare and sort byte by byte whatever the database's locale.

CREATE FUNCTION kyso_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TABLE credentials (
    id                TEXT COLLATE "C" PRIMARY KEY CHECK (length(id) = 21),
    kind              TEXT NOT NULL CHECK (kind <> ''),
    layout_version    TEXT NOT NULL CHECK (layout_version <> ''),
    public            JSONB NOT NULL CHECK (jsonb_typeof(public) = 'object'),
    serial            TEXT CHECK (serial IS NULL OR serial <> ''),
    document_sha256   TEXT COLLATE "C" NOT NULL UNIQUE CHECK (length(document_sha256) = 64),
    status            TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    status_reason     TEXT NOT NULL DEFAULT '',
    status_changed_at TEXT COLLATE "C" NOT NULL,
    supersedes        TEXT COLLATE "C" REFERENCES credentials (id),
    superseded_by     TEXT COLLATE "C" REFERENCES credentials (id),
    issued_at         TEXT COLLATE "C" NOT NULL,
    issuer            TEXT NOT NULL CHECK (issuer <> ''),
    created_at        TEXT COLLATE "C" NOT NULL
);

-- A serial number identifies one document of a kind; it makes issuance
-- idempotent. Credentials without a serial are not constrained.
CREATE UNIQUE INDEX credentials_kind_serial ON credentials (kind, serial) WHERE serial IS NOT NULL;

CREATE INDEX credentials_supersedes ON credentials (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE audit_log (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            TEXT COLLATE "C" NOT NULL,
    actor         TEXT NOT NULL CHECK (actor <> ''),
    action        TEXT NOT NULL CHECK (action <> ''),
    credential_id TEXT COLLATE "C" REFERENCES credentials (id),
    detail        JSONB NOT NULL CHECK (jsonb_typeof(detail) = 'object')
);

CREATE INDEX audit_log_credential ON audit_log (credential_id, seq);

CREATE TRIGGER credentials_no_delete
BEFORE DELETE ON credentials
FOR EACH ROW EXECUTE FUNCTION kyso_refuse('credentials are never deleted');

CREATE TRIGGER credentials_no_truncate
BEFORE TRUNCATE ON credentials
FOR EACH STATEMENT EXECUTE FUNCTION kyso_refuse('credentials are never deleted');

-- What was issued stays as issued. Only the status columns and
-- superseded_by may change, through the registry's own operations.
CREATE TRIGGER credentials_issued_fields_immutable
BEFORE UPDATE OF id, kind, layout_version, public, serial, document_sha256,
                 supersedes, issued_at, issuer, created_at ON credentials
FOR EACH ROW EXECUTE FUNCTION kyso_refuse('issued credential fields are immutable');

CREATE TRIGGER audit_log_no_update
BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION kyso_refuse('the audit log is append-only');

CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION kyso_refuse('the audit log is append-only');

CREATE TRIGGER audit_log_no_truncate
BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION kyso_refuse('the audit log is append-only');
