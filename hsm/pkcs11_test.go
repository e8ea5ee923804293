package hsm

import (
	"bytes"
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/kyso-vn/kyso/devca"
	"github.com/kyso-vn/kyso/internal/testenv"
)

// generate makes a key labelled object on tok and closes it. attrs are
// extra URI attributes.
func generate(t testing.TB, tok *testenv.Token, object string, alg Algorithm, attrs ...string) crypto.PublicKey {
	t.Helper()
	attrs = append(attrs, "object="+object, "pin-value="+tok.PIN)
	key, err := GenerateTokenKey(context.Background(), tok.URI(attrs...), alg, Options{})
	if err != nil {
		t.Fatalf("GenerateTokenKey(%s, %v): %v", object, alg, err)
	}
	defer key.Close()
	if len(key.ID) != 16 || key.Label != object || len(key.Chain) != 0 {
		t.Fatalf("got ID %x Label %q chain %d, want 16-byte ID, label %q, no chain", key.ID, key.Label, len(key.Chain), object)
	}
	return key.Signer.Public()
}

// openKey opens uri and closes the key at the end of the test.
func openKey(t testing.TB, uri string, opts Options) *Key {
	t.Helper()
	key, err := Open(context.Background(), uri, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", RedactURI(uri), err)
	}
	t.Cleanup(func() { key.Close() })
	return key
}

// login opens a raw crypto11 context on tok for inspecting the token.
func login(t testing.TB, tok *testenv.Token) *crypto11.Context {
	t.Helper()
	u, err := ParseURI(tok.URI("pin-value=" + tok.PIN))
	if err != nil {
		t.Fatal(err)
	}
	c11, err := loginToken(context.Background(), u, &Options{})
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
	return c11
}

func TestGenerateTokenKeyAttributes(t *testing.T) {
	tok := testenv.SoftHSM(t)
	for _, alg := range []Algorithm{RSA2048, ECDSAP256} {
		t.Run(alg.String(), func(t *testing.T) {
			object := "ky-" + alg.String()
			pub := generate(t, tok, object, alg)

			c11 := login(t, tok)
			defer c11.Close()
			keys, err := c11.FindKeyPairs(nil, []byte(object))
			if err != nil || len(keys) != 1 {
				t.Fatalf("FindKeyPairs: got %d keys, err %v; want 1", len(keys), err)
			}
			if !publicKeyEqual(keys[0].Public(), pub) {
				t.Fatal("found a different key")
			}
			want := map[crypto11.AttributeType]bool{
				crypto11.CkaToken: true, crypto11.CkaPrivate: true, crypto11.CkaSensitive: true,
				crypto11.CkaSign: true, crypto11.CkaExtractable: false, crypto11.CkaDecrypt: false,
				crypto11.CkaUnwrap: false, crypto11.CkaDerive: false,
			}
			var types []crypto11.AttributeType
			for a := range want {
				types = append(types, a)
			}
			attrs, err := c11.GetAttributes(keys[0], append(types, crypto11.CkaLabel, crypto11.CkaId))
			if err != nil {
				t.Fatalf("GetAttributes: %v", err)
			}
			for a, w := range want {
				got := attrs[a] != nil && bytes.Equal(attrs[a].Value, []byte{1})
				if got != w {
					t.Errorf("private key attribute 0x%x: got %v, want %v", uint(a), got, w)
				}
			}
			if string(attrs[crypto11.CkaLabel].Value) != object || len(attrs[crypto11.CkaId].Value) != 16 {
				t.Errorf("got label %q id %x, want %q and 16 bytes", attrs[crypto11.CkaLabel].Value, attrs[crypto11.CkaId].Value, object)
			}
			pubAttrs, err := c11.GetPubAttributes(keys[0], []crypto11.AttributeType{crypto11.CkaEncrypt, crypto11.CkaWrap, crypto11.CkaVerify})
			if err != nil {
				t.Fatalf("GetPubAttributes: %v", err)
			}
			for a, w := range map[crypto11.AttributeType]bool{crypto11.CkaEncrypt: false, crypto11.CkaWrap: false, crypto11.CkaVerify: true} {
				if got := bytes.Equal(pubAttrs[a].Value, []byte{1}); got != w {
					t.Errorf("public key attribute 0x%x: got %v, want %v", uint(a), got, w)
				}
			}
			if dec, ok := keys[0].(crypto.Decrypter); ok {
				ct, err := rsa.EncryptPKCS1v15(rand.Reader, pub.(*rsa.PublicKey), []byte("secret"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := dec.Decrypt(rand.Reader, ct, nil); err == nil {
					t.Error("the signing key decrypted: got success, want refusal")
				}
			}
		})
	}
}

func TestGenerateTokenKeyRefusesExisting(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", ECDSAP256)
	_, err := GenerateTokenKey(context.Background(), tok.URI("object=signer", "pin-value="+tok.PIN), RSA2048, Options{})
	if !errors.Is(err, ErrKeyExists) {
		t.Fatalf("same label: got %v, want ErrKeyExists", err)
	}
	key, err := GenerateTokenKey(context.Background(), tok.URI("object=a", "id=\x01\x02", "pin-value="+tok.PIN), ECDSAP256, Options{})
	if err != nil {
		t.Fatalf("explicit id: %v", err)
	}
	if !bytes.Equal(key.ID, []byte{1, 2}) {
		t.Errorf("got id %x, want 0102", key.ID)
	}
	key.Close()
	_, err = GenerateTokenKey(context.Background(), tok.URI("object=b", "id=\x01\x02", "pin-value="+tok.PIN), ECDSAP256, Options{})
	if !errors.Is(err, ErrKeyExists) {
		t.Fatalf("same id: got %v, want ErrKeyExists", err)
	}
	for _, uri := range []string{tok.URI("pin-value=" + tok.PIN), tok.URI("object=c", "type=cert", "pin-value="+tok.PIN), "file:/k.pem"} {
		if _, err := GenerateTokenKey(context.Background(), uri, ECDSAP256, Options{}); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("GenerateTokenKey(%s): got %v, want ErrInvalidURI", RedactURI(uri), err)
		}
	}
	if _, err := GenerateTokenKey(context.Background(), tok.URI("object=d", "pin-value="+tok.PIN), Algorithm(0), Options{}); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("algorithm 0: got %v, want ErrUnknownAlgorithm", err)
	}
}

