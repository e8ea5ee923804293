package workflow

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/registry/pgtest"
)

// testStart is the time every testClock starts at.
var testStart = time.Date(2025, time.June, 2, 8, 0, 0, 0, time.UTC)

// testClock is a settable clock for stores under test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: testStart} }

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set sets the clock to t.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// eachBackend runs fn as a subtest on a new, empty store of each backend:
// "sqlite" on a file in t.TempDir, and "postgres" on a new database of the
// PostgreSQL server the package's tests share (skipped, or failed when
// CI=true, when there is none). Each store has its own clock at testStart.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store, clock *testClock)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		clock := newTestClock()
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "staff.db"), clock.Now)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s, clock)
	})
	t.Run("postgres", func(t *testing.T) {
		srv := sharedPostgres(t)
		clock := newTestClock()
		s, err := Open(t.Context(), srv.NewDatabase(t), clock.Now)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s, clock)
	})
}

// pgShared is the PostgreSQL server the package's tests share, so that
// each test does not start one: the first test that needs it starts it,
// and TestMain stops it after the last test.
var pgShared struct {
	once     sync.Once
	srv      *pgtest.Server
	cleanups []func() // what pgtest registered, run by TestMain
	failed   atomic.Bool
}

// sharedPostgres returns the shared server, starting it on first use. When
// it cannot be had, the first caller is skipped (or failed under CI=true)
// by pgtest with the reason, and later callers likewise.
func sharedPostgres(t *testing.T) *pgtest.Server {
	t.Helper()
	pgShared.once.Do(func() { pgShared.srv = pgtest.Start(serverTB{t}) })
	if pgShared.srv == nil {
		msg := "PostgreSQL is not available (see the first postgres subtest for why)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return pgShared.srv
}

// serverTB is the test that starts the shared server, as pgtest sees it:
// failing or skipping while starting goes to that test, but what pgtest
// registers to run at the end runs when TestMain ends, and errors reported
// then are printed and fail the run.
type serverTB struct{ testing.TB }

func (serverTB) Cleanup(f func()) { pgShared.cleanups = append(pgShared.cleanups, f) }

func (serverTB) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "shared PostgreSQL server: "+format+"\n", args...)
	pgShared.failed.Store(true)
}

func (serverTB) Helper() {}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(pgShared.cleanups) - 1; i >= 0; i-- {
		pgShared.cleanups[i]()
	}
	if pgShared.failed.Load() && code == 0 {
		code = 1
	}
	os.Exit(code)
}
