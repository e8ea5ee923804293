package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"io"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// oidTestAttr is a private attribute type for tests (under the UUID arc).
var oidTestAttr = asn1.ObjectIdentifier{2, 25, 1, 2, 3}

func derUTF8(t testing.TB, s string) []byte {
	t.Helper()
	b, err := der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSignOpenSSL signs with every supported key kind and option, and has
// OpenSSL verify each signature against the test root, then checks it
// with this package's parser too.
func TestSignOpenSSL(t *testing.T) {
	content := []byte("%PDF-1.7 bytes of a học bạ, signed by Nguyễn Văn Nghĩa")
	tests := []struct {
		name string
		key  func(t testing.TB) crypto.Signer
		opts Options
		// encapsulate puts content inside the SignedData.
		encapsulate bool
	}{
		{"rsa2048 pkcs1 sha256", func(t testing.TB) crypto.Signer { return mustRSA(t, 2048) }, Options{}, false},
		{"rsa2048 pss sha256", func(t testing.TB) crypto.Signer { return mustRSA(t, 2048) }, Options{PSS: true}, false},
		{"rsa3072 pkcs1 sha384", func(t testing.TB) crypto.Signer { return mustRSA(t, 3072) }, Options{Hash: crypto.SHA384}, false},
		{"rsa3072 pss sha512", func(t testing.TB) crypto.Signer { return mustRSA(t, 3072) }, Options{Hash: crypto.SHA512, PSS: true}, false},
		{"p256 sha256", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P256()) }, Options{}, false},
		{"p384 sha384", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P384()) }, Options{Hash: crypto.SHA384}, false},
		{"p521 sha512", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P521()) }, Options{Hash: crypto.SHA512}, false},
		{"p256 signing time", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P256()) }, Options{SigningTime: testNow}, false},
		{"p256 signing time after 2049", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P256()) }, Options{SigningTime: time.Date(2051, 1, 2, 3, 4, 5, 0, time.UTC)}, false},
		{"rsa2048 encapsulated", func(t testing.TB) crypto.Signer { return mustRSA(t, 2048) }, Options{}, true},
		{"p256 encapsulated TSTInfo type", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P256()) }, Options{ContentType: OIDTSTInfo}, true},
		{"p256 extra attributes", func(t testing.TB) crypto.Signer { return mustECDSA(t, elliptic.P256()) }, Options{
			SignedAttributes:   []Attribute{{Type: oidTestAttr, Values: [][]byte{derUTF8(t, "Bến Tre"), derUTF8(t, "Vĩnh Long")}}},
			UnsignedAttributes: []Attribute{{Type: asn1.ObjectIdentifier{2, 25, 9}, Values: [][]byte{derUTF8(t, "unsigned")}}},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := &countingSigner{Signer: tt.key(t)}
			chain := chainFor(t, key.Public(), "Nguyễn Văn Nghĩa")
			opts := tt.opts
			if tt.encapsulate {
				opts.Content = content
			}
			signed, err := Sign(rand.Reader, digestOf(opts.Hash, content), key, chain, opts)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if n := key.calls.Load(); n != 1 {
				t.Errorf("key.Sign called %d times, want 1", n)
			}
			if max := MaxSize(key.Public(), chain, opts); len(signed) > max {
				t.Errorf("len(Sign) = %d, MaxSize = %d", len(signed), max)
			}
			detached := content
			if tt.encapsulate {
				detached = nil
			}
			if err := opensslVerify(t, signed, detached, chain[2]); err != nil {
				t.Fatal(err)
			}
			// Changed content must fail in OpenSSL too, so the check above
			// means something.
			if !tt.encapsulate {
				if err := opensslVerify(t, signed, append([]byte("x"), content...), chain[2]); err == nil {
					t.Error("openssl accepted the signature over other content")
				}
			}
			checkOwnParse(t, signed, content, chain, opts)
		})
	}
}