func TestOpenTokenPINSources(t *testing.T) {
	tok := testenv.SoftHSM(t)
	rsaPub := generate(t, tok, "rsa", RSA2048)
	ecPub := generate(t, tok, "ec", ECDSAP256)
	dir := t.TempDir()
	pinFile := filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte(tok.PIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := func(prompt func(string) (string, error)) Options {
		return Options{
			Prompt:                  prompt,
			Getenv:                  func(k string) string { return map[string]string{"TOKEN_PIN": tok.PIN}[k] },
			AllowMissingCertificate: true,
		}
	}
	for _, obj := range []struct {
		name string
		pub  crypto.PublicKey
	}{{"rsa", rsaPub}, {"ec", ecPub}} {
		tests := []struct {
			name      string
			uri       string
			wantCalls int
		}{
			{"pin-source file", tok.URI("object="+obj.name, "pin-source=file:"+pinFile), 0},
			{"pin-source env", tok.URI("object="+obj.name, "pin-source=env:TOKEN_PIN"), 0},
			{"pin-value", tok.URI("object="+obj.name, "pin-value="+tok.PIN), 0},
			{"prompt", tok.URI("object=" + obj.name), 1},
		}
		for _, tt := range tests {
			t.Run(obj.name+"/"+tt.name, func(t *testing.T) {
				calls := 0
				var prompts []string
				key, err := Open(context.Background(), tt.uri, opts(countingPrompt(tok.PIN, &calls, &prompts)))
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer key.Close()
				if calls != tt.wantCalls {
					t.Errorf("prompt called %d times, want %d", calls, tt.wantCalls)
				}
				if calls > 0 && !strings.Contains(prompts[0], tok.Label) {
					t.Errorf("got prompt %q, want it to name token %q", prompts[0], tok.Label)
				}
				if !publicKeyEqual(key.Signer.Public(), obj.pub) {
					t.Fatal("opened a different key")
				}
				checkSigns(t, key.Signer)
				if strings.Contains(key.URI, tok.PIN) || key.Label != obj.name {
					t.Errorf("got URI %q label %q, want no PIN and label %q", key.URI, key.Label, obj.name)
				}
				if _, ok := key.Signer.(crypto.Decrypter); ok {
					t.Error("Key.Signer exposes Decrypt")
				}
			})
		}
	}
}

func TestOpenTokenWrongPIN(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", ECDSAP256)
	const wrong = "wrong-pin-8841"

	calls := 0
	_, err := Open(context.Background(), tok.URI("object=signer"), Options{Prompt: countingPrompt(wrong, &calls, nil), AllowMissingCertificate: true})
	if !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("got %v, want ErrWrongPIN", err)
	}
	if calls != 1 {
		t.Errorf("prompt called %d times, want 1 (no retry)", calls)
	}
	assertNoSecret(t, err, wrong, tok.PIN)

	_, err = Open(context.Background(), tok.URI("object=signer", "pin-value="+wrong), Options{AllowMissingCertificate: true})
	if !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("pin-value: got %v, want ErrWrongPIN", err)
	}
	assertNoSecret(t, err, wrong, tok.PIN)

	// Other failures with a PIN in the URI do not show it either.
	_, err = Open(context.Background(), tok.URI("object=nope", "pin-value="+tok.PIN), Options{})
	if !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("got %v, want ErrKeyNotFound", err)
	}
	assertNoSecret(t, err, tok.PIN)

	// The wrong attempts did not leave the token unusable.
	openKey(t, tok.URI("object=signer", "pin-value="+tok.PIN), Options{AllowMissingCertificate: true})
}

