package translog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/registry/pgtest"

	_ "modernc.org/sqlite"
)

// testNow is the clock of every log under test.
var testNow = time.Date(2026, time.June, 30, 9, 15, 0, 0, time.UTC)

func testClock() time.Time { return testNow }

// backend makes databases of one kind for the store suite.
type backend struct {
	dialect Dialect
	// newDatabase creates an empty database and returns a function that
	// opens a new connection pool to it, closed when the test ends.
	newDatabase func(t *testing.T) func(t *testing.T) *sql.DB
	// disableTriggers lets raw statements rewrite the log's tables, as
	// someone with direct access to the database could.
	disableTriggers func(t *testing.T, db *sql.DB)
}

// sqliteDSN opens path in WAL mode with a busy timeout, leaving
// transactions deferred (the driver's default) so that the store is shown
// not to rely on BEGIN IMMEDIATE.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(20000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	return (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String()
}

func openSQL(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sqliteBackend() backend {
	return backend{
		dialect: SQLite,
		newDatabase: func(t *testing.T) func(t *testing.T) *sql.DB {
			path := filepath.Join(t.TempDir(), "log.db")
			return func(t *testing.T) *sql.DB { return openSQL(t, "sqlite", sqliteDSN(path)) }
		},
		disableTriggers: func(t *testing.T, db *sql.DB) {
			for _, trg := range []string{"translog_leaves_no_update", "translog_leaves_no_delete", "translog_checkpoints_no_update", "translog_checkpoints_no_delete"} {
				mustExec(t, db, `DROP TRIGGER `+trg)
			}
		},
	}
}

func postgresBackend(srv *pgtest.Server) backend {
	return backend{
		dialect: Postgres,
		newDatabase: func(t *testing.T) func(t *testing.T) *sql.DB {
			u := srv.NewDatabase(t)
			return func(t *testing.T) *sql.DB { return openSQL(t, "pgx", u) }
		},
		disableTriggers: func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `ALTER TABLE translog_leaves DISABLE TRIGGER USER`)
			mustExec(t, db, `ALTER TABLE translog_checkpoints DISABLE TRIGGER USER`)
		},
	}
}

func mustExec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestSQLite(t *testing.T) {
	runSuite(t, sqliteBackend())
}

func TestPostgres(t *testing.T) {
	runSuite(t, postgresBackend(pgtest.Start(t)))
}

// fixture is a migrated database with a signing log on it.
type fixture struct {
	b      backend
	open   func(t *testing.T) *sql.DB
	db     *sql.DB
	store  *SQLStore
	log    *Log
	priv   string
	pub    string
	height uint
}

func newFixture(t *testing.T, b backend, height uint) *fixture {
	t.Helper()
	f := &fixture{b: b, open: b.newDatabase(t), height: height}
	f.priv, f.pub = testKeys(t, testOrigin, 1)
	f.db = f.open(t)
	if err := Migrate(context.Background(), f.db, b.dialect, testNow); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	f.store = f.newStore(t, f.db)
	f.log = f.openLog(t, f.store, f.priv)
	return f
}

func (f *fixture) newStore(t *testing.T, db *sql.DB) *SQLStore {
	t.Helper()
	s, err := NewSQLStore(db, f.b.dialect)
	if err != nil {
		t.Fatalf("NewSQLStore: %v", err)
	}
	return s
}

// openLog opens another log on store; an empty privateKey opens it
// without signing key.
func (f *fixture) openLog(t *testing.T, store Store, privateKey string) *Log {
	t.Helper()
	l, err := open(context.Background(), Config{Store: store, PublicKey: f.pub, PrivateKey: privateKey, Now: testClock}, f.height)
	if err != nil {
		t.Fatalf("open log: %v", err)
	}
	return l
}

