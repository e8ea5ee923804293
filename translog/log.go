package translog

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// syncBatch is how many leaf hashes one query reads when the log catches
// up with the store.
const syncBatch = 1 << 14

// Config configures a Log.
type Config struct {
	// Store holds the leaves and checkpoints. Required.
	Store Store
	// PublicKey is the log's public key in the text form GenerateKey
	// returns. Required: it names the log (its origin) and checks the
	// stored checkpoints.
	PublicKey string
	// PrivateKey is the log's private key in the text form GenerateKey
	// returns. Optional: without it the log serves entries, proofs and
	// stored checkpoints, and Sign fails with ErrNoSigner.
	PrivateKey string
	// Now is the clock for the times stored with leaves and checkpoints.
	// Required.
	Now func() time.Time
}

// Log is a transparency log of credential events on a Store. It is safe for
// concurrent use. Several Logs, in one process or several, may share a
// store: each catches up with the leaves the others appended when it needs
// them.
type Log struct {
	store    Store
	verifier note.Verifier
	signer   note.Signer
	now      func() time.Time
	tree     *tree

	// syncMu serialises catching up with the store.
	syncMu sync.Mutex

	// cpMu guards latest, the largest checkpoint found to match the tree.
	cpMu   sync.Mutex
	latest *Checkpoint
}

// Open opens the log on cfg.Store. It reads every stored leaf hash once,
// keeping in memory the hashes of complete 256-leaf subtrees and above
// (about 256 KiB per million leaves), so that roots and proofs need at most
// a few small reads. It then checks the latest stored checkpoint: one that
// is not signed by cfg.PublicKey fails with ErrBadSignature, and one whose
// root the stored leaves do not reproduce fails with ErrCorrupt. Keys that
// do not parse, or a private key of another public key, fail with
// ErrInvalidKey.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	return open(ctx, cfg, defaultTileHeight)
}

func open(ctx context.Context, cfg Config, tileHeight uint) (*Log, error) {
	if cfg.Store == nil {
		return nil, errors.New("translog: open: nil store")
	}
	if cfg.Now == nil {
		return nil, errors.New("translog: open: nil clock")
	}
	v, err := newVerifier(cfg.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("translog: open: %w", err)
	}
	l := &Log{store: cfg.Store, verifier: v, now: cfg.Now, tree: newTree(tileHeight)}
	if cfg.PrivateKey != "" {
		if l.signer, err = newSigner(cfg.PrivateKey, v); err != nil {
			return nil, fmt.Errorf("translog: open: %w", err)
		}
	}
	size, err := l.store.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("translog: open: %w", err)
	}
	if err := l.syncTo(ctx, size); err != nil {
		return nil, fmt.Errorf("translog: open: %w", err)
	}
	if _, err := l.LatestCheckpoint(ctx); err != nil && !errors.Is(err, ErrNoCheckpoint) {
		return nil, fmt.Errorf("translog: open: %w", err)
	}
	return l, nil
}

// Origin returns the log's name, the origin line of its checkpoints.
func (l *Log) Origin() string { return l.verifier.Name() }

// syncTo brings the in-memory tree up to target leaves, which the store
// must hold.
func (l *Log) syncTo(ctx context.Context, target uint64) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	for {
		have := l.tree.cachedSize()
		if have >= target {
			return nil
		}
		end := min(target, have+syncBatch)
		leaves, err := l.store.LeafHashes(ctx, have, end)
		if err != nil {
			return err
		}
		if uint64(len(leaves)) != end-have {
			return fmt.Errorf("%w: read %d leaf hashes from %d, want %d", ErrCorrupt, len(leaves), have, end-have)
		}
		l.tree.mu.Lock()
		l.tree.push(leaves)
		l.tree.mu.Unlock()
	}
}

// ensure makes the in-memory tree hold at least size leaves, or fails with
// ErrBeyondTree when the store holds fewer.
func (l *Log) ensure(ctx context.Context, size uint64) error {
	if size <= l.tree.cachedSize() {
		return nil
	}
	n, err := l.store.Size(ctx)
	if err != nil {
		return err
	}
	if size > n {
		return fmt.Errorf("%w: tree size %d, the log has %d leaves", ErrBeyondTree, size, n)
	}
	return l.syncTo(ctx, n)
}

