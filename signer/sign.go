package signer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"golang.org/x/text/unicode/norm"
)

// MaxInputSize is the largest PDF Sign accepts, in bytes.
const MaxInputSize = 32 << 20

// Errors for inputs Sign refuses. Sign checks the key and certificates, the
// text fields and the PDF before it uses the key, so a refused input never
// costs a PIN prompt or a remote signature.
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
	// ErrUnsupportedPDF: the PDF is encrypted or has form fields, which
	// pdfsign v0.9.0 would damage (it rewrites the form with the signature
	// field only).
	ErrUnsupportedPDF = errors.New("unsupported PDF")
	// ErrAlreadySigned: the PDF already has a signature field. See the
	// package documentation.
	ErrAlreadySigned = errors.New("PDF already has a signature field")
	// ErrSecondSignature: pdfsign asked the key for a second signature
	// because the space it reserved was too small. Sign refuses that call
	// rather than ask a token or a remote signing service twice; seeing this
	// error means cmsOverhead needs raising.
	ErrSecondSignature = errors.New("pdfsign asked the key to sign twice")
)

// Options describe one approval signature.
type Options struct {
	// Name is the signer's name as PDF viewers show it (the /Name entry),
	// e.g. "Nguyễn Văn Nghĩa". Empty leaves the entry out; viewers then show
	// the certificate's common name.
	Name string
	// Reason is why the document is signed (the /Reason entry).
	Reason string
	// Location is where it is signed (the /Location entry), e.g. "Vĩnh Long".
	Location string
	// ContactInfo is how to reach the signer (the /ContactInfo entry).
	ContactInfo string
	// Time is the signing time: written as the /M entry, and the instant at
	// which every certificate of the chain must be valid. Required; callers
	// pass their clock's reading.
	Time time.Time
}

// Sign adds an invisible approval signature to the PDF in and returns the
// signed PDF. key signs; chain holds its certificate first, then the
// certificates that issued it, in order. Every certificate of chain is
// embedded in the CMS signature as given, a self-signed root included.
//
// The text fields of opts are normalised to NFC. The signature is
// adbe.pkcs7.detached with SHA-256; the key is called exactly once.
func Sign(in []byte, key crypto.Signer, chain []*x509.Certificate, opts Options) ([]byte, error) {
	if err := checkKey(key, chain, opts.Time); err != nil {
		return nil, err
	}
	info, err := signatureInfo(opts)
	if err != nil {
		return nil, err
	}
	rdr, err := openPDF(in)
	if err != nil {
		return nil, err
	}
	guard := &onceSigner{key: key}
	var out bytes.Buffer
	ctx := &sign.SignContext{
		PDFReader:  rdr,
		InputFile:  bytes.NewReader(in),
		OutputFile: &out,
		SignData: sign.SignData{
			Signature: sign.SignDataSignature{
				CertType: sign.ApprovalSignature,
				Info:     info,
			},
			Signer:            guard,
			DigestAlgorithm:   crypto.SHA256,
			Certificate:       chain[0],
			CertificateChains: [][]*x509.Certificate{chain},
			Appearance:        invisible(),
		},
		SignatureMaxLengthBase: uint32(hex.EncodedLen(maxSignatureLen(key.Public()) + cmsOverhead)),
	}
	if err := runPDFSign(ctx); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// invisible is the appearance of every signature for now: a field with an
// empty rectangle. A visible appearance drawn by kyso (pdfsign's own draws
// Vietnamese in a Latin font) replaces this function when it comes.
func invisible() sign.Appearance {
	return sign.Appearance{Visible: false, Page: 1}
}

// runPDFSign runs pdfsign on a prepared context. pdfsign and the PDF reader
// under it panic on some malformed objects; a panic becomes an error.
func runPDFSign(ctx *sign.SignContext) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfsign: %v: %w", r, ErrInvalidPDF)
		}
	}()
	if err := ctx.SignPDF(); err != nil {
		return fmt.Errorf("pdfsign: %w", err)
	}
	return nil
}

