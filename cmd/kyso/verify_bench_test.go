package main

import (
	"crypto/x509"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// BenchmarkVerifyProcess compares whole-process verification, as a user
// runs it, on the same files in one run: 'kyso verify' against poppler's
// pdfsig (with an NSS database trusting the same root), on a signed diploma
// and a five-signer học bạ from the attack corpus's genuine controls. Each
// op starts the program and waits for its verdict.
//
//	go test ./cmd/kyso -run '^$' -bench VerifyProcess
func BenchmarkVerifyProcess(b *testing.B) {
	dir := filepath.Join("..", "..", "verify", "testdata", "attacks")
	root := filepath.Join(dir, "root.pem")
	pdfsig := testenv.NeedTool(b, "pdfsig")
	nss := testenv.PDFSig(b, readRootTB(b, root))
	files := map[string]string{
		"diploma":    filepath.Join(dir, "genuine-single.pdf"),
		"hocba-5sig": filepath.Join(dir, "genuine-hocba-5.pdf"),
	}
	for _, name := range []string{"diploma", "hocba-5sig"} {
		path := files[name]
		b.Run("kyso/"+name, func(b *testing.B) {
			for b.Loop() {
				if err := exec.Command(kysoBin, "verify", "--trust", root, path).Run(); err != nil {
					b.Fatalf("kyso verify %s: %v", path, err)
				}
			}
		})
		b.Run("pdfsig/"+name, func(b *testing.B) {
			for b.Loop() {
				if err := exec.Command(pdfsig, "-nssdir", "sql:"+nss.Dir, path).Run(); err != nil {
					b.Fatalf("pdfsig %s: %v", path, err)
				}
			}
		})
	}
}

func readRootTB(tb testing.TB, path string) *x509.Certificate {
	tb.Helper()
	certs, err := readCerts(path)
	if err != nil {
		tb.Fatal(err)
	}
	return certs[0]
}
