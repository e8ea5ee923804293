package revocation

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// Defaults of a zero Fetcher.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxCRLSize  = 1 << 20
	DefaultMaxOCSPSize = 64 << 10
	DefaultSkew        = 5 * time.Minute
)

// Sentinel errors of Check, OCSP and CRL.
var (
	// ErrRevoked: the certificate is revoked; the error is a *RevokedError.
	ErrRevoked = errors.New("certificate revoked")
	// ErrNoSource: the certificate names no http(s) OCSP responder or CRL.
	ErrNoSource = errors.New("certificate names no OCSP responder or CRL distribution point")
	// ErrUnavailable: the source could not be reached, timed out, answered
	// with an HTTP error, or an OCSP responder said tryLater/internalError.
	ErrUnavailable = errors.New("revocation data unavailable")
	// ErrBadResponse: the response is malformed, too large, not signed by an
	// authorised key, not about this certificate, or of unsupported scope.
	ErrBadResponse = errors.New("bad revocation response")
	// ErrStale: the response is not current at the time asked about.
	ErrStale = errors.New("revocation data not current")
	// ErrUnknown: the OCSP responder does not know the certificate.
	ErrUnknown = errors.New("OCSP responder does not know the certificate")
)

// RevokedError reports a revoked certificate. errors.Is(err, ErrRevoked)
// holds for it.
type RevokedError struct {
	Serial  *big.Int
	Subject string // the certificate's subject
	Reason  int    // RFC 5280 CRLReason code (0 when the source gives none)
	Time    time.Time
	Source  string // "OCSP" or "CRL"
	URL     string // where the answer came from ("" when not fetched)
}

func (e *RevokedError) Error() string {
	return fmt.Sprintf("certificate %s (serial %X) revoked at %s, reason %s (%s)", e.Subject, e.Serial, e.Time.UTC().Format(time.RFC3339), ReasonName(e.Reason), e.Source)
}

// Is makes errors.Is(err, ErrRevoked) true.
func (e *RevokedError) Is(target error) bool { return target == ErrRevoked }

var reasonNames = []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"}

// ReasonName returns the RFC 5280 name of a CRLReason code.
func ReasonName(code int) string {
	if code >= 0 && code < len(reasonNames) && reasonNames[code] != "" {
		return reasonNames[code]
	}
	return fmt.Sprintf("reason(%d)", code)
}

// Fetcher gets revocation data over HTTP. The zero value is ready to use.
type Fetcher struct {
	// HTTP is the client to use; nil means a plain http.Client.
	HTTP *http.Client
	// Timeout bounds each request, response body included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxSize is the largest response read; 0 means DefaultMaxCRLSize for
	// CRLs and DefaultMaxOCSPSize for OCSP responses.
	MaxSize int64
	// Skew is the clock difference allowed when judging freshness; 0 means
	// DefaultSkew, a negative value none.
	Skew time.Duration
}

// Data is the revocation evidence for a chain, raw DER, ready to embed in a
// PDF's DSS or CMS: full OCSPResponse structures and CertificateLists.
type Data struct {
	OCSP [][]byte
	CRL  [][]byte
}

// Check fetches evidence that each certificate of chain (leaf first, root
// last; the last certificate is the trust anchor and is not checked) is not
// revoked, current at time at (see the package doc for what that means).
// OCSP is tried first, then CRLs. The first certificate that is revoked or
// whose status cannot be established ends the check with an error naming
// it; on success Data holds one piece of evidence per checked certificate
// (CRLs shared by several certificates once).
func (f *Fetcher) Check(ctx context.Context, chain []*x509.Certificate, at time.Time) (Data, error) {
	if len(chain) < 2 {
		return Data{}, errors.New("revocation check: the chain needs a certificate and its issuer")
	}
	for i, c := range chain {
		if c == nil {
			return Data{}, fmt.Errorf("revocation check: certificate %d is nil", i)
		}
	}
	var d Data
	cache := make(map[string][]byte)
	seen := make(map[[32]byte]bool)
	for i := 0; i < len(chain)-1; i++ {
		cert, issuer := chain[i], chain[i+1]
		if err := cert.CheckSignatureFrom(issuer); err != nil {
			return Data{}, fmt.Errorf("revocation check: %s is not issued by %s: %w", describe(cert), describe(issuer), err)
		}
		ocspDER, crlDER, err := f.checkOne(ctx, cert, issuer, at, cache)
		if err != nil {
			return Data{}, fmt.Errorf("revocation check of %s: %w", describe(cert), err)
		}
		if ocspDER != nil {
			d.OCSP = append(d.OCSP, ocspDER)
		}
		if crlDER != nil {
			if h := sha256.Sum256(crlDER); !seen[h] {
				seen[h] = true
				d.CRL = append(d.CRL, crlDER)
			}
		}
	}
	return d, nil
}

func (f *Fetcher) checkOne(ctx context.Context, cert, issuer *x509.Certificate, at time.Time, cache map[string][]byte) (ocspDER, crlDER []byte, err error) {
	var errs []error
	if len(httpURLs(cert.OCSPServer)) > 0 {
		der, _, err := f.OCSP(ctx, cert, issuer, at)
		if err == nil {
			return der, nil, nil
		}
		if errors.Is(err, ErrRevoked) {
			return nil, nil, err
		}
		errs = append(errs, err)
	}
	if len(httpURLs(cert.CRLDistributionPoints)) > 0 {
		der, _, err := f.crl(ctx, cert, issuer, at, cache)
		if err == nil {
			return nil, der, nil
		}
		if errors.Is(err, ErrRevoked) {
			return nil, nil, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, nil, ErrNoSource
	}
	return nil, nil, errors.Join(errs...)
}

// httpURLs keeps the http and https URLs.
func httpURLs(urls []string) []string {
	var out []string
	for _, u := range urls {
		l := strings.ToLower(u)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			out = append(out, u)
		}
	}
	return out
}

func describe(c *x509.Certificate) string {
	return fmt.Sprintf("%q (serial %X)", c.Subject.CommonName, c.SerialNumber)
}

func (f *Fetcher) skew() time.Duration {
	switch {
	case f.Skew == 0:
		return DefaultSkew
	case f.Skew < 0:
		return 0
	}
	return f.Skew
}

// fresh checks thisUpdate <= at+skew and at-skew <= nextUpdate (nextUpdate
// zero: thisUpdate).
func fresh(thisUpdate, nextUpdate, at time.Time, skew time.Duration) error {
	if nextUpdate.IsZero() {
		nextUpdate = thisUpdate
	}
	if thisUpdate.After(at.Add(skew)) {
		return fmt.Errorf("%w: issued %s, after %s", ErrStale, thisUpdate.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	if nextUpdate.Before(at.Add(-skew)) {
		return fmt.Errorf("%w: expired %s, before %s", ErrStale, nextUpdate.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	return nil
}
