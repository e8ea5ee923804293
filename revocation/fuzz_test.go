package revocation

import (
	"crypto/rand"
	"crypto/x509"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/kyso-vn/kyso/devca"
)

// fuzzCA makes a development CA, a leaf, and real evidence about the leaf
// before and after its revocation.
func fuzzCA(f *testing.F) (ca *devca.CA, leaf *x509.Certificate, ocspSeeds, crlSeeds [][]byte) {
	ca, err := devca.New(rand.Reader, now, devca.Options{URL: "http://127.0.0.1:8789"})
	if err != nil {
		f.Fatal(err)
	}
	leaf, err = ca.IssueSigner(rand.Reader, newKey(f).Public(), devca.Subject{CommonName: "Phạm Thị Lan"}, now, 0)
	if err != nil {
		f.Fatal(err)
	}
	req := mustRequest(f, leaf, ca.Issuing)
	evidence := func() {
		o, err := ca.OCSP(req, now)
		if err != nil {
			f.Fatal(err)
		}
		c, err := ca.CRL(rand.Reader, now)
		if err != nil {
			f.Fatal(err)
		}
		ocspSeeds = append(ocspSeeds, o)
		crlSeeds = append(crlSeeds, c)
	}
	evidence()
	if err := ca.Revoke("", leaf.SerialNumber, devca.ReasonKeyCompromise, now.Add(-time.Hour)); err != nil {
		f.Fatal(err)
	}
	evidence()
	ocspSeeds = append(ocspSeeds, ocsp.TryLaterErrorResponse, []byte{0x30, 0x00})
	crlSeeds = append(crlSeeds, []byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"), []byte{0x30, 0x00})
	return ca, leaf, ocspSeeds, crlSeeds
}

// FuzzCheckOCSP: any bytes an OCSP responder sends are either accepted as a
// good response or refused with one of the package's errors; nothing
// panics.
func FuzzCheckOCSP(f *testing.F) {
	ca, leaf, seeds, _ := fuzzCA(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		resp, err := checkOCSP(der, leaf, ca.Issuing, now, DefaultSkew)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v is none of the package's", err)
			}
			return
		}
		if resp == nil || resp.Status != ocsp.Good {
			t.Fatalf("accepted a response that is not good: %+v", resp)
		}
	})
}

// FuzzCheckCRL: the same for the bytes a CRL server sends.
func FuzzCheckCRL(f *testing.F) {
	ca, leaf, _, seeds := fuzzCA(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		der, err := crlDER(data)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v is none of the package's", err)
			}
			return
		}
		crl, err := checkCRL(der, leaf, ca.Issuing, now, DefaultSkew)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v is none of the package's", err)
			}
			return
		}
		if crl == nil {
			t.Fatal("accepted without a CRL")
		}
	})
}
