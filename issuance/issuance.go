// Package issuance runs the issuing pipeline for one validated record at a
// time: render → sign → write the PDF → register the credential.
//
// Each credential is keyed by its serial number (số hiệu), so a run can be
// repeated: a record whose serial is already registered, with its PDF in
// place, is skipped. The PDF is written (atomically, under a name derived from
// the serial) before the registry record; a run interrupted between the two
// leaves an unregistered PDF that was never published, and the next run
// replaces it.
package issuance

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
)

// Store is what issuance needs from the registry.
type Store interface {
	Issue(ctx context.Context, c *registry.Credential, actor string) error
	FindBySerial(ctx context.Context, kind, serial string) (*registry.Credential, error)
}

// RenderFunc renders a diploma to an unsigned PDF.
type RenderFunc func(d *templates.Diploma, meta templates.IssueMeta) ([]byte, error)

// Issuer issues diplomas. All fields are required.
type Issuer struct {
	Render RenderFunc
	Key    crypto.Signer
	Chain  []*x509.Certificate // leaf first
	Store  Store
	OutDir string
	// BaseURL is the public verification site; the QR code encodes
	// BaseURL + "/v/" + ID.
	BaseURL string
	Rand    io.Reader
	Now     func() time.Time
	// Actor is recorded in the audit log, e.g. "cli:issue".
	Actor string
}

// Outcome says what happened to one record.
type Outcome string

const (
	Issued        Outcome = "issued"
	AlreadyIssued Outcome = "already-issued"
)

// Result is the outcome for one record.
type Result struct {
	Serial  string
	ID      registry.ID
	Path    string
	Outcome Outcome
}

// ErrSignerMismatch means the record names a signer other than the holder of
// the signing certificate.
var ErrSignerMismatch = errors.New("the record's signer is not the holder of the signing certificate")

// ErrMissingPDF means a credential is registered but its PDF is not in the
// output folder (or differs from the registered one).
var ErrMissingPDF = errors.New("credential is registered but its PDF is missing or differs")

// FileName is the output file name for a serial: "T 00516292" → "T_00516292.pdf".
func FileName(serial string) string {
	return strings.ReplaceAll(serial, " ", "_") + ".pdf"
}

// CheckSigner reports whether the record's signer is the certificate holder.
func (is *Issuer) CheckSigner(d *templates.Diploma) error {
	cn := is.Chain[0].Subject.CommonName
	if !strings.EqualFold(norm.NFC.String(strings.TrimSpace(cn)), d.SignerName) {
		return fmt.Errorf("%w: field \"nguoi_ky\" is %q, the certificate belongs to %q", ErrSignerMismatch, d.SignerName, cn)
	}
	return nil
}

// Diploma issues one diploma, or finds it already issued.
func (is *Issuer) Diploma(ctx context.Context, d *templates.Diploma) (Result, error) {
	res := Result{Serial: d.Serial, Path: filepath.Join(is.OutDir, FileName(d.Serial))}
	if err := is.CheckSigner(d); err != nil {
		return res, err
	}
	existing, err := is.Store.FindBySerial(ctx, registry.KindDiploma, d.Serial)
	switch {
	case err == nil:
		res.ID, res.Outcome = existing.ID, AlreadyIssued
		data, rerr := os.ReadFile(res.Path)
		if rerr != nil || sha256.Sum256(data) != existing.DocumentSHA256 {
			return res, fmt.Errorf("serial %s (credential %s): %w: %s", d.Serial, existing.ID, ErrMissingPDF, res.Path)
		}
		return res, nil
	case !errors.Is(err, registry.ErrNotFound):
		return res, fmt.Errorf("look up serial %s: %w", d.Serial, err)
	}

	id, err := registry.NewID(is.Rand)
	if err != nil {
		return res, err
	}
	res.ID = id
	now := is.Now()
	meta := templates.IssueMeta{
		CredentialID: id.String(),
		VerifyURL:    strings.TrimRight(is.BaseURL, "/") + "/v/" + id.String(),
	}
	unsigned, err := is.Render(d, meta)
	if err != nil {
		return res, fmt.Errorf("render %s: %w", d.Serial, err)
	}
	signed, err := signer.Sign(unsigned, is.Key, is.Chain, signer.Options{
		Name:     is.Chain[0].Subject.CommonName,
		Reason:   "Cấp bằng tốt nghiệp THPT số hiệu " + d.Serial,
		Location: d.IssuePlace,
		Time:     now,
	})
	if err != nil {
		return res, fmt.Errorf("sign %s: %w", d.Serial, err)
	}
	if err := atomicfile.Write(res.Path, signed, 0o644); err != nil {
		return res, fmt.Errorf("write %s: %w", res.Path, err)
	}
	cred := &registry.Credential{
		ID:            id,
		Kind:          registry.KindDiploma,
		LayoutVersion: templates.DiplomaLayoutV1,
		Public: registry.PublicFields{
			HolderName:       d.FullName,
			DateOfBirth:      d.DateOfBirth.String(),
			Year:             d.GraduationYear,
			School:           d.School,
			Serial:           d.Serial,
			IssuingAuthority: d.IssuingAuthority,
		},
		DocumentSHA256: sha256.Sum256(signed),
		Status:         registry.StatusValid,
		IssuedAt:       now,
		Issuer:         is.Chain[0].Subject.String(),
	}
	if err := is.Store.Issue(ctx, cred, is.Actor); err != nil {
		// The PDF was never registered, so it was never published: remove it
		// rather than leave a document nobody can verify.
		_ = os.Remove(res.Path)
		return res, fmt.Errorf("register %s: %w", d.Serial, err)
	}
	res.Outcome = Issued
	return res, nil
}
