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
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/internal/atomicfile"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
	"github.com/kyso-vn/kyso/verify"
)

// Store is what issuance needs from the registry.
type Store interface {
	Issue(ctx context.Context, c *registry.Credential, actor string) error
	FindBySerial(ctx context.Context, kind, serial string) (*registry.Credential, error)
}

// RenderFunc renders a diploma to an unsigned PDF.
type RenderFunc func(d *templates.Diploma, meta templates.IssueMeta) ([]byte, error)

// Issuer issues diplomas and gradebooks. All fields are required except
// the renderer of the kind not issued.
type Issuer struct {
	Render RenderFunc
	// RenderGradebook renders gradebooks; only Issuer.Gradebook needs it.
	RenderGradebook GradebookRenderFunc
	// RenderTranscript renders học bạ years; only Issuer.Transcript needs it.
	RenderTranscript TranscriptRenderFunc
	// Key and Chain (leaf first) sign every signature of a document unless
	// Keys is set.
	Key   crypto.Signer
	Chain []*x509.Certificate
	// Keys, when set, gives the key of each signer of a document's signing
	// plan (a học bạ has a subject teacher per row, the homeroom teacher,
	// the principal and the seal).
	Keys KeySource
	// Appearances draws visible signatures in the documents' signature
	// fields; nil signs without a visible appearance.
	Appearances *pdf.Renderer
	// Timestamper, when set, timestamps every signature (PAdES B-T).
	Timestamper signer.Timestamper
	Store       Store
	OutDir      string
	// BaseURL is the public verification site; the QR code encodes
	// BaseURL + "/v/" + ID.
	BaseURL string
	Rand    io.Reader
	Now     func() time.Time
	// Actor is recorded in the audit log, e.g. "cli:issue".
	Actor string
}

// KeySource returns the key and chain (leaf first) of the signer of one step
// of a document's signing plan.
type KeySource func(ctx context.Context, step templates.SigningStep) (crypto.Signer, []*x509.Certificate, error)

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

// ErrSerialConflict means the serial is already registered for a record
// with other public fields: a corrected record needs a new serial (or, later,
// a superseding issue), never a silent skip.
var ErrSerialConflict = errors.New("serial already issued for a different record")

// ErrIssueDateInFuture means the record's issue date (ngay_cap) is after
// today.
var ErrIssueDateInFuture = errors.New("the issue date is in the future")

// ErrSelfCheck means the freshly signed PDF did not pass kyso's own
// verifier; nothing was written or registered.
var ErrSelfCheck = errors.New("the signed PDF failed verification")

// vietnam is UTC+7, the time zone of issue dates.
var vietnam = time.FixedZone("ICT", 7*3600)

// ErrMissingPDF means a credential is registered but its PDF is not in the
// output folder (or differs from the registered one).
var ErrMissingPDF = errors.New("credential is registered but its PDF is missing or differs")

// FileName is the output file name for a serial: "T 00516292" → "T_00516292.pdf".
func FileName(serial string) string {
	return strings.ReplaceAll(serial, " ", "_") + ".pdf"
}

// Check runs the checks that need more than the record itself: the signer
// named in the record holds the signing certificate, and the issue date is
// not after today (in Vietnam).
func (is *Issuer) Check(d *templates.Diploma) error {
	if err := is.checkSigner("nguoi_ky", d.SignerName); err != nil {
		return err
	}
	return is.checkDate("ngay_cap", d.IssueDate)
}

// checkSigner checks that the single signing key (Issuer.Key) belongs to
// the person the record names in field. With a key source (Issuer.Keys) the
// signer checks each field's seed value instead.
func (is *Issuer) checkSigner(field, name string) error {
	if is.Keys != nil {
		return nil
	}
	cn := is.Chain[0].Subject.CommonName
	if !strings.EqualFold(norm.NFC.String(strings.TrimSpace(cn)), name) {
		return fmt.Errorf("%w: field %q is %q, the certificate belongs to %q", ErrSignerMismatch, field, name, cn)
	}
	return nil
}

