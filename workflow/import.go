package workflow

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/issuance"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
)

// DefaultMaxImport is the largest data file an import accepts.
const DefaultMaxImport = 32 << 20

// Import kinds: the registry kinds.
const (
	KindDiploma    = registry.KindDiploma
	KindGradebook  = issuance.KindGradebook
	KindTranscript = issuance.KindTranscript
)

// ImportResult is what came of one import.
type ImportResult struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Kind      string    `json:"kind"`
	FileName  string    `json:"file_name"`
	CreatedAt time.Time `json:"created_at"`
	// Documents is the number of documents created.
	Documents int `json:"documents"`
	// Unchanged counts records already imported exactly as they are.
	Unchanged int `json:"unchanged"`
	// Errors lists every problem, each naming the file, row or record,
	// and field. An import with errors creates no document.
	Errors []string `json:"errors"`
}

// ErrImportRefused means the file had problems (ImportResult.Errors) and
// nothing was imported.
var ErrImportRefused = errors.New("import refused: nothing was imported")

// prepared is one record ready to be inserted.
type prepared struct {
	nd   newDocument
	desc issuance.Description // Key and Public.Serial as the workflow keeps them
}

// Import reads a data file of kind (KindDiploma, KindGradebook,
// KindTranscript) in JSON, CSV or Excel, and creates a document waiting for
// its signers for every record. It is all or nothing: any problem in any
// record (an invalid field, another school's record, a signer with no
// account or assignment, a document already imported with other data)
// refuses the whole file, and the result lists every problem. The result is
// recorded either way.
func (svc *Service) Import(ctx context.Context, a *Account, kind, fileName string, data []byte) (*ImportResult, error) {
	res := &ImportResult{Kind: kind, FileName: fileName, OrgID: a.OrgID, Errors: []string{}}
	org, err := svc.Store.Org(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	if err := mayImport(a, org, kind); err != nil {
		_ = svc.Store.audit(ctx, nil, actorOf(a), ActionDenied, "", map[string]string{"what": "import", "kind": kind})
		return nil, err
	}
	if len(data) > DefaultMaxImport {
		return nil, fmt.Errorf("%s: %w: larger than %d MiB", fileName, ErrInvalid, DefaultMaxImport>>20)
	}
	records, err := readRecords(kind, fileName, data)
	if err != nil {
		res.Errors = errorList(err)
	}
	var docs []prepared
	if len(res.Errors) == 0 {
		docs, res.Unchanged, res.Errors = svc.prepare(ctx, org, records)
	}
	id, err := registry.NewID(svc.Rand)
	if err != nil {
		return nil, err
	}
	res.ID, res.CreatedAt = id.Compact(), svc.Now().UTC()
	if len(res.Errors) > 0 {
		docs = nil
	}
	res.Documents = len(docs)
	err = svc.Store.tx(ctx, func(tx *sql.Tx) error {
		for i := range docs {
			docs[i].nd.doc.ImportID = res.ID
			if err := svc.Store.insertDocument(ctx, tx, &docs[i].nd); err != nil {
				return err
			}
		}
		errs, _ := json.Marshal(res.Errors)
		if _, err := svc.Store.exec(ctx, tx, `INSERT INTO imports (id, org_id, account_id, kind, file_name, created_at, documents, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			res.ID, org.ID, a.ID, kind, fileName, formatTime(res.CreatedAt), res.Documents, string(errs)); err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		return svc.Store.audit(ctx, tx, actorOf(a), ActionImport, res.ID, map[string]string{
			"kind": kind, "documents": fmt.Sprint(res.Documents), "errors": fmt.Sprint(len(res.Errors)), "unchanged": fmt.Sprint(res.Unchanged)})
	})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return res, ErrImportRefused
	}
	return res, nil
}

// mayImport checks that a may import kind for org: a Sở's admin imports
// diplomas, a school's IT admin gradebooks and học bạ.
func mayImport(a *Account, org *Org, kind string) error {
	switch kind {
	case KindDiploma:
		if a.Has(RoleDepartmentAdmin) && org.Kind == OrgDepartment {
			return nil
		}
	case KindGradebook, KindTranscript:
		if a.Has(RoleSchoolAdmin) && org.Kind == OrgSchool {
			return nil
		}
	default:
		return fmt.Errorf("%w: unknown document kind %q (diploma, gradebook, hocba)", ErrInvalid, kind)
	}
	return fmt.Errorf("%w: importing %s is not part of your role", ErrForbidden, kind)
}

// readRecords reads the records of a file of kind.
func readRecords(kind, name string, data []byte) ([]*templates.Record, error) {
	var out []*templates.Record
	switch kind {
	case KindDiploma:
		rows, err := templates.ReadDiplomas(name, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		for i := range rows {
			out = append(out, &templates.Record{Kind: templates.KindDiploma, Diploma: &rows[i].Diploma})
		}
	case KindGradebook:
		gs, err := templates.ReadGradebooks(name, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		for i := range gs {
			out = append(out, &templates.Record{Kind: templates.KindGradebook, Gradebook: &gs[i]})
		}
	case KindTranscript:
		ts, err := templates.ReadTranscripts(name, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		for i := range ts {
			out = append(out, &templates.Record{Kind: templates.KindTranscript, Transcript: &ts[i]})
		}
	}
	return out, nil
}

// prepare checks, resolves and renders every record; it returns the
// documents to insert, the number already imported unchanged, and the
// problems found.
func (svc *Service) prepare(ctx context.Context, org *Org, records []*templates.Record) ([]prepared, int, []string) {
	var out []prepared
	var problems []string
	unchanged := 0
	seen := map[string]bool{}
	for i, rec := range records {
		p, same, err := svc.prepareOne(ctx, org, rec, "")
		if err != nil {
			problems = append(problems, fmt.Sprintf("record %d: %v", i+1, err))
			continue
		}
		if same {
			unchanged++
			continue
		}
		if seen[p.desc.Key] {
			problems = append(problems, fmt.Sprintf("record %d: %s appears twice in the file", i+1, p.desc.Label))
			continue
		}
		seen[p.desc.Key] = true
		out = append(out, *p)
	}
	return out, unchanged, problems
}

// prepareOne checks that rec belongs to org, resolves its signing plan to
// accounts and renders it with a new credential ID. A live document with
// the same key gives same=true when its record is this one, and an error
// otherwise, unless it is the document supersedes (a correction).
func (svc *Service) prepareOne(ctx context.Context, org *Org, rec *templates.Record, supersedes string) (*prepared, bool, error) {
	desc, err := issuance.Describe(rec)
	if err != nil {
		return nil, false, err
	}
	rec.Layout = desc.Layout
	if desc.Kind == KindGradebook {
		// A gradebook's key is built from the school's printed name, which
		// two schools of the country can share: the organisation makes it
		// unique. (A diploma's serial and a học bạ's student identifier
		// are unique nationally.)
		desc.Key += "@" + org.ID
		desc.Public.Serial = desc.Key
	}
	if err := belongsTo(rec, org); err != nil {
		return nil, false, fmt.Errorf("%s: %w", desc.Label, err)
	}
	plan, err := rec.SigningPlan()
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", desc.Label, err)
	}
	steps := make([]Step, len(plan))
	var problems []error
	for i, ps := range plan {
		acct, err := svc.signerOf(ctx, org, rec, ps)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		steps[i] = Step{Index: i, Field: ps.Field, Role: ps.Role, Title: ps.Title, Name: ps.Name,
			After: ps.After, Certify: ps.Certify, Lock: ps.Lock, AccountID: acct.ID}
	}
	if len(problems) > 0 {
		return nil, false, fmt.Errorf("%s: %w", desc.Label, errors.Join(problems...))
	}
	if live, err := svc.Store.LiveDocument(ctx, desc.Kind, desc.Key); err == nil {
		if live.ID == supersedes {
			// The correction replaces it.
		} else if same, err := svc.sameRecord(ctx, live.ID, rec); err != nil {
			return nil, false, err
		} else if same {
			return nil, true, nil
		} else {
			return nil, false, fmt.Errorf("%s: %w as document %s with other data; correct that document instead", desc.Label, ErrExists, live.ID)
		}
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	id, err := registry.NewID(svc.Rand)
	if err != nil {
		return nil, false, err
	}
	rec.CredentialID = id.String()
	rec.VerifyURL = strings.TrimRight(svc.BaseURL, "/") + "/v/" + id.String()
	unsigned, err := svc.render(rec)
	if err != nil {
		return nil, false, fmt.Errorf("render %s: %w", desc.Label, err)
	}
	encoded, err := templates.EncodeRecord(rec)
	if err != nil {
		return nil, false, err
	}
	d := Document{ID: id.String(), Kind: desc.Kind, OrgID: org.ID, Key: desc.Key, Layout: desc.Layout,
		Supersedes: supersedes, Steps: steps}
	d.SchoolYear, d.Class, d.Title = describeForStaff(rec)
	return &prepared{nd: newDocument{doc: d, record: encoded, pdf: unsigned}, desc: desc}, false, nil
}

// sameRecord reports whether the stored document id was imported from the
// same data as rec.
func (svc *Service) sameRecord(ctx context.Context, id string, rec *templates.Record) (bool, error) {
	stored, err := svc.Store.DocumentRecord(ctx, id)
	if err != nil {
		return false, err
	}
	old, err := templates.DecodeRecord(stored)
	if err != nil {
		return false, fmt.Errorf("document %s record: %w", id, err)
	}
	cp := *rec
	cp.CredentialID, cp.VerifyURL = old.CredentialID, old.VerifyURL
	a, err := templates.EncodeRecord(&cp)
	if err != nil {
		return false, err
	}
	b, err := templates.EncodeRecord(old)
	if err != nil {
		return false, err
	}
	return bytes.Equal(a, b), nil
}

// belongsTo checks that a record is the organisation's: a diploma is
// issued by the Sở, a gradebook or học bạ is the school's.
func belongsTo(rec *templates.Record, org *Org) error {
	var field, got string
	switch {
	case rec.Diploma != nil:
		field, got = "so_gddt", rec.Diploma.IssuingAuthority
	case rec.Gradebook != nil:
		field, got = "truong", rec.Gradebook.School
	case rec.Transcript != nil:
		field, got = "truong", rec.Transcript.School
	}
	if !sameName(got, org.Name) {
		return fmt.Errorf("%w: field %q is %q, not your organisation %q", ErrForbidden, field, got, org.Name)
	}
	return nil
}

// errNotSigner marks signerOf's refusals: no account holds the step, or
// not the person the record names, or one without a key.
var errNotSigner = errors.New("no account may sign this")

// signerOf resolves a plan step to the one account that must sign it, and
// checks that the account is the person the record names. Its refusals
// match errNotSigner; other errors are the store's.
func (svc *Service) signerOf(ctx context.Context, org *Org, rec *templates.Record, ps templates.SigningStep) (*Account, error) {
	year, class := "", ""
	switch {
	case rec.Gradebook != nil:
		year, class = rec.Gradebook.SchoolYear, rec.Gradebook.Class
	case rec.Transcript != nil:
		year, class = rec.Transcript.SchoolYear, rec.Transcript.Class
	}
	var acct *Account
	var err error
	what := ps.Title
	switch {
	case ps.Role == templates.RoleAuthority:
		acct, err = svc.Store.HolderOf(ctx, org.ID, RoleDirector)
	case ps.Role == templates.RolePrincipal:
		acct, err = svc.Store.HolderOf(ctx, org.ID, RolePrincipal)
	case ps.Role == templates.RoleSeal:
		acct, err = svc.Store.HolderOf(ctx, org.ID, RoleSealKeeper)
	case ps.Role == templates.RoleHomeroom:
		what = fmt.Sprintf("homeroom teacher of %s %s", class, year)
		acct, err = svc.Store.AssigneeOf(ctx, org.ID, RoleHomeroomTeacher, year, class, "")
	case strings.HasPrefix(ps.Role, "gvbm:"):
		subject := subjectOf(rec, ps.Role)
		what = fmt.Sprintf("teacher of %s in %s %s", subject, class, year)
		acct, err = svc.Store.AssigneeOf(ctx, org.ID, RoleSubjectTeacher, year, class, subject)
	default:
		return nil, fmt.Errorf("field %s: %w: unknown signer role %q (%w)", ps.Field, ErrInvalid, ps.Role, errNotSigner)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("field %s: no account is the %s; create or assign it first%w", ps.Field, what, quiet(errNotSigner))
	}
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", ps.Field, err)
	}
	want := acct.FullName
	if ps.Role == templates.RoleSeal {
		want = org.Name
	}
	if !sameName(ps.Name, want) {
		return nil, fmt.Errorf("field %s: the record names %q, but the %s is %q%w", ps.Field, ps.Name, what, want, quiet(errNotSigner))
	}
	if acct.KeyKind == KeyNone {
		return nil, fmt.Errorf("field %s: the %s (%s) has no signing key registered%w", ps.Field, what, acct.Username, quiet(errNotSigner))
	}
	return acct, nil
}

// subjectOf is the subject name of a subject teacher's role in rec.
func subjectOf(rec *templates.Record, role string) string {
	if rec.Gradebook != nil {
		return rec.Gradebook.Subject
	}
	if rec.Transcript != nil {
		for _, s := range rec.Transcript.Subjects {
			if templates.SubjectTeacherRole(s.Name) == role {
				return s.Name
			}
		}
	}
	return strings.TrimPrefix(role, "gvbm:")
}

// describeForStaff gives the school year, class (a diploma's school) and
// title staff pages show for a record.
func describeForStaff(rec *templates.Record) (year, class, title string) {
	switch {
	case rec.Diploma != nil:
		d := rec.Diploma
		// A diploma has no class: the graduate's school groups the Sở's
		// queue and progress.
		return fmt.Sprint(d.GraduationYear), d.School, fmt.Sprintf("Bằng tốt nghiệp THPT %s – %s", d.Serial, d.FullName)
	case rec.Gradebook != nil:
		g := rec.Gradebook
		return g.SchoolYear, g.Class, fmt.Sprintf("Sổ điểm %s – lớp %s – %s", g.Subject, g.Class, g.Term.Label())
	case rec.Transcript != nil:
		t := rec.Transcript
		return t.SchoolYear, t.Class, fmt.Sprintf("Học bạ %s – lớp %s – %s", t.SchoolYear, t.Class, t.Student.FullName)
	}
	return "", "", ""
}

// render draws the unsigned PDF of a record in its v2 layout.
func (svc *Service) render(rec *templates.Record) ([]byte, error) {
	meta := templates.IssueMeta{CredentialID: rec.CredentialID, VerifyURL: rec.VerifyURL}
	opts := templates.RenderOptions{Now: svc.Now(), Layout: rec.Layout}
	switch {
	case rec.Diploma != nil:
		r, err := templates.NewDiplomaRenderer(svc.Fonts, opts)
		if err != nil {
			return nil, err
		}
		return r.Render(rec.Diploma, meta)
	case rec.Gradebook != nil:
		r, err := templates.NewGradebookRenderer(svc.Fonts, opts)
		if err != nil {
			return nil, err
		}
		return r.Render(rec.Gradebook, meta)
	case rec.Transcript != nil:
		r, err := templates.NewTranscriptRenderer(svc.Fonts, opts)
		if err != nil {
			return nil, err
		}
		return r.Render(rec.Transcript, meta)
	}
	return nil, fmt.Errorf("%w: empty record", ErrInvalid)
}

// Imports lists an organisation's imports, newest first.
func (s *Store) Imports(ctx context.Context, orgID string, limit int) ([]ImportResult, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT id, org_id, kind, file_name, created_at, documents, errors FROM imports WHERE org_id = ? ORDER BY created_at DESC LIMIT ?`), orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportResult
	for rows.Next() {
		r, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// ImportByID returns one import's result.
func (s *Store) ImportByID(ctx context.Context, id string) (*ImportResult, error) {
	r, err := scanImport(s.db.QueryRowContext(ctx, s.bind(`SELECT id, org_id, kind, file_name, created_at, documents, errors FROM imports WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("import %s: %w", id, ErrNotFound)
	}
	return r, err
}

func scanImport(r rowScanner) (*ImportResult, error) {
	var res ImportResult
	var at, errs string
	if err := r.Scan(&res.ID, &res.OrgID, &res.Kind, &res.FileName, &at, &res.Documents, &errs); err != nil {
		return nil, err
	}
	res.CreatedAt = parseTime(at)
	if err := json.Unmarshal([]byte(errs), &res.Errors); err != nil {
		return nil, fmt.Errorf("import %s errors: %w", res.ID, err)
	}
	return &res, nil
}

// quietError wraps an error for errors.Is without adding to the message.
type quietError struct{ err error }

func (q quietError) Error() string { return "" }
func (q quietError) Unwrap() error { return q.err }

func quiet(err error) error { return quietError{err} }
