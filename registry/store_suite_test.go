package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/translog"
)

// storeUnderTest is what the conformance suite needs from a backend: the
// public API, plus access to the database underneath for checks the API does
// not offer (audit rows, raw statements that must be refused).
type storeUnderTest interface {
	Issue(ctx context.Context, c *Credential, actor string) error
	Get(ctx context.Context, id ID) (*Credential, error)
	FindByDocumentHash(ctx context.Context, sum [32]byte) (*Credential, error)
	FindBySignedDigest(ctx context.Context, sum [32]byte) (*Credential, error)
	FindBySerial(ctx context.Context, kind, serial string) (*Credential, error)
	Count(ctx context.Context) (int64, error)
	Ping(ctx context.Context) error
	Revoke(ctx context.Context, id ID, reason, actor string, at time.Time) error
	Supersede(ctx context.Context, oldID, newID ID, reason, actor string, at time.Time) error
	AuditLog(ctx context.Context, id ID) ([]AuditEntry, error)
	SignCheckpoint(ctx context.Context) (translog.Checkpoint, error)
	Log() *translog.Log
	Close() error

	// raw returns the shared SQL core, for direct queries.
	raw() *sqlStore
	// breakAuditLog makes every later insert into audit_log fail, using
	// the backend's own DDL.
	breakAuditLog(t *testing.T)
	// reopenReadOnly opens the same database again with ReadOnly and
	// WithClock returning suiteNow; the caller closes it.
	reopenReadOnly(t *testing.T) storeUnderTest
	// reopen opens the same database again with opts and WithClock
	// returning suiteNow; the caller closes it.
	reopen(t *testing.T, opts ...Option) storeUnderTest
	// breakLog makes every later insert into the transparency log's
	// leaves fail, using the backend's own DDL.
	breakLog(t *testing.T)
}

// suiteNow is the clock every backend under the suite must be opened with.
var suiteNow = time.Date(2026, time.June, 30, 9, 15, 0, 123456789, time.UTC)

// credentialFactory makes distinct, valid credentials from a fixed seed.
type credentialFactory struct {
	mu sync.Mutex
	r  *rand.ChaCha8
	n  int
}

func newCredentialFactory(seed byte) *credentialFactory {
	return &credentialFactory{r: rand.NewChaCha8([32]byte{seed})}
}

func (f *credentialFactory) next(t testing.TB) *Credential {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	id, err := NewID(f.r)
	if err != nil {
		t.Fatalf("NewID: %v", err)
	}
	f.n++
	return &Credential{
		ID:            id,
		Kind:          KindDiploma,
		LayoutVersion: "diploma/v1",
		Public: PublicFields{
			HolderName:       "Nguyễn Thị Minh Khai",
			DateOfBirth:      "02/09/2007",
			KindLabel:        "Bằng tốt nghiệp trung học phổ thông",
			Year:             2025,
			School:           "Trường THPT Chu Văn An",
			Serial:           fmt.Sprintf("T %08d", f.n),
			IssuingAuthority: "Sở Giáo dục và Đào tạo Hà Nội",
		},
		DocumentSHA256: sha256.Sum256(fmt.Appendf(nil, "signed document %d %s", f.n, id)),
		SignedSHA256:   sha256.Sum256(fmt.Appendf(nil, "signed ranges %d %s", f.n, id)),
		Status:         StatusValid,
		IssuedAt:       time.Date(2025, time.July, 15, 8, 30, 0, 0, time.FixedZone("ICT", 7*3600)),
		Issuer:         "CN=Giám đốc Sở GD&ĐT Hà Nội; Sở Giáo dục và Đào tạo Hà Nội",
	}
}

