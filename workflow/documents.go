package workflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status is where a document is in its workflow.
type Status string

const (
	// StatusWaiting: some signatures are missing.
	StatusWaiting Status = "waiting"
	// StatusSigned: every signature is there; registration is pending.
	StatusSigned Status = "signed"
	// StatusPublished: registered in the registry, verifiable by anyone.
	StatusPublished Status = "published"
	// StatusSuperseded: replaced by a corrected version.
	StatusSuperseded Status = "superseded"
)

// Signing methods (Step.Method).
const (
	MethodHSM = "hsm"
	MethodUSB = "usb"
)

// Document is a document in the workflow, without its bytes.
type Document struct {
	// ID is the credential ID printed on the document (registry.ID's
	// String form).
	ID         string
	Kind       string // registry kind: diploma, gradebook, hocba
	OrgID      string
	SchoolYear string
	Class      string // the class; for a diploma, the graduate's school
	// Key is the credential's unique key (serial or document key).
	Key    string
	Title  string
	Layout string
	Status Status
	// Version counts the changes to the document's bytes; a signature is
	// stored only over the version it was made on.
	Version    int
	Supersedes string
	// Reason is why this version corrects the one it supersedes.
	Reason    string
	ImportID  string
	CreatedAt time.Time
	UpdatedAt time.Time
	Steps     []Step
}

// Step is one signature of a document's plan, resolved to the account that
// must make it.
type Step struct {
	Index     int
	Field     string
	Role      string
	Title     string
	Name      string
	After     []string
	Certify   bool
	Lock      bool
	AccountID string
	SignedAt  time.Time
	Method    string
}

// Signed reports whether the step's signature is there.
func (s *Step) Signed() bool { return !s.SignedAt.IsZero() }

// Ready reports whether every field step st must follow is signed.
func (d *Document) Ready(st *Step) bool {
	for _, f := range st.After {
		for i := range d.Steps {
			if d.Steps[i].Field == f && !d.Steps[i].Signed() {
				return false
			}
		}
	}
	return true
}

// SignedCount is the number of signatures made.
func (d *Document) SignedCount() int {
	n := 0
	for i := range d.Steps {
		if d.Steps[i].Signed() {
			n++
		}
	}
	return n
}

// StepFor returns the account's next step: unsigned and ready, or else an
// error saying why there is none: ErrForbidden (no step of theirs),
// ErrAlreadySigned, ErrNotYourTurn, or ErrNotFound-like statuses.
func (d *Document) StepFor(accountID string) (*Step, error) {
	if d.Status != StatusWaiting {
		if d.Status == StatusSuperseded {
			return nil, fmt.Errorf("document %s: %w: it was superseded by a corrected version", d.ID, ErrForbidden)
		}
		return nil, fmt.Errorf("document %s: %w", d.ID, ErrAlreadySigned)
	}
	mine, signed := false, false
	for i := range d.Steps {
		st := &d.Steps[i]
		if st.AccountID != accountID {
			continue
		}
		mine = true
		if st.Signed() {
			signed = true
			continue
		}
		if d.Ready(st) {
			return st, nil
		}
	}
	switch {
	case !mine:
		return nil, fmt.Errorf("document %s: %w: no signature of yours is part of it", d.ID, ErrForbidden)
	case signed:
		return nil, fmt.Errorf("document %s: %w", d.ID, ErrAlreadySigned)
	}
	return nil, fmt.Errorf("document %s: %w", d.ID, ErrNotYourTurn)
}

const documentColumns = `id, kind, org_id, school_year, class, doc_key, title, layout, status, version, supersedes, reason, import_id, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanDocument(r rowScanner) (*Document, error) {
	var d Document
	var created, updated string
	if err := r.Scan(&d.ID, &d.Kind, &d.OrgID, &d.SchoolYear, &d.Class, &d.Key, &d.Title, &d.Layout, &d.Status,
		&d.Version, &d.Supersedes, &d.Reason, &d.ImportID, &created, &updated); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
	return &d, nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Document returns a document and its steps.
func (s *Store) Document(ctx context.Context, id string) (*Document, error) {
	return s.document(ctx, s.db, id)
}

func (s *Store) document(ctx context.Context, q querier, id string) (*Document, error) {
	d, err := scanDocument(q.QueryRowContext(ctx, s.bind(`SELECT `+documentColumns+` FROM documents WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("document %s: %w", id, err)
	}
	steps, err := s.steps(ctx, q, []string{id})
	if err != nil {
		return nil, err
	}
	d.Steps = steps[id]
	return d, nil
}

