package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/translog"
)

// registryStore is what the commands use of the registry. Both backends,
// *registry.SQLite and *registry.Postgres, have it.
type registryStore interface {
	Issue(ctx context.Context, c *registry.Credential, actor string) error
	Get(ctx context.Context, id registry.ID) (*registry.Credential, error)
	FindBySerial(ctx context.Context, kind, serial string) (*registry.Credential, error)
	FindByDocumentHash(ctx context.Context, sum [32]byte) (*registry.Credential, error)
	FindBySignedDigest(ctx context.Context, sum [32]byte) (*registry.Credential, error)
	Revoke(ctx context.Context, id registry.ID, reason, actor string, at time.Time) error
	Supersede(ctx context.Context, oldID, newID registry.ID, reason, actor string, at time.Time) error
	Ping(ctx context.Context) error
	// SignCheckpoint and Log serve the transparency log the store keeps
	// when it was opened with log keys.
	SignCheckpoint(ctx context.Context) (translog.Checkpoint, error)
	Log() *translog.Log
	Close() error
}

// openStore opens the registry named by --db: a postgres:// (or
// postgresql://) URL, or else the path of a SQLite file. Read-only, it never
// creates or migrates anything; otherwise a SQLite file's folder is created
// when missing. With log keys the store keeps (or, read-only, reads) the
// transparency log in the same database. Errors name the database without
// its password.
func openStore(ctx context.Context, dsn string, readOnly bool, log *registry.LogKeys) (registryStore, error) {
	var opts []registry.Option
	if readOnly {
		opts = append(opts, registry.ReadOnly())
	}
	if log != nil {
		opts = append(opts, registry.WithLog(*log))
	}
	if registry.IsPostgresURL(dsn) {
		s, err := registry.OpenPostgres(ctx, dsn, opts...)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		return nil, fmt.Errorf("--db %s: unsupported database URL; give a postgres:// URL or the path of a SQLite file", dbName(dsn))
	}
	if !readOnly {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, err
		}
	}
	s, err := registry.OpenSQLite(ctx, dsn, opts...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// dbName is --db fit for messages and logs: a URL loses its password.
func dbName(dsn string) string {
	if strings.Contains(dsn, "://") {
		return registry.RedactURL(dsn)
	}
	return dsn
}
