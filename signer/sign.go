package signer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kyso-vn/kyso/internal/cms"
	"github.com/kyso-vn/kyso/pdf"
)

// MaxInputSize is the largest PDF Sign accepts, in bytes.
const MaxInputSize = 128 << 20

// Errors for inputs Sign refuses. Sign checks the key and certificates, the
// text fields, the PDF and the field before it uses the key, so a refused
// input never costs a PIN prompt or a remote signature.
var (
	// ErrNoChain: the certificate chain is empty or holds a nil certificate.
	ErrNoChain = errors.New("no signing certificate")
	// ErrBadChain: a certificate of the chain is not signed by the one after it.
	ErrBadChain = errors.New("certificate chain out of order or broken")
	// ErrKeyMismatch: the key is not the key of the leaf certificate.
	ErrKeyMismatch = errors.New("key does not match the signing certificate")
	// ErrUnsupportedKey: the key is nil, or not RSA of at least 2048 bits or
	// ECDSA on P-256, P-384 or P-521.
	ErrUnsupportedKey = errors.New("unsupported signing key")
	// ErrKeyUsage: the leaf certificate allows neither digitalSignature nor
	// nonRepudiation (contentCommitment).
	ErrKeyUsage = errors.New("certificate key usage does not allow signing")
	// ErrNotValidAt: a certificate of the chain is not valid at Options.Time.
	ErrNotValidAt = errors.New("certificate not valid at signing time")
	// ErrNoTime: Options.Time is zero.
	ErrNoTime = errors.New("no signing time")
	// ErrTooLarge: the input is larger than MaxInputSize.
	ErrTooLarge = errors.New("PDF too large")
	// ErrInvalidPDF: the input cannot be parsed as a PDF with pages.
	ErrInvalidPDF = errors.New("not a valid PDF")
	// ErrUnsupportedPDF: the PDF is encrypted or uses a cross-reference
	// stream, which this signer does not write.
	ErrUnsupportedPDF = errors.New("unsupported PDF")
	// ErrNoField: Options.Field names no signature field of the document.
	ErrNoField = errors.New("no such signature field")
	// ErrFieldSigned: the field already holds a signature.
	ErrFieldSigned = errors.New("signature field already signed")
	// ErrOutOfOrder: a field of Options.After is not signed yet.
	ErrOutOfOrder = errors.New("signature out of order")
	// ErrWrongSigner: the certificate is not the one the field asks for
	// (its seed value names someone else).
	ErrWrongSigner = errors.New("certificate of the wrong person for this field")
	// ErrLocked: an earlier signature forbids any further change (a
	// certification with no changes allowed, or a field lock over all
	// fields).
	ErrLocked = errors.New("document locked by an earlier signature")
	// ErrCertifyNotFirst: a certification signature was asked for on a
	// document that already has a signature; only the first may certify.
	ErrCertifyNotFirst = errors.New("only the first signature can certify a document")
	// ErrSignatureTooLarge: the signature (with its timestamp) did not fit
	// the space reserved for it. Sign does not ask the key a second time.
	ErrSignatureTooLarge = errors.New("signature larger than the space reserved")
	// ErrTimestamp: the time-stamping authority gave no usable token; the
	// cause is wrapped.
	ErrTimestamp = errors.New("signature timestamp failed")
	// ErrSecondSignature: something asked the key for a second signature.
	ErrSecondSignature = errors.New("signer asked the key to sign twice")
)

// Certification is the DocMDP permission of a certification signature
// (ISO 32000-1 §12.8.2.2, Table 254).
type Certification int

// Certification levels. NotCertified makes an approval signature.
const (
	NotCertified Certification = 0
	// CertifyNoChanges: no change at all after this signature, not even
	// another signature.
	CertifyNoChanges Certification = 1
	// CertifyFormFilling: only filling in forms, instantiating page
	// templates and signing. kyso certifies a học bạ this way: its later
	// signers fill the fields placed for them.
	CertifyFormFilling Certification = 2
	// CertifyAnnotations: as CertifyFormFilling, plus annotations.
	CertifyAnnotations Certification = 3
)

// Timestamper gets an RFC 3161 timestamp token for a message (the signature
// value); tsa.Client is one.
type Timestamper interface {
	Timestamp(ctx context.Context, message []byte) ([]byte, error)
}

