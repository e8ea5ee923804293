package hsm

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/youmark/pkcs8"
)

const testPass = "mật khẩu thử"

// encryptKeyPEM encrypts priv like GenerateFileKey but with a cheap KDF.
func encryptKeyPEM(t testing.TB, priv crypto.Signer, pass string, kdf pkcs8.KDFOpts) []byte {
	t.Helper()
	if kdf == nil {
		kdf = pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: 1000, HMACHash: crypto.SHA256}
	}
	der, err := pkcs8.MarshalPrivateKey(priv, []byte(pass), &pkcs8.Opts{Cipher: pkcs8.AES256CBC, KDFOpts: kdf})
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: der})
}

func certPEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: pemCertificate, Bytes: c.Raw})
	}
	return b.Bytes()
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// memFiles is an Options.ReadFile over a map.
func memFiles(files map[string][]byte) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if d, ok := files[p]; ok {
			return d, nil
		}
		return nil, os.ErrNotExist
	}
}

func TestGenerateFileKey(t *testing.T) {
	for _, alg := range []Algorithm{RSA2048, ECDSAP256, ECDSAP384} {
		t.Run(alg.String(), func(t *testing.T) {
			pemKey, signer, err := GenerateFileKey(alg, []byte(testPass))
			if err != nil {
				t.Fatalf("GenerateFileKey: %v", err)
			}
			checkSigns(t, signer)
			block, rest := pem.Decode(pemKey)
			if block == nil || block.Type != pemEncryptedKey || len(bytes.TrimSpace(rest)) > 0 {
				t.Fatalf("got PEM %q, want one ENCRYPTED PRIVATE KEY block", pemKey)
			}
			if bytes.Contains(pemKey, []byte(testPass)) {
				t.Fatal("PEM output contains the passphrase")
			}
			cert := selfSigned(t, signer, "Trường THPT "+alg.String())
			dir := t.TempDir()
			path := filepath.Join(dir, "key.pem")
			if err := os.WriteFile(path, concat(pemKey, certPEM(cert)), 0o600); err != nil {
				t.Fatal(err)
			}
			key, err := Open(context.Background(), "file:"+path+"?pin-value="+percentEncode(testPass, isUnreserved), Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer key.Close()
			if !publicKeyEqual(key.Signer.Public(), signer.Public()) {
				t.Fatal("opened key differs from the generated key")
			}
			if len(key.Chain) != 1 || !key.Chain[0].Equal(cert) {
				t.Fatalf("got chain of %d, want the stored certificate", len(key.Chain))
			}
			checkSigns(t, key.Signer)
		})
	}
}

func TestGenerateFileKeyRefuses(t *testing.T) {
	if _, _, err := GenerateFileKey(ECDSAP256, nil); !errors.Is(err, ErrEmptyPIN) {
		t.Errorf("empty passphrase: got %v, want ErrEmptyPIN", err)
	}
	if _, _, err := GenerateFileKey(Algorithm(99), []byte("x")); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown algorithm: got %v, want ErrUnknownAlgorithm", err)
	}
}

// TestGenerateFileKeyOpenSSL checks that openssl reads the key format.
func TestGenerateFileKeyOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not found (CI=true: required)")
		}
		t.Skip("openssl not found; skipping")
	}
	pemKey, signer, err := GenerateFileKey(ECDSAP256, []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	pkey := func(pass string) ([]byte, error) {
		cmd := exec.Command(openssl, "pkey", "-in", path, "-passin", "env:KYSO_TEST_PASS", "-pubout", "-outform", "DER")
		cmd.Env = append(os.Environ(), "KYSO_TEST_PASS="+pass)
		return cmd.Output()
	}
	if _, err := pkey("wrong"); err == nil {
		t.Fatal("openssl read the key with a wrong passphrase: got success, want failure")
	}
	out, err := pkey(testPass)
	if err != nil {
		t.Fatalf("openssl pkey: %v", err)
	}
	pub, err := x509.ParsePKIXPublicKey(out)
	if err != nil {
		t.Fatal(err)
	}
	if !publicKeyEqual(signer.Public(), pub) {
		t.Error("openssl decrypted a different key")
	}
}

