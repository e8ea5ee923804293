package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI tests run the real binary, built once.
var kysoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kyso-cli")
	if err != nil {
		panic(err)
	}
	kysoBin = filepath.Join(dir, "kyso")
	out, err := exec.Command("go", "build", "-o", kysoBin, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// kyso runs the binary in dir with extra environment variables.
func kyso(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(kysoBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run kyso %v: %v", args, err)
	}
	return result{so.String(), se.String(), code}
}

func TestHelp(t *testing.T) {
	r := kyso(t, t.TempDir(), nil, "--help")
	if r.code != 0 {
		t.Fatalf("kyso --help exit %d, want 0", r.code)
	}
	for _, c := range []string{"demo", "ca", "keys", "sign", "issue", "verify", "serve"} {
		if !strings.Contains(r.stdout, "\n  "+c+" ") {
			t.Errorf("kyso --help does not list %q:\n%s", c, r.stdout)
		}
		args := []string{c, "--help"}
		if c == "ca" {
			args = []string{"ca", "init", "--help"}
		} else if c == "keys" {
			args = []string{"keys", "new", "--help"}
		}
		h := kyso(t, t.TempDir(), nil, args...)
		if h.code != 0 || !strings.Contains(h.stdout, "Usage: kyso "+c) {
			t.Errorf("kyso %v: exit %d, stdout %q; want 0 and a usage", args, h.code, h.stdout)
		}
	}
	if r := kyso(t, t.TempDir(), nil, "frobnicate"); r.code != 2 {
		t.Errorf("unknown command: exit %d, want 2", r.code)
	}
	if r := kyso(t, t.TempDir(), nil, "verify"); r.code != 3 {
		t.Errorf("verify without a file: exit %d, want 3", r.code)
	}
}

// demoOutput is what 'kyso demo' printed.
type demoOutput struct {
	trust string
	pdfs  []string
	urls  []string
}

func parseDemo(t *testing.T, stdout string) demoOutput {
	t.Helper()
	var d demoOutput
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("demo printed a line that is not KEY: VALUE: %q", line)
		}
		switch k {
		case "trust":
			d.trust = v
		case "pdf":
			d.pdfs = append(d.pdfs, v)
		case "url":
			d.urls = append(d.urls, v)
		default:
			t.Fatalf("demo printed an unknown key %q", k)
		}
	}
	return d
}

func TestDemoEndToEnd(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	r := kyso(t, work, nil, "demo", "--data", data, "--no-serve")
	if r.code != 0 {
		t.Fatalf("demo exit %d\n%s", r.code, r.stderr)
	}
	d := parseDemo(t, r.stdout)
	if d.trust == "" || len(d.pdfs) < 20 || len(d.urls) != len(d.pdfs) {
		t.Fatalf("demo printed trust %q, %d pdfs, %d urls; want a trust file and ≥ 20 of each", d.trust, len(d.pdfs), len(d.urls))
	}
	for _, p := range d.pdfs {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("pdf line names a missing file: %v", err)
		}
	}

	// Running it again issues nothing new and prints the same lines.
	r2 := kyso(t, work, nil, "demo", "--data", data, "--no-serve")
	if r2.code != 0 {
		t.Fatalf("second demo exit %d\n%s", r2.code, r2.stderr)
	}
	if r2.stdout != r.stdout {
		t.Errorf("second demo printed different lines:\n%s\nwant:\n%s", r2.stdout, r.stdout)
	}
	if !strings.Contains(r2.stderr, "issued 0,") {
		t.Errorf("second demo summary %q, want \"issued 0\"", r2.stderr)
	}

	db := filepath.Join(data, "registry.db")
	pdf := d.pdfs[0]

	// Untouched: valid, and registered.
	v := kyso(t, work, nil, "verify", "--trust", d.trust, "--db", db, "--json", pdf)
	if v.code != 0 {
		t.Fatalf("verify untouched: exit %d\n%s%s", v.code, v.stdout, v.stderr)
	}
	var rep struct {
		Indication string `json:"indication"`
		Credential *struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"credential"`
		Signatures []struct {
			Whole bool `json:"covers_whole_document"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal([]byte(v.stdout), &rep); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, v.stdout)
	}
	if rep.Indication != "TOTAL_PASSED" || rep.Credential == nil || rep.Credential.Status != "valid" || len(rep.Signatures) != 1 || !rep.Signatures[0].Whole {
		t.Errorf("verify report = %s, want TOTAL_PASSED, one whole-document signature, a valid credential", v.stdout)
	}
	if !strings.HasSuffix(d.urls[0], "/v/"+rep.Credential.ID) {
		t.Errorf("first url %q does not end in the credential ID %s", d.urls[0], rep.Credential.ID)
	}

	orig, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	// Bytes appended after the signature fail the document.
	appended := filepath.Join(work, "appended.pdf")
	os.WriteFile(appended, append(append([]byte{}, orig...), []byte("\n% extra\n")...), 0o644)
	if v := kyso(t, work, nil, "verify", "--trust", d.trust, appended); v.code != 1 {
		t.Errorf("verify appended: exit %d, want 1\n%s", v.code, v.stdout)
	}
	// Trusting another CA only, the verdict is indeterminate.
	if r := kyso(t, work, nil, "ca", "init", "--dir", filepath.Join(work, "other-ca")); r.code != 0 {
		t.Fatalf("ca init: exit %d\n%s", r.code, r.stderr)
	}
	other := filepath.Join(work, "other-ca", "root.pem")
	if v := kyso(t, work, nil, "verify", "--trust", other, pdf); v.code != 2 {
		t.Errorf("verify trusting another CA: exit %d, want 2\n%s", v.code, v.stdout)
	}
	// No trust roots at all is a usage error: kyso never guesses trust.
	if v := kyso(t, work, nil, "verify", pdf); v.code != 3 {
		t.Errorf("verify without --trust: exit %d, want 3\n%s", v.code, v.stderr)
	}
	// A byte changed inside the signed range fails the document.
	flipped := append([]byte{}, orig...)
	i := bytes.Index(flipped, []byte("/Producer"))
	if i < 0 {
		t.Fatal("no /Producer in the PDF to alter")
	}
	flipped[i+1] = 'p'
	fp := filepath.Join(work, "flipped.pdf")
	os.WriteFile(fp, flipped, 0o644)
	if v := kyso(t, work, nil, "verify", "--trust", d.trust, fp); v.code != 1 {
		t.Errorf("verify with a byte changed in the signed range: exit %d, want 1\n%s", v.code, v.stdout)
	}
	// A missing file is an I/O error.
	if v := kyso(t, work, nil, "verify", "--trust", d.trust, filepath.Join(work, "nope.pdf")); v.code != 3 {
		t.Errorf("verify missing file: exit %d, want 3", v.code)
	}
}
