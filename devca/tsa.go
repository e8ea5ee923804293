package devca

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"
)

// Extension and key purpose identifiers (RFC 5280 §4.2.1.12).
var (
	oidExtKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidKeyPurposeTimeStamps = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
)

// IssueTimestamping issues a time-stamping authority certificate for pub,
// as RFC 3161 §2.3 requires: extended key usage id-kp-timeStamping as the
// only purpose, in an extension marked critical (crypto/x509 writes the
// extension non-critical, so it is built here), and key usage
// digitalSignature only. It is valid for validity from now (SignerValidity
// if zero), never past the issuing CA. Like IssueSigner it carries the CA's
// revocation URLs when the CA has a base URL and is recorded among the
// issued certificates.
func (ca *CA) IssueTimestamping(rand io.Reader, pub crypto.PublicKey, subj Subject, now time.Time, validity time.Duration) (*x509.Certificate, error) {
	if subj.CommonName == "" {
		return nil, errors.New("time-stamping certificate needs a common name")
	}
	if validity == 0 {
		validity = SignerValidity
	}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidKeyPurposeTimeStamps})
	if err != nil {
		return nil, fmt.Errorf("encode extended key usage: %w", err)
	}
	name := pkix.Name{Country: []string{"VN"}, CommonName: subj.CommonName, SerialNumber: subj.SerialNumber}
	if subj.Organization != "" {
		name.Organization = []string{subj.Organization}
	}
	if subj.Province != "" {
		name.Province = []string{subj.Province}
	}
	if subj.Title != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidTitle, Value: subj.Title})
	}
	notAfter := now.Add(validity)
	if notAfter.After(ca.Issuing.NotAfter) {
		notAfter = ca.Issuing.NotAfter
	}
	tmpl := &x509.Certificate{
		Subject:               name,
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		// ExtraExtensions replace what crypto/x509 would write from
		// ExtKeyUsage, which is left empty.
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
	}
	ca.revocationExtensions(tmpl)
	cert, err := issue(rand, tmpl, ca.Issuing, pub, ca.issuingKey)
	if err != nil {
		return nil, err
	}
	if err := ca.recordIssued(cert); err != nil {
		return nil, err
	}
	return cert, nil
}