// Append adds e to the log in a transaction of its own and returns its
// index. Entries that break the rules of kyso.translog/v1 fail with
// ErrInvalidEntry.
func (l *Log) Append(ctx context.Context, e Entry) (index uint64, err error) {
	rec, err := e.Record()
	if err != nil {
		return 0, fmt.Errorf("translog: append: %w", err)
	}
	tx, err := l.store.BeginTx(ctx)
	if err != nil {
		return 0, fmt.Errorf("translog: append: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	index, err = l.store.AppendTx(ctx, tx, rec.LeafHash(), rec.Encode(), l.now())
	if err != nil {
		return 0, fmt.Errorf("translog: append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("translog: append: commit: %w", err)
	}
	return index, nil
}

// AppendTx adds e to the log inside the caller's transaction, which must be
// on the store's database, and returns its index. The entry becomes part of
// the log when tx commits and is forgotten if it rolls back, so a
// credential and its log entry can be written atomically. Appends are
// serialised until tx ends: keep the transaction short. See
// SQLStore.AppendTx for what each database requires of tx.
func (l *Log) AppendTx(ctx context.Context, tx *sql.Tx, e Entry) (index uint64, err error) {
	rec, err := e.Record()
	if err != nil {
		return 0, fmt.Errorf("translog: append: %w", err)
	}
	index, err = l.store.AppendTx(ctx, tx, rec.LeafHash(), rec.Encode(), l.now())
	if err != nil {
		return 0, fmt.Errorf("translog: append: %w", err)
	}
	return index, nil
}

// Size returns the number of committed leaves.
func (l *Log) Size(ctx context.Context) (uint64, error) {
	n, err := l.store.Size(ctx)
	if err != nil {
		return 0, fmt.Errorf("translog: %w", err)
	}
	return n, nil
}

// Root returns the root hash of the tree of the first size leaves, or
// ErrBeyondTree.
func (l *Log) Root(ctx context.Context, size uint64) ([32]byte, error) {
	if err := l.ensure(ctx, size); err != nil {
		return [32]byte{}, fmt.Errorf("translog: root: %w", err)
	}
	r, err := l.tree.root(ctx, l.store, size)
	if err != nil {
		return [32]byte{}, fmt.Errorf("translog: root of %d: %w", size, err)
	}
	return r, nil
}

// Sign signs a checkpoint of every committed leaf, stores it and returns
// it. When no leaf was added since the latest checkpoint, that checkpoint
// is returned. Before signing, the latest checkpoint is checked against
// the stored leaves: if they no longer reproduce its root, Sign refuses
// with ErrCorrupt rather than sign a rewritten history. A log opened
// without a private key fails with ErrNoSigner.
func (l *Log) Sign(ctx context.Context) (Checkpoint, error) {
	if l.signer == nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", ErrNoSigner)
	}
	prev, err := l.LatestCheckpoint(ctx)
	hasPrev := err == nil
	if err != nil && !errors.Is(err, ErrNoCheckpoint) {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	size, err := l.store.Size(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	if hasPrev && size < prev.Size {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w: %d leaves, fewer than the %d of the latest checkpoint", ErrCorrupt, size, prev.Size)
	}
	if hasPrev && size == prev.Size {
		return prev, nil
	}
	if err := l.syncTo(ctx, size); err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	root, err := l.tree.root(ctx, l.store, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	signed, err := signCheckpoint(l.signer, size, root)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	if err := l.store.AddCheckpoint(ctx, StoredCheckpoint{Size: size, Root: root, Note: signed, CreatedAt: l.now()}); err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	// Another process may have stored a checkpoint of this size first;
	// what is served is what is stored, and it must be the same tree.
	stored, err := l.store.Checkpoint(ctx, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	cp, err := l.check(ctx, stored)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: sign: %w", err)
	}
	return cp, nil
}

// LatestCheckpoint returns the stored checkpoint of the largest tree, after
// checking its signature (ErrBadSignature) and that the stored leaves
// reproduce its root (ErrCorrupt). It fails with ErrNoCheckpoint before the
// first Sign.
func (l *Log) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	stored, err := l.store.LatestCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: latest checkpoint: %w", err)
	}
	cp, err := l.check(ctx, stored)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("translog: latest checkpoint: %w", err)
	}
	return cp, nil
}

// check verifies a stored checkpoint against the log's key and leaves, and
// remembers it when it is the largest seen.
func (l *Log) check(ctx context.Context, stored StoredCheckpoint) (Checkpoint, error) {
	l.cpMu.Lock()
	latest := l.latest
	l.cpMu.Unlock()
	if latest != nil && latest.Size == stored.Size && bytes.Equal(latest.Note, stored.Note) {
		return *latest, nil
	}
	cp, err := verifyCheckpoint(stored.Note, l.verifier)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("stored checkpoint of size %d: %w", stored.Size, err)
	}
	if cp.Size != stored.Size || cp.Root != stored.Root {
		return Checkpoint{}, fmt.Errorf("%w: stored checkpoint of size %d has a note for size %d", ErrCorrupt, stored.Size, cp.Size)
	}
	if err := l.ensure(ctx, cp.Size); err != nil {
		if errors.Is(err, ErrBeyondTree) {
			return Checkpoint{}, fmt.Errorf("%w: checkpoint of %d leaves: %v", ErrCorrupt, cp.Size, err)
		}
		return Checkpoint{}, err
	}
	root, err := l.tree.root(ctx, l.store, cp.Size)
	if err != nil {
		return Checkpoint{}, err
	}
	if root != cp.Root {
		return Checkpoint{}, fmt.Errorf("%w: the stored leaves do not reproduce the root of the signed checkpoint of size %d", ErrCorrupt, cp.Size)
	}
	l.cpMu.Lock()
	if l.latest == nil || l.latest.Size < cp.Size {
		l.latest = &cp
	}
	l.cpMu.Unlock()
	return cp, nil
}

// knownRoot returns the root of the checkpoint of the given size, when it
// is the latest one checked.
func (l *Log) knownRoot(size uint64) ([32]byte, bool) {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	if l.latest != nil && l.latest.Size == size {
		return l.latest.Root, true
	}
	return [32]byte{}, false
}

// InclusionProof returns the proof that leaf index is in the tree of the
// first size leaves: the hashes VerifyInclusion needs, leaf to root. An
// index not below size fails with ErrInvalidArgument, a size beyond the
// log with ErrBeyondTree. Every proof is checked before it is returned;
// one that does not lead to the tree's root, or to the root the log
// signed for that size, fails with ErrCorrupt.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	p, err := l.inclusionProof(ctx, index, size)
	if err != nil {
		return nil, fmt.Errorf("translog: inclusion proof of %d in %d: %w", index, size, err)
	}
	return p, nil
}

