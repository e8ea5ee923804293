package registry

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kyso-vn/kyso/translog"
)

// This file holds everything specific to SQLite: the driver, the connection
// settings, the migrations and the reading of driver errors.

//go:embed migrations/sqlite/*.sql
var sqliteMigrationFiles embed.FS

// Option configures a store.
type Option func(*options)

type options struct {
	now         func() time.Time
	busyTimeout time.Duration
	readOnly    bool
	log         *LogKeys
}

// WithClock sets the clock used for the times the store records itself:
// when a row was written and when an audit entry was made. The default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithBusyTimeout sets how long a write waits for another writer to finish
// before failing: SQLite's busy timeout, PostgreSQL's lock_timeout. The
// default is 5 seconds.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// ReadOnly opens the database for reading only, for commands that look
// credentials up (verification, the public server). The database must exist
// (ErrNoDatabase otherwise) and already have the schema this program knows:
// nothing is created, migrated or (on SQLite) switched to WAL, and an older
// schema is refused with ErrSchemaOutdated. Issue, Revoke and Supersede then
// fail with ErrReadOnly, and the database itself refuses writes too.
func ReadOnly() Option {
	return func(o *options) { o.readOnly = true }
}

// SQLite is the registry on a SQLite database file. It is safe for
// concurrent use, including by several processes on one machine.
type SQLite struct {
	store sqlStore
	reads
}

// OpenSQLite opens (creating if needed) the registry database at path and
// brings its schema up to date. A new database file is created readable and
// writable by its owner only (0600), since it holds personal data. The
// database runs in WAL mode with foreign keys and full synchronous commits.
// A database whose schema is newer than this program is refused with
// ErrSchemaTooNew, one whose recorded migrations differ from the built-in
// ones with ErrSchemaMismatch. With ReadOnly the database is only opened and
// checked, never created or changed.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*SQLite, error) {
	o := options{now: time.Now, busyTimeout: 5 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("open registry: empty database path")
	}
	if o.now == nil {
		return nil, errors.New("open registry: nil clock")
	}
	if o.busyTimeout < 0 {
		return nil, fmt.Errorf("open registry: negative busy timeout %v", o.busyTimeout)
	}
	if o.readOnly {
		if err := checkExists(path); err != nil {
			return nil, fmt.Errorf("open registry %s: %w", path, err)
		}
	} else if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open registry %s: %w", path, err)
	}
	dsn, err := sqliteDSN(path, o.busyTimeout)
	if err != nil {
		return nil, fmt.Errorf("open registry %s: %w", path, err)
	}
	if o.readOnly {
		// SQLite's own URI parameter: open without write access and
		// never create the file. query_only refuses writes on top.
		dsn += "&mode=ro&_pragma=query_only%281%29"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open registry %s: %w", path, err)
	}
	d, err := sqliteDialect()
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open registry %s: %w", path, err)
	}
	s := &SQLite{store: sqlStore{db: db, dialect: d, now: o.now, readOnly: o.readOnly}}
	s.reads = reads{&s.store}
	if err := s.init(ctx, o.busyTimeout); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open registry %s: %w", path, err)
	}
	if err := s.store.openLog(ctx, translog.SQLite, o.log); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open registry %s: %w", path, err)
	}
	return s, nil
}

// init switches the file to WAL, checks the connection settings and
// applies migrations; read-only, it checks the settings and the schema
// version and changes nothing.
func (s *SQLite) init(ctx context.Context, busy time.Duration) error {
	if !s.store.readOnly {
		if err := enableWAL(ctx, s.store.db, busy); err != nil {
			return err
		}
	}
	var fk int
	if err := s.store.db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
		return fmt.Errorf("read foreign_keys: %w", err)
	}
	if fk != 1 {
		return errors.New("foreign keys are not enforced")
	}
	ms, err := loadMigrations(s.store.dialect.migrations)
	if err != nil {
		return err
	}
	if s.store.readOnly {
		var tables int
		if err := s.store.db.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		return checkCurrent(ctx, s.store.db, ms, tables == 1)
	}
	return migrate(ctx, s.store.db, s.store.dialect, ms, s.store.now())
}

// checkExists reports ErrNoDatabase when path names no file, so that a
// read-only open explains itself instead of failing inside SQLite.
func checkExists(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNoDatabase
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return errors.New("path is a directory")
	}
	return nil
}