// steps loads the steps of the documents ids, by document.
func (s *Store) steps(ctx context.Context, q querier, ids []string) (map[string][]Step, error) {
	out := make(map[string][]Step, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, s.bind(`SELECT document_id, idx, field, role, title, name, after_fields, certifies, locks, account_id, signed_at, method
FROM steps WHERE document_id IN (`+marks+`) ORDER BY document_id, idx`), args...)
		if err != nil {
			return nil, fmt.Errorf("load steps: %w", err)
		}
		for rows.Next() {
			var st Step
			var doc, after, signed string
			var certify, lock int
			if err := rows.Scan(&doc, &st.Index, &st.Field, &st.Role, &st.Title, &st.Name, &after, &certify, &lock, &st.AccountID, &signed, &st.Method); err != nil {
				rows.Close()
				return nil, err
			}
			st.After, st.Certify, st.Lock, st.SignedAt = strings.Fields(after), certify != 0, lock != 0, parseTime(signed)
			out[doc] = append(out[doc], st)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DocumentPDF returns the document's bytes as signed so far, and the
// version they are.
func (s *Store) DocumentPDF(ctx context.Context, id string) ([]byte, int, error) {
	var data []byte
	var version int
	err := s.db.QueryRowContext(ctx, s.bind(`SELECT pdf, version FROM documents WHERE id = ?`), id).Scan(&data, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	return data, version, err
}

// DocumentRecord returns the document's record (templates.EncodeRecord).
func (s *Store) DocumentRecord(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, s.bind(`SELECT record FROM documents WHERE id = ?`), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	return data, err
}

// newDocument is a document to insert with its record and bytes.
type newDocument struct {
	doc    Document
	record []byte
	pdf    []byte
}

// insertDocument inserts a document and its steps inside tx. A live
// document with the same kind and key gives ErrExists.
func (s *Store) insertDocument(ctx context.Context, tx *sql.Tx, nd *newDocument) error {
	d := &nd.doc
	now := formatTime(s.now())
	_, err := s.exec(ctx, tx, `INSERT INTO documents (id, kind, org_id, school_year, class, doc_key, title, layout, record, pdf, status, version, supersedes, reason, import_id, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
		d.ID, d.Kind, d.OrgID, d.SchoolYear, d.Class, d.Key, d.Title, d.Layout, nd.record, nd.pdf, string(StatusWaiting), d.Supersedes, d.Reason, d.ImportID, now, now)
	if err != nil {
		if s.isUniqueViolation(err) {
			return fmt.Errorf("%s %s: %w", d.Kind, d.Key, ErrExists)
		}
		return fmt.Errorf("insert document %s: %w", d.ID, err)
	}
	for _, st := range d.Steps {
		if _, err := s.exec(ctx, tx, `INSERT INTO steps (document_id, idx, field, role, title, name, after_fields, certifies, locks, account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, st.Index, st.Field, st.Role, st.Title, st.Name, strings.Join(st.After, " "), boolInt(st.Certify), boolInt(st.Lock), st.AccountID); err != nil {
			return fmt.Errorf("insert step %s of %s: %w", st.Field, d.ID, err)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LiveDocument returns the document of kind with key that is not
// superseded.
func (s *Store) LiveDocument(ctx context.Context, kind, key string) (*Document, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.bind(`SELECT id FROM documents WHERE kind = ? AND doc_key = ? AND status <> 'superseded'`), kind, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s %s: %w", kind, key, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return s.Document(ctx, id)
}

// saveSignature stores a new version of a document's bytes with one more
// signature, if the stored version is still the one signed over. It
// returns ErrConflict otherwise, and sets the document's status to signed
// when it was the last signature.
func (s *Store) saveSignature(ctx context.Context, d *Document, st *Step, signed []byte, method, actor string, detail map[string]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := formatTime(s.now())
		res, err := s.exec(ctx, tx, `UPDATE documents SET pdf = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'waiting'`,
			signed, now, d.ID, d.Version)
		if err != nil {
			return fmt.Errorf("store signature on %s: %w", d.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("document %s: %w", d.ID, ErrConflict)
		}
		res, err = s.exec(ctx, tx, `UPDATE steps SET signed_at = ?, method = ? WHERE document_id = ? AND idx = ? AND signed_at = ''`, now, method, d.ID, st.Index)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("document %s field %s: %w", d.ID, st.Field, ErrConflict)
		}
		var left int
		if err := tx.QueryRowContext(ctx, s.bind(`SELECT COUNT(*) FROM steps WHERE document_id = ? AND signed_at = ''`), d.ID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			if _, err := s.exec(ctx, tx, `UPDATE documents SET status = 'signed' WHERE id = ?`, d.ID); err != nil {
				return err
			}
		}
		if detail == nil {
			detail = map[string]string{}
		}
		detail["field"], detail["method"], detail["version"] = st.Field, method, fmt.Sprint(d.Version+1)
		return s.audit(ctx, tx, actor, ActionSign, d.ID, detail)
	})
}

// setStatus moves a document from one status to another.
func (s *Store) setStatus(ctx context.Context, id string, from, to Status, actor, action string, detail map[string]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE documents SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, string(to), formatTime(s.now()), id, string(from))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("document %s: %w", id, ErrConflict)
		}
		return s.audit(ctx, tx, actor, action, id, detail)
	})
}

