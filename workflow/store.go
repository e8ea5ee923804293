package workflow

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	// database/sql drivers: "pgx" for PostgreSQL, "sqlite" for SQLite.
	_ "github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kyso-vn/kyso/internal/sqlutil"
	"github.com/kyso-vn/kyso/registry"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Store keeps accounts, sessions, tokens, documents in progress and the
// staff audit log in one SQLite file or PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
	now      func() time.Time
	name     string // the database, fit for messages (no password)
}

// Open opens (creating and migrating when needed) the store named by dsn:
// a postgres:// URL, or else the path of a SQLite file. now is the clock
// every stored time comes from.
func Open(ctx context.Context, dsn string, now func() time.Time) (*Store, error) {
	if now == nil {
		return nil, errors.New("open workflow store: nil clock")
	}
	s := &Store{now: now}
	var err error
	switch {
	case registry.IsPostgresURL(dsn):
		s.postgres, s.name = true, registry.RedactURL(dsn)
		s.db, err = sql.Open("pgx", dsn)
	case dsn == "":
		return nil, errors.New("open workflow store: empty database path")
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("open workflow store %s: unsupported URL; give a postgres:// URL or the path of a SQLite file", registry.RedactURL(dsn))
	default:
		s.name = dsn
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, fmt.Errorf("open workflow store %s: %w", dsn, err)
		}
		var u string
		if u, err = sqliteURL(dsn); err == nil {
			s.db, err = sql.Open("sqlite", u)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open workflow store %s: %w", s.name, err)
	}
	if !s.postgres {
		// One writer at a time is SQLite's rule anyway; a single
		// connection also keeps the WAL pragma and foreign keys on.
		s.db.SetMaxOpenConns(1)
		if _, err := s.db.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
			_ = s.db.Close()
			return nil, fmt.Errorf("open workflow store %s: %w", s.name, err)
		}
		_ = os.Chmod(dsn, 0o600)
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("open workflow store %s: %w", s.name, err)
	}
	return s, nil
}

// sqliteURL is the driver URL of a SQLite file with the connection
// settings the store relies on: a busy timeout, foreign keys, and write
// transactions that take the write lock when they begin.
func sqliteURL(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String(), nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// bind rewrites ? placeholders into $1, $2, … for PostgreSQL.
func (s *Store) bind(q string) string {
	if !s.postgres {
		return q
	}
	return sqlutil.BindDollar(q)
}

// isUniqueViolation reports a unique or primary key constraint failure.
func (s *Store) isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlutil.InTx(ctx, s.db, fn)
}

// exec runs one statement with ? placeholders inside tx.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	return tx.ExecContext(ctx, s.bind(q), args...)
}

// timeLayout sorts as text; stored times are UTC.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// migrate applies the embedded migrations the database has not seen, each
// in its own transaction with the row that records it. A database that
// records a version this program does not know is refused.
func (s *Store) migrate(ctx context.Context) error {
	dir := "migrations/sqlite"
	if s.postgres {
		dir = "migrations/postgres"
	}
	names, err := fs.Glob(migrationFiles, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS workflow_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)`); err != nil && !s.isUniqueViolation(err) {
		return fmt.Errorf("create workflow_migrations: %w", err)
	}
	for i, file := range names {
		version := i + 1
		base := strings.TrimSuffix(path.Base(file), ".sql")
		if !strings.HasPrefix(base, fmt.Sprintf("%04d_", version)) {
			return fmt.Errorf("migration %s: want version %04d", base, version)
		}
		script, err := migrationFiles.ReadFile(file)
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if s.postgres {
				// Serialise concurrent start-ups.
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7370420)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.bind(`SELECT COUNT(*) FROM workflow_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			_, err := s.exec(ctx, tx, `INSERT INTO workflow_migrations (version, name, applied_at) VALUES (?, ?, ?)`, version, base, formatTime(s.now()))
			return err
		})
		if err != nil {
			return err
		}
	}
	var newest int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM workflow_migrations`).Scan(&newest); err != nil {
		return err
	}
	if newest > len(names) {
		return fmt.Errorf("%w: the database is at version %d, this program knows %d", ErrSchemaTooNew, newest, len(names))
	}
	return nil
}
