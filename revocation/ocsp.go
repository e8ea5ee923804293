package revocation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSP asks the certificate's OCSP responders, in order, for its status and
// returns the first response that passes every check (see the package doc),
// raw and parsed. A revoked answer ends the search: it is returned with a
// *RevokedError. Otherwise the error joins what went wrong with each
// responder; a certificate without http(s) OCSP URL gives ErrNoSource.
func (f *Fetcher) OCSP(ctx context.Context, cert, issuer *x509.Certificate, at time.Time) ([]byte, *ocsp.Response, error) {
	urls := httpURLs(cert.OCSPServer)
	if len(urls) == 0 {
		return nil, nil, ErrNoSource
	}
	req, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("OCSP request: %w", err)
	}
	var errs []error
	for _, u := range urls {
		der, err := f.fetch(ctx, u, "application/ocsp-request", req, DefaultMaxOCSPSize)
		if err != nil {
			errs = append(errs, fmt.Errorf("OCSP %s: %w", u, err))
			continue
		}
		resp, err := checkOCSP(der, cert, issuer, at, f.skew())
		var re *RevokedError
		if errors.As(err, &re) {
			re.URL = u
			return der, resp, err
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("OCSP %s: %w", u, err))
			continue
		}
		return der, resp, nil
	}
	return nil, nil, errors.Join(errs...)
}

// checkOCSP checks a DER OCSP response about cert, issued by issuer, for
// time at. A revoked status is returned with the response and a
// *RevokedError.
func checkOCSP(der []byte, cert, issuer *x509.Certificate, at time.Time, skew time.Duration) (*ocsp.Response, error) {
	// With a nil issuer x/crypto checks only the signature by an embedded
	// certificate; who may sign is decided below.
	resp, err := ocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) && (re.Status == ocsp.TryLater || re.Status == ocsp.InternalError) {
			return nil, fmt.Errorf("%w: responder says %v", ErrUnavailable, re.Status)
		}
		return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	signer, err := ocspSigner(resp, issuer, at, skew)
	if err != nil {
		return nil, err
	}
	if err := checkResponderID(resp, signer); err != nil {
		return nil, err
	}
	if err := checkCertID(der, cert, issuer, resp.IssuerHash); err != nil {
		return nil, err
	}
	if resp.Status == ocsp.Revoked {
		return resp, &RevokedError{Serial: cert.SerialNumber, Subject: cert.Subject.String(), Reason: resp.RevocationReason, Time: resp.RevokedAt, Source: "OCSP"}
	}
	if err := fresh(resp.ThisUpdate, resp.NextUpdate, at, skew); err != nil {
		return nil, err
	}
	if resp.Status != ocsp.Good {
		return nil, ErrUnknown
	}
	return resp, nil
}

// ocspSigner returns the certificate whose key signed the response: the
// issuer, or a delegated responder the issuer authorised.
func ocspSigner(resp *ocsp.Response, issuer *x509.Certificate, at time.Time, skew time.Duration) (*x509.Certificate, error) {
	rc := resp.Certificate
	if rc == nil {
		if err := resp.CheckSignatureFrom(issuer); err != nil {
			return nil, fmt.Errorf("%w: not signed by the issuer: %w", ErrBadResponse, err)
		}
		return issuer, nil
	}
	// x/crypto has checked the response's signature with rc.
	if bytes.Equal(rc.Raw, issuer.Raw) {
		return issuer, nil
	}
	if err := rc.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("%w: responder certificate %q is not issued by the issuer: %w", ErrBadResponse, rc.Subject.CommonName, err)
	}
	if !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return nil, fmt.Errorf("%w: responder certificate %q lacks id-kp-OCSPSigning", ErrBadResponse, rc.Subject.CommonName)
	}
	if at.Add(skew).Before(rc.NotBefore) || at.Add(-skew).After(rc.NotAfter) {
		return nil, fmt.Errorf("%w: responder certificate %q is not valid at %s", ErrBadResponse, rc.Subject.CommonName, at.UTC().Format(time.RFC3339))
	}
	return rc, nil
}

func checkResponderID(resp *ocsp.Response, signer *x509.Certificate) error {
	if resp.RawResponderName != nil {
		if !bytes.Equal(resp.RawResponderName, signer.RawSubject) {
			return fmt.Errorf("%w: responder ID names another signer", ErrBadResponse)
		}
		return nil
	}
	kh, err := keyHash(signer, crypto.SHA1)
	if err != nil || !bytes.Equal(kh, resp.ResponderKeyHash) {
		return fmt.Errorf("%w: responder ID is another key's hash", ErrBadResponse)
	}
	return nil
}

// keyHash hashes a certificate's subjectPublicKey bits.
func keyHash(c *x509.Certificate, h crypto.Hash) ([]byte, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	if h == crypto.SHA1 {
		s := sha1.Sum(spki.PublicKey.RightAlign())
		return s[:], nil
	}
	if !h.Available() {
		return nil, fmt.Errorf("hash %v unavailable", h)
	}
	w := h.New()
	w.Write(spki.PublicKey.RightAlign())
	return w.Sum(nil), nil
}

// The parts of a response x/crypto/ocsp does not expose: the CertID's issuer
// hashes and the response extensions.
type ocspResponseASN1 struct {
	Status asn1.Enumerated
	Bytes  struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	} `asn1:"explicit,tag:0,optional"`
}

type basicResponseASN1 struct {
	TBS       responseDataASN1
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseDataASN1 struct {
	Version     int `asn1:"optional,default:0,explicit,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []singleResponseASN1
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type singleResponseASN1 struct {
	CertID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		KeyHash       []byte
		Serial        *big.Int
	}
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

// checkCertID checks that the single response x/crypto picked (the first
// whose serial is cert's) names issuer by its name and key hashes, and that
// the response has no critical response extension.
func checkCertID(der []byte, cert, issuer *x509.Certificate, h crypto.Hash) error {
	var outer ocspResponseASN1
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	var basic basicResponseASN1
	if _, err := asn1.Unmarshal(outer.Bytes.Response, &basic); err != nil {
		return fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	for _, e := range basic.TBS.Extensions {
		if e.Critical {
			return fmt.Errorf("%w: unsupported critical extension %v", ErrBadResponse, e.Id)
		}
	}
	for _, s := range basic.TBS.Responses {
		if s.CertID.Serial == nil || s.CertID.Serial.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		if !h.Available() {
			return fmt.Errorf("%w: CertID hash %v unavailable", ErrBadResponse, h)
		}
		nh := h.New()
		nh.Write(issuer.RawSubject)
		kh, err := keyHash(issuer, h)
		if err != nil || !bytes.Equal(nh.Sum(nil), s.CertID.NameHash) || !bytes.Equal(kh, s.CertID.KeyHash) {
			return fmt.Errorf("%w: the response is about a certificate of another issuer", ErrBadResponse)
		}
		return nil
	}
	return fmt.Errorf("%w: no response for serial %X", ErrBadResponse, cert.SerialNumber)
}
