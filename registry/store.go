package registry

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/kyso-vn/kyso/translog"
)

// dialect holds everything that differs between database backends. The
// queries in this file are written in the SQL that SQLite and PostgreSQL
// share, with ? placeholders that bind rewrites for the backend.
type dialect struct {
	// migrations holds the backend's NNNN_description.sql files at its root.
	migrations fs.FS
	// bind rewrites ? placeholders into the backend's style.
	bind func(query string) string
	// isUniqueViolation reports whether err is a unique or primary key
	// constraint failure.
	isUniqueViolation func(err error) bool
	// forUpdate ends a SELECT that must lock the rows it reads until the
	// transaction ends. SQLite needs none: its write transactions take
	// the database's write lock when they begin.
	forUpdate string
	// lockMigrations, when set, runs first in every migration
	// transaction and holds a lock that serialises migrations across
	// processes until the transaction ends.
	lockMigrations func(ctx context.Context, tx *sql.Tx) error
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction, so stored times
// sort as text. Times are stored in UTC.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// Audit log actions (AuditEntry.Action).
const (
	// ActionIssue records that the credential was issued.
	ActionIssue = "issue"
	// ActionRevoke records that the credential was revoked.
	ActionRevoke = "revoke"
	// ActionSupersede records that the credential was replaced by a newer
	// one (Detail["superseded_by"]).
	ActionSupersede = "supersede"
	// ActionReplace records that the credential replaced an older one
	// (Detail["supersedes"]).
	ActionReplace = "replace"
)

// sqlStore implements the registry on database/sql; each backend wraps one.
type sqlStore struct {
	db      *sql.DB
	dialect dialect
	now     func() time.Time
	// readOnly refuses writes before they reach the database.
	readOnly bool
	// log is the transparency log every change is appended to, or nil
	// (WithLog).
	log *translog.Log
}

const credentialColumns = `id, kind, layout_version, public, document_sha256, signed_sha256, status, status_reason, status_changed_at, supersedes, superseded_by, issued_at, issuer`

// issue inserts c and its audit entry in one transaction.
func (s *sqlStore) issue(ctx context.Context, c *Credential, actor string) (err error) {
	if s.readOnly {
		return ErrReadOnly
	}
	if err := validateForIssue(c, actor); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	now := s.now()
	if err := s.insertCredential(ctx, tx, c, now); err != nil {
		if s.dialect.isUniqueViolation(err) {
			_ = tx.Rollback()
			if dup := s.findDuplicate(ctx, c); dup != nil {
				return dup
			}
		}
		return fmt.Errorf("insert credential: %w", err)
	}
	if err := s.appendAudit(ctx, tx, now, actor, ActionIssue, c.ID, issueDetail(c)); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	if err := s.appendLog(ctx, tx, issueEntry(c)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insertCredential writes the credentials row for a validated c.
func (s *sqlStore) insertCredential(ctx context.Context, tx *sql.Tx, c *Credential, now time.Time) error {
	public, err := json.Marshal(c.Public)
	if err != nil {
		return fmt.Errorf("encode public fields: %w", err)
	}
	var serial sql.NullString
	if c.Public.Serial != "" {
		serial = sql.NullString{String: c.Public.Serial, Valid: true}
	}
	issued := formatTime(c.IssuedAt)
	_, err = tx.ExecContext(ctx, s.dialect.bind(`INSERT INTO credentials (
    id, kind, layout_version, public, serial, document_sha256, signed_sha256,
    status, status_reason, status_changed_at, issued_at, issuer, created_at
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)`),
		c.ID.Compact(), c.Kind, c.LayoutVersion, string(public), serial,
		hex.EncodeToString(c.DocumentSHA256[:]), hex.EncodeToString(c.SignedSHA256[:]),
		string(StatusValid), issued, issued, c.Issuer, formatTime(now))
	return err
}

// issueDetail is the audit detail of an issuance: what identifies the
// document, and no personal data.
func issueDetail(c *Credential) map[string]string {
	d := map[string]string{
		"kind":            c.Kind,
		"layout_version":  c.LayoutVersion,
		"document_sha256": hex.EncodeToString(c.DocumentSHA256[:]),
		"signed_sha256":   hex.EncodeToString(c.SignedSHA256[:]),
		"issuer":          c.Issuer,
	}
	if c.Public.Serial != "" {
		d["serial"] = c.Public.Serial
	}
	return d
}

// appendAudit adds one audit_log row inside tx.
func (s *sqlStore) appendAudit(ctx context.Context, tx *sql.Tx, at time.Time, actor, action string, id ID, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("encode detail: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.dialect.bind(`INSERT INTO audit_log (at, actor, action, credential_id, detail) VALUES (?, ?, ?, ?, ?)`),
		formatTime(at), actor, action, id.Compact(), string(b))
	return err
}

// findDuplicate looks up which unique key of c is already taken. Records
// are never deleted, so a key seen taken by the failed insert is still taken.
func (s *sqlStore) findDuplicate(ctx context.Context, c *Credential) *DuplicateError {
	if _, err := s.get(ctx, c.ID); err == nil {
		return &DuplicateError{Key: KeyID, Existing: c.ID}
	}
	if c.Public.Serial != "" {
		if e, err := s.findBySerial(ctx, c.Kind, c.Public.Serial); err == nil {
			return &DuplicateError{Key: KeySerial, Existing: e.ID}
		}
	}
	if e, err := s.findByDocumentHash(ctx, c.DocumentSHA256); err == nil {
		return &DuplicateError{Key: KeyDocumentHash, Existing: e.ID}
	}
	if e, err := s.findBySignedDigest(ctx, c.SignedSHA256); err == nil {
		return &DuplicateError{Key: KeySignedHash, Existing: e.ID}
	}
	return nil
}

func (s *sqlStore) get(ctx context.Context, id ID) (*Credential, error) {
	return s.queryOne(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE id = ?`, id.Compact())
}

func (s *sqlStore) findByDocumentHash(ctx context.Context, sum [32]byte) (*Credential, error) {
	return s.queryOne(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE document_sha256 = ?`, hex.EncodeToString(sum[:]))
}

func (s *sqlStore) findBySignedDigest(ctx context.Context, sum [32]byte) (*Credential, error) {
	return s.queryOne(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE signed_sha256 = ?`, hex.EncodeToString(sum[:]))
}

func (s *sqlStore) findBySerial(ctx context.Context, kind, serial string) (*Credential, error) {
	if serial == "" {
		return nil, ErrNotFound
	}
	return s.queryOne(ctx, `SELECT `+credentialColumns+` FROM credentials WHERE kind = ? AND serial = ?`, kind, serial)
}

func (s *sqlStore) count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials`).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

// ping checks that the database answers a query on the registry's schema.
func (s *sqlStore) ping(ctx context.Context) error {
	var n int64
	return s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
}

// queryOne runs a query for at most one credential row.
func (s *sqlStore) queryOne(ctx context.Context, query string, args ...any) (*Credential, error) {
	c, err := scanCredential(s.db.QueryRowContext(ctx, s.dialect.bind(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return c, err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanCredential reads one row of credentialColumns.
func scanCredential(row scanner) (*Credential, error) {
	var (
		c                              Credential
		id, public, sum, status        string
		signed, supersedes, superseded sql.NullString
		statusChangedAt, issuedAt, who string
	)
	err := row.Scan(&id, &c.Kind, &c.LayoutVersion, &public, &sum, &signed, &status, &c.StatusReason, &statusChangedAt,
		&supersedes, &superseded, &issuedAt, &who)
	if err != nil {
		return nil, err
	}
	if c.ID, err = ParseID(id); err != nil {
		return nil, fmt.Errorf("stored credential %q: %w", id, err)
	}
	if err := json.Unmarshal([]byte(public), &c.Public); err != nil {
		return nil, fmt.Errorf("stored credential %s: public fields: %w", c.ID, err)
	}
	if err := decodeDigest(&c.DocumentSHA256, sum); err != nil {
		return nil, fmt.Errorf("stored credential %s: document hash: %w", c.ID, err)
	}
	// A credential registered before signed digests were recorded has
	// none; its SignedSHA256 stays zero.
	if signed.Valid {
		if err := decodeDigest(&c.SignedSHA256, signed.String); err != nil {
			return nil, fmt.Errorf("stored credential %s: signed digest: %w", c.ID, err)
		}
	}
	c.Status = Status(status)
	if !c.Status.known() {
		return nil, fmt.Errorf("stored credential %s: unknown status %q", c.ID, status)
	}
	if c.StatusChangedAt, err = parseTime(statusChangedAt); err != nil {
		return nil, fmt.Errorf("stored credential %s: status_changed_at: %w", c.ID, err)
	}
	for _, link := range []struct {
		name string
		src  sql.NullString
		dst  *ID
	}{{"supersedes", supersedes, &c.Supersedes}, {"superseded_by", superseded, &c.SupersededBy}} {
		if !link.src.Valid {
			continue
		}
		if *link.dst, err = ParseID(link.src.String); err != nil {
			return nil, fmt.Errorf("stored credential %s: %s: %w", c.ID, link.name, err)
		}
	}
	if c.IssuedAt, err = parseTime(issuedAt); err != nil {
		return nil, fmt.Errorf("stored credential %s: issued_at: %w", c.ID, err)
	}
	c.Issuer = who
	return &c, nil
}

// decodeDigest reads a SHA-256 digest stored as 64 hex digits.
func decodeDigest(dst *[32]byte, s string) error {
	if len(s) != hex.EncodedLen(len(dst)) {
		return fmt.Errorf("%q is not 64 hex digits", s)
	}
	if _, err := hex.Decode(dst[:], []byte(s)); err != nil {
		return fmt.Errorf("%q is not 64 hex digits", s)
	}
	return nil
}
