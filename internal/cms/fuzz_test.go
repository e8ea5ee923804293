package cms

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
)

// FuzzParse feeds Parse mutations of real signatures (RSA PKCS#1 and PSS,
// ECDSA, detached and encapsulated, with unsigned attributes). Whatever
// parses must survive every method without panicking, and
// AddUnsignedAttribute must give output that parses again with the same
// signature value.
func FuzzParse(f *testing.F) {
	content := []byte("seed content")
	rsaKey := mustRSA(f, 2048)
	ecKey := mustECDSA(f, elliptic.P256())
	rsaChain := chainFor(f, rsaKey.Public(), "Nguyễn Văn Nghĩa")
	ecChain := chainFor(f, ecKey.Public(), "Lê Hoàng Phúc")
	seeds := []struct {
		chainRSA bool
		opts     Options
	}{
		{true, Options{}},
		{true, Options{PSS: true, Content: content, ContentType: OIDTSTInfo}},
		{false, Options{SigningTime: testNow}},
		{false, Options{Content: content, UnsignedAttributes: []Attribute{{Type: OIDSignatureTimeStampToken, Values: [][]byte{{0x05, 0x00}}}}}},
		{false, Options{OmitCertificates: true}},
	}
	for _, s := range seeds {
		var key crypto.Signer = ecKey
		chain := ecChain
		if s.chainRSA {
			key, chain = rsaKey, rsaChain
		}
		der, err := Sign(rand.Reader, digestOf(0, content), key, chain, s.opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		sd, err := Parse(der)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrUnsupportedHash) {
				t.Fatalf("Parse error %v wraps no parse sentinel", err)
			}
			return
		}
		_ = sd.VerifySignature()
		_ = sd.VerifyDetached(digestOf(sd.Signer.Hash, content))
		_, _ = sd.SignerCertificate()
		for _, c := range sd.Certificates {
			_ = sd.CheckSigningCertificate(c)
		}
		sv, err := SignatureValue(der)
		if err != nil || !bytes.Equal(sv, sd.Signer.Signature) {
			t.Fatalf("SignatureValue = %v after Parse succeeded", err)
		}
		more, err := AddUnsignedAttribute(der, Attribute{Type: OIDSignatureTimeStampToken, Values: [][]byte{{0x05, 0x00}}})
		if err != nil {
			if len(sd.Signer.rawUnsigned) == maxAttributes || len(der) > MaxParseSize-64 {
				return
			}
			t.Fatalf("AddUnsignedAttribute: %v", err)
		}
		sv2, err := SignatureValue(more)
		if err != nil || !bytes.Equal(sv, sv2) {
			t.Fatalf("after AddUnsignedAttribute: %v, signature value changed = %v", err, !bytes.Equal(sv, sv2))
		}
	})
}
