package verify

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzPDF feeds arbitrary bytes to PDF, seeded from the signed fixtures and
// hand-made documents. PDF must never panic or hang, and its report must be
// consistent with itself.
//
//	go test ./verify/ -run '^$' -fuzz FuzzPDF -fuzztime 5m
func FuzzPDF(f *testing.F) {
	roots := fixtureRoots(f)
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	e := newEnv(f)
	roots = append(roots, e.ca.Root)
	f.Add(fillSignature(f, handDoc(subFilterPKCS7), func(signed []byte) []byte {
		return buildCMS(f, signed, cmsSpec{key: e.key, cert: e.cert, certs: []*x509.Certificate{e.cert, e.ca.Issuing}, signingTime: e.now, essCert: e.cert})
	}))
	f.Add(xrefStreamPDF())
	f.Add(deepPDF(64))
	f.Add([]byte("%PDF-1.7\n%%EOF\n"))

	now := time.Now().Add(time.Hour)
	opts := Options{Roots: roots, Now: func() time.Time { return now }, MaxSize: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := PDF(data, opts)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatalf("PDF: %v", err)
		}
		checkReportInvariants(t, rep, data)
	})
}

// checkReportInvariants checks what every report must satisfy.
func checkReportInvariants(t *testing.T, rep *Report, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	if rep.Document.SHA256 != hex.EncodeToString(sum[:]) || rep.Document.Size != int64(len(data)) {
		t.Fatalf("got document %+v, want the file's hash and size", rep.Document)
	}
	switch rep.Indication {
	case TotalPassed:
		if rep.SubIndication != "" {
			t.Fatalf("TOTAL_PASSED with sub-indication %s", rep.SubIndication)
		}
		if len(rep.Signatures) == 0 {
			t.Fatal("TOTAL_PASSED without signatures")
		}
		for _, c := range rep.Checks {
			if !c.Passed {
				t.Fatalf("TOTAL_PASSED with failed document check %s", c.Name)
			}
		}
		for _, s := range rep.Signatures {
			if s.Indication != TotalPassed || s.Chain.Status != ChainTrusted {
				t.Fatalf("TOTAL_PASSED with signature %q %s, chain %s", s.Field, s.Indication, s.Chain.Status)
			}
		}
		if !rep.Signatures[len(rep.Signatures)-1].CoversWholeDocument {
			t.Fatal("TOTAL_PASSED but the last signature does not cover the whole file")
		}
	case TotalFailed, Indeterminate:
		if rep.SubIndication == "" {
			t.Fatalf("%s without a sub-indication", rep.Indication)
		}
	default:
		t.Fatalf("unknown indication %q", rep.Indication)
	}
	if rep.Summary("vi") == "" || rep.Summary("en") == "" {
		t.Fatal("empty summary")
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatalf("encode report: %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	e := newEnv(b)
	data := e.signed(b)
	opts := e.opts()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := PDF(data, opts)
		if err != nil || rep.Indication != TotalPassed {
			b.Fatalf("got %v, %v; want TOTAL_PASSED", rep, err)
		}
	}
}
