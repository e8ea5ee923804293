package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kyso-vn/kyso/registry/pgtest"
)

// postgresUnderTest adds the suite's test hooks to a *Postgres.
type postgresUnderTest struct {
	*Postgres
	url string
}

func (s postgresUnderTest) raw() *sqlStore { return &s.Postgres.store }

func (s postgresUnderTest) breakAuditLog(t *testing.T) {
	t.Helper()
	_, err := s.store.db.ExecContext(t.Context(), `
CREATE FUNCTION test_break_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'injected audit failure'; END $$;
CREATE TRIGGER test_break_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_break_audit();`)
	if err != nil {
		t.Fatalf("break audit log: %v", err)
	}
}

func (s postgresUnderTest) reopenReadOnly(t *testing.T) storeUnderTest {
	t.Helper()
	return postgresUnderTest{openTestPostgres(t, s.url, ReadOnly(), fixedClock(suiteNow)), s.url}
}

func (s postgresUnderTest) reopen(t *testing.T, opts ...Option) storeUnderTest {
	t.Helper()
	return postgresUnderTest{openTestPostgres(t, s.url, append(opts, fixedClock(suiteNow))...), s.url}
}

func (s postgresUnderTest) breakLog(t *testing.T) {
	t.Helper()
	_, err := s.store.db.ExecContext(t.Context(), `
CREATE FUNCTION test_break_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'injected log failure'; END $$;
CREATE TRIGGER test_break_log BEFORE INSERT ON translog_leaves FOR EACH ROW EXECUTE FUNCTION test_break_log();`)
	if err != nil {
		t.Fatalf("break log: %v", err)
	}
}

func openTestPostgres(t testing.TB, url string, opts ...Option) *Postgres {
	t.Helper()
	s, err := OpenPostgres(context.Background(), url, opts...)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	return s
}

