package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kyso-vn/kyso/internal/sqlutil"
	"github.com/kyso-vn/kyso/translog"
)

// Errors of status changes, beside ErrNotFound and ErrReadOnly.
var (
	// ErrStatus means a credential's current status does not allow the
	// change: it is already revoked, already superseded, or cannot serve
	// as a replacement. The error is a *StatusError naming the credential
	// and the problem.
	ErrStatus = errors.New("status change not allowed")
	// ErrInvalidStatusChange means a Revoke or Supersede request is
	// incomplete or malformed (no reason, no actor, no time, a time in the
	// future, a credential replacing itself); nothing was looked up.
	ErrInvalidStatusChange = errors.New("invalid status change")
)

// maxStatusReason is the longest reason accepted, in bytes. The reason is
// public: the verification page shows it.
const maxStatusReason = 1000

// StatusProblem says why a status change was refused.
type StatusProblem int

// Reasons a status change is refused.
const (
	// ProblemAlreadyRevoked: the credential is revoked, which is final;
	// it can be neither revoked again nor superseded.
	ProblemAlreadyRevoked StatusProblem = iota + 1
	// ProblemAlreadySuperseded: the credential has already been replaced
	// by another one.
	ProblemAlreadySuperseded
	// ProblemReplacementNotValid: the replacement is revoked or
	// superseded itself.
	ProblemReplacementNotValid
	// ProblemReplacementOtherKind: the replacement is a different kind of
	// document.
	ProblemReplacementOtherKind
	// ProblemReplacementReplacesAnother: the replacement already replaces
	// another credential; each credential replaces at most one.
	ProblemReplacementReplacesAnother
	// ProblemReplacementOlder: the replacement was issued before the
	// credential it would replace (often the two IDs given the wrong way
	// round).
	ProblemReplacementOlder
	// ProblemBeforeLastChange: the change would take effect before the
	// credential was issued or before its status last changed.
	ProblemBeforeLastChange
)

// String returns a short description of p.
func (p StatusProblem) String() string {
	switch p {
	case ProblemAlreadyRevoked:
		return "is already revoked"
	case ProblemAlreadySuperseded:
		return "is already superseded"
	case ProblemReplacementNotValid:
		return "is not valid, so it cannot replace another credential"
	case ProblemReplacementOtherKind:
		return "is a different kind of document from the one it would replace"
	case ProblemReplacementReplacesAnother:
		return "already replaces another credential"
	case ProblemReplacementOlder:
		return "was issued before the credential it would replace"
	case ProblemBeforeLastChange:
		return "was issued or last changed after the time given for this change"
	}
	return fmt.Sprintf("StatusProblem(%d)", int(p))
}

// StatusError reports a status change refused because of a credential's
// current state. It matches ErrStatus with errors.Is.
type StatusError struct {
	// ID is the credential whose state stands in the way.
	ID ID
	// Status is its current status.
	Status Status
	// Problem says what stands in the way.
	Problem StatusProblem
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("%v: credential %s (%s) %s", ErrStatus, e.ID, e.Status, e.Problem)
}

// Is makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Is(target error) bool { return target == ErrStatus }

// AuditEntry is one row of a credential's audit log.
type AuditEntry struct {
	// Seq orders entries across the whole log; later entries have larger
	// numbers.
	Seq int64
	// At is when the registry recorded the entry, by the store's clock.
	// It can differ from the time a change takes effect (the credential's
	// IssuedAt or StatusChangedAt), which the caller gives: a back-dated
	// change shows as an entry written later than the date it claims.
	At time.Time
	// Actor is who made the change.
	Actor string
	// Action is one of ActionIssue, ActionRevoke, ActionSupersede and
	// ActionReplace.
	Action string
	// CredentialID is the credential the entry is about.
	CredentialID ID
	// Detail holds what the action recorded: hashes and serial for an
	// issue; "reason", "effective_at" and "previous_status" for a status
	// change, with "superseded_by" or "supersedes" naming the other
	// credential of a supersession. It never holds personal data.
	Detail map[string]string
}

// checkText refuses what PostgreSQL cannot store in a text column (NUL,
// invalid UTF-8), so that every backend accepts the same strings.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("field %q is not valid UTF-8", field)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("field %q contains a NUL character", field)
	}
	return nil
}

