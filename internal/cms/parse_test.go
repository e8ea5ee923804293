package cms

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kyso-vn/kyso/internal/testenv"
)

func TestAddUnsignedAttribute(t *testing.T) {
	key := mustECDSA(t, elliptic.P256())
	chain := chainFor(t, key.Public(), "Võ Thị Sáu")
	content := []byte("signed bytes")
	signed, err := Sign(rand.Reader, digestOf(0, content), key, chain, Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := SignatureValue(signed)
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in for a TimeStampToken: any DER value will do here (package
	// tsa tests the real thing).
	token1 := derUTF8(t, "token one")
	token2 := derUTF8(t, "token two")
	once, err := AddUnsignedAttribute(signed, Attribute{Type: OIDSignatureTimeStampToken, Values: [][]byte{token1}})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := AddUnsignedAttribute(once, Attribute{Type: OIDSignatureTimeStampToken, Values: [][]byte{token2}})
	if err != nil {
		t.Fatal(err)
	}
	for name, der := range map[string][]byte{"once": once, "twice": twice} {
		after, err := SignatureValue(der)
		if err != nil || !bytes.Equal(after, before) {
			t.Errorf("%s: signature value changed: %v", name, err)
		}
		if err := opensslVerify(t, der, content, chain[2]); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	sd, err := Parse(twice)
	if err != nil {
		t.Fatal(err)
	}
	un := sd.Signer.UnsignedAttributes
	if len(un) != 2 || !bytes.Equal(un[0].Values[0], token1) || !bytes.Equal(un[1].Values[0], token2) {
		t.Errorf("unsigned attributes = %+v, want token one then token two", un)
	}
	if err := sd.VerifyDetached(digestOf(0, content)); err != nil {
		t.Error(err)
	}
	// Only the SignerInfo changed: everything before it is byte-identical.
	orig, _ := Parse(signed)
	if !bytes.Equal(orig.rawCerts, sd.rawCerts) || !bytes.Equal(orig.Signer.rawSignedAttrs, sd.Signer.rawSignedAttrs) {
		t.Error("AddUnsignedAttribute changed the certificates or the signed attributes")
	}

	bad := []struct {
		name string
		in   []byte
		attr Attribute
		want error
	}{
		{"garbage", []byte("not DER"), Attribute{Type: OIDSignatureTimeStampToken, Values: [][]byte{token1}}, ErrMalformed},
		{"no value", signed, Attribute{Type: OIDSignatureTimeStampToken}, ErrBadAttribute},
		{"value not DER", signed, Attribute{Type: OIDSignatureTimeStampToken, Values: [][]byte{{0x30, 0x05}}}, ErrBadAttribute},
		{"bad type", signed, Attribute{Type: asn1.ObjectIdentifier{3}, Values: [][]byte{token1}}, ErrBadAttribute},
	}
	for _, tt := range bad {
		if _, err := AddUnsignedAttribute(tt.in, tt.attr); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestParseOpenSSL reads CMS made by OpenSSL: the parser is not only
// tested against this package's own writer.
func TestParseOpenSSL(t *testing.T) {
	openssl := testenv.NeedTool(t, "openssl")
	tests := []struct {
		name string
		key  crypto.Signer
		args []string
	}{
		{"rsa pkcs1", mustRSA(t, 2048), nil},
		{"rsa pss", mustRSA(t, 2048), []string{"-keyopt", "rsa_padding_mode:pss"}},
		{"p384 sha384", mustECDSA(t, elliptic.P384()), []string{"-md", "sha384"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			chain := chainFor(t, tt.key.Public(), "Nguyễn Thị Minh Khai")
			content := []byte("nội dung")
			data := filepath.Join(dir, "data")
			os.WriteFile(data, content, 0o600)
			out := filepath.Join(dir, "sig.der")
			args := append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-in", data, "-out", out,
				"-signer", writePEM(t, dir, "leaf.pem", chain[0]), "-inkey", writeKeyPEM(t, dir, "key.pem", tt.key),
				"-certfile", writePEM(t, dir, "chain.pem", chain[1:]...)}, tt.args...)
			if b, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl cms -sign: %v\n%s", err, b)
			}
			der, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := Parse(der)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := sd.VerifyDetached(digestOf(sd.Signer.Hash, content)); err != nil {
				t.Errorf("VerifyDetached: %v", err)
			}
			// openssl cms -sign writes no ESS signing-certificate attribute.
			if err := sd.CheckSigningCertificate(chain[0]); !errors.Is(err, ErrBadAttribute) {
				t.Errorf("CheckSigningCertificate: got %v, want ErrBadAttribute", err)
			}
			// Adding an attribute keeps OpenSSL's own signature valid.
			more, err := AddUnsignedAttribute(der, Attribute{Type: oidTestAttr, Values: [][]byte{derUTF8(t, "x")}})
			if err != nil {
				t.Fatal(err)
			}
			if err := opensslVerify(t, more, content, chain[2]); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestVerifyDetectsTampering changes one part of a signature at a time.
func TestVerifyDetectsTampering(t *testing.T) {
	key := mustRSA(t, 2048)
	chain := chainFor(t, key.Public(), "Hoàng Văn Thụ")
	content := []byte("content")
	signed, err := Sign(rand.Reader, digestOf(0, content), key, chain, Options{Content: content, ContentType: OIDTSTInfo})
	if err != nil {
		t.Fatal(err)
	}
	flip := func(old []byte) []byte {
		i := bytes.Index(signed, old)
		if i < 0 {
			t.Fatalf("%x not found", old)
		}
		out := bytes.Clone(signed)
		out[i+len(old)-1] ^= 1
		return out
	}
	sd, _ := Parse(signed)
	certHash := sha256.Sum256(chain[0].Raw) // inside signing-certificate-v2
	tests := []struct {
		name string
		der  []byte
		want error
	}{
		{"content", flip(append([]byte{0x04, byte(len(content))}, content...)), ErrDigestMismatch},
		{"signature", flip(sd.Signer.Signature), ErrBadSignature},
		{"signed attribute", flip(certHash[:]), ErrBadSignature},
		{"serial number in sid", flip(sd.Signer.rawSID), ErrNoCertificate},
		{"trailing byte", append(bytes.Clone(signed), 0), ErrMalformed},
		{"truncated", signed[:len(signed)-1], ErrMalformed},
		{"too large", make([]byte, MaxParseSize+1), ErrMalformed},
		{"empty", nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd, err := Parse(tt.der)
			if err == nil {
				err = sd.VerifySignature()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	// Without certificates the signer cannot be found.
	bare, err := Sign(rand.Reader, digestOf(0, content), key, chain, Options{OmitCertificates: true})
	if err != nil {
		t.Fatal(err)
	}
	sd, err = Parse(bare)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Certificates) != 0 {
		t.Errorf("OmitCertificates: %d certificates", len(sd.Certificates))
	}
	if err := sd.VerifyDetached(digestOf(0, content)); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("VerifyDetached without certificates: got %v, want ErrNoCertificate", err)
	}
	if err := sd.VerifySignature(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("VerifySignature on detached content: got %v, want ErrUnsupported", err)
	}
}