// checkDate refuses a record dated (field) after today in Vietnam.
func (is *Issuer) checkDate(field string, d templates.Date) error {
	t := is.Now().In(vietnam)
	today := templates.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	if today.Before(d) {
		return fmt.Errorf("%w: field %q is %s, today is %s", ErrIssueDateInFuture, field, d, today)
	}
	return nil
}

// publicFields are what the registry shows of a diploma.
func publicFields(d *templates.Diploma) registry.PublicFields {
	return registry.PublicFields{
		HolderName:       d.FullName,
		DateOfBirth:      d.DateOfBirth.String(),
		Year:             d.GraduationYear,
		School:           d.School,
		Serial:           d.Serial,
		IssuingAuthority: d.IssuingAuthority,
	}
}

// selfCheck verifies the signed PDF with kyso's own verifier, trusting the
// top of the signing chain, and returns the signed-content digest the
// registry keeps.
func (is *Issuer) selfCheck(signed []byte, roots []*x509.Certificate) ([32]byte, error) {
	var sum [32]byte
	rep, err := verify.PDF(signed, verify.Options{Roots: roots, Now: is.Now})
	if err != nil {
		return sum, fmt.Errorf("%w: %v", ErrSelfCheck, err)
	}
	if rep.Indication != verify.TotalPassed {
		return sum, fmt.Errorf("%w: %s %s: %s", ErrSelfCheck, rep.Indication, rep.SubIndication, rep.Summary("en"))
	}
	b, err := hex.DecodeString(rep.Document.SignedSHA256)
	if err != nil || len(b) != len(sum) {
		return sum, fmt.Errorf("%w: no signed-content digest", ErrSelfCheck)
	}
	copy(sum[:], b)
	return sum, nil
}

// Diploma issues one diploma, or finds it already issued.
func (is *Issuer) Diploma(ctx context.Context, d *templates.Diploma) (Result, error) {
	if err := is.Check(d); err != nil {
		return Result{Serial: d.Serial, Path: filepath.Join(is.OutDir, FileName(d.Serial))}, err
	}
	doc, err := documentOf(&templates.Record{Kind: templates.KindDiploma, Diploma: d},
		func(m templates.IssueMeta) ([]byte, error) { return is.Render(d, m) })
	if err != nil {
		return Result{Serial: d.Serial}, err
	}
	return is.issue(ctx, doc)
}

// document is one credential to issue, whatever its kind.
type document struct {
	kind, layout string
	key          string // the serial (diploma) or key (gradebook): one credential per key
	label        string // names the document in errors, e.g. "serial T 00516292"
	public       registry.PublicFields
	record       *templates.Record // for its signing plan
	render       func(templates.IssueMeta) ([]byte, error)
	reason       string // the signature's /Reason
	location     string // the signature's /Location
}