// checkOwnParse reads signed back with Parse and checks every field Sign
// promises.
func checkOwnParse(t *testing.T, signed, content []byte, chain []*x509.Certificate, opts Options) {
	t.Helper()
	sd, err := Parse(signed)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	wantType := opts.ContentType
	if wantType == nil {
		wantType = OIDData
	}
	wantVersion := 1
	if !wantType.Equal(OIDData) {
		wantVersion = 3
	}
	if sd.Version != wantVersion || !sd.ContentType.Equal(wantType) || sd.Signer.Version != 1 {
		t.Errorf("versions %d/%d, content type %v; want %d/1, %v", sd.Version, sd.Signer.Version, sd.ContentType, wantVersion, wantType)
	}
	if len(sd.Certificates) != len(chain) {
		t.Fatalf("%d certificates, want %d", len(sd.Certificates), len(chain))
	}
	for i := range chain {
		if !sd.Certificates[i].Equal(chain[i]) {
			t.Errorf("certificate %d is not chain[%d]", i, i)
		}
	}
	if opts.Content != nil {
		if !bytes.Equal(sd.Content, opts.Content) {
			t.Error("encapsulated content differs")
		}
		if err := sd.VerifySignature(); err != nil {
			t.Errorf("VerifySignature: %v", err)
		}
	} else if sd.Content != nil {
		t.Error("detached signature carries content")
	}
	if err := sd.VerifyDetached(digestOf(opts.Hash, content)); err != nil {
		t.Errorf("VerifyDetached: %v", err)
	}
	if err := sd.VerifyDetached(digestOf(opts.Hash, []byte("other"))); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("VerifyDetached(other digest) = %v, want ErrDigestMismatch", err)
	}
	if err := sd.CheckSigningCertificate(chain[0]); err != nil {
		t.Errorf("CheckSigningCertificate(leaf): %v", err)
	}
	if err := sd.CheckSigningCertificate(chain[1]); !errors.Is(err, ErrBadAttribute) {
		t.Errorf("CheckSigningCertificate(issuer) = %v, want ErrBadAttribute", err)
	}
	// The signed attributes: the three (four) Sign writes, plus extras,
	// in DER order.
	attrs := sd.Signer.SignedAttributes
	want := 3 + len(opts.SignedAttributes)
	if !opts.SigningTime.IsZero() {
		want++
	}
	if len(attrs) != want {
		t.Errorf("%d signed attributes, want %d", len(attrs), want)
	}
	st, _ := findAttribute(attrs, OIDSigningTime)
	if opts.SigningTime.IsZero() != (st == nil) {
		t.Errorf("signingTime attribute present = %v, want %v", st != nil, !opts.SigningTime.IsZero())
	}
	if st != nil {
		v := cryptobyte.String(st[0])
		var got time.Time
		var ok bool
		if v.PeekASN1Tag(cbasn1.UTCTime) {
			ok = v.ReadASN1UTCTime(&got)
		} else {
			ok = v.ReadASN1GeneralizedTime(&got)
		}
		if !ok || !got.Equal(opts.SigningTime.Truncate(time.Second)) {
			t.Errorf("signingTime = %v (%v), want %v", got, ok, opts.SigningTime)
		}
	}
	raw := sd.Signer.rawSignedAttrs
	var set cryptobyte.String
	in := cryptobyte.String(raw)
	in.ReadASN1(&set, cbasn1.Tag(0).Constructed().ContextSpecific())
	var prev []byte
	for !set.Empty() {
		var e cryptobyte.String
		set.ReadASN1Element(&e, cbasn1.SEQUENCE)
		if prev != nil && bytes.Compare(prev, e) > 0 {
			t.Error("signed attributes are not in DER SET OF order")
		}
		prev = e
	}
	if len(sd.Signer.UnsignedAttributes) != len(opts.UnsignedAttributes) {
		t.Errorf("%d unsigned attributes, want %d", len(sd.Signer.UnsignedAttributes), len(opts.UnsignedAttributes))
	}
	sv, err := SignatureValue(signed)
	if err != nil || !bytes.Equal(sv, sd.Signer.Signature) {
		t.Errorf("SignatureValue = %x, %v; want the SignerInfo's signature", sv, err)
	}
}

// TestMaxSizeNeverExceeded signs many times with each key kind: ECDSA
// signatures vary in length, and MaxSize must bound every one.
func TestMaxSizeNeverExceeded(t *testing.T) {
	iterations := 400
	if testing.Short() {
		iterations = 50
	}
	digest := digestOf(crypto.SHA256, []byte("content"))
	tests := []struct {
		name string
		key  crypto.Signer
		opts Options
		n    int
	}{
		{"p256", mustECDSA(t, elliptic.P256()), Options{}, iterations},
		{"p384", mustECDSA(t, elliptic.P384()), Options{Hash: crypto.SHA384}, iterations},
		{"p521", mustECDSA(t, elliptic.P521()), Options{Hash: crypto.SHA512}, iterations},
		{"p256 with signing time and unsigned attribute", mustECDSA(t, elliptic.P256()), Options{
			SigningTime:        testNow,
			UnsignedAttributes: []Attribute{{Type: oidTestAttr, Values: [][]byte{derUTF8(t, "x")}}},
		}, iterations},
		{"rsa2048", mustRSA(t, 2048), Options{}, 20},
		{"rsa3072 pss", mustRSA(t, 3072), Options{PSS: true, Hash: crypto.SHA384}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := chainFor(t, tt.key.Public(), "Trần Thị Bích Ngọc")
			max := MaxSize(tt.key.Public(), chain, tt.opts)
			if max == 0 {
				t.Fatal("MaxSize = 0")
			}
			d := digest
			if tt.opts.Hash != 0 {
				d = digestOf(tt.opts.Hash, []byte("content"))
			}
			smallest := max
			for i := 0; i < tt.n; i++ {
				signed, err := Sign(rand.Reader, d, tt.key, chain, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				if len(signed) > max {
					t.Fatalf("iteration %d: %d bytes, MaxSize %d", i, len(signed), max)
				}
				smallest = min(smallest, len(signed))
			}
			if _, isRSA := tt.key.Public().(*rsa.PublicKey); isRSA && smallest != max {
				t.Errorf("RSA: smallest %d bytes, MaxSize %d; want equal (fixed-length signatures)", smallest, max)
			}
			// The bound is tight: no more than a few bytes of slack.
			if max-smallest > 8 {
				t.Errorf("MaxSize %d is %d bytes above the smallest signature", max, max-smallest)
			}
		})
	}
}

