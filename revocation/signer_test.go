package revocation

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// TestOCSPSigners: who may sign an OCSP response about a certificate.
func TestOCSPSigners(t *testing.T) {
	srv := newStaticServer(t)
	p := newTestPKI(t, "Sở GD&ĐT")
	leaf := p.leaf(t, srv.srv.URL)
	delegated, delegatedKey := p.responder(t, true)
	noEKU, noEKUKey := p.responder(t, false)
	other := newTestPKI(t, "Other")
	foreign, foreignKey := other.responder(t, true)

	good := ocsp.Response{Status: ocsp.Good, SerialNumber: leaf.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	revoked := good
	revoked.Status, revoked.RevokedAt, revoked.RevocationReason = ocsp.Revoked, now.Add(-time.Hour), ocsp.KeyCompromise
	unknown := good
	unknown.Status = ocsp.Unknown
	otherSerial := good
	otherSerial.SerialNumber = big.NewInt(777)
	withCert := func(r ocsp.Response, c *x509.Certificate) ocsp.Response { r.Certificate = c; return r }

	tests := []struct {
		name string
		// issuer goes into the CertID, responder into the responder ID.
		issuer, responder *x509.Certificate
		tmpl              ocsp.Response
		key               crypto.Signer
		wantErr           error
	}{
		{"issuer signs", p.issuing, p.issuing, good, p.issuingKey, nil},
		{"issuer signs, includes itself", p.issuing, p.issuing, withCert(good, p.issuing), p.issuingKey, nil},
		{"delegated responder", p.issuing, delegated, withCert(good, delegated), delegatedKey, nil},
		{"delegated responder, revoked", p.issuing, delegated, withCert(revoked, delegated), delegatedKey, ErrRevoked},
		{"issuer says unknown", p.issuing, p.issuing, unknown, p.issuingKey, ErrUnknown},
		{"responder without OCSPSigning", p.issuing, noEKU, withCert(good, noEKU), noEKUKey, ErrBadResponse},
		{"responder of another CA", p.issuing, foreign, withCert(good, foreign), foreignKey, ErrBadResponse},
		{"the root signs", p.issuing, p.root, good, p.rootKey, ErrBadResponse},
		{"delegated key, certificate not included", p.issuing, delegated, good, delegatedKey, ErrBadResponse},
		{"another CA's issuer signs", p.issuing, other.issuing, good, other.issuingKey, ErrBadResponse},
		{"CertID names another issuer", other.issuing, p.issuing, good, p.issuingKey, ErrBadResponse},
		{"responder ID names another", p.issuing, delegated, good, p.issuingKey, ErrBadResponse},
		{"about another serial", p.issuing, p.issuing, otherSerial, p.issuingKey, ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := ocsp.CreateResponse(tt.issuer, tt.responder, tt.tmpl, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			srv.set(der)
			var f Fetcher
			_, resp, err := f.OCSP(context.Background(), leaf, p.issuing, now)
			if !errors.Is(err, tt.wantErr) || (err != nil && tt.wantErr == nil) {
				t.Fatalf("OCSP = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && resp.Status != ocsp.Good {
				t.Errorf("status %d, want good", resp.Status)
			}
		})
	}

	// A delegated responder certificate that has expired at "at".
	expired := certify(t, &x509.Certificate{Subject: pkix.Name{CommonName: "old responder"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}, p.issuing, delegatedKey.Public(), p.issuingKey)
	der, err := ocsp.CreateResponse(p.issuing, expired, withCert(good, expired), delegatedKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkOCSP(der, leaf, p.issuing, now.Add(400*24*time.Hour), time.Minute); !errors.Is(err, ErrBadResponse) {
		t.Errorf("response by a responder expired at at = %v, want ErrBadResponse", err)
	}
}

var (
	oidTestCritical = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
)

// TestCRLChecks: CRLs that must not be taken as evidence.
func TestCRLChecks(t *testing.T) {
	srv := newStaticServer(t)
	p := newTestPKI(t, "CRL")
	leaf := p.leaf(t, srv.srv.URL)
	other := newTestPKI(t, "CRL") // same names, other keys
	idp := func(v []byte) pkix.Extension {
		return pkix.Extension{Id: oidIssuingDistPoint, Critical: true, Value: v}
	}
	mustIDP := func(x issuingDistributionPoint) []byte {
		b, err := asn1.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	entry := x509.RevocationListEntry{SerialNumber: leaf.SerialNumber, RevocationTime: now.Add(-time.Hour), ReasonCode: 4}
	tests := []struct {
		name    string
		issuer  *x509.Certificate
		key     crypto.Signer
		tmpl    x509.RevocationList
		pem     bool
		wantErr error
	}{
		{"good", p.issuing, p.issuingKey, x509.RevocationList{}, false, nil},
		{"good, PEM", p.issuing, p.issuingKey, x509.RevocationList{}, true, nil},
		{"revoked", p.issuing, p.issuingKey, x509.RevocationList{RevokedCertificateEntries: []x509.RevocationListEntry{entry}}, false, ErrRevoked},
		{"signed by a look-alike CA", other.issuing, other.issuingKey, x509.RevocationList{}, false, ErrBadResponse},
		{"the root's CRL", p.root, p.rootKey, x509.RevocationList{}, false, ErrBadResponse},
		{"no nextUpdate", p.issuing, p.issuingKey, x509.RevocationList{NextUpdate: time.Time{}}, false, ErrBadResponse},
		{"expired", p.issuing, p.issuingKey, x509.RevocationList{ThisUpdate: now.Add(-48 * time.Hour), NextUpdate: now.Add(-24 * time.Hour)}, false, ErrStale},
		{"from the future", p.issuing, p.issuingKey, x509.RevocationList{ThisUpdate: now.Add(time.Hour), NextUpdate: now.Add(48 * time.Hour)}, false, ErrStale},
		{"delta CRL", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{{Id: oidDeltaCRLIndicator, Critical: true, Value: []byte{2, 1, 1}}}}, false, ErrBadResponse},
		{"unknown critical extension", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{{Id: oidTestCritical, Critical: true, Value: []byte{5, 0}}}}, false, ErrBadResponse},
		{"unknown non-critical extension", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{{Id: oidTestCritical, Value: []byte{5, 0}}}}, false, nil},
		{"IDP: user certificates", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{idp(mustIDP(issuingDistributionPoint{OnlyContainsUserCerts: true}))}}, false, nil},
		{"IDP: CA certificates only", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{idp(mustIDP(issuingDistributionPoint{OnlyContainsCACerts: true}))}}, false, ErrBadResponse},
		{"IDP: indirect", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{idp(mustIDP(issuingDistributionPoint{IndirectCRL: true}))}}, false, ErrBadResponse},
		{"IDP: some reasons", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{idp(mustIDP(issuingDistributionPoint{OnlySomeReasons: asn1.BitString{Bytes: []byte{0x40}, BitLength: 2}}))}}, false, ErrBadResponse},
		{"IDP: malformed", p.issuing, p.issuingKey, x509.RevocationList{ExtraExtensions: []pkix.Extension{idp([]byte{0x30, 0x03, 0x81, 0x01})}}, false, ErrBadResponse},
		{"entry with a critical extension", p.issuing, p.issuingKey, x509.RevocationList{RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(5), RevocationTime: now, ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 29}, Critical: true, Value: []byte{0x30, 0}}}}}}, false, ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := tt.tmpl
			tmpl.Number = big.NewInt(1)
			if tmpl.ThisUpdate.IsZero() {
				tmpl.ThisUpdate = now.Add(-time.Hour)
				if tt.name != "no nextUpdate" {
					tmpl.NextUpdate = now.Add(24 * time.Hour)
				}
			}
			var der []byte
			var err error
			if tt.name == "no nextUpdate" {
				der = crlWithoutNextUpdate(t, tt.issuer, tt.key, tmpl.ThisUpdate)
			} else if der, err = x509.CreateRevocationList(rand.Reader, &tmpl, tt.issuer, tt.key); err != nil {
				t.Fatal(err)
			}
			body := der
			if tt.pem {
				body = pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
			}
			srv.set(body)
			got, _, err := (&Fetcher{}).CRL(context.Background(), leaf, p.issuing, now)
			if !errors.Is(err, tt.wantErr) || (err != nil && tt.wantErr == nil) {
				t.Fatalf("CRL = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && string(got) != string(der) {
				t.Error("CRL returned other bytes than the DER CRL served")
			}
		})
	}
}

// crlWithoutNextUpdate builds a v2 CRL with no nextUpdate (Go's
// CreateRevocationList always writes one), signed with ECDSA-SHA256.
func crlWithoutNextUpdate(t *testing.T, issuer *x509.Certificate, key crypto.Signer, thisUpdate time.Time) []byte {
	t.Helper()
	alg := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}
	tbs, err := asn1.Marshal(struct {
		Version    int
		Signature  pkix.AlgorithmIdentifier
		Issuer     asn1.RawValue
		ThisUpdate time.Time `asn1:"utc"`
	}{1, alg, asn1.RawValue{FullBytes: issuer.RawSubject}, thisUpdate.UTC()})
	if err != nil {
		t.Fatal(err)
	}
	h := crypto.SHA256.New()
	h.Write(tbs)
	sig, err := key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, alg, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseRevocationList(der); err != nil {
		t.Fatalf("hand-made CRL does not parse: %v", err)
	}
	return der
}