// Options describe one signature.
type Options struct {
	// Field is the name of the pre-placed signature field to fill. Empty
	// adds a new invisible field ("Signature N").
	Field string
	// After lists the fields that must already be signed: the signers
	// before this one in the document's legal order. Sign refuses with
	// ErrOutOfOrder otherwise.
	After []string
	// Name is the signer's name as PDF viewers show it (the /Name entry),
	// e.g. "Nguyễn Văn Nghĩa". Empty uses the certificate's common name.
	Name string
	// Reason is why the document is signed (the /Reason entry).
	Reason string
	// Location is where it is signed (the /Location entry), e.g. "Vĩnh Long".
	Location string
	// ContactInfo is how to reach the signer (the /ContactInfo entry).
	ContactInfo string
	// Time is the signing time the signer claims: written as the /M entry
	// and shown in the appearance, and the instant at which every
	// certificate of the chain must be valid. Required. (PAdES puts no
	// signing-time attribute in the CMS; a timestamp proves the time.)
	Time time.Time
	// Certify makes this a certification signature with that permission.
	// Only the first signature of a document can certify.
	Certify Certification
	// PSS signs with RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys only).
	PSS bool
	// Appearance, when set, is drawn in the field's rectangle. Nil keeps
	// the field's own (empty) appearance.
	Appearance *Appearance
	// Timestamper, when set, adds a signature timestamp (PAdES B-T).
	Timestamper Timestamper
	// Rand is the randomness given to the key (ECDSA, PSS); nil means
	// crypto/rand.
	Rand io.Reader
}

// Sign adds a signature to the PDF in, as an incremental update, and returns
// the signed PDF: the bytes of in followed by the update. key signs; chain
// holds its certificate first, then the certificates that issued it, in
// order, all of them embedded in the CMS signature as given.
//
// The signature is ETSI.CAdES.detached (PAdES baseline): SHA-256 (SHA-384
// for P-384 keys, SHA-512 for P-521), the ESS signing-certificate-v2
// attribute, no signing-time attribute. The key is called exactly once.
func Sign(ctx context.Context, in []byte, key crypto.Signer, chain []*x509.Certificate, opts Options) ([]byte, error) {
	s, err := NewSession(key, chain)
	if err != nil {
		return nil, err
	}
	return s.Sign(ctx, in, opts)
}

// Session signs many documents with one key (a batch under one PIN entry):
// the key and the chain's signatures are checked once, and the reservation
// for the signature and the visible appearances are computed once for
// equal options. It is safe for concurrent use if the key is.
type Session struct {
	key   crypto.Signer
	chain []*x509.Certificate

	mu          sync.Mutex
	reserve     map[reserveKey]int
	appearances map[appearanceKey]*pdf.FormXObject
}

// maxCachedAppearances bounds a Session's appearance cache.
const maxCachedAppearances = 64

// NewSession checks key and chain (everything Sign checks about them except
// the validity period, which depends on each signature's time).
func NewSession(key crypto.Signer, chain []*x509.Certificate) (*Session, error) {
	if err := checkKey(key, chain); err != nil {
		return nil, err
	}
	return &Session{key: key, chain: chain, reserve: map[reserveKey]int{}, appearances: map[appearanceKey]*pdf.FormXObject{}}, nil
}

// Sign adds a signature by the session's key to in; see the package
// function Sign.
func (s *Session) Sign(ctx context.Context, in []byte, opts Options) ([]byte, error) {
	key, chain := s.key, s.chain
	if err := checkValidity(chain, opts.Time); err != nil {
		return nil, err
	}
	if opts.PSS {
		if _, ok := key.Public().(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("RSA-PSS with a %T key: %w", key.Public(), ErrUnsupportedKey)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}, {"ContactInfo", opts.ContactInfo},
	} {
		if err := checkText(f.name, f.v); err != nil {
			return nil, err
		}
	}
	if opts.Certify < NotCertified || opts.Certify > CertifyAnnotations {
		return nil, fmt.Errorf("certification level %d: want 0 to 3: %w", opts.Certify, ErrUnsupportedPDF)
	}
	doc, err := openDoc(in)
	if err != nil {
		return nil, err
	}
	plan, err := doc.plan(chain[0], opts)
	if err != nil {
		return nil, err
	}
	return doc.sign(ctx, plan, s, opts)
}