// badSigner returns a fixed signature or error, counting calls.
type badSigner struct {
	pub   crypto.PublicKey
	sig   []byte
	err   error
	calls int
}

func (b *badSigner) Public() crypto.PublicKey { return b.pub }
func (b *badSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	b.calls++
	return b.sig, b.err
}

func TestSignErrors(t *testing.T) {
	p256 := mustECDSA(t, elliptic.P256())
	chain := chainFor(t, p256.Public(), "Lê Hoàng Phúc")
	other := mustECDSA(t, elliptic.P256())
	otherChain := chainFor(t, other.Public(), "Phạm Minh Tuấn")
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	p224 := mustECDSA(t, elliptic.P224())
	content := []byte("content")
	digest := digestOf(crypto.SHA256, content)
	tests := []struct {
		name   string
		key    crypto.Signer
		chain  []*x509.Certificate
		digest []byte
		opts   Options
		want   error
	}{
		{"no chain", p256, nil, digest, Options{}, ErrBadChain},
		{"nil certificate", p256, []*x509.Certificate{chain[0], nil}, digest, Options{}, ErrBadChain},
		{"certificate not parsed", p256, []*x509.Certificate{{PublicKey: p256.Public()}}, digest, Options{}, ErrBadChain},
		{"chain out of order", p256, []*x509.Certificate{chain[0], chain[2], chain[1]}, digest, Options{}, ErrBadChain},
		{"key for another certificate", p256, otherChain, digest, Options{}, ErrKeyMismatch},
		{"no key", nil, chain, digest, Options{}, ErrUnsupportedKey},
		{"RSA 1024", small, selfSignedChain(t, small), digest, Options{}, ErrUnsupportedKey},
		{"Ed25519", edKey, selfSignedChain(t, edKey), digest, Options{}, ErrUnsupportedKey},
		{"P-224", p224, selfSignedChain(t, p224), digest, Options{}, ErrUnsupportedKey},
		{"PSS with ECDSA", p256, chain, digest, Options{PSS: true}, ErrUnsupportedKey},
		{"SHA-1", p256, chain, digestOf(crypto.SHA1, content), Options{Hash: crypto.SHA1}, ErrUnsupportedHash},
		{"SHA-224", p256, chain, digest, Options{Hash: crypto.SHA224}, ErrUnsupportedHash},
		{"short digest", p256, chain, digest[:20], Options{}, ErrDigestMismatch},
		{"SHA-256 digest for SHA-384", p256, chain, digest, Options{Hash: crypto.SHA384}, ErrDigestMismatch},
		{"digest is not of the content", p256, chain, digest, Options{Content: []byte("other")}, ErrDigestMismatch},
		{"messageDigest given again", p256, chain, digest, Options{SignedAttributes: []Attribute{{Type: OIDMessageDigest, Values: [][]byte{{0x04, 0x00}}}}}, ErrBadAttribute},
		{"signing-certificate given", p256, chain, digest, Options{SignedAttributes: []Attribute{{Type: OIDSigningCertificate, Values: [][]byte{{0x30, 0x00}}}}}, ErrBadAttribute},
		{"signed attribute twice", p256, chain, digest, Options{SignedAttributes: []Attribute{{Type: oidTestAttr, Values: [][]byte{{0x05, 0x00}}}, {Type: oidTestAttr, Values: [][]byte{{0x05, 0x00}}}}}, ErrBadAttribute},
		{"attribute without value", p256, chain, digest, Options{SignedAttributes: []Attribute{{Type: oidTestAttr}}}, ErrBadAttribute},
		{"attribute value not DER", p256, chain, digest, Options{SignedAttributes: []Attribute{{Type: oidTestAttr, Values: [][]byte{{0x04, 0x05, 0x00}}}}}, ErrBadAttribute},
		{"attribute value two elements", p256, chain, digest, Options{UnsignedAttributes: []Attribute{{Type: oidTestAttr, Values: [][]byte{{0x05, 0x00, 0x05, 0x00}}}}}, ErrBadAttribute},
		{"invalid attribute type", p256, chain, digest, Options{SignedAttributes: []Attribute{{Type: asn1.ObjectIdentifier{7}, Values: [][]byte{{0x05, 0x00}}}}}, ErrBadAttribute},
		{"invalid content type", p256, chain, digest, Options{ContentType: asn1.ObjectIdentifier{1}}, ErrBadAttribute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var key crypto.Signer
			var counter *countingSigner
			if tt.key != nil {
				counter = &countingSigner{Signer: tt.key}
				key = counter
			}
			_, err := Sign(rand.Reader, tt.digest, key, tt.chain, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Sign: got %v, want %v", err, tt.want)
			}
			if counter != nil && counter.calls.Load() != 0 {
				t.Errorf("key.Sign called %d times for a request refused up front", counter.calls.Load())
			}
			// MaxSize cannot see the key or the digest, but refuses
			// everything else Sign refuses.
			if tt.key != nil && tt.want != ErrKeyMismatch && tt.want != ErrDigestMismatch {
				if n := MaxSize(tt.key.Public(), tt.chain, tt.opts); n != 0 {
					t.Errorf("MaxSize = %d for a request Sign refuses, want 0", n)
				}
			}
		})
	}

	// A key that fails, or returns a wrong signature, is called once and
	// reported.
	keyErr := errors.New("token removed")
	faulty := []struct {
		name string
		key  *badSigner
		want error
	}{
		{"key error", &badSigner{pub: p256.Public(), err: keyErr}, keyErr},
		{"garbage signature", &badSigner{pub: p256.Public(), sig: []byte{0x30, 0x00}}, ErrBadSignature},
		{"signature of another key", &badSigner{pub: p256.Public(), sig: mustSign(t, other, digest)}, ErrBadSignature},
		{"overlong signature", &badSigner{pub: p256.Public(), sig: make([]byte, 200)}, ErrBadSignature},
	}
	for _, tt := range faulty {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sign(rand.Reader, digest, tt.key, chain, Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("Sign: got %v, want %v", err, tt.want)
			}
			if tt.key.calls != 1 {
				t.Errorf("key called %d times, want 1", tt.key.calls)
			}
		})
	}
}