func TestOpenTokenNoPINSource(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", ECDSAP256)
	_, err := Open(context.Background(), tok.URI("object=signer"), Options{AllowMissingCertificate: true})
	if !errors.Is(err, ErrNoPINSource) {
		t.Fatalf("got %v, want ErrNoPINSource", err)
	}
	_, err = Open(context.Background(), tok.URI("object=signer", "pin-source=env:KYSO_UNSET_PIN"),
		Options{Getenv: func(string) string { return "" }, AllowMissingCertificate: true})
	if !errors.Is(err, ErrEmptyPIN) {
		t.Fatalf("empty env: got %v, want ErrEmptyPIN", err)
	}
}

func TestOpenTokenKeySelection(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", ECDSAP256)

	// A second key pair with the same label, made outside GenerateTokenKey
	// (which refuses duplicates).
	c11 := login(t, tok)
	if _, err := c11.GenerateECDSAKeyPairWithLabel([]byte{9, 9}, []byte("signer"), elliptic.P256()); err != nil {
		t.Fatalf("make duplicate: %v", err)
	}
	c11.Close()

	pin := "pin-value=" + tok.PIN
	allow := Options{AllowMissingCertificate: true}
	tests := []struct {
		name    string
		uri     string
		wantErr error
	}{
		{"ambiguous label", tok.URI("object=signer", pin), ErrAmbiguousKey},
		{"label and id", tok.URI("object=signer", "id=\x09\x09", pin), nil},
		{"id only", tok.URI("id=\x09\x09", pin), nil},
		{"not found", tok.URI("object=nope", pin), ErrKeyNotFound},
		{"id not found", tok.URI("object=signer", "id=\x01", pin), ErrKeyNotFound},
		{"no key named", tok.URI(pin), ErrInvalidURI},
		{"type cert", tok.URI("object=signer", "id=\x09\x09", "type=cert", pin), ErrInvalidURI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := Open(context.Background(), tt.uri, allow)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				checkSigns(t, key.Signer)
				key.Close()
			}
		})
	}
}

