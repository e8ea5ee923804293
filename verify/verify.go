package verify

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"
)

// DefaultMaxSize is the largest file PDF accepts when Options.MaxSize is 0.
const DefaultMaxSize = 128 << 20

// Errors returned by PDF for misuse; verdicts on the document are in the
// Report, never errors.
var (
	// ErrNoRoots: Options.Roots is empty. The verifier never falls back to
	// the system trust store.
	ErrNoRoots = errors.New("verify: no trust roots given")
	// ErrTooLarge: the file is larger than the size limit.
	ErrTooLarge = errors.New("verify: file too large")
)

// Options configure PDF.
type Options struct {
	// Roots are the trust anchors. Only these are trusted: certificates in
	// the signature's CMS serve as intermediates only, and the system
	// certificate pool is never used. Required.
	Roots []*x509.Certificate
	// Now returns the validation time. It is used to validate a chain when
	// a signature carries no signingTime attribute, and to refuse a signing
	// time in the future. Nil means time.Now.
	Now func() time.Time
	// Credentials, when not nil, is asked for the credential registered
	// under the SHA-256 of the file.
	Credentials CredentialLookup
	// MaxSize is the largest file accepted, in bytes; 0 means
	// DefaultMaxSize.
	MaxSize int64
	// TimestampRoots are the trust anchors for time-stamping authorities
	// (signature and document timestamps). Nil means Roots.
	TimestampRoots []*x509.Certificate
	// Fetch, when set, fetches revocation data online for the signer
	// certificates the document has none about: an OCSP request to the
	// certificate's OCSP address, else its CRL. It gets the URL and, for
	// OCSP, the DER request (nil for a CRL); HTTPFetch is one. What it
	// returns is checked like embedded data. A failed fetch leaves the
	// signature INDETERMINATE / TRY_LATER.
	Fetch Fetcher
	// Baseline, when positive, is the length of a prefix of the file that
	// the caller trusts: the document as it sent it for signing. It must
	// end a revision. When it comes before the first signature's
	// revision, every revision after it is judged like a revision after a
	// signature (Report.Revisions starts with it): the first signature's
	// own revision may add only that signature (and certify the document),
	// so an unsigned change slipped in before or with it fails
	// "modifications". Zero: the first signature's revision is taken as
	// the document.
	Baseline int64
}

// Fetcher fetches revocation data: POST body to url (an OCSP request) or,
// with a nil body, GET url (a CRL).
type Fetcher func(ctx context.Context, url string, body []byte) ([]byte, error)

// clockSkew is how far in the future a claimed signing time may be.
const clockSkew = 5 * time.Minute

// PDF validates the signatures of a PDF document and, when
// Options.Credentials is set, its registry status. It is PDFContext with
// context.Background().
func PDF(data []byte, opts Options) (*Report, error) {
	return PDFContext(context.Background(), data, opts)
}

// PDFContext validates the signatures of a PDF document and, when
// Options.Credentials is set, its registry status; ctx is passed to the
// registry lookup. It returns an error only for misuse (no roots, a file
// over the size limit) or when ctx ends during the lookup; every verdict on
// the document itself is in the Report. It is safe for concurrent use.
func PDFContext(ctx context.Context, data []byte, opts Options) (*Report, error) {
	if len(opts.Roots) == 0 {
		return nil, ErrNoRoots
	}
	roots := x509.NewCertPool()
	for i, r := range opts.Roots {
		if r == nil {
			return nil, fmt.Errorf("verify: trust root %d is nil", i+1)
		}
		roots.AddCert(r)
	}
	tsRoots := roots
	if opts.TimestampRoots != nil {
		tsRoots = x509.NewCertPool()
		for i, r := range opts.TimestampRoots {
			if r == nil {
				return nil, fmt.Errorf("verify: timestamp trust root %d is nil", i+1)
			}
			tsRoots.AddCert(r)
		}
	}
	limit := opts.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), limit)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	at := now()
	sum := sha256.Sum256(data)
	rep := &Report{
		Schema:      SchemaVersion,
		ValidatedAt: at.UTC(),
		Document:    Document{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))},
		Checks:      []Check{},
		Signatures:  []SignatureReport{},
		Revisions:   []Revision{},
	}
	v := &validator{data: data, roots: roots, tsRoots: tsRoots, now: at, ctx: ctx, fetch: opts.Fetch, baseline: opts.Baseline}
	v.document(rep)

	// The verdict: document checks, then each signature, then the
	// registry; the first proven failure wins over anything indeterminate.
	all := slices.Clone(rep.Checks)
	for _, s := range rep.Signatures {
		if s.Indication != TotalPassed {
			all = append(all, Check{Indication: s.Indication, SubIndication: s.SubIndication})
		}
	}
	signed := signedDigest(data, rep)
	if signed != ([32]byte{}) {
		rep.Document.SignedSHA256 = hex.EncodeToString(signed[:])
	}
	reg, cred, regCheck, err := checkRegistry(ctx, opts.Credentials, Digests{File: sum, Signed: signed})
	if err != nil {
		return nil, fmt.Errorf("verify: registry lookup: %w", err)
	}
	rep.Registry, rep.Credential = reg, cred
	if regCheck != nil {
		rep.Checks = append(rep.Checks, *regCheck)
		all = append(all, *regCheck)
	}
	rep.Indication, rep.SubIndication = verdict(all)
	return rep, nil
}

