package devca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSPValidity is how long after its thisUpdate an OCSP response's
// nextUpdate falls.
const OCSPValidity = 24 * time.Hour

// MaxOCSPRequest is the largest OCSP request OCSP parses and Handler reads.
const MaxOCSPRequest = 4096

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
)

// The request and response as RFC 6960 §4 writes them, as far as this
// responder reads or writes them. golang.org/x/crypto/ocsp parses the
// CertID; its CreateResponse cannot be used because it stamps producedAt
// with the wall clock and cannot carry a response extension (the nonce).
type ocspRequestASN1 struct {
	TBS       tbsRequestASN1
	Signature asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type tbsRequestASN1 struct {
	Version       int           `asn1:"explicit,tag:0,default:0,optional"`
	RequestorName asn1.RawValue `asn1:"explicit,tag:1,optional"`
	RequestList   []singleRequestASN1
	Extensions    []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type singleRequestASN1 struct {
	CertID     asn1.RawValue
	Extensions []pkix.Extension `asn1:"explicit,tag:0,optional"`
}

type ocspResponseASN1 struct {
	Status asn1.Enumerated
	Bytes  responseBytesASN1 `asn1:"explicit,tag:0,optional"`
}

type responseBytesASN1 struct {
	Type     asn1.ObjectIdentifier
	Response []byte
}

type basicResponseASN1 struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type responseDataASN1 struct {
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []singleResponseASN1
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type singleResponseASN1 struct {
	CertID     asn1.RawValue
	CertStatus asn1.RawValue
	ThisUpdate time.Time `asn1:"generalized"`
	NextUpdate time.Time `asn1:"generalized,explicit,tag:0,optional"`
}

type revokedInfoASN1 struct {
	Time   time.Time       `asn1:"generalized"`
	Reason asn1.Enumerated `asn1:"explicit,tag:0,optional"`
}

// OCSP answers a DER OCSP request as of now and returns the DER response
// (see the package doc for what it answers). A request it cannot parse, or
// one about another CA's certificate, gets an OCSP error response
// (malformedRequest, unauthorized), not a Go error: the error result is for
// failures of the CA itself (its store unreadable, signing failed). It reads
// the CA's own store; Handler serves it at /ocsp.
func (ca *CA) OCSP(req []byte, now time.Time) ([]byte, error) {
	return ca.respondOCSP(req, now, "")
}

func (ca *CA) respondOCSP(der []byte, now time.Time, dir string) ([]byte, error) {
	if len(der) > MaxOCSPRequest {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	// x/crypto checks the request and decodes the hash algorithm; the second
	// parse reads what it drops: the raw CertID, the request count, the
	// nonce.
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	var raw ocspRequestASN1
	if rest, err := asn1.Unmarshal(der, &raw); err != nil || len(rest) != 0 || len(raw.TBS.RequestList) != 1 {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	now = now.UTC().Truncate(time.Second)

	issuer, key, issuerName := ca.Issuing, ca.issuingKey, issuingName
	switch {
	case matchesIssuer(req, ca.Issuing):
	case matchesIssuer(req, ca.Root):
		issuer, key, issuerName = ca.Root, ca.rootKey, rootName
	default:
		return ocsp.UnauthorizedErrorResponse, nil
	}

	status := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2} // unknown
	if issuerName == rootName {
		if req.SerialNumber.Cmp(ca.Issuing.SerialNumber) == 0 {
			status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0} // good
		}
	} else {
		st := ca.store(dir)
		_, err := st.issued(req.SerialNumber)
		switch {
		case errors.Is(err, ErrUnknownSerial):
		case err != nil:
			return nil, err
		default:
			status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0}
			list, err := st.revocations()
			if err != nil {
				return nil, err
			}
			for _, r := range list {
				if r.Serial.Cmp(req.SerialNumber) != 0 || r.Time.After(now) {
					continue
				}
				info := revokedInfoASN1{Time: r.Time.UTC(), Reason: asn1.Enumerated(r.Reason)}
				b, err := asn1.Marshal(info)
				if err != nil {
					return nil, err
				}
				// [1] IMPLICIT RevokedInfo: the SEQUENCE's content under tag 1.
				var seq asn1.RawValue
				if _, err := asn1.Unmarshal(b, &seq); err != nil {
					return nil, err
				}
				status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: seq.Bytes}
			}
		}
	}

	keyHash, err := publicKeyHash(issuer)
	if err != nil {
		return nil, err
	}
	keyHashDER, err := asn1.Marshal(keyHash)
	if err != nil {
		return nil, err
	}
	data := responseDataASN1{
		ResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, IsCompound: true, Bytes: keyHashDER}, // byKey
		ProducedAt:  now,
		Responses: []singleResponseASN1{{
			CertID:     asn1.RawValue{FullBytes: raw.TBS.RequestList[0].CertID.FullBytes},
			CertStatus: status,
			ThisUpdate: now,
			NextUpdate: now.Add(OCSPValidity),
		}},
	}
	if nonce, ok := requestNonce(raw.TBS.Extensions); ok {
		data.Extensions = []pkix.Extension{nonce}
	}
	tbs, err := asn1.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("OCSP response: %w", err)
	}
	hash, alg, err := signatureAlgorithm(key)
	if err != nil {
		return nil, err
	}
	h := hash.New()
	h.Write(tbs)
	// A nil random source makes ECDSA use RFC 6979 deterministic nonces (and
	// PKCS #1 v1.5 needs none): OCSP takes no randomness.
	sig, err := key.Sign(nil, h.Sum(nil), hash)
	if err != nil {
		return nil, fmt.Errorf("sign OCSP response: %w", err)
	}
	basic, err := asn1.Marshal(basicResponseASN1{
		TBS:       asn1.RawValue{FullBytes: tbs},
		Algorithm: alg,
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(ocspResponseASN1{
		Status: asn1.Enumerated(ocsp.Success),
		Bytes:  responseBytesASN1{Type: oidOCSPBasic, Response: basic},
	})
}

// matchesIssuer reports whether the request's issuer name and key hashes
// are those of issuer.
func matchesIssuer(req *ocsp.Request, issuer *x509.Certificate) bool {
	if !req.HashAlgorithm.Available() {
		return false
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return false
	}
	h := req.HashAlgorithm.New()
	h.Write(issuer.RawSubject)
	if !bytes.Equal(h.Sum(nil), req.IssuerNameHash) {
		return false
	}
	h.Reset()
	h.Write(spki.PublicKey.RightAlign())
	return bytes.Equal(h.Sum(nil), req.IssuerKeyHash)
}

// publicKeyHash is the SHA-1 of the certificate's subjectPublicKey bits
// (RFC 6960's KeyHash).
func publicKeyHash(c *x509.Certificate) ([]byte, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	h := sha1.Sum(spki.PublicKey.RightAlign())
	return h[:], nil
}

// requestNonce returns the nonce extension to echo: one whose value is an
// OCTET STRING of 1 to 32 bytes (RFC 8954 lets a responder ignore others).
func requestNonce(exts []pkix.Extension) (pkix.Extension, bool) {
	for _, e := range exts {
		if !e.Id.Equal(oidOCSPNonce) {
			continue
		}
		var n []byte
		if rest, err := asn1.Unmarshal(e.Value, &n); err != nil || len(rest) != 0 || len(n) < 1 || len(n) > 32 {
			return pkix.Extension{}, false
		}
		return pkix.Extension{Id: oidOCSPNonce, Value: e.Value}, true
	}
	return pkix.Extension{}, false
}

var (
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
)

// signatureAlgorithm picks the hash and algorithm identifier for a CA key.
func signatureAlgorithm(key crypto.Signer) (crypto.Hash, pkix.AlgorithmIdentifier, error) {
	switch pub := key.Public().(type) {
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			return crypto.SHA256, pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, nil
		case elliptic.P384():
			return crypto.SHA384, pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA384}, nil
		case elliptic.P521():
			return crypto.SHA512, pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA512}, nil
		}
	case *rsa.PublicKey:
		return crypto.SHA256, pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, nil
	}
	return 0, pkix.AlgorithmIdentifier{}, fmt.Errorf("OCSP signing: unsupported CA key %T", key.Public())
}
