package devca

import (
	"crypto"
	"crypto/rand"
	"errors"
	"testing"

	"golang.org/x/crypto/ocsp"
)

// FuzzOCSPRequest feeds the responder arbitrary request bytes, seeded with
// real requests: it must answer every one with a well-formed OCSP response
// (an error status, or a response signed by one of its CAs), never fail.
func FuzzOCSPRequest(f *testing.F) {
	ca, err := New(rand.Reader, now, Options{URL: testURL})
	if err != nil {
		f.Fatal(err)
	}
	leaf := newSigner(f, ca, now)
	revoked := newSigner(f, ca, now)
	if err := ca.Revoke("", revoked.SerialNumber, ReasonKeyCompromise, now); err != nil {
		f.Fatal(err)
	}
	f.Add(ocspRequest(f, leaf, ca.Issuing, crypto.SHA1, nil))
	f.Add(ocspRequest(f, revoked, ca.Issuing, crypto.SHA256, []byte("0123456789abcdef")))
	f.Add(ocspRequest(f, ca.Issuing, ca.Root, crypto.SHA384, nil))
	f.Add(ocspRequest(f, leaf, ca.Issuing, crypto.SHA512, make([]byte, 40)))
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x30})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, req []byte) {
		resp, err := ca.OCSP(req, now)
		if err != nil {
			t.Fatalf("OCSP failed: %v", err)
		}
		r, err := ocsp.ParseResponse(resp, nil)
		var re ocsp.ResponseError
		if errors.As(err, &re) {
			return
		}
		if err != nil {
			t.Fatalf("the responder wrote a response it cannot parse: %v", err)
		}
		if r.CheckSignatureFrom(ca.Issuing) != nil && r.CheckSignatureFrom(ca.Root) != nil {
			t.Fatal("response signed by neither CA")
		}
	})
}