// testEntry returns the i-th entry of a deterministic history in which
// prefix tells histories apart: mostly issues, with revocations and
// supersessions of the previous credential.
func testEntry(prefix string, i int) Entry {
	id := func(i int) string { return fmt.Sprintf("%s%020d", prefix, i) }
	e := Entry{
		CredentialID: id(i),
		Time:         testNow.Add(time.Duration(i) * time.Second),
	}
	switch {
	case i%10 == 3:
		e.Kind = KindRevoke
		e.CredentialID = id(i - 1)
	case i%10 == 7:
		e.Kind, e.Prev = KindSupersede, id(i-1)
		e.DocumentSHA256 = sha256.Sum256(fmt.Appendf(nil, "document %s", e.CredentialID))
	default:
		e.Kind = KindIssue
		e.DocumentSHA256 = sha256.Sum256(fmt.Appendf(nil, "document %s", e.CredentialID))
		e.SignedSHA256 = sha256.Sum256(fmt.Appendf(nil, "signed %s", e.CredentialID))
	}
	return e
}

func appendN(t *testing.T, l *Log, prefix string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		idx, err := l.Append(context.Background(), testEntry(prefix, i))
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		if idx != uint64(i) {
			t.Fatalf("Append %d: got index %d", i, idx)
		}
	}
}

func runSuite(t *testing.T, b backend) {
	t.Run("AppendSignProve", func(t *testing.T) {
		for _, height := range []uint{2, defaultTileHeight} {
			t.Run(fmt.Sprintf("tile height %d", height), func(t *testing.T) { testAppendSignProve(t, b, height) })
		}
	})
	t.Run("AppendTx", func(t *testing.T) { testAppendTx(t, b) })
	t.Run("ConcurrentAppends", func(t *testing.T) { testConcurrentAppends(t, b) })
	t.Run("Sign", func(t *testing.T) { testSign(t, b) })
	t.Run("BadArguments", func(t *testing.T) { testBadArguments(t, b) })
	t.Run("Tampering", func(t *testing.T) { testTampering(t, b) })
	t.Run("Triggers", func(t *testing.T) { testTriggers(t, b) })
	t.Run("Migrate", func(t *testing.T) { testMigrate(t, b) })
}

func testAppendSignProve(t *testing.T, b backend, height uint) {
	ctx := context.Background()
	f := newFixture(t, b, height)
	const n = 300
	var cps []Checkpoint
	for _, upTo := range []int{1, 100, 257, n} {
		appendN(t, f.log, "A", int(mustSize(t, f.log)), upTo)
		cp, err := f.log.Sign(ctx)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if cp.Size != uint64(upTo) {
			t.Fatalf("Sign: got size %d, want %d", cp.Size, upTo)
		}
		cps = append(cps, cp)
	}
	// The served checkpoint verifies with the public key alone.
	latest, err := f.log.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := VerifyCheckpoint(latest.Note, f.pub)
	if err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	// The root agrees with a reference computed from the entries alone.
	var leaves [][32]byte
	for i := 0; i < n; i++ {
		h, err := testEntry("A", i).LeafHash()
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, h)
	}
	roots := referenceRoots(t, leaves)
	for _, c := range cps {
		if c.Root != roots[c.Size] {
			t.Errorf("checkpoint of %d: root %x, want %x", c.Size, c.Root, roots[c.Size])
		}
	}
	// Every entry: its record, its index by leaf hash, and its inclusion
	// proof against the signed checkpoint (and an older one).
	for i := 0; i < n; i++ {
		e := testEntry("A", i)
		p, err := f.log.InclusionProof(ctx, uint64(i), cp.Size)
		if err != nil {
			t.Fatalf("InclusionProof(%d): %v", i, err)
		}
		if err := VerifyInclusion(e, uint64(i), p, cp); err != nil {
			t.Fatalf("VerifyInclusion(%d): %v", i, err)
		}
		if i < 100 {
			p, err := f.log.InclusionProof(ctx, uint64(i), cps[1].Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(e, uint64(i), p, cps[1]); err != nil {
				t.Fatalf("VerifyInclusion(%d) in %d: %v", i, cps[1].Size, err)
			}
		}
		// A proof is for its own entry and index only.
		if err := VerifyInclusion(testEntry("A", (i+1)%n), uint64(i), p, cp); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("VerifyInclusion of another entry at %d: got %v, want ErrInvalidProof", i, err)
		}
		rec, err := f.log.Record(ctx, uint64(i))
		if err != nil {
			t.Fatalf("Record(%d): %v", i, err)
		}
		if want, _ := e.Record(); rec != want {
			t.Fatalf("Record(%d): got %+v, want %+v", i, rec, want)
		}
		if got, err := f.log.Find(ctx, leaves[i], cp.Size); err != nil || got != uint64(i) {
			t.Fatalf("Find(%d): got %d, %v", i, got, err)
		}
	}
	// Consistency between every pair of checkpoints.
	for i, older := range cps {
		for _, newer := range cps[i:] {
			p, err := f.log.ConsistencyProof(ctx, older.Size, newer.Size)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", older.Size, newer.Size, err)
			}
			if err := VerifyConsistency(older, newer, p); err != nil {
				t.Fatalf("VerifyConsistency(%d, %d): %v", older.Size, newer.Size, err)
			}
			if older.Size < newer.Size {
				forged := older
				forged.Root[0] ^= 1
				if err := VerifyConsistency(forged, newer, p); !errors.Is(err, ErrInvalidProof) {
					t.Fatalf("VerifyConsistency with a forged root: got %v, want ErrInvalidProof", err)
				}
			}
		}
	}
	// A log opened later rebuilds the same tree from the store.
	again := f.openLog(t, f.newStore(t, f.open(t)), "")
	if r, err := again.Root(ctx, n); err != nil || r != cp.Root {
		t.Errorf("reopened Root: got %x, %v, want %x", r, err, cp.Root)
	}
}