// signatureInfo validates the text fields of opts and prepares them for
// pdfsign (see pdfsignText).
func signatureInfo(opts Options) (sign.SignDataSignatureInfo, error) {
	info := sign.SignDataSignatureInfo{Date: opts.Time}
	fields := []struct {
		name string
		in   string
		out  *string
	}{
		{"Name", opts.Name, &info.Name},
		{"Reason", opts.Reason, &info.Reason},
		{"Location", opts.Location, &info.Location},
		{"ContactInfo", opts.ContactInfo, &info.ContactInfo},
	}
	for _, f := range fields {
		if err := checkText(f.name, f.in); err != nil {
			return info, err
		}
		s, err := pdfsignText(norm.NFC.String(f.in))
		if err != nil {
			return info, fmt.Errorf("%s: %w", f.name, err)
		}
		*f.out = s
	}
	return info, nil
}

// checkKey checks everything about the key and the chain that would make the
// signature useless, before the key is used.
func checkKey(key crypto.Signer, chain []*x509.Certificate, at time.Time) error {
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
	if at.IsZero() {
		return ErrNoTime
	}
	for i, c := range chain {
		if at.Before(c.NotBefore) || at.After(c.NotAfter) {
			return fmt.Errorf("certificate %d %q valid from %s to %s, signing at %s: %w",
				i, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339),
				c.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339), ErrNotValidAt)
		}
		if i+1 < len(chain) {
			if err := c.CheckSignatureFrom(chain[i+1]); err != nil {
				return fmt.Errorf("certificate %d %q not issued by certificate %d %q: %v: %w",
					i, c.Subject.CommonName, i+1, chain[i+1].Subject.CommonName, err, ErrBadChain)
			}
		}
	}
	return nil
}

// openPDF parses in and checks that pdfsign can add a signature to it
// without damaging it.
func openPDF(in []byte) (rdr *pdf.Reader, err error) {
	if len(in) > MaxInputSize {
		return nil, fmt.Errorf("%d bytes, limit %d: %w", len(in), MaxInputSize, ErrTooLarge)
	}
	defer func() {
		if r := recover(); r != nil {
			rdr, err = nil, fmt.Errorf("%v: %w", r, ErrInvalidPDF)
		}
	}()
	rdr, err = pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	switch rdr.XrefInformation.Type {
	case "table", "stream":
	default:
		return nil, fmt.Errorf("cross-reference section of unknown type %q: %w", rdr.XrefInformation.Type, ErrInvalidPDF)
	}
	trailer := rdr.Trailer()
	if !trailer.Key("Encrypt").IsNull() {
		return nil, fmt.Errorf("encrypted: %w", ErrUnsupportedPDF)
	}
	root := trailer.Key("Root")
	if root.Kind() != pdf.Dict || root.Key("Pages").Kind() != pdf.Dict {
		return nil, fmt.Errorf("no document catalog with a page tree: %w", ErrInvalidPDF)
	}
	if rdr.NumPage() < 1 {
		return nil, fmt.Errorf("no pages: %w", ErrInvalidPDF)
	}
	fields := root.Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len(); i++ {
		if fields.Index(i).Key("FT").Name() == "Sig" {
			return nil, ErrAlreadySigned
		}
	}
	if fields.Len() > 0 {
		return nil, fmt.Errorf("has %d form fields: %w", fields.Len(), ErrUnsupportedPDF)
	}
	return rdr, nil
}

// cmsOverhead bounds, in bytes, what the CMS SignedData made by pdfsign and
// digitorus/pkcs7 holds beyond the signature value and beyond what pdfsign
// already counts itself (each certificate wrapped in a degenerate SignedData,
// the issuer name, two SHA-256 digests): the signed attributes (content type,
// message digest, signing time, Adobe revocation information, signing
// certificate v2), algorithm identifiers, the serial number, versions and
// ASN.1 headers. About 300 bytes were measured for RSA and ECDSA keys; the
// rest is margin.
//
// pdfsign's own starting point is a flat 512 bytes for all of this plus the
// signature value, which an RSA-4096 signature (512 bytes by itself) exceeds.
// pdfsign then signs again with more room, asking the key a second time.
const cmsOverhead = 512

// maxSignatureLen is the longest signature value key can produce, in bytes.
func maxSignatureLen(pub crypto.PublicKey) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return (k.N.BitLen() + 7) / 8
	case *ecdsa.PublicKey:
		// SEQUENCE { INTEGER r, INTEGER s }: each integer at most the order's
		// length plus a zero byte and a two-byte header; the sequence header
		// takes at most three bytes.
		n := (k.Curve.Params().N.BitLen() + 7) / 8
		return 2*(n+3) + 3
	}
	return 0
}

// onceSigner passes one signing request to key and refuses any other, so
// that pdfsign's retry on an under-sized signature never reaches a token.
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