func TestOpenFileKeyPassphraseSources(t *testing.T) {
	priv := newP256(t)
	cert := selfSigned(t, priv, "Nguyễn Văn A")
	files := map[string][]byte{
		"/keys/k.pem":      concat(encryptKeyPEM(t, priv, testPass, nil), certPEM(cert)),
		"/secrets/pass":    []byte(testPass + "\n"),
		"/secrets/pass-rn": []byte(testPass + "\r\n"),
		"/secrets/bare":    []byte(testPass),
		"/secrets/empty":   []byte("\n"),
		"/secrets/two-nl":  []byte(testPass + "\n\n"),
	}
	env := map[string]string{"KEY_PASS": testPass, "EMPTY": ""}
	tests := []struct {
		name      string
		uri       string
		prompt    string
		noPrompt  bool
		wantErr   error
		wantCalls int
	}{
		{name: "pin-source file", uri: "file:/keys/k.pem?pin-source=file:/secrets/pass"},
		{name: "pin-source file CRLF", uri: "file:/keys/k.pem?pin-source=file:/secrets/pass-rn"},
		{name: "pin-source file no newline", uri: "file:/keys/k.pem?pin-source=file:///secrets/bare"},
		{name: "pin-source file trims one newline only", uri: "file:/keys/k.pem?pin-source=file:/secrets/two-nl", wantErr: ErrWrongPIN},
		{name: "pin-source file empty", uri: "file:/keys/k.pem?pin-source=file:/secrets/empty", wantErr: ErrEmptyPIN},
		{name: "pin-source file missing", uri: "file:/keys/k.pem?pin-source=file:/secrets/none", wantErr: os.ErrNotExist},
		{name: "pin-source env", uri: "file:/keys/k.pem?pin-source=env:KEY_PASS"},
		{name: "pin-source env empty", uri: "file:/keys/k.pem?pin-source=env:EMPTY", wantErr: ErrEmptyPIN},
		{name: "pin-source env unset", uri: "file:/keys/k.pem?pin-source=env:UNSET", wantErr: ErrEmptyPIN},
		{name: "pin-value", uri: "file:/keys/k.pem?pin-value=m%E1%BA%ADt%20kh%E1%BA%A9u%20th%E1%BB%AD"},
		{name: "prompt", uri: "file:///keys/k.pem", prompt: testPass, wantCalls: 1},
		{name: "prompt wrong", uri: "file:/keys/k.pem", prompt: "wrong-passphrase", wantErr: ErrWrongPIN, wantCalls: 1},
		{name: "prompt empty", uri: "file:/keys/k.pem", prompt: "", wantErr: ErrEmptyPIN, wantCalls: 1},
		{name: "no prompt", uri: "file:/keys/k.pem", noPrompt: true, wantErr: ErrNoPINSource},
		{name: "wrong pin-value", uri: "file:/keys/k.pem?pin-value=wrong-passphrase", wantErr: ErrWrongPIN},
		{name: "missing key file", uri: "file:/keys/none.pem?pin-value=x", wantErr: os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var prompts []string
			opts := Options{
				ReadFile: memFiles(files),
				Getenv:   func(k string) string { return env[k] },
			}
			if !tt.noPrompt {
				opts.Prompt = countingPrompt(tt.prompt, &calls, &prompts)
			}
			key, err := Open(context.Background(), tt.uri, opts)
			if calls != tt.wantCalls {
				t.Errorf("prompt called %d times, want %d", calls, tt.wantCalls)
			}
			assertNoSecret(t, err, testPass, "wrong-passphrase")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer key.Close()
			if tt.wantCalls > 0 && !strings.Contains(prompts[0], "/keys/k.pem") {
				t.Errorf("got prompt %q, want it to name the key file", prompts[0])
			}
			checkSigns(t, key.Signer)
			if key.Label != "/keys/k.pem" || strings.Contains(key.URI, "pin-value") {
				t.Errorf("got Label %q URI %q, want the path and no pin-value", key.Label, key.URI)
			}
		})
	}
}

