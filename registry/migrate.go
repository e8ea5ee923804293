package registry

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migration is one schema change, read from a file named NNNN_description.sql.
type migration struct {
	version int
	name    string // file name without ".sql"
	script  string
}

// loadMigrations reads the *.sql files at the root of fsys. Versions must
// start at 1 and have no gaps, so the order of application is the order of
// the files and a missing file is caught at start-up, not in production data.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	ms := make([]migration, 0, len(names))
	for _, file := range names {
		base := strings.TrimSuffix(file, path.Ext(file))
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", file)
		}
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", file, err)
		}
		ms = append(ms, migration{version: v, name: base, script: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (versions start at 1 with no gaps or repeats)", m.name, m.version, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations found")
	}
	return ms, nil
}

// migrate brings db up to the last of ms. Each migration runs in its own
// transaction together with the schema_migrations row that records it, so a
// failing script leaves no trace. A database that records a version this
// program does not know is refused with ErrSchemaTooNew; one whose recorded
// name for a version differs from ours with ErrSchemaMismatch.
//
// Concurrent starts are safe: on SQLite every transaction takes the write
// lock when it begins; on backends with a lockMigrations hook, each
// migration transaction (and the one creating schema_migrations) first
// takes that lock, so a second process waits, then finds the version
// recorded and skips it.
func migrate(ctx context.Context, db *sql.DB, d dialect, ms []migration, now time.Time) error {
	if err := migrationTx(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)`)
		return err
	}); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := checkHistory(ctx, db, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if err := applyMigration(ctx, db, d, m, now); err != nil {
			return err
		}
	}
	return nil
}

// migrationTx runs fn in a transaction holding the dialect's migration
// lock, and commits when fn returns nil.
func migrationTx(ctx context.Context, db *sql.DB, d dialect, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if d.lockMigrations != nil {
		if err := d.lockMigrations(ctx, tx); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// checkHistory compares the recorded migrations with the known ones.
func checkHistory(ctx context.Context, db *sql.DB, ms []migration) error {
	rows, err := db.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if v > len(ms) {
			return fmt.Errorf("%w: database has schema version %d (%s), this program knows up to %d", ErrSchemaTooNew, v, name, len(ms))
		}
		if v < 1 || ms[v-1].name != name {
			return fmt.Errorf("%w: version %d is recorded as %q", ErrSchemaMismatch, v, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	return nil
}

// applyMigration runs m unless it is already recorded.
func applyMigration(ctx context.Context, db *sql.DB, d dialect, m migration, now time.Time) error {
	err := migrationTx(ctx, db, d, func(tx *sql.Tx) error {
		var applied int
		if err := tx.QueryRowContext(ctx, d.bind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&applied); err != nil {
			return err
		}
		if applied > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.script); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, d.bind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.version, m.name, formatTime(now)); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return nil
}

// checkCurrent checks, without changing anything, that db records exactly
// the migrations in ms, for a database opened read-only. hasHistory says
// whether the schema_migrations table exists at all; without it the
// database has never been migrated. An older schema is refused with
// ErrSchemaOutdated, a newer one with ErrSchemaTooNew and a different
// history with ErrSchemaMismatch.
func checkCurrent(ctx context.Context, db *sql.DB, ms []migration, hasHistory bool) error {
	want := len(ms)
	outdated := func(have int) error {
		return fmt.Errorf("%w: database has schema version %d, this program needs %d; open it once with a command that writes to the registry so that it is migrated",
			ErrSchemaOutdated, have, want)
	}
	if !hasHistory {
		return outdated(0)
	}
	if err := checkHistory(ctx, db, ms); err != nil {
		return err
	}
	var n, top int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&n, &top); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if n != top {
		return fmt.Errorf("%w: %d versions recorded, the highest is %d", ErrSchemaMismatch, n, top)
	}
	if top < want {
		return outdated(top)
	}
	return nil
}
