package workflow

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/kyso-vn/kyso/hsm"
	"github.com/kyso-vn/kyso/pdf"
	"github.com/kyso-vn/kyso/registry"
	"github.com/kyso-vn/kyso/signer"
	"github.com/kyso-vn/kyso/templates"
)

// Registry is what the workflow needs of the credential registry.
type Registry interface {
	Issue(ctx context.Context, c *registry.Credential, actor string) error
	Get(ctx context.Context, id registry.ID) (*registry.Credential, error)
	Supersede(ctx context.Context, oldID, newID registry.ID, reason, actor string, at time.Time) error
}

// OpenedKey is a signing key opened for one batch.
type OpenedKey struct {
	Signer crypto.Signer
	// Chain is the certificate chain, leaf first.
	Chain []*x509.Certificate
	// Close logs out of the token; the PIN is not kept anywhere after it.
	Close func() error
}

// KeyOpener opens an account's HSM key with the PIN typed for one batch.
// It must not retry a wrong PIN: a token locks after a few.
type KeyOpener func(ctx context.Context, a *Account, pin []byte) (*OpenedKey, error)

// ErrFileKeysOff means an account's key is a development key file and
// the service does not allow them (hsm.allow_file_keys).
var ErrFileKeysOff = errors.New("development key files are not allowed here")

// HSMKeys opens accounts' pkcs11: URIs through package hsm, with module as
// the PKCS#11 module for URIs that name none. The PIN is given to the token
// once, as the prompt's answer; the PKCS#11 layer keeps it as a Go string
// (which cannot be wiped) while the key is open, and nothing keeps it after
// the batch closes the key. allowFiles lets
// file: URIs (encrypted development key files, the passphrase typed as the
// PIN) be used; production keeps it off.
func HSMKeys(module string, allowFiles bool) KeyOpener {
	return func(ctx context.Context, a *Account, pin []byte) (*OpenedKey, error) {
		if a.KeyKind != KeyHSM || a.KeyURI == "" {
			return nil, fmt.Errorf("account %s: %w: no HSM key", a.ID, ErrWrongKeyKind)
		}
		if !allowFiles && !strings.HasPrefix(a.KeyURI, hsm.SchemePKCS11+":") {
			return nil, fmt.Errorf("account %s: %w", a.ID, ErrFileKeysOff)
		}
		chain, err := parseChain(a.Certificates)
		if err != nil {
			return nil, fmt.Errorf("account %s certificates: %w", a.ID, err)
		}
		asked := false
		k, err := hsm.Open(ctx, a.KeyURI, hsm.Options{
			DefaultModule: module,
			Certificates:  chain,
			Prompt: func(string) (string, error) {
				if asked {
					return "", hsm.ErrWrongPIN
				}
				asked = true
				return string(pin), nil
			},
		})
		if err != nil {
			return nil, err
		}
		return &OpenedKey{Signer: k.Signer, Chain: k.Chain, Close: k.Close}, nil
	}
}

// parseChain parses a PEM chain, leaf first.
func parseChain(pemText string) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	rest := []byte(pemText)
	for {
		var der []byte
		der, rest = nextPEMCertificate(rest)
		if der == nil {
			break
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("%w: no certificate", ErrInvalid)
	}
	return chain, nil
}

// Service runs the workflow: imports, queues, signing, uploads,
// registration and corrections. Every field is required except
// Timestamper, TimestampRoots and Appearances.
type Service struct {
	Store    *Store
	Registry Registry
	// Fonts renders documents and signature appearances.
	Fonts *pdf.Renderer
	// Roots are the trust anchors the signed documents must chain to: the
	// self-check before registration and the check of uploads trust only
	// them.
	Roots []*x509.Certificate
	// TimestampRoots are the trust anchors of timestamping authorities.
	TimestampRoots []*x509.Certificate
	// Timestamper, when set, timestamps every signature the service makes
	// (PAdES B-T).
	Timestamper signer.Timestamper
	// OpenKey opens HSM keys (HSMKeys in production).
	OpenKey KeyOpener
	// BaseURL is the public verification site: QR codes point to
	// BaseURL/v/ID.
	BaseURL string
	// MaxBatch bounds the documents of one signing batch or download.
	MaxBatch int
	Rand     io.Reader
	Now      func() time.Time
	// Stopping, when closed, stops running batches between two documents:
	// the document being signed is finished and stored, the rest are left
	// untouched (ErrStopped). The service closes it when its shutdown
	// grace period is over; nil never stops.
	Stopping <-chan struct{}
}

// stopping reports whether batches must stop.
func (svc *Service) stopping() bool {
	select {
	case <-svc.Stopping:
		return true
	default:
		return false
	}
}

// Check reports a Service missing a required part.
func (svc *Service) Check() error {
	var missing []string
	for name, ok := range map[string]bool{
		"Store": svc.Store != nil, "Registry": svc.Registry != nil, "Fonts": svc.Fonts != nil,
		"Roots": len(svc.Roots) > 0, "OpenKey": svc.OpenKey != nil, "BaseURL": svc.BaseURL != "",
		"Rand": svc.Rand != nil, "Now": svc.Now != nil, "MaxBatch": svc.MaxBatch > 0,
	} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("workflow: missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// actorOf is the audit actor of an account.
func actorOf(a *Account) string { return "account:" + a.ID }

// sameName compares names as printed: trimmed, NFC, case-insensitive.
func sameName(a, b string) bool {
	return strings.EqualFold(norm.NFC.String(strings.TrimSpace(a)), norm.NFC.String(strings.TrimSpace(b)))
}

// errorList flattens joined errors into their messages.
func errorList(err error) []string {
	var ve templates.ValidationErrors
	if errors.As(err, &ve) {
		out := make([]string, 0, len(ve))
		for _, e := range ve {
			out = append(out, e.Error())
		}
		return out
	}
	var multi interface{ Unwrap() []error }
	if errors.As(err, &multi) {
		var out []string
		for _, e := range multi.Unwrap() {
			out = append(out, errorList(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

// stepOptions are the signer options of a plan step on a document with
// signed signatures made.
func stepOptions(d *Document, st *Step, signedCount int, chain []*x509.Certificate, now time.Time, reason, location string) signer.Options {
	ts := templates.SigningStep{Certify: st.Certify}
	opts := signer.Options{
		Field:    st.Field,
		After:    st.After,
		Name:     chain[0].Subject.CommonName,
		Reason:   reason,
		Location: location,
		Time:     now,
	}
	if ts.Certifies(signedCount, len(d.Steps)) {
		opts.Certify = signer.CertifyFormFilling
	}
	return opts
}

// SetKey records an account's signing key like Store.SetKey, after
// checking that its certificate chains to the service's trust roots and is
// valid now: a certificate that the service's own verification would
// refuse is refused when it is registered, not at the first signature.
func (svc *Service) SetKey(ctx context.Context, id string, kind KeyKind, uri, certificatesPEM, actor string) error {
	if kind != KeyNone {
		if err := svc.checkTrusted(certificatesPEM); err != nil {
			return err
		}
	}
	return svc.Store.SetKey(ctx, id, kind, uri, certificatesPEM, actor)
}

// checkTrusted verifies a PEM chain (leaf first) against the roots.
func (svc *Service) checkTrusted(certificatesPEM string) error {
	chain, err := parseChain(certificatesPEM)
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range svc.Roots {
		roots.AddCert(r)
	}
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: svc.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return fmt.Errorf("%w: certificates: not issued under the service's trust roots or not valid now: %v", ErrInvalid, err)
	}
	return nil
}