// reserveKey is what the size of a signature depends on, besides the key
// and chain.
type reserveKey struct {
	hash crypto.Hash
	pss  bool
}

// reservation returns cms.MaxSize for opts (which sets only Hash and PSS),
// computed once per session.
func (s *Session) reservation(opts cms.Options) int {
	k := reserveKey{opts.Hash, opts.PSS}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.reserve[k]
	if !ok {
		n = cms.MaxSize(s.key.Public(), s.chain, opts)
		s.reserve[k] = n
	}
	return n
}

// Fields lists the signature fields of a PDF, signed or not, in the order of
// its interactive form.
func Fields(in []byte) ([]Field, error) {
	doc, err := openDoc(in)
	if err != nil {
		return nil, err
	}
	return doc.fields, nil
}

// checkText refuses text that does not belong in a one-line human-readable
// signature field: invalid UTF-8, control characters other than tab, LF and
// CR, more than MaxTextLen bytes.
func checkText(field, s string) error {
	if len(s) > MaxTextLen {
		return fmt.Errorf("%s: %d bytes, more than %d: %w", field, len(s), MaxTextLen, ErrInvalidText)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8: %w", field, ErrInvalidText)
	}
	for i, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return fmt.Errorf("%s: control character U+%04X at byte %d: %w", field, r, i, ErrInvalidText)
		}
	}
	return nil
}

// ErrInvalidText is returned when a text field of Options cannot be written
// into the signature dictionary: it is not valid UTF-8, holds a control
// character other than tab, line feed or carriage return, or is too long.
var ErrInvalidText = errors.New("invalid signature text field")

// MaxTextLen is the longest text field (Name, Reason, Location, ContactInfo)
// Sign accepts, in bytes of UTF-8.
const MaxTextLen = 1024

// checkKey checks everything about the key and the chain that would make the
// signature useless, before the key is used.
func checkKey(key crypto.Signer, chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return ErrNoChain
	}
	for i, c := range chain {
		if c == nil {
			return fmt.Errorf("certificate %d is nil: %w", i, ErrNoChain)
		}
	}
	leaf := chain[0]
	if key == nil {
		return fmt.Errorf("signer is nil: %w", ErrUnsupportedKey)
	}
	pub := key.Public()
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("RSA key of %d bits, want at least 2048: %w", k.N.BitLen(), ErrUnsupportedKey)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("ECDSA curve %s: %w", k.Curve.Params().Name, ErrUnsupportedKey)
		}
	default:
		return fmt.Errorf("key type %T: %w", pub, ErrUnsupportedKey)
	}
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(leaf.PublicKey) {
		return fmt.Errorf("certificate %q: %w", leaf.Subject.CommonName, ErrKeyMismatch)
	}
	if leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fmt.Errorf("certificate %q: %w", leaf.Subject.CommonName, ErrKeyUsage)
	}
	for i, c := range chain {
		if i+1 < len(chain) {
			if err := c.CheckSignatureFrom(chain[i+1]); err != nil {
				return fmt.Errorf("certificate %d %q not issued by certificate %d %q: %v: %w",
					i, c.Subject.CommonName, i+1, chain[i+1].Subject.CommonName, err, ErrBadChain)
			}
		}
	}
	return nil
}

// checkValidity checks that every certificate of chain is valid at at.
func checkValidity(chain []*x509.Certificate, at time.Time) error {
	if at.IsZero() {
		return ErrNoTime
	}
	for i, c := range chain {
		if at.Before(c.NotBefore) || at.After(c.NotAfter) {
			return fmt.Errorf("certificate %d %q valid from %s to %s, signing at %s: %w",
				i, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339),
				c.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339), ErrNotValidAt)
		}
	}
	return nil
}

// onceSigner passes one signing request to key and refuses any other: a
// token is never asked twice for one signature (a second PIN prompt, a
// second billed remote signature).
type onceSigner struct {
	key  crypto.Signer
	used bool
}

func (s *onceSigner) Public() crypto.PublicKey { return s.key.Public() }

func (s *onceSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if s.used {
		return nil, ErrSecondSignature
	}
	s.used = true
	return s.key.Sign(rand, digest, opts)
}