func TestOpenFileKeyStructure(t *testing.T) {
	priv := newP256(t)
	other := newP256(t)
	pki := newTestPKI(t, priv)
	otherCert := selfSigned(t, other, "other")
	enc := encryptKeyPEM(t, priv, testPass, nil)
	plainDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	plain := pem.EncodeToMemory(&pem.Block{Type: pemPlainKey, Bytes: plainDER})
	sec1, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	rsaSmall, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := certPEM(pki.leaf)

	flipped := reencode(t, enc, func(_ *pbes2Params, i *encryptedPrivateKeyInfo) {
		i.EncryptedData[3] ^= 0x40 // garbles the first plaintext block
	})
	badBase64 := bytes.Clone(enc)
	badBase64[bytes.IndexByte(badBase64, '\n')+5] = '*'

	tests := []struct {
		name    string
		file    []byte
		opts    Options
		wantErr error
		chain   []*x509.Certificate
	}{
		{name: "key only", file: enc, wantErr: ErrNoCertificate},
		{name: "key only allowed", file: enc, opts: Options{AllowMissingCertificate: true}},
		{name: "key and chain", file: concat(enc, certPEM(pki.leaf, pki.inter, pki.root)), chain: []*x509.Certificate{pki.leaf, pki.inter, pki.root}},
		{name: "leading text ignored", file: concat([]byte("Bag Attributes\n    localKeyID: 01\n"), enc, cert), chain: []*x509.Certificate{pki.leaf}},
		{name: "certificate before key", file: concat(cert, enc), chain: []*x509.Certificate{pki.leaf}},
		{name: "intermediates from options", file: concat(enc, cert), opts: Options{Certificates: []*x509.Certificate{pki.inter, pki.root}},
			chain: []*x509.Certificate{pki.leaf, pki.inter, pki.root}},
		{name: "leaf from options wins", file: concat(enc, certPEM(otherCert)), opts: Options{Certificates: []*x509.Certificate{pki.leaf, pki.inter}},
			chain: []*x509.Certificate{pki.leaf, pki.inter}},
		{name: "stored certificate for another key", file: concat(enc, certPEM(otherCert)), wantErr: ErrCertificateMismatch},
		{name: "given certificate for another key", file: enc, opts: Options{Certificates: []*x509.Certificate{otherCert}}, wantErr: ErrCertificateMismatch},
		{name: "chain out of order", file: concat(enc, certPEM(pki.leaf, pki.root, pki.inter)), wantErr: ErrInvalidChain},
		{name: "unencrypted refused", file: concat(plain, cert), wantErr: ErrUnencryptedKey},
		{name: "unencrypted allowed", file: concat(plain, cert), opts: Options{AllowUnencryptedKey: true}, chain: []*x509.Certificate{pki.leaf}},
		{name: "legacy SEC1", file: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), wantErr: ErrUnsupportedKey},
		{name: "legacy PEM encryption", file: pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}}), wantErr: ErrUnsupportedKey},
		{name: "RSA-1024", file: encryptKeyPEM(t, rsaSmall, testPass, nil), wantErr: ErrUnsupportedKey},
		{name: "P-224", file: encryptKeyPEM(t, p224, testPass, nil), wantErr: ErrUnsupportedKey},
		{name: "empty file", file: nil, wantErr: ErrMalformedKeyFile},
		{name: "not PEM", file: []byte("hello"), wantErr: ErrMalformedKeyFile},
		{name: "two keys", file: concat(enc, enc), wantErr: ErrMalformedKeyFile},
		{name: "unexpected block", file: concat(enc, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}})), wantErr: ErrMalformedKeyFile},
		{name: "truncated certificate", file: concat(enc, cert[:len(cert)/2]), wantErr: ErrMalformedKeyFile},
		{name: "damaged certificate between blocks", file: concat(cert[:len(cert)/2], enc), wantErr: ErrMalformedKeyFile},
		{name: "bad base64", file: badBase64, wantErr: ErrMalformedKeyFile},
		{name: "garbage certificate", file: concat(enc, pem.EncodeToMemory(&pem.Block{Type: pemCertificate, Bytes: []byte{0x30, 1, 2}})), wantErr: ErrMalformedKeyFile},
		{name: "garbage encrypted key", file: pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: []byte{0x30, 3, 1, 2, 3}}), wantErr: ErrMalformedKeyFile},
		// A changed ciphertext byte is indistinguishable from a wrong
		// passphrase: AES-CBC has no integrity check.
		{name: "flipped ciphertext", file: flipped, wantErr: ErrWrongPIN},
		{name: "too large", file: bytes.Repeat([]byte{'\n'}, maxKeyFileSize+1), wantErr: errors.New("any")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.ReadFile = memFiles(map[string][]byte{"/k.pem": tt.file})
			key, err := Open(context.Background(), "file:/k.pem?pin-value="+percentEncode(testPass, isUnreserved), opts)
			assertNoSecret(t, err, testPass)
			if tt.wantErr != nil {
				if err == nil {
					key.Close()
					t.Fatalf("got no error, want %v", tt.wantErr)
				}
				if tt.wantErr.Error() != "any" && !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer key.Close()
			checkSigns(t, key.Signer)
			if len(key.Chain) != len(tt.chain) {
				t.Fatalf("got chain of %d, want %d", len(key.Chain), len(tt.chain))
			}
			for i := range tt.chain {
				if !key.Chain[i].Equal(tt.chain[i]) {
					t.Errorf("chain[%d] = %q, want %q", i, key.Chain[i].Subject, tt.chain[i].Subject)
				}
			}
		})
	}
}