// Queue returns the documents waiting for the account: those with a step of
// theirs that is unsigned and ready, oldest first.
func (s *Store) Queue(ctx context.Context, accountID string) ([]Document, error) {
	docs, err := s.listDocuments(ctx, `SELECT `+documentColumns+` FROM documents WHERE status = 'waiting' AND id IN (SELECT document_id FROM steps WHERE account_id = ? AND signed_at = '') ORDER BY class, title, id`, accountID)
	if err != nil {
		return nil, err
	}
	var out []Document
	for _, d := range docs {
		if _, err := d.StepFor(accountID); err == nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// Filter selects documents of an organisation.
type Filter struct {
	OrgID      string
	Kind       string
	SchoolYear string
	Class      string
	Status     Status
	ImportID   string
	Limit      int
}

// Documents lists documents matching f, by class and title.
func (s *Store) Documents(ctx context.Context, f Filter) ([]Document, error) {
	q := `SELECT ` + documentColumns + ` FROM documents WHERE org_id = ?`
	args := []any{f.OrgID}
	for _, c := range []struct{ col, v string }{{"kind", f.Kind}, {"school_year", f.SchoolYear}, {"class", f.Class}, {"status", string(f.Status)}, {"import_id", f.ImportID}} {
		if c.v != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 5000
	}
	q += ` ORDER BY class, title, id LIMIT ?`
	args = append(args, limit)
	return s.listDocuments(ctx, q, args...)
}

func (s *Store) listDocuments(ctx context.Context, q string, args ...any) ([]Document, error) {
	rows, err := s.db.QueryContext(ctx, s.bind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var docs []Document
	var ids []string
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		docs = append(docs, *d)
		ids = append(ids, d.ID)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	steps, err := s.steps(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	for i := range docs {
		docs[i].Steps = steps[docs[i].ID]
	}
	return docs, nil
}

// ProgressRow counts one class's documents of one kind.
type ProgressRow struct {
	Kind       string
	SchoolYear string
	Class      string
	Documents  int
	Waiting    int
	Signed     int
	Published  int
	Superseded int
	// SignaturesDone and SignaturesTotal count the steps of the documents
	// that are not superseded.
	SignaturesDone  int
	SignaturesTotal int
}

// Progress counts an organisation's documents by kind, year and class.
func (s *Store) Progress(ctx context.Context, orgID string) ([]ProgressRow, error) {
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT d.kind, d.school_year, d.class, d.status, COUNT(DISTINCT d.id),
    COALESCE(SUM(CASE WHEN st.signed_at <> '' THEN 1 ELSE 0 END), 0), COUNT(st.idx)
FROM documents d LEFT JOIN steps st ON st.document_id = d.id
WHERE d.org_id = ?
GROUP BY d.kind, d.school_year, d.class, d.status
ORDER BY d.kind, d.school_year, d.class`), orgID)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	defer rows.Close()
	var out []ProgressRow
	index := map[[3]string]int{}
	for rows.Next() {
		var kind, year, class, status string
		var n, done, total int
		if err := rows.Scan(&kind, &year, &class, &status, &n, &done, &total); err != nil {
			return nil, err
		}
		k := [3]string{kind, year, class}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, ProgressRow{Kind: kind, SchoolYear: year, Class: class})
		}
		r := &out[i]
		r.Documents += n
		switch Status(status) {
		case StatusWaiting:
			r.Waiting += n
		case StatusSigned:
			r.Signed += n
		case StatusPublished:
			r.Published += n
		case StatusSuperseded:
			r.Superseded += n
		}
		if Status(status) != StatusSuperseded {
			r.SignaturesDone += done
			r.SignaturesTotal += total
		}
	}
	return out, rows.Err()
}
