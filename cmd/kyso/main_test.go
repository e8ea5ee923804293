package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/internal/testenv"
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
	staff string
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
		case "staff":
			d.staff = v
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

// fileKey makes a development CA and a software key for the sample data's
// signer in work, returning the key URI (passphrase from $KYSO_TEST_PASS).
func fileKey(t *testing.T, work string) (uri string, env []string, root string) {
	t.Helper()
	env = []string{"KYSO_TEST_PASS=correct horse battery staple"}
	if r := kyso(t, work, nil, "ca", "init", "--dir", "ca"); r.code != 0 {
		t.Fatalf("ca init: %d\n%s", r.code, r.stderr)
	}
	uri = "file:keys/director.key?pin-source=env:KYSO_TEST_PASS"
	r := kyso(t, work, env, "keys", "new", "--ca", "ca", "--key", uri, "--name", "Lê Hoàng Phúc", "--title", "Giám đốc", "--algo", "p256", "--cert-out", "director.pem")
	if r.code != 0 {
		t.Fatalf("keys new: %d\n%s", r.code, r.stderr)
	}
	return uri, env, filepath.Join(work, "ca", "root.pem")
}

// pdfFiles lists the PDFs in dir.
func pdfFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "diplomas", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIssueBadInputIssuesNothing(t *testing.T) {
	work := t.TempDir()
	uri, env, _ := fileKey(t, work)
	tests := []struct {
		file string
		want []string // in stderr
	}{
		{"bad_missing_column.csv", []string{"bad_missing_column.csv", "ngay_cap"}},
		{"bad_impossible_date.csv", []string{"bad_impossible_date.csv row 3", `"ngay_sinh"`, "31/02/2007"}},
		{"bad_windows1258.csv", []string{"bad_windows1258.csv row", "UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out := filepath.Join(work, "out-"+tt.file)
			db := filepath.Join(work, "db-"+tt.file+".db")
			r := kyso(t, work, env, "issue", "--data", fixture(t, tt.file), "--key", uri, "--db", db, "--out", out)
			if r.code == 0 {
				t.Fatalf("issue %s: exit 0, want a failure", tt.file)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if ents, _ := os.ReadDir(out); len(ents) != 0 {
				t.Errorf("%d files were written to the output folder, want none", len(ents))
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("the registry %s was created for a file that issues nothing", db)
			}
		})
	}
}

func TestIssueSkipInvalid(t *testing.T) {
	work := t.TempDir()
	uri, env, root := fileKey(t, work)
	out := filepath.Join(work, "out")
	r := kyso(t, work, env, "issue", "--data", fixture(t, "bad_impossible_date.csv"), "--key", uri, "--db", "r.db", "--out", out, "--skip-invalid")
	if r.code != 0 {
		t.Fatalf("issue --skip-invalid: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "skipping 1 invalid record") || !strings.Contains(r.stderr, "row 3") {
		t.Errorf("stderr does not list the skipped row:\n%s", r.stderr)
	}
	issued := strings.Count(r.stdout, "issued\t")
	pdfs := pdfFiles(t, out)
	if issued == 0 || len(pdfs) != issued {
		t.Fatalf("issued %d, %d files; want the valid rows, one PDF each", issued, len(pdfs))
	}
	pdf := pdfs[0]
	if v := kyso(t, work, nil, "verify", "--trust", root, "--db", "r.db", pdf); v.code != 0 {
		t.Errorf("verify an issued PDF: exit %d\n%s", v.code, v.stdout)
	}
}

func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), "another 'kyso issue'") {
		t.Fatalf("second lock: %v, want a refusal", err)
	}
	unlock()
	unlock2, err := lockDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

