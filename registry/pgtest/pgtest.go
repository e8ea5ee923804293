// Package pgtest gives tests a real PostgreSQL server: the one named by the
// KYSO_TEST_POSTGRES environment variable (a postgres:// URL of a role that
// may create databases), or else a throwaway server started from the
// PostgreSQL binaries installed on the machine (Debian's postgresql
// package), with its data directory and unix socket in a temporary
// directory, stopped and removed when the test ends.
//
// PostgreSQL refuses to run as root, so when the tests run as root the
// throwaway server runs as the "postgres" user that Debian's package
// creates (or "nobody" when there is none).
//
// When no server can be had, a test fails if CI=true and is skipped
// otherwise, saying why.
//
// Only tests use this package.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	// The pgx driver for database/sql, registered as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvURL names the environment variable with the URL of an existing server.
const EnvURL = "KYSO_TEST_POSTGRES"

// Server is a PostgreSQL server in which tests create databases.
type Server struct {
	admin    *url.URL // the maintenance database, as a role that may create databases
	external bool     // named by EnvURL: databases are dropped after use
	n        atomic.Int64
}

// Start returns the server named by KYSO_TEST_POSTGRES or starts a
// throwaway one, which is stopped and removed in t.Cleanup. It skips or
// fails t (CI=true) when neither is possible.
func Start(t testing.TB) *Server {
	t.Helper()
	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			t.Fatalf("%s is not a postgres:// URL", EnvURL)
		}
		return &Server{admin: u, external: true}
	}
	bin, err := findBinaries()
	if err != nil {
		unavailable(t, err.Error())
	}
	return startLocal(t, bin)
}

// unavailable fails t under CI and skips it otherwise.
func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := "PostgreSQL is not available: " + why + " (install Debian's postgresql package, or set " + EnvURL + " to a postgres:// URL)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// findBinaries returns the directory holding initdb and pg_ctl: the
// newest /usr/lib/postgresql/VERSION/bin, or the directory of initdb on
// PATH.
func findBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExecutable(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", errors.New("no initdb and pg_ctl under /usr/lib/postgresql/*/bin or on PATH")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// startLocal creates a cluster in a new temporary directory, starts it on a
// unix socket in that directory (no TCP), and registers its stop.
func startLocal(t testing.TB, bin string) *Server {
	t.Helper()
	// A unix socket path is limited to about 100 bytes, so the directory
	// goes under /tmp when $TMPDIR is long.
	base := os.TempDir()
	if len(base) > 60 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "kyso-pg-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cred, err := serverUser(dir)
	if err != nil {
		unavailable(t, err.Error())
	}
	data := filepath.Join(dir, "data")
	logFile := filepath.Join(dir, "server.log")
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	if err := run("initdb", "--pgdata", data, "--username", "kyso", "--auth", "trust",
		"--encoding", "UTF8", "--no-locale", "--no-sync"); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	const port = 5432 // only names the socket file: the server does not listen on TCP
	conf := fmt.Sprintf(`
listen_addresses = ''
unix_socket_directories = '%s'
port = %d
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
`, dir, port)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	_, werr := f.WriteString(conf)
	if err := errors.Join(werr, f.Close()); err != nil {
		t.Fatalf("pgtest: write postgresql.conf: %v", err)
	}
	if err := run("pg_ctl", "--pgdata", data, "--log", logFile, "--wait", "--timeout", "60", "start"); err != nil {
		logs, _ := os.ReadFile(logFile)
		t.Fatalf("pgtest: %v\nserver log:\n%s", err, logs)
	}
	t.Cleanup(func() {
		if err := run("pg_ctl", "--pgdata", data, "--mode", "fast", "--wait", "stop"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	q := url.Values{"host": {dir}, "port": {strconv.Itoa(port)}, "sslmode": {"disable"}}
	return &Server{admin: &url.URL{Scheme: "postgres", User: url.User("kyso"), Path: "/postgres", RawQuery: q.Encode()}}
}

// serverUser returns the credential to run the server with and hands dir
// to that user: nil (the current user) unless running as root.
func serverUser(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no postgres or nobody user to run the server as: %v", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user %s: %v", u.Username, err)
	}
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// NewDatabase creates an empty database and returns its URL. On a server
// named by KYSO_TEST_POSTGRES the database is dropped in t.Cleanup; a
// throwaway server is removed whole.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := fmt.Sprintf("kyso_test_%d_%d_%s", os.Getpid(), s.n.Add(1), hex.EncodeToString(r[:]))
	s.exec(t, `CREATE DATABASE `+name)
	if s.external {
		t.Cleanup(func() { s.exec(t, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	}
	return s.URL(name)
}

// URL returns the URL of the named database on the server, which need not
// exist.
func (s *Server) URL(database string) string {
	u := *s.admin
	u.Path = "/" + database
	u.RawPath = ""
	return u.String()
}

// Exec runs one statement in the maintenance database, as a role that may
// create databases and roles.
func (s *Server) Exec(t testing.TB, statement string) {
	t.Helper()
	s.exec(t, statement)
}

func (s *Server) exec(t testing.TB, statement string) {
	t.Helper()
	db, err := sql.Open("pgx", s.admin.String())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, statement); err != nil {
		t.Fatalf("pgtest: %s: %v", firstWords(statement), err)
	}
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}
