package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// sqliteUnderTest adds the suite's test hooks to a *SQLite.
type sqliteUnderTest struct {
	*SQLite
	path string
}

func (s sqliteUnderTest) reopenReadOnly(t *testing.T) storeUnderTest {
	t.Helper()
	return sqliteUnderTest{openTestSQLite(t, s.path, ReadOnly(), fixedClock(suiteNow)), s.path}
}

func (s sqliteUnderTest) reopen(t *testing.T, opts ...Option) storeUnderTest {
	t.Helper()
	return sqliteUnderTest{openTestSQLite(t, s.path, append(opts, fixedClock(suiteNow))...), s.path}
}

func (s sqliteUnderTest) breakLog(t *testing.T) {
	t.Helper()
	_, err := s.store.db.ExecContext(t.Context(), `CREATE TRIGGER test_break_log BEFORE INSERT ON translog_leaves
BEGIN SELECT RAISE(ABORT, 'injected log failure'); END`)
	if err != nil {
		t.Fatalf("break log: %v", err)
	}
}

func (s sqliteUnderTest) raw() *sqlStore { return &s.SQLite.store }

func (s sqliteUnderTest) breakAuditLog(t *testing.T) {
	t.Helper()
	_, err := s.store.db.ExecContext(t.Context(), `CREATE TRIGGER test_break_audit BEFORE INSERT ON audit_log
BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END`)
	if err != nil {
		t.Fatalf("break audit log: %v", err)
	}
}

func fixedClock(at time.Time) Option {
	return WithClock(func() time.Time { return at })
}

func openTestSQLite(t testing.TB, path string, opts ...Option) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	return s
}

func TestSQLiteSuite(t *testing.T) {
	runStoreSuite(t, func(t *testing.T) storeUnderTest {
		path := filepath.Join(t.TempDir(), "registry.db")
		return sqliteUnderTest{openTestSQLite(t, path, fixedClock(suiteNow)), path}
	})
}

// rawSQLite opens the file with the driver alone, as another tool would.
func rawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	dsn, err := sqliteDSN(path, time.Second)
	if err != nil {
		t.Fatalf("sqliteDSN: %v", err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func embeddedMigrationCount(t *testing.T) int {
	t.Helper()
	d, err := sqliteDialect()
	if err != nil {
		t.Fatalf("sqliteDialect: %v", err)
	}
	ms, err := loadMigrations(d.migrations)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	return len(ms)
}

func TestOpenSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := openTestSQLite(t, path, fixedClock(first))
	c := newCredentialFactory(20).next(t)
	if err := s.Issue(t.Context(), c, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range 2 {
		s := openTestSQLite(t, path, fixedClock(first.AddDate(0, 0, i+1)))
		if _, err := s.Get(t.Context(), c.ID); err != nil {
			t.Errorf("reopen %d: Get: %v", i+1, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	db := rawSQLite(t, path)
	rows, err := db.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatalf("scan: %v", err)
		}
		n++
		if v != n || at != formatTime(first) {
			t.Errorf("schema_migrations row %d = (%d, %s), want (%d, %s)", n, v, at, n, formatTime(first))
		}
	}
	if want := embeddedMigrationCount(t); n != want {
		t.Errorf("schema_migrations rows: got %d, want %d", n, want)
	}
}

func TestOpenSQLiteConcurrentFirstOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	const openers = 4
	var wg sync.WaitGroup
	errs := make([]error, openers)
	for i := range openers {
		wg.Go(func() {
			s, err := OpenSQLite(t.Context(), path, fixedClock(suiteNow))
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opener %d: %v", i, err)
		}
	}
	var n int
	if err := rawSQLite(t, path).QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	if want := embeddedMigrationCount(t); n != want {
		t.Errorf("schema_migrations rows: got %d, want %d", n, want)
	}
}

func TestOpenSQLiteRefusesForeignHistory(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		want   error
	}{
		{"newer schema", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', '2030-01-01T00:00:00.000000000Z')`, ErrSchemaTooNew},
		{"renamed migration", `UPDATE schema_migrations SET name = '0001_something_else' WHERE version = 1`, ErrSchemaMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "registry.db")
			if err := openTestSQLite(t, path).Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			db := rawSQLite(t, path)
			if _, err := db.ExecContext(t.Context(), tt.tamper); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatalf("close raw: %v", err)
			}
			s, err := OpenSQLite(t.Context(), path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("OpenSQLite error = %v, want %v", err, tt.want)
			}
			if s != nil {
				t.Errorf("OpenSQLite returned a store with an error")
			}
		})
	}
}

