package workflow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/verify"
)

// File is a document file sent to or received from a USB-token holder.
type File struct {
	// Name is the document's ID followed by ".pdf".
	Name string
	Data []byte
}

// FileName is the name a document is downloaded under, and must be
// uploaded under: its ID and ".pdf".
func FileName(id string) string { return id + ".pdf" }

// Download returns the documents ids as they are now, for a to sign on
// their own USB token, and records what was sent. Documents that are not
// a's to sign now are refused one by one.
func (svc *Service) Download(ctx context.Context, a *Account, ids []string) ([]File, *BatchResult, error) {
	res := &BatchResult{}
	if a.KeyKind != KeyUSB {
		return nil, nil, fmt.Errorf("%w: your key is in the service's HSM; sign in the browser with your PIN", ErrWrongKeyKind)
	}
	docs, err := svc.checkBatch(ctx, a, ids, res)
	if err != nil {
		return nil, nil, err
	}
	var files []File
	for _, d := range docs {
		data, _, err := svc.Store.DocumentPDF(ctx, d.ID)
		if err != nil {
			return nil, nil, err
		}
		sum := sha256.Sum256(data)
		if _, err := svc.Store.db.ExecContext(ctx, svc.Store.bind(`INSERT INTO usb_downloads (document_id, account_id, sent_sha256, sent_size, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			d.ID, a.ID, hex.EncodeToString(sum[:]), len(data), formatTime(svc.Now())); err != nil {
			return nil, nil, fmt.Errorf("record download of %s: %w", d.ID, err)
		}
		if err := svc.Store.audit(ctx, nil, actorOf(a), ActionDownload, d.ID, map[string]string{"sent_sha256": hex.EncodeToString(sum[:])}); err != nil {
			return nil, nil, err
		}
		files = append(files, File{Name: FileName(d.ID), Data: data})
		res.Items = append(res.Items, ItemResult{DocumentID: d.ID, Title: d.Title, Outcome: "sent"})
	}
	return files, res, nil
}

// UploadError says why an upload was refused.
type UploadError struct {
	File   string
	Reason string
}

func (e *UploadError) Error() string { return fmt.Sprintf("%s: %s", e.File, e.Reason) }

// Is makes errors.Is(err, ErrUploadMismatch) true.
func (e *UploadError) Is(target error) bool { return target == ErrUploadMismatch }

// Upload takes files signed on a's USB token. Each is accepted only when
// it is exactly the document as it was sent (byte for byte, the version
// still current) followed by one incremental update that adds a's
// signature in a's field, with a's registered certificate, valid under the
// service's trust roots, and nothing else.
func (svc *Service) Upload(ctx context.Context, a *Account, files []File) (*BatchResult, error) {
	if a.KeyKind != KeyUSB {
		return nil, fmt.Errorf("%w: your key is in the service's HSM", ErrWrongKeyKind)
	}
	if len(files) > svc.MaxBatch {
		return nil, fmt.Errorf("%w: %d files, at most %d in one upload", ErrInvalid, len(files), svc.MaxBatch)
	}
	leaf, err := parseChain(a.Certificates)
	if err != nil {
		return nil, fmt.Errorf("account %s certificates: %w", a.ID, err)
	}
	res := &BatchResult{}
	for _, f := range files {
		if int64(len(f.Data)) > verify.DefaultMaxSize {
			res.add(ItemResult{DocumentID: strings.TrimSuffix(path.Base(f.Name), ".pdf"), Outcome: OutcomeFailed,
				Err: &UploadError{File: path.Base(f.Name), Reason: fmt.Sprintf("larger than %d MiB", verify.DefaultMaxSize>>20)}})
			continue
		}
		if ctx.Err() != nil || svc.stopping() {
			res.add(ItemResult{DocumentID: strings.TrimSuffix(path.Base(f.Name), ".pdf"), Outcome: OutcomeSkipped, Err: ErrStopped})
			continue
		}
		it := svc.uploadOne(ctx, a, leaf[0], f)
		if it.Err != nil && errors.Is(it.Err, ErrUploadMismatch) {
			_ = svc.Store.audit(ctx, nil, actorOf(a), ActionUploadRejected, it.DocumentID, map[string]string{"reason": uploadReason(it.Err)})
		}
		res.add(it)
	}
	return res, nil
}

func uploadReason(err error) string {
	var ue *UploadError
	if errors.As(err, &ue) {
		return ue.Reason
	}
	return "error"
}

// uploadOne checks and stores one uploaded file.
func (svc *Service) uploadOne(ctx context.Context, a *Account, leaf *x509.Certificate, f File) ItemResult {
	name := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
	id := strings.TrimSuffix(name, path.Ext(name))
	it := ItemResult{DocumentID: id, Outcome: OutcomeFailed}
	if _, err := registry.ParseID(id); err != nil {
		it.Err = &UploadError{File: name, Reason: "the file name is not a document ID; upload the files under the names they were downloaded with"}
		return it
	}
	var sentErr error
	it = svc.signWithRetry(ctx, a, id, func(sent []byte, d *Document, st *Step) ([]byte, error) {
		if err := svc.checkUpload(ctx, a, leaf, name, sent, f.Data, d, st); err != nil {
			sentErr = err
			return nil, err
		}
		return f.Data, nil
	}, MethodUSB)
	if sentErr != nil {
		it.Err = sentErr
	}
	return it
}

// maxClockSkew and maxUploadAge bound the signing time an upload may
// claim: a little in the future (clocks differ), and no older than the
// downloads it could come from.
const (
	maxClockSkew = 10 * time.Minute
	maxUploadAge = 30 * 24 * time.Hour
)

// uploadedCertificate is the certificate that signed field in a PDF.
func uploadedCertificate(pdf []byte, field string) (*x509.Certificate, error) {
	fields, err := signer.Fields(pdf)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.Name == field && f.Signed {
			return f.SignerCertificate()
		}
	}
	return nil, fmt.Errorf("field %s is not signed", field)
}

// checkUpload checks that up is sent plus exactly a's signature in field
// st.
func (svc *Service) checkUpload(ctx context.Context, a *Account, leaf *x509.Certificate, name string, sent, up []byte, d *Document, st *Step) error {
	refuse := func(format string, args ...any) error {
		return &UploadError{File: name, Reason: fmt.Sprintf(format, args...)}
	}
	if bytes.Equal(up, sent) {
		return refuse("it holds no new signature: sign it with kyso sign before uploading")
	}
	if len(up) <= len(sent) || !bytes.Equal(up[:len(sent)], sent) {
		if svc.downloadedPrefix(ctx, a, d.ID, up) {
			return fmt.Errorf("%s: %w: someone else signed it after you downloaded it; download it again and sign the new version", name, ErrConflict)
		}
		return refuse("not the document sent for signing (its first %d bytes differ, or it is shorter)", len(sent))
	}
	sum := sha256.Sum256(sent)
	var n int
	if err := svc.Store.db.QueryRowContext(ctx, svc.Store.bind(`SELECT COUNT(*) FROM usb_downloads WHERE document_id = ? AND account_id = ? AND sent_sha256 = ?`),
		d.ID, a.ID, hex.EncodeToString(sum[:])).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return refuse("this version was never downloaded by you")
	}
	rep, err := verify.PDFContext(ctx, up, verify.Options{Roots: svc.Roots, TimestampRoots: svc.TimestampRoots, Now: svc.Now, Baseline: int64(len(sent))})
	if err != nil {
		return refuse("cannot be verified: %v", err)
	}
	var added []verify.Revision
	for _, r := range rep.Revisions {
		if r.EndOffset > int64(len(sent)) {
			added = append(added, r)
		}
	}
	if len(added) != 1 || added[0].Kind != verify.RevisionSignature || added[0].Signature != st.Field || !added[0].Allowed {
		return refuse("it must add exactly one signature, in field %s, and nothing else (found %d added revisions)", st.Field, len(added))
	}
	if len(rep.Signatures) != d.SignedCount()+1 {
		return refuse("it holds %d signatures, want %d", len(rep.Signatures), d.SignedCount()+1)
	}
	sig := rep.Signatures[len(rep.Signatures)-1]
	if sig.Field != st.Field || sig.Kind != verify.KindSignature || !sig.CoversWholeDocument {
		return refuse("the last signature is not yours in field %s", st.Field)
	}
	if cert, err := uploadedCertificate(up, st.Field); err != nil || !cert.Equal(leaf) {
		return refuse("signed with another certificate than the one registered for you")
	}
	now := svc.Now()
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return refuse("your certificate is not valid now (valid %s to %s)", leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly))
	}
	if d := sig.SigningTime.Sub(now); d > maxClockSkew || d < -maxUploadAge {
		return refuse("the signing time %s is not the time of this upload", sig.SigningTime.Format(time.RFC3339))
	}
	if sig.Indication != verify.TotalPassed || rep.Indication != verify.TotalPassed {
		return refuse("the signature does not verify: %s %s", sig.Indication, sig.SubIndication)
	}
	certify := stepOptions(d, st, d.SignedCount(), []*x509.Certificate{leaf}, svc.Now(), "", "").Certify != 0
	if certify != (sig.CertificationLevel == 2) {
		return refuse("the first signature must certify the document (form filling allowed), later ones must not; sign with kyso sign, which does this")
	}
	return nil
}

// downloadedPrefix reports whether up begins with a version of the
// document a downloaded earlier (so it was signed over an old version).
// Each version sent is known by its length and hash: one prefix is hashed
// per version.
func (svc *Service) downloadedPrefix(ctx context.Context, a *Account, id string, up []byte) bool {
	rows, err := svc.Store.db.QueryContext(ctx, svc.Store.bind(`SELECT sent_sha256, sent_size FROM usb_downloads WHERE document_id = ? AND account_id = ?`), id, a.ID)
	if err != nil {
		return false
	}
	type sent struct {
		sum  string
		size int64
	}
	var versions []sent
	for rows.Next() {
		var v sent
		if rows.Scan(&v.sum, &v.size) == nil {
			versions = append(versions, v)
		}
	}
	rows.Close()
	for _, v := range versions {
		if v.size > 0 && v.size < int64(len(up)) {
			s := sha256.Sum256(up[:v.size])
			if hex.EncodeToString(s[:]) == v.sum {
				return true
			}
		}
	}
	return false
}
