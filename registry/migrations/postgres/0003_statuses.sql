-- Statuses change only along the registry's own transitions, and the two
-- credentials of a supersession point at each other, as in the SQLite
-- schema of the same version:
--
--   valid      -> revoked     (revocation)
--   valid      -> superseded  (superseded_by set to a valid credential of
--                              the same kind that replaces nothing yet)
--   superseded -> revoked     (superseded_by kept)
--
-- Revoked is final. Every change needs a reason and may not take effect
-- before the previous one. A credential records what it supersedes once,
-- while it is valid, and only after the credential it replaces points back
-- at it. New credentials are issued valid, with no links.
--
-- The checks test "IS NOT TRUE" so that a NULL anywhere refuses.

-- supersedes leaves the list of immutable columns: Supersede sets it once on
-- the replacement, under credentials_supersedes_once.
DROP TRIGGER credentials_issued_fields_immutable ON credentials;

CREATE TRIGGER credentials_issued_fields_immutable
BEFORE UPDATE OF id, kind, layout_version, public, serial, document_sha256,
                 signed_sha256, issued_at, issuer, created_at ON credentials
FOR EACH ROW EXECUTE FUNCTION kyso_refuse('issued credential fields are immutable');

CREATE FUNCTION credentials_check_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.status = 'valid' AND NEW.status_reason = ''
        AND NEW.supersedes IS NULL AND NEW.superseded_by IS NULL) IS NOT TRUE THEN
        RAISE EXCEPTION 'a credential is issued valid, with no reason and no links'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER credentials_issued_valid
BEFORE INSERT ON credentials
FOR EACH ROW EXECUTE FUNCTION credentials_check_insert();

CREATE FUNCTION credentials_check_status_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.status_reason <> '' AND NEW.status_changed_at >= OLD.status_changed_at AND (
            (OLD.status = 'valid' AND NEW.status = 'revoked' AND NEW.superseded_by IS NULL)
         OR (OLD.status = 'superseded' AND NEW.status = 'revoked'
             AND NEW.superseded_by IS NOT DISTINCT FROM OLD.superseded_by)
         OR (OLD.status = 'valid' AND NEW.status = 'superseded' AND OLD.superseded_by IS NULL
             AND EXISTS (SELECT 1 FROM credentials r
                         WHERE r.id = NEW.superseded_by AND r.id <> OLD.id AND r.kind = OLD.kind
                           AND r.status = 'valid' AND r.supersedes IS NULL))
        )) IS NOT TRUE THEN
        RAISE EXCEPTION 'status change not allowed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER credentials_status_change
BEFORE UPDATE OF status, status_reason, status_changed_at, superseded_by ON credentials
FOR EACH ROW EXECUTE FUNCTION credentials_check_status_change();

CREATE FUNCTION credentials_check_supersedes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.supersedes IS NULL AND OLD.status = 'valid' AND NEW.status = 'valid'
        AND EXISTS (SELECT 1 FROM credentials o
                    WHERE o.id = NEW.supersedes AND o.superseded_by = OLD.id)) IS NOT TRUE THEN
        RAISE EXCEPTION 'supersedes is set once, when this credential replaces another'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER credentials_supersedes_once
BEFORE UPDATE OF supersedes ON credentials
FOR EACH ROW EXECUTE FUNCTION credentials_check_supersedes();