func TestOpenTokenSelection(t *testing.T) {
	h := testenv.NewSoftHSM(t)
	a := h.InitToken(t, "Trường A")
	b := h.InitToken(t, "Trường A") // same label, different serial
	c := h.InitToken(t, "Trường C")
	generate(t, c, "signer", ECDSAP256)
	for _, tok := range []*testenv.Token{a, b} {
		generate(t, tok, "signer", ECDSAP256, "serial="+tok.Serial)
	}
	allow := Options{AllowMissingCertificate: true}
	tests := []struct {
		name    string
		uri     string
		opts    Options
		wantErr error
	}{
		{name: "UTF-8 label", uri: c.URI("object=signer", "pin-value="+c.PIN)},
		{name: "by serial", uri: a.URI("serial="+a.Serial, "object=signer", "pin-value="+a.PIN)},
		{name: "label and serial", uri: b.URI("token="+b.Label, "serial="+b.Serial, "object=signer", "pin-value="+b.PIN)},
		{name: "two tokens share the label", uri: a.URI("object=signer", "pin-value="+a.PIN), wantErr: ErrAmbiguousToken},
		{name: "token not found", uri: c.URI("token=none", "object=signer", "pin-value="+c.PIN), wantErr: ErrTokenNotFound},
		{name: "serial not found", uri: c.URI("serial=0000", "object=signer", "pin-value="+c.PIN), wantErr: ErrTokenNotFound},
		{name: "serial of another label", uri: c.URI("token="+c.Label, "serial="+a.Serial, "object=signer", "pin-value="+a.PIN), wantErr: ErrTokenNotFound},
		{name: "manufacturer and model match", uri: c.URI("manufacturer=SoftHSM project", "model=SoftHSM v2", "object=signer", "pin-value="+c.PIN)},
		{name: "manufacturer differs", uri: c.URI("manufacturer=Acme", "object=signer", "pin-value="+c.PIN), wantErr: ErrTokenNotFound},
		{name: "library manufacturer matches", uri: c.URI("library-manufacturer=SoftHSM", "object=signer", "pin-value="+c.PIN)},
		{name: "library version differs", uri: c.URI("library-version=99.1", "object=signer", "pin-value="+c.PIN), wantErr: ErrTokenNotFound},
		{name: "slot-manufacturer differs", uri: c.URI("slot-manufacturer=Acme", "object=signer", "pin-value="+c.PIN), wantErr: ErrTokenNotFound},
		{name: "slot-id differs", uri: c.URI("slot-id=4242", "object=signer", "pin-value="+c.PIN), wantErr: ErrTokenNotFound},
		{name: "slot-id alone", uri: "pkcs11:slot-id=1;object=signer?module-path=" + c.Module + "&pin-value=" + c.PIN, wantErr: ErrInvalidURI},
		{name: "no token", uri: "pkcs11:object=signer?module-path=" + c.Module + "&pin-value=" + c.PIN, wantErr: ErrInvalidURI},
		{name: "module-name", uri: c.URI("object=signer", "module-name=softhsm2", "pin-value="+c.PIN)},
		{name: "module-path directory", uri: c.URI("object=signer", "module-path="+filepath.Dir(c.Module), "module-name=libsofthsm2", "pin-value="+c.PIN)},
		{name: "module-path missing", uri: c.URI("object=signer", "module-path=/nonexistent/lib.so", "pin-value="+c.PIN), wantErr: ErrNoModule},
		{name: "module-name missing", uri: c.URI("object=signer", "module-name=no-such-module", "pin-value="+c.PIN), wantErr: ErrNoModule},
		{name: "no module", uri: "pkcs11:token=Tr%C6%B0%E1%BB%9Dng%20C;object=signer?pin-value=" + c.PIN, wantErr: ErrNoModule},
		{name: "default module", uri: "pkcs11:token=Tr%C6%B0%E1%BB%9Dng%20C;object=signer?pin-value=" + c.PIN, opts: Options{DefaultModule: c.Module}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.AllowMissingCertificate = allow.AllowMissingCertificate
			key, err := Open(context.Background(), tt.uri, opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				checkSigns(t, key.Signer)
				key.Close()
			}
		})
	}
}

