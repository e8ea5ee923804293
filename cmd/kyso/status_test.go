package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/registry/pgtest"
)

// verifyReport is the part of 'kyso verify --json' the status tests read.
type verifyReport struct {
	Indication    string `json:"indication"`
	SubIndication string `json:"sub_indication"`
	Credential    *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"credential"`
}

// verifyJSON runs 'kyso verify --json' against a registry and returns the
// exit status and the report.
func verifyJSON(t *testing.T, work, trust, db, pdf string) (int, verifyReport) {
	t.Helper()
	v := kyso(t, work, nil, "verify", "--trust", trust, "--db", db, "--json", pdf)
	var rep verifyReport
	if err := json.Unmarshal([]byte(v.stdout), &rep); err != nil {
		t.Fatalf("verify --json %s: exit %d: %v\n%s%s", pdf, v.code, err, v.stdout, v.stderr)
	}
	return v.code, rep
}

// wantVerified checks the exit status, sub-indication and credential status
// of a verification.
func wantVerified(t *testing.T, work, trust, db, pdf string, code int, sub, status string) {
	t.Helper()
	got, rep := verifyJSON(t, work, trust, db, pdf)
	if got != code || rep.SubIndication != sub || rep.Credential == nil || rep.Credential.Status != status {
		cs := "no credential"
		if rep.Credential != nil {
			cs = rep.Credential.Status
		}
		t.Errorf("verify %s: exit %d, %s, %s; want exit %d, %q, %s", filepath.Base(pdf), got, rep.SubIndication, cs, code, sub, status)
	}
}

// idFromURL returns the credential ID at the end of a verification URL.
func idFromURL(t *testing.T, u string) string {
	t.Helper()
	i := strings.LastIndex(u, "/v/")
	if i < 0 {
		t.Fatalf("%q is not a verification URL", u)
	}
	return u[i+len("/v/"):]
}

// mistype changes the first symbol of an ID to another one.
func mistype(id string) string {
	c := byte('0')
	if id[0] == '0' {
		c = '1'
	}
	return string(c) + id[1:]
}

// TestRevokeSupersede runs the status commands on the demo's SQLite
// registry and checks what 'kyso verify' then says.
func TestRevokeSupersede(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	r := kyso(t, work, nil, "demo", "--data", data, "--no-serve")
	if r.code != 0 {
		t.Fatalf("demo exit %d\n%s", r.code, r.stderr)
	}
	d := parseDemo(t, r.stdout)
	db := filepath.Join(data, "registry.db")
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = idFromURL(t, d.urls[i])
	}
	env := []string{"USER=test-officer"}

	// Revoke: verify then fails the document (exit 1, REVOKED).
	r = kyso(t, work, env, "revoke", "--db", db, "--reason", "Cấp nhầm: sai ngày sinh", ids[0])
	if r.code != 0 || r.stdout != "revoked\t"+ids[0]+"\n" {
		t.Fatalf("revoke: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	wantVerified(t, work, d.trust, db, d.pdfs[0], 1, "REVOKED", "revoked")
	if v := kyso(t, work, nil, "verify", "--trust", d.trust, "--db", db, "--lang", "en", d.pdfs[0]); v.code != 1 {
		t.Errorf("verify a revoked diploma (text): exit %d, want 1\n%s", v.code, v.stdout)
	}

	// Supersede the second diploma by the third: the old one is reported
	// superseded (indeterminate, exit 2), the new one stays valid.
	r = kyso(t, work, env, "supersede", "--db", db, "--reason", "Đính chính họ tên", "--actor", "so-gddt", ids[1], ids[2])
	if r.code != 0 || r.stdout != "superseded\t"+ids[1]+"\t"+ids[2]+"\n" {
		t.Fatalf("supersede: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	wantVerified(t, work, d.trust, db, d.pdfs[1], 2, "SUPERSEDED", "superseded")
	wantVerified(t, work, d.trust, db, d.pdfs[2], 0, "", "valid")

	// Refusals: nothing changes, and the exit status says why.
	unknown, err := registry.NewID(bytes.NewReader(bytes.Repeat([]byte{0x5a}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // a word the message must hold
	}{
		{"revoke again", []string{"revoke", "--db", db, "--reason", "again", ids[0]}, 1, "already revoked"},
		{"supersede a superseded credential", []string{"supersede", "--db", db, "--reason", "x", ids[1], idFromURL(t, d.urls[3])}, 1, "already superseded"},
		{"supersede by a revoked credential", []string{"supersede", "--db", db, "--reason", "x", idFromURL(t, d.urls[4]), ids[0]}, 1, "not valid"},
		{"unknown credential", []string{"revoke", "--db", db, "--reason", "x", unknown.String()}, 1, "not found"},
		{"mistyped ID", []string{"revoke", "--db", db, "--reason", "x", mistype(ids[2])}, 2, "check"},
		{"no reason", []string{"revoke", "--db", db, idFromURL(t, d.urls[5])}, 2, "--reason"},
		{"no ID", []string{"revoke", "--db", db, "--reason", "x"}, 2, "ID"},
		{"one ID to supersede", []string{"supersede", "--db", db, "--reason", "x", ids[2]}, 2, "NEW_ID"},
		{"same ID twice", []string{"supersede", "--db", db, "--reason", "x", ids[2], ids[2]}, 2, "same"},
		{"missing registry", []string{"revoke", "--db", filepath.Join(work, "nope", "r.db"), "--reason", "x", ids[2]}, 1, "does not exist"},
		{"unsupported URL", []string{"revoke", "--db", "mysql://u:hunter2@db/x", "--reason", "x", ids[2]}, 1, "unsupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := kyso(t, work, env, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("kyso %v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, r.code, r.stderr, tt.code, tt.stderr)
			}
			if strings.Contains(r.stderr, "hunter2") {
				t.Errorf("stderr shows a password: %q", r.stderr)
			}
		})
	}
	wantVerified(t, work, d.trust, db, d.pdfs[0], 1, "REVOKED", "revoked")
	wantVerified(t, work, d.trust, db, d.pdfs[1], 2, "SUPERSEDED", "superseded")
	wantVerified(t, work, d.trust, db, d.pdfs[3], 0, "", "valid")
	if _, err := os.Stat(filepath.Join(work, "nope")); err == nil {
		t.Error("revoke on a missing registry created its folder")
	}

	// A superseded credential can still be revoked.
	if r := kyso(t, work, env, "revoke", "--db", db, "--reason", "gian lận hồ sơ", ids[1]); r.code != 0 {
		t.Errorf("revoke a superseded credential: exit %d\n%s", r.code, r.stderr)
	}
	wantVerified(t, work, d.trust, db, d.pdfs[1], 1, "REVOKED", "revoked")
}

// TestStatusPostgres issues, verifies, revokes and supersedes with --db
// postgres://, against a throwaway server (or KYSO_TEST_POSTGRES).
func TestStatusPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	dsn := srv.NewDatabase(t)
	work := t.TempDir()
	key, env, trust := fileKey(t, work)
	out := filepath.Join(work, "pg-out")
	// The header and three graduates of the sample data are enough here.
	all, err := os.ReadFile(fixture(t, "graduates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(work, "three.csv")
	if err := os.WriteFile(csv, []byte(strings.Join(strings.SplitN(string(all), "\n", 5)[:4], "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := kyso(t, work, env, "issue", "--data", csv, "--key", key, "--db", dsn, "--out", out)
	if r.code != 0 {
		t.Fatalf("issue --db postgres://: exit %d\n%s", r.code, r.stderr)
	}
	// Lines: OUTCOME ID SERIAL PATH.
	var ids, pdfs []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("issue printed %q, want 4 tab-separated fields", line)
		}
		ids, pdfs = append(ids, f[1]), append(pdfs, f[3])
	}
	if len(ids) != 3 {
		t.Fatalf("issue printed %d credentials, want 3", len(ids))
	}
	// Running it again issues nothing new.
	if r := kyso(t, work, env, "issue", "--data", csv, "--key", key, "--db", dsn, "--out", out); r.code != 0 || !strings.Contains(r.stderr, "issued 0,") {
		t.Errorf("second issue --db postgres://: exit %d, stderr %q; want 0 and \"issued 0\"", r.code, r.stderr)
	}

	wantVerified(t, work, trust, dsn, pdfs[0], 0, "", "valid")
	if r := kyso(t, work, nil, "revoke", "--db", dsn, "--reason", "withdrawn", "--actor", "so-gddt", ids[0]); r.code != 0 {
		t.Fatalf("revoke --db postgres://: exit %d\n%s", r.code, r.stderr)
	}
	wantVerified(t, work, trust, dsn, pdfs[0], 1, "REVOKED", "revoked")
	if r := kyso(t, work, nil, "supersede", "--db", dsn, "--reason", "corrected", "--actor", "so-gddt", ids[1], ids[2]); r.code != 0 {
		t.Fatalf("supersede --db postgres://: exit %d\n%s", r.code, r.stderr)
	}
	wantVerified(t, work, trust, dsn, pdfs[1], 2, "SUPERSEDED", "superseded")
	wantVerified(t, work, trust, dsn, pdfs[2], 0, "", "valid")
	// Another registry knows nothing of these documents. (The revoke
	// migrates the new database, so that the read-only verify can open it.)
	other := srv.NewDatabase(t)
	if r := kyso(t, work, nil, "revoke", "--db", other, "--reason", "x", "--actor", "so-gddt", ids[2]); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("revoke in a new, empty database: exit %d, stderr %q; want 1, not found", r.code, r.stderr)
	}
	if code, rep := verifyJSON(t, work, trust, other, pdfs[0]); code != 2 || rep.Credential != nil {
		t.Errorf("verify against the other registry: exit %d, credential %v; want exit 2 and none", code, rep.Credential)
	}
	// A database that does not exist is an error, and the message keeps
	// the password out.
	missing := strings.Replace(srv.URL("kyso_no_such_db"), "kyso@", "kyso:hunter2@", 1)
	if v := kyso(t, work, nil, "verify", "--trust", trust, "--db", missing, pdfs[0]); v.code != 3 || strings.Contains(v.stderr, "hunter2") {
		t.Errorf("verify --db with a missing database: exit %d, stderr %q; want 3 without the password", v.code, v.stderr)
	}
}
