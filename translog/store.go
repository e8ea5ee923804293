package translog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/kyso-vn/kyso/internal/sqlutil"
	"math"
	"strconv"
	"time"
)

// Dialect names the SQL database a SQLStore runs on.
type Dialect int

// The supported databases.
const (
	// SQLite is SQLite through modernc.org/sqlite (driver name "sqlite").
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL through github.com/jackc/pgx/v5/stdlib.
	Postgres
)

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "dialect(" + strconv.Itoa(int(d)) + ")"
}

// appendLockKey is the pg_advisory_xact_lock key that serialises appends
// to one PostgreSQL database ("kysotlog" in ASCII).
const appendLockKey int64 = 0x6b79736f746c6f67

// StoredCheckpoint is a checkpoint as the store keeps it.
type StoredCheckpoint struct {
	// Size is the number of leaves the checkpoint covers.
	Size uint64
	// Root is the RFC 6962 root hash of those leaves.
	Root [32]byte
	// Note is the signed note (see Checkpoint).
	Note []byte
	// CreatedAt is when the checkpoint was stored, by the log's clock.
	CreatedAt time.Time
}

// Store keeps the log's leaves and checkpoints. The log reads everything
// through it; SQLStore implements it on SQLite and PostgreSQL.
type Store interface {
	// BeginTx starts a transaction in which AppendTx may be called.
	BeginTx(ctx context.Context) (*sql.Tx, error)
	// AppendTx adds one leaf inside tx and returns its index, which is
	// the number of leaves before it. Concurrent appends are serialised;
	// the leaf is visible to others once tx commits.
	AppendTx(ctx context.Context, tx *sql.Tx, leafHash [32]byte, record []byte, at time.Time) (uint64, error)
	// Size returns the number of committed leaves.
	Size(ctx context.Context) (uint64, error)
	// LeafHashes returns the hashes of the stored leaves [begin, end), in
	// order; fewer when the log ends before end.
	LeafHashes(ctx context.Context, begin, end uint64) ([][32]byte, error)
	// Leaf returns the leaf hash and the record of leaf index, or
	// ErrBeyondTree.
	Leaf(ctx context.Context, index uint64) (leafHash [32]byte, record []byte, err error)
	// FindLeaf returns the lowest index below size of a leaf with the
	// given hash, or ErrNotFound.
	FindLeaf(ctx context.Context, leafHash [32]byte, size uint64) (uint64, error)
	// AddCheckpoint stores cp unless a checkpoint of the same size is
	// stored already, in which case it does nothing.
	AddCheckpoint(ctx context.Context, cp StoredCheckpoint) error
	// Checkpoint returns the stored checkpoint of the given size, or
	// ErrNoCheckpoint.
	Checkpoint(ctx context.Context, size uint64) (StoredCheckpoint, error)
	// LatestCheckpoint returns the stored checkpoint of the largest size,
	// or ErrNoCheckpoint.
	LatestCheckpoint(ctx context.Context) (StoredCheckpoint, error)
}

// SQLStore is a Store in the translog_leaves and translog_checkpoints
// tables of a SQLite or PostgreSQL database (see Migrate). It is safe for
// concurrent use, also by several processes sharing the database.
type SQLStore struct {
	db      *sql.DB
	dialect Dialect
}

// NewSQLStore returns a store on db, whose schema Migrate has brought up
// to date. A SQLite database should be in WAL mode with a busy timeout, so
// that readers do not wait for the writer and writers wait for each
// other.
func NewSQLStore(db *sql.DB, d Dialect) (*SQLStore, error) {
	if db == nil {
		return nil, errors.New("translog: nil database")
	}
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("translog: unknown %v", d)
	}
	return &SQLStore{db: db, dialect: d}, nil
}

// bind rewrites ? placeholders into PostgreSQL's $1, $2, ...; the queries
// in this file have no question marks in literals.
func (s *SQLStore) bind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	return sqlutil.BindDollar(q)
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction, so stored times
// sort as text. Times are stored in UTC.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// toInt64 converts an index or size for the database, whose integers are
// signed 64-bit.
func toInt64(u uint64) (int64, error) {
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("%w: %d is too large", ErrInvalidArgument, u)
	}
	return int64(u), nil
}

// BeginTx starts a transaction on the store's database.
func (s *SQLStore) BeginTx(ctx context.Context) (*sql.Tx, error) {
	return s.db.BeginTx(ctx, nil)
}

// AppendTx adds one leaf inside tx at index Size(). On PostgreSQL it first
// takes a transaction-scoped advisory lock, so concurrent appenders wait
// for each other's commit (the transaction must run at READ COMMITTED, the
// default, for the waiter to see the leaf committed before it). On SQLite
// the insert takes the database's write lock; a transaction that read
// before writing may then fail with SQLITE_BUSY when another connection
// wrote in between, and should be retried. Either way, the schema's
// triggers refuse a leaf that would leave a gap or reuse an index.
func (s *SQLStore) AppendTx(ctx context.Context, tx *sql.Tx, leafHash [32]byte, record []byte, at time.Time) (uint64, error) {
	if tx == nil {
		return 0, errors.New("append leaf: nil transaction")
	}
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, appendLockKey); err != nil {
			return 0, fmt.Errorf("append leaf: lock: %w", err)
		}
	}
	var idx int64
	err := tx.QueryRowContext(ctx, s.bind(`INSERT INTO translog_leaves (idx, leaf_hash, entry, created_at)
VALUES ((SELECT COALESCE(MAX(idx) + 1, 0) FROM translog_leaves), ?, ?, ?)
RETURNING idx`), leafHash[:], record, formatTime(at)).Scan(&idx)
	if err != nil {
		return 0, fmt.Errorf("append leaf: %w", err)
	}
	return uint64(idx), nil
}