func mustSize(t *testing.T, l *Log) uint64 {
	t.Helper()
	n, err := l.Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testAppendTx(t *testing.T, b backend) {
	ctx := context.Background()
	f := newFixture(t, b, defaultTileHeight)
	// Rolled back: not in the log.
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := f.log.AppendTx(ctx, tx, testEntry("T", 0))
	if err != nil || idx != 0 {
		t.Fatalf("AppendTx: got %d, %v", idx, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := mustSize(t, f.log); n != 0 {
		t.Fatalf("after rollback: size %d, want 0", n)
	}
	// Committed with two entries.
	tx, err = f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		idx, err := f.log.AppendTx(ctx, tx, testEntry("T", i))
		if err != nil || idx != uint64(i) {
			t.Fatalf("AppendTx %d: got %d, %v", i, idx, err)
		}
	}
	// Invalid entries never reach the transaction.
	if _, err := f.log.AppendTx(ctx, tx, Entry{Kind: KindIssue}); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("AppendTx of an invalid entry: got %v, want ErrInvalidEntry", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	cp, err := f.log.Sign(ctx)
	if err != nil || cp.Size != 2 {
		t.Fatalf("Sign: got %+v, %v", cp, err)
	}
	if _, err := f.log.AppendTx(ctx, nil, testEntry("T", 2)); err == nil {
		t.Error("AppendTx with a nil transaction: got nil error")
	}
}

func testConcurrentAppends(t *testing.T, b backend) {
	ctx := context.Background()
	f := newFixture(t, b, 2)
	// A second log on its own connections, as another process would be.
	other := f.openLog(t, f.newStore(t, f.open(t)), f.priv)
	const workers, each = 8, 25
	type appended struct {
		e   Entry
		idx uint64
	}
	var (
		mu   sync.Mutex
		got  []appended
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for w := 0; w < workers; w++ {
		l := f.log
		if w%2 == 1 {
			l = other
		}
		prefix := string(rune('A' + w))
		wg.Go(func() {
			for i := 0; i < each; i++ {
				e := testEntry(prefix, i)
				idx, err := l.Append(ctx, e)
				if err != nil {
					errs <- fmt.Errorf("worker %s append %d: %w", prefix, i, err)
					return
				}
				mu.Lock()
				got = append(got, appended{e, idx})
				mu.Unlock()
			}
		})
	}
	// Meanwhile, checkpoints are signed from both logs.
	wg.Go(func() {
		for i := 0; i < 10; i++ {
			l := []*Log{f.log, other}[i%2]
			if _, err := l.Sign(ctx); err != nil {
				errs <- fmt.Errorf("sign: %w", err)
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(got) != workers*each {
		t.Fatalf("got %d appends, want %d", len(got), workers*each)
	}
	seen := make(map[uint64]bool)
	for _, a := range got {
		if seen[a.idx] || a.idx >= workers*each {
			t.Fatalf("index %d given twice or out of range", a.idx)
		}
		seen[a.idx] = true
	}
	cp, err := other.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != workers*each {
		t.Fatalf("checkpoint of %d leaves, want %d", cp.Size, workers*each)
	}
	for _, a := range got {
		p, err := f.log.InclusionProof(ctx, a.idx, cp.Size)
		if err != nil {
			t.Fatalf("InclusionProof(%d): %v", a.idx, err)
		}
		if err := VerifyInclusion(a.e, a.idx, p, cp); err != nil {
			t.Fatalf("VerifyInclusion(%d): %v", a.idx, err)
		}
	}
	// Every checkpoint signed along the way is consistent with the last.
	rows, err := f.db.QueryContext(ctx, `SELECT note FROM translog_checkpoints ORDER BY size`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		older, err := VerifyCheckpoint([]byte(n), f.pub)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.log.ConsistencyProof(ctx, older.Size, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyConsistency(older, cp, p); err != nil {
			t.Errorf("checkpoint of %d: %v", older.Size, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func testSign(t *testing.T, b backend) {
	ctx := context.Background()
	f := newFixture(t, b, defaultTileHeight)
	reader := f.openLog(t, f.newStore(t, f.open(t)), "")
	if _, err := reader.Sign(ctx); !errors.Is(err, ErrNoSigner) {
		t.Errorf("Sign without private key: got %v, want ErrNoSigner", err)
	}
	if _, err := reader.LatestCheckpoint(ctx); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("LatestCheckpoint before Sign: got %v, want ErrNoCheckpoint", err)
	}
	empty, err := f.log.Sign(ctx)
	if err != nil {
		t.Fatalf("Sign of the empty log: %v", err)
	}
	if want := mustHex32(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"); empty.Size != 0 || empty.Root != want {
		t.Errorf("empty checkpoint: got size %d root %x", empty.Size, empty.Root)
	}
	again, err := f.log.Sign(ctx)
	if err != nil || string(again.Note) != string(empty.Note) {
		t.Errorf("Sign with nothing new: got %q, %v, want the same note", again.Note, err)
	}
	appendN(t, f.log, "S", 0, 3)
	// Two logs sign the same size at once: one note is stored, both return it.
	other := f.openLog(t, f.newStore(t, f.open(t)), f.priv)
	var wg sync.WaitGroup
	var cps [2]Checkpoint
	var errs [2]error
	for i, l := range []*Log{f.log, other} {
		wg.Go(func() { cps[i], errs[i] = l.Sign(ctx) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("concurrent Sign: %v, %v", errs[0], errs[1])
	}
	if cps[0].Size != 3 || string(cps[0].Note) != string(cps[1].Note) {
		t.Errorf("concurrent Sign: got sizes %d and %d", cps[0].Size, cps[1].Size)
	}
	latest, err := reader.LatestCheckpoint(ctx)
	if err != nil || string(latest.Note) != string(cps[0].Note) {
		t.Errorf("reader's LatestCheckpoint: got %q, %v", latest.Note, err)
	}
	if r, err := reader.Root(ctx, 3); err != nil || r != latest.Root {
		t.Errorf("reader's Root(3): got %x, %v, want %x", r, err, latest.Root)
	}
	p, err := reader.ConsistencyProof(ctx, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyConsistency(empty, latest, p); err != nil {
		t.Errorf("VerifyConsistency(0, 3): %v", err)
	}
}

func testBadArguments(t *testing.T, b backend) {
	ctx := context.Background()
	f := newFixture(t, b, defaultTileHeight)
	appendN(t, f.log, "B", 0, 3)
	leaf2, _ := testEntry("B", 2).LeafHash()
	unknown := sha256.Sum256([]byte("unknown"))
	check := func(name string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", name, err, want)
		}
	}
	_, err := f.log.InclusionProof(ctx, 3, 3)
	check("InclusionProof(3, 3)", err, ErrInvalidArgument)
	_, err = f.log.InclusionProof(ctx, 0, 0)
	check("InclusionProof(0, 0)", err, ErrInvalidArgument)
	_, err = f.log.InclusionProof(ctx, 0, 4)
	check("InclusionProof(0, 4)", err, ErrBeyondTree)
	_, err = f.log.InclusionProof(ctx, 0, 1<<63)
	check("InclusionProof(0, 2^63)", err, ErrBeyondTree)
	_, err = f.log.ConsistencyProof(ctx, 3, 2)
	check("ConsistencyProof(3, 2)", err, ErrInvalidArgument)
	_, err = f.log.ConsistencyProof(ctx, 0, 4)
	check("ConsistencyProof(0, 4)", err, ErrBeyondTree)
	_, err = f.log.Root(ctx, 4)
	check("Root(4)", err, ErrBeyondTree)
	_, err = f.log.Record(ctx, 3)
	check("Record(3)", err, ErrBeyondTree)
	_, err = f.log.Record(ctx, 1<<63)
	check("Record(2^63)", err, ErrInvalidArgument)
	_, err = f.log.Find(ctx, unknown, 3)
	check("Find(unknown)", err, ErrNotFound)
	_, err = f.log.Find(ctx, leaf2, 2)
	check("Find(leaf 2 in 2)", err, ErrNotFound)
	_, err = f.log.Find(ctx, leaf2, 4)
	check("Find(leaf 2 in 4)", err, ErrBeyondTree)
	_, err = f.log.Append(ctx, Entry{Kind: KindIssue, CredentialID: "x"})
	check("Append(invalid)", err, ErrInvalidEntry)
	if n := mustSize(t, f.log); n != 3 {
		t.Errorf("size after refused append: got %d, want 3", n)
	}
}

func testTampering(t *testing.T, b backend) {
	ctx := context.Background()
	const n = 40
	// setup returns a log of n signed leaves, tile height 2, so that leaf 5
	// lies in a complete tile of the in-memory tree.
	setup := func(t *testing.T) (*fixture, Checkpoint) {
		f := newFixture(t, b, 2)
		appendN(t, f.log, "X", 0, n)
		cp, err := f.log.Sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b.disableTriggers(t, f.db)
		return f, cp
	}
	forged, err := Entry{Kind: KindIssue, CredentialID: "FORGED", DocumentSHA256: sha256.Sum256([]byte("forged")),
		Time: testNow.AddDate(-5, 0, 0)}.Record()
	if err != nil {
		t.Fatal(err)
	}
	forgedLeaf := forged.LeafHash()

	t.Run("leaf rewritten", func(t *testing.T) {
		f, cp := setup(t)
		mustExec(t, f.db, f.store.bind(`UPDATE translog_leaves SET leaf_hash = ?, entry = ? WHERE idx = 5`), forgedLeaf[:], forged.Encode())
		// The running log refuses to prove anything the leaf touches.
		for _, i := range []uint64{5, 4} {
			if _, err := f.log.InclusionProof(ctx, i, cp.Size); !errors.Is(err, ErrCorrupt) {
				t.Errorf("InclusionProof(%d): got %v, want ErrCorrupt", i, err)
			}
		}
		if _, err := f.log.InclusionProof(ctx, 20, cp.Size); err != nil {
			t.Errorf("InclusionProof(20), far from the change: %v", err)
		}
		// A log opened on the changed store refuses to start.
		if _, err := open(ctx, Config{Store: f.store, PublicKey: f.pub, Now: testClock}, 2); !errors.Is(err, ErrCorrupt) {
			t.Errorf("open: got %v, want ErrCorrupt", err)
		}
		// Proofs computed from the changed leaves fail for clients holding
		// the signed checkpoint: the forged entry's own, and those of
		// every entry whose proof passes through it.
		tr := newTree(2)
		leaves, err := f.store.LeafHashes(ctx, 0, n)
		if err != nil {
			t.Fatal(err)
		}
		tr.push(leaves)
		proofOf := func(i uint64) [][]byte {
			p, _, _, err := tr.inclusion(ctx, f.store, i, n)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if err := VerifyLeafInclusion(forgedLeaf, 5, proofOf(5), cp); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("forged entry 5: got %v, want ErrInvalidProof", err)
		}
		for _, i := range []int{4, 0, 39} {
			if err := VerifyInclusion(testEntry("X", i), uint64(i), proofOf(uint64(i)), cp); !errors.Is(err, ErrInvalidProof) {
				t.Errorf("entry %d: got %v, want ErrInvalidProof", i, err)
			}
		}
		// Leaf 5's own proof does not contain leaf 5: the signed entry
		// stays provable.
		if err := VerifyInclusion(testEntry("X", 5), 5, proofOf(5), cp); err != nil {
			t.Errorf("signed entry 5: got %v, want nil", err)
		}
	})
	t.Run("record rewritten", func(t *testing.T) {
		f, _ := setup(t)
		mustExec(t, f.db, f.store.bind(`UPDATE translog_leaves SET entry = ? WHERE idx = 7`), forged.Encode())
		if _, err := f.log.Record(ctx, 7); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Record(7): got %v, want ErrCorrupt", err)
		}
		mustExec(t, f.db, f.store.bind(`UPDATE translog_leaves SET entry = ? WHERE idx = 8`), []byte("garbage"))
		if _, err := f.log.Record(ctx, 8); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Record(8): got %v, want ErrCorrupt", err)
		}
	})
	t.Run("last leaf deleted", func(t *testing.T) {
		f, _ := setup(t)
		mustExec(t, f.db, `DELETE FROM translog_leaves WHERE idx = 39`)
		if _, err := open(ctx, Config{Store: f.store, PublicKey: f.pub, Now: testClock}, 2); !errors.Is(err, ErrCorrupt) {
			t.Errorf("open: got %v, want ErrCorrupt", err)
		}
		if _, err := f.log.Sign(ctx); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Sign: got %v, want ErrCorrupt", err)
		}
	})
	t.Run("middle leaf deleted", func(t *testing.T) {
		f, _ := setup(t)
		mustExec(t, f.db, `DELETE FROM translog_leaves WHERE idx = 10`)
		if _, err := open(ctx, Config{Store: f.store, PublicKey: f.pub, Now: testClock}, 2); !errors.Is(err, ErrCorrupt) {
			t.Errorf("open: got %v, want ErrCorrupt", err)
		}
	})
	t.Run("checkpoint replaced", func(t *testing.T) {
		f, cp := setup(t)
		otherPriv, otherPub := testKeys(t, testOrigin, 2)
		fake := testCheckpoint(t, otherPriv, otherPub, cp.Size, cp.Root)
		mustExec(t, f.db, f.store.bind(`UPDATE translog_checkpoints SET note = ? WHERE size = ?`), string(fake), int64(cp.Size))
		if _, err := open(ctx, Config{Store: f.store, PublicKey: f.pub, Now: testClock}, 2); !errors.Is(err, ErrBadSignature) {
			t.Errorf("open: got %v, want ErrBadSignature", err)
		}
	})
	t.Run("checkpoint root rewritten", func(t *testing.T) {
		f, cp := setup(t)
		// A validly signed note for a tree the leaves do not make.
		fake := testCheckpoint(t, f.priv, f.pub, cp.Size, forgedLeaf)
		mustExec(t, f.db, f.store.bind(`UPDATE translog_checkpoints SET note = ?, root = ? WHERE size = ?`), string(fake), forgedLeaf[:], int64(cp.Size))
		if _, err := open(ctx, Config{Store: f.store, PublicKey: f.pub, Now: testClock}, 2); !errors.Is(err, ErrCorrupt) {
			t.Errorf("open: got %v, want ErrCorrupt", err)
		}
	})
}

func testTriggers(t *testing.T, b backend) {
	ctx := context.Background()
	f := newFixture(t, b, defaultTileHeight)
	appendN(t, f.log, "R", 0, 3)
	if _, err := f.log.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte("x"))
	refused := []struct {
		name string
		q    string
		args []any
	}{
		{"update leaf", `UPDATE translog_leaves SET leaf_hash = ? WHERE idx = 1`, []any{h[:]}},
		{"update leaf time", `UPDATE translog_leaves SET created_at = 'x' WHERE idx = 1`, nil},
		{"delete leaf", `DELETE FROM translog_leaves WHERE idx = 2`, nil},
		{"delete all leaves", `DELETE FROM translog_leaves`, nil},
		{"leaf after a gap", `INSERT INTO translog_leaves (idx, leaf_hash, entry, created_at) VALUES (4, ?, ?, 'x')`, []any{h[:], []byte("e")}},
		{"leaf reusing an index", `INSERT INTO translog_leaves (idx, leaf_hash, entry, created_at) VALUES (1, ?, ?, 'x')`, []any{h[:], []byte("e")}},
		{"leaf hash of 31 bytes", `INSERT INTO translog_leaves (idx, leaf_hash, entry, created_at) VALUES (3, ?, ?, 'x')`, []any{h[:31], []byte("e")}},
		{"update checkpoint", `UPDATE translog_checkpoints SET root = ? WHERE size = 3`, []any{h[:]}},
		{"delete checkpoint", `DELETE FROM translog_checkpoints`, nil},
		{"checkpoint beyond the leaves", `INSERT INTO translog_checkpoints (size, root, note, created_at) VALUES (4, ?, 'n', 'x')`, []any{h[:]}},
	}
	if b.dialect == Postgres {
		refused = append(refused,
			struct {
				name string
				q    string
				args []any
			}{"truncate leaves", `TRUNCATE translog_leaves`, nil},
			struct {
				name string
				q    string
				args []any
			}{"truncate checkpoints", `TRUNCATE translog_checkpoints`, nil})
	}
	for _, tc := range refused {
		if _, err := f.db.ExecContext(ctx, f.store.bind(tc.q), tc.args...); err == nil {
			t.Errorf("%s: got nil error", tc.name)
		}
	}
	// The log is untouched.
	cp, err := f.log.LatestCheckpoint(ctx)
	if err != nil || cp.Size != 3 || mustSize(t, f.log) != 3 {
		t.Errorf("after refused statements: %+v, %v", cp, err)
	}
}

func testMigrate(t *testing.T, b backend) {
	ctx := context.Background()
	open := b.newDatabase(t)
	// Several processes start at once on a new database.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		db := open(t)
		wg.Go(func() { errs[i] = Migrate(ctx, db, b.dialect, testNow) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	db := open(t)
	if err := Migrate(ctx, db, b.dialect, testNow); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
	var versions int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM translog_schema`).Scan(&versions); err != nil || versions != 1 {
		t.Errorf("translog_schema rows: got %d, %v, want 1", versions, err)
	}
	mustExec(t, db, `INSERT INTO translog_schema (version, name, applied_at) VALUES (99, '0099_future', 'x')`)
	if err := Migrate(ctx, db, b.dialect, testNow); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Migrate of a newer schema: got %v, want ErrSchemaTooNew", err)
	}
	if err := Migrate(ctx, nil, b.dialect, testNow); err == nil {
		t.Error("Migrate(nil): got nil error")
	}
	if err := Migrate(ctx, db, Dialect(9), testNow); err == nil {
		t.Error("Migrate with unknown dialect: got nil error")
	}
}