// rawPostgres connects to the database with the driver alone, as another
// tool would.
func rawPostgres(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func postgresMigrations(t *testing.T) []migration {
	t.Helper()
	d, err := postgresDialect()
	if err != nil {
		t.Fatalf("postgresDialect: %v", err)
	}
	ms, err := loadMigrations(d.migrations)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	return ms
}

// TestPostgres runs everything that needs a PostgreSQL server against one
// server: the conformance suite, then what is specific to PostgreSQL. Each
// test gets a new database.
func TestPostgres(t *testing.T) {
	srv := pgtest.Start(t)

	t.Run("Suite", func(t *testing.T) {
		runStoreSuite(t, func(t *testing.T) storeUnderTest {
			url := srv.NewDatabase(t)
			return postgresUnderTest{openTestPostgres(t, url, fixedClock(suiteNow)), url}
		})
	})

	t.Run("SameMigrationsAsSQLite", func(t *testing.T) {
		d, err := sqliteDialect()
		if err != nil {
			t.Fatal(err)
		}
		lite, err := loadMigrations(d.migrations)
		if err != nil {
			t.Fatal(err)
		}
		pg := postgresMigrations(t)
		if len(pg) != len(lite) {
			t.Fatalf("PostgreSQL has %d migrations, SQLite %d; want the same versions", len(pg), len(lite))
		}
		for i := range pg {
			if pg[i].name != lite[i].name {
				t.Errorf("migration %d: PostgreSQL %q, SQLite %q; want the same name", i+1, pg[i].name, lite[i].name)
			}
		}
	})

	t.Run("Reopen", func(t *testing.T) {
		url := srv.NewDatabase(t)
		first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		s := openTestPostgres(t, url, fixedClock(first))
		c := newCredentialFactory(60).next(t)
		if err := s.Issue(t.Context(), c, "operator"); err != nil {
			t.Fatalf("Issue: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for i := range 2 {
			s := openTestPostgres(t, url, fixedClock(first.AddDate(0, 0, i+1)))
			if _, err := s.Get(t.Context(), c.ID); err != nil {
				t.Errorf("reopen %d: Get: %v", i+1, err)
			}
			s.Close()
		}
		wantVersions(t, rawPostgres(t, url), len(postgresMigrations(t)), formatTime(first))
	})

	t.Run("ConcurrentFirstOpen", func(t *testing.T) {
		url := srv.NewDatabase(t)
		const openers = 6
		var wg sync.WaitGroup
		errs := make([]error, openers)
		for i := range openers {
			wg.Go(func() {
				s, err := OpenPostgres(t.Context(), url, fixedClock(suiteNow))
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
		wantVersions(t, rawPostgres(t, url), len(postgresMigrations(t)), formatTime(suiteNow))
	})

	t.Run("RefusesForeignHistory", func(t *testing.T) {
		tests := []struct {
			name     string
			tamper   string
			want     error
			readOnly bool
		}{
			{"newer schema", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 'x')`, ErrSchemaTooNew, false},
			{"renamed migration", `UPDATE schema_migrations SET name = '0001_something_else' WHERE version = 1`, ErrSchemaMismatch, false},
			{"newer schema, read-only", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 'x')`, ErrSchemaTooNew, true},
			{"renamed migration, read-only", `UPDATE schema_migrations SET name = 'x' WHERE version = 1`, ErrSchemaMismatch, true},
			{"older schema, read-only", `DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`, ErrSchemaOutdated, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				url := srv.NewDatabase(t)
				openTestPostgres(t, url).Close()
				if _, err := rawPostgres(t, url).ExecContext(t.Context(), tt.tamper); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				var opts []Option
				if tt.readOnly {
					opts = append(opts, ReadOnly())
				}
				s, err := OpenPostgres(t.Context(), url, opts...)
				if !errors.Is(err, tt.want) {
					t.Fatalf("OpenPostgres error = %v, want %v", err, tt.want)
				}
				if s != nil {
					t.Error("OpenPostgres returned a store with an error")
				}
			})
		}
	})

	t.Run("ReadOnlyRefuses", func(t *testing.T) {
		t.Run("missing database", func(t *testing.T) {
			for _, opts := range [][]Option{nil, {ReadOnly()}} {
				if _, err := OpenPostgres(t.Context(), srv.URL("kyso_no_such_database"), opts...); !errors.Is(err, ErrNoDatabase) {
					t.Errorf("OpenPostgres of a missing database: error = %v, want %v", err, ErrNoDatabase)
				}
			}
		})
		t.Run("empty database", func(t *testing.T) {
			url := srv.NewDatabase(t)
			if _, err := OpenPostgres(t.Context(), url, ReadOnly()); !errors.Is(err, ErrSchemaOutdated) {
				t.Fatalf("OpenPostgres read-only of an empty database: error = %v, want %v", err, ErrSchemaOutdated)
			}
			var tables int
			if err := rawPostgres(t, url).QueryRowContext(t.Context(),
				`SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if tables != 0 {
				t.Errorf("a read-only open created %d tables, want 0", tables)
			}
		})
	})

	t.Run("UpgradesVersion1", func(t *testing.T) {
		url := srv.NewDatabase(t)
		db := rawPostgres(t, url)
		d, err := postgresDialect()
		if err != nil {
			t.Fatal(err)
		}
		if err := migrate(t.Context(), db, d, postgresMigrations(t)[:1], suiteNow); err != nil {
			t.Fatalf("migrate to version 1: %v", err)
		}
		old := newCredentialFactory(61).next(t)
		issued := formatTime(old.IssuedAt)
		if _, err := db.ExecContext(t.Context(), `INSERT INTO credentials (id, kind, layout_version, public, serial, document_sha256,
    status, status_reason, status_changed_at, issued_at, issuer, created_at)
VALUES ($1, 'diploma', 'diploma/v1', '{"holder_name":"A"}', $2, $3, 'valid', '', $4, $4, 'someone', $4)`,
			old.ID.Compact(), old.Public.Serial, fmt.Sprintf("%x", old.DocumentSHA256), issued); err != nil {
			t.Fatalf("insert a version 1 credential: %v", err)
		}
		s := postgresUnderTest{openTestPostgres(t, url, fixedClock(suiteNow)), url}
		t.Cleanup(func() { s.Close() })
		got, err := s.Get(t.Context(), old.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got.SignedSHA256 != ([32]byte{}) || got.Public.HolderName != "A" {
			t.Errorf("upgraded credential = %+v, want no signed digest and holder A", got)
		}
		if _, err := db.ExecContext(t.Context(), `UPDATE credentials SET signed_sha256 = $1 WHERE id = $2`,
			fmt.Sprintf("%x", old.SignedSHA256), old.ID.Compact()); err == nil {
			t.Error("setting the signed digest of an upgraded credential: got no error, want the trigger to refuse")
		}
		if err := s.Revoke(t.Context(), old.ID, "withdrawn", "officer", suiteNow); err != nil {
			t.Errorf("Revoke an upgraded credential: %v", err)
		}
	})

	t.Run("TruncateRefused", func(t *testing.T) {
		url := srv.NewDatabase(t)
		s := openTestPostgres(t, url, fixedClock(suiteNow))
		t.Cleanup(func() { s.Close() })
		if err := s.Issue(t.Context(), newCredentialFactory(62).next(t), "operator"); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{`TRUNCATE audit_log`, `TRUNCATE credentials CASCADE`, `TRUNCATE audit_log, credentials`} {
			if _, err := s.store.db.ExecContext(t.Context(), stmt); err == nil {
				t.Errorf("%s: got no error, want the trigger to refuse", stmt)
			}
		}
		wantCountOf(t, s, 1)
	})

	t.Run("ReadOnlyDatabase", func(t *testing.T) {
		// A database every session of which is read-only (a standby, or
		// a role kept from writing): opening it for writing fails with
		// ErrReadOnly; opening it read-only works.
		url := srv.NewDatabase(t)
		w := openTestPostgres(t, url, fixedClock(suiteNow))
		c := newCredentialFactory(63).next(t)
		if err := w.Issue(t.Context(), c, "operator"); err != nil {
			t.Fatal(err)
		}
		w.Close()
		name := strings.TrimPrefix(mustParseURL(t, url).Path, "/")
		srv.Exec(t, `ALTER DATABASE `+name+` SET default_transaction_read_only = on`)
		if _, err := OpenPostgres(t.Context(), url); !errors.Is(err, ErrReadOnly) {
			t.Errorf("OpenPostgres for writing on a read-only database: error = %v, want %v", err, ErrReadOnly)
		}
		r := openTestPostgres(t, url, ReadOnly())
		defer r.Close()
		if got, err := r.Get(t.Context(), c.ID); err != nil || got.ID != c.ID {
			t.Errorf("Get = %v, %v; want %s", got, err, c.ID)
		}
	})

	t.Run("SessionSettings", func(t *testing.T) {
		url := srv.NewDatabase(t)
		s := openTestPostgres(t, url, WithBusyTimeout(1234*time.Millisecond))
		t.Cleanup(func() { s.Close() })
		r := openTestPostgres(t, url, ReadOnly())
		t.Cleanup(func() { r.Close() })
		for _, tt := range []struct {
			store   *Postgres
			setting string
			want    string
		}{
			{s, "lock_timeout", "1234ms"},
			{s, "default_transaction_read_only", "off"},
			{s, "application_name", "kyso"},
			{r, "default_transaction_read_only", "on"},
		} {
			var got string
			if err := tt.store.store.db.QueryRowContext(t.Context(), `SELECT current_setting($1)`, tt.setting).Scan(&got); err != nil {
				t.Fatalf("current_setting(%s): %v", tt.setting, err)
			}
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.setting, got, tt.want)
			}
		}
	})

	t.Run("PasswordNeverInErrors", func(t *testing.T) {
		const secret = "s3cr3t-Pa55"
		u := mustParseURL(t, srv.URL("kyso_no_such_database"))
		u.User = url.UserPassword("kyso", secret)
		bad := *u
		bad.RawQuery += "&port=notaport"
		for _, dsn := range []string{u.String(), bad.String(), "postgres://kyso:" + secret + "@[::1"} {
			_, err := OpenPostgres(t.Context(), dsn)
			if err == nil {
				t.Fatalf("OpenPostgres(%s): got no error", RedactURL(dsn))
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the password: %v", err)
			}
		}
	})

	t.Run("ServerDown", func(t *testing.T) {
		// A socket directory with no server: the open fails promptly with
		// a connection error, not a hang or a panic.
		q := url.Values{"host": {t.TempDir()}, "port": {"5432"}, "connect_timeout": {"2"}}
		dsn := (&url.URL{Scheme: "postgres", User: url.User("kyso"), Path: "/kyso", RawQuery: q.Encode()}).String()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		for _, opts := range [][]Option{nil, {ReadOnly()}} {
			s, err := OpenPostgres(ctx, dsn, opts...)
			if err == nil {
				s.Close()
				t.Fatal("OpenPostgres with no server: got no error")
			}
			if errors.Is(err, ErrNoDatabase) || errors.Is(err, ErrSchemaOutdated) {
				t.Errorf("OpenPostgres with no server: error = %v, want a connection failure", err)
			}
		}
	})
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCountOf(t *testing.T, s interface {
	Count(context.Context) (int64, error)
}, want int64) {
	t.Helper()
	if got, err := s.Count(t.Context()); err != nil || got != want {
		t.Errorf("Count = %d, %v; want %d", got, err, want)
	}
}

// wantVersions checks that db records versions 1..n, all applied at at.
func wantVersions(t *testing.T, db *sql.DB, n int, at string) {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var v int
		var got string
		if err := rows.Scan(&v, &got); err != nil {
			t.Fatal(err)
		}
		i++
		if v != i || got != at {
			t.Errorf("schema_migrations row %d = (%d, %s), want (%d, %s)", i, v, got, i, at)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Errorf("schema_migrations rows: got %d, want %d", i, n)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://kyso@db.example/registry", "postgres://kyso@db.example/registry"},
		{"postgres://kyso:secret@db.example:5433/registry?sslmode=verify-full", "postgres://kyso:xxxxx@db.example:5433/registry?sslmode=verify-full"},
		{"postgresql://kyso:p%40ss@db/registry", "postgresql://kyso:xxxxx@db/registry"},
		{"postgres://db/registry?user=kyso&password=secret", "postgres://db/registry?password=xxxxx&user=kyso"},
		{"postgres://db/registry?sslpassword=secret", "postgres://db/registry?sslpassword=xxxxx"},
		{"postgres://kyso:secret@[::1", "postgres://(unparsable URL)"},
	}
	for _, tt := range tests {
		got := RedactURL(tt.in)
		if got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "secret") || strings.Contains(got, "p%40ss") {
			t.Errorf("RedactURL(%q) = %q still holds the password", tt.in, got)
		}
	}
}

func TestIsPostgresURL(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://db/x":     true,
		"postgresql://db/x":   true,
		"registry.db":         false,
		"/var/lib/kyso/r.db":  false,
		"postgres.db":         false,
		"file:postgres://x":   false,
		"POSTGRES://db/upper": false,
	} {
		if got := IsPostgresURL(in); got != want {
			t.Errorf("IsPostgresURL(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestOpenPostgresBadArguments(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []Option
	}{
		{"not a postgres URL", "registry.db", nil},
		{"malformed URL", "postgres://kyso@db:port/x", nil},
		{"nil clock", "postgres://kyso@127.0.0.1:1/x", []Option{WithClock(nil)}},
		{"negative busy timeout", "postgres://kyso@127.0.0.1:1/x", []Option{WithBusyTimeout(-time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenPostgres(t.Context(), tt.url, tt.opts...)
			if err == nil {
				s.Close()
				t.Fatalf("OpenPostgres(%q): got no error", tt.url)
			}
		})
	}
}

// TestPostgresMapError checks that a server's refusal to write in a
// read-only session reaches callers as ErrReadOnly.
func TestPostgresMapError(t *testing.T) {
	s := &Postgres{}
	ro := fmt.Errorf("insert credential: %w", &pgconn.PgError{Code: pgReadOnlyTransaction, Message: "cannot execute INSERT in a read-only transaction"})
	if err := s.mapError(ro); !errors.Is(err, ErrReadOnly) {
		t.Errorf("mapError(read-only violation) = %v, want %v", err, ErrReadOnly)
	}
	other := &pgconn.PgError{Code: pgUniqueViolation}
	if err := s.mapError(other); errors.Is(err, ErrReadOnly) {
		t.Errorf("mapError(unique violation) = %v, want it not to be %v", err, ErrReadOnly)
	}
}