// runStoreSuite runs the behaviour every registry backend must have. open
// returns a new, empty store opened with WithClock returning suiteNow; the
// suite closes it.
func runStoreSuite(t *testing.T, open func(t *testing.T) storeUnderTest) {
	tests := []struct {
		name string
		run  func(t *testing.T, s storeUnderTest)
	}{
		{"Ping", suitePing},
		{"IssueGetRoundTrip", suiteIssueGetRoundTrip},
		{"NotFound", suiteNotFound},
		{"Duplicates", suiteDuplicates},
		{"Lookups", suiteLookups},
		{"InvalidCredential", suiteInvalidCredential},
		{"RecordsAreKept", suiteRecordsAreKept},
		{"AuditInSameTransaction", suiteAuditInSameTransaction},
		{"ConcurrentIssue", suiteConcurrentIssue},
		{"ConcurrentSameSerial", suiteConcurrentSameSerial},
		{"Revoke", suiteRevoke},
		{"Supersede", suiteSupersede},
		{"StatusChangeRefused", suiteStatusChangeRefused},
		{"InvalidStatusChange", suiteInvalidStatusChange},
		{"StatusRulesInDatabase", suiteStatusRulesInDatabase},
		{"AuditLog", suiteAuditLog},
		{"ConcurrentRevoke", suiteConcurrentRevoke},
		{"ConcurrentSupersede", suiteConcurrentSupersede},
		{"StatusChangeAuditInSameTransaction", suiteStatusChangeAuditInSameTransaction},
		{"ReadOnly", suiteReadOnly},
		{"TransparencyLog", suiteTransparencyLog},
		{"LogInSameTransaction", suiteLogInSameTransaction},
		{"NoLog", suiteNoLog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.run(t, s)
		})
	}
}

// auditRow is one audit_log row as the suite reads it.
type auditRow struct {
	at, actor, action string
	detail            map[string]string
}