func TestIssueRefusesOtherSigner(t *testing.T) {
	work := t.TempDir()
	env := []string{"KYSO_TEST_PASS=pass"}
	kyso(t, work, nil, "ca", "init", "--dir", "ca")
	uri := "file:k.key?pin-source=env:KYSO_TEST_PASS"
	if r := kyso(t, work, env, "keys", "new", "--ca", "ca", "--key", uri, "--name", "Nguyễn Văn Nghĩa", "--algo", "p256", "--cert-out", "c.pem"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := kyso(t, work, env, "issue", "--data", fixture(t, "graduates.csv"), "--key", uri, "--db", "r.db", "--out", "out")
	if r.code == 0 || !strings.Contains(r.stderr, "nguoi_ky") || !strings.Contains(r.stderr, "row 2") {
		t.Fatalf("issue signed by someone else: exit %d, stderr %q; want a refusal naming row 2 and nguoi_ky", r.code, r.stderr)
	}
	if ents, _ := os.ReadDir(filepath.Join(work, "out")); len(ents) != 0 {
		t.Errorf("%d PDFs written", len(ents))
	}
}

// TestSoftHSMKeysSignIssue runs the token path end to end: a key generated
// in a real SoftHSM2 token, certified by the development CA, signing a PDF
// with no --cert (the token holds it) and issuing diplomas; every output is
// checked by poppler's pdfsig and by kyso verify.
func TestSoftHSMKeysSignIssue(t *testing.T) {
	tok := testenv.SoftHSM(t)
	work := t.TempDir()
	if r := kyso(t, work, nil, "ca", "init", "--dir", "ca"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	pinFile := filepath.Join(work, "pin")
	os.WriteFile(pinFile, []byte(tok.PIN+"\n"), 0o600)
	uri := tok.URI("object=director", "pin-source=file:"+pinFile)
	r := kyso(t, work, nil, "keys", "new", "--ca", "ca", "--key", uri, "--name", "Lê Hoàng Phúc", "--title", "Giám đốc",
		"--org", "Sở Giáo dục và Đào tạo Bến Tre", "--algo", "rsa2048", "--cert-out", "director.pem")
	if r.code != 0 {
		t.Fatalf("keys new in token: %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, tok.PIN) {
		t.Error("keys new printed the PIN")
	}
	root := filepath.Join(work, "ca", "root.pem")
	nss := testenv.PDFSig(t, readRoot(t, root))

	unsigned, err := filepath.Abs(filepath.Join("..", "..", "testdata", "verify", "unsigned.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	r = kyso(t, work, nil, "sign", "--key", uri, "--name", "Lê Hoàng Phúc", "--reason", "Phê duyệt văn bằng", "--location", "Vĩnh Long", unsigned, "signed.pdf")
	if r.code != 0 {
		t.Fatalf("sign with the token key and no --cert: %d\n%s", r.code, r.stderr)
	}
	checkPDFSig(t, nss, filepath.Join(work, "signed.pdf"), "Lê Hoàng Phúc")
	if v := kyso(t, work, nil, "verify", "--trust", root, "signed.pdf"); v.code != 0 {
		t.Errorf("kyso verify signed.pdf: exit %d\n%s", v.code, v.stdout)
	}

	r = kyso(t, work, nil, "issue", "--data", fixture(t, "graduates.csv"), "--key", uri, "--db", "r.db", "--out", "out")
	if r.code != 0 {
		t.Fatalf("issue with the token key: %d\n%s", r.code, r.stderr)
	}
	pdfs := pdfFiles(t, filepath.Join(work, "out"))
	if len(pdfs) < 20 {
		t.Fatalf("issued %d PDFs, want ≥ 20", len(pdfs))
	}
	for _, p := range pdfs {
		checkPDFSig(t, nss, p, "Lê Hoàng Phúc")
	}
	for _, p := range []string{pdfs[0], pdfs[len(pdfs)-1]} {
		if v := kyso(t, work, nil, "verify", "--trust", root, "--db", "r.db", p); v.code != 0 {
			t.Errorf("kyso verify %s: exit %d\n%s", p, v.code, v.stdout)
		}
	}

	// Validly signed under the trusted root but never registered: with a
	// registry at hand that is not a credential (exit 2, NOT_REGISTERED).
	if v := kyso(t, work, nil, "verify", "--trust", root, "--db", "r.db", "--json", "signed.pdf"); v.code != 2 || !strings.Contains(v.stdout, `"NOT_REGISTERED"`) {
		t.Errorf("verify an unregistered signed PDF against the registry: exit %d, want 2 NOT_REGISTERED\n%s", v.code, v.stdout)
	}
	// A registry that does not exist is an error, and is not created.
	if v := kyso(t, work, nil, "verify", "--trust", root, "--db", "missing.db", "signed.pdf"); v.code != 3 {
		t.Errorf("verify --db missing.db: exit %d, want 3", v.code)
	}
	if _, err := os.Stat(filepath.Join(work, "missing.db")); err == nil {
		t.Error("verify --db created the missing registry")
	}

	// A wrong PIN is reported once and never shown.
	bad := tok.URI("object=director", "pin-value=0000")
	r = kyso(t, work, nil, "sign", "--key", bad, unsigned, "x.pdf")
	if r.code == 0 || !strings.Contains(strings.ToLower(r.stderr), "pin") || strings.Contains(r.stderr, "0000") {
		t.Errorf("sign with a wrong PIN: exit %d, stderr %q; want a failure naming the PIN problem without the PIN", r.code, r.stderr)
	}
}

func readRoot(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	certs, err := readCerts(path)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}

func checkPDFSig(t *testing.T, db *testenv.NSSDB, path, signer string) {
	t.Helper()
	r := db.Check(t, path)
	if len(r.Signatures) != 1 {
		t.Fatalf("pdfsig %s: %d signatures, want 1\n%s", path, len(r.Signatures), r.Output)
	}
	s := r.Signatures[0]
	if s.SignatureValidation != testenv.PDFSigSignatureValid || s.CertificateValidation != testenv.PDFSigCertificateTrusted || !s.TotalDocumentSigned || s.SignerCommonName != signer {
		t.Errorf("pdfsig %s: %q, %q, total %v, signer %q; want valid, trusted, total, %q\n%s", path, s.SignatureValidation, s.CertificateValidation, s.TotalDocumentSigned, s.SignerCommonName, signer, r.Output)
	}
}

// TestDemoOutputPassesPDFSig: the demo's diplomas pass poppler's pdfsig.
func TestDemoOutputPassesPDFSig(t *testing.T) {
	work := t.TempDir()
	r := kyso(t, work, nil, "demo", "--data", "d", "--no-serve", "--count", "20")
	if r.code != 0 {
		t.Fatalf("demo: %d\n%s", r.code, r.stderr)
	}
	all := parseDemo(t, r.stdout)
	d, books := splitDemo(all)
	nss := testenv.PDFSig(t, readRoot(t, d.trust))
	for _, p := range d.pdfs {
		checkPDFSig(t, nss, p, "Lê Hoàng Phúc")
	}
	if len(books.pdfs) != 2 {
		t.Fatalf("demo issued %d gradebooks, want 2", len(books.pdfs))
	}
	for _, p := range books.pdfs {
		checkPDFSig(t, nss, p, "Nguyễn Thị Thu Hà")
	}
	// Each học bạ: every subject teacher, the homeroom teacher, the
	// principal and the seal, all valid and trusted, the last covering the
	// whole file.
	hb := hocbaOf(all)
	if len(hb) != 3 {
		t.Fatalf("demo issued %d học bạ, want 3", len(hb))
	}
	for _, p := range hb {
		res := nss.Check(t, p)
		if len(res.Signatures) < 5 {
			t.Fatalf("pdfsig %s: %d signatures, want at least 5\n%s", p, len(res.Signatures), res.Output)
		}
		for _, s := range res.Signatures {
			if !s.Signed || s.SignatureValidation != testenv.PDFSigSignatureValid || s.CertificateValidation != testenv.PDFSigCertificateTrusted {
				t.Errorf("pdfsig %s: field %s: signed %v, %q, %q", p, s.FieldName, s.Signed, s.SignatureValidation, s.CertificateValidation)
			}
		}
		if last := res.Signatures[len(res.Signatures)-1]; !last.TotalDocumentSigned || last.FieldName != "con_dau" {
			t.Errorf("pdfsig %s: the last signature is %s (total %v), want the seal covering the whole file", p, last.FieldName, last.TotalDocumentSigned)
		}
	}
}

// TestDemoServes runs 'kyso demo' as a user does: it issues, prints its
// lines, serves the verification pages, and stops cleanly on SIGTERM.
func TestDemoServes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(kysoBin, "demo", "--data", t.TempDir(), "--addr", addr, "--count", "20")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var urls, pdfs []string
	sc := bufio.NewScanner(stdout)
	for len(urls) < 20 && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		switch k {
		case "url":
			urls = append(urls, v)
		case "pdf":
			pdfs = append(pdfs, v)
		}
	}
	if len(urls) != 20 {
		t.Fatalf("demo printed %d url lines, want 20\n%s", len(urls), stderr.String())
	}
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(urls[0]); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET %s: %v\n%s", urls[0], err, stderr.String())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Còn hiệu lực") || !strings.Contains(string(body), "Nguyễn Văn Nghĩa") {
		t.Errorf("GET %s = %d, want the verification page of Nguyễn Văn Nghĩa", urls[0], resp.StatusCode)
	}
	// Upload the first PDF to the JSON API.
	data, err := os.ReadFile(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post("http://"+addr+"/api/v1/verify", "application/pdf", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"indication":"TOTAL_PASSED"`) || !strings.Contains(string(body), `"status":"valid"`) {
		t.Errorf("POST /api/v1/verify: %s", body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo after SIGTERM: %v, want a clean exit\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Error("demo did not stop within 15 s of SIGTERM")
	}
}