func TestOpenSQLiteBadArguments(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts []Option
	}{
		{"empty path", "", nil},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "registry.db"), nil},
		{"path is a directory", dir, nil},
		{"nil clock", filepath.Join(dir, "a.db"), []Option{WithClock(nil)}},
		{"negative busy timeout", filepath.Join(dir, "b.db"), []Option{WithBusyTimeout(-time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenSQLite(t.Context(), tt.path, tt.opts...)
			if err == nil {
				s.Close()
				t.Fatalf("OpenSQLite(%q): got no error", tt.path)
			}
		})
	}
}

// TestOpenSQLiteOddPath checks that the path reaches SQLite intact, even
// with characters that mean something in a URI.
func TestOpenSQLiteOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sổ gốc #1 ?x=y&z")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "registry 100%.db")
	s := openTestSQLite(t, path)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %q: %v", path, err)
	}
}

// TestSQLiteConnectionSettings checks every pooled connection, not only the
// first, since pragmas are per connection.
func TestSQLiteConnectionSettings(t *testing.T) {
	s := openTestSQLite(t, filepath.Join(t.TempDir(), "registry.db"), WithBusyTimeout(1234*time.Millisecond))
	t.Cleanup(func() { s.Close() })
	const conns = 3
	var held []*sql.Conn
	for range conns {
		c, err := s.store.db.Conn(t.Context())
		if err != nil {
			t.Fatalf("Conn: %v", err)
		}
		held = append(held, c)
	}
	want := map[string]string{
		"journal_mode":       "wal",
		"foreign_keys":       "1",
		"recursive_triggers": "1",
		"synchronous":        "2",
		"busy_timeout":       "1234",
	}
	for i, c := range held {
		for pragma, w := range want {
			var got string
			if err := c.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", i, pragma, err)
			}
			if got != w {
				t.Errorf("connection %d: PRAGMA %s = %q, want %q", i, pragma, got, w)
			}
		}
	}
	for _, c := range held {
		c.Close()
	}
}