func (l *Log) inclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, fmt.Errorf("%w: index %d is not below tree size %d", ErrInvalidArgument, index, size)
	}
	if err := l.ensure(ctx, size); err != nil {
		return nil, err
	}
	p, leaf, root, err := l.tree.inclusion(ctx, l.store, index, size)
	if err != nil {
		return nil, err
	}
	if signed, ok := l.knownRoot(size); ok && signed != root {
		return nil, fmt.Errorf("%w: the stored leaves do not reproduce the signed root of size %d", ErrCorrupt, size)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leaf[:], p, root[:]); err != nil {
		return nil, fmt.Errorf("%w: inclusion proof of leaf %d does not verify: %v", ErrCorrupt, index, err)
	}
	return p, nil
}

// ConsistencyProof returns the proof that the tree of the first to leaves
// extends the tree of the first from leaves: the hashes VerifyConsistency
// needs. from > to fails with ErrInvalidArgument, a to beyond the log with
// ErrBeyondTree. Every proof is checked before it is returned (ErrCorrupt).
func (l *Log) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	p, err := l.consistencyProof(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("translog: consistency proof from %d to %d: %w", from, to, err)
	}
	return p, nil
}

func (l *Log) consistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	if from > to {
		return nil, fmt.Errorf("%w: from %d is larger than to %d", ErrInvalidArgument, from, to)
	}
	if err := l.ensure(ctx, to); err != nil {
		return nil, err
	}
	p, fromRoot, toRoot, err := l.tree.consistency(ctx, l.store, from, to)
	if err != nil {
		return nil, err
	}
	for _, c := range []struct {
		size uint64
		root [32]byte
	}{{from, fromRoot}, {to, toRoot}} {
		if signed, ok := l.knownRoot(c.size); ok && signed != c.root {
			return nil, fmt.Errorf("%w: the stored leaves do not reproduce the signed root of size %d", ErrCorrupt, c.size)
		}
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, from, to, p, fromRoot[:], toRoot[:]); err != nil {
		return nil, fmt.Errorf("%w: consistency proof does not verify: %v", ErrCorrupt, err)
	}
	return p, nil
}

// Record returns the record stored as leaf index, after checking that it
// hashes to the stored leaf hash (ErrCorrupt otherwise). An index beyond
// the log fails with ErrBeyondTree.
func (l *Log) Record(ctx context.Context, index uint64) (Record, error) {
	leaf, b, err := l.store.Leaf(ctx, index)
	if err != nil {
		return Record{}, fmt.Errorf("translog: record %d: %w", index, err)
	}
	rec, err := ParseRecord(b)
	if err != nil {
		return Record{}, fmt.Errorf("translog: record %d: %w: %w", index, ErrCorrupt, err)
	}
	if rec.LeafHash() != leaf {
		return Record{}, fmt.Errorf("translog: record %d: %w: the record does not hash to the stored leaf hash", index, ErrCorrupt)
	}
	return rec, nil
}

// Find returns the index of the first leaf with the given leaf hash within
// the first size leaves, or ErrNotFound. A size beyond the log fails with
// ErrBeyondTree.
func (l *Log) Find(ctx context.Context, leafHash [32]byte, size uint64) (uint64, error) {
	if err := l.ensure(ctx, size); err != nil {
		return 0, fmt.Errorf("translog: find leaf: %w", err)
	}
	i, err := l.store.FindLeaf(ctx, leafHash, size)
	if err != nil {
		return 0, fmt.Errorf("translog: find leaf: %w", err)
	}
	return i, nil
}
