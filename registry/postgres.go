package registry

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kyso-vn/kyso/internal/sqlutil"
	"github.com/kyso-vn/kyso/translog"
)

// This file holds everything specific to PostgreSQL: the driver (pgx through
// database/sql, so that the queries in store.go serve both backends), the
// connection settings, the migrations and the reading of server errors.

//go:embed migrations/postgres/*.sql
var postgresMigrationFiles embed.FS

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations of one database across processes ("kysoregi" in ASCII).
const migrationLockKey int64 = 0x6b79736f72656769

// maxPostgresConns bounds the connections one store opens.
const maxPostgresConns = 16

// PostgreSQL error codes (SQLSTATE) the registry branches on.
const (
	pgUniqueViolation     = "23505"
	pgInvalidCatalogName  = "3D000" // the database does not exist
	pgReadOnlyTransaction = "25006"
)

// Postgres is the registry on a PostgreSQL database. It is safe for
// concurrent use, by any number of processes and machines.
type Postgres struct {
	store sqlStore
	reads
	name string // the connection URL without its password, for messages
}

// IsPostgresURL reports whether dsn is a PostgreSQL connection URL
// (postgres:// or postgresql://) rather than a SQLite file path.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// RedactURL returns a connection URL fit for messages and logs: the
// password, in the user information or in a password or sslpassword query
// parameter, is replaced by "xxxxx". A URL that does not parse is replaced
// as a whole, since its password cannot be located.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		if IsPostgresURL(dsn) {
			return "postgres://(unparsable URL)"
		}
		return "(unparsable URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// OpenPostgres connects to the PostgreSQL database named by url (a
// postgres:// URL; pgx also reads the PG* environment variables and
// ~/.pgpass, the better places for a password) and brings its schema up to
// date. The database must exist: a missing one is reported with
// ErrNoDatabase. Migrations run under a transaction-scoped advisory lock, so
// several processes may start at once. A schema newer than this program is
// refused with ErrSchemaTooNew, a different migration history with
// ErrSchemaMismatch.
//
// With ReadOnly every session is opened with default_transaction_read_only,
// nothing is migrated, and an older schema is refused with
// ErrSchemaOutdated. WithBusyTimeout sets lock_timeout: how long a
// statement waits for a row or table lock before failing.
//
// Errors never contain the password.
func OpenPostgres(ctx context.Context, url string, opts ...Option) (*Postgres, error) {
	o := options{now: time.Now, busyTimeout: 5 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	name := RedactURL(url)
	if !IsPostgresURL(url) {
		return nil, fmt.Errorf("open registry %s: not a postgres:// URL", name)
	}
	if o.now == nil {
		return nil, fmt.Errorf("open registry %s: nil clock", name)
	}
	if o.busyTimeout < 0 {
		return nil, fmt.Errorf("open registry %s: negative busy timeout %v", name, o.busyTimeout)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx masks the password in its parse errors; the message is
		// still dropped, since a malformed URL can hide where the
		// password ends.
		return nil, fmt.Errorf("open registry %s: invalid connection URL", name)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "kyso"
	}
	// lock_timeout 0 means "wait forever"; the smallest wait stands in
	// for SQLite's "do not wait".
	cfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(max(o.busyTimeout.Milliseconds(), 1), 10)
	if o.readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	d, err := postgresDialect()
	if err != nil {
		return nil, fmt.Errorf("open registry %s: %w", name, err)
	}
	db := stdlib.OpenDB(*cfg)
	// Bound the pool: database/sql opens connections without limit, and
	// a busy public server would otherwise exhaust the server's
	// max_connections (100 by default) for every client of the database.
	db.SetMaxOpenConns(maxPostgresConns)
	db.SetMaxIdleConns(maxPostgresConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Postgres{
		store: sqlStore{db: db, dialect: d, now: o.now, readOnly: o.readOnly},
		name:  name,
	}
	s.reads = reads{&s.store}
	if err := s.init(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open registry %s: %w", name, err)
	}
	if err := s.store.openLog(ctx, translog.Postgres, o.log); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open registry %s: %w", name, s.mapError(err))
	}
	return s, nil
}

// init checks the connection and applies migrations; read-only, it checks
// the schema version and changes nothing.
func (s *Postgres) init(ctx context.Context) error {
	if err := s.store.db.PingContext(ctx); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == pgInvalidCatalogName {
			return ErrNoDatabase
		}
		return fmt.Errorf("connect: %w", err)
	}
	ms, err := loadMigrations(s.store.dialect.migrations)
	if err != nil {
		return err
	}
	if s.store.readOnly {
		var hasHistory bool
		if err := s.store.db.QueryRowContext(ctx,
			`SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&hasHistory); err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		return checkCurrent(ctx, s.store.db, ms, hasHistory)
	}
	if err := migrate(ctx, s.store.db, s.store.dialect, ms, s.store.now()); err != nil {
		return s.mapError(err)
	}
	return nil
}

func postgresDialect() (dialect, error) {
	sub, err := fs.Sub(postgresMigrationFiles, "migrations/postgres")
	if err != nil {
		return dialect{}, fmt.Errorf("embedded migrations: %w", err)
	}
	return dialect{
		migrations:        sub,
		bind:              sqlutil.BindDollar,
		isUniqueViolation: postgresUniqueViolation,
		forUpdate:         " FOR UPDATE",
		lockMigrations: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey)
			return err
		},
	}, nil
}

func postgresUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgUniqueViolation
}

// readOnlyViolation reports whether the server refused a write because the
// session is read-only.
func readOnlyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgReadOnlyTransaction
}

// Issue registers a new credential and its "issue" audit entry, made by
// actor, in one transaction; see SQLite.Issue, whose behaviour it shares.
func (s *Postgres) Issue(ctx context.Context, c *Credential, actor string) error {
	if err := s.store.issue(ctx, c, actor); err != nil {
		return fmt.Errorf("registry: issue: %w", s.mapError(err))
	}
	return nil
}

// Revoke marks the credential revoked; see SQLite.Revoke, whose behaviour
// it shares.
func (s *Postgres) Revoke(ctx context.Context, id ID, reason, actor string, at time.Time) error {
	if err := s.store.revoke(ctx, id, reason, actor, at); err != nil {
		return fmt.Errorf("registry: revoke %s: %w", id, s.mapError(err))
	}
	return nil
}

// Supersede marks oldID superseded by newID; see SQLite.Supersede, whose
// behaviour it shares.
func (s *Postgres) Supersede(ctx context.Context, oldID, newID ID, reason, actor string, at time.Time) error {
	if err := s.store.supersede(ctx, oldID, newID, reason, actor, at); err != nil {
		return fmt.Errorf("registry: supersede %s by %s: %w", oldID, newID, s.mapError(err))
	}
	return nil
}

// String returns the connection URL without its password.
func (s *Postgres) String() string { return s.name }

// Close closes the connections.
func (s *Postgres) Close() error {
	return s.store.db.Close()
}

// mapError turns the server's refusal of a write in a read-only session
// into ErrReadOnly. The store refuses writes itself first; this covers a
// server or role that is read-only when the store was not opened so.
func (s *Postgres) mapError(err error) error {
	if readOnlyViolation(err) {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}
