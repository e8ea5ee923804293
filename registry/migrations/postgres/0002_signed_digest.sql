-- The SHA-256 of the bytes a document's final signature covers, as in the
-- SQLite schema of the same version. The whole-file hash in document_sha256
-- changes when anything in the unsigned /Contents gap changes (hex case,
-- unsigned CMS attributes, extra certificates); this digest does not, so
-- lookups by it find the credential whatever was done to that gap.
--
-- Rows issued before this migration have no signed digest and keep NULL;
-- the registry requires it for every new credential.

ALTER TABLE credentials ADD COLUMN signed_sha256 TEXT COLLATE "C"
    CHECK (signed_sha256 IS NULL OR signed_sha256 ~ '^[0-9a-f]{64}$');

CREATE UNIQUE INDEX credentials_signed_sha256 ON credentials (signed_sha256) WHERE signed_sha256 IS NOT NULL;

-- The signed digest is part of what was issued: recreate the trigger so that
-- it covers the new column. A NULL left by an older row stays NULL.
DROP TRIGGER credentials_issued_fields_immutable ON credentials;

CREATE TRIGGER credentials_issued_fields_immutable
BEFORE UPDATE OF id, kind, layout_version, public, serial, document_sha256,
                 signed_sha256, supersedes, issued_at, issuer, created_at ON credentials
FOR EACH ROW EXECUTE FUNCTION kyso_refuse('issued credential fields are immutable');
