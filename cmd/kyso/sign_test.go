package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// renderHocBa renders the sample học bạ (with its signature fields) into
// work/prev and returns its path.
func renderHocBa(t *testing.T, work string) string {
	t.Helper()
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "samples", "hocba.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r := kyso(t, work, nil, "render", "--kind", "hocba", "--data", sample, "--out", "prev"); r.code != 0 {
		t.Fatalf("render: %d\n%s", r.code, r.stderr)
	}
	pdfs := pdfFiles(t, filepath.Join(work, "prev"))
	if len(pdfs) != 1 {
		t.Fatalf("render wrote %d PDFs", len(pdfs))
	}
	return pdfs[0]
}

// TestSignFaults: every fault of the signing issue gives a clear error, a
// non-zero exit and no output file.
func TestSignFaults(t *testing.T) {
	work := t.TempDir()
	uri, env, _ := fileKey(t, work) // Lê Hoàng Phúc
	hocba := renderHocBa(t, work)
	principal := "file:keys/principal.key?pin-source=env:KYSO_TEST_PASS"
	if r := kyso(t, work, env, "keys", "new", "--ca", "ca", "--key", principal, "--name", "Trần Văn Đông", "--title", "Hiệu trưởng", "--algo", "p256", "--cert-out", "principal.pem"); r.code != 0 {
		t.Fatalf("keys new: %d\n%s", r.code, r.stderr)
	}

	// A key without a certificate.
	openssl := testenv.NeedTool(t, "openssl")
	bare := filepath.Join(work, "bare.key")
	if out, err := exec.Command(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:bare-pass", "-out", bare).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	// A TSA that answers garbage.
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write([]byte("not a timestamp"))
	}))
	defer garbage.Close()
	// A document locked by its last signature: sign a one-field document
	// (the diploma preview) into its locking field first.
	dipl, err := filepath.Abs(filepath.Join("..", "..", "testdata", "diplomas", "graduates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if r := kyso(t, work, nil, "render", "--kind", "diploma", "--data", dipl, "--out", "dprev"); r.code != 0 {
		t.Fatalf("render diplomas: %d\n%s", r.code, r.stderr)
	}
	diploma := pdfFiles(t, filepath.Join(work, "dprev"))[0]
	locked := filepath.Join(work, "locked.pdf")
	if r := kyso(t, work, env, "sign", "--key", uri, diploma, locked); r.code != 0 {
		t.Fatalf("sign the diploma: %d\n%s", r.code, r.stderr)
	}

	tests := []struct {
		name string
		env  []string
		args []string
		want string // in stderr
	}{
		{"wrong passphrase", []string{"KYSO_TEST_PASS=wrong"}, []string{"--key", uri, diploma}, "wrong"},
		{"missing module", nil, []string{"--key", "pkcs11:token=school;object=director?module-path=/nonexistent/libsofthsm2.so&pin-value=1234", diploma}, "module"},
		{"key without certificate", nil, []string{"--key", "file:bare.key?pin-value=bare-pass", diploma}, "no certificate"},
		{"someone else's field", env, []string{"--key", uri, "--field", "gvcn", hocba}, "wrong person"},
		{"out of order", env, []string{"--key", principal, hocba}, "out of order"},
		{"no such field", env, []string{"--key", uri, "--field", "nobody", hocba}, "no such signature field"},
		{"TSA unreachable", env, []string{"--key", uri, "--tsa", "http://127.0.0.1:1/", diploma}, "timestamp"},
		{"TSA answers garbage", env, []string{"--key", uri, "--tsa", garbage.URL, diploma}, "timestamp"},
		{"document locked", env, []string{"--key", uri, locked}, "locked"},
		{"not a PDF", env, []string{"--key", uri, filepath.Join(work, "ca", "root.pem")}, "not a valid pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(work, strings.ReplaceAll(tt.name, " ", "-")+".pdf")
			args := append(append([]string{"sign"}, tt.args...), out)
			r := kyso(t, work, tt.env, args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want an error\n%s", r.stderr)
			}
			if !strings.Contains(strings.ToLower(r.stderr), tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, r.stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an output file was left behind: %v", err)
			}
		})
	}
}

// TestSignBatchResumes signs a folder as a batch, stops on a broken file
// in the middle, and resumes after the file is fixed: the documents signed
// before the fault are kept and not signed twice.
func TestSignBatchResumes(t *testing.T) {
	work := t.TempDir()
	uri, env, root := fileKey(t, work)
	dipl, err := filepath.Abs(filepath.Join("..", "..", "testdata", "diplomas", "graduates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if r := kyso(t, work, nil, "render", "--kind", "diploma", "--data", dipl, "--out", "in"); r.code != 0 {
		t.Fatalf("render: %d\n%s", r.code, r.stderr)
	}
	in := pdfFiles(t, filepath.Join(work, "in"))
	if len(in) < 3 {
		t.Fatalf("%d previews", len(in))
	}
	good, err := os.ReadFile(in[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in[1], good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	// No terminal and no --yes: nothing is signed.
	if r := kyso(t, work, env, "sign", "--key", uri, "--out", "out", "in"); r.code == 0 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("unconfirmed batch: exit %d\n%s", r.code, r.stderr)
	}
	r := kyso(t, work, env, "sign", "--key", uri, "--out", "out", "--yes", "in")
	if r.code == 0 || !strings.Contains(r.stderr, "run the same command again") {
		t.Fatalf("batch with a broken file: exit %d\n%s", r.code, r.stderr)
	}
	if err := os.WriteFile(in[1], good, 0o600); err != nil {
		t.Fatal(err)
	}
	r = kyso(t, work, env, "sign", "--key", uri, "--out", "out", "--yes", "in")
	if r.code != 0 {
		t.Fatalf("resumed batch: exit %d\n%s", r.code, r.stderr)
	}
	out := pdfFiles(t, filepath.Join(work, "out"))
	if len(out) != len(in) {
		t.Fatalf("%d signed of %d", len(out), len(in))
	}
	nss := testenv.PDFSig(t, readRoot(t, root))
	for _, p := range out {
		checkPDFSig(t, nss, p, "Lê Hoàng Phúc")
	}
	// Running it again signs nothing twice.
	r = kyso(t, work, env, "sign", "--key", uri, "--out", "out", "--yes", "in")
	if r.code != 0 || strings.Contains(r.stdout, "signed:") || !strings.Contains(r.stderr, "already signed") {
		t.Fatalf("third run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
