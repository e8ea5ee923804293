-- Statuses change only along the registry's own transitions, and the two
-- credentials of a supersession point at each other:
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
-- A WHEN clause that evaluates to NULL does not fire its trigger, so the
-- conditions below are written as "(allowed) IS NOT 1".

-- supersedes leaves the list of immutable columns: Supersede sets it once on
-- the replacement, under credentials_supersedes_once.
DROP TRIGGER credentials_issued_fields_immutable;

CREATE TRIGGER credentials_issued_fields_immutable
BEFORE UPDATE OF id, kind, layout_version, public, serial, document_sha256,
                 signed_sha256, issued_at, issuer, created_at ON credentials
BEGIN
    SELECT RAISE(ABORT, 'issued credential fields are immutable');
END;

CREATE TRIGGER credentials_issued_valid
BEFORE INSERT ON credentials
WHEN (NEW.status = 'valid' AND NEW.status_reason = ''
      AND NEW.supersedes IS NULL AND NEW.superseded_by IS NULL) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'a credential is issued valid, with no reason and no links');
END;

CREATE TRIGGER credentials_status_change
BEFORE UPDATE OF status, status_reason, status_changed_at, superseded_by ON credentials
WHEN (NEW.status_reason <> '' AND NEW.status_changed_at >= OLD.status_changed_at AND (
        (OLD.status = 'valid' AND NEW.status = 'revoked' AND NEW.superseded_by IS NULL)
     OR (OLD.status = 'superseded' AND NEW.status = 'revoked' AND NEW.superseded_by IS OLD.superseded_by)
     OR (OLD.status = 'valid' AND NEW.status = 'superseded' AND OLD.superseded_by IS NULL
         AND EXISTS (SELECT 1 FROM credentials r
                     WHERE r.id = NEW.superseded_by AND r.id <> OLD.id AND r.kind = OLD.kind
                       AND r.status = 'valid' AND r.supersedes IS NULL))
     )) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'status change not allowed');
END;

CREATE TRIGGER credentials_supersedes_once
BEFORE UPDATE OF supersedes ON credentials
WHEN (OLD.supersedes IS NULL AND OLD.status = 'valid' AND NEW.status = 'valid'
      AND EXISTS (SELECT 1 FROM credentials o
                  WHERE o.id = NEW.supersedes AND o.superseded_by = OLD.id)) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'supersedes is set once, when this credential replaces another');
END;
