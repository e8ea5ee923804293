package tsa

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/kyso-vn/kyso/internal/cms"
)

// Media types of RFC 3161 §3.4 (time-stamp protocol via HTTP).
const (
	ContentTypeQuery = "application/timestamp-query"
	ContentTypeReply = "application/timestamp-reply"
)

// Authority answers time-stamp requests (RFC 3161) with tokens signed by
// its key. It is safe for concurrent use when its key and random source
// are.
type Authority struct {
	key    crypto.Signer
	chain  []*x509.Certificate
	policy asn1.ObjectIdentifier
	clock  func() time.Time
	rand   io.Reader
	// hash signs the tokens: SHA-256, or SHA-384/SHA-512 for P-384/P-521
	// keys.
	hash crypto.Hash
}

// NewAuthority returns an authority signing with key, whose certificate is
// chain[0] (followed by its issuers, in order, as tokens will carry them),
// under policy. It checks that the key matches the certificate, that the
// certificate is fit for time-stamping (critical extended key usage
// timeStamping only; key usage, if any, with digitalSignature or
// nonRepudiation), that each certificate is issued by the next, and that
// every certificate is valid at clock(). clock is required: it is the time
// source of every token. rand supplies serial numbers and signature
// randomness; nil means crypto/rand.Reader.
func NewAuthority(key crypto.Signer, chain []*x509.Certificate, policy asn1.ObjectIdentifier, clock func() time.Time, rand io.Reader) (*Authority, error) {
	if key == nil || len(chain) == 0 || chain[0] == nil {
		return nil, fmt.Errorf("%w: a key and its certificate are required", ErrBadTSACertificate)
	}
	if clock == nil {
		return nil, errors.New("tsa: NewAuthority needs a clock")
	}
	if len(policy) < 2 {
		return nil, fmt.Errorf("tsa: policy %v is not a valid object identifier", policy)
	}
	if _, err := asn1.Marshal(policy); err != nil {
		return nil, fmt.Errorf("tsa: policy %v: %w", policy, err)
	}
	if eq, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(chain[0].PublicKey) {
		return nil, fmt.Errorf("%w: the key does not match %q", ErrBadTSACertificate, chain[0].Subject.String())
	}
	if err := checkTSACertificate(chain[0]); err != nil {
		return nil, err
	}
	now := clock()
	for i, c := range chain {
		if c == nil {
			return nil, fmt.Errorf("%w: certificate %d is nil", ErrBadTSACertificate, i)
		}
		if err := checkValidAt(c, now); err != nil {
			return nil, err
		}
		if i+1 < len(chain) && chain[i+1] != nil {
			if err := c.CheckSignatureFrom(chain[i+1]); err != nil {
				return nil, fmt.Errorf("%w: certificate %d %q is not issued by certificate %d %q: %v",
					ErrBadTSACertificate, i, c.Subject.String(), i+1, chain[i+1].Subject.String(), err)
			}
		}
	}
	a := &Authority{key: key, chain: chain, policy: policy, clock: clock, rand: rand, hash: crypto.SHA256}
	if a.rand == nil {
		a.rand = crand.Reader
	}
	if k, ok := key.Public().(*ecdsa.PublicKey); ok {
		switch k.Curve {
		case elliptic.P384():
			a.hash = crypto.SHA384
		case elliptic.P521():
			a.hash = crypto.SHA512
		}
	}
	// Sign refuses keys the cms package cannot use; find out now.
	if cms.MaxSize(key.Public(), chain, cms.Options{Hash: a.hash}) == 0 {
		return nil, fmt.Errorf("%w: key type %T or chain not usable for signing", ErrBadTSACertificate, key.Public())
	}
	return a, nil
}

// Certificate returns the authority's certificate.
func (a *Authority) Certificate() *x509.Certificate { return a.chain[0] }

// Respond answers one DER TimeStampReq with a DER TimeStampResp. It always
// returns a response: a rejection with failInfo badDataFormat for a request
// it cannot read, badRequest for a version other than 1, badAlg for a hash
// other than SHA-256/384/512 or an imprint of the wrong length,
// unacceptedPolicy for a policy other than its own, unacceptedExtension for
// any extension, timeNotAvailable when its certificate is not valid at the
// current time, and systemFailure when signing fails.
func (a *Authority) Respond(request []byte) []byte {
	reject := func(fail FailureInfo, text string) []byte {
		return encodeResponse(StatusRejection, text, fail, nil)
	}
	req, fail, err := parseRequest(request)
	if err != nil {
		return reject(fail, "the request is not a valid TimeStampReq")
	}
	hash, ok := hashFromOID(req.hashOID)
	if !ok || !absentOrNull(req.hashAlgP) {
		return reject(FailBadAlg, "hash algorithm not supported: use SHA-256, SHA-384 or SHA-512")
	}
	if len(req.hashed) != hash.Size() {
		return reject(FailBadAlg, "the message imprint is not a "+hash.String()+" hash")
	}
	if req.policy != nil && !req.policy.Equal(a.policy) {
		return reject(FailUnacceptedPolicy, "this authority issues tokens under policy "+a.policy.String()+" only")
	}
	if req.hasExts {
		return reject(FailUnacceptedExtension, "no extensions are supported")
	}
	now := a.clock()
	if checkValidAt(a.chain[0], now) != nil {
		return reject(FailTimeNotAvailable, "the authority's certificate is not valid now")
	}
	serial, err := a.serial()
	if err != nil {
		return reject(FailSystemFailure, "internal error")
	}
	tst, err := encodeTSTInfo(&tstInfo{policy: a.policy, hash: hash, hashParams: req.hashAlgP, hashed: req.hashed, serial: serial, genTime: now, nonce: req.nonce})
	if err != nil {
		return reject(FailSystemFailure, "internal error")
	}
	d := a.hash.New()
	d.Write(tst)
	token, err := cms.Sign(a.rand, d.Sum(nil), a.key, a.chain, cms.Options{
		Hash:             a.hash,
		ContentType:      cms.OIDTSTInfo,
		Content:          tst,
		OmitCertificates: !req.certReq,
	})
	if err != nil {
		return reject(FailSystemFailure, "internal error")
	}
	return encodeResponse(StatusGranted, "", 0, token)
}

// serial returns a random positive serial number of 127 bits, always 16
// bytes long in DER.
func (a *Authority) serial() (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(a.rand, b); err != nil {
		return nil, err
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b), nil
}

// ServeHTTP implements the HTTP transport of RFC 3161 §3.4: POST with
// Content-Type application/timestamp-query and a body of at most
// MaxRequestSize bytes; the answer is a TimeStampResp with Content-Type
// application/timestamp-reply and status 200, rejections included. Other
// methods get 405, other content types 415, larger bodies 413.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST an application/timestamp-query", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != ContentTypeQuery {
		http.Error(w, "Content-Type must be "+ContentTypeQuery, http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestSize))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	resp := a.Respond(body)
	w.Header().Set("Content-Type", ContentTypeReply)
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(resp)
}