func TestImportCertificate(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", RSA2048)
	generate(t, tok, "other", ECDSAP256)
	uri := tok.URI("object=signer", "pin-value="+tok.PIN)

	// Without a certificate Open refuses, unless allowed.
	if _, err := Open(context.Background(), uri, Options{}); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("no certificate: got %v, want ErrNoCertificate", err)
	}
	key := openKey(t, uri, Options{AllowMissingCertificate: true})
	cert := selfSigned(t, key.Signer, "Hiệu trưởng Trường THPT A")
	key.Close()

	// A certificate for another key is refused.
	stranger := selfSigned(t, newP256(t), "stranger")
	if err := ImportCertificate(context.Background(), uri, stranger, Options{}); !errors.Is(err, ErrCertificateMismatch) {
		t.Fatalf("import mismatched: got %v, want ErrCertificateMismatch", err)
	}
	if err := ImportCertificate(context.Background(), uri, cert, Options{}); err != nil {
		t.Fatalf("ImportCertificate: %v", err)
	}
	// Importing the same certificate again is a no-op; another one is refused.
	if err := ImportCertificate(context.Background(), uri, cert, Options{}); err != nil {
		t.Fatalf("import again: %v", err)
	}
	key = openKey(t, uri, Options{AllowMissingCertificate: true})
	renewed := selfSigned(t, key.Signer, "Hiệu trưởng (renewed)")
	key.Close()
	if err := ImportCertificate(context.Background(), uri, renewed, Options{}); !errors.Is(err, ErrCertificateExists) {
		t.Fatalf("import different: got %v, want ErrCertificateExists", err)
	}

	// Open finds the stored certificate without Options.Certificates.
	key = openKey(t, uri, Options{})
	if len(key.Chain) != 1 || !key.Chain[0].Equal(cert) {
		t.Fatalf("got chain of %d, want the imported certificate", len(key.Chain))
	}
	checkSigns(t, key.Signer)
	key.Close()

	// The other key does not pick up the certificate.
	if _, err := Open(context.Background(), tok.URI("object=other", "pin-value="+tok.PIN), Options{}); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("other key: got %v, want ErrNoCertificate", err)
	}

	// A caller's leaf for the key replaces the stored one.
	key = openKey(t, uri, Options{Certificates: []*x509.Certificate{renewed}})
	if !key.Chain[0].Equal(renewed) {
		t.Errorf("got leaf %q, want the caller's", key.Chain[0].Subject)
	}
	key.Close()

	// A caller's leaf for another key is refused.
	if _, err := Open(context.Background(), uri, Options{Certificates: []*x509.Certificate{stranger}}); !errors.Is(err, ErrCertificateMismatch) {
		t.Fatalf("caller's leaf for another key: got %v, want ErrCertificateMismatch", err)
	}
}

func TestOpenTokenChain(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", ECDSAP256)
	uri := tok.URI("object=signer", "pin-value="+tok.PIN)
	key := openKey(t, uri, Options{AllowMissingCertificate: true})
	pki := newTestPKI(t, key.Signer)
	key.Close()

	key = openKey(t, uri, Options{Certificates: []*x509.Certificate{pki.leaf, pki.inter, pki.root}})
	if len(key.Chain) != 3 || !key.Chain[0].Equal(pki.leaf) || !key.Chain[2].Equal(pki.root) {
		t.Fatalf("got chain of %d, want leaf, intermediate, root", len(key.Chain))
	}
	if _, err := x509.ParseCertificate(key.Chain[0].Raw); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("x"))
	if _, err := key.Signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	key.Close()
	if _, err := key.Signer.Sign(rand.Reader, digest[:], crypto.SHA256); err == nil {
		t.Error("Sign after Close: got success, want an error")
	}
	if err := key.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	_, err := Open(context.Background(), uri, Options{Certificates: []*x509.Certificate{pki.leaf, pki.root, pki.inter}})
	if !errors.Is(err, ErrInvalidChain) {
		t.Fatalf("out of order: got %v, want ErrInvalidChain", err)
	}
}