// checkTime refuses times that do not fit the stored layout's four-digit
// year, so that stored times keep sorting as text.
func checkTime(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("field %q: year %d is outside 1 to 9999", field, y)
	}
	return nil
}

// validateChange checks what Revoke and Supersede need before they touch
// the database.
func validateChange(reason, actor string, at, now time.Time) error {
	switch {
	case strings.TrimSpace(reason) == "":
		return fmt.Errorf("%w: a reason is required", ErrInvalidStatusChange)
	case len(reason) > maxStatusReason:
		return fmt.Errorf("%w: reason of %d bytes, want at most %d", ErrInvalidStatusChange, len(reason), maxStatusReason)
	case actor == "":
		return fmt.Errorf("%w: actor is not set", ErrInvalidStatusChange)
	case at.IsZero():
		return fmt.Errorf("%w: the time of the change is not set", ErrInvalidStatusChange)
	case at.After(now):
		return fmt.Errorf("%w: the change takes effect at %s, after now (%s)", ErrInvalidStatusChange,
			at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	for _, f := range []struct{ name, value string }{{"reason", reason}, {"actor", actor}} {
		if err := checkText(f.name, f.value); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidStatusChange, err)
		}
	}
	if err := checkTime("at", at); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidStatusChange, err)
	}
	return nil
}

// inTx runs fn in a transaction and commits when it returns nil.
func (s *sqlStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlutil.InTx(ctx, s.db, fn)
}

// lockCredentials reads the credentials with the given IDs inside tx and,
// on backends that lock rows, locks them until tx ends. Rows are locked in
// ID order, so two transactions locking the same pair cannot deadlock. An
// ID that names no credential is reported with ErrNotFound.
func (s *sqlStore) lockCredentials(ctx context.Context, tx *sql.Tx, ids ...ID) ([]*Credential, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id.Compact()
	}
	rows, err := tx.QueryContext(ctx, s.dialect.bind(`SELECT `+credentialColumns+` FROM credentials WHERE id IN (`+marks+`) ORDER BY id`+s.dialect.forUpdate), args...)
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	defer rows.Close()
	found := make(map[ID]*Credential, len(ids))
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		found[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	out := make([]*Credential, len(ids))
	for i, id := range ids {
		if out[i] = found[id]; out[i] == nil {
			return nil, fmt.Errorf("credential %s: %w", id, ErrNotFound)
		}
	}
	return out, nil
}

// revoke marks a valid or superseded credential revoked.
func (s *sqlStore) revoke(ctx context.Context, id ID, reason, actor string, at time.Time) error {
	if s.readOnly {
		return ErrReadOnly
	}
	now := s.now()
	if id.IsZero() {
		return fmt.Errorf("%w: no credential ID", ErrInvalidStatusChange)
	}
	if err := validateChange(reason, actor, at, now); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cs, err := s.lockCredentials(ctx, tx, id)
		if err != nil {
			return err
		}
		c := cs[0]
		if c.Status == StatusRevoked {
			return &StatusError{ID: c.ID, Status: c.Status, Problem: ProblemAlreadyRevoked}
		}
		if at.Before(c.StatusChangedAt) {
			return &StatusError{ID: c.ID, Status: c.Status, Problem: ProblemBeforeLastChange}
		}
		if _, err := tx.ExecContext(ctx, s.dialect.bind(`UPDATE credentials SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ?`),
			string(StatusRevoked), reason, formatTime(at), id.Compact()); err != nil {
			return fmt.Errorf("update credential: %w", err)
		}
		detail := map[string]string{"reason": reason, "effective_at": formatTime(at), "previous_status": string(c.Status)}
		if err := s.appendAudit(ctx, tx, now, actor, ActionRevoke, id, detail); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return s.appendLog(ctx, tx, translog.Entry{
			Kind: translog.KindRevoke, CredentialID: id.Compact(),
			DocumentSHA256: c.DocumentSHA256, SignedSHA256: c.SignedSHA256, Time: at,
		})
	})
}

