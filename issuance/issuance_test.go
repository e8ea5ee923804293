package issuance

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/templates"
)

type env struct {
	is    *Issuer
	store *registry.SQLite
	ca    *devca.CA
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	// The wall clock: the CMS signingTime written by pdfsign is time.Now.
	now := time.Now().UTC()
	store, err := registry.OpenSQLite(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ca, err := devca.New(rand.Reader, now, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := templates.SampleGraduates(1)[0]
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devca.Subject{CommonName: d.SignerName, Title: d.SignerTitle, Organization: d.IssuingAuthority}, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := templates.NewDiplomaRenderer(fonts, templates.RenderOptions{Now: now, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	return &env{
		is: &Issuer{
			Render: r.Render, Key: key, Chain: append([]*x509.Certificate{leaf}, ca.Chain()...),
			Store: store, OutDir: t.TempDir(), BaseURL: "https://xacthuc.example.vn/",
			Rand: rand.Reader, Now: func() time.Time { return now }, Actor: "test",
		},
		store: store,
		ca:    ca,
	}
}

func TestIssueThenAgain(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := templates.SampleGraduates(1)[0]
	res, err := e.is.Diploma(ctx, &d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Issued || filepath.Base(res.Path) != "T_00516292.pdf" {
		t.Fatalf("got %+v, want Issued into T_00516292.pdf", res)
	}
	data, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.store.Get(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.DocumentSHA256 != sha256.Sum256(data) {
		t.Error("the registered hash is not the hash of the written PDF")
	}
	if c.Public.HolderName != d.FullName || c.Public.Serial != d.Serial || c.Public.DateOfBirth != d.DateOfBirth.String() || c.LayoutVersion != templates.DiplomaLayoutV2 {
		t.Errorf("registered %+v, want the diploma's public fields and layout", c)
	}
	if !bytes.Contains(data, []byte("/ByteRange")) {
		t.Error("the written PDF is not signed")
	}
	// The QR code's URL and the printed ID are the registered ID's.
	if out, err := exec.Command("pdftotext", res.Path, "-").Output(); err == nil {
		if !strings.Contains(string(out), res.ID.String()) {
			t.Errorf("pdftotext does not show the credential ID %s", res.ID)
		}
	}

	again, err := e.is.Diploma(ctx, &d)
	if err != nil || again.Outcome != AlreadyIssued || again.ID != res.ID {
		t.Fatalf("second issue = %+v, %v; want AlreadyIssued with the same ID", again, err)
	}
	if n, _ := e.store.Count(ctx); n != 1 {
		t.Errorf("registry holds %d credentials, want 1", n)
	}

	// A registered credential whose PDF went missing is reported, not re-issued.
	os.Remove(res.Path)
	if _, err := e.is.Diploma(ctx, &d); !errors.Is(err, ErrMissingPDF) {
		t.Errorf("issue with the PDF missing: %v, want ErrMissingPDF", err)
	}
}

func TestIssueSignedOutputPassesPDFSig(t *testing.T) {
	e := newEnv(t)
	d := templates.SampleGraduates(2)[1]
	d.SignerName = templates.SampleGraduates(1)[0].SignerName
	res, err := e.is.Diploma(context.Background(), &d)
	if err != nil {
		t.Fatal(err)
	}
	r := testenv.PDFSig(t, e.ca.Root).Check(t, res.Path)
	if len(r.Signatures) != 1 {
		t.Fatalf("pdfsig found %d signatures, want 1:\n%s", len(r.Signatures), r.Output)
	}
	s := r.Signatures[0]
	if s.SignatureValidation != testenv.PDFSigSignatureValid || s.CertificateValidation != testenv.PDFSigCertificateTrusted || !s.TotalDocumentSigned {
		t.Errorf("pdfsig: %q / %q / total %v, want valid, trusted, total\n%s", s.SignatureValidation, s.CertificateValidation, s.TotalDocumentSigned, r.Output)
	}
}

func TestSerialConflict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := templates.SampleGraduates(1)[0]
	if _, err := e.is.Diploma(ctx, &d); err != nil {
		t.Fatal(err)
	}
	changed := d
	changed.FullName = "Nguyễn Văn Nghị"
	if _, err := e.is.Diploma(ctx, &changed); !errors.Is(err, ErrSerialConflict) {
		t.Fatalf("same serial, other holder: %v, want ErrSerialConflict", err)
	}
}

func TestIssueDateInFuture(t *testing.T) {
	e := newEnv(t)
	d := templates.SampleGraduates(1)[0]
	tomorrow := e.is.Now().In(vietnam).AddDate(0, 0, 1)
	d.IssueDate = templates.Date{Year: tomorrow.Year(), Month: tomorrow.Month(), Day: tomorrow.Day()}
	if err := e.is.Check(&d); !errors.Is(err, ErrIssueDateInFuture) {
		t.Fatalf("issue date tomorrow: %v, want ErrIssueDateInFuture", err)
	}
	today := e.is.Now().In(vietnam)
	d.IssueDate = templates.Date{Year: today.Year(), Month: today.Month(), Day: today.Day()}
	if err := e.is.Check(&d); err != nil {
		t.Fatalf("issue date today: %v, want it accepted", err)
	}
}

// TestSelfCheckRefusesBadSignature: a key that does not match the
// certificate is caught (by the signer, which checks the signature the key
// returns, and otherwise by the self-check); nothing is written.
func TestSelfCheckRefusesBadSignature(t *testing.T) {
	e := newEnv(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	e.is.Key = mismatchedKey{other, e.is.Chain[0].PublicKey}
	d := templates.SampleGraduates(1)[0]
	if _, err := e.is.Diploma(context.Background(), &d); err == nil {
		t.Fatal("a key that does not match its certificate issued a diploma")
	}
	if ents, _ := os.ReadDir(e.is.OutDir); len(ents) != 0 {
		t.Errorf("%d files written for a document that failed its self-check", len(ents))
	}
}

// mismatchedKey claims the certificate's public key but signs with another
// key, as a misconfigured token slot would.
type mismatchedKey struct {
	*ecdsa.PrivateKey
	pub crypto.PublicKey
}

func (k mismatchedKey) Public() crypto.PublicKey { return k.pub }

func TestSignerMismatch(t *testing.T) {
	e := newEnv(t)
	d := templates.SampleGraduates(1)[0]
	d.SignerName = "Trần Văn Khác"
	if _, err := e.is.Diploma(context.Background(), &d); !errors.Is(err, ErrSignerMismatch) {
		t.Fatalf("got %v, want ErrSignerMismatch", err)
	}
	if ents, _ := os.ReadDir(e.is.OutDir); len(ents) != 0 {
		t.Errorf("a refused record left %d files in the output folder", len(ents))
	}
}

// failingStore registers nothing: a registry that refuses the write.
type failingStore struct{ Store }

var errDiskFull = errors.New("database or disk is full")

func (failingStore) Issue(context.Context, *registry.Credential, string) error { return errDiskFull }

func TestRegistryFailureLeavesNoPDF(t *testing.T) {
	e := newEnv(t)
	e.is.Store = failingStore{e.store}
	d := templates.SampleGraduates(1)[0]
	if _, err := e.is.Diploma(context.Background(), &d); !errors.Is(err, errDiskFull) {
		t.Fatalf("got %v, want the registry's error", err)
	}
	if ents, _ := os.ReadDir(e.is.OutDir); len(ents) != 0 {
		t.Errorf("an unregistered PDF was left behind: %d files", len(ents))
	}
}