func TestTwoTokensInOneProcess(t *testing.T) {
	h := testenv.NewSoftHSM(t)
	a := h.InitToken(t, "Sở GD&ĐT Vĩnh Long")
	b := h.InitToken(t, "Trường THPT Nghĩa")
	pubA := generate(t, a, "giam-doc", RSA2048)
	pubB := generate(t, b, "hieu-truong", ECDSAP256)

	ka := openKey(t, a.URI("object=giam-doc", "pin-value="+a.PIN), Options{AllowMissingCertificate: true})
	// The other token through module-name, which may resolve to another
	// path of the same library.
	kb := openKey(t, b.URI("object=hieu-truong", "module-name=softhsm2", "pin-value="+b.PIN), Options{AllowMissingCertificate: true})
	if !publicKeyEqual(ka.Signer.Public(), pubA) || !publicKeyEqual(kb.Signer.Public(), pubB) {
		t.Fatal("opened the wrong keys")
	}
	var wg sync.WaitGroup
	for _, k := range []*Key{ka, kb, ka, kb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			checkSigns(t, k.Signer)
		}()
	}
	wg.Wait()
	if err := ka.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing one token's key leaves the other usable.
	checkSigns(t, kb.Signer)
}

func TestTokenInUse(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "signer", ECDSAP256)
	uri := tok.URI("object=signer", "pin-value="+tok.PIN)
	opts := Options{AllowMissingCertificate: true}

	key := openKey(t, uri, opts)
	// While logged in, a second login would not check the PIN: refuse it,
	// with the right PIN and, above all, with a wrong one.
	for _, pin := range []string{tok.PIN, "wrong-pin"} {
		_, err := Open(context.Background(), tok.URI("object=signer", "pin-value="+pin), opts)
		if !errors.Is(err, ErrTokenInUse) {
			t.Fatalf("second Open: got %v, want ErrTokenInUse", err)
		}
	}
	key.Close()
	openKey(t, uri, opts).Close()

	// Concurrent Opens: exactly one logs in, since none closes before all
	// have returned.
	var wg sync.WaitGroup
	results := make([]error, 4)
	keys := make([]*Key, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], results[i] = Open(context.Background(), uri, opts)
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range results {
		switch {
		case err == nil:
			ok++
			keys[i].Close()
		case !errors.Is(err, ErrTokenInUse):
			t.Errorf("concurrent Open: got %v, want nil or ErrTokenInUse", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent Opens succeeded, want 1", ok)
	}
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, "file:/k.pem", Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestImportCertificatesChain: a leaf stored with its CA chain comes back
// whole from Open, so signing needs no --cert.
func TestImportCertificatesChain(t *testing.T) {
	tok := testenv.SoftHSM(t)
	generate(t, tok, "director", ECDSAP256)
	uri := tok.URI("object=director", "pin-value="+tok.PIN)
	now := time.Now()
	ca, err := devca.New(rand.Reader, now, devca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := openKey(t, uri, Options{AllowMissingCertificate: true})
	leaf, err := ca.IssueSigner(rand.Reader, key.Signer.Public(), devca.Subject{CommonName: "Nguyễn Văn Nghĩa"}, now, 0)
	key.Close()
	if err != nil {
		t.Fatal(err)
	}
	// A chain out of order is refused before the token is touched.
	if err := ImportCertificates(context.Background(), uri, []*x509.Certificate{leaf, ca.Root, ca.Issuing}, Options{}); !errors.Is(err, ErrInvalidChain) {
		t.Fatalf("out-of-order chain: got %v, want ErrInvalidChain", err)
	}
	chain := append([]*x509.Certificate{leaf}, ca.Chain()...)
	if err := ImportCertificates(context.Background(), uri, chain, Options{}); err != nil {
		t.Fatalf("ImportCertificates: %v", err)
	}
	// Again: nothing changes, nothing is duplicated.
	if err := ImportCertificates(context.Background(), uri, chain, Options{}); err != nil {
		t.Fatalf("ImportCertificates again: %v", err)
	}
	key = openKey(t, uri, Options{})
	defer key.Close()
	if len(key.Chain) != 3 || !key.Chain[0].Equal(leaf) || !key.Chain[1].Equal(ca.Issuing) || !key.Chain[2].Equal(ca.Root) {
		t.Fatalf("Open returned a chain of %d, want leaf, issuing CA, root", len(key.Chain))
	}
}
