package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kyso-vn/kyso/translog"
)

// ErrNoLog means the store was opened without a transparency log
// (WithLog), so there is no log to sign or read.
var ErrNoLog = errors.New("registry has no transparency log")

// ErrLogRequired means a database that keeps a transparency log was
// opened for writing without WithLog: changes made so would be missing
// from the log.
var ErrLogRequired = errors.New("registry database keeps a transparency log: open it with the log's keys")

// LogKeys configures the transparency log a store keeps with WithLog. The
// keys are in the text forms translog.GenerateKey returns; the public key
// also names the log (its origin).
type LogKeys struct {
	// PublicKey is the log's public key. Required.
	PublicKey string
	// PrivateKey is the log's private key, needed only to sign
	// checkpoints (SignCheckpoint). A store that serves proofs, or that
	// appends entries and leaves the signing to another process, may
	// leave it empty.
	PrivateKey string
}

// WithLog makes the store keep a transparency log (package translog) in
// its database: opened read-write, the store migrates the log's tables
// alongside its own, and every Issue, Revoke and Supersede appends its log
// entry in the same transaction as the credential and audit changes, so
// that neither is ever committed without the other. Opened ReadOnly, the
// store reads the log (Log) for serving checkpoints and proofs and needs
// no private key. Without WithLog the store keeps no log; a database that
// has one is then refused for writing with ErrLogRequired, so that no
// change escapes the log, and read only as a registry.
func WithLog(keys LogKeys) Option {
	return func(o *options) { o.log = &keys }
}

// openLog migrates (read-write only) and opens the transparency log on the
// store's database.
func (s *sqlStore) openLog(ctx context.Context, d translog.Dialect, keys *LogKeys) error {
	if keys == nil {
		if s.readOnly {
			return nil
		}
		has, err := s.hasLogTables(ctx, d)
		if err != nil {
			return fmt.Errorf("transparency log: %w", err)
		}
		if has {
			return ErrLogRequired
		}
		return nil
	}
	if keys.PublicKey == "" {
		return fmt.Errorf("transparency log: %w: no public key", translog.ErrInvalidKey)
	}
	if !s.readOnly {
		if err := translog.Migrate(ctx, s.db, d, s.now()); err != nil {
			return fmt.Errorf("transparency log: %w", err)
		}
	}
	st, err := translog.NewSQLStore(s.db, d)
	if err != nil {
		return fmt.Errorf("transparency log: %w", err)
	}
	l, err := translog.Open(ctx, translog.Config{Store: st, PublicKey: keys.PublicKey, PrivateKey: keys.PrivateKey, Now: s.now})
	if err != nil {
		return fmt.Errorf("transparency log: %w", err)
	}
	s.log = l
	return nil
}

// hasLogTables reports whether translog.Migrate has run on the database.
func (s *sqlStore) hasLogTables(ctx context.Context, d translog.Dialect) (bool, error) {
	q := `SELECT COUNT(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'translog_schema'`
	if d == translog.Postgres {
		q = `SELECT to_regclass('translog_schema') IS NOT NULL`
	}
	var has bool
	if err := s.db.QueryRowContext(ctx, q).Scan(&has); err != nil {
		return false, fmt.Errorf("read schema: %w", err)
	}
	return has, nil
}

// appendLog adds e to the transparency log inside tx, when the store has
// one.
func (s *sqlStore) appendLog(ctx context.Context, tx *sql.Tx, e translog.Entry) error {
	if s.log == nil {
		return nil
	}
	if _, err := s.log.AppendTx(ctx, tx, e); err != nil {
		return fmt.Errorf("append transparency log entry: %w", err)
	}
	return nil
}

// issueEntry is the log entry of an issuance.
func issueEntry(c *Credential) translog.Entry {
	return translog.Entry{
		Kind:           translog.KindIssue,
		CredentialID:   c.ID.Compact(),
		DocumentSHA256: c.DocumentSHA256,
		SignedSHA256:   c.SignedSHA256,
		Time:           c.IssuedAt.UTC().Truncate(time.Second),
	}
}

// IssueEntry returns the transparency log entry the registry appends when
// it issues c. A verifier holding the credential's record computes its
// leaf hash from it to ask the log for an inclusion proof.
func IssueEntry(c *Credential) translog.Entry { return issueEntry(c) }

// signCheckpoint signs a checkpoint of the log as it is now.
func (s *sqlStore) signCheckpoint(ctx context.Context) (translog.Checkpoint, error) {
	if s.log == nil {
		return translog.Checkpoint{}, ErrNoLog
	}
	if s.readOnly {
		return translog.Checkpoint{}, ErrReadOnly
	}
	return s.log.Sign(ctx)
}

// SignCheckpoint signs, stores and returns a checkpoint of every entry the
// transparency log holds (the latest one when nothing was appended since).
// It fails with ErrNoLog without WithLog, with ErrReadOnly on a read-only
// store, and with translog.ErrNoSigner when LogKeys had no private key.
func (s *SQLite) SignCheckpoint(ctx context.Context) (translog.Checkpoint, error) {
	cp, err := s.store.signCheckpoint(ctx)
	if err != nil {
		return translog.Checkpoint{}, fmt.Errorf("registry: sign checkpoint: %w", err)
	}
	return cp, nil
}

// Log returns the store's transparency log, or nil when it was opened
// without WithLog.
func (s *SQLite) Log() *translog.Log { return s.store.log }

// SignCheckpoint signs a checkpoint of the transparency log; see
// SQLite.SignCheckpoint.
func (s *Postgres) SignCheckpoint(ctx context.Context) (translog.Checkpoint, error) {
	cp, err := s.store.signCheckpoint(ctx)
	if err != nil {
		return translog.Checkpoint{}, fmt.Errorf("registry: sign checkpoint: %w", s.mapError(err))
	}
	return cp, nil
}

// Log returns the store's transparency log, or nil when it was opened
// without WithLog.
func (s *Postgres) Log() *translog.Log { return s.store.log }
