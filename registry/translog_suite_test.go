package registry

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/translog"
)

// testLogKeys returns a log key pair made from a fixed seed.
func testLogKeys(t *testing.T, seed byte) LogKeys {
	t.Helper()
	priv, pub, err := translog.GenerateKey(rand.NewChaCha8([32]byte{seed}), "kyso.test/log")
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	return LogKeys{PublicKey: pub, PrivateKey: priv}
}

func logSize(t *testing.T, s storeUnderTest) uint64 {
	t.Helper()
	n, err := s.Log().Size(t.Context())
	if err != nil {
		t.Fatalf("log Size: %v", err)
	}
	return n
}

// wantIncluded checks that e is leaf index of the log and that its
// inclusion proof verifies against cp.
func wantIncluded(t *testing.T, s storeUnderTest, e translog.Entry, index uint64, cp translog.Checkpoint) {
	t.Helper()
	leaf, err := e.LeafHash()
	if err != nil {
		t.Fatalf("LeafHash of %s entry: %v", e.Kind, err)
	}
	got, err := s.Log().Find(t.Context(), leaf, cp.Size)
	if err != nil {
		t.Fatalf("Find %s entry of %s: %v", e.Kind, e.CredentialID, err)
	}
	if got != index {
		t.Errorf("%s entry of %s at index %d, want %d", e.Kind, e.CredentialID, got, index)
	}
	p, err := s.Log().InclusionProof(t.Context(), got, cp.Size)
	if err != nil {
		t.Fatalf("InclusionProof: %v", err)
	}
	if err := translog.VerifyInclusion(e, got, p, cp); err != nil {
		t.Errorf("VerifyInclusion of %s entry of %s: %v", e.Kind, e.CredentialID, err)
	}
}

func suiteTransparencyLog(t *testing.T, s storeUnderTest) {
	keys := testLogKeys(t, 1)
	l := s.reopen(t, WithLog(keys))
	defer l.Close()
	f := newCredentialFactory(90)
	a, b, c := f.next(t), f.next(t), f.next(t)
	issueAll(t, l, a, b, c)
	superseded := suiteNow.Add(-time.Hour)
	if err := l.Supersede(t.Context(), a.ID, b.ID, "corrected name", "operator", superseded); err != nil {
		t.Fatalf("Supersede: %v", err)
	}
	if err := l.Revoke(t.Context(), c.ID, "issued in error", "operator", suiteNow); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	// A refused change appends nothing.
	if err := l.Revoke(t.Context(), c.ID, "again", "operator", suiteNow); !errors.Is(err, ErrStatus) {
		t.Fatalf("second Revoke: error = %v, want %v", err, ErrStatus)
	}
	if n := logSize(t, l); n != 5 {
		t.Fatalf("log size = %d, want 5 (three issues, a supersession, a revocation)", n)
	}
	cp, err := l.SignCheckpoint(t.Context())
	if err != nil {
		t.Fatalf("SignCheckpoint: %v", err)
	}
	if _, err := translog.VerifyCheckpoint(cp.Note, keys.PublicKey); err != nil {
		t.Fatalf("VerifyCheckpoint: %v", err)
	}
	if cp.Size != 5 {
		t.Fatalf("checkpoint size = %d, want 5", cp.Size)
	}
	want := []translog.Entry{
		IssueEntry(a), IssueEntry(b), IssueEntry(c),
		{Kind: translog.KindSupersede, CredentialID: b.ID.Compact(), Prev: a.ID.Compact(),
			DocumentSHA256: b.DocumentSHA256, SignedSHA256: b.SignedSHA256, Time: superseded},
		{Kind: translog.KindRevoke, CredentialID: c.ID.Compact(),
			DocumentSHA256: c.DocumentSHA256, SignedSHA256: c.SignedSHA256, Time: suiteNow},
	}
	for i, e := range want {
		wantIncluded(t, l, e, uint64(i), cp)
	}
	if got := IssueEntry(a).Time; !got.Equal(a.IssuedAt.Truncate(time.Second)) || got.Location() != time.UTC {
		t.Errorf("issue entry time = %v, want IssuedAt %v in UTC", got, a.IssuedAt)
	}

	// A read-only store serves the log with the public key alone.
	ro := s.reopen(t, ReadOnly(), WithLog(LogKeys{PublicKey: keys.PublicKey}))
	defer ro.Close()
	if ro.Log() == nil {
		t.Fatal("read-only store with WithLog: Log() = nil")
	}
	latest, err := ro.Log().LatestCheckpoint(t.Context())
	if err != nil {
		t.Fatalf("read-only LatestCheckpoint: %v", err)
	}
	if latest.Size != cp.Size || latest.Root != cp.Root {
		t.Errorf("read-only latest checkpoint = %d %x, want %d %x", latest.Size, latest.Root, cp.Size, cp.Root)
	}
	wantIncluded(t, ro, want[3], 3, cp)
	if _, err := ro.SignCheckpoint(t.Context()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only SignCheckpoint: error = %v, want %v", err, ErrReadOnly)
	}

	// The next checkpoint extends the first.
	d := f.next(t)
	issueAll(t, l, d)
	cp2, err := l.SignCheckpoint(t.Context())
	if err != nil {
		t.Fatalf("second SignCheckpoint: %v", err)
	}
	p, err := l.Log().ConsistencyProof(t.Context(), cp.Size, cp2.Size)
	if err != nil {
		t.Fatalf("ConsistencyProof: %v", err)
	}
	if err := translog.VerifyConsistency(cp, cp2, p); err != nil {
		t.Errorf("VerifyConsistency: %v", err)
	}
	wantIncluded(t, l, IssueEntry(d), 5, cp2)

	// Once the database has a log, writing without it is refused;
	// reading is not.
	if err := openError(t, s); !errors.Is(err, ErrLogRequired) {
		t.Errorf("open for writing without the log: error = %v, want %v", err, ErrLogRequired)
	}
	if err := openError(t, s, ReadOnly()); err != nil {
		t.Errorf("open read-only without the log: %v", err)
	}

	// A log key that did not sign the stored checkpoints is refused.
	if err := openError(t, s, WithLog(testLogKeys(t, 2))); !errors.Is(err, translog.ErrBadSignature) {
		t.Errorf("open with another log key: error = %v, want %v", err, translog.ErrBadSignature)
	}
}

