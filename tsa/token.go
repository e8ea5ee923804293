package tsa

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/kyso-vn/kyso/internal/cms"
)

// Info is what a time-stamp token says.
type Info struct {
	// GenTime is when the authority made the token, in UTC.
	GenTime time.Time
	// Serial is the token's serial number.
	Serial *big.Int
	// Policy is the authority's policy under which the token was made.
	Policy asn1.ObjectIdentifier
	// Hash and HashedMessage are the message imprint: the hash algorithm
	// and the hash of the time-stamped data.
	Hash          crypto.Hash
	HashedMessage []byte
	// Nonce is the request's nonce echoed, nil when the token has none.
	Nonce *big.Int
	// Certificate is the authority's certificate that signed the token.
	Certificate *x509.Certificate
	// Certificates are all the certificates the token carries, in the
	// order found.
	Certificates []*x509.Certificate

	nonceDER []byte
}

var oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}

// ParseToken parses a DER TimeStampToken and checks its own signature:
// a SignedData (at most cms.MaxParseSize bytes, strict DER) with
// encapsulated TSTInfo content, signed by a certificate it carries, whose
// signing-certificate(-v2) attribute names that certificate. It does not
// decide whether the certificate is trusted or fit for time-stamping.
// Errors wrap ErrBadToken.
func ParseToken(token []byte) (*Info, error) {
	sd, err := cms.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if !sd.ContentType.Equal(cms.OIDTSTInfo) || sd.Content == nil {
		return nil, fmt.Errorf("%w: content type %v, want encapsulated id-ct-TSTInfo", ErrBadToken, sd.ContentType)
	}
	cert, err := sd.SignerCertificate()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if err := sd.VerifySignature(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if err := sd.CheckSigningCertificate(cert); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	t, err := parseTSTInfo(sd.Content)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	info := &Info{
		GenTime:       t.genTime,
		Serial:        t.serial,
		Policy:        t.policy,
		Hash:          t.hash,
		HashedMessage: t.hashed,
		Certificate:   cert,
		Certificates:  sd.Certificates,
		nonceDER:      t.nonce,
	}
	if t.nonce != nil {
		info.Nonce = new(big.Int)
		if s := cryptobyte.String(t.nonce); !s.ReadASN1Integer(info.Nonce) {
			return nil, fmt.Errorf("%w: nonce", ErrBadToken) // readNonce checked it already
		}
	}
	return info, nil
}

// checkTSACertificate checks what RFC 3161 §2.3 asks of a time-stamping
// certificate: exactly one extended key usage extension, critical, with
// id-kp-timeStamping as its only purpose; and, when the certificate has a
// key usage extension, digitalSignature or nonRepudiation in it.
func checkTSACertificate(cert *x509.Certificate) error {
	n, critical := 0, false
	for _, e := range cert.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			n++
			critical = e.Critical
		}
	}
	switch {
	case n != 1:
		return fmt.Errorf("%w: %q has %d extended key usage extensions, want 1", ErrBadTSACertificate, cert.Subject.String(), n)
	case !critical:
		return fmt.Errorf("%w: %q: the extended key usage extension is not critical", ErrBadTSACertificate, cert.Subject.String())
	case len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(cert.UnknownExtKeyUsage) != 0:
		return fmt.Errorf("%w: %q: extended key usage is not timeStamping alone", ErrBadTSACertificate, cert.Subject.String())
	case cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		return fmt.Errorf("%w: %q: key usage allows neither digitalSignature nor nonRepudiation", ErrBadTSACertificate, cert.Subject.String())
	}
	return nil
}

// checkValidAt checks that t is within cert's validity period.
func checkValidAt(cert *x509.Certificate, t time.Time) error {
	if t.Before(cert.NotBefore) || t.After(cert.NotAfter) {
		return fmt.Errorf("%w: %q is valid from %s to %s, not at %s", ErrBadTSACertificate, cert.Subject.String(),
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	return nil
}
