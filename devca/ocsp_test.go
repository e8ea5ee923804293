package devca

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ocspRequest makes a DER OCSP request for cert, with a nonce when nonce is
// not nil.
func ocspRequest(t testing.TB, cert, issuer *x509.Certificate, hash crypto.Hash, nonce []byte) []byte {
	t.Helper()
	der, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: hash})
	if err != nil {
		t.Fatal(err)
	}
	if nonce == nil {
		return der
	}
	var req ocspRequestASN1
	if _, err := asn1.Unmarshal(der, &req); err != nil {
		t.Fatal(err)
	}
	v, err := asn1.Marshal(nonce)
	if err != nil {
		t.Fatal(err)
	}
	req.TBS.Extensions = []pkix.Extension{{Id: oidOCSPNonce, Value: v}}
	if der, err = asn1.Marshal(req); err != nil {
		t.Fatal(err)
	}
	return der
}

// responseNonce returns the nonce of a successful response, or nil.
func responseNonce(t testing.TB, der []byte) []byte {
	t.Helper()
	var resp ocspResponseASN1
	if _, err := asn1.Unmarshal(der, &resp); err != nil {
		t.Fatal(err)
	}
	var basic basicResponseASN1
	if _, err := asn1.Unmarshal(resp.Bytes.Response, &basic); err != nil {
		t.Fatal(err)
	}
	var data responseDataASN1
	if _, err := asn1.Unmarshal(basic.TBS.FullBytes, &data); err != nil {
		t.Fatal(err)
	}
	for _, e := range data.Extensions {
		if e.Id.Equal(oidOCSPNonce) {
			var n []byte
			if _, err := asn1.Unmarshal(e.Value, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	return nil
}

func TestOCSP(t *testing.T) {
	caKinds(t, func(t *testing.T, ca *CA, dir string) {
		leaf := newSigner(t, ca, now)
		revoked := newSigner(t, ca, now)
		unspecified := newSigner(t, ca, now)
		revokedAt := now.Add(time.Hour)
		if err := ca.Revoke(dir, revoked.SerialNumber, ReasonKeyCompromise, revokedAt); err != nil {
			t.Fatal(err)
		}
		if err := ca.Revoke(dir, unspecified.SerialNumber, ReasonUnspecified, revokedAt); err != nil {
			t.Fatal(err)
		}
		other, err := New(rand.Reader, now, Options{})
		if err != nil {
			t.Fatal(err)
		}
		stranger := newSigner(t, other, now)
		unissued := &x509.Certificate{SerialNumber: big.NewInt(0x4242)}
		later := revokedAt.Add(time.Minute)

		tests := []struct {
			name         string
			cert, issuer *x509.Certificate
			hash         crypto.Hash
			at           time.Time
			wantStatus   int
			wantReason   int
		}{
			{"good", leaf, ca.Issuing, crypto.SHA1, later, ocsp.Good, 0},
			{"good, SHA-256 CertID", leaf, ca.Issuing, crypto.SHA256, later, ocsp.Good, 0},
			{"revoked", revoked, ca.Issuing, crypto.SHA1, later, ocsp.Revoked, ReasonKeyCompromise},
			{"revoked, no reason", unspecified, ca.Issuing, crypto.SHA1, later, ocsp.Revoked, ReasonUnspecified},
			{"before its revocation", revoked, ca.Issuing, crypto.SHA1, revokedAt.Add(-time.Second), ocsp.Good, 0},
			{"never issued", unissued, ca.Issuing, crypto.SHA1, later, ocsp.Unknown, 0},
			{"issuing CA, from the root", ca.Issuing, ca.Root, crypto.SHA384, later, ocsp.Good, 0},
			{"not the issuing CA, from the root", leaf, ca.Root, crypto.SHA1, later, ocsp.Unknown, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				der, err := ca.respondOCSP(ocspRequest(t, tt.cert, tt.issuer, tt.hash, nil), tt.at, dir)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := ocsp.ParseResponseForCert(der, tt.cert, tt.issuer)
				if err != nil {
					t.Fatalf("parse response: %v", err)
				}
				if resp.Status != tt.wantStatus {
					t.Errorf("status %d, want %d", resp.Status, tt.wantStatus)
				}
				if resp.Certificate != nil {
					t.Error("response carries a certificate; the CA signs directly")
				}
				if resp.IssuerHash != tt.hash {
					t.Errorf("CertID hash %v, want the request's %v", resp.IssuerHash, tt.hash)
				}
				if !resp.ThisUpdate.Equal(tt.at.Truncate(time.Second)) || !resp.NextUpdate.Equal(resp.ThisUpdate.Add(OCSPValidity)) || !resp.ProducedAt.Equal(resp.ThisUpdate) {
					t.Errorf("thisUpdate %v nextUpdate %v producedAt %v, want %v and a day later", resp.ThisUpdate, resp.NextUpdate, resp.ProducedAt, tt.at)
				}
				if tt.wantStatus == ocsp.Revoked && (resp.RevocationReason != tt.wantReason || !resp.RevokedAt.Equal(revokedAt)) {
					t.Errorf("revoked: reason %d at %v, want %d at %v", resp.RevocationReason, resp.RevokedAt, tt.wantReason, revokedAt)
				}
				if kh, _ := publicKeyHash(tt.issuer); !bytes.Equal(resp.ResponderKeyHash, kh) {
					t.Error("responder ID is not the signing CA's key hash")
				}
			})
		}

		errorTests := []struct {
			name string
			req  []byte
			want ocsp.ResponseStatus
		}{
			{"another CA's certificate", ocspRequest(t, stranger, other.Issuing, crypto.SHA1, nil), ocsp.Unauthorized},
			{"garbage", []byte("not an OCSP request"), ocsp.Malformed},
			{"empty", nil, ocsp.Malformed},
			{"too large", make([]byte, MaxOCSPRequest+1), ocsp.Malformed},
			{"two certificates", twoCertRequest(t, leaf, revoked, ca.Issuing), ocsp.Malformed},
			{"trailing bytes", append(ocspRequest(t, leaf, ca.Issuing, crypto.SHA1, nil), 0), ocsp.Malformed},
		}
		for _, tt := range errorTests {
			der, err := ca.respondOCSP(tt.req, later, dir)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			_, err = ocsp.ParseResponse(der, nil)
			var re ocsp.ResponseError
			if !errors.As(err, &re) || re.Status != tt.want {
				t.Errorf("%s: response %v, want status %v", tt.name, err, tt.want)
			}
		}
	})
}

func twoCertRequest(t *testing.T, a, b, issuer *x509.Certificate) []byte {
	var ra, rb ocspRequestASN1
	asn1.Unmarshal(ocspRequest(t, a, issuer, crypto.SHA1, nil), &ra)
	asn1.Unmarshal(ocspRequest(t, b, issuer, crypto.SHA1, nil), &rb)
	ra.TBS.RequestList = append(ra.TBS.RequestList, rb.TBS.RequestList...)
	der, err := asn1.Marshal(ra)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestOCSPNonce(t *testing.T) {
	ca, err := New(rand.Reader, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	leaf := newSigner(t, ca, now)
	for _, tt := range []struct {
		name  string
		nonce []byte
		echo  bool
	}{
		{"none", nil, false},
		{"16 bytes", bytes.Repeat([]byte{7}, 16), true},
		{"32 bytes", bytes.Repeat([]byte{8}, 32), true},
		{"1 byte", []byte{9}, true},
		{"33 bytes", bytes.Repeat([]byte{1}, 33), false},
	} {
		der, err := ca.OCSP(ocspRequest(t, leaf, ca.Issuing, crypto.SHA1, tt.nonce), now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ocsp.ParseResponseForCert(der, leaf, ca.Issuing); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := responseNonce(t, der)
		if tt.echo && !bytes.Equal(got, tt.nonce) || !tt.echo && got != nil {
			t.Errorf("%s: response nonce %x, want echoed %v", tt.name, got, tt.echo)
		}
	}
}

// TestOCSPDeterministic: the same question at the same time gets the same
// bytes (RFC 6979 signatures, producedAt from the clock given).
func TestOCSPDeterministic(t *testing.T) {
	ca, err := New(rand.Reader, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	req := ocspRequest(t, newSigner(t, ca, now), ca.Issuing, crypto.SHA1, nil)
	a, err := ca.OCSP(req, now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ca.OCSP(req, now)
	if !bytes.Equal(a, b) {
		t.Error("two responses to one request at one time differ")
	}
}
