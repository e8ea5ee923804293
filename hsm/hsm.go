package hsm

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"
	"sync"
)

// Options configure Open, GenerateTokenKey and ImportCertificate. The zero
// value reads PIN files from disk, environment variables from the process
// and has no prompt.
type Options struct {
	// Prompt asks the person at the terminal for a PIN or passphrase. It is
	// used only when the URI has neither pin-source nor pin-value, and called
	// at most once per call into this package. Nil means there is no one to
	// ask: such URIs fail with ErrNoPINSource.
	Prompt func(prompt string) (string, error)

	// Getenv reads environment variables for pin-source=env:NAME; nil means
	// os.Getenv.
	Getenv func(name string) string

	// ReadFile reads PIN files and key files; nil means reading from disk.
	// Files larger than 4 KiB (PIN) or 1 MiB (key) are refused either way.
	ReadFile func(path string) ([]byte, error)

	// Certificates is a chain supplied by the caller (from --cert), leaf
	// first. When its first certificate holds the key's public key it is the
	// chain, replacing any certificate stored with the key. When its first
	// certificate is a CA certificate, all of them are intermediates appended
	// after the stored leaf. A first certificate that is neither is a leaf
	// for another key: ErrCertificateMismatch.
	Certificates []*x509.Certificate

	// AllowMissingCertificate lets Open return a key with an empty Chain when
	// no certificate is found, e.g. to make a certificate request. Signing
	// needs a chain, so it is false by default and Open fails with
	// ErrNoCertificate.
	AllowMissingCertificate bool

	// AllowUnencryptedKey lets Open read an unencrypted "PRIVATE KEY" PEM
	// block from a file: URI. Meant for throwaway test keys; keep it false for
	// anything a person signs with.
	AllowUnencryptedKey bool

	// DefaultModule is the PKCS#11 module used when a pkcs11: URI has neither
	// module-path nor module-name.
	DefaultModule string

	// Rand supplies the random CKA_ID of keys made by GenerateTokenKey when
	// the URI has no id; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Key is an open signing key and its certificate chain. It is the only thing
// that leaves this package for signing. Close it when done: a token key holds
// PKCS#11 sessions and keeps the token logged in.
type Key struct {
	// Signer signs digests. Token keys sign inside the token; RSA keys
	// accept PKCS #1 v1.5 (crypto.SignerOpts with a hash) and PSS
	// (*rsa.PSSOptions with PSSSaltLengthEqualsHash or an explicit length).
	Signer crypto.Signer
	// Chain is the certificate chain, leaf first. Each certificate is
	// issued by the next one. It is empty only with
	// Options.AllowMissingCertificate or from GenerateTokenKey.
	Chain []*x509.Certificate
	// URI is the key's URI without pin-value, safe to log.
	URI string
	// ID is the key's CKA_ID on a token; nil for file keys.
	ID []byte
	// Label is the key's CKA_LABEL on a token, or the file path.
	Label string

	closeOnce sync.Once
	closeFn   func() error
	closeErr  error
}

// Close releases the PKCS#11 context and its sessions. It is safe to call
// more than once; after Close the Signer fails.
func (k *Key) Close() error {
	k.closeOnce.Do(func() {
		if k.closeFn != nil {
			k.closeErr = k.closeFn()
		}
	})
	return k.closeErr
}

// Open opens the signing key that uri names and returns it with its chain.
//
// For pkcs11: URIs the token is chosen by token= (label) or serial=, and every
// other token, slot and library attribute given must match too; slot numbers
// change when tokens are initialised, so slot-id alone is refused. The key
// pair is chosen by object= and/or id= and must be unique. The PIN comes from
// pin-value, pin-source or Options.Prompt; a wrong PIN fails at once with
// ErrWrongPIN. A certificate stored on the token with the key's id (or, when
// the key has no id, its label) is the leaf unless Options.Certificates
// supplies one.
//
// For file: URIs the file holds one ENCRYPTED PRIVATE KEY block (PKCS #8,
// PBES2) and optionally CERTIFICATE blocks, leaf first. A wrong passphrase
// fails with ErrWrongPIN.
//
// In every case a leaf that does not hold the key's public key is refused
// with ErrCertificateMismatch, and the chain must be in issuing order.
func Open(ctx context.Context, uri string, opts Options) (*Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case SchemeFile:
		return openFileKey(u, &opts)
	default:
		return openTokenKey(ctx, u, &opts)
	}
}

// publicKeyEqual reports whether two public keys are the same key.
func publicKeyEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && eq.Equal(b)
}

// buildChain picks the leaf for pub and checks the chain. stored holds the
// certificates kept with the key (token or file), leaf first; given holds
// Options.Certificates.
func buildChain(pub crypto.PublicKey, stored, given []*x509.Certificate, allowMissing bool) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	switch {
	case len(given) > 0 && publicKeyEqual(pub, given[0].PublicKey):
		chain = append(chain, given...)
	case len(given) > 0 && !(given[0].BasicConstraintsValid && given[0].IsCA):
		// Not a CA, so not an intermediate: a leaf for another key.
		return nil, fmt.Errorf("certificate %q: %w", given[0].Subject.String(), ErrCertificateMismatch)
	case len(stored) > 0:
		if !publicKeyEqual(pub, stored[0].PublicKey) {
			return nil, fmt.Errorf("stored certificate %q: %w", stored[0].Subject.String(), ErrCertificateMismatch)
		}
		chain = append(chain, stored...)
		for _, c := range given {
			if !containsCert(chain, c) {
				chain = append(chain, c)
			}
		}
	case len(given) > 0:
		return nil, fmt.Errorf("certificate %q is a CA certificate, not a leaf for the key: %w", given[0].Subject.String(), ErrCertificateMismatch)
	default:
		if allowMissing {
			return nil, nil
		}
		return nil, ErrNoCertificate
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return nil, fmt.Errorf("certificate %d %q is not issued by certificate %d %q: %w",
				i, chain[i].Subject.String(), i+1, chain[i+1].Subject.String(), ErrInvalidChain)
		}
	}
	return chain, nil
}

func containsCert(chain []*x509.Certificate, c *x509.Certificate) bool {
	for _, have := range chain {
		if bytes.Equal(have.Raw, c.Raw) {
			return true
		}
	}
	return false
}
