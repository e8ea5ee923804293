package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/verify"
)

// TestVerifyHundredMegabyteUpload posts a signed 100 MB PDF (a diploma
// carrying a 100 MB attachment) to the public endpoint over a real HTTP
// connection: it is verified, and the server's heap grows by far less than
// the upload (the body is spooled to an unlinked file and mapped).
func TestVerifyHundredMegabyteUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and uploads a 100 MB PDF")
	}
	now := time.Now()
	ca, err := devca.New(rand.Reader, now.Add(-time.Hour), devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: "Lê Hoàng Phúc"}, now.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.NewDocument(pdf.Options{Created: now})
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(pdf.Regular, 12)
	d.Text(20, 20, "Hồ sơ kèm phụ lục 100 MB")
	big := make([]byte, 100<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	d.Attach("phu-luc.bin", "application/octet-stream", "", big, now)
	unsigned, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	big = nil
	signed, err := signer.Sign(context.Background(), unsigned, key, append([]*x509.Certificate{leaf}, ca.Chain()...), signer.Options{Time: now})
	if err != nil {
		t.Fatal(err)
	}
	unsigned = nil

	store, err := registry.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "registry.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := New(Config{
		Credentials: store,
		Verify: func(ctx context.Context, data []byte) (*verify.Report, error) {
			return verify.PDFContext(ctx, data, verify.Options{Roots: []*x509.Certificate{ca.Root}})
		},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL:   "https://xacthuc.example.vn",
		PageLimit: &RateLimit{}, UploadLimit: &RateLimit{},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.Post(hs.URL+"/api/v1/verify", "application/pdf", bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep verify.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	runtime.ReadMemStats(&after)
	if resp.StatusCode != http.StatusOK || rep.Indication != verify.TotalPassed || rep.Document.Size != int64(len(signed)) {
		t.Fatalf("HTTP %d, %s/%s, %d bytes; want 200, TOTAL_PASSED, %d bytes", resp.StatusCode, rep.Indication, rep.SubIndication, rep.Document.Size, len(signed))
	}
	// Everything allocated during the request, client and server, is
	// counted: still a small fraction of the 100 MB.
	if grown := int64(after.TotalAlloc - before.TotalAlloc); grown > 24<<20 {
		t.Errorf("verifying a %d MB upload allocated %d MB on the heap", len(signed)>>20, grown>>20)
	}
}