func mustSign(t testing.TB, k *ecdsa.PrivateKey, digest []byte) []byte {
	t.Helper()
	s, err := k.Sign(rand.Reader, digest, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// selfSignedChain makes a one-certificate chain for a key the development
// CA cannot certify (sizes and types Sign refuses), signed by the test CA's
// issuing key through devca: the chain itself is sound.
func selfSignedChain(t testing.TB, key crypto.Signer) []*x509.Certificate {
	t.Helper()
	ca, err := testCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueSigner(rand.Reader, key.Public(), devcaSubject("Khóa không hỗ trợ"), testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	return []*x509.Certificate{leaf}
}

// TestRSAShortSignatureIsPadded: a token that drops a leading zero byte
// of an RSA signature still yields a full-length, valid signature.
func TestRSAShortSignatureIsPadded(t *testing.T) {
	key := mustRSA(t, 2048)
	chain := chainFor(t, key.Public(), "Đỗ Thị Hằng")
	for i := 0; i < 4000; i++ {
		content := []byte{byte(i), byte(i >> 8)}
		h := digestOf(crypto.SHA256, content)
		// Find content whose signed attributes give a signature with a
		// leading zero byte (1 in 256), then strip it.
		strip := &strippingSigner{Signer: key}
		signed, err := Sign(rand.Reader, h, strip, chain, Options{})
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if !strip.stripped {
			continue
		}
		sd, err := Parse(signed)
		if err != nil {
			t.Fatal(err)
		}
		if len(sd.Signer.Signature) != 256 || sd.Signer.Signature[0] != 0 {
			t.Fatalf("signature of %d bytes starting %x, want 256 starting 00", len(sd.Signer.Signature), sd.Signer.Signature[0])
		}
		if err := sd.VerifyDetached(h); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no signature with a leading zero byte in 4000 tries")
}

type strippingSigner struct {
	crypto.Signer
	stripped bool
}

func (s *strippingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	sig, err := s.Signer.Sign(r, d, o)
	if err == nil && sig[0] == 0 {
		s.stripped = true
		sig = sig[1:]
	}
	return sig, err
}