// TestSQLiteReplaceCannotDelete covers SQLite's REPLACE conflict resolution,
// which deletes the conflicting row and fires delete triggers only when
// recursive triggers are on.
func TestSQLiteReplaceCannotDelete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	s := sqliteUnderTest{openTestSQLite(t, path, fixedClock(suiteNow)), path}
	t.Cleanup(func() { s.Close() })
	f := newCredentialFactory(21)
	c := f.next(t)
	if err := s.Issue(t.Context(), c, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	fresh := f.next(t)
	insert := `INSERT OR REPLACE INTO credentials (id, kind, layout_version, public, serial, document_sha256,
    status, status_changed_at, issued_at, issuer, created_at)
VALUES (?, 'diploma', 'diploma/v1', '{}', ?, ?, 'valid', 'x', 'x', 'someone', 'x')`
	tests := []struct {
		name  string
		query string
		args  []any
	}{
		{"same ID", insert, []any{c.ID.Compact(), nil, fmt.Sprintf("%064x", 1)}},
		{"same serial", insert, []any{fresh.ID.Compact(), c.Public.Serial, fmt.Sprintf("%064x", 2)}},
		{"same hash", insert, []any{fresh.ID.Compact(), nil, fmt.Sprintf("%x", c.DocumentSHA256)}},
		{"same signed digest", `INSERT OR REPLACE INTO credentials (id, kind, layout_version, public, document_sha256, signed_sha256,
    status, status_changed_at, issued_at, issuer, created_at)
VALUES (?, 'diploma', 'diploma/v1', '{}', ?, ?, 'valid', 'x', 'x', 'someone', 'x')`,
			[]any{fresh.ID.Compact(), fmt.Sprintf("%064x", 3), fmt.Sprintf("%x", c.SignedSHA256)}},
		{"audit entry", `REPLACE INTO audit_log (seq, at, actor, action, detail) SELECT seq, at, 'nobody', action, detail FROM audit_log`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.store.db.ExecContext(t.Context(), tt.query, tt.args...); err == nil {
				t.Fatalf("REPLACE: got no error, want the delete trigger to refuse")
			}
		})
	}
	got, err := s.Get(t.Context(), c.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.DocumentSHA256 != c.DocumentSHA256 || got.Issuer != c.Issuer {
		t.Errorf("credential changed: got %+v", got)
	}
	wantCount(t, s, 1)
	if rows := auditRows(t, s, c.ID); len(rows) != 1 || rows[0].actor != "operator" {
		t.Errorf("audit rows = %+v, want the one issue entry by operator", rows)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"ordered", fstest.MapFS{"0002_b.sql": file("B"), "0001_a.sql": file("A"), "README": file("x")}, []int{1, 2}, false},
		{"empty", fstest.MapFS{}, nil, true},
		{"gap", fstest.MapFS{"0001_a.sql": file("A"), "0003_c.sql": file("C")}, nil, true},
		{"repeat", fstest.MapFS{"0001_a.sql": file("A"), "0001_b.sql": file("B")}, nil, true},
		{"starts at 2", fstest.MapFS{"0002_b.sql": file("B")}, nil, true},
		{"no description", fstest.MapFS{"0001.sql": file("A")}, nil, true},
		{"short number", fstest.MapFS{"1_a.sql": file("A")}, nil, true},
		{"not a number", fstest.MapFS{"000a_a.sql": file("A")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fsys)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("loadMigrations: got %d migrations, want an error", len(ms))
				}
				return
			}
			if err != nil {
				t.Fatalf("loadMigrations: %v", err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("versions = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMigrateFailureRollsBack runs the migration runner on scripts of its
// own: a failing script must leave neither its tables nor its version.
func TestMigrateFailureRollsBack(t *testing.T) {
	db := rawSQLite(t, filepath.Join(t.TempDir(), "m.db"))
	d := dialect{bind: func(q string) string { return q }}
	tableExists := func(name string) bool {
		var n int
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
			t.Fatalf("query sqlite_schema: %v", err)
		}
		return n == 1
	}
	versions := func() int {
		var n int
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatalf("count schema_migrations: %v", err)
		}
		return n
	}

	broken := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
		"0002_b.sql": {Data: []byte(`CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);`)},
	}
	ms, err := loadMigrations(broken)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if err := migrate(t.Context(), db, d, ms, suiteNow); err == nil {
		t.Fatal("migrate with a failing script: got no error")
	}
	if !tableExists("a") || tableExists("b") || versions() != 1 {
		t.Fatalf("after failure: a=%v b=%v versions=%d, want a=true b=false versions=1", tableExists("a"), tableExists("b"), versions())
	}

	fixed := fstest.MapFS{
		"0001_a.sql": broken["0001_a.sql"],
		"0002_b.sql": {Data: []byte(`CREATE TABLE b (x INTEGER);`)},
	}
	if ms, err = loadMigrations(fixed); err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	for range 2 {
		if err := migrate(t.Context(), db, d, ms, suiteNow); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	if !tableExists("b") || versions() != 2 {
		t.Errorf("after fix: b=%v versions=%d, want b=true versions=2", tableExists("b"), versions())
	}
	if err := migrate(t.Context(), db, d, ms[:1], suiteNow); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("migrate with fewer known migrations: error = %v, want %v", err, ErrSchemaTooNew)
	}
}

func BenchmarkGet(b *testing.B) {
	const rows = 10_000
	s := openTestSQLite(b, filepath.Join(b.TempDir(), "registry.db"), fixedClock(suiteNow))
	b.Cleanup(func() { s.Close() })
	f := newCredentialFactory(30)
	ids := make([]ID, rows)
	// One transaction for the fixture: 10k separately synced commits would
	// measure the disk, not Get.
	tx, err := s.store.db.BeginTx(b.Context(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range ids {
		c := f.next(b)
		ids[i] = c.ID
		if err := s.store.insertCredential(b.Context(), tx, c, suiteNow); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := s.Get(b.Context(), ids[r.IntN(rows)]); err != nil {
			b.Fatal(err)
		}
	}
}