// reencode rebuilds an EncryptedPrivateKeyInfo with changed PBES2 parts.
func reencode(t testing.TB, pemKey []byte, edit func(*pbes2Params, *encryptedPrivateKeyInfo)) []byte {
	t.Helper()
	block, _ := pem.Decode(pemKey)
	var info encryptedPrivateKeyInfo
	if err := unmarshalAll(block.Bytes, &info); err != nil {
		t.Fatal(err)
	}
	var params pbes2Params
	if err := unmarshalAll(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		t.Fatal(err)
	}
	edit(&params, &info)
	pb, err := asn1.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	info.Algorithm.Parameters = asn1.RawValue{FullBytes: pb}
	der, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemEncryptedKey, Bytes: der})
}

func mustMarshal(t testing.TB, v any) asn1.RawValue {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return asn1.RawValue{FullBytes: b}
}

func TestCheckPBES2(t *testing.T) {
	priv := newP256(t)
	enc := encryptKeyPEM(t, priv, testPass, nil)
	scrypt := encryptKeyPEM(t, priv, testPass, pkcs8.ScryptOpts{SaltSize: 16, CostParameter: 1 << 10, BlockSize: 8, ParallelizationParameter: 1})
	salt := bytes.Repeat([]byte{7}, 16)
	tests := []struct {
		name    string
		file    []byte
		wantErr error
	}{
		{name: "pbkdf2", file: enc},
		{name: "scrypt", file: scrypt},
		{name: "iterations too high", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc.Parameters = mustMarshal(t, pbkdf2Params{Salt: salt, IterationCount: maxPBKDF2Iterations + 1,
				PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue}})
		})},
		{name: "zero iterations", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc.Parameters = mustMarshal(t, pbkdf2Params{Salt: salt, IterationCount: 0})
		})},
		{name: "short salt", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc.Parameters = mustMarshal(t, pbkdf2Params{Salt: []byte{1}, IterationCount: 1000})
		})},
		{name: "unknown PRF", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc.Parameters = mustMarshal(t, pbkdf2Params{Salt: salt, IterationCount: 1000,
				PRF: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 3}}})
		})},
		{name: "scrypt memory too large", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc = pkix.AlgorithmIdentifier{Algorithm: oidScrypt,
				Parameters: mustMarshal(t, scryptParams{Salt: salt, CostParameter: 1 << 24, BlockSize: 8, ParallelizationParameter: 1})}
		})},
		{name: "scrypt N not a power of two", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc = pkix.AlgorithmIdentifier{Algorithm: oidScrypt,
				Parameters: mustMarshal(t, scryptParams{Salt: salt, CostParameter: 1000, BlockSize: 8, ParallelizationParameter: 1})}
		})},
		{name: "unknown KDF", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.KeyDerivationFunc.Algorithm = asn1.ObjectIdentifier{1, 2, 3}
		})},
		{name: "AES-GCM", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.EncryptionScheme.Algorithm = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46}
		})},
		{name: "short IV", wantErr: ErrMalformedKeyFile, file: reencode(t, enc, func(p *pbes2Params, _ *encryptedPrivateKeyInfo) {
			p.EncryptionScheme.Parameters = mustMarshal(t, []byte{1, 2, 3})
		})},
		{name: "ciphertext not whole blocks", wantErr: ErrMalformedKeyFile, file: reencode(t, enc, func(_ *pbes2Params, i *encryptedPrivateKeyInfo) {
			i.EncryptedData = i.EncryptedData[:len(i.EncryptedData)-1]
		})},
		{name: "not PBES2", wantErr: ErrUnsupportedKey, file: reencode(t, enc, func(_ *pbes2Params, i *encryptedPrivateKeyInfo) {
			i.Algorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{AllowMissingCertificate: true, ReadFile: memFiles(map[string][]byte{"/k.pem": tt.file})}
			key, err := Open(context.Background(), "file:/k.pem?pin-value=x", opts)
			if tt.wantErr == nil {
				// The structure is fine; the passphrase "x" is wrong.
				if !errors.Is(err, ErrWrongPIN) {
					t.Fatalf("got error %v, want ErrWrongPIN", err)
				}
				return
			}
			if err == nil {
				key.Close()
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func FuzzDecodeKeyFile(f *testing.F) {
	priv := newP256(f)
	cert := selfSigned(f, priv, "fuzz")
	f.Add(encryptKeyPEM(f, priv, "pass", pkcs8.PBKDF2Opts{SaltSize: 8, IterationCount: 1, HMACHash: crypto.SHA256}))
	f.Add(concat(encryptKeyPEM(f, priv, "pass", pkcs8.ScryptOpts{SaltSize: 8, CostParameter: 2, BlockSize: 1, ParallelizationParameter: 1}), certPEM(cert)))
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: pemPlainKey, Bytes: der}))
	f.Add(certPEM(cert))
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := decodeKeyFile(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedKeyFile) && !errors.Is(err, ErrUnsupportedKey) {
				t.Fatalf("error %v is neither ErrMalformedKeyFile nor ErrUnsupportedKey", err)
			}
			return
		}
		if (kf.encrypted == nil) == (kf.plain == nil) {
			t.Fatal("want exactly one of encrypted and plain")
		}
		if kf.encrypted != nil && cheapKDF(kf.encrypted) {
			// Once checkPBES2 passed, decryption with any passphrase must
			// return (not panic).
			pkcs8.ParsePKCS8PrivateKey(kf.encrypted, []byte("pass"))
		}
	})
}

// cheapKDF reports whether decrypting der takes little work, to keep the
// fuzzer fast.
func cheapKDF(der []byte) bool {
	var info encryptedPrivateKeyInfo
	var params pbes2Params
	if unmarshalAll(der, &info) != nil || unmarshalAll(info.Algorithm.Parameters.FullBytes, &params) != nil {
		return false
	}
	var p pbkdf2Params
	if params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) && unmarshalAll(params.KeyDerivationFunc.Parameters.FullBytes, &p) == nil {
		return p.IterationCount <= 1000
	}
	var s scryptParams
	if params.KeyDerivationFunc.Algorithm.Equal(oidScrypt) && unmarshalAll(params.KeyDerivationFunc.Parameters.FullBytes, &s) == nil {
		return s.CostParameter*s.BlockSize*s.ParallelizationParameter <= 1<<12
	}
	return false
}
