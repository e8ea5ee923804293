package tsa

import (
	"bytes"
	"context"
	"crypto"
	crand "crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"time"
)

// Client defaults.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxResponse = 64 << 10
)

// Client asks an RFC 3161 time-stamping authority for tokens. The zero
// value with a URL works; a Client is safe for concurrent use when HTTP and
// Rand are.
type Client struct {
	// URL is the authority's HTTP(S) address.
	URL string
	// HTTP sends the requests; nil means a client with Timeout.
	HTTP *http.Client
	// Timeout bounds one request, whatever HTTP is; 0 means DefaultTimeout.
	Timeout time.Duration
	// Hash hashes the message; 0 means SHA-256. SHA-256, SHA-384 and
	// SHA-512 are accepted.
	Hash crypto.Hash
	// Rand is the nonce source; nil means crypto/rand.Reader.
	Rand io.Reader
	// MaxResponse bounds the response body in bytes; 0 means
	// DefaultMaxResponse (64 KiB).
	MaxResponse int64
	// Roots, when set, are the trust anchors the authority's certificate
	// must chain to at the token's genTime (with the token's other
	// certificates as intermediates). Without Roots, trust is left to the
	// caller.
	Roots *x509.CertPool
}

// Timestamp hashes message, sends a TimeStampReq (version 1, a random
// 127-bit nonce, certReq true) and returns the DER TimeStampToken
// (ContentInfo SignedData) after checking that: the HTTP status is 200 and
// the content type application/timestamp-reply; the PKIStatus is granted or
// grantedWithMods; the token is a SignedData over TSTInfo whose nonce and
// message imprint equal the request's; its signature verifies with the
// authority certificate it carries, which its signing-certificate(-v2)
// attribute names; that certificate has the critical timeStamping extended
// key usage (only), is valid at genTime and, with Roots, chains to Roots at
// genTime.
//
// Errors: ErrUnreachable (network, timeout, cancelled context, HTTP
// 502/503/504; wraps the cause), ErrRejected (a *RejectedError with status,
// text and failInfo), ErrBadResponse (anything malformed or not matching;
// token problems wrap ErrBadToken too), ErrUnsupportedHash.
func (c *Client) Timestamp(ctx context.Context, message []byte) ([]byte, error) {
	h := c.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if _, ok := hashOID(h); !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedHash, h)
	}
	d := h.New()
	d.Write(message)
	hashed := d.Sum(nil)
	nonce, err := c.nonce()
	if err != nil {
		return nil, err
	}
	req, err := encodeRequest(h, hashed, nonce, true)
	if err != nil {
		return nil, err
	}
	body, err := c.post(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	if resp.Status != StatusGranted && resp.Status != StatusGrantedWithMods {
		return nil, &RejectedError{Status: resp.Status, StatusText: resp.StatusText, FailInfo: resp.FailInfo}
	}
	if resp.Token == nil {
		return nil, fmt.Errorf("%w: status %v without a token", ErrBadResponse, resp.Status)
	}
	info, err := ParseToken(resp.Token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	if err := c.check(info, h, hashed, nonce); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	return resp.Token, nil
}

// nonce returns a random positive nonce of 127 bits, 16 bytes in DER.
func (c *Client) nonce() (*big.Int, error) {
	r := c.Rand
	if r == nil {
		r = crand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("tsa: nonce: %w", err)
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b), nil
}

// post sends the request and returns the body of a 200 response with the
// reply content type.
func (c *Client) post(ctx context.Context, req []byte) ([]byte, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	limit := c.MaxResponse
	if limit <= 0 {
		limit = DefaultMaxResponse
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: timeout}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("tsa: URL %q: %w", c.URL, err)
	}
	hreq.Header.Set("Content-Type", ContentTypeQuery)
	hreq.Header.Set("Accept", ContentTypeReply)
	hresp, err := hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer hresp.Body.Close()
	switch hresp.StatusCode {
	case http.StatusOK:
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return nil, fmt.Errorf("%w: HTTP %d", ErrUnreachable, hresp.StatusCode)
	default:
		return nil, fmt.Errorf("%w: HTTP %d", ErrBadResponse, hresp.StatusCode)
	}
	if mt, _, err := mime.ParseMediaType(hresp.Header.Get("Content-Type")); err != nil || mt != ContentTypeReply {
		return nil, fmt.Errorf("%w: content type %q, want %s", ErrBadResponse, hresp.Header.Get("Content-Type"), ContentTypeReply)
	}
	if hresp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d-byte response, limit %d", ErrBadResponse, hresp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(hresp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the response: %w", ErrUnreachable, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: response larger than %d bytes", ErrBadResponse, limit)
	}
	return body, nil
}

// check compares a parsed token with the request and checks its
// certificate.
func (c *Client) check(info *Info, h crypto.Hash, hashed []byte, nonce *big.Int) error {
	if info.Hash != h || !bytes.Equal(info.HashedMessage, hashed) {
		return errors.New("the token's message imprint is not the request's")
	}
	if info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return errors.New("the token's nonce is not the request's")
	}
	cert := info.Certificate
	if err := checkTSACertificate(cert); err != nil {
		return err
	}
	if err := checkValidAt(cert, info.GenTime); err != nil {
		return err
	}
	if c.Roots == nil {
		return nil
	}
	inter := x509.NewCertPool()
	for _, ic := range info.Certificates {
		if !ic.Equal(cert) {
			inter.AddCert(ic)
		}
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         c.Roots,
		Intermediates: inter,
		CurrentTime:   info.GenTime,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		return fmt.Errorf("%w: %q does not chain to the trusted roots at %s: %v", ErrBadTSACertificate, cert.Subject.String(), info.GenTime.Format(time.RFC3339), err)
	}
	return nil
}
