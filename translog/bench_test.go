package translog

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kyso-vn/kyso/registry/pgtest"
)

// benchLog opens a signing log of tile height 8 on a new database.
func benchLog(b *testing.B, db *sql.DB, d Dialect) (*Log, *SQLStore) {
	b.Helper()
	ctx := context.Background()
	if err := Migrate(ctx, db, d, testNow); err != nil {
		b.Fatal(err)
	}
	store, err := NewSQLStore(db, d)
	if err != nil {
		b.Fatal(err)
	}
	priv, pub := testKeys(b, testOrigin, 1)
	l, err := Open(ctx, Config{Store: store, PublicKey: pub, PrivateKey: priv, Now: testClock})
	if err != nil {
		b.Fatal(err)
	}
	return l, store
}

// BenchmarkAppend appends one entry per transaction, as issuing one
// credential does. Run with -benchtime=100000x for 100,000 leaves.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, l *Log) {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := l.Append(ctx, testEntry("P", i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("sqlite", func(b *testing.B) {
		// The registry's settings: WAL, full synchronous commits.
		dsn := sqliteDSN(filepath.Join(b.TempDir(), "log.db")) + "&_pragma=synchronous(FULL)"
		l, _ := benchLog(b, openSQL(b, "sqlite", dsn), SQLite)
		run(b, l)
	})
	b.Run("postgres", func(b *testing.B) {
		srv := pgtest.Start(b)
		l, _ := benchLog(b, openSQL(b, "pgx", srv.NewDatabase(b)), Postgres)
		run(b, l)
	})
}

// BenchmarkLog1M builds a SQLite log of 1,000,000 leaves once (about a
// minute), then measures what the public endpoints and the signer do at
// that size.
func BenchmarkLog1M(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	dir := b.TempDir()
	dsn := sqliteDSN(filepath.Join(dir, "log.db"))
	l, store := benchLog(b, openSQL(b, "sqlite", dsn), SQLite)
	const batch = 10_000
	for i := 0; i < n; i += batch {
		tx, err := store.BeginTx(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for j := i; j < i+batch; j++ {
			if _, err := l.AppendTx(ctx, tx, testEntry("M", j)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	cp, err := l.Sign(ctx)
	if err != nil || cp.Size != n {
		b.Fatalf("Sign: %+v, %v", cp, err)
	}
	b.Logf("in-memory tree at %d leaves: %d bytes", n, cacheBytes(l.tree))

	b.Run("Open", func(b *testing.B) {
		_, pub := testKeys(b, testOrigin, 1)
		for i := 0; i < b.N; i++ {
			if _, err := Open(ctx, Config{Store: store, PublicKey: pub, Now: testClock}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("InclusionProof", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			idx := uint64(i*7919) % n
			if _, err := l.InclusionProof(ctx, idx, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("InclusionProofOlderSize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			idx := uint64(i*7919) % (n / 2)
			if _, err := l.InclusionProof(ctx, idx, n/2+1001); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyInclusion", func(b *testing.B) {
		e := testEntry("M", 123456)
		p, err := l.InclusionProof(ctx, 123456, n)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := VerifyInclusion(e, 123456, p, cp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ConsistencyProof", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			from := uint64(i*7919)%n + 1
			if _, err := l.ConsistencyProof(ctx, from, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Record", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := l.Record(ctx, uint64(i*7919)%n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendAndSign", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := l.Append(ctx, testEntry("N", i)); err != nil {
				b.Fatal(err)
			}
			if _, err := l.Sign(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cacheBytes is the size of the hashes the in-memory tree holds.
func cacheBytes(t *tree) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := len(t.tail)
	for _, level := range t.levels {
		n += len(level)
	}
	return n * 32
}

func ExampleVerifyInclusion() {
	// A client holding a credential's data, the log's public key, and the
	// answers of GET /checkpoint and GET /proof/inclusion checks that the
	// issuance was logged.
	var (
		publicKey  string   // configured, e.g. "kyso.example/log+1a2b3c4d+AZ...="
		noteText   []byte   // GET /checkpoint
		index      uint64   // GET /proof/inclusion?leaf_hash=...&size=N → index
		proofNodes [][]byte // ... → hashes
		entry      Entry    // built from the credential: kind issue, ID, hashes, time
	)
	cp, err := VerifyCheckpoint(noteText, publicKey)
	if err != nil {
		fmt.Println("checkpoint:", err)
		return
	}
	if err := VerifyInclusion(entry, index, proofNodes, cp); err != nil {
		fmt.Println("not in the log:", err)
	}
}