// Size returns the number of committed leaves.
func (s *SQLStore) Size(ctx context.Context) (uint64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM translog_leaves`).Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return uint64(n), nil
}

// LeafHashes returns the hashes of leaves [begin, end), in order, and
// ErrCorrupt when a leaf is missing in the middle or a hash is not 32
// bytes.
func (s *SQLStore) LeafHashes(ctx context.Context, begin, end uint64) ([][32]byte, error) {
	if end <= begin {
		return nil, nil
	}
	b, err := toInt64(begin)
	if err != nil {
		return nil, err
	}
	e, err := toInt64(end)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT idx, leaf_hash FROM translog_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`), b, e)
	if err != nil {
		return nil, fmt.Errorf("read leaf hashes: %w", err)
	}
	defer rows.Close()
	out := make([][32]byte, 0, min(end-begin, 1<<16))
	next := b
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, fmt.Errorf("read leaf hashes: %w", err)
		}
		if idx != next {
			return nil, fmt.Errorf("%w: leaf %d is missing", ErrCorrupt, next)
		}
		if len(h) != 32 {
			return nil, fmt.Errorf("%w: leaf %d has a hash of %d bytes", ErrCorrupt, idx, len(h))
		}
		out = append(out, [32]byte(h))
		next++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read leaf hashes: %w", err)
	}
	return out, nil
}

// Leaf returns the leaf hash and record of leaf index.
func (s *SQLStore) Leaf(ctx context.Context, index uint64) ([32]byte, []byte, error) {
	i, err := toInt64(index)
	if err != nil {
		return [32]byte{}, nil, err
	}
	var h, rec []byte
	err = s.db.QueryRowContext(ctx, s.bind(`SELECT leaf_hash, entry FROM translog_leaves WHERE idx = ?`), i).Scan(&h, &rec)
	if errors.Is(err, sql.ErrNoRows) {
		return [32]byte{}, nil, fmt.Errorf("leaf %d: %w", index, ErrBeyondTree)
	}
	if err != nil {
		return [32]byte{}, nil, fmt.Errorf("read leaf %d: %w", index, err)
	}
	if len(h) != 32 {
		return [32]byte{}, nil, fmt.Errorf("%w: leaf %d has a hash of %d bytes", ErrCorrupt, index, len(h))
	}
	return [32]byte(h), rec, nil
}

// FindLeaf returns the lowest index below size of a leaf with the given
// hash.
func (s *SQLStore) FindLeaf(ctx context.Context, leafHash [32]byte, size uint64) (uint64, error) {
	n, err := toInt64(size)
	if err != nil {
		return 0, err
	}
	var idx int64
	err = s.db.QueryRowContext(ctx, s.bind(`SELECT idx FROM translog_leaves WHERE leaf_hash = ? AND idx < ? ORDER BY idx LIMIT 1`),
		leafHash[:], n).Scan(&idx)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find leaf: %w", err)
	}
	return uint64(idx), nil
}

// AddCheckpoint stores cp unless a checkpoint of its size exists.
func (s *SQLStore) AddCheckpoint(ctx context.Context, cp StoredCheckpoint) error {
	n, err := toInt64(cp.Size)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.bind(`INSERT INTO translog_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (size) DO NOTHING`), n, cp.Root[:], string(cp.Note), formatTime(cp.CreatedAt))
	if err != nil {
		return fmt.Errorf("store checkpoint: %w", err)
	}
	return nil
}

// Checkpoint returns the stored checkpoint of the given size.
func (s *SQLStore) Checkpoint(ctx context.Context, size uint64) (StoredCheckpoint, error) {
	n, err := toInt64(size)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	return s.queryCheckpoint(ctx, `SELECT size, root, note, created_at FROM translog_checkpoints WHERE size = ?`, n)
}

// LatestCheckpoint returns the stored checkpoint of the largest size.
func (s *SQLStore) LatestCheckpoint(ctx context.Context) (StoredCheckpoint, error) {
	return s.queryCheckpoint(ctx, `SELECT size, root, note, created_at FROM translog_checkpoints ORDER BY size DESC LIMIT 1`)
}

func (s *SQLStore) queryCheckpoint(ctx context.Context, q string, args ...any) (StoredCheckpoint, error) {
	var (
		size    int64
		root    []byte
		note    string
		created string
	)
	err := s.db.QueryRowContext(ctx, s.bind(q), args...).Scan(&size, &root, &note, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return StoredCheckpoint{}, ErrNoCheckpoint
	}
	if err != nil {
		return StoredCheckpoint{}, fmt.Errorf("read checkpoint: %w", err)
	}
	if len(root) != 32 || size < 0 {
		return StoredCheckpoint{}, fmt.Errorf("%w: checkpoint of size %d has a root of %d bytes", ErrCorrupt, size, len(root))
	}
	at, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		return StoredCheckpoint{}, fmt.Errorf("%w: checkpoint of size %d: created_at %q", ErrCorrupt, size, created)
	}
	return StoredCheckpoint{Size: uint64(size), Root: [32]byte(root), Note: []byte(note), CreatedAt: at}, nil
}
