package translog

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationLockKey is the pg_advisory_xact_lock key that serialises the
// log's migrations across processes ("kysotmig" in ASCII).
const migrationLockKey int64 = 0x6b79736f746d6967

// schemaTable records the applied log migrations. It is the log's own, so
// that the log can share a database with the registry, whose migrations
// are numbered separately.
const schemaTable = "translog_schema"

type migration struct {
	version int
	name    string
	script  string
}

// migrations returns the dialect's scripts, numbered from 1 without gaps.
func migrations(d Dialect) ([]migration, error) {
	dir := "migrations/" + d.String()
	names, err := fs.Glob(migrationFiles, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	ms := make([]migration, 0, len(names))
	for _, file := range names {
		base := strings.TrimSuffix(path.Base(file), ".sql")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", file)
		}
		b, err := migrationFiles.ReadFile(file)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, script: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d", m.name, m.version, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations for %v", d)
	}
	return ms, nil
}

// Migrate creates or updates the log's tables (translog_leaves,
// translog_checkpoints and translog_schema, which records the applied
// versions) in db. It leaves every other table alone, so the log may live
// in the registry's database. All migrations run in one transaction that
// holds the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
// advisory lock), so concurrent starts are safe. A database migrated by a
// newer program is refused with ErrSchemaTooNew. now is recorded as the
// time each migration was applied.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, now time.Time) error {
	if db == nil {
		return errors.New("translog: migrate: nil database")
	}
	if d != SQLite && d != Postgres {
		return fmt.Errorf("translog: migrate: unknown %v", d)
	}
	ms, err := migrations(d)
	if err != nil {
		return fmt.Errorf("translog: migrate: %w", err)
	}
	if err := migrate(ctx, db, d, ms, now); err != nil {
		return fmt.Errorf("translog: migrate %v: %w", d, err)
	}
	return nil
}

// execer is what a migration runs statements on: a *sql.Conn inside a
// manual SQLite transaction or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func migrate(ctx context.Context, db *sql.DB, d Dialect, ms []migration, now time.Time) (err error) {
	var (
		ex     execer
		commit func() error
	)
	switch d {
	case SQLite:
		// database/sql cannot ask for BEGIN IMMEDIATE, and a deferred
		// transaction that reads the version first would fail, not
		// wait, when another process migrates at the same moment.
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer func() {
			if err != nil {
				// The context may be what failed; the rollback must
				// still reach the connection before it is reused.
				_, _ = conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
			}
		}()
		ex = conn
		commit = func() error {
			_, err := conn.ExecContext(ctx, `COMMIT`)
			return err
		}
	case Postgres:
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer func() {
			if err != nil {
				_ = tx.Rollback()
			}
		}()
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		ex = tx
		commit = tx.Commit
	}
	if _, err := ex.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+schemaTable+` (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)`); err != nil {
		return fmt.Errorf("create %s: %w", schemaTable, err)
	}
	var have int
	if err := ex.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+schemaTable).Scan(&have); err != nil {
		return fmt.Errorf("read %s: %w", schemaTable, err)
	}
	if have > len(ms) {
		return fmt.Errorf("%w: database has log schema version %d, this program knows up to %d", ErrSchemaTooNew, have, len(ms))
	}
	insert := `INSERT INTO ` + schemaTable + ` (version, name, applied_at) VALUES (?, ?, ?)`
	if d == Postgres {
		insert = `INSERT INTO ` + schemaTable + ` (version, name, applied_at) VALUES ($1, $2, $3)`
	}
	for _, m := range ms[have:] {
		if _, err := ex.ExecContext(ctx, m.script); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := ex.ExecContext(ctx, insert, m.version, m.name, formatTime(now)); err != nil {
			return fmt.Errorf("migration %s: record: %w", m.name, err)
		}
	}
	if err := commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
