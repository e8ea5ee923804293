package registry

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// createAtVersion makes a database at path with only the first version
// built-in migrations applied, through the driver alone (no WAL), as an
// older program would have left it.
func createAtVersion(t *testing.T, path string, version int) {
	t.Helper()
	d, err := sqliteDialect()
	if err != nil {
		t.Fatalf("sqliteDialect: %v", err)
	}
	ms, err := loadMigrations(d.migrations)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	if version > len(ms) {
		t.Fatalf("version %d: only %d migrations are built in", version, len(ms))
	}
	db := rawSQLite(t, path)
	if err := migrate(t.Context(), db, d, ms[:version], suiteNow); err != nil {
		t.Fatalf("migrate to version %d: %v", version, err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close raw: %v", err)
	}
}

// schemaVersions returns the versions recorded in the database at path.
func schemaVersions(t *testing.T, path string) []int {
	t.Helper()
	db := rawSQLite(t, path)
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("scan: %v", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return vs
}

// insertVersion1 writes c and its audit entry with the columns of schema
// version 1, which has no signed digest.
func insertVersion1(t *testing.T, path string, c *Credential) {
	t.Helper()
	public, err := json.Marshal(c.Public)
	if err != nil {
		t.Fatal(err)
	}
	db := rawSQLite(t, path)
	defer db.Close()
	issued := formatTime(c.IssuedAt)
	if _, err := db.ExecContext(t.Context(), `INSERT INTO credentials (
    id, kind, layout_version, public, serial, document_sha256,
    status, status_reason, status_changed_at, issued_at, issuer, created_at
) VALUES (?, ?, ?, ?, ?, ?, 'valid', '', ?, ?, ?, ?)`,
		c.ID.Compact(), c.Kind, c.LayoutVersion, string(public), c.Public.Serial,
		hex.EncodeToString(c.DocumentSHA256[:]), issued, issued, c.Issuer, formatTime(suiteNow)); err != nil {
		t.Fatalf("insert version 1 credential: %v", err)
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO audit_log (at, actor, action, credential_id, detail) VALUES (?, 'operator', 'issue', ?, '{}')`,
		formatTime(suiteNow), c.ID.Compact()); err != nil {
		t.Fatalf("insert version 1 audit entry: %v", err)
	}
}

// TestOpenSQLiteUpgradesVersion1 opens a database written by a program that
// knew only the first migration: it is upgraded in place, its credentials
// are kept without a signed digest, and the digest column is as immutable
// as the rest of what was issued.
func TestOpenSQLiteUpgradesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	createAtVersion(t, path, 1)
	f := newCredentialFactory(40)
	old := f.next(t)
	insertVersion1(t, path, old)

	s := sqliteUnderTest{openTestSQLite(t, path, fixedClock(suiteNow)), path}
	t.Cleanup(func() { s.Close() })
	if got, want := len(schemaVersions(t, path)), embeddedMigrationCount(t); got != want {
		t.Fatalf("schema versions after open: got %d, want %d", got, want)
	}

	got, err := s.Get(t.Context(), old.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := *old
	want.SignedSHA256 = [32]byte{}
	want.StatusChangedAt = old.IssuedAt
	sameCredential(t, got, &want)
	if c, err := s.FindByDocumentHash(t.Context(), old.DocumentSHA256); err != nil || c.ID != old.ID {
		t.Errorf("FindByDocumentHash = %v, %v; want %s", c, err, old.ID)
	}
	for _, sum := range [][32]byte{old.SignedSHA256, {}} {
		if c, err := s.FindBySignedDigest(t.Context(), sum); !errors.Is(err, ErrNotFound) {
			t.Errorf("FindBySignedDigest(%x) = %v, %v; want %v", sum, c, err, ErrNotFound)
		}
	}

	if _, err := s.store.db.ExecContext(t.Context(), `UPDATE credentials SET signed_sha256 = ? WHERE id = ?`,
		hex.EncodeToString(old.SignedSHA256[:]), old.ID.Compact()); err == nil {
		t.Error("setting the signed digest of an upgraded credential: got no error, want the trigger to refuse")
	}
	if _, err := s.store.db.ExecContext(t.Context(), `UPDATE credentials SET issuer = 'someone else' WHERE id = ?`, old.ID.Compact()); err == nil {
		t.Error("rewriting the issuer after the trigger was recreated: got no error, want the trigger to refuse")
	}

	fresh := f.next(t)
	if err := s.Issue(t.Context(), fresh, "operator"); err != nil {
		t.Fatalf("Issue after upgrade: %v", err)
	}
	if c, err := s.FindBySignedDigest(t.Context(), fresh.SignedSHA256); err != nil || c.ID != fresh.ID {
		t.Errorf("FindBySignedDigest after upgrade = %v, %v; want %s", c, err, fresh.ID)
	}
	again := f.next(t)
	again.SignedSHA256 = fresh.SignedSHA256
	var dup *DuplicateError
	if err := s.Issue(t.Context(), again, "operator"); !errors.As(err, &dup) || dup.Key != KeySignedHash || dup.Existing != fresh.ID {
		t.Errorf("Issue with a taken signed digest: error = %v, want a %s duplicate of %s", err, KeySignedHash, fresh.ID)
	}
	wantCount(t, s, 2)
}

// TestSQLiteSignedDigestColumnCheck covers the column's own constraint,
// which guards rows written without the registry.
func TestSQLiteSignedDigestColumnCheck(t *testing.T) {
	s := openTestSQLite(t, filepath.Join(t.TempDir(), "registry.db"), fixedClock(suiteNow))
	t.Cleanup(func() { s.Close() })
	f := newCredentialFactory(41)
	tests := []struct {
		name   string
		signed any
		ok     bool
	}{
		{"lower-case hex", hex.EncodeToString(make([]byte, 32)), true},
		{"null", nil, true},
		{"upper-case hex", "AB" + hex.EncodeToString(make([]byte, 31)), false},
		{"short", hex.EncodeToString(make([]byte, 31)), false},
		{"not hex", "zz" + hex.EncodeToString(make([]byte, 31)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.next(t)
			_, err := s.store.db.ExecContext(t.Context(), `INSERT INTO credentials (id, kind, layout_version, public, document_sha256,
    signed_sha256, status, status_changed_at, issued_at, issuer, created_at)
VALUES (?, 'diploma', 'diploma/v1', '{}', ?, ?, 'valid', 'x', 'x', 'someone', 'x')`,
				c.ID.Compact(), hex.EncodeToString(c.DocumentSHA256[:]), tt.signed)
			if (err == nil) != tt.ok {
				t.Errorf("insert with signed_sha256 %v: error = %v, want accepted %v", tt.signed, err, tt.ok)
			}
		})
	}
}

func TestOpenSQLiteReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	w := openTestSQLite(t, path, fixedClock(suiteNow))
	t.Cleanup(func() { w.Close() })
	f := newCredentialFactory(42)
	c := f.next(t)
	if err := w.Issue(t.Context(), c, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}

	r, err := OpenSQLite(t.Context(), path, ReadOnly())
	if err != nil {
		t.Fatalf("OpenSQLite read-only: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	want := *c
	want.StatusChangedAt = c.IssuedAt
	got, err := r.Get(t.Context(), c.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	sameCredential(t, got, &want)
	lookups := []struct {
		name string
		call func() (*Credential, error)
	}{
		{"FindByDocumentHash", func() (*Credential, error) { return r.FindByDocumentHash(t.Context(), c.DocumentSHA256) }},
		{"FindBySignedDigest", func() (*Credential, error) { return r.FindBySignedDigest(t.Context(), c.SignedSHA256) }},
		{"FindBySerial", func() (*Credential, error) { return r.FindBySerial(t.Context(), c.Kind, c.Public.Serial) }},
	}
	for _, l := range lookups {
		if got, err := l.call(); err != nil || got.ID != c.ID {
			t.Errorf("%s = %v, %v; want %s", l.name, got, err, c.ID)
		}
	}

	if err := r.Issue(t.Context(), f.next(t), "operator"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Issue on a read-only store: error = %v, want %v", err, ErrReadOnly)
	}
	if _, err := r.store.db.ExecContext(t.Context(), `INSERT INTO audit_log (at, actor, action, detail) VALUES ('x', 'x', 'x', '{}')`); err == nil {
		t.Error("raw insert through a read-only store: got no error, want SQLite to refuse")
	}
	if n, err := r.Count(t.Context()); err != nil || n != 1 {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}

	// A reader sees what the writer issues after the reader opened.
	later := f.next(t)
	if err := w.Issue(t.Context(), later, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if got, err := r.FindBySignedDigest(t.Context(), later.SignedSHA256); err != nil || got.ID != later.ID {
		t.Errorf("FindBySignedDigest of a later issue = %v, %v; want %s", got, err, later.ID)
	}
}

// TestOpenSQLiteReadOnlyAfterWriterClosed is the usual case for verify: the
// WAL database was written and closed, and no writer is running.
func TestOpenSQLiteReadOnlyAfterWriterClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	w := openTestSQLite(t, path, fixedClock(suiteNow))
	c := newCredentialFactory(44).next(t)
	if err := w.Issue(t.Context(), c, "operator"); err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	r, err := OpenSQLite(t.Context(), path, ReadOnly())
	if err != nil {
		t.Fatalf("OpenSQLite read-only: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	if got, err := r.FindBySignedDigest(t.Context(), c.SignedSHA256); err != nil || got.ID != c.ID {
		t.Errorf("FindBySignedDigest = %v, %v; want %s", got, err, c.ID)
	}
	if err := r.Issue(t.Context(), newCredentialFactory(45).next(t), "operator"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Issue on a read-only store: error = %v, want %v", err, ErrReadOnly)
	}
}

// TestOpenSQLiteReadOnlyChangesNothing opens a current database that an
// older tool left in rollback-journal mode: a read-only open must not
// switch it to WAL or record anything.
func TestOpenSQLiteReadOnlyChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	createAtVersion(t, path, embeddedMigrationCount(t))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenSQLite(t.Context(), path, ReadOnly())
	if err != nil {
		t.Fatalf("OpenSQLite read-only: %v", err)
	}
	if n, err := r.Count(t.Context()); err != nil || n != 0 {
		t.Errorf("Count = %d, %v; want 0", n, err)
	}
	var mode string
	if err := r.store.db.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatalf("PRAGMA journal_mode: %v", err)
	}
	if mode != "delete" {
		t.Errorf("journal mode = %q, want %q", mode, "delete")
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("database file changed after a read-only open")
	}
	for _, suffix := range []string{"-wal", "-journal"} {
		if _, err := os.Stat(path + suffix); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s file after a read-only open: stat error = %v, want not exist", suffix, err)
		}
	}
}

func TestOpenSQLiteReadOnlyRefuses(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, path string)
		migrated bool  // whether setup leaves a schema_migrations table
		want     error // nil: any error
	}{
		{"missing file", func(*testing.T, string) {}, false, ErrNoDatabase},
		{"empty file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, false, ErrSchemaOutdated},
		{"schema version 1", func(t *testing.T, path string) { createAtVersion(t, path, 1) }, true, ErrSchemaOutdated},
		{"newer schema", func(t *testing.T, path string) {
			createAtVersion(t, path, embeddedMigrationCount(t))
			db := rawSQLite(t, path)
			if _, err := db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 'x')`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, true, ErrSchemaTooNew},
		{"renamed migration", func(t *testing.T, path string) {
			createAtVersion(t, path, embeddedMigrationCount(t))
			db := rawSQLite(t, path)
			if _, err := db.ExecContext(t.Context(), `UPDATE schema_migrations SET name = 'x' WHERE version = 1`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, true, ErrSchemaMismatch},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "registry.db")
			tt.setup(t, path)
			var versions []int
			if tt.migrated {
				versions = schemaVersions(t, path)
			}
			s, err := OpenSQLite(t.Context(), path, ReadOnly())
			if err == nil {
				s.Close()
				t.Fatalf("OpenSQLite read-only: got no error, want %v", tt.want)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("OpenSQLite read-only: error = %v, want %v", err, tt.want)
			}
			if s != nil {
				t.Error("OpenSQLite returned a store with an error")
			}
			if tt.want == ErrNoDatabase {
				if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("after a read-only open of a missing file: stat error = %v, want not exist", err)
				}
			}
			if tt.migrated {
				if got := schemaVersions(t, path); len(got) != len(versions) {
					t.Errorf("schema versions after a refused read-only open: got %v, want %v", got, versions)
				}
			}
		})
	}
}

func TestOpenSQLiteFileMode(t *testing.T) {
	t.Run("new database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "registry.db")
		s := openTestSQLite(t, path, fixedClock(suiteNow))
		t.Cleanup(func() { s.Close() })
		if err := s.Issue(t.Context(), newCredentialFactory(43).next(t), "operator"); err != nil {
			t.Fatalf("Issue: %v", err)
		}
		// The -wal file exists while the store is open.
		for _, p := range []string{path, path + "-wal"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("stat: %v", err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("mode of %s = %v, want %v", filepath.Base(p), got, fs.FileMode(0o600))
			}
		}
	})
	t.Run("existing database keeps its mode", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "registry.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		s := openTestSQLite(t, path, fixedClock(suiteNow))
		t.Cleanup(func() { s.Close() })
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if got := fi.Mode().Perm(); got != 0o640 {
			t.Errorf("mode = %v, want %v", got, fs.FileMode(0o640))
		}
	})
}
