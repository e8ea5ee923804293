package hsm

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"

	"github.com/ThalesGroup/crypto11"
)

// ErrTokenClosed is returned by Token.Key after Token.Close.
var ErrTokenClosed = errors.New("token closed")

// Token is one logged-in PKCS#11 token from which several keys are taken:
// a network HSM that holds the keys of many signers, or a person's token
// that holds more than one key. The token is logged in once, with one PIN
// entry; its keys share a crypto11 context, whose session pool lets them
// sign concurrently. Close logs out; keys taken from the token stop
// working then.
//
// Open, by contrast, takes one key and logs in for it alone, and refuses a
// token the process is already logged in to (ErrTokenInUse): PKCS#11 login
// state belongs to the process, so a second login would not check its PIN.
// Token is the way to hold several keys of one token at once.
type Token struct {
	u    *URI
	opts Options

	mu     sync.Mutex
	c11    *crypto11.Context
	closed bool
}

// OpenToken logs in to the token uri names (a pkcs11: URI; object= and id=
// are ignored). The PIN comes from pin-value, pin-source or Options.Prompt,
// as for Open; a wrong PIN fails at once with ErrWrongPIN and is not
// retried.
func OpenToken(ctx context.Context, uri string, opts Options) (*Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme != SchemePKCS11 {
		return nil, uriErr("", ErrInvalidURI, "OpenToken needs a pkcs11: URI")
	}
	c11, err := loginToken(ctx, u, &opts)
	if err != nil {
		return nil, err
	}
	return &Token{u: u, opts: opts, c11: c11}, nil
}

// Key returns the signing key on the token with CKA_LABEL object (when not
// empty) and CKA_ID id (when not nil), with its chain: certificates stored
// beside it on the token, or chain (leaf first, or intermediates) as
// Options.Certificates is for Open. The key must be unique. Its Close does
// nothing; close the Token.
func (t *Token) Key(object string, id []byte, chain []*x509.Certificate) (*Key, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrTokenClosed
	}
	u := *t.u
	u.Object, u.ID = object, id
	if err := checkKeySelector(&u); err != nil {
		return nil, err
	}
	tk, err := lookupKeyPair(t.c11, &u)
	if err != nil {
		return nil, err
	}
	var stored []*x509.Certificate
	if tk.stored != nil {
		stored = append([]*x509.Certificate{tk.stored}, tokenIssuers(t.c11, tk.stored)...)
	}
	full, err := buildChain(tk.signer.Public(), stored, chain, t.opts.AllowMissingCertificate)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyName(&u), err)
	}
	return &Key{Signer: tokenSigner{tk.signer}, Chain: full, URI: u.String(), ID: tk.id, Label: tk.label}, nil
}

// Close logs out of the token and releases its sessions. It is safe to
// call more than once.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	return t.c11.Close()
}
