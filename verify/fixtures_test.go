package verify

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
)

// update regenerates the checked-in fixtures:
//
//	go test ./verify/ -run TestFixtures -update
var update = flag.Bool("update", false, "regenerate the files in testdata/verify")

const fixtureDir = "../testdata/verify"

// fixtureNow is the validation time for the checked-in fixtures: later than
// their signing time, so they verify for as long as the format does.
var fixtureNow = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)

// TestFixtures verifies the signed files kept in testdata/verify. They were
// signed by an earlier build with pdfsign; they must keep verifying, and
// they seed FuzzPDF. With -update they are made again first.
func TestFixtures(t *testing.T) {
	if *update {
		writeFixtures(t)
	}
	roots := fixtureRoots(t)
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s (%v); run: go test ./verify/ -run TestFixtures -update", fixtureDir, err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			rep := mustVerify(t, data, Options{Roots: roots, Now: func() time.Time { return fixtureNow }})
			switch {
			case strings.HasPrefix(filepath.Base(name), "unsigned"):
				wantVerdict(t, rep, TotalFailed, FormatFailure)
			default:
				wantVerdict(t, rep, TotalPassed, "")
			}
		})
	}
}

func fixtureRoots(t testing.TB) []*x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, "root.pem"))
	if err != nil {
		t.Fatalf("%v; run: go test ./verify/ -run TestFixtures -update", err)
	}
	roots, err := devca.ParseCertsPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	return roots
}

// writeFixtures makes a development CA, signs the test document with an
// ECDSA and an RSA signer through pdfsign (as kyso's signer does), and
// writes the root certificate, the signed files and the unsigned one. The
// PDF itself is deterministic; the signatures are not (pdfsign stamps the
// wall-clock time, ECDSA signatures are randomised).
func writeFixtures(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := newCA(t, now)
	ec := ecKey(t)
	rsaK := rsaKey(t, 2048)
	unsigned := plainPDF(t)
	files := map[string][]byte{
		"root.pem":          pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw}),
		"unsigned.pdf":      unsigned,
		"signed-ecdsa.pdf":  pdfsignSign(t, unsigned, ec, issueSigner(t, ca, ec.Public(), now, 0), ca.Chain(), crypto.SHA256),
		"signed-rsa.pdf":    pdfsignSign(t, unsigned, rsaK, issueSigner(t, ca, rsaK.Public(), now, 0), ca.Chain(), crypto.SHA256),
		"signed-twice.pdf":  nil,
		"signed-sha512.pdf": pdfsignSign(t, unsigned, ec, issueSigner(t, ca, ec.Public(), now, 0), ca.Chain(), crypto.SHA512),
	}
	files["signed-twice.pdf"] = pdfsignSign(t, files["signed-ecdsa.pdf"], rsaK, issueSigner(t, ca, rsaK.Public(), now, 0), ca.Chain(), crypto.SHA256)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(fixtureDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