// createPrivate creates path, mode 0600, when it does not exist yet, so that
// SQLite opens a file only its owner can read rather than creating one with
// the default mode. SQLite gives its -wal and -shm files the database
// file's mode. An existing file is left as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return nil
}

// enableWAL switches the database file to write-ahead logging. The mode is
// stored in the file, so it is set once here rather than on every pooled
// connection. SQLite takes the lock for the switch without waiting on the
// busy handler, so when another process is switching the same new file at
// the same moment the switch is retried until the busy timeout is spent.
func enableWAL(ctx context.Context, db *sql.DB, busy time.Duration) error {
	const pause = 10 * time.Millisecond
	attempts := int(busy/pause) + 1
	for i := 1; ; i++ {
		var mode string
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		if err == nil {
			if !strings.EqualFold(mode, "wal") {
				return fmt.Errorf("journal mode is %q, want wal", mode)
			}
			return nil
		}
		if !sqliteBusy(err) || i >= attempts {
			return fmt.Errorf("enable WAL: %w", err)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("enable WAL: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// sqliteDSN builds a file: URI for the modernc driver. Every connection gets
// the same settings: busy timeout first, then foreign keys, recursive
// triggers (so that INSERT OR REPLACE cannot delete a credential behind the
// no-delete trigger's back), full sync, and transactions that take the
// write lock when they begin. WAL is set on the file by enableWAL.
func sqliteDSN(path string, busy time.Duration) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "recursive_triggers(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String(), nil
}

func sqliteDialect() (dialect, error) {
	sub, err := fs.Sub(sqliteMigrationFiles, "migrations/sqlite")
	if err != nil {
		return dialect{}, fmt.Errorf("embedded migrations: %w", err)
	}
	return dialect{
		migrations:        sub,
		bind:              func(q string) string { return q },
		isUniqueViolation: sqliteUniqueViolation,
	}, nil
}

// sqliteBusy reports whether err is SQLITE_BUSY or one of its extended codes.
func sqliteBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

func sqliteUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}

// Issue registers a new credential and its "issue" audit entry, made by
// actor, in one transaction. The credential is stored with StatusValid and
// StatusChangedAt equal to IssuedAt. A credential whose ID, serial (within
// its kind), document hash or signed digest is already registered is
// refused with a *DuplicateError (errors.Is ErrDuplicate); an incomplete one
// with ErrInvalidCredential. A store opened with ReadOnly refuses with
// ErrReadOnly.
func (s *SQLite) Issue(ctx context.Context, c *Credential, actor string) error {
	if err := s.store.issue(ctx, c, actor); err != nil {
		return fmt.Errorf("registry: issue: %w", err)
	}
	return nil
}

// Revoke marks the credential revoked, with the reason (shown to
// verifiers) and the time the revocation takes effect, and writes a
// "revoke" audit entry by actor in the same transaction. A valid or a
// superseded credential can be revoked; a superseded one keeps its link to
// its replacement. Revoked is final: revoking again fails with a
// *StatusError (ProblemAlreadyRevoked, errors.Is ErrStatus), as does a time
// before the credential's issue or last status change
// (ProblemBeforeLastChange). An empty reason or actor, a zero time or one
// after the store's clock fail with ErrInvalidStatusChange; an unknown ID
// with ErrNotFound. Concurrent revocations of one credential are
// serialised: exactly one succeeds.
func (s *SQLite) Revoke(ctx context.Context, id ID, reason, actor string, at time.Time) error {
	if err := s.store.revoke(ctx, id, reason, actor, at); err != nil {
		return fmt.Errorf("registry: revoke %s: %w", id, err)
	}
	return nil
}

// Supersede records that newID, a corrected document, replaces oldID from
// time at: oldID becomes superseded with SupersededBy = newID and the
// reason, newID gets Supersedes = oldID and stays valid. Both credentials
// get an audit entry ("supersede" and "replace") in the same transaction.
// Refused with a *StatusError (errors.Is ErrStatus) when oldID is revoked or
// already superseded, when newID is not valid, of another kind, already
// replaces a credential or was issued before oldID, or when at is before
// either one's issue or oldID's last status change. Input errors are
// ErrInvalidStatusChange (including oldID == newID), unknown IDs
// ErrNotFound.
func (s *SQLite) Supersede(ctx context.Context, oldID, newID ID, reason, actor string, at time.Time) error {
	if err := s.store.supersede(ctx, oldID, newID, reason, actor, at); err != nil {
		return fmt.Errorf("registry: supersede %s by %s: %w", oldID, newID, err)
	}
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	return s.store.db.Close()
}