// signedDigest is the SHA-256 over the final signature's byte ranges, when
// that signature covers the whole file and its message digest matched;
// otherwise zero.
func signedDigest(data []byte, rep *Report) [32]byte {
	if len(rep.Signatures) == 0 {
		return [32]byte{}
	}
	last := rep.Signatures[len(rep.Signatures)-1]
	if !last.CoversWholeDocument || len(last.ByteRange) != 4 || !checkPassed(last.Checks, "message_digest") {
		return [32]byte{}
	}
	br := last.ByteRange
	h := sha256.New()
	h.Write(data[br[0] : br[0]+br[1]])
	h.Write(data[br[2] : br[2]+br[3]])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func checkPassed(cs []Check, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return c.Passed
		}
	}
	return false
}

// validator holds what every check needs.
type validator struct {
	data    []byte
	roots   *x509.CertPool
	tsRoots *x509.CertPool // time-stamping authorities' anchors
	now     time.Time
	file    *pdfFile       // the package's own reading of the revisions
	dss     revocationData // revocation data in the document security store
	ctx     context.Context
	fetch   Fetcher // online revocation data, or nil
	// baseline is Options.Baseline.
	baseline int64
	// verified holds the upper parts of chains already verified for this
	// document (see checkChainWith), so that the signatures of a học bạ's
	// sixteen signers under one issuing CA verify the CA's signature once.
	verified []verifiedSuffix
}

// document runs the document-level checks and validates each signature.
func (v *validator) document(rep *Report) {
	add := func(c Check) bool {
		rep.Checks = append(rep.Checks, c)
		return c.Passed
	}
	info, err := checkStructure(v.data)
	switch {
	case errors.Is(err, errXrefStream), errors.Is(err, errEncrypted):
		// Well-formed, perhaps genuine, but beyond what this verifier
		// reads: no verdict either way.
		add(failed("pdf_structure", Indeterminate, UnsupportedFormat, err.Error()))
		return
	case err != nil:
		add(failed("pdf_structure", TotalFailed, FormatFailure, err.Error()))
		return
	}
	// Every listed object is lexed by our own bounded lexer first: the
	// third-party parser loops forever on some malformed objects (an
	// array cut short by endobj) in a way no read budget can stop.
	if err := checkObjects(v.data); err != nil {
		add(failed("pdf_structure", TotalFailed, FormatFailure, err.Error()))
		return
	}
	file, err := openPDFFile(v.data)
	if err != nil {
		add(failed("pdf_structure", TotalFailed, FormatFailure, err.Error()))
		return
	}
	v.file = file
	add(passed("pdf_structure", fmt.Sprintf("PDF %s, %d cross-reference section(s)", info.version, info.sections)))

	fields, err := readSignatureFields(v.data)
	if err != nil {
		add(failed("signature_fields", TotalFailed, FormatFailure, err.Error()))
		return
	}
	add(passed("signature_fields", fmt.Sprintf("%d signed signature field(s) in the form", len(fields))))
	rep.Document.Signatures = len(fields)

	raws := scanByteRanges(v.data)
	if problem := compareDiscovery(fields, raws); problem != "" {
		add(failed("signatures_consistent", TotalFailed, FormatFailure, problem))
		return
	}
	add(passed("signatures_consistent", fmt.Sprintf("the form and a scan of the bytes agree on %d signature(s)", len(fields))))

	nDTS := 0
	for _, f := range fields {
		if f.kind == KindDocumentTimestamp {
			nDTS++
		}
	}
	rep.Document.DocumentTimestamps = nDTS
	switch {
	case len(fields) == 0:
		add(failed("has_signature", TotalFailed, FormatFailure, "the file contains no signature"))
		return
	case nDTS == len(fields):
		add(failed("has_signature", TotalFailed, FormatFailure, "the file holds only document timestamps, no signature"))
		return
	}
	add(passed("has_signature", fmt.Sprintf("%d signature(s), %d document timestamp(s)", len(fields)-nDTS, nDTS)))

	// Signatures in the order they were applied: by the end of the signed
	// range (compareDiscovery guarantees four values each).
	slices.SortStableFunc(fields, func(a, b sigField) int {
		return cmp.Compare(a.byteRange[2]+a.byteRange[3], b.byteRange[2]+b.byteRange[3])
	})
	if !add(checkOrder(fields)) {
		return
	}
	v.dss = readDSS(v.file)
	for _, f := range fields {
		if v.outOfTime(rep) {
			return
		}
		rep.Signatures = append(rep.Signatures, v.signature(f))
	}
	if v.outOfTime(rep) {
		return
	}
	v.revisions(rep)
}