func auditRows(t *testing.T, s storeUnderTest, id ID) []auditRow {
	t.Helper()
	core := s.raw()
	rows, err := core.db.QueryContext(t.Context(), core.dialect.bind(
		`SELECT at, actor, action, detail FROM audit_log WHERE credential_id = ? ORDER BY seq`), id.Compact())
	if err != nil {
		t.Fatalf("query audit_log: %v", err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		var detail string
		if err := rows.Scan(&r.at, &r.actor, &r.action, &detail); err != nil {
			t.Fatalf("scan audit_log: %v", err)
		}
		if err := json.Unmarshal([]byte(detail), &r.detail); err != nil {
			t.Fatalf("audit detail %q: %v", detail, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read audit_log: %v", err)
	}
	return out
}

func countRows(t *testing.T, s storeUnderTest, table string) int64 {
	t.Helper()
	var n int64
	if err := s.raw().db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func wantCount(t *testing.T, s storeUnderTest, want int64) {
	t.Helper()
	got, err := s.Count(t.Context())
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	if got != want {
		t.Fatalf("Count = %d, want %d", got, want)
	}
}

// sameCredential compares everything Get returns; times by instant.
func sameCredential(t *testing.T, got, want *Credential) {
	t.Helper()
	if got.ID != want.ID || got.Kind != want.Kind || got.LayoutVersion != want.LayoutVersion ||
		got.Public != want.Public || got.DocumentSHA256 != want.DocumentSHA256 || got.SignedSHA256 != want.SignedSHA256 ||
		got.Status != want.Status || got.StatusReason != want.StatusReason || got.Issuer != want.Issuer {
		t.Errorf("credential mismatch:\ngot  %+v\nwant %+v", got, want)
	}
	if !got.IssuedAt.Equal(want.IssuedAt) {
		t.Errorf("IssuedAt = %v, want %v", got.IssuedAt, want.IssuedAt)
	}
	if !got.StatusChangedAt.Equal(want.StatusChangedAt) {
		t.Errorf("StatusChangedAt = %v, want %v", got.StatusChangedAt, want.StatusChangedAt)
	}
	if got.IssuedAt.Location() != time.UTC {
		t.Errorf("IssuedAt location = %v, want UTC", got.IssuedAt.Location())
	}
}

func suitePing(t *testing.T, s storeUnderTest) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with a cancelled context: error = %v, want %v", err, context.Canceled)
	}
}

func suiteIssueGetRoundTrip(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(1)
	tests := []struct {
		name   string
		modify func(c *Credential)
	}{
		{"complete", func(*Credential) {}},
		{"no serial", func(c *Credential) { c.Public.Serial = "" }},
		{"minimal public fields", func(c *Credential) { c.Public = PublicFields{HolderName: "Lò Văn Á", DateOfBirth: "29/02/2008"} }},
		{"status left empty", func(c *Credential) { c.Status = "" }},
		{"nanosecond issue time", func(c *Credential) { c.IssuedAt = time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC) }},
		{"status time ignored", func(c *Credential) { c.StatusChangedAt = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"decomposed and odd characters kept as given", func(c *Credential) {
			c.Public.HolderName = "Nguye\u0302\u0303n \"Ba\u0300\" <b>&amp;</b>"
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.next(t)
			tt.modify(c)
			actor := fmt.Sprintf("operator-%d", i)
			if err := s.Issue(t.Context(), c, actor); err != nil {
				t.Fatalf("Issue: %v", err)
			}
			got, err := s.Get(t.Context(), c.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			want := *c
			want.Status = StatusValid
			want.StatusChangedAt = c.IssuedAt
			sameCredential(t, got, &want)

			rows := auditRows(t, s, c.ID)
			if len(rows) != 1 {
				t.Fatalf("audit rows for %s: got %d, want 1", c.ID, len(rows))
			}
			r := rows[0]
			if r.actor != actor || r.action != "issue" || r.at != formatTime(suiteNow) {
				t.Errorf("audit row = %+v, want actor %q, action issue, at %s", r, actor, formatTime(suiteNow))
			}
			if r.detail["document_sha256"] != hex.EncodeToString(c.DocumentSHA256[:]) || r.detail["kind"] != c.Kind {
				t.Errorf("audit detail = %v, want the document hash and kind", r.detail)
			}
			if r.detail["signed_sha256"] != hex.EncodeToString(c.SignedSHA256[:]) {
				t.Errorf("audit detail signed_sha256 = %q, want %x", r.detail["signed_sha256"], c.SignedSHA256)
			}
			if r.detail["serial"] != c.Public.Serial {
				t.Errorf("audit detail serial = %q, want %q", r.detail["serial"], c.Public.Serial)
			}
			for k, v := range r.detail {
				if v == c.Public.HolderName || v == c.Public.DateOfBirth {
					t.Errorf("audit detail %q holds personal data", k)
				}
			}
		})
	}
	wantCount(t, s, int64(len(tests)))
}

func suiteNotFound(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(2)
	issued := f.next(t)
	if err := s.Issue(t.Context(), issued, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	absent := f.next(t)
	tests := []struct {
		name string
		call func() (*Credential, error)
	}{
		{"Get unknown ID", func() (*Credential, error) { return s.Get(t.Context(), absent.ID) }},
		{"Get zero ID", func() (*Credential, error) { return s.Get(t.Context(), ID{}) }},
		{"unknown hash", func() (*Credential, error) { return s.FindByDocumentHash(t.Context(), absent.DocumentSHA256) }},
		{"unknown signed digest", func() (*Credential, error) { return s.FindBySignedDigest(t.Context(), absent.SignedSHA256) }},
		{"zero signed digest", func() (*Credential, error) { return s.FindBySignedDigest(t.Context(), [32]byte{}) }},
		{"document hash as signed digest", func() (*Credential, error) {
			return s.FindBySignedDigest(t.Context(), issued.DocumentSHA256)
		}},
		{"signed digest as document hash", func() (*Credential, error) {
			return s.FindByDocumentHash(t.Context(), issued.SignedSHA256)
		}},
		{"unknown serial", func() (*Credential, error) { return s.FindBySerial(t.Context(), KindDiploma, absent.Public.Serial) }},
		{"serial of another kind", func() (*Credential, error) {
			return s.FindBySerial(t.Context(), "transcript", issued.Public.Serial)
		}},
		{"empty serial", func() (*Credential, error) { return s.FindBySerial(t.Context(), KindDiploma, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.call()
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("error = %v, want %v", err, ErrNotFound)
			}
			if c != nil {
				t.Errorf("credential = %+v, want nil", c)
			}
		})
	}
}

func suiteDuplicates(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(3)
	first := f.next(t)
	if err := s.Issue(t.Context(), first, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	tests := []struct {
		name    string
		modify  func(c *Credential)
		wantKey DuplicateKey // "" means the issue must succeed
	}{
		{"same ID", func(c *Credential) { c.ID = first.ID }, KeyID},
		{"same ID and everything else", func(c *Credential) { *c = *first }, KeyID},
		{"same serial", func(c *Credential) { c.Public.Serial = first.Public.Serial }, KeySerial},
		{"same hash", func(c *Credential) { c.DocumentSHA256 = first.DocumentSHA256 }, KeyDocumentHash},
		{"same signed digest", func(c *Credential) { c.SignedSHA256 = first.SignedSHA256 }, KeySignedHash},
		{"same hash and signed digest", func(c *Credential) {
			c.DocumentSHA256 = first.DocumentSHA256
			c.SignedSHA256 = first.SignedSHA256
		}, KeyDocumentHash},
		{"same serial and hash", func(c *Credential) {
			c.Public.Serial = first.Public.Serial
			c.DocumentSHA256 = first.DocumentSHA256
		}, KeySerial},
		{"serial differing in case", func(c *Credential) { c.Public.Serial = "t" + first.Public.Serial[1:] }, ""},
		{"no serial twice (first)", func(c *Credential) { c.Public.Serial = "" }, ""},
		{"no serial twice (second)", func(c *Credential) { c.Public.Serial = "" }, ""},
	}
	issued := int64(1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.next(t)
			tt.modify(c)
			auditBefore := countRows(t, s, "audit_log")
			err := s.Issue(t.Context(), c, "operator")
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}
				issued++
				wantCount(t, s, issued)
				return
			}
			if !errors.Is(err, ErrDuplicate) {
				t.Fatalf("Issue error = %v, want %v", err, ErrDuplicate)
			}
			var dup *DuplicateError
			if !errors.As(err, &dup) {
				t.Fatalf("Issue error = %v, want a *DuplicateError", err)
			}
			if dup.Key != tt.wantKey || dup.Existing != first.ID {
				t.Errorf("duplicate = {%s %s}, want {%s %s}", dup.Key, dup.Existing, tt.wantKey, first.ID)
			}
			wantCount(t, s, issued)
			if got := countRows(t, s, "audit_log"); got != auditBefore {
				t.Errorf("audit rows after a refused issue: got %d, want %d", got, auditBefore)
			}
			got, err := s.Get(t.Context(), first.ID)
			if err != nil {
				t.Fatalf("Get first: %v", err)
			}
			if got.Public != first.Public || got.DocumentSHA256 != first.DocumentSHA256 || got.SignedSHA256 != first.SignedSHA256 {
				t.Errorf("first credential changed after a refused issue: got %+v", got)
			}
		})
	}
}

func suiteLookups(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(4)
	var all []*Credential
	for range 5 {
		c := f.next(t)
		if err := s.Issue(t.Context(), c, "operator"); err != nil {
			t.Fatalf("Issue: %v", err)
		}
		all = append(all, c)
	}
	for _, c := range all {
		byHash, err := s.FindByDocumentHash(t.Context(), c.DocumentSHA256)
		if err != nil {
			t.Fatalf("FindByDocumentHash(%x): %v", c.DocumentSHA256, err)
		}
		if byHash.ID != c.ID {
			t.Errorf("FindByDocumentHash(%x) = %s, want %s", c.DocumentSHA256, byHash.ID, c.ID)
		}
		bySigned, err := s.FindBySignedDigest(t.Context(), c.SignedSHA256)
		if err != nil {
			t.Fatalf("FindBySignedDigest(%x): %v", c.SignedSHA256, err)
		}
		if bySigned.ID != c.ID || bySigned.SignedSHA256 != c.SignedSHA256 || bySigned.DocumentSHA256 != c.DocumentSHA256 {
			t.Errorf("FindBySignedDigest(%x) = %s (signed %x, document %x), want %s (signed %x, document %x)",
				c.SignedSHA256, bySigned.ID, bySigned.SignedSHA256, bySigned.DocumentSHA256, c.ID, c.SignedSHA256, c.DocumentSHA256)
		}
		bySerial, err := s.FindBySerial(t.Context(), c.Kind, c.Public.Serial)
		if err != nil {
			t.Fatalf("FindBySerial(%q): %v", c.Public.Serial, err)
		}
		if bySerial.ID != c.ID {
			t.Errorf("FindBySerial(%q) = %s, want %s", c.Public.Serial, bySerial.ID, c.ID)
		}
	}
	wantCount(t, s, int64(len(all)))
}

func suiteInvalidCredential(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(5)
	tests := []struct {
		name   string
		modify func(c *Credential)
		actor  string
	}{
		{"zero ID", func(c *Credential) { c.ID = ID{} }, "operator"},
		{"empty kind", func(c *Credential) { c.Kind = "" }, "operator"},
		{"unknown kind", func(c *Credential) { c.Kind = "certificate" }, "operator"},
		{"empty layout", func(c *Credential) { c.LayoutVersion = "" }, "operator"},
		{"zero hash", func(c *Credential) { c.DocumentSHA256 = [32]byte{} }, "operator"},
		{"zero signed digest", func(c *Credential) { c.SignedSHA256 = [32]byte{} }, "operator"},
		{"zero issue time", func(c *Credential) { c.IssuedAt = time.Time{} }, "operator"},
		{"empty issuer", func(c *Credential) { c.Issuer = "" }, "operator"},
		{"issued revoked", func(c *Credential) { c.Status = StatusRevoked }, "operator"},
		{"unknown status", func(c *Credential) { c.Status = "pending" }, "operator"},
		{"status reason", func(c *Credential) { c.StatusReason = "typo" }, "operator"},
		{"empty actor", func(*Credential) {}, ""},
		{"supersedes set", func(c *Credential) { c.Supersedes = c.ID }, "operator"},
		{"superseded by set", func(c *Credential) { c.SupersededBy = c.ID }, "operator"},
		{"NUL in holder name", func(c *Credential) { c.Public.HolderName = "Nguyễn\x00Văn A" }, "operator"},
		{"invalid UTF-8 in school", func(c *Credential) { c.Public.School = "Trường \xff" }, "operator"},
		{"invalid UTF-8 in issuer", func(c *Credential) { c.Issuer = "CN=\xc3" }, "operator"},
		{"NUL in serial", func(c *Credential) { c.Public.Serial = "T 0051\x006292" }, "operator"},
		{"NUL in actor", func(*Credential) {}, "oper\x00ator"},
		{"issue year 10000", func(c *Credential) { c.IssuedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.next(t)
			tt.modify(c)
			if err := s.Issue(t.Context(), c, tt.actor); !errors.Is(err, ErrInvalidCredential) {
				t.Errorf("Issue error = %v, want %v", err, ErrInvalidCredential)
			}
		})
	}
	if err := s.Issue(t.Context(), nil, "operator"); !errors.Is(err, ErrInvalidCredential) {
		t.Errorf("Issue(nil) error = %v, want %v", err, ErrInvalidCredential)
	}
	wantCount(t, s, 0)
	if got := countRows(t, s, "audit_log"); got != 0 {
		t.Errorf("audit rows: got %d, want 0", got)
	}
}

// suiteRecordsAreKept tries to change history behind the API's back: the
// database itself must refuse. An issued credential is also shielded by the
// foreign key from its audit entry, so the same statements are tried on a
// credential row written without one, to reach the triggers themselves.
func suiteRecordsAreKept(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(6)
	c := f.next(t)
	if err := s.Issue(t.Context(), c, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	other := f.next(t)
	if err := s.Issue(t.Context(), other, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	core := s.raw()
	unaudited := f.next(t)
	tx, err := core.db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	if err := core.insertCredential(t.Context(), tx, unaudited, suiteNow); err != nil {
		tx.Rollback()
		t.Fatalf("insert credential without audit entry: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}

	newID := f.next(t).ID.Compact()
	exec := func(t *testing.T, query string, args ...any) error {
		_, err := core.db.ExecContext(t.Context(), core.dialect.bind(query), args...)
		return err
	}
	credentialStatements := []struct {
		name  string
		query string
		args  func(id string) []any
	}{
		{"delete one", `DELETE FROM credentials WHERE id = ?`, func(id string) []any { return []any{id} }},
		{"delete all", `DELETE FROM credentials`, func(string) []any { return nil }},
		{"rewrite public fields", `UPDATE credentials SET public = ? WHERE id = ?`, func(id string) []any { return []any{`{"holder_name":"X"}`, id} }},
		{"rewrite document hash", `UPDATE credentials SET document_sha256 = ? WHERE id = ?`, func(id string) []any { return []any{hex.EncodeToString(make([]byte, 32)), id} }},
		{"rewrite signed digest", `UPDATE credentials SET signed_sha256 = ? WHERE id = ?`, func(id string) []any { return []any{hex.EncodeToString(make([]byte, 32)), id} }},
		{"clear signed digest", `UPDATE credentials SET signed_sha256 = NULL WHERE id = ?`, func(id string) []any { return []any{id} }},
		{"rewrite kind", `UPDATE credentials SET kind = ? WHERE id = ?`, func(id string) []any { return []any{"transcript", id} }},
		{"rewrite layout", `UPDATE credentials SET layout_version = ? WHERE id = ?`, func(id string) []any { return []any{"diploma/v9", id} }},
		{"rewrite serial", `UPDATE credentials SET serial = NULL WHERE id = ?`, func(id string) []any { return []any{id} }},
		{"rewrite issue time, even to itself", `UPDATE credentials SET issued_at = issued_at WHERE id = ?`, func(id string) []any { return []any{id} }},
		{"rewrite issuer", `UPDATE credentials SET issuer = ? WHERE id = ?`, func(id string) []any { return []any{"someone else", id} }},
		{"rewrite creation time", `UPDATE credentials SET created_at = ? WHERE id = ?`, func(id string) []any { return []any{formatTime(suiteNow.Add(time.Hour)), id} }},
		{"rewrite supersedes", `UPDATE credentials SET supersedes = ? WHERE id = ?`, func(id string) []any { return []any{other.ID.Compact(), id} }},
		{"change ID", `UPDATE credentials SET id = ? WHERE id = ?`, func(id string) []any { return []any{newID, id} }},
		{"unknown status", `UPDATE credentials SET status = ? WHERE id = ?`, func(id string) []any { return []any{"deleted", id} }},
		{"supersede by unknown credential", `UPDATE credentials SET superseded_by = ? WHERE id = ?`, func(id string) []any { return []any{"000000000000000000000", id} }},
	}
	for _, target := range []struct {
		name string
		id   ID
	}{{"issued", c.ID}, {"unaudited", unaudited.ID}} {
		for _, tt := range credentialStatements {
			t.Run(target.name+"/"+tt.name, func(t *testing.T) {
				if err := exec(t, tt.query, tt.args(target.id.Compact())...); err == nil {
					t.Errorf("%s: got no error, want the database to refuse", tt.query)
				}
			})
		}
	}
	auditStatements := []struct {
		name  string
		query string
		args  []any
	}{
		{"edit audit entry", `UPDATE audit_log SET actor = ? WHERE credential_id = ?`, []any{"nobody", c.ID.Compact()}},
		{"detach audit entry", `UPDATE audit_log SET credential_id = NULL WHERE credential_id = ?`, []any{c.ID.Compact()}},
		{"delete audit entry", `DELETE FROM audit_log WHERE credential_id = ?`, []any{c.ID.Compact()}},
		{"empty audit log", `DELETE FROM audit_log`, nil},
	}
	for _, tt := range auditStatements {
		t.Run("audit/"+tt.name, func(t *testing.T) {
			if err := exec(t, tt.query, tt.args...); err == nil {
				t.Errorf("%s: got no error, want the database to refuse", tt.query)
			}
		})
	}

	wantCount(t, s, 3)
	if got := countRows(t, s, "audit_log"); got != 2 {
		t.Errorf("audit rows: got %d, want 2", got)
	}
	for _, want := range []*Credential{c, unaudited} {
		got, err := s.Get(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		w := *want
		w.StatusChangedAt = want.IssuedAt
		sameCredential(t, got, &w)
	}
	if rows := auditRows(t, s, c.ID); len(rows) != 1 || rows[0].actor != "operator" {
		t.Errorf("audit rows = %+v, want the one issue entry by operator", rows)
	}
}

func suiteAuditInSameTransaction(t *testing.T, s storeUnderTest) {
	f := newCredentialFactory(7)
	before := f.next(t)
	if err := s.Issue(t.Context(), before, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	s.breakAuditLog(t)
	c := f.next(t)
	err := s.Issue(t.Context(), c, "operator")
	if err == nil {
		t.Fatal("Issue with a failing audit insert: got no error")
	}
	if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrInvalidCredential) {
		t.Fatalf("Issue error = %v, want a storage failure", err)
	}
	if _, err := s.Get(t.Context(), c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after failed issue: error = %v, want %v", err, ErrNotFound)
	}
	if _, err := s.FindByDocumentHash(t.Context(), c.DocumentSHA256); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindByDocumentHash after failed issue: error = %v, want %v", err, ErrNotFound)
	}
	if _, err := s.FindBySignedDigest(t.Context(), c.SignedSHA256); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindBySignedDigest after failed issue: error = %v, want %v", err, ErrNotFound)
	}
	wantCount(t, s, 1)
}

func suiteConcurrentIssue(t *testing.T, s storeUnderTest) {
	const workers, each = 8, 10
	f := newCredentialFactory(8)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for range each {
				if err := s.Issue(t.Context(), f.next(t), fmt.Sprintf("worker-%d", w)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Issue: %v", err)
	}
	wantCount(t, s, workers*each)
	if got := countRows(t, s, "audit_log"); got != workers*each {
		t.Errorf("audit rows: got %d, want %d", got, workers*each)
	}
}

// suiteConcurrentSameSerial races several issues of one serial number:
// exactly one wins and the others learn which credential holds it.
func suiteConcurrentSameSerial(t *testing.T, s storeUnderTest) {
	const workers = 8
	f := newCredentialFactory(9)
	cs := make([]*Credential, workers)
	for i := range cs {
		cs[i] = f.next(t)
		cs[i].Public.Serial = "T 00516292"
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for i := range cs {
		wg.Go(func() { errs[i] = s.Issue(t.Context(), cs[i], "operator") })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("both issue %d and %d succeeded with the same serial", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no issue succeeded: %v", errs)
	}
	for i, err := range errs {
		if i == winner {
			continue
		}
		var dup *DuplicateError
		if !errors.As(err, &dup) || dup.Key != KeySerial || dup.Existing != cs[winner].ID {
			t.Errorf("issue %d: error = %v, want a serial duplicate of %s", i, err, cs[winner].ID)
		}
	}
	wantCount(t, s, 1)
}
