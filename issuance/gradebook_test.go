package issuance

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/verify"
)

// gradebookEnv is an Issuer whose key belongs to the sample gradebook's
// teacher (or to name, when given).
func gradebookEnv(t *testing.T, name string) (*env, templates.Gradebook) {
	t.Helper()
	e := newEnv(t)
	g, err := templates.SampleGradebook(templates.SampleClassSize, templates.TermI, "Toán")
	if err != nil {
		t.Fatal(err)
	}
	if name == "" {
		name = g.Teacher
	}
	now := e.is.Now()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf, err := e.ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: name, Title: "Giáo viên", Organization: g.School}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := templates.NewGradebookRenderer(fonts, templates.RenderOptions{Now: now, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	e.is.Key, e.is.Chain, e.is.RenderGradebook = key, append([]*x509.Certificate{leaf}, e.ca.Chain()...), r.Render
	return e, g
}

func TestGradebookKey(t *testing.T) {
	g, err := templates.SampleGradebook(3, templates.TermII, "Toán")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := GradebookKey(&g), "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK2-10A1-TOAN"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	g.Subject = "Ngữ văn"
	if got, want := GradebookKey(&g), "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK2-10A1-NGU-VAN"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestIssueGradebook: issued once, found again, registered with the class
// and subject only, its record embedded, its signature valid for kyso and
// for poppler's pdfsig.
func TestIssueGradebook(t *testing.T) {
	e, g := gradebookEnv(t, "")
	ctx := context.Background()
	res, err := e.is.Gradebook(ctx, &g)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Issued || filepath.Base(res.Path) != "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN.pdf" {
		t.Fatalf("got %+v, want issued as SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN.pdf", res)
	}
	again, err := e.is.Gradebook(ctx, &g)
	if err != nil || again.Outcome != AlreadyIssued || again.ID != res.ID {
		t.Fatalf("second issue: %+v, %v; want already issued as %s", again, err, res.ID)
	}
	c, err := e.store.Get(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := registry.PublicFields{KindLabel: "Sổ điểm", HolderName: "Lớp 10A1 – Toán – Học kì I", Year: 2024,
		School: "Trường THPT Chuyên Bến Tre", Serial: "SD-THPT-CHUYEN-BEN-TRE-2024-2025-HK1-10A1-TOAN"}
	if c.Kind != KindGradebook || c.LayoutVersion != templates.GradebookLayoutV2 || c.Public != want {
		t.Errorf("registered %s %s %+v, want gradebook gradebook/v1 %+v", c.Kind, c.LayoutVersion, c.Public, want)
	}
	data, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	files, err := verify.EmbeddedFiles(data, 0)
	if err != nil || len(files) != 1 || !files[0].InSignedRange {
		t.Fatalf("embedded files: %d, %v; want the record, signed", len(files), err)
	}
	rec, err := templates.DecodeRecord(files[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Kind != templates.KindGradebook || rec.CredentialID != res.ID.String() || !reflect.DeepEqual(*rec.Gradebook, g) {
		t.Errorf("record kind %q ID %q; want the gradebook issued as %s", rec.Kind, rec.CredentialID, res.ID)
	}
	r := testenv.PDFSig(t, e.ca.Root).Check(t, res.Path)
	if len(r.Signatures) != 1 {
		t.Fatalf("pdfsig: %d signatures, want 1\n%s", len(r.Signatures), r.Output)
	}
	s := r.Signatures[0]
	if s.SignatureValidation != testenv.PDFSigSignatureValid || s.CertificateValidation != testenv.PDFSigCertificateTrusted || !s.TotalDocumentSigned || s.SignerCommonName != g.Teacher {
		t.Errorf("pdfsig: %q, %q, total %v, signer %q; want valid, trusted, total, %q\n%s", s.SignatureValidation, s.CertificateValidation, s.TotalDocumentSigned, s.SignerCommonName, g.Teacher, r.Output)
	}
}

func TestGradebookRefused(t *testing.T) {
	ctx := context.Background()
	t.Run("another teacher's key", func(t *testing.T) {
		e, g := gradebookEnv(t, "Lê Văn Tám")
		if _, err := e.is.Gradebook(ctx, &g); !errors.Is(err, ErrSignerMismatch) {
			t.Errorf("got %v, want ErrSignerMismatch", err)
		}
		if m, _ := filepath.Glob(filepath.Join(e.is.OutDir, "*.pdf")); len(m) != 0 {
			t.Errorf("wrote %v, want nothing", m)
		}
	})
	t.Run("closed after today", func(t *testing.T) {
		e, g := gradebookEnv(t, "")
		e.is.Now = func() time.Time { return time.Date(2025, 1, 9, 12, 0, 0, 0, time.UTC) }
		if _, err := e.is.Gradebook(ctx, &g); !errors.Is(err, ErrIssueDateInFuture) {
			t.Errorf("got %v, want ErrIssueDateInFuture", err)
		}
	})
	t.Run("same key, other data", func(t *testing.T) {
		e, g := gradebookEnv(t, "")
		if _, err := e.is.Gradebook(ctx, &g); err != nil {
			t.Fatal(err)
		}
		g2 := g
		g2.School = "Trường THPT Chuyên  Bến Tre" // folds to the same key
		if _, err := e.is.Gradebook(ctx, &g2); !errors.Is(err, ErrSerialConflict) {
			t.Errorf("got %v, want ErrSerialConflict", err)
		}
	})
}
