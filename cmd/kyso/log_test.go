package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/translog"
)

// transparencyReport is the part of 'kyso verify --json' the log tests
// read.
type transparencyReport struct {
	Indication   string `json:"indication"`
	Transparency *struct {
		Status    string  `json:"status"`
		Origin    string  `json:"origin"`
		TreeSize  uint64  `json:"tree_size"`
		LeafIndex *uint64 `json:"leaf_index"`
		Detail    string  `json:"detail"`
	} `json:"transparency"`
}

func verifyWithLog(t *testing.T, work string, args ...string) (int, transparencyReport) {
	t.Helper()
	r := kyso(t, work, nil, append([]string{"verify", "--json"}, args...)...)
	var rep transparencyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify %v: exit %d: %v\n%s%s", args, r.code, err, r.stdout, r.stderr)
	}
	if rep.Transparency == nil {
		t.Fatalf("verify %v: no transparency block\n%s", args, r.stdout)
	}
	return r.code, rep
}

// openLogged opens the registry read-only with its log, as the server does.
func openLogged(t *testing.T, db, pubPath string) registryStore {
	t.Helper()
	pub, err := readLogPub(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := openStore(context.Background(), db, true, &registry.LogKeys{PublicKey: pub})
	if err != nil {
		t.Fatalf("open registry with its log: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func latestCheckpoint(t *testing.T, db, pubPath string) translog.Checkpoint {
	t.Helper()
	cp, err := openLogged(t, db, pubPath).Log().LatestCheckpoint(t.Context())
	if err != nil {
		t.Fatalf("LatestCheckpoint: %v", err)
	}
	return cp
}

func TestLogInit(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "keys")
	r := kyso(t, work, nil, "log", "init", "--dir", dir, "--origin", "xacthuc.example.vn/log")
	if r.code != 0 {
		t.Fatalf("log init: exit %d\n%s", r.code, r.stderr)
	}
	fi, err := os.Stat(filepath.Join(dir, logKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("log.key mode %v, want 0600", fi.Mode().Perm())
	}
	pub, err := readLogPub(filepath.Join(dir, logPubFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(r.stdout) != pub || !strings.HasPrefix(pub, "xacthuc.example.vn/log+") {
		t.Errorf("log init printed %q, log.pub holds %q; want the same public key of xacthuc.example.vn/log", r.stdout, pub)
	}
	priv, err := os.ReadFile(filepath.Join(dir, logKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if derived, err := logPublicKey(string(priv)); err != nil || derived != pub {
		t.Errorf("public key derived from log.key = %q, %v; want %q", derived, err, pub)
	}
	if r := kyso(t, work, nil, "log", "init", "--dir", dir, "--origin", "xacthuc.example.vn/log"); r.code != 1 {
		t.Errorf("log init over an existing key: exit %d, want 1", r.code)
	}
	if r := kyso(t, work, nil, "log", "init", "--dir", dir); r.code != 2 {
		t.Errorf("log init without --origin: exit %d, want 2", r.code)
	}
	if r := kyso(t, work, nil, "log", "init", "--dir", filepath.Join(work, "bad"), "--origin", "has space"); r.code != 1 {
		t.Errorf("log init with a bad origin: exit %d, want 1", r.code)
	}
}

func TestLogPublicKeyRejectsGarbage(t *testing.T) {
	for _, k := range []string{"", "PRIVATE+KEY+x+00000000", "PRIVATE+KEY+x+00000000+AAAA", "example/log+01234567+AQ=="} {
		if _, err := logPublicKey(k); err == nil {
			t.Errorf("logPublicKey(%q): got no error", k)
		}
	}
}

// TestTransparencyLogCLI: the demo keeps a log; kyso verify proves a
// credential's inclusion from the local database and from the server; a
// revocation extends the log consistently; a checkpoint checked with
// another log's key fails.
func TestTransparencyLogCLI(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	r := kyso(t, work, nil, "demo", "--data", data, "--no-serve", "--count", "20")
	if r.code != 0 {
		t.Fatalf("demo exit %d\n%s", r.code, r.stderr)
	}
	d := parseDemo(t, r.stdout)
	db := filepath.Join(data, "registry.db")
	pub := filepath.Join(data, logPubFile)
	if fi, err := os.Stat(filepath.Join(data, logKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo log.key: %v, %v; want mode 0600", fi, err)
	}

	// Local: the log in the registry's database.
	code, rep := verifyWithLog(t, work, "--trust", d.trust, "--db", db, "--log-pub", pub, d.pdfs[0])
	if code != 0 || rep.Transparency.Status != "included" || rep.Transparency.LeafIndex == nil || rep.Transparency.TreeSize < uint64(len(d.pdfs)) {
		t.Fatalf("verify with the local log: exit %d, %+v; want 0, included in a checkpoint of at least %d entries", code, *rep.Transparency, len(d.pdfs))
	}
	if rep.Transparency.Origin != demoLogOrigin {
		t.Errorf("origin = %q, want %q", rep.Transparency.Origin, demoLogOrigin)
	}
	text := kyso(t, work, nil, "verify", "--trust", d.trust, "--db", db, "--log-pub", pub, d.pdfs[0])
	if text.code != 0 || !strings.Contains(text.stdout, "transparency log: included") {
		t.Errorf("text verify with the log: exit %d\n%s", text.code, text.stdout)
	}
	// The demo runs again without issuing: the checkpoint stays.
	before := latestCheckpoint(t, db, pub)

	// A revocation is logged and the new checkpoint extends the old one.
	id := idFromURL(t, d.urls[1])
	if r := kyso(t, work, nil, "revoke", "--db", db, "--reason", "issued in error", "--actor", "test", id); r.code != 0 {
		t.Fatalf("revoke: exit %d\n%s", r.code, r.stderr)
	}
	after := latestCheckpoint(t, db, pub)
	if after.Size != before.Size+1 {
		t.Fatalf("checkpoint after revoke has %d entries, want %d", after.Size, before.Size+1)
	}

	// Remote: the log served by the server under /api/v1/log/.
	store := openLogged(t, db, pub)
	roots, err := readCerts(d.trust)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: t.Context(), now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv, err := newServer(e, store, roots, serveConfig{baseURL: "http://127.0.0.1", maxUpload: 1 << 20, logPub: pub})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/v1/log/proof/consistency?from=" + strconv.FormatUint(before.Size, 10) + "&to=" + strconv.FormatUint(after.Size, 10))
	if err != nil {
		t.Fatal(err)
	}
	var cons translog.ConsistencyProofResponse
	err = json.NewDecoder(resp.Body).Decode(&cons)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET consistency proof: %d, %v", resp.StatusCode, err)
	}
	if err := translog.VerifyConsistency(before, after, cons.Hashes); err != nil {
		t.Errorf("VerifyConsistency(%d → %d): %v", before.Size, after.Size, err)
	}
	logURL := ts.URL + "/api/v1/log"
	code, rep = verifyWithLog(t, work, "--trust", d.trust, "--db", db, "--log-pub", pub, "--log-url", logURL, d.pdfs[0])
	if code != 0 || rep.Transparency.Status != "included" || rep.Transparency.TreeSize != after.Size {
		t.Errorf("verify with the served log: exit %d, %+v; want 0, included in a checkpoint of %d", code, *rep.Transparency, after.Size)
	}

	// A checkpoint checked with another log's key is refused: exit 1.
	other := filepath.Join(work, "other")
	if r := kyso(t, work, nil, "log", "init", "--dir", other, "--origin", demoLogOrigin); r.code != 0 {
		t.Fatalf("log init: exit %d\n%s", r.code, r.stderr)
	}
	for _, extra := range [][]string{nil, {"--log-url", logURL}} {
		args := append([]string{"--trust", d.trust, "--db", db, "--log-pub", filepath.Join(other, logPubFile)}, extra...)
		code, rep := verifyWithLog(t, work, append(args, d.pdfs[0])...)
		if code != 1 || rep.Transparency.Status != "failed" || rep.Indication != "TOTAL_PASSED" {
			t.Errorf("verify %v with another log's key: exit %d, %s, %+v; want 1, a passed signature and a failed log check", extra, code, rep.Indication, *rep.Transparency)
		}
	}

	// An unreachable log cannot be checked: exit 2.
	ts.Close()
	code, rep = verifyWithLog(t, work, "--trust", d.trust, "--db", db, "--log-pub", pub, "--log-url", logURL, d.pdfs[0])
	if code != 2 || rep.Transparency.Status != "unavailable" {
		t.Errorf("verify with an unreachable log: exit %d, %+v; want 2, unavailable", code, *rep.Transparency)
	}

	// Writing to a logged registry with a missing key file is refused.
	if r := kyso(t, work, nil, "revoke", "--db", db, "--reason", "x", "--actor", "test", "--log-key", filepath.Join(work, "none.key"), idFromURL(t, d.urls[2])); r.code != 1 {
		t.Errorf("revoke with a missing --log-key: exit %d, want 1", r.code)
	}
	if r := kyso(t, work, nil, "verify", "--trust", d.trust, "--log-pub", pub, d.pdfs[0]); r.code != 3 {
		t.Errorf("verify --log-pub without --db: exit %d, want 3", r.code)
	}
}
