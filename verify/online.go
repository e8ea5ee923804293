package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Limits of HTTPFetch.
const (
	// DefaultFetchTimeout bounds one online revocation request.
	DefaultFetchTimeout = 5 * time.Second
	// MaxFetchedSize bounds a fetched OCSP response or CRL, in bytes.
	MaxFetchedSize = 1 << 20
)

// HTTPFetch returns a Fetcher over client (nil: a client without
// redirects to other schemes than http and https) with timeout per request
// (0: DefaultFetchTimeout), reading at most MaxFetchedSize bytes.
func HTTPFetch(client *http.Client, timeout time.Duration) Fetcher {
	if client == nil {
		client = &http.Client{}
	}
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	return func(ctx context.Context, url string, body []byte) ([]byte, error) {
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			return nil, fmt.Errorf("%s: only http and https addresses are fetched", url)
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		method, ct := http.MethodGet, ""
		var rd io.Reader
		if body != nil {
			method, ct, rd = http.MethodPost, "application/ocsp-request", strings.NewReader(string(body))
		}
		req, err := http.NewRequestWithContext(ctx, method, url, rd)
		if err != nil {
			return nil, err
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: HTTP %s", url, resp.Status)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetchedSize+1))
		if err != nil {
			return nil, err
		}
		if len(data) > MaxFetchedSize {
			return nil, fmt.Errorf("%s: more than %d bytes", url, MaxFetchedSize)
		}
		return data, nil
	}
}

// fetchRevocation fetches, for each certificate of chain below its anchor
// that data says nothing about at t, an OCSP response from its responder
// or, failing that, its CRL. It returns what it fetched and the first
// error for a certificate it could get nothing about.
func (v *validator) fetchRevocation(chain []*x509.Certificate, t time.Time, data revocationData) (revocationData, error) {
	var out revocationData
	var firstErr error
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		if v.certStatus(cert, issuer, t, data).Status != RevocationUnknown {
			continue
		}
		var errs []error
		got := false
		for _, url := range cert.OCSPServer {
			req, err := ocsp.CreateRequest(cert, issuer, nil)
			if err != nil {
				errs = append(errs, err)
				break
			}
			der, err := v.fetch(v.ctx, url, req)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out.ocsps = append(out.ocsps, revItem{der: der, source: SourceOnlineOCSP})
			got = true
			break
		}
		if !got {
			for _, url := range cert.CRLDistributionPoints {
				der, err := v.fetch(v.ctx, url, nil)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				out.crls = append(out.crls, revItem{der: der, source: SourceOnlineCRL})
				got = true
				break
			}
		}
		if !got && firstErr == nil {
			if len(errs) == 0 {
				errs = append(errs, fmt.Errorf("certificate %q names no OCSP responder or CRL", cert.Subject.CommonName))
			}
			firstErr = errors.Join(errs...)
		}
	}
	return out, firstErr
}