// supersede marks the valid credential oldID superseded by the valid
// credential newID of the same kind, and links the two both ways.
func (s *sqlStore) supersede(ctx context.Context, oldID, newID ID, reason, actor string, at time.Time) error {
	if s.readOnly {
		return ErrReadOnly
	}
	now := s.now()
	switch {
	case oldID.IsZero() || newID.IsZero():
		return fmt.Errorf("%w: no credential ID", ErrInvalidStatusChange)
	case oldID == newID:
		return fmt.Errorf("%w: credential %s cannot replace itself", ErrInvalidStatusChange, oldID)
	}
	if err := validateChange(reason, actor, at, now); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cs, err := s.lockCredentials(ctx, tx, oldID, newID)
		if err != nil {
			return err
		}
		old, repl := cs[0], cs[1]
		switch {
		case old.Status == StatusRevoked:
			return &StatusError{ID: old.ID, Status: old.Status, Problem: ProblemAlreadyRevoked}
		case old.Status == StatusSuperseded:
			return &StatusError{ID: old.ID, Status: old.Status, Problem: ProblemAlreadySuperseded}
		case repl.Status != StatusValid:
			return &StatusError{ID: repl.ID, Status: repl.Status, Problem: ProblemReplacementNotValid}
		case repl.Kind != old.Kind:
			return &StatusError{ID: repl.ID, Status: repl.Status, Problem: ProblemReplacementOtherKind}
		case !repl.Supersedes.IsZero():
			return &StatusError{ID: repl.ID, Status: repl.Status, Problem: ProblemReplacementReplacesAnother}
		case repl.IssuedAt.Before(old.IssuedAt):
			return &StatusError{ID: repl.ID, Status: repl.Status, Problem: ProblemReplacementOlder}
		case at.Before(old.StatusChangedAt):
			return &StatusError{ID: old.ID, Status: old.Status, Problem: ProblemBeforeLastChange}
		case at.Before(repl.IssuedAt):
			return &StatusError{ID: repl.ID, Status: repl.Status, Problem: ProblemBeforeLastChange}
		}
		// The old row first: the database lets a credential record what
		// it replaces only once the other side points back at it.
		if _, err := tx.ExecContext(ctx, s.dialect.bind(`UPDATE credentials SET status = ?, status_reason = ?, status_changed_at = ?, superseded_by = ? WHERE id = ?`),
			string(StatusSuperseded), reason, formatTime(at), newID.Compact(), oldID.Compact()); err != nil {
			return fmt.Errorf("update superseded credential: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.dialect.bind(`UPDATE credentials SET supersedes = ? WHERE id = ?`),
			oldID.Compact(), newID.Compact()); err != nil {
			return fmt.Errorf("update replacement credential: %w", err)
		}
		effective := formatTime(at)
		if err := s.appendAudit(ctx, tx, now, actor, ActionSupersede, oldID, map[string]string{
			"reason": reason, "effective_at": effective, "previous_status": string(old.Status), "superseded_by": newID.String(),
		}); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		if err := s.appendAudit(ctx, tx, now, actor, ActionReplace, newID, map[string]string{
			"reason": reason, "effective_at": effective, "supersedes": oldID.String(),
		}); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return s.appendLog(ctx, tx, translog.Entry{
			Kind: translog.KindSupersede, CredentialID: newID.Compact(), Prev: oldID.Compact(),
			DocumentSHA256: repl.DocumentSHA256, SignedSHA256: repl.SignedSHA256, Time: at,
		})
	})
}

// auditLog returns the audit entries of one credential, oldest first.
func (s *sqlStore) auditLog(ctx context.Context, id ID) ([]AuditEntry, error) {
	if _, err := s.get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.dialect.bind(
		`SELECT seq, at, actor, action, credential_id, detail FROM audit_log WHERE credential_id = ? ORDER BY seq`), id.Compact())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var (
			e              AuditEntry
			at, cid, extra string
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &cid, &extra); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("audit entry %d: at: %w", e.Seq, err)
		}
		if e.CredentialID, err = ParseID(cid); err != nil {
			return nil, fmt.Errorf("audit entry %d: credential_id: %w", e.Seq, err)
		}
		if err := json.Unmarshal([]byte(extra), &e.Detail); err != nil {
			return nil, fmt.Errorf("audit entry %d: detail: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
