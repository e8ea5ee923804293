package hsm

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/kyso-vn/kyso/internal/testenv"
)

// TestTokenManyKeys takes two keys (P-256 and RSA-2048, two signers of a
// network HSM) from one token under one login, signs with both at once from
// several goroutines, and checks the token's rules: one login per process,
// a wrong PIN reported at once, nothing after Close.
func TestTokenManyKeys(t *testing.T) {
	tok := testenv.SoftHSM(t)
	pubs := map[string]crypto.PublicKey{
		"teacher-1": generate(t, tok, "teacher-1", ECDSAP256),
		"teacher-2": generate(t, tok, "teacher-2", RSA2048),
	}
	ctx := context.Background()
	if _, err := OpenToken(ctx, tok.URI("pin-value=wrong"), Options{}); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("wrong PIN: got %v, want ErrWrongPIN", err)
	}
	token, err := OpenToken(ctx, tok.URI("pin-value="+tok.PIN), Options{AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer token.Close()
	if _, err := Open(ctx, tok.URI("object=teacher-1", "pin-value="+tok.PIN), Options{AllowMissingCertificate: true}); !errors.Is(err, ErrTokenInUse) {
		t.Errorf("Open while the token is open: got %v, want ErrTokenInUse", err)
	}
	keys := map[string]*Key{}
	for name := range pubs {
		k, err := token.Key(name, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !publicKeyEqual(k.Signer.Public(), pubs[name]) {
			t.Fatalf("%s: another key", name)
		}
		keys[name] = k
	}
	if _, err := token.Key("nobody", nil, nil); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("missing key: got %v, want ErrKeyNotFound", err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for name, k := range keys {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					d := sha256.Sum256(fmt.Appendf(nil, "%s %d %d", name, g, i))
					sig, err := k.Signer.Sign(nil, d[:], crypto.SHA256)
					if err != nil {
						errs <- err
						return
					}
					ok := false
					switch pub := pubs[name].(type) {
					case *ecdsa.PublicKey:
						ok = ecdsa.VerifyASN1(pub, d[:], sig)
					case *rsa.PublicKey:
						ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil
					}
					if !ok {
						errs <- fmt.Errorf("%s: signature does not verify", name)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	if err := token.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := token.Key("teacher-1", nil, nil); !errors.Is(err, ErrTokenClosed) {
		t.Errorf("after Close: got %v, want ErrTokenClosed", err)
	}
	d := sha256.Sum256([]byte("x"))
	if _, err := keys["teacher-1"].Signer.Sign(nil, d[:], crypto.SHA256); err == nil {
		t.Error("a key of a closed token still signs")
	}
}

// failingSigner fails every signature with err.
type failingSigner struct {
	crypto.Signer
	err error
}

func (f failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, f.err }

// TestTokenRemovedError: the PKCS#11 errors of a token pulled out in the
// middle of a batch become ErrTokenRemoved, keeping the cause; others pass
// through.
func TestTokenRemovedError(t *testing.T) {
	for code, removed := range map[uint]bool{
		pkcs11.CKR_DEVICE_REMOVED: true, pkcs11.CKR_TOKEN_NOT_PRESENT: true, pkcs11.CKR_SESSION_HANDLE_INVALID: true,
		pkcs11.CKR_SESSION_CLOSED: true, pkcs11.CKR_DEVICE_ERROR: true, pkcs11.CKR_USER_NOT_LOGGED_IN: true,
		pkcs11.CKR_FUNCTION_FAILED: false, pkcs11.CKR_KEY_HANDLE_INVALID: false,
	} {
		s := tokenSigner{failingSigner{err: pkcs11.Error(code)}}
		_, err := s.Sign(nil, make([]byte, 32), crypto.SHA256)
		if got := errors.Is(err, ErrTokenRemoved); got != removed {
			t.Errorf("CKR 0x%x: ErrTokenRemoved %v, want %v (%v)", code, got, removed, err)
		}
		var p11 pkcs11.Error
		if !errors.As(err, &p11) || uint(p11) != code {
			t.Errorf("CKR 0x%x: the cause is lost: %v", code, err)
		}
	}
}