// openError opens the database under s again with opts and returns the
// error, closing the store if it opened.
func openError(t *testing.T, s storeUnderTest, opts ...Option) error {
	t.Helper()
	var (
		c   interface{ Close() error }
		err error
	)
	switch st := s.(type) {
	case sqliteUnderTest:
		c, err = OpenSQLite(t.Context(), st.path, opts...)
	case postgresUnderTest:
		c, err = OpenPostgres(t.Context(), st.url, opts...)
	default:
		t.Fatalf("unknown backend %T", s)
	}
	if err == nil {
		c.Close()
	}
	return err
}

func suiteLogInSameTransaction(t *testing.T, s storeUnderTest) {
	l := s.reopen(t, WithLog(testLogKeys(t, 3)))
	defer l.Close()
	f := newCredentialFactory(91)
	first := f.next(t)
	issueAll(t, l, first)
	l.breakLog(t)

	c := f.next(t)
	if err := l.Issue(t.Context(), c, "operator"); err == nil {
		t.Fatal("Issue with a failing log append: got no error")
	}
	if _, err := l.Get(t.Context(), c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after failed issue: error = %v, want %v", err, ErrNotFound)
	}
	wantCount(t, l, 1)
	if err := l.Revoke(t.Context(), first.ID, "issued in error", "operator", suiteNow); err == nil {
		t.Fatal("Revoke with a failing log append: got no error")
	}
	if got := mustGet(t, l, first.ID); got.Status != StatusValid {
		t.Errorf("status after failed revoke = %s, want %s", got.Status, StatusValid)
	}
	wantActions(t, l, first.ID, ActionIssue)
	if n := logSize(t, l); n != 1 {
		t.Errorf("log size = %d, want 1", n)
	}
}

func suiteNoLog(t *testing.T, s storeUnderTest) {
	if s.Log() != nil {
		t.Fatal("store opened without WithLog: Log() != nil")
	}
	if _, err := s.SignCheckpoint(t.Context()); !errors.Is(err, ErrNoLog) {
		t.Errorf("SignCheckpoint without a log: error = %v, want %v", err, ErrNoLog)
	}
	if err := openError(t, s, WithLog(LogKeys{})); !errors.Is(err, translog.ErrInvalidKey) {
		t.Errorf("WithLog without a public key: error = %v, want %v", err, translog.ErrInvalidKey)
	}
}