// issue renders, signs, self-checks, writes and registers doc, or finds it
// already issued under its key. The PDF is written before the registry
// record; if registering fails the PDF is removed, since nobody could
// verify it.
func (is *Issuer) issue(ctx context.Context, doc document) (Result, error) {
	res := Result{Serial: doc.key, Path: filepath.Join(is.OutDir, FileName(doc.key))}
	existing, err := is.Store.FindBySerial(ctx, doc.kind, doc.key)
	switch {
	case err == nil:
		res.ID, res.Outcome = existing.ID, AlreadyIssued
		if existing.Public != doc.public {
			return res, fmt.Errorf("%s (credential %s): %w", doc.label, existing.ID, ErrSerialConflict)
		}
		data, rerr := os.ReadFile(res.Path)
		if rerr != nil || sha256.Sum256(data) != existing.DocumentSHA256 {
			return res, fmt.Errorf("%s (credential %s): %w: %s", doc.label, existing.ID, ErrMissingPDF, res.Path)
		}
		return res, nil
	case !errors.Is(err, registry.ErrNotFound):
		return res, fmt.Errorf("look up %s: %w", doc.label, err)
	}

	id, err := registry.NewID(is.Rand)
	if err != nil {
		return res, err
	}
	res.ID = id
	now := is.Now()
	unsigned, err := doc.render(templates.IssueMeta{
		CredentialID: id.String(),
		VerifyURL:    strings.TrimRight(is.BaseURL, "/") + "/v/" + id.String(),
	})
	if err != nil {
		return res, fmt.Errorf("render %s: %w", doc.label, err)
	}
	signed, roots, last, err := is.signAll(ctx, unsigned, doc, now)
	if err != nil {
		return res, fmt.Errorf("sign %s: %w", doc.label, err)
	}
	signedSum, err := is.selfCheck(signed, roots)
	if err != nil {
		return res, fmt.Errorf("sign %s: %w", doc.label, err)
	}
	// 0640: the PDF carries personal data (names, dates of birth, marks).
	if err := atomicfile.Write(res.Path, signed, 0o640); err != nil {
		return res, fmt.Errorf("write %s: %w", res.Path, err)
	}
	cred := &registry.Credential{
		ID:             id,
		Kind:           doc.kind,
		LayoutVersion:  doc.layout,
		Public:         doc.public,
		DocumentSHA256: sha256.Sum256(signed),
		SignedSHA256:   signedSum,
		Status:         registry.StatusValid,
		IssuedAt:       now,
		Issuer:         last.Subject.String(),
	}
	if err := is.Store.Issue(ctx, cred, is.Actor); err != nil {
		// The PDF was never registered, so it was never published: remove it
		// rather than leave a document nobody can verify.
		_ = os.Remove(res.Path)
		return res, fmt.Errorf("register %s: %w", doc.label, err)
	}
	res.Outcome = Issued
	return res, nil
}

// signAll fills every signature field of the document's signing plan in
// order, each with its signer's key, and returns the signed PDF and the
// roots of the signers' chains (for the self-check) and the last signer's
// certificate (the credential's issuer). The first signature
// certifies the document (form filling and signing allowed); the last locks
// it (see templates.SigningPlan).
func (is *Issuer) signAll(ctx context.Context, pdfBytes []byte, doc document, now time.Time) ([]byte, []*x509.Certificate, *x509.Certificate, error) {
	steps, err := doc.record.SigningPlan()
	if err != nil {
		return nil, nil, nil, err
	}
	var roots []*x509.Certificate
	var last *x509.Certificate
	for i, step := range steps {
		key, chain := is.Key, is.Chain
		if is.Keys != nil {
			if key, chain, err = is.Keys(ctx, step); err != nil {
				return nil, nil, nil, fmt.Errorf("key of %s (%s): %w", step.Field, step.Name, err)
			}
		}
		if len(chain) == 0 {
			return nil, nil, nil, fmt.Errorf("key of %s: %w", step.Field, signer.ErrNoChain)
		}
		opts := signer.Options{
			Field:       step.Field,
			After:       step.After,
			Name:        chain[0].Subject.CommonName,
			Reason:      doc.reason,
			Location:    doc.location,
			Time:        now,
			Timestamper: is.Timestamper,
			Rand:        is.Rand,
		}
		if step.Certifies(i, len(steps)) {
			opts.Certify = signer.CertifyFormFilling
		}
		if is.Appearances != nil {
			opts.Appearance = &signer.Appearance{Renderer: is.Appearances, Title: step.SignatureTitle()}
		}
		if pdfBytes, err = signer.Sign(ctx, pdfBytes, key, chain, opts); err != nil {
			return nil, nil, nil, fmt.Errorf("field %s (%s): %w", step.Field, step.Name, err)
		}
		root := chain[len(chain)-1]
		if !slices.ContainsFunc(roots, root.Equal) {
			roots = append(roots, root)
		}
		last = chain[0]
	}
	return pdfBytes, roots, last, nil
}