// outOfTime stops the validation when ctx has ended (the caller's time
// limit per document): the document is INDETERMINATE / TRY_LATER, with a
// "time_limit" check, and the signatures not yet validated are left out.
func (v *validator) outOfTime(rep *Report) bool {
	if v.ctx == nil || v.ctx.Err() == nil {
		return false
	}
	rep.Checks = append(rep.Checks, failed("time_limit", Indeterminate, TryLater,
		"the verification was stopped by its time limit ("+v.ctx.Err().Error()+") before it finished"))
	return true
}

// revisions splits the file into revisions and judges every one added
// after the first signature (see revisions.go). It needs every byte range
// to be well formed; when one is not, that signature has already failed
// and the analysis is left out.
func (v *validator) revisions(rep *Report) {
	var spans []sigSpan
	for i, s := range rep.Signatures {
		br, problem := checkByteRange(v.data, s.ByteRange)
		if problem != "" || !checkPassed(s.Checks, "byte_range") {
			return
		}
		spans = append(spans, sigSpan{report: i, field: s.Field, kind: s.Kind, gapStart: br.gapStart, end: br.end})
	}
	if b := v.baseline; b > 0 && len(spans) > 0 && b < int64(spans[0].end) {
		if b > int64(len(v.data)) || !endsRevision(v.data[:b]) {
			rep.Checks = append(rep.Checks, failed("revisions", TotalFailed, FormatFailure, "the document sent for signing (the baseline) does not end a revision of this file"))
			return
		}
		spans = append([]sigSpan{{report: -1, kind: revisionBaseline, gapStart: int(b), end: int(b)}}, spans...)
	}
	layout, err := layoutRevisions(v.file, spans)
	switch {
	case errors.Is(err, errHybrid):
		rep.Checks = append(rep.Checks, failed("revisions", Indeterminate, UnsupportedFormat, err.Error()))
		return
	case err != nil:
		rep.Checks = append(rep.Checks, failed("revisions", TotalFailed, FormatFailure, err.Error()))
		return
	}
	rep.Checks = append(rep.Checks, passed("revisions", fmt.Sprintf("every signature signs a whole revision; %d revision(s) after the first signature", len(layout)-1)))
	res := analyzeRevisions(v.file, layout)
	if v.file.exhausted() {
		rep.Checks = append(rep.Checks, failed("modifications", Indeterminate, UnsupportedFormat, errTooComplex.Error()))
		return
	}
	rep.Revisions = res.revisions
	for i, m := range res.mdp {
		rep.Signatures[i].CertificationLevel = m.docMDP
		for _, l := range m.locks {
			if rep.Signatures[i].FieldLock == "" || l.action == "All" {
				rep.Signatures[i].FieldLock = l.action
			}
		}
	}
	detail, ok := describeRevisions(res.revisions)
	if ok && res.allowed {
		rep.Checks = append(rep.Checks, passed("modifications", detail))
	} else {
		rep.Checks = append(rep.Checks, failed("modifications", TotalFailed, HashFailure, detail))
	}
}

// checkOrder checks that each signature's unsigned gap lies after the end
// of the revision signed by the one before, so that every later signature
// covers every earlier one entirely.
func checkOrder(fields []sigField) Check {
	for i := 1; i < len(fields); i++ {
		prev, cur := fields[i-1].byteRange, fields[i].byteRange
		if cur[1] < prev[2]+prev[3] {
			return failed("signature_order", TotalFailed, FormatFailure,
				fmt.Sprintf("signature %q does not cover the revision signed by %q", fields[i].name, fields[i-1].name))
		}
	}
	return passed("signature_order", "each signature covers the ones before it")
}
